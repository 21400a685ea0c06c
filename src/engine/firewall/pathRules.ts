// Path rules (docs/policy.md): a path an agent reads, writes or deletes — by a native tool, an MCP
// argument or a command's operands — is normalised (~, $HOME, .., symlinks) and judged by the
// policy's `paths:` globs. Gatehouse's own files are denied by a built-in rule no policy can lift.
import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { posix } from 'node:path';
import type { Verdict } from '../../shared/firewall.js';
import { defaultProtectedRoots, protectedRoots, type ProtectedPlaces } from './ownPlaces.js';
import type { Policy } from './policyLoader.js';
import type { PathRule } from './policySchema.js';

export { defaultProtectedRoots } from './ownPlaces.js';

export type PathAccess = 'read' | 'write' | 'delete';

/** Where the agent is: its home (for ~ and $HOME) and working directory (relative paths, "workspace"). */
export interface PathContext {
  home: string;
  cwd: string | null;
  /** Built-in denied roots (gatehouse's state, config and installed files). */
  protectedRoots: readonly string[];
  /** Resolve symlinks of paths that exist (off in the bench, whose paths are not on this machine). */
  followSymlinks: boolean;
}

export interface PathVerdict {
  verdict: Verdict;
  /** How the rule reads in a decision: `paths: ~/.ssh/** read: deny`, or the built-in rule. */
  rule: string;
  /** The normalised path the rule matched. */
  path: string;
  builtIn: boolean;
}

interface CompiledPathRule {
  source: PathRule;
  re: RegExp;
  /** The literal directory prefix before the first wildcard (absolute), '' when the glob starts with one. */
  prefix: string;
  /** The expanded glob. */
  glob: string;
  /** For a pure tree glob (`/a/b/**`, no other wildcard): `/a/b`; else null. */
  tree: string | null;
}

let defaultRoots: string[] | null = null;

/** Protects the places this process knows are gatehouse's own (law 10): the same list the command rules read (ownPlaces.ts). */
export function protectPlaces(places: ProtectedPlaces): void {
  defaultRoots = [...new Set([...(defaultRoots ?? defaultProtectedRoots()), ...protectedRoots(places)])];
}

export function defaultPathContext(cwd: string | null = null, home: string = homedir()): PathContext {
  defaultRoots ??= defaultProtectedRoots();
  // The cwd a client reports is itself normalised (`~/work` → the home's work); a relative one is unknown.
  const base = { home, cwd: null, protectedRoots: defaultRoots, followSymlinks: true };
  const at = cwd === null ? null : normalisePath(cwd, base);
  return { ...base, cwd: at };
}

/** Escapes regex metacharacters. */
const esc = (s: string): string => s.replace(/[.+^${}()|[\]\\]/g, '\\$&');

/** Glob → RegExp: `**` any depth (a trailing `/**` also matches the directory itself), `*` and `?` within a segment. */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      const atEnd = i + 2 === glob.length;
      const slashNext = glob[i + 2] === '/';
      if (slashNext) {
        re += '(?:.*/)?';
        i += 2;
      } else {
        re += '.*';
        i++;
      }
      if (atEnd && re.endsWith('/.*')) re = re.slice(0, -3) + '(?:/.*)?';
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += esc(c);
  }
  return new RegExp(`^${re}$`, 's');
}

/** Expands a rule's glob to an absolute glob: `~`, `$HOME`, `workspace` (the cwd); a bare name matches at any depth. */
function expandGlob(glob: string, ctx: PathContext): string | null {
  if (glob === '~' || glob.startsWith('~/')) return ctx.home + glob.slice(1);
  if (glob === '$HOME' || glob.startsWith('$HOME/')) return ctx.home + glob.slice(5);
  if (glob === 'workspace' || glob.startsWith('workspace/')) return ctx.cwd ? ctx.cwd + glob.slice(9) : null;
  if (glob.startsWith('/')) return glob;
  if (glob.startsWith('**')) return glob;
  return `**/${glob}`;
}

function literalPrefix(glob: string): string {
  const i = glob.search(/[*?]/);
  const head = i < 0 ? glob : glob.slice(0, i);
  return head.startsWith('/') ? head.slice(0, head.lastIndexOf('/') + 1) || '/' : '';
}

interface CompiledPaths {
  home: string;
  cwd: string | null;
  roots: readonly string[];
  key: string;
  rules: CompiledPathRule[];
  /** Verdicts of judgeOne (pure: rules, roots and the normalised path; no file system), by access and path. */
  verdicts: Map<string, PathVerdict | null>;
}

const compiledFor = new WeakMap<Policy, CompiledPaths>();
/** Verdicts kept per compiled policy: agents touch the same few hundred paths again and again. */
const MAX_VERDICTS = 4096;

function compile(policy: Policy, ctx: PathContext): CompiledPaths {
  const hit = compiledFor.get(policy);
  // Asked for every path judged: the same context (the same roots array) is answered without building the key.
  if (hit && hit.home === ctx.home && hit.cwd === ctx.cwd && hit.roots === ctx.protectedRoots) return hit;
  const key = `${ctx.home}\0${ctx.cwd ?? ''}\0${ctx.protectedRoots.join('\0')}`;
  if (hit && hit.key === key) {
    hit.roots = ctx.protectedRoots;
    return hit;
  }
  const rules: CompiledPathRule[] = [];
  for (const r of policy.file.paths) {
    const g = expandGlob(r.path, ctx);
    if (g === null) continue; // a workspace rule with no known workspace matches nothing
    const norm = g.length > 1 && g.endsWith('/') ? g.slice(0, -1) : g;
    const tree = /^\/[^*?]*\/\*\*$/.test(norm) ? norm.slice(0, -3) : norm === '/**' ? '' : null;
    rules.push({ source: r, re: globToRegExp(norm), prefix: literalPrefix(norm), glob: norm, tree });
  }
  const c: CompiledPaths = { home: ctx.home, cwd: ctx.cwd, roots: ctx.protectedRoots, key, rules, verdicts: new Map<string, PathVerdict | null>() };
  compiledFor.set(policy, c);
  return c;
}

/** The path as the rules see it: ~ and $HOME expanded, relative paths joined to the cwd, `..` resolved. Null when it cannot be known. */
/** The path with a `file://`, a home (`~`, `~user`, `$HOME`) put as it is; anything else left as written. */
function expandHome(raw: string, ctx: PathContext): string {
  let p = raw.trim();
  if (p.startsWith('file://')) p = p.slice(7);
  if (p === '~' || p.startsWith('~/')) p = ctx.home + p.slice(1);
  else if (/^~[A-Za-z0-9._-]+/.test(p)) {
    const user = /^~([A-Za-z0-9._-]+)/.exec(p)![1]!;
    p = (user === 'root' ? '/root' : `/home/${user}`) + p.slice(user.length + 1);
  } else if (p === '$HOME' || p.startsWith('$HOME/')) p = ctx.home + p.slice(5);
  else if (p === '${HOME}' || p.startsWith('${HOME}/')) p = ctx.home + p.slice(7);
  return p;
}

export function normalisePath(raw: string, ctx: PathContext): string | null {
  let p = expandHome(raw, ctx);
  if (!p) return null;
  if (p.includes('$') || p.includes('`')) return null; // another variable: unknown until run time
  if (!p.startsWith('/')) {
    if (!ctx.cwd) return null;
    p = `${ctx.cwd}/${p}`;
  }
  p = posix.normalize(p);
  if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  return p;
}

/** The real path when the path (or its nearest existing ancestor) exists and a symlink is on the way; else the path itself. */
function realOf(p: string): string {
  let head = p;
  let tail = '';
  for (let i = 0; i < 64 && head !== '/'; i++) {
    try {
      const real = realpathSync.native(head);
      return tail ? posix.join(real, tail) : real;
    } catch {
      tail = tail ? `${posix.basename(head)}/${tail}` : posix.basename(head);
      head = posix.dirname(head);
    }
  }
  return p;
}

function under(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith('/') ? root : root + '/');
}

const STRENGTH: Record<Verdict, number> = { allow: 0, ask: 1, deny: 2 };

/**
 * `a` is more specific than `b`: b is a whole tree (`/x/**`) and a lies inside it (`/x/y/*.pub`, `/x/y/**`).
 * Globs that can match at any depth (a leading double star, as for .env files) are never inside a tree,
 * so they are compared by strength.
 */
function dominates(a: CompiledPathRule, b: CompiledPathRule): boolean {
  if (b.tree === null || a.glob === b.glob) return false;
  return a.glob.startsWith(b.tree + '/');
}

function verdictOf(r: PathRule, access: PathAccess): Verdict | undefined {
  return access === 'delete' ? (r.delete ?? r.write) : r[access];
}

export function describePathRule(r: PathRule, access: PathAccess): string {
  return `paths: ${r.path} ${access}: ${verdictOf(r, access)}`;
}

/** Judges one normalised path (no symlink step). A recursive access of a directory that holds a denied tree is denied too. */
function judgeOne(policy: Policy, path: string, access: PathAccess, ctx: PathContext, recursive: boolean, anywhereOnly = false): PathVerdict | null {
  const compiled = compile(policy, ctx);
  const key = `${access}${recursive ? 'r' : '-'}${anywhereOnly ? 'a' : '-'}${path}`;
  const known = compiled.verdicts.get(key);
  if (known !== undefined) return known;
  const v = judgeFresh(compiled.rules, path, access, ctx, recursive, anywhereOnly);
  if (compiled.verdicts.size >= MAX_VERDICTS) compiled.verdicts.clear();
  compiled.verdicts.set(key, v);
  return v;
}

function judgeFresh(rules: readonly CompiledPathRule[], path: string, access: PathAccess, ctx: PathContext, recursive: boolean, anywhereOnly: boolean): PathVerdict | null {
  for (const root of ctx.protectedRoots) {
    if (under(path, root) || (recursive && under(root, path))) {
      return { verdict: 'deny', rule: `built-in: gatehouse's own files (${root})`, path, builtIn: true };
    }
  }
  const matching: CompiledPathRule[] = [];
  for (const r of rules) {
    if (verdictOf(r.source, access) === undefined || (anywhereOnly && r.glob.startsWith('/'))) continue;
    // A rule with a literal prefix can only match paths under it (a cheap test before the regex).
    if ((r.prefix.length <= 1 || path.startsWith(r.prefix) || path === r.prefix.slice(0, -1)) && r.re.test(path)) matching.push(r);
    else if (recursive && verdictOf(r.source, access) === 'deny' && r.prefix.length > 1 && under(r.prefix.slice(0, -1) || '/', path)) {
      return { verdict: 'deny', rule: describePathRule(r.source, access), path, builtIn: false };
    }
  }
  if (!matching.length) return null;
  // The most specific rules decide; among rules none is more specific than, deny beats ask beats allow.
  const top = matching.filter((r) => !matching.some((o) => o !== r && dominates(o, r)));
  let best = top[0]!;
  for (const r of top) if (STRENGTH[verdictOf(r.source, access)!] > STRENGTH[verdictOf(best.source, access)!]) best = r;
  return { verdict: verdictOf(best.source, access)!, rule: describePathRule(best.source, access), path, builtIn: false };
}

/**
 * Judges a path an agent touches. Null = no rule names it (the caller decides what a miss means).
 * The path and its real path (symlinks resolved) are both judged; the stronger verdict stands.
 * A path that cannot be normalised (another variable, a relative path with no cwd) gets no allow.
 */
/** The rule a path gets when it cannot be resolved (a variable, input words): a miss. */
export const UNRESOLVED = 'paths: (unresolved)';

export function judgePath(policy: Policy, raw: string, access: PathAccess, ctx: PathContext, recursive = false): PathVerdict | null {
  const path = normalisePath(raw, ctx);
  if (path === null && ctx.cwd === null && !/[$`]/.test(raw) && !raw.startsWith('/') && !raw.startsWith('~') && !raw.split('/').includes('..')) {
    // A relative path with no known cwd stays inside whatever the cwd is: only name-anywhere rules can judge it.
    return judgeOne(policy, `/\0cwd/${posix.normalize(raw)}`, access, ctx, recursive, true);
  }
  if (path === null) {
    // Still judged as written for a deny (generous): `$X/.ssh/id_rsa` matches `**/.ssh/**`, and with its
    // home put in, `~/.ssh/$INPUT` matches `~/.ssh/**`.
    const expanded = expandHome(raw, ctx);
    const loose = judgeOne(policy, expanded.startsWith('/') ? posix.normalize(expanded) : raw, access, ctx, recursive);
    if (loose && loose.verdict !== 'allow') return loose;
    return { verdict: 'ask', rule: UNRESOLVED, path: raw, builtIn: false };
  }
  const lexical = judgeOne(policy, path, access, ctx, recursive);
  if (!ctx.followSymlinks) return lexical;
  const real = realOf(path);
  if (real === path) return lexical;
  const viaLink = judgeOne(policy, real, access, ctx, recursive);
  if (!viaLink) return lexical && lexical.verdict !== 'allow' ? lexical : null;
  if (!lexical) return viaLink.verdict === 'allow' ? null : viaLink;
  return STRENGTH[viaLink.verdict] >= STRENGTH[lexical.verdict] ? { ...viaLink, rule: `${viaLink.rule} (via symlink ${path})` } : lexical;
}
