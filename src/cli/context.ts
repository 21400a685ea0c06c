// What every command needs: the state dir it acts on, a connection to the engine, and output helpers.
import { escapeControls, terminalSafeJson } from '../shared/text.js';
import { connectEngine, connectTransport } from '../client/ipcClient.js';
import type { EngineClient } from '../client/engineClient.js';
import { EngineError } from '../shared/errors.js';
import { resolveStateDir } from '../engine/store/stateDir.js';
import { CliError } from './cliError.js';

export interface GlobalArgs {
  'state-dir'?: string;
  config?: string;
}

export function stateDirOf(argv: GlobalArgs): string {
  return resolveStateDir(argv['state-dir']);
}

/** Exit code for "no engine runs for this state dir". */
export const EXIT_NO_ENGINE = 3;

export function toCliError(err: unknown): Error {
  if (err instanceof EngineError) {
    return new CliError(err.message + (err.details ? `\n${JSON.stringify(err.details, null, 2)}` : ''), err.code === 'unavailable' ? EXIT_NO_ENGINE : 1);
  }
  return err instanceof Error ? err : new Error(String(err));
}

export async function withClient<T>(argv: GlobalArgs, fn: (client: EngineClient) => Promise<T>, callTimeoutMs?: number): Promise<T> {
  let client: EngineClient | null = null;
  try {
    client = await connectEngine({ stateDir: stateDirOf(argv), surface: 'cli', ...(callTimeoutMs !== undefined ? { callTimeoutMs } : {}) });
    return await fn(client);
  } catch (err) {
    throw toCliError(err);
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
    throw toCliError(err);
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
