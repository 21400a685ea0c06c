// The guard guards itself (docs/security.md, self-protection): built-in rules evaluated before the policy, which no
// allow rule overrides. An agent is denied reading or writing gatehouse's state dir, config dir,
// policy, token and installed files; running the gatehouse commands that disarm or answer for it;
// and killing the engine. Read-only gatehouse commands (`status`, `--help`, …) stay allowed.
//
// Deny is generous here (as law 3 makes deny patterns): the command text is looked at after undoing
// what a shell would undo (quotes, backslashes, `$'\x..'`, `~` and `$HOME`), word by word and as a
// whole, so `bash -c`, `env`, absolute paths, redirections and globs do not hide a protected path.
// What cannot be seen statically (a path assembled from variables or decoded at run time) is a miss of
// the policy (law 5) and goes to the operator or is denied by the mode; this file does not claim it.
import { randomUUID } from 'node:crypto';
import { homedir } from 'node:os';
import { basename, resolve, sep } from 'node:path';
import type { Decision, ToolCall } from '../../shared/firewall.js';
import { protectedRoots, type ProtectedPlaces } from './ownPlaces.js';

export { installRoot, type ProtectedPlaces } from './ownPlaces.js';

/** State and config files by name: wherever they are spelled, a command touching them is refused. */
const PROTECTED_NAMES = ['api-token', 'gatehouse.db', 'gatehouse.db-wal', 'gatehouse.db-shm', 'gatehouse.sock', 'gatehouse.lock', 'policy.trusted', 'ledger.key', 'ledger.head', 'lockdown.json', 'sentinel.json', 'alerts.jsonl', 'offline-decisions.ndjson'];
const PROTECTED_SUFFIXES = [`gatehouse${sep}policy.yaml`, `gatehouse${sep}config.yaml`, `state${sep}gatehouse`, `config${sep}gatehouse`];
const TOKEN_VARS = ['GATEHOUSE_API_TOKEN'];
/** REST routes that answer for the operator or change trust (they need the token, which is protected too). */
const OPERATOR_ROUTES = [/\/api\/prompts\/[^\s/]*\/resolve/, /\/api\/queue\/(approve|reject|abort)\//, /\/api\/firewall\/policy\/trust/];

/** gatehouse commands an agent may run: they read, or they are themselves decided by the firewall. */
const READ_ONLY_ONE = new Set(['status', 'help', 'version', 'pending', 'doctor', 'exec', 'hook', 'proxy', 'sandbox']);
const READ_ONLY_TWO = new Set(['tasks list', 'tasks show', 'tasks get', 'ledger verify', 'ledger list', 'ledger show', 'ledger tail', 'policy diff', 'policy verify', 'policy test', 'firewall check', 'firewall explain', 'alerts list', 'agents list', 'prompts list']);
/** Global options that take a value (skipped to find the subcommand). */
const VALUE_OPTIONS = new Set(['--state-dir', '--config', '--agent', '--task', '--log-format', '--port']);

const KILLERS = new Set(['kill', 'pkill', 'killall', 'killall5', 'skill', 'pkill.sh']);
const SERVICE_TOOLS = new Set(['systemctl', 'service', 'launchctl', 'supervisorctl', 'pm2']);

/** Undoes what the shell undoes before a program sees its words: ANSI-C quotes, backslashes, quotes, ~ and $HOME. */
export function shellNormalise(text: string, home = homedir()): string {
  let t = text.replace(/\$'((?:[^'\\]|\\.)*)'/g, (_m, body: string) =>
    body
      .replace(/\\x([0-9a-fA-F]{1,2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16)))
      .replace(/\\u([0-9a-fA-F]{1,4})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16)))
      .replace(/\\([0-7]{1,3})/g, (_x, o: string) => String.fromCharCode(parseInt(o, 8)))
      .replace(/\\(.)/g, '$1'),
  );
  t = t.replace(/\\\n/g, '').replace(/\\(.)/g, '$1').replace(/["']/g, '');
  t = t.replace(/\$\{HOME\}|\$HOME\b/g, home).replace(/(^|[\s=:<>|;&(])~(?=\/|$|\s)/g, (_m, pre: string) => `${pre}${home}`);
  return t;
}

/** The words of a normalised command line, split at blanks and shell operators. */
function wordsOf(norm: string): string[] {
  return norm.split(/[\s;|&()<>`]+|\$\(/).filter(Boolean);
}

function globToRegExp(word: string): RegExp | null {
  if (!/[*?[]/.test(word)) return null;
  let re = '';
  for (let i = 0; i < word.length; i++) {
    const c = word[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = word.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += `[${word.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  try {
    return new RegExp(`(^|/)${re}$`);
  } catch {
    return /.*/; // a glob we cannot read is assumed to reach anything
  }
}

function within(path: string, dir: string): boolean {
  const d = dir.endsWith(sep) ? dir : dir + sep;
  return path === dir || path.startsWith(d);
}

/**
 * Whether the text names the directory: anywhere it occurs, unless the next character continues a
 * file name (`STATE-old` is another directory). A slash, quote, glob, `$`, brace or the end all count,
 * so a spelling that could still reach the directory stays caught (fail closed).
 */
function namesDir(norm: string, dir: string): boolean {
  for (let i = norm.indexOf(dir); i >= 0; i = norm.indexOf(dir, i + 1)) {
    if (!/[A-Za-z0-9._-]/.test(norm[i + dir.length] ?? '')) return true;
  }
  return false;
}

interface Finding {
  what: string;
}

/** Which protected place a normalised text reaches, if any. */
function touchesProtected(norm: string, places: ProtectedPlaces, cwd: string | null): Finding | null {
  // The one list of gatehouse's places (ownPlaces.ts), which the path rules read too.
  const dirs = protectedRoots(places);
  const files = [places.policyPath, ...PROTECTED_NAMES.map((n) => resolve(places.stateDir, n))];
  for (const d of dirs) if (namesDir(norm, d)) return { what: `it names gatehouse's own directory ${d}` };
  if (norm.includes(places.policyPath)) return { what: `it names the policy file ${places.policyPath}` };
  for (const n of PROTECTED_NAMES) if (norm.includes(n)) return { what: `it names gatehouse's state file ${n}` };
  for (const s of PROTECTED_SUFFIXES) if (norm.includes(s)) return { what: `it names gatehouse's files (${s})` };
  for (const v of TOKEN_VARS) if (norm.includes(v)) return { what: `it reads the API token (${v})` };
  for (const r of OPERATOR_ROUTES) if (r.test(norm)) return { what: 'it calls an operator-only REST route' };
  const base = cwd ? resolve(cwd) : null;
  if (base && [places.stateDir, places.configDir].some((d) => within(base, resolve(d)))) return { what: `it runs inside gatehouse's own directory ${base}` };
  for (const w of wordsOf(norm)) {
    const g = globToRegExp(w);
    if (!g) continue;
    const abs = w.startsWith('/') ? w : null;
    for (const f of [...files, ...dirs]) {
      if (abs ? new RegExp(`^${g.source.replace(/^\(\^\|\/\)/, '')}`).test(f) : g.test(basename(f))) return { what: `the glob ${w} reaches ${f}` };
    }
  }
  return null;
}

/** Words that run the next word as a command (wrappers, runners, `-c` of a shell). */
const RUNNERS = new Set(['env', 'sudo', 'doas', 'nohup', 'nice', 'exec', 'command', 'time', 'stdbuf', 'setsid', 'npx', 'node', 'nodejs', 'bunx', 'pnpx', 'xargs', 'timeout', 'watch', 'bash', 'sh', 'zsh', 'dash', 'ksh']);

/** The words at command position of each simple command of a normalised line (and what follows them). */
function commandsOf(norm: string): string[][] {
  const out: string[][] = [];
  for (const seg of norm.split(/[;|&()`\n]|\$\(/)) {
    const words = seg.split(/[\s<>]+/).filter(Boolean);
    let i = 0;
    // Assignments, runners and their options lead up to the command word (`env A=1 node x.js`, `bash -c …`).
    for (;;) {
      const w = words[i];
      if (w === undefined) break;
      if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w) || w.startsWith('-') || /^\d+[smhd]?$/.test(w)) i++;
      else if (RUNNERS.has(basename(w)) && i + 1 < words.length) i++;
      else break;
    }
    if (i < words.length) out.push(words.slice(i));
  }
  return out;
}

/** A gatehouse invocation that is not read-only (stop, resolve, trust, approve, reload, the console, …). */
function disarmingGatehouse(norm: string): Finding | null {
  for (const words of commandsOf(norm)) {
    const b = basename(words[0]!);
    if (b !== 'gatehouse' && b !== 'gatehouse.js') continue;
    const rest: string[] = [];
    let help = false;
    for (let j = 1; j < words.length; j++) {
      const w = words[j]!;
      if (w === '--help' || w === '-h' || w === '--version') help = true;
      if (w.startsWith('-')) {
        if (VALUE_OPTIONS.has(w)) j++;
        continue;
      }
      rest.push(w);
      if (rest.length === 2) break;
    }
    if (help) continue;
    if (rest.length === 0) return { what: 'it opens the gatehouse console (which answers for the operator)' };
    if (READ_ONLY_ONE.has(rest[0]!) || (rest.length === 2 && READ_ONLY_TWO.has(`${rest[0]} ${rest[1]}`))) continue;
    return { what: `\`gatehouse ${rest.join(' ')}\` disarms or answers for the guard` };
  }
  return null;
}

/** Killing the engine (or every process of the user), or stopping its service. */
function killsEngine(norm: string, places: ProtectedPlaces): Finding | null {
  const engineLine = 'node gatehouse gatehouse.js';
  for (const cmd of commandsOf(norm)) {
    const b = basename(cmd[0]!);
    if (SERVICE_TOOLS.has(b) && /gatehouse/.test(norm)) return { what: `${b} on the gatehouse service` };
    if (!KILLERS.has(b)) continue;
    const args = cmd.slice(1);
    if (/gatehouse/.test(norm)) return { what: `${b} aimed at gatehouse` };
    if (/\$\(|`/.test(norm)) return { what: `${b} with pids computed at run time (they may be the engine's)` };
    if (b === 'killall5') return { what: 'killall5 signals every process' };
    if (b === 'kill') {
      // The first word may be the signal (`kill -1 PID` is SIGHUP); any later -1 is "every process".
      for (let j = 0; j < args.length; j++) {
        const a = args[j]!;
        if (a === '-1' && j > 0) return { what: 'kill -1 signals every process, the engine included' };
        if (places.enginePid && (a === String(places.enginePid) || a === `-${places.enginePid}`)) return { what: `kill of the engine (pid ${places.enginePid})` };
      }
      continue;
    }
    // pkill/killall/skill match process names or command lines: refuse any pattern that would reach the engine.
    for (let j = 0; j < args.length; j++) {
      const a = args[j]!;
      if (/^-(u|U|-uid|-euid|-user)$/.test(a) || /^-[a-zA-Z]*u$/.test(a)) return { what: `${b} by user signals the engine too` };
      if (a.startsWith('-')) {
        if (/^-[A-Za-z]*[gGPst]$/.test(a) || a === '--signal') j++;
        continue;
      }
      let matches: boolean;
      try {
        matches = new RegExp(a).test(engineLine) || (b !== 'pkill' && a === 'node');
      } catch {
        matches = true;
      }
      if (matches) return { what: `${b} ${a} would reach the engine (node … gatehouse.js)` };
    }
  }
  return null;
}

function deny(what: string, requestId?: string): Decision {
  return {
    decision: 'deny',
    source: 'policy',
    rule: 'self-protection',
    reason: `gatehouse protects itself (built in, not overridable): ${what}`,
    segments: [],
    request_id: requestId ?? randomUUID(),
  };
}

/** The built-in deny for a command, or null when self-protection has nothing against it. */
export function selfProtectCommand(command: string, places: ProtectedPlaces, opts: { cwd?: string | null; requestId?: string } = {}): Decision | null {
  const norm = shellNormalise(command);
  const f = touchesProtected(norm, places, opts.cwd ?? null) ?? disarmingGatehouse(norm) ?? killsEngine(norm, places);
  return f ? deny(f.what, opts.requestId) : null;
}

/** The built-in deny for an MCP tool call whose arguments reach gatehouse's own files. */
export function selfProtectTool(call: ToolCall, places: ProtectedPlaces, opts: { requestId?: string } = {}): Decision | null {
  const strings: string[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (depth > 32) return;
    if (typeof v === 'string') strings.push(v);
    else if (Array.isArray(v)) for (const x of v) walk(x, depth + 1);
    else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x, depth + 1);
  };
  walk(call.args ?? {}, 0);
  // Each string alone, and all of them as one line (an argv array arrives as separate words); one
  // string is its own line.
  for (const s of strings.length === 1 ? strings : [...strings, strings.join(' ')]) {
    const norm = shellNormalise(s);
    const f = touchesProtected(norm, places, null) ?? disarmingGatehouse(norm) ?? killsEngine(norm, places);
    if (f) return deny(`the ${call.server}/${call.tool} call: ${f.what}`, opts.requestId);
  }
  return null;
}
