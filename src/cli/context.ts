// What every command needs: the state dir it acts on, a connection to the engine, and output helpers.
import { escapeControls, terminalSafeJson } from '../shared/text.js';
import { connectEngine, connectTransport } from '../client/ipcClient.js';
import type { EngineClient } from '../client/engineClient.js';
import { EngineError } from '../shared/errors.js';
import { resolveStateDir } from '../engine/store/stateDir.js';
import { CliError } from './cliError.js';
import { stateDirAccessProblem } from './stateAccess.js';

export interface GlobalArgs {
  'state-dir'?: string;
  config?: string;
}

export function stateDirOf(argv: GlobalArgs): string {
  return resolveStateDir(argv['state-dir']);
}

/** Exit code for "no engine runs for this state dir". */
export const EXIT_NO_ENGINE = 3;
/** Exit code for "this user cannot use the state dir" (another user's, or not a directory). */
export const EXIT_ACCESS = 4;

/** An unreachable engine may be one this user cannot see: say that instead of "no engine is running". */
function accessError(err: unknown, stateDir: string): CliError | null {
  if (!(err instanceof EngineError) || err.code !== 'unavailable') return null;
  const problem = stateDirAccessProblem(stateDir);
  return problem ? new CliError(problem, EXIT_ACCESS) : null;
}

/** An engine error's details (zod issues, mostly) as one line: `estimated_cost: Expected number; …`. */
export function detailsLine(details: unknown): string {
  if (details === undefined || details === null) return '';
  if (!Array.isArray(details)) {
    if (typeof details !== 'object') return String(details);
    return Object.entries(details as Record<string, unknown>)
      .map(([k, v]) => `${k} ${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(', ');
  }
  return details
    .map((d: { path?: unknown; message?: unknown }) => {
      const path = Array.isArray(d?.path) ? d.path.join('.') : typeof d?.path === 'string' ? d.path : '';
      const message = typeof d?.message === 'string' ? d.message : JSON.stringify(d);
      return path ? `${path}: ${message}` : message;
    })
    .join('; ');
}

/** Exit codes: bad input refused by the engine is a usage error (2), a refusal or conflict 1, no engine 3. */
export function toCliError(err: unknown, stateDir?: string): Error {
  const access = stateDir ? accessError(err, stateDir) : null;
  if (access) return access;
  if (err instanceof EngineError) {
    const details = detailsLine(err.details);
    const code = err.code === 'unavailable' ? EXIT_NO_ENGINE : err.code === 'bad_request' ? 2 : 1;
    return new CliError(err.message + (details ? `: ${details}` : ''), code);
  }
  return err instanceof Error ? err : new Error(String(err));
}

export async function withClient<T>(argv: GlobalArgs, fn: (client: EngineClient) => Promise<T>, callTimeoutMs?: number): Promise<T> {
  let client: EngineClient | null = null;
  try {
    client = await connectEngine({ stateDir: stateDirOf(argv), surface: 'cli', ...(callTimeoutMs !== undefined ? { callTimeoutMs } : {}) });
    return await fn(client);
  } catch (err) {
    throw accessError(err, stateDirOf(argv)) ?? toCliError(err);
  } finally {
    await client?.close();
  }
}

/** A raw method call (shutdown, reload: methods the typed client does not carry). */
export async function callEngine(argv: GlobalArgs, method: string, params?: unknown): Promise<unknown> {
  let t: Awaited<ReturnType<typeof connectTransport>> | null = null;
  try {
    t = await connectTransport({ stateDir: stateDirOf(argv), surface: 'cli' });
    return await t.call(method, params);
  } catch (err) {
    throw accessError(err, stateDirOf(argv)) ?? toCliError(err);
  } finally {
    await t?.close();
  }
}

/** JSON on stdout with C1 and bidi controls escaped (law 11): the same JSON value, safe on a terminal. */
export function printJson(value: unknown): void {
  process.stdout.write(`${terminalSafeJson(value, 2)}\n`);
}

/** Text on stdout that carries strings from outside (descriptions, reasons, commands, names): controls escaped. */
export function printText(text: string): void {
  process.stdout.write(escapeControls(text));
}
