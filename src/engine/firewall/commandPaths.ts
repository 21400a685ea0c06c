// Which paths a command reads, writes and deletes (docs/policy.md). The path rules judge these.
// Programs' operands and options are read by their entries in programs.ts (programEffects.ts, the one
// source of what a program touches); redirections are read here, from the command line's text.
import { programEffects, type ProgramEffects } from './programEffects.js';

export interface TouchedPaths {
  reads: string[];
  writes: string[];
  deletes: string[];
  /** Paths (of the lists above) the program walks recursively: a denied tree under them counts. */
  recursive: ReadonlySet<string>;
}

/** What the path rules need from one simple command: its argv (unwrapped) and its source text (for redirections). */
export interface CommandForPaths {
  argv: readonly string[];
  text: string;
}

export type PathsOfCommand = (cmd: CommandForPaths) => TouchedPaths;

const empty = (): TouchedPaths => ({ reads: [], writes: [], deletes: [], recursive: new Set() });

/** Strips one level of quotes from a word taken from source text. */
function unquote(w: string): string {
  if (w.length >= 2 && ((w[0] === '"' && w.endsWith('"')) || (w[0] === "'" && w.endsWith("'")))) return w.slice(1, -1);
  return w;
}

const DEVICE_OK = new Set(['/dev/null', '/dev/stdout', '/dev/stderr', '/dev/stdin', '/dev/tty', '-']);

/** The redirections of a whole command line (a redirect may wrap a list, so segments alone miss it). */
export function redirectionPaths(text: string): TouchedPaths {
  const out = empty();
  redirections(text, out);
  return out;
}

/** `> F`, `>> F`, `&> F`, `2> F`, `>| F` write F; `< F` reads F. Heredocs, here-strings and fd duplications are not paths. */
function redirections(text: string, out: TouchedPaths): void {
  if (!text.includes('>') && !text.includes('<')) return;
  const re = /(?:^|[^<>&0-9])(\d*)(&>>|&>|>>|>\||>&(?!\d|-)|>|<(?![<(]))\s*("[^"]*"|'[^']*'|[^\s;&|<>()]+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const op = m[2]!;
    const target = unquote(m[3]!);
    if (target.startsWith('&') || /^\d+$/.test(target) || DEVICE_OK.has(target)) continue;
    if (op === '<') out.reads.push(target);
    else out.writes.push(target);
  }
}

const NONE: ReadonlySet<string> = new Set();

/** What a program's entry (programs.ts) says one argv reads, writes and deletes. */
export function touchedBy(effects: ProgramEffects | null): TouchedPaths {
  if (!effects) return empty();
  return { reads: effects.reads, writes: effects.writes, deletes: effects.deletes, recursive: effects.recursive.length ? new Set(effects.recursive) : NONE };
}

/** The paths of one simple command by the program knowledge (programs.ts): the one reading path rules use. */
export const programPathsOf: PathsOfCommand = ({ argv }) => touchedBy(argv.length ? programEffects([...argv]) : null);
