// Reads one command's argv with its program's entry (programs.ts): the commands it runs (each becomes
// a segment judged by every law), the words a whole-word `*` may not reach (options that execute or
// write, written and deleted paths), and the paths it reads, writes and deletes (for path rules).
import type { Effect, ProgramSpec, RiskyOption } from './programSpec.js';
import { PROGRAM_ALIASES, PROGRAMS } from './programs.js';
import { sedScriptRisk } from './sedScript.js';

/** An argv word an allow pattern must spell out: a pattern word matches it only if it is literal, or a glob starting with `literal`. */
export interface Guard {
  index: number;
  /** What a glob word must start with to name it ('' = any glob or literal word, just not a whole-word `*`). */
  literal: string;
  effect: Effect;
  /** The entry and option that decided, e.g. `sort -o`. */
  what: string;
  why: string;
  kind: 'option' | 'operand';
}

/** A command the program runs: an argv, or a command line to parse. */
export type NestedCommand = { argv: string[]; dynamic: boolean[]; how: string } | { script: string; how: string };

export interface ProgramEffects {
  /** The entry that read the argv, with its subcommand (`git log`). */
  program: string;
  about: string;
  guards: Guard[];
  nested: NestedCommand[];
  /** Why no pattern may allow it (e.g. `xargs` with no command). */
  refusals: string[];
  reads: string[];
  writes: string[];
  deletes: string[];
  /** Paths of the lists above the program walks: a denied tree below one counts. */
  recursive: string[];
}

export function basename(word: string): string {
  const i = word.lastIndexOf('/');
  return i >= 0 ? word.slice(i + 1) : word;
}

/** The entry for argv[0] (by its basename, so `/usr/bin/find` is read as find), or null. */
export function programEntry(argv0: string): [string, ProgramSpec] | null {
  const base = basename(argv0);
  const name = Object.hasOwn(PROGRAM_ALIASES, base) ? PROGRAM_ALIASES[base]! : base;
  return Object.hasOwn(PROGRAMS, name) ? [name, PROGRAMS[name]!] : null;
}

/** A URL is no local path (wget's operands, a URL given where a file could be). */
const URL = /^[a-z][a-z0-9+.-]*:\/\//i;
/** Another host's path, `HOST:PATH` (scp, rsync, docker cp): no `/` before the colon. */
const REMOTE = /^[^/]*:/;

/**
 * Stands for words read from input (xargs, parallel): they may be anything, options included. Spelt as a
 * variable so that the path rules cannot resolve it (pathRules.ts UNRESOLVED: no allow) and a shell's
 * `"$INPUT"` and an argv's word read the same.
 */
export const INPUT_WORD = '$INPUT';

/**
 * A word that could stand for an option: a dynamic word that is not plainly a path or a word. find's `{}`
 * is a path under a start point, never an option; words from input (xargs) may be anything.
 */
function mayBeOption(word: string, dynamic: boolean): boolean {
  return dynamic && word !== '{}' && !/^[A-Za-z0-9./_]/.test(word);
}

function hasRisk(spec: ProgramSpec): boolean {
  return !!(spec.options?.length || spec.commandOptions?.length || spec.execSelf || spec.script);
}

interface OptionHit {
  risky: RiskyOption | null;
  command: { shell: boolean; why: string } | null;
  takesValue: boolean;
  /** The option as written, for messages (`--output`, `-o`). */
  name: string;
}

/** `word` names long option `option` as getopt_long reads it: the whole name or a prefix of it (`--o` for --output). */
function isPrefixOf(word: string, option: string): boolean {
  return word === option || (word.length >= 3 && option.startsWith('--') && option.startsWith(word));
}

const takes = (r: RiskyOption): boolean => r.value === 'path' || r.value === 'text';

function findLong(spec: ProgramSpec, name: string): OptionHit {
  // getopt_long reads a unique prefix as the whole name: `--o` is sort's --output. A prefix of a risky name
  // counts as it; hits carry the whole name (what explain and decided_by show, what `unless` lists).
  for (const c of spec.commandOptions ?? []) for (const n of c.names) if (isPrefixOf(name, n)) return { risky: null, command: c, takesValue: true, name: n };
  for (const r of spec.options ?? []) for (const n of r.names) if (isPrefixOf(name, n)) return { risky: r, command: null, takesValue: takes(r), name: n };
  const known = (spec.longValue ?? []).find((n) => isPrefixOf(name, n));
  return { risky: null, command: null, takesValue: known !== undefined, name: known ?? name };
}

function findShort(spec: ProgramSpec, ch: string): OptionHit {
  const name = `-${ch}`;
  for (const c of spec.commandOptions ?? []) if (c.names.includes(name)) return { risky: null, command: c, takesValue: true, name };
  for (const r of spec.options ?? []) if (r.names.includes(name)) return { risky: r, command: null, takesValue: takes(r), name };
  return { risky: null, command: null, takesValue: (spec.shortValue ?? '').includes(ch), name };
}

class Reader {
  readonly out: ProgramEffects;
  private readonly seen = new Set<string>();

  constructor(
    private readonly argv: string[],
    private readonly dynamic: boolean[],
    program: string,
    about: string,
  ) {
    this.out = { program, about, guards: [], nested: [], refusals: [], reads: [], writes: [], deletes: [], recursive: [] };
  }

  /** Records a path for the path rules (a URL, or another host's `HOST:PATH` where `local` says so, is none). */
  path(role: 'read' | 'write' | 'delete', word: string, recursive = false, local = false): void {
    if (URL.test(word) || (local && REMOTE.test(word))) return;
    (role === 'write' ? this.out.writes : role === 'delete' ? this.out.deletes : this.out.reads).push(word);
    if (recursive) this.out.recursive.push(word);
  }

  /** Option values seen, by the option's whole name (for optionPaths). */
  private readonly values: [string, string][] = [];

  guard(index: number, literal: string, effect: Effect, option: string, why: string, kind: Guard['kind']): void {
    this.out.guards.push({ index, literal, effect, what: `${this.out.program} ${option}`.trim(), why, kind });
  }

  /** An option that was found: guards it and its value, records paths, queues commands. Returns words consumed after the option word. */
  hit(h: OptionHit, at: number, literal: string, attached: string | null): number {
    const valueAt = attached === null && h.takesValue ? at + 1 : -1;
    const value = attached ?? (valueAt >= 0 ? this.argv[valueAt] : undefined);
    this.seen.add(h.name);
    if (value !== undefined) this.values.push([h.name, value]);
    if (h.command) {
      if (value !== undefined) {
        if (valueAt >= 0 && this.dynamic[valueAt]) this.out.refusals.push(`${this.out.program} ${h.name} runs a command line that expands at run time`);
        else this.out.nested.push({ script: value, how: `${this.out.program} ${h.name}` });
      }
      return valueAt >= 0 ? 1 : 0;
    }
    const r = h.risky;
    if (r) {
      const m = r.when && value !== undefined ? r.when.exec(value) : null;
      if (!r.when || m) {
        // A risk that lies in the value (ssh -o ProxyCommand=…): the value must be spelled out too.
        this.guard(at, m && attached !== null ? this.argv[at]! : literal, r.effect, h.name, r.why, 'option');
        if (m && valueAt >= 0) this.guard(valueAt, value!.slice(0, m.index + m[0].length), r.effect, h.name, r.why, 'option');
      }
      const role = r.effect === 'write' ? 'write' : r.effect === 'delete' ? 'delete' : 'read';
      if (r.value === 'path' && value !== undefined) this.path(role, value);
      else if (r.path && value !== undefined) {
        const p = r.path.exec(value)?.[1];
        if (p) this.path(role, p);
      }
    }
    return valueAt >= 0 ? 1 : 0;
  }

  /** Reads options and operands from `start` with `spec` (a subcommand continues with its own entry). */
  read(spec: ProgramSpec, start: number): void {
    const { argv, dynamic } = this;
    const operands: number[] = [];
    let optionsEnd = false;
    let i = start;
    const risky = hasRisk(spec);
    const plusOptions = spec.options?.some((o) => o.names.some((n) => n.startsWith('+'))) ?? false;
    const runs = spec.runs;
    let commandAt = -1;
    let expression = false;
    if (spec.bundledFirst && i < argv.length && /^[A-Za-z]+$/.test(argv[i]!) && !dynamic[i]) {
      // Old-style cluster (tar xzf FILE): every letter is an option; values follow the cluster in order.
      const word = argv[i]!;
      let next = i + 1;
      for (let k = 0; k < word.length; k++) {
        const h = findShort(spec, word[k]!);
        this.seen.add(h.name);
        if (h.risky || h.command || h.takesValue) this.hitAt(h, i, word.slice(0, k + 1), next);
        if (h.takesValue) next++;
      }
      i = next;
    }
    for (; i < argv.length; i++) {
      const a = argv[i]!;
      const dyn = dynamic[i] ?? false;
      if (runs?.kind === 'between' && runs.starts.includes(a) && !dyn) {
        let j = i + 1;
        while (j < argv.length && !runs.ends.includes(argv[j]!)) j++;
        const words = argv.slice(i + 1, j);
        if (words.length === 0 || j >= argv.length) this.out.refusals.push(`${this.out.program} ${a} without a command and its terminator`);
        else this.out.nested.push({ argv: words, dynamic: words.map((w, k) => (dynamic[i + 1 + k] ?? false) || (runs.input !== undefined && w.includes(runs.input))), how: `${this.out.program} ${a}` });
        i = j;
        continue;
      }
      if (!optionsEnd && !dyn && a === '--') {
        optionsEnd = true;
        continue;
      }
      // `+WORD` is an option only to programs that have such options (less +CMD); chmod's +x is an operand.
      const optionLike = !optionsEnd && a.length > 1 && (a.startsWith('-') || (a.startsWith('+') && plusOptions));
      if (optionLike && !dyn) {
        if (spec.singleDashLong) expression = true;
        i += this.option(spec, a, i);
        continue;
      }
      if (!optionsEnd && mayBeOption(a, dyn) && risky) this.guard(i, a, 'exec', '(expanded word)', 'expands at run time and could be any option', 'option');
      // KEY=VALUE operands that act as options (dd of=FILE).
      const keyed = dyn ? undefined : spec.options?.find((o) => o.names.some((n) => n.endsWith('=') && a.startsWith(n)));
      if (keyed) {
        const name = keyed.names.find((n) => n.endsWith('=') && a.startsWith(n))!;
        this.hit({ risky: keyed, command: null, takesValue: false, name }, i, name, a.slice(name.length));
        continue;
      }
      // An operand.
      if (spec.singleDashLong) {
        // find: the operands before the expression are its start points; words after it are expression values.
        if (!expression) operands.push(i);
        continue;
      }
      if (spec.subcommands && operands.length === 0) {
        this.subcommand(spec, i);
        return;
      }
      if (runs?.kind === 'operands' && operands.length === runs.skip) {
        commandAt = i;
        break;
      }
      operands.push(i);
      if (spec.posix) optionsEnd = true;
    }
    if (spec.subcommands && operands.length === 0 && commandAt < 0) return; // `git` alone, `npm --version`
    if (runs?.kind === 'operands') this.command(runs, commandAt);
    this.operands(spec, operands);
    if (spec.script) this.script(spec, operands);
    this.optionPaths(spec);
  }

  /** Paths named by option values (tar -f, -C) and paths worked on unnamed (tar -x into `.`). */
  private optionPaths(spec: ProgramSpec): void {
    const when = (names: string[] | undefined): boolean => !names || names.some((o) => this.seen.has(o));
    for (const o of spec.optionPaths ?? []) {
      if (!when(o.if)) continue;
      for (const [name, value] of this.values) if (o.names.includes(name)) this.path(o.role, value, o.recursive);
    }
    for (const p of spec.implicit ?? []) if (when(p.if) && !p.unless?.some((o) => this.seen.has(o))) this.path(p.role, p.path, p.recursive);
  }

  private hitAt(h: OptionHit, at: number, literal: string, valueAt: number): void {
    const attached = h.takesValue ? (this.argv[valueAt] ?? null) : null;
    this.hit(h, at, literal, attached);
  }

  /** One option word; returns how many following words it consumed. */
  private option(spec: ProgramSpec, a: string, i: number): number {
    if (a.startsWith('+')) {
      const r = spec.options?.find((o) => o.names.some((n) => n.startsWith('+') && a.startsWith(n)));
      if (r) this.guard(i, a, r.effect, '+CMD', r.why, 'option');
      return 0;
    }
    if (spec.singleDashLong || (!a.startsWith('--') && spec.options?.some((o) => o.names.includes(a)) && a.length > 2)) {
      // Whole-word options (find -delete, vim -es).
      const r = spec.options?.find((o) => o.names.includes(a));
      if (r) return this.hit({ risky: r, command: null, takesValue: takes(r), name: a }, i, a, null);
      return 0;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(0, eq) : a;
      const h = findLong(spec, name);
      return this.hit(h, i, name, eq >= 0 ? a.slice(eq + 1) : null);
    }
    for (let k = 1; k < a.length; k++) {
      const h = findShort(spec, a[k]!);
      this.seen.add(h.name);
      if (h.takesValue || h.risky || h.command) {
        const rest = a.slice(k + 1);
        if (h.takesValue) return this.hit(h, i, a.slice(0, k + 1), rest.length ? rest : null);
        this.hit(h, i, a.slice(0, k + 1), null);
        if (h.risky?.value === 'attached') return 0; // sed -i[SUFFIX]: the rest of the word is its value
      }
    }
    return 0;
  }

  private subcommand(spec: ProgramSpec, i: number): void {
    const word = this.argv[i]!;
    let sub = this.dynamic[i] ? undefined : Object.hasOwn(spec.subcommands!, word) ? spec.subcommands![word] : undefined;
    if (sub?.alias) sub = spec.subcommands![sub.alias.split(' ').pop()!] ?? sub;
    const parent = this.out.program;
    if (!sub) {
      if (spec.unknownSubcommand) this.guard(i, word, spec.unknownSubcommand.effect, word, spec.unknownSubcommand.why, 'operand');
      // The program's own options still count after a word it does not know.
      this.read({ ...spec, subcommands: undefined, posix: false }, i + 1);
      return;
    }
    if (spec.optionsAnywhere) sub = { ...sub, options: [...(sub.options ?? []), ...(spec.options ?? [])], longValue: [...(sub.longValue ?? []), ...(spec.longValue ?? [])], shortValue: `${sub.shortValue ?? ''}${spec.shortValue ?? ''}` };
    this.out.program = `${parent} ${word}`;
    this.out.about = sub.about;
    if (sub.execSelf) this.guard(i, word, 'exec', '', sub.execSelf, 'operand');
    this.read(sub, i + 1);
  }

  private command(runs: Extract<ProgramSpec['runs'], { kind: 'operands' }>, at: number): void {
    const how = this.out.program;
    if (at < 0) {
      if (runs.none === 'miss') this.out.refusals.push(`${how} without a command runs what its input or environment says`);
      return;
    }
    let end = this.argv.length;
    if (runs.stop) {
      const s = this.argv.findIndex((w, k) => k >= at && runs.stop!.includes(w));
      if (s >= 0) end = s;
    }
    const words = this.argv.slice(at, end);
    const dyn = this.dynamic.slice(at, end);
    if (runs.shell) {
      // Words from input are added to the line: a quoted expansion stands for them (only `*` covers it).
      if (dyn.some(Boolean)) this.out.refusals.push(`${how} runs a command line that expands at run time`);
      else this.out.nested.push({ script: words.join(' ') + (runs.input ? ' "$INPUT"' : ''), how });
      return;
    }
    // Words read from input are added to the command: only a pattern ending in `*` covers them.
    const replace = runs.input ? this.replaceString() : null;
    const marked = dyn.map((d, k) => d || (replace !== null && replace !== '' && words[k]!.includes(replace)));
    if (replace) for (let k = 0; k < words.length; k++) if (words[k]!.includes(replace)) words[k] = words[k]!.split(replace).join(INPUT_WORD);
    if (runs.input && replace === null) {
      words.push(INPUT_WORD);
      marked.push(true);
    }
    this.out.nested.push({ argv: words, dynamic: marked, how });
  }

  /** xargs -I R / --replace[=R] / -i[R]: the words holding R are filled from input. */
  private replaceString(): string | null {
    for (let k = 1; k < this.argv.length; k++) {
      const a = this.argv[k]!;
      if (a === '-I') return this.argv[k + 1] ?? null;
      if (a.startsWith('-I')) return a.slice(2);
      if (a === '--replace' || a === '-i') return '{}';
      if (a.startsWith('--replace=')) return a.slice(10);
      if (/^-i./.test(a)) return a.slice(2);
      if (!a.startsWith('-')) break;
    }
    return null;
  }

  private operands(spec: ProgramSpec, operands: number[]): void {
    const rules = spec.operands ?? [];
    if (!rules.length) return;
    const taken = new Set<number>();
    let pathGiven = false;
    for (const rule of rules) {
      if (rule.unless?.some((o) => this.seen.has(o))) continue;
      if (rule.if && !rule.if.some((o) => this.seen.has(o))) continue;
      const recursive = rule.recursive === true || (rule.recursive?.some((o) => this.seen.has(o)) ?? false);
      const pick = rule.at === 'rest' ? operands.filter((o) => !taken.has(o)) : rule.at === 'last' ? (operands.length >= 2 ? [operands[operands.length - 1]!] : []) : operands[rule.at] !== undefined ? [operands[rule.at]!] : [];
      const role = rule.role === 'read' || rule.role === 'write' || rule.role === 'delete' ? rule.role : null;
      const path = role !== null;
      if (rule.whenNone && recursive && role && !pathGiven && pick.every((o) => taken.has(o))) this.path(role, rule.whenNone, true);
      for (const at of pick) {
        if (taken.has(at)) continue;
        let word = this.argv[at]!;
        if (rule.when && !rule.when.test(word)) continue;
        if (rule.key) {
          if (!word.startsWith(`${rule.key}=`)) continue;
          word = word.slice(rule.key.length + 1);
        }
        if (rule.pathIn) word = rule.pathIn.exec(word)?.[1] ?? word;
        taken.add(at);
        if (path) pathGiven = true;
        const guarded = !rule.if && !rule.pathOnly;
        switch (rule.role) {
          case 'read':
            this.path('read', word, recursive, rule.local);
            break;
          case 'write':
          case 'delete':
            this.path(rule.role, word, recursive, rule.local);
            if (rule.alsoRead) this.path('read', word, recursive, rule.local);
            if (guarded) this.guard(at, '', rule.role, `(${rule.role === 'write' ? 'written' : 'deleted'} path)`, `${rule.role}s ${word}`, 'operand');
            break;
          case 'exec':
            this.guard(at, '', 'exec', word.includes('=') ? `${word.slice(0, word.indexOf('=') + 1)}…` : rule.when ? word : '', 'changes what runs: code the policy cannot see', 'operand');
            break;
        }
      }
    }
  }

  private script(spec: ProgramSpec, operands: number[]): void {
    const s = spec.script!;
    const texts: [number, string][] = [];
    const names = (w: string): boolean => s.options.some((o) => (o.startsWith('--') ? isPrefixOf(w, o) : o === w));
    for (let k = 1; k < this.argv.length; k++) {
      const a = this.argv[k]!;
      if (a === '--') break;
      const eq = a.indexOf('=');
      if (a.startsWith('--') && eq > 0 && names(a.slice(0, eq))) texts.push([k, a.slice(eq + 1)]);
      else if (names(a) && k + 1 < this.argv.length) texts.push([k + 1, this.argv[++k]!]);
      else if (/^-[^-]/.test(a)) {
        // A short option with the script attached (-es/a/b/), possibly after flags (-ne 's/a/b/').
        const at = [...a.slice(1)].findIndex((c) => s.options.includes(`-${c}`));
        if (at >= 0 && at + 2 < a.length) texts.push([k, a.slice(at + 2)]);
        else if (at >= 0 && k + 1 < this.argv.length) texts.push([k + 1, this.argv[++k]!]);
      }
    }
    if (!s.unless.some((o) => this.seen.has(o)) && operands.length) texts.push([operands[0]!, this.argv[operands[0]!]!]);
    for (const [at, text] of texts) {
      if (this.dynamic[at]) {
        this.guard(at, this.argv[at]!, 'exec', '(script)', 'a sed script that expands at run time', 'operand');
        continue;
      }
      const risk = sedScriptRisk(text);
      if (risk) this.guard(at, text, risk.effect, 'script', `its script: ${risk.why}`, 'operand');
    }
  }
}

/** What a known program does with this argv, or null for a program with no entry (plain rules apply). */
export function programEffects(argv: string[], dynamic: boolean[] = argv.map(() => false)): ProgramEffects | null {
  if (argv.length === 0 || dynamic[0]) return null;
  const entry = programEntry(argv[0]!);
  if (!entry) return null;
  const reader = new Reader(argv, dynamic, entry[0], entry[1].about);
  reader.read(entry[1], 1);
  return reader.out;
}
