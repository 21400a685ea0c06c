// How one simple command looks to the policy: transparent wrappers are unwrapped (law 4), shells' `-c`
// scripts and sudo/eval/env -S payloads are parsed again, and what may never be allowed is marked.
import { parseShell, type ShellSegment } from './shellParser.js';

/** One command the policy judges, after unwrapping. */
export interface EffectiveCommand {
  /** The segment of the parsed line this came from. */
  origin: ShellSegment;
  /** Argv an allow pattern must match (wrappers removed only where written plainly). */
  argv: string[];
  dynamic: boolean[];
  /** Why no allow pattern may match this command; empty = allowable if a pattern matches. */
  blocked: string[];
  /** Every argv form the denylist is checked against: as written, and after each unwrap step (by basename). */
  denyForms: string[][];
  /** The deny forms since the innermost script boundary: what pipe patterns look at. */
  pipeForms: string[][];
  /** The unwrap chain, outermost first (e.g. ["sudo", "bash -c"]). */
  via: string[];
  /** A bare assignment of safe variables (`LANG=C`): nothing runs. */
  assignmentOnly: boolean;
  /** Commands with the same key ran in one pipeline, in order (pipe patterns in the denylist use it). */
  pipeline: string;
}

export const MAX_NESTING = 8;

const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'fish']);
/** Interpreters and the flags that take inline code. `*` = the first operand is the program (awk). */
const INTERPRETERS: Record<string, { short: string; long: string[] }> = {
  python: { short: 'c', long: [] },
  node: { short: 'ep', long: ['--eval', '--print'] },
  nodejs: { short: 'ep', long: ['--eval', '--print'] },
  deno: { short: '', long: ['eval'] },
  bun: { short: 'e', long: ['--eval', '--print'] },
  perl: { short: 'eE', long: [] },
  ruby: { short: 'e', long: [] },
  php: { short: 'r', long: ['--run'] },
  lua: { short: 'e', long: [] },
  luajit: { short: 'e', long: [] },
  Rscript: { short: 'e', long: [] },
  julia: { short: 'e', long: ['--eval'] },
  osascript: { short: 'e', long: [] },
  pwsh: { short: 'c', long: ['-command', '-c', '--command'] },
  tclsh: { short: '', long: [] },
  awk: { short: '*', long: [] },
  gawk: { short: '*', long: [] },
  mawk: { short: '*', long: [] },
  nawk: { short: '*', long: [] },
};
const PRIVILEGE = new Set(['sudo', 'doas', 'su', 'pkexec', 'runuser']);
/** Directories a wrapper may be written from and still count as the real wrapper for allow. */
const SYSTEM_DIRS = ['/bin/', '/usr/bin/', '/usr/local/bin/', '/sbin/', '/usr/sbin/'];

export function basename(word: string): string {
  const i = word.lastIndexOf('/');
  return i >= 0 ? word.slice(i + 1) : word;
}

const VERSIONED_INTERPRETER = /^(python|perl|ruby|php|lua|node)[0-9.]*$/;

/** Interpreter family of a command's basename (`python3.12` → python), or null. */
function interpreterOf(name: string): string | null {
  if (Object.hasOwn(INTERPRETERS, name)) return name;
  const m = VERSIONED_INTERPRETER.exec(name);
  return m ? m[1]! : null;
}

/** Interpreter family name for argv[0] (`python3.12` → python), or null. */
export function interpreterName(argv0: string): string | null {
  return interpreterOf(basename(argv0));
}

function isShellName(name: string): boolean {
  return SHELLS.has(name) || name === 'busybox';
}

export function isShell(argv0: string): boolean {
  return isShellName(basename(argv0));
}

export function isPrivileged(argv0: string): boolean {
  return PRIVILEGE.has(basename(argv0)) || basename(argv0) === 'eval';
}

/** argv[0] names a wrapper plainly (bare name or in a system bin directory), not some file called `nice`. */
function plain(argv0: string): boolean {
  return !argv0.includes('/') || SYSTEM_DIRS.some((d) => argv0 === d + basename(argv0));
}

type Step =
  | { kind: 'wrapper'; name: string; rest: number; assignments?: string[] }
  | { kind: 'script'; name: string; script: string | null; never: string | null }
  | { kind: 'privileged'; name: string; rest: number | null; script: string | null }
  | { kind: 'never'; reason: string }
  | { kind: 'bad'; reason: string }
  | null;

/** Skips options in GNU style. `withArg` short letters and long names take a value. Returns the index of the first operand or -1. */
function skipOptions(argv: string[], start: number, withArg: string, longWithArg: string[], flags: string, longFlags: string[]): number {
  let i = start;
  while (i < argv.length) {
    const a = argv[i]!;
    if (a === '--') return i + 1;
    if (!a.startsWith('-') || a === '-') return i;
    if (a.startsWith('--')) {
      const [name, value] = a.split('=', 2) as [string, string | undefined];
      if (longWithArg.includes(name)) i += value === undefined ? 2 : 1;
      else if (longFlags.includes(name)) i++;
      else return -1;
      continue;
    }
    let j = 1;
    let consumed = 1;
    for (; j < a.length; j++) {
      const ch = a[j]!;
      if (withArg.includes(ch)) {
        consumed = j + 1 < a.length ? 1 : 2;
        break;
      }
      if (!flags.includes(ch)) return -1;
    }
    i += consumed;
  }
  return i >= argv.length ? -1 : i;
}

/** Commands `step` has a case for; every case of its switch must be named here (the switch is gated on it). */
const STEP_NAMES = new Set(['env', 'nice', 'nohup', 'timeout', 'time', 'stdbuf', 'command', 'exec', 'sudo', 'doas', 'pkexec', 'su', 'runuser', 'eval']);

/** Whether `step` can recognise anything in a command whose argv[0] is this: false means it returns null. */
function maySteps(argv0: string): boolean {
  const name = basename(argv0);
  return STEP_NAMES.has(name) || isShellName(name) || interpreterOf(name) !== null;
}

/** Recognises what argv[0] is and where the wrapped command starts. */
function step(argv: string[], dynamic: boolean[]): Step {
  if (!maySteps(argv[0]!)) return null;
  const name = basename(argv[0]!);
  const n = argv.length;
  if (STEP_NAMES.has(name)) switch (name) {
    case 'env': {
      let i = 1;
      if (argv[1] === '--') i = 2;
      const a = argv[i];
      if (a !== undefined && a.startsWith('-')) {
        if (/^-[a-zA-Z0-9]*S/.test(a) || a.startsWith('--split-string')) {
          const script = a.startsWith('--split-string=') ? a.slice(15) + ' ' + argv.slice(i + 1).join(' ') : /^-[a-zA-Z0-9]*S./.test(a) ? a.slice(a.indexOf('S') + 1) + ' ' + argv.slice(i + 1).join(' ') : argv.slice(i + 1).join(' ');
          return { kind: 'privileged', name: 'env -S', rest: null, script: script.trim() };
        }
        return { kind: 'bad', reason: `env with options (${a}) is not a transparent wrapper` };
      }
      const assignments: string[] = [];
      while (i < n && /^[A-Za-z_][A-Za-z0-9_]*=/.test(argv[i]!)) assignments.push(argv[i++]!);
      return i < n ? { kind: 'wrapper', name: 'env', rest: i, assignments } : null;
    }
    case 'nice': {
      let i = 1;
      if (argv[1] !== undefined && /^-\d+$/.test(argv[1])) i = 2;
      else {
        i = skipOptions(argv, 1, 'n', ['--adjustment'], '', []);
        if (i < 0) return { kind: 'bad', reason: 'nice with options it does not take' };
      }
      return i < n ? { kind: 'wrapper', name: 'nice', rest: i } : null;
    }
    case 'nohup':
      return n > 1 ? { kind: 'wrapper', name: 'nohup', rest: argv[1] === '--' ? 2 : 1 } : null;
    case 'timeout': {
      const i = skipOptions(argv, 1, 'sk', ['--signal', '--kill-after'], 'v', ['--preserve-status', '--foreground', '--verbose']);
      if (i < 0) return { kind: 'bad', reason: 'timeout with options it does not take' };
      if (!/^\d+(\.\d+)?[smhd]?$/.test(argv[i] ?? '')) return { kind: 'bad', reason: `timeout duration ${JSON.stringify(argv[i] ?? '')} is not a number` };
      return i + 1 < n ? { kind: 'wrapper', name: 'timeout', rest: i + 1 } : null;
    }
    case 'time': {
      const i = skipOptions(argv, 1, '', [], 'p', []);
      if (i < 0) return { kind: 'bad', reason: 'time with options other than -p (GNU time -o writes a file)' };
      return i < n ? { kind: 'wrapper', name: 'time', rest: i } : null;
    }
    case 'stdbuf': {
      const i = skipOptions(argv, 1, 'ioe', ['--input', '--output', '--error'], '', []);
      if (i < 0) return { kind: 'bad', reason: 'stdbuf with options it does not take' };
      return i < n ? { kind: 'wrapper', name: 'stdbuf', rest: i } : null;
    }
    case 'command': {
      if (argv.slice(1).some((a) => a === '-v' || a === '-V')) return null; // a lookup, runs nothing
      const i = skipOptions(argv, 1, '', [], 'p', []);
      if (i < 0) return { kind: 'bad', reason: 'command with options it does not take' };
      return i < n ? { kind: 'wrapper', name: 'command', rest: i } : null;
    }
    case 'exec': {
      const i = skipOptions(argv, 1, '', [], '', []);
      if (i < 0) return { kind: 'bad', reason: 'exec with options (-a/-c/-l change what runs)' };
      return i < n ? { kind: 'wrapper', name: 'exec', rest: i } : null;
    }
    case 'sudo': {
      if (argv.slice(1).some((a) => a === '-e' || a === '--edit')) return { kind: 'never', reason: 'sudo -e edits files as root' };
      const i = skipOptions(argv, 1, 'ugCDhprtUTR', ['--user', '--group', '--close-from', '--chdir', '--host', '--prompt', '--role', '--type', '--other-user', '--command-timeout', '--chroot'], 'AbEHiKklnPSsVvB', ['--askpass', '--background', '--preserve-env', '--set-home', '--login', '--remove-timestamp', '--reset-timestamp', '--list', '--non-interactive', '--preserve-groups', '--stdin', '--shell', '--validate', '--bell']);
      return { kind: 'privileged', name: 'sudo', rest: i > 0 && i < n ? i : null, script: null };
    }
    case 'doas': {
      const i = skipOptions(argv, 1, 'uC', [], 'nsL', []);
      return { kind: 'privileged', name: 'doas', rest: i > 0 && i < n ? i : null, script: null };
    }
    case 'pkexec': {
      const i = skipOptions(argv, 1, '', ['--user'], '', ['--disable-internal-agent', '--keep-cwd']);
      return { kind: 'privileged', name: 'pkexec', rest: i > 0 && i < n ? i : null, script: null };
    }
    case 'su':
    case 'runuser': {
      for (let i = 1; i < n; i++) {
        const a = argv[i]!;
        if (a === '-c' || a === '--command') return { kind: 'privileged', name, rest: null, script: argv[i + 1] ?? '' };
        if (a.startsWith('--command=')) return { kind: 'privileged', name, rest: null, script: a.slice(10) };
        if (/^-[a-zA-Z]*c./.test(a) && !a.startsWith('--')) return { kind: 'privileged', name, rest: null, script: a.slice(a.indexOf('c') + 1) };
      }
      return { kind: 'privileged', name, rest: null, script: null };
    }
    case 'eval':
      return { kind: 'privileged', name: 'eval', rest: null, script: argv.slice(1).join(' ') };
  }
  if (isShell(argv[0]!)) {
    let i = 1;
    if (name === 'busybox') {
      if (!SHELLS.has(argv[1] ?? '')) return null;
      i = 2;
    }
    let sawC = false;
    for (; i < n; i++) {
      const a = argv[i]!;
      if (a === '--' || a === '-') {
        i++;
        break;
      }
      if (a === '-o' || a === '+o' || a === '-O' || a === '+O' || a === '--rcfile' || a === '--init-file') {
        i++;
        continue;
      }
      if (a.startsWith('--')) continue;
      if (/^[-+][a-zA-Z]+$/.test(a)) {
        if (a.startsWith('-') && a.includes('c')) sawC = true;
        continue;
      }
      break;
    }
    if (!sawC) return null; // a script file or stdin: matched as written
    const shellName = `${name} -c`;
    if (i >= n) return { kind: 'bad', reason: `${shellName} without a command string` };
    if (dynamic[i]) return { kind: 'script', name: shellName, script: null, never: null };
    return { kind: 'script', name: shellName, script: argv[i]!, never: name === 'fish' ? 'fish syntax is not bash' : null };
  }
  const interp = interpreterName(argv[0]!);
  if (interp) {
    const spec = INTERPRETERS[interp]!;
    if (spec.short === '*') {
      // awk: the program is the first operand unless it comes from a file (-f).
      return argv.slice(1).some((a) => a === '-f' || a.startsWith('--file')) ? null : { kind: 'never', reason: `${name} runs an inline program` };
    }
    for (const a of argv.slice(1)) {
      if (a === '--') break;
      if (spec.long.includes(a.split('=')[0]!)) return { kind: 'never', reason: `${name} ${a.split('=')[0]} runs inline code` };
      if (/^-[a-zA-Z]+$/.test(a) && [...spec.short].some((c) => a.includes(c))) return { kind: 'never', reason: `${name} ${a} runs inline code` };
      if (!a.startsWith('-')) break; // the script file: options after it belong to the script
    }
  }
  return null;
}

/** Runners whose command operand the denylist should see (they are not transparent for allow). */
const DENY_ONLY_RUNNERS: Record<string, { withArg: string; longWithArg: string[]; flags: string; longFlags: string[] }> = {
  xargs: { withArg: 'IinPdEsLa', longWithArg: ['--replace', '--max-args', '--max-procs', '--delimiter', '--eof', '--max-chars', '--max-lines', '--arg-file'], flags: '0prtxe', longFlags: ['--null', '--no-run-if-empty', '--interactive', '--verbose', '--exit', '--open-tty'] },
  setsid: { withArg: '', longWithArg: [], flags: 'cfw', longFlags: ['--ctty', '--fork', '--wait'] },
  ionice: { withArg: 'cnp', longWithArg: ['--class', '--classdata', '--pid'], flags: 't', longFlags: ['--ignore'] },
  chrt: { withArg: '', longWithArg: [], flags: 'bdefiorRpaTPDmv', longFlags: [] },
  taskset: { withArg: '', longWithArg: [], flags: 'acp', longFlags: ['--all-tasks', '--cpu-list', '--pid'] },
  flock: { withArg: 'wEc', longWithArg: ['--timeout', '--conflict-exit-code', '--command'], flags: 'sxuno', longFlags: ['--shared', '--exclusive', '--unlock', '--nonblock', '--close', '--verbose'] },
  unbuffer: { withArg: '', longWithArg: [], flags: 'p', longFlags: [] },
  strace: { withArg: 'eoOpPsSuUEIXb', longWithArg: [], flags: 'fFhiqrtTvVwxyzcCdDkn', longFlags: [] },
  ltrace: { withArg: 'eoOpsSuUaAlLnIb', longWithArg: [], flags: 'fhiCrtTV', longFlags: [] },
  coproc: { withArg: '', longWithArg: [], flags: '', longFlags: [] },
  builtin: { withArg: '', longWithArg: [], flags: '', longFlags: [] },
  parallel: { withArg: 'jSI', longWithArg: [], flags: 'kq', longFlags: ['--keep-order', '--quote'] },
};

/** Commands `denyOnly` looks inside (the runners above and these); for any other it finds nothing. */
const DENY_ONLY_OTHERS = new Set(['find', 'watch', 'script']);

function runsOthers(argv0: string): boolean {
  const name = basename(argv0);
  return Object.hasOwn(DENY_ONLY_RUNNERS, name) || DENY_ONLY_OTHERS.has(name);
}

/** What a command runs that only the denylist looks at: argv forms (xargs, find -exec, setsid…) and shell strings (watch, script -c, flock -c). */
function denyOnly(argv: string[]): { forms: string[][]; scripts: string[] } {
  if (!runsOthers(argv[0]!)) return { forms: [], scripts: [] };
  const name = basename(argv[0]!);
  const forms: string[][] = [];
  const scripts: string[] = [];
  const runner = Object.hasOwn(DENY_ONLY_RUNNERS, name) ? DENY_ONLY_RUNNERS[name] : undefined;
  if (runner) {
    let i = skipOptions(argv, 1, runner.withArg, runner.longWithArg, runner.flags, runner.longFlags);
    // chrt and taskset take a priority or CPU mask before the command.
    if (i > 0 && (name === 'chrt' || name === 'taskset')) i++;
    if (i > 0 && i < argv.length) forms.push(argv.slice(i));
    if (name === 'flock') for (let k = 1; k < argv.length - 1; k++) if (argv[k] === '-c' || argv[k] === '--command') scripts.push(argv[k + 1]!);
  } else if (name === 'find') {
    for (let i = 1; i < argv.length; i++) {
      if (['-exec', '-execdir', '-ok', '-okdir'].includes(argv[i]!)) {
        let j = i + 1;
        while (j < argv.length && argv[j] !== ';' && argv[j] !== '+') j++;
        if (j > i + 1) forms.push(argv.slice(i + 1, j));
        i = j;
      }
    }
  } else if (name === 'watch') {
    const i = skipOptions(argv, 1, 'nd', ['--interval', '--differences'], 'bcegtx', ['--beep', '--color', '--errexit', '--chgexit', '--no-title', '--exec', '--precise']);
    if (i > 0 && i < argv.length) scripts.push(argv.slice(i).join(' '));
  } else if (name === 'script') {
    for (let k = 1; k < argv.length - 1; k++) if (argv[k] === '-c' || argv[k] === '--command') scripts.push(argv[k + 1]!);
  }
  return { forms, scripts };
}

/** Deny forms of what a runner runs, unwrapped and parsed like any command. */
function denyOnlyForms(cmd: EffectiveCommand, depth: number): string[][] {
  const { forms, scripts } = denyOnly(cmd.argv);
  if (!forms.length && !scripts.length) return [];
  const out: string[][] = [];
  for (const f of forms) {
    const inner: EffectiveCommand = { ...cmd, argv: f, dynamic: f.map(() => false), blocked: [], denyForms: [f], pipeForms: [f], via: [] };
    for (const e of unwrap(inner, depth + 1)) out.push(...e.denyForms);
  }
  for (const text of scripts) {
    for (const seg of parseShell(text).segments) for (const e of effectiveCommands(seg, depth + 1)) out.push(...e.denyForms);
  }
  return out;
}

function assignmentBlocked(assignments: string[]): string[] {
  const safe = /^(LANG|LC_ALL|LC_MESSAGES|TZ|NO_COLOR|FORCE_COLOR|CI|COLUMNS)=[A-Za-z0-9_.@:+-]*$/;
  return assignments.filter((a) => !safe.test(a)).map((a) => `assignment ${a} changes what the command runs with`);
}

/** Unwraps one parsed segment into the commands the policy judges. */
export function effectiveCommands(origin: ShellSegment, depth = 0): EffectiveCommand[] {
  const base: EffectiveCommand = {
    origin,
    argv: origin.argv,
    dynamic: origin.dynamic,
    blocked: [...origin.unverifiable],
    denyForms: origin.argv.length ? [origin.argv] : [],
    pipeForms: origin.argv.length ? [origin.argv] : [],
    via: [],
    assignmentOnly: origin.argv.length === 0 && origin.assignments.length > 0 && origin.assignments.every((a) => a.safe),
    pipeline: String(origin.pipeline),
  };
  if (origin.argv.length === 0) return [base];
  return unwrap(base, depth);
}

function unwrap(cmd: EffectiveCommand, depth: number): EffectiveCommand[] {
  if (depth > MAX_NESTING) return [{ ...cmd, blocked: [...cmd.blocked, `more than ${MAX_NESTING} nested wrappers or shells`] }];
  const argv = cmd.argv;
  if (argv.length === 0 || cmd.dynamic[0]) return [cmd];
  // Most commands are neither wrappers nor runners: both questions below would find nothing.
  if (!maySteps(argv[0]!) && !runsOthers(argv[0]!)) return [cmd];
  const extra = denyOnlyForms(cmd, depth);
  const withForms = (c: EffectiveCommand, forms: string[][]): EffectiveCommand => (forms.length ? { ...c, denyForms: [...c.denyForms, ...forms], pipeForms: [...c.pipeForms, ...forms] } : c);
  const s = step(argv, cmd.dynamic);
  if (s === null) return [withForms(cmd, extra)];
  switch (s.kind) {
    case 'bad':
      return [withForms({ ...cmd, blocked: [...cmd.blocked, s.reason] }, extra)];
    case 'never':
      return [withForms({ ...cmd, blocked: [...cmd.blocked, `${s.reason} (never allowed by a pattern)`] }, extra)];
    case 'wrapper': {
      const rest = argv.slice(s.rest);
      const inner: EffectiveCommand = {
        ...cmd,
        argv: rest,
        dynamic: cmd.dynamic.slice(s.rest),
        blocked: [...cmd.blocked, ...assignmentBlocked(s.assignments ?? [])],
        denyForms: [...cmd.denyForms, rest],
        pipeForms: [...cmd.pipeForms, rest],
        via: [...cmd.via, s.name],
      };
      // A wrapper written from an odd path (./nice, /tmp/x/env) is not the real one: allow must see it as written.
      if (!plain(argv[0]!)) inner.blocked.push(`${argv[0]} is not a system ${s.name}`);
      if (rest[0] !== undefined && cmd.dynamic[s.rest]) inner.blocked.push(`expansion in command position (${rest[0]})`);
      return unwrap(inner, depth + 1);
    }
    case 'privileged': {
      const reason = `${s.name} is never allowed by a pattern`;
      if (s.rest !== null) {
        const rest = argv.slice(s.rest);
        return unwrap({ ...cmd, argv: rest, dynamic: cmd.dynamic.slice(s.rest), blocked: [...cmd.blocked, reason], denyForms: [...cmd.denyForms, rest], pipeForms: [...cmd.pipeForms, rest], via: [...cmd.via, s.name] }, depth + 1);
      }
      if (s.script !== null) return script(cmd, s.name, s.script, [reason], depth);
      return [{ ...cmd, blocked: [...cmd.blocked, reason] }];
    }
    case 'script':
      if (s.script === null) return [{ ...cmd, blocked: [...cmd.blocked, `${s.name} with a command string that expands at run time`] }];
      return script(cmd, s.name, s.script, s.never ? [s.never] : [], depth);
  }
}

/** Parses a script a wrapper runs (sh -c, eval, su -c, env -S) and judges its commands in place of the wrapper. */
function script(cmd: EffectiveCommand, name: string, text: string, blocked: string[], depth: number): EffectiveCommand[] {
  const parsed = parseShell(text);
  const errs = parsed.errors.map((e) => `${name}: ${e}`);
  if (parsed.segments.length === 0) return [{ ...cmd, blocked: [...cmd.blocked, ...blocked, ...errs, `${name} with an empty script`] }];
  return parsed.segments.flatMap((seg) =>
    effectiveCommands(seg, depth + 1).map((e) => ({
      ...e,
      origin: cmd.origin,
      blocked: [...cmd.blocked, ...blocked, ...errs, ...e.blocked],
      denyForms: [...cmd.denyForms, ...e.denyForms],
      via: [...cmd.via, name, ...e.via],
      pipeline: `${cmd.pipeline}.${e.pipeline}`,
    })),
  );
}
