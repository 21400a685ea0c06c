// `gatehouse setup <host>` (docs/policy.md): registers gatehouse's hook with an agent host, idempotently,
// with absolute node and script paths and the state dir pinned; `--check` verifies; `--remove` undoes.
// Supported: claude-code (settings.json PreToolUse/PostToolUse, every tool) and gemini-cli (settings.json
// BeforeTool/AfterTool). Other keys of the settings file are kept as they are.
import { existsSync, lstatSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError } from './cliError.js';
import { stateDirOf, type GlobalArgs } from './context.js';

export const SETUP_HOSTS = ['claude-code', 'gemini-cli'] as const;
export type SetupHost = (typeof SETUP_HOSTS)[number];

interface HostSpec {
  /** The default settings file. */
  file: () => string;
  /** The events the hook is registered for, before and after a tool runs. */
  events: [string, string];
  /** The hook entry's timeout, in the host's unit. */
  timeout: number;
  matcher: string;
}

const HOSTS: Record<SetupHost, HostSpec> = {
  // https://docs.claude.com/en/docs/claude-code/hooks: matcher "*" is every tool; timeout in seconds.
  'claude-code': { file: () => join(homedir(), '.claude', 'settings.json'), events: ['PreToolUse', 'PostToolUse'], timeout: 30, matcher: '*' },
  // https://geminicli.com/docs/hooks/reference: matcher is a regex over tool names; timeout in milliseconds.
  'gemini-cli': { file: () => join(homedir(), '.gemini', 'settings.json'), events: ['BeforeTool', 'AfterTool'], timeout: 30_000, matcher: '.*' },
};

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** The command the host runs: absolute node, absolute gatehouse script, the state dir pinned. */
export function hookCommandLine(host: SetupHost, stateDir: string, agent: string): string {
  const script = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'gatehouse.js');
  return `${q(process.execPath)} ${q(script)} --state-dir ${q(stateDir)} hook ${host} --agent ${q(agent)}`;
}

type Settings = Record<string, unknown> & { hooks?: Record<string, unknown> };
type Group = { matcher?: string; hooks?: { type?: string; command?: string; timeout?: number; name?: string }[] };

/** Ours: a hook entry running some gatehouse.js with `hook <host>`. */
const isOurs = (host: SetupHost, cmd: unknown): boolean => typeof cmd === 'string' && /gatehouse(\.js)?'? /.test(cmd) && cmd.includes(` hook ${host}`);

function readSettings(path: string): Settings {
  if (!existsSync(path)) return {};
  if (lstatSync(path).isSymbolicLink()) throw new CliError(`${path} is a symlink; gatehouse does not write through symlinks`, 2);
  try {
    const v = JSON.parse(readFileSync(path, 'utf8') || '{}') as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a JSON object');
    return v as Settings;
  } catch (err) {
    throw new CliError(`${path}: not valid JSON (${(err as Error).message}); fix or move it, then run setup again`, 2);
  }
}

/** The settings without any gatehouse entry for this host (other hooks and keys untouched). */
function withoutOurs(s: Settings, host: SetupHost): Settings {
  const hooks = { ...(s.hooks ?? {}) } as Record<string, unknown>;
  for (const ev of HOSTS[host].events) {
    const groups = Array.isArray(hooks[ev]) ? (hooks[ev] as Group[]) : [];
    const kept = groups.map((g) => ({ ...g, hooks: (g.hooks ?? []).filter((h) => !isOurs(host, h.command)) })).filter((g) => g.hooks.length > 0);
    if (kept.length) hooks[ev] = kept;
    else delete hooks[ev];
  }
  const out: Settings = { ...s, hooks };
  if (!Object.keys(hooks).length) delete out.hooks;
  return out;
}

function withOurs(s: Settings, host: SetupHost, command: string): Settings {
  const spec = HOSTS[host];
  const base = withoutOurs(s, host);
  const hooks = { ...(base.hooks ?? {}) } as Record<string, unknown>;
  for (const ev of spec.events) {
    const entry = { type: 'command', command, timeout: spec.timeout, ...(host === 'gemini-cli' ? { name: 'gatehouse' } : {}) };
    // First in the list: gatehouse decides before other hooks see the call.
    hooks[ev] = [{ matcher: spec.matcher, hooks: [entry] }, ...(Array.isArray(hooks[ev]) ? (hooks[ev] as Group[]) : [])];
  }
  return { ...base, hooks };
}

/** What is wrong with the registration, or [] when it is in place and current. */
function problems(s: Settings, host: SetupHost, command: string): string[] {
  const out: string[] = [];
  for (const ev of HOSTS[host].events) {
    const groups = Array.isArray(s.hooks?.[ev]) ? (s.hooks![ev] as Group[]) : [];
    const ours = groups.flatMap((g) => (g.hooks ?? []).filter((h) => isOurs(host, h.command)).map((h) => ({ g, h })));
    if (!ours.length) out.push(`${ev}: no gatehouse hook`);
    else if (!ours.some(({ g, h }) => h.command === command && (g.matcher === HOSTS[host].matcher || g.matcher === '' || g.matcher === undefined))) {
      out.push(`${ev}: the gatehouse hook is not the current one (expected ${command} for every tool)`);
    }
  }
  return out;
}

export interface SetupArgs extends GlobalArgs {
  host: SetupHost;
  settings?: string;
  agent?: string;
  check: boolean;
  remove: boolean;
}

export async function runSetup(argv: SetupArgs): Promise<void> {
  const path = resolve(argv.settings ?? HOSTS[argv.host].file());
  const command = hookCommandLine(argv.host, stateDirOf(argv), argv.agent ?? argv.host);
  const current = readSettings(path);
  if (argv.check) {
    const p = problems(current, argv.host, command);
    if (p.length) {
      process.stdout.write(`${path}: ${p.join('; ')}\nrun: gatehouse setup ${argv.host}\n`);
      process.exitCode = 1;
    } else process.stdout.write(`${path}: gatehouse decides every ${argv.host} tool call (${HOSTS[argv.host].events.join(', ')})\n`);
    return;
  }
  const next = argv.remove ? withoutOurs(current, argv.host) : withOurs(current, argv.host, command);
  const text = JSON.stringify(next, null, 2) + '\n';
  if (existsSync(path) && readFileSync(path, 'utf8') === text) {
    process.stdout.write(`${path}: already ${argv.remove ? 'without gatehouse' : 'set up'}; nothing changed\n`);
    return;
  }
  const { writePrivateFileAtomic } = await import('../engine/store/stateDir.js');
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writePrivateFileAtomic(path, text);
  process.stdout.write(argv.remove ? `${path}: gatehouse hooks removed\n` : `${path}: gatehouse registered for ${HOSTS[argv.host].events.join(' and ')} on every tool\n  ${command}\n`);
}
