// How one simple command looks to the policy: transparent wrappers are unwrapped (law 4), shells' `-c`
// scripts and sudo/eval/env -S payloads are parsed again, and what may never be allowed is marked.
import { programEffects, programEntry, type Guard, type ProgramEffects } from './programEffects.js';
import type { WrapperSpec } from './programSpec.js';
import { WRAPPERS } from './programs.js';
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
  /** Argv words a whole-word `*` may not reach (law 4a): options that execute or write, written paths. */
  guards: Guard[];
  /** What its program's entry says it does, when it has one. */
  program: ProgramEffects | null;
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
  return wrapperOf(basename(argv0))?.kind === 'privileged';
}

function wrapperOf(name: string): WrapperSpec | null {
  return Object.hasOwn(WRAPPERS, name) ? WRAPPERS[name]! : null;
}

/** Names of the transparent wrappers (law 4): their command is judged in their place. */
export function isTransparentWrapper(name: string): boolean {
  return wrapperOf(name)?.kind === 'transparent';
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

/**
 * Reads options in GNU style from `start`: the index of the first operand (argv.length when there is
 * none), or -1 at an option the wrapper does not take.
 */
function skipOptions(argv: string[], start: number, w: WrapperSpec): number {
  const withArg = w.shortValue ?? '';
  const flags = w.flags ?? '';
  let i = start;
  while (i < argv.length) {
    const a = argv[i]!;
    if (a === '--') return i + 1;
    if (!a.startsWith('-') || a === '-') return i;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a : a.slice(0, eq);
      if (w.longValue?.includes(name)) i += eq < 0 ? 2 : 1;
      else if (w.longFlags?.includes(name)) i++;
      else return -1;
      continue;
    }
    let consumed = 1;
    for (let j = 1; j < a.length; j++) {
      const ch = a[j]!;
      if (withArg.includes(ch)) {
        consumed = j + 1 < a.length ? 1 : 2;
        break;
      }
      if (!flags.includes(ch)) return -1;
    }
    i += consumed;
  }
  return Math.min(i, argv.length);
}

/** The command line an option of `commandOptions` carries (su -c CMD, env -S 'CMD …'), or null. */
function commandOption(argv: string[], c: NonNullable<WrapperSpec['commandOptions']>): string | null {
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    // su passes the words after `--` to its shell, which reads `-c` there too.
    if (a === '--') {
      if (c.anywhere) continue;
      return null;
    }
    let value: string | undefined;
    let next = i + 1;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (!c.names.includes(eq < 0 ? a : a.slice(0, eq))) continue;
      if (eq >= 0) value = a.slice(eq + 1);
      else value = argv[next++];
    } else if (/^-[A-Za-z0-9]/.test(a)) {
      // In a cluster (-lc CMD, -cCMD, -iS'…'): the letter's value is the rest of the word, or the next word.
      const k = [...a].findIndex((ch, x) => x > 0 && c.names.includes(`-${ch}`));
      if (k < 0) continue;
      value = k + 1 < a.length ? a.slice(k + 1) : argv[next++];
    } else if (c.anywhere) continue;
    else return null;
    const line = c.rest ? [value ?? '', ...argv.slice(next)].join(' ') : (value ?? '');
    return line.trim();
  }
  return null;
}

/** Where a wrapper (programs.ts WRAPPERS) has its command, read from its entry. */
function wrapperStep(name: string, w: WrapperSpec, argv: string[]): Step {
  const n = argv.length;
  const privileged = w.kind === 'privileged';
  if (w.scriptOperands) return { kind: 'privileged', name, rest: null, script: argv.slice(1).join(' ') };
  const never = w.never ? argv.find((a, i) => i > 0 && w.never!.names.includes(a)) : undefined;
  if (never) return { kind: 'never', reason: `${name} ${never} ${w.never!.why}` };
  if (w.commandOptions) {
    const line = commandOption(argv, w.commandOptions);
    if (line !== null) return { kind: 'privileged', name: w.commandOptions.how ?? name, rest: null, script: line };
  }
  if (w.noCommand) return { kind: 'privileged', name, rest: null, script: null };
  let i = w.firstOption?.test(argv[1] ?? '') ? 2 : skipOptions(argv, 1, w);
  if (i < 0) return privileged ? { kind: 'privileged', name, rest: null, script: null } : { kind: 'bad', reason: w.otherOptions ?? `${name} with options it does not take` };
  if (w.lookup && argv.slice(1, i).some((a) => /^-[A-Za-z]/.test(a) && [...w.lookup!].some((ch) => a.includes(ch)))) return null; // a lookup, runs nothing
  const assignments: string[] = [];
  if (w.assignments) while (i < n && /^[A-Za-z_][A-Za-z0-9_]*=/.test(argv[i]!)) assignments.push(argv[i++]!);
  if (w.leading && i < n) {
    if (!w.leading.re.test(argv[i]!)) return { kind: 'bad', reason: `${name} ${w.leading.what} ${JSON.stringify(argv[i])} is not a number` };
    i++;
  }
  if (i >= n) return privileged ? { kind: 'privileged', name, rest: null, script: null } : null;
  return privileged ? { kind: 'privileged', name, rest: i, script: null } : { kind: 'wrapper', name, rest: i, ...(assignments.length ? { assignments } : {}) };
}

/** Whether `step` can recognise anything in a command whose argv[0] is this: false means it returns null. */
function maySteps(argv0: string): boolean {
  const name = basename(argv0);
  return Object.hasOwn(WRAPPERS, name) || isShellName(name) || interpreterOf(name) !== null;
}

/** Recognises what argv[0] is and where the wrapped command starts. */
function step(argv: string[], dynamic: boolean[]): Step {
  if (!maySteps(argv[0]!)) return null;
  const name = basename(argv[0]!);
  const n = argv.length;
  const w = wrapperOf(name);
  if (w) return wrapperStep(name, w, argv);
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
    guards: [],
    program: null,
  };
  if (origin.argv.length === 0) return [base];
  return unwrap(base, depth);
}

function unwrap(cmd: EffectiveCommand, depth: number): EffectiveCommand[] {
  if (depth > MAX_NESTING) return [{ ...cmd, blocked: [...cmd.blocked, `more than ${MAX_NESTING} nested wrappers or shells`] }];
  const argv = cmd.argv;
  if (argv.length === 0 || cmd.dynamic[0]) return [cmd];
  // Most commands are neither wrappers nor programs with an entry: both questions below would find nothing.
  if (!maySteps(argv[0]!)) return programEntry(argv[0]!) ? programCommands(cmd, depth) : [cmd];
  const s = step(argv, cmd.dynamic);
  if (s === null) return [cmd];
  switch (s.kind) {
    case 'bad':
      return [{ ...cmd, blocked: [...cmd.blocked, s.reason] }];
    case 'never':
      return [{ ...cmd, blocked: [...cmd.blocked, `${s.reason} (never allowed by a pattern)`] }];
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

/**
 * A program with an entry (law 4a): the command as written, with the words `*` may not reach, and every
 * command it runs as a command of its own, judged by every law.
 */
function programCommands(cmd: EffectiveCommand, depth: number): EffectiveCommand[] {
  const eff = programEffects(cmd.argv, cmd.dynamic)!;
  const forms = eff.nested.flatMap((n) => ('argv' in n && n.argv.length ? [n.argv] : []));
  const outer: EffectiveCommand = {
    ...cmd,
    blocked: eff.refusals.length ? [...cmd.blocked, ...eff.refusals] : cmd.blocked,
    guards: eff.guards,
    program: eff,
    denyForms: forms.length ? [...cmd.denyForms, ...forms] : cmd.denyForms,
    pipeForms: forms.length ? [...cmd.pipeForms, ...forms] : cmd.pipeForms,
  };
  const out = [outer];
  eff.nested.forEach((n, k) => {
    const base: EffectiveCommand = { origin: cmd.origin, argv: [], dynamic: [], blocked: [], denyForms: [], pipeForms: [], via: cmd.via, assignmentOnly: false, pipeline: `${cmd.pipeline}>${k}`, guards: [], program: null };
    if (!('argv' in n)) {
      out.push(...script(base, n.how, n.script, [], depth));
      return;
    }
    const inner: EffectiveCommand = { ...base, argv: n.argv, dynamic: n.dynamic, denyForms: [n.argv], pipeForms: [n.argv], via: [...cmd.via, n.how] };
    if (n.dynamic[0]) inner.blocked = [`${n.how} runs a command named by its input (${n.argv[0]})`];
    out.push(...unwrap(inner, depth + 1));
  });
  return out;
}

/** What one parsed segment runs and which paths it reads, writes and deletes (for path rules): every command to judge, nested ones included. */
export function segmentEffects(seg: ShellSegment): { commands: EffectiveCommand[]; reads: string[]; writes: string[]; deletes: string[] } {
  const commands = effectiveCommands(seg);
  const reads: string[] = [];
  const writes: string[] = [];
  const deletes: string[] = [];
  for (const c of commands) {
    if (!c.program) continue;
    reads.push(...c.program.reads);
    writes.push(...c.program.writes);
    deletes.push(...c.program.deletes);
  }
  return { commands, reads, writes, deletes };
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
