// Command patterns (law 3): words matched against argv words. A whole-word `*` matches any run of words
// (including none); a `*` inside a word globs within that word. Quoting in a pattern makes `*` literal.
// Allow is strict (whole argv, argv[0] as written); deny is generous (a prefix of argv, argv[0] by basename).

export type PatternWord = { kind: 'rest' } | { kind: 'lit'; text: string } | { kind: 'glob'; parts: string[] };

export interface CompiledPattern {
  source: string;
  description?: string;
  /** One word list per pipeline stage: `curl * | sh` has two; plain patterns have one. */
  stages: PatternWord[][];
}

export class PatternError extends Error {}

/** Splits a pattern into words with shell-like quoting ('…', "…", \x). Throws PatternError on bad input. */
export function compilePattern(source: string, description?: string): CompiledPattern {
  const stages: PatternWord[][] = [[]];
  let i = 0;
  const s = source;
  while (i < s.length) {
    const ch = s[i]!;
    if (ch === ' ' || ch === '\t') {
      i++;
      continue;
    }
    if (ch === '|') {
      if (stages[stages.length - 1]!.length === 0) throw new PatternError(`pattern ${JSON.stringify(source)}: '|' needs a command on both sides`);
      stages.push([]);
      i++;
      continue;
    }
    // One word: a list of literal chunks and unquoted `*` markers.
    const parts: string[] = [''];
    const add = (t: string): void => {
      parts[parts.length - 1] = parts[parts.length - 1]! + t;
    };
    let hasStar = false;
    while (i < s.length && s[i] !== ' ' && s[i] !== '\t' && s[i] !== '|') {
      const c = s[i]!;
      if (c === "'") {
        const end = s.indexOf("'", i + 1);
        if (end < 0) throw new PatternError(`pattern ${JSON.stringify(source)}: unterminated ' quote`);
        add(s.slice(i + 1, end));
        i = end + 1;
      } else if (c === '"') {
        let j = i + 1;
        while (j < s.length && s[j] !== '"') {
          if (s[j] === '\\' && j + 1 < s.length) j++;
          add(s[j]!);
          j++;
        }
        if (j >= s.length) throw new PatternError(`pattern ${JSON.stringify(source)}: unterminated " quote`);
        i = j + 1;
      } else if (c === '\\') {
        if (i + 1 >= s.length) throw new PatternError(`pattern ${JSON.stringify(source)}: trailing backslash`);
        add(s[i + 1]!);
        i += 2;
      } else if (c === '*') {
        hasStar = true;
        parts.push('');
        i++;
      } else {
        add(c);
        i++;
      }
    }
    const stage = stages[stages.length - 1]!;
    if (hasStar && parts.every((p) => p === '')) stage.push({ kind: 'rest' });
    else if (hasStar) stage.push({ kind: 'glob', parts });
    else stage.push({ kind: 'lit', text: parts[0]! });
  }
  if (stages[stages.length - 1]!.length === 0) throw new PatternError(`pattern ${JSON.stringify(source)} is empty${stages.length > 1 ? " after '|'" : ''}`);
  const first = stages[0]![0]!;
  if (first.kind === 'rest') throw new PatternError(`pattern ${JSON.stringify(source)}: the command word cannot be a bare '*'`);
  return description === undefined ? { source, stages } : { source, description, stages };
}

/** Glob within one word: parts are the literal chunks between `*`s. Linear-time greedy match. */
export function globWord(parts: string[], word: string): boolean {
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (parts.length === 1) return word === first;
  if (!word.startsWith(first) || word.length < first.length + last.length || !word.endsWith(last)) return false;
  let pos = first.length;
  const end = word.length - last.length;
  for (let k = 1; k < parts.length - 1; k++) {
    const at = word.indexOf(parts[k]!, pos);
    if (at < 0 || at + parts[k]!.length > end) return false;
    pos = at + parts[k]!.length;
  }
  return true;
}

function basename(word: string): string {
  const i = word.lastIndexOf('/');
  return i >= 0 ? word.slice(i + 1) : word;
}

function wordMatches(p: PatternWord, word: string, dynamic: boolean): boolean {
  if (p.kind === 'rest') return true;
  if (dynamic) return false; // a word that expands at run time could become anything
  return p.kind === 'lit' ? p.text === word : globWord(p.parts, word);
}

/** Word-sequence match where `rest` is any run of words: the classic greedy star match, O(n·m) worst case. */
function sequenceMatches(pat: PatternWord[], argv: string[], dynamic: boolean[], from: number, prefixOk: boolean): boolean {
  let pi = 0;
  let ai = from;
  let star = -1;
  let mark = 0;
  while (ai < argv.length) {
    const p = pat[pi];
    if (p && p.kind !== 'rest' && wordMatches(p, argv[ai]!, dynamic[ai] ?? false)) {
      pi++;
      ai++;
    } else if (p && p.kind === 'rest') {
      star = pi++;
      mark = ai;
    } else if (pi >= pat.length && prefixOk) {
      return true;
    } else if (star >= 0) {
      pi = star + 1;
      ai = ++mark;
    } else return false;
  }
  while (pi < pat.length && pat[pi]!.kind === 'rest') pi++;
  return pi >= pat.length;
}

/** An argv word only a pattern word that spells it out may match (law 4a): a literal, or a glob starting with `literal`. */
export interface GuardedWord {
  index: number;
  literal: string;
}

function namesGuarded(p: PatternWord, word: string, dynamic: boolean, literal: string): boolean {
  if (p.kind === 'rest' || dynamic) return false;
  return p.kind === 'lit' ? p.text === word : p.parts[0]!.startsWith(literal) && globWord(p.parts, word);
}

/** The same match where a whole-word `*` may not cover a guarded word: a table over (pattern word, argv word), O(n·m). */
function guardedSequenceMatches(pat: PatternWord[], argv: string[], dynamic: boolean[], guards: readonly GuardedWord[]): boolean {
  const literal = new Map<number, string>();
  for (const g of guards) if ((literal.get(g.index)?.length ?? -1) < g.literal.length) literal.set(g.index, g.literal);
  const n = argv.length;
  const m = pat.length;
  // ok[i][j]: pat[i..] matches argv[j..]; rows kept one at a time from the end.
  let next = new Uint8Array(n + 2);
  next[n] = 1;
  for (let i = m - 1; i >= 0; i--) {
    const row = new Uint8Array(n + 2);
    const p = pat[i]!;
    for (let j = n; j >= 1; j--) {
      if (p.kind === 'rest') row[j] = next[j] || (j < n && !literal.has(j) && row[j + 1]) ? 1 : 0;
      else if (j < n) {
        const lit = literal.get(j);
        const ok = lit === undefined ? wordMatches(p, argv[j]!, dynamic[j] ?? false) : namesGuarded(p, argv[j]!, dynamic[j] ?? false, lit);
        row[j] = ok && next[j + 1] ? 1 : 0;
      }
    }
    next = row;
  }
  return next[1] === 1;
}

/** Allow: the whole argv, argv[0] exactly as written. Dynamic words only under a whole-word `*`; guarded words never under it. */
export function allowMatches(words: PatternWord[], argv: string[], dynamic: boolean[], guards: readonly GuardedWord[] = []): boolean {
  if (argv.length === 0 || words.length === 0) return false;
  const head = words[0]!;
  if (head.kind === 'rest' || !wordMatches(head, argv[0]!, dynamic[0] ?? false)) return false;
  if (guards.length) return guardedSequenceMatches(words.slice(1), argv, dynamic, guards);
  return sequenceMatches(words.slice(1), argv, dynamic, 1, false);
}

/** Deny: any prefix of argv; argv[0] compared as written and by basename (on both sides). */
export function denyMatches(words: PatternWord[], argv: string[]): boolean {
  if (argv.length === 0 || words.length === 0) return false;
  const head = words[0]!;
  const cmd = argv[0]!;
  const headOk =
    head.kind === 'lit'
      ? head.text === cmd || basename(head.text) === basename(cmd)
      : head.kind === 'glob' && (globWord(head.parts, cmd) || globWord(head.parts, basename(cmd)));
  if (!headOk) return false;
  const none: boolean[] = [];
  return sequenceMatches(words.slice(1), argv, none, 1, true);
}

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes one argv word so that compilePattern reads it back as the same literal word. */
export function quotePatternWord(word: string): string {
  if (SAFE_WORD.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
