// `gatehouse setup <host>` (docs/policy.md): registers gatehouse's hook with an agent host, idempotently,
// with absolute node and script paths and the state dir pinned; `--check` verifies; `--remove` undoes.
// Every host of hostNames.ts, each with its documented settings file and hook events (docs/agent-hosts.md).
// Other keys and other hooks of the settings file are kept as they are.
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError } from './cliError.js';
import { HOOK_HOSTS, type HookHost } from './hostNames.js';
import { stateDirOf, type GlobalArgs } from './context.js';

export const SETUP_HOSTS = HOOK_HOSTS;
export type SetupHost = HookHost;

type Entry = Record<string, unknown>;

interface HostSpec {
  /** script: the hook is an executable file of its own (Cline), not an entry in a settings file. */
  script?: true;
  /** The default settings file. */
  file: () => string;
  /** The events the hook is registered for (all of them decide; the host's post-tool event scans outputs). */
  events: string[];
  /**
   * nested: hooks.EVENT = [{matcher, hooks: [entry]}] (Claude Code, Gemini CLI, Codex);
   * flat: hooks.EVENT = [entry] (Cursor, Copilot CLI, Windsurf).
   */
  layout: 'nested' | 'flat';
  /** The key of an entry holding the command line. */
  commandKey: 'command' | 'bash';
  /** gatehouse's entry: the command, a timeout in the host's unit, and whatever else the host needs to fail closed. */
  entry: (command: string) => Entry;
  matcher?: string;
  /** Keys the file must carry at its top (Cursor's version). */
  top?: Entry;
}

const HOSTS: Record<SetupHost, HostSpec> = {
  // code.claude.com/docs/en/hooks: matcher "*" is every tool; timeout in seconds.
  'claude-code': { file: () => join(homedir(), '.claude', 'settings.json'), events: ['PreToolUse', 'PostToolUse'], layout: 'nested', commandKey: 'command', matcher: '*', entry: (command) => ({ type: 'command', command, timeout: 30 }) },
  // geminicli.com/docs/hooks/reference: matcher is a regex over tool names; timeout in milliseconds.
  'gemini-cli': { file: () => join(homedir(), '.gemini', 'settings.json'), events: ['BeforeTool', 'AfterTool'], layout: 'nested', commandKey: 'command', matcher: '.*', entry: (command) => ({ type: 'command', command, timeout: 30_000, name: 'gatehouse' }) },
  // github.com/openai/codex codex-rs/hooks (discovery.rs, dispatcher.rs): ~/.codex/hooks.json, matcher "*"
  // is every tool (apply_patch also matches as Write and Edit), timeout in seconds.
  codex: { file: () => join(homedir(), '.codex', 'hooks.json'), events: ['PreToolUse', 'PostToolUse'], layout: 'nested', commandKey: 'command', matcher: '*', entry: (command) => ({ type: 'command', command, timeout: 30 }) },
  // cursor.com/docs/agent/hooks: ~/.cursor/hooks.json version 1; failClosed makes a crash or timeout block.
  cursor: { file: () => join(homedir(), '.cursor', 'hooks.json'), events: ['beforeShellExecution', 'beforeMCPExecution', 'beforeReadFile'], layout: 'flat', commandKey: 'command', top: { version: 1 }, entry: (command) => ({ command, timeout: 30, failClosed: true }) },
  // docs.github.com copilot cli-config-dir-reference and cli-hooks-reference: hooks inline in
  // ~/.copilot/settings.json ($COPILOT_HOME), {type, bash, timeoutSec}.
  'copilot-cli': { file: () => join(process.env.COPILOT_HOME || join(homedir(), '.copilot'), 'settings.json'), events: ['preToolUse'], layout: 'flat', commandKey: 'bash', entry: (command) => ({ type: 'command', bash: command, timeoutSec: 30 }) },
  // docs.windsurf.com/windsurf/cascade/hooks: user hooks in ~/.codeium/windsurf/hooks.json; no timeout key
  // is documented, so the hook keeps its own deadlines (a plain check ends within 12 s).
  // docs.cline.bot/customization/hooks: a global hook is an executable named after its event in
  // ~/Documents/Cline/Hooks/; Cline honours its JSON answer whatever the exit code and gives it 30 s.
  cline: { file: () => join(homedir(), 'Documents', 'Cline', 'Hooks', 'PreToolUse'), events: ['PreToolUse'], layout: 'flat', commandKey: 'command', script: true, entry: (command) => ({ command }) },
  windsurf: { file: () => join(homedir(), '.codeium', 'windsurf', 'hooks.json'), events: ['pre_run_command', 'pre_read_code', 'pre_write_code', 'pre_mcp_tool_use'], layout: 'flat', commandKey: 'command', entry: (command) => ({ command, show_output: true }) },
};

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** The command the host runs: absolute node, absolute gatehouse script, the state dir pinned. */
export function hookCommandLine(host: SetupHost, stateDir: string, agent: string): string {
  const script = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'gatehouse.js');
  return `${q(process.execPath)} ${q(script)} --state-dir ${q(stateDir)} hook ${host} --agent ${q(agent)}`;
}

type Settings = Record<string, unknown> & { hooks?: Record<string, unknown> };
type Group = { matcher?: string; hooks?: Entry[] };

/** Ours: a hook entry running some gatehouse.js with `hook <host>`. */
const isOurs = (host: SetupHost, cmd: unknown): boolean => typeof cmd === 'string' && /gatehouse(\.js)?'? /.test(cmd) && cmd.includes(` hook ${host} `);

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

/** Our entries under one event, and the event's list without them. */
function split(spec: HostSpec, host: SetupHost, list: unknown): { ours: { entry: Entry; matcher?: string }[]; rest: unknown[] } {
  const items = Array.isArray(list) ? list : [];
  const ours: { entry: Entry; matcher?: string }[] = [];
  const rest: unknown[] = [];
  for (const item of items) {
    if (spec.layout === 'flat') {
      if (item && typeof item === 'object' && isOurs(host, (item as Entry)[spec.commandKey])) ours.push({ entry: item as Entry });
      else rest.push(item);
      continue;
    }
    const g = (item ?? {}) as Group;
    const hooks = Array.isArray(g.hooks) ? g.hooks : [];
    for (const h of hooks) if (isOurs(host, h?.command)) ours.push({ entry: h, ...(g.matcher !== undefined ? { matcher: g.matcher } : {}) });
    const kept = hooks.filter((h) => !isOurs(host, h?.command));
    if (kept.length || !Array.isArray(g.hooks)) rest.push(Array.isArray(g.hooks) ? { ...g, hooks: kept } : item);
  }
  return { ours, rest };
}

/** The settings without any gatehouse entry for this host (other hooks and keys untouched). */
function withoutOurs(s: Settings, host: SetupHost): Settings {
  const spec = HOSTS[host];
  const hooks = { ...(s.hooks ?? {}) } as Record<string, unknown>;
  for (const ev of spec.events) {
    if (!(ev in hooks)) continue;
    const { rest } = split(spec, host, hooks[ev]);
    if (rest.length) hooks[ev] = rest;
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
    const entry = spec.entry(command);
    const mine = spec.layout === 'nested' ? { matcher: spec.matcher, hooks: [entry] } : entry;
    // First in the list: gatehouse decides before other hooks see the call.
    hooks[ev] = [mine, ...(Array.isArray(hooks[ev]) ? (hooks[ev] as unknown[]) : [])];
  }
  return { ...spec.top, ...base, hooks };
}

/** What is wrong with the registration, or [] when it is in place and current. */
function problems(s: Settings, host: SetupHost, command: string): string[] {
  const spec = HOSTS[host];
  const out: string[] = [];
  const want = JSON.stringify(spec.entry(command));
  for (const ev of spec.events) {
    const { ours } = split(spec, host, s.hooks?.[ev]);
    if (!ours.length) out.push(`${ev}: no gatehouse hook`);
    else if (!ours.some(({ entry, matcher }) => JSON.stringify(entry) === want && (spec.layout === 'flat' || matcher === spec.matcher || matcher === '' || matcher === undefined))) {
      out.push(`${ev}: the gatehouse hook is not the current one (expected ${command}${spec.layout === 'nested' ? ' for every tool' : ''}, as setup writes it)`);
    }
  }
  for (const [k, v] of Object.entries(spec.top ?? {})) if (s[k] !== v) out.push(`${k} is not ${JSON.stringify(v)}`);
  return out;
}

export interface SetupArgs extends GlobalArgs {
  host: SetupHost;
  settings?: string;
  agent?: string;
  check: boolean;
  remove: boolean;
}

const SCRIPT_MARK = '# gatehouse hook: written by `gatehouse setup';

/** The hook script of a host whose hooks are executables (Cline): exec the hook command, nothing else. */
const scriptText = (host: SetupHost, command: string): string => `#!/bin/sh\n${SCRIPT_MARK} ${host}\` (docs/agent-hosts.md); \`gatehouse setup ${host} --remove\` removes it.\nexec ${command}\n`;

async function runScriptSetup(argv: SetupArgs, path: string, command: string): Promise<void> {
  const want = scriptText(argv.host, command);
  let st: ReturnType<typeof lstatSync> | null = null;
  try {
    st = lstatSync(path);
  } catch {
    st = null;
  }
  if (st?.isSymbolicLink()) throw new CliError(`${path} is a symlink; gatehouse does not write through symlinks`, 2);
  const text = st ? readFileSync(path, 'utf8') : null;
  const ours = text !== null && text.includes(SCRIPT_MARK);
  if (argv.check) {
    const problem = text === null ? 'no gatehouse hook' : !ours ? 'another hook is there, not gatehouse' : text !== want ? 'the gatehouse hook is not the current one' : (statSync(path).mode & 0o100) === 0 ? 'the hook is not executable' : null;
    if (problem) {
      process.stdout.write(`${path}: ${problem}\nrun: gatehouse setup ${argv.host}\n`);
      process.exitCode = 1;
    } else process.stdout.write(`${path}: gatehouse decides every ${argv.host} tool call (PreToolUse)\n`);
    return;
  }
  if (text !== null && !ours) throw new CliError(`${path}: another ${argv.host} hook is there; gatehouse does not overwrite it (move it aside, or call it from your own hook)`, 2);
  if (argv.remove) {
    if (text === null) return void process.stdout.write(`${path}: already without gatehouse; nothing changed\n`);
    unlinkSync(path);
    return void process.stdout.write(`${path}: gatehouse hook removed\n`);
  }
  if (text === want && (statSync(path).mode & 0o777) === 0o700) return void process.stdout.write(`${path}: already set up; nothing changed\n`);
  const { writePrivateFileAtomic } = await import('../engine/store/stateDir.js');
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writePrivateFileAtomic(path, want);
  chmodSync(path, 0o700);
  process.stdout.write(`${path}: gatehouse registered for PreToolUse (enable hooks in Cline's settings)\n  ${command}\n`);
}

export async function runSetup(argv: SetupArgs): Promise<void> {
  const path = resolve(argv.settings ?? HOSTS[argv.host].file());
  const command = hookCommandLine(argv.host, stateDirOf(argv), argv.agent ?? argv.host);
  if (HOSTS[argv.host].script) return runScriptSetup(argv, path, command);
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
  process.stdout.write(argv.remove ? `${path}: gatehouse hooks removed\n` : `${path}: gatehouse registered for ${HOSTS[argv.host].events.join(', ')}\n  ${command}\n`);
}
