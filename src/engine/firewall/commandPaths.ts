// Which paths a simple command reads, writes and deletes (docs/policy.md). The path rules judge these.
// This is a small built-in reading of the obvious programs and of redirections, behind one
// interface (`PathsOfCommand`) so that fuller program knowledge can take its place.
import { basename } from './commandView.js';

export interface TouchedPaths {
  reads: string[];
  writes: string[];
  deletes: string[];
  /** Paths (of the lists above) the program walks recursively: a denied tree under them counts. */
  recursive: Set<string>;
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

/** Operands: words that are not options. `valued` options take the next word as their value. Stops option parsing at `--`. */
function operands(argv: readonly string[], valued: string = '', longValued: string[] = []): string[] {
  const ops: string[] = [];
  let opts = true;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (opts && a === '--') {
      opts = false;
      continue;
    }
    if (opts && a.startsWith('--')) {
      if (!a.includes('=') && longValued.includes(a)) i++;
      continue;
    }
    if (opts && a.startsWith('-') && a.length > 1 && !/^-\d/.test(a)) {
      const last = a[a.length - 1]!;
      if (valued.includes(last) && a.length === 2) i++;
      continue;
    }
    ops.push(a);
  }
  return ops;
}

const hasFlag = (argv: readonly string[], short: string, long: string[] = []): boolean =>
  argv.some((a, i) => i > 0 && ((a.startsWith('-') && !a.startsWith('--') && [...short].some((c) => a.slice(1).includes(c))) || long.includes(a.split('=')[0]!)));

/** Programs whose operands are all files they read. */
const READERS = new Set([
  'cat', 'tac', 'nl', 'head', 'tail', 'less', 'more', 'bat', 'batcat', 'strings', 'xxd', 'od', 'hexdump', 'base64', 'base32',
  'md5sum', 'sha1sum', 'sha256sum', 'sha512sum', 'cksum', 'wc', 'uniq', 'cut', 'file', 'stat', 'diff', 'cmp', 'comm',
  'zcat', 'bzcat', 'xzcat', 'zless', 'unshadow', 'iconv', 'fold', 'fmt', 'paste', 'column', 'expand', 'rev', 'tr', 'source', '.',
  'view', 'vi', 'vim', 'nvim', 'nano', 'emacs', 'ed', 'pico', 'unzip', 'gunzip', 'xclip', 'lp', 'split', 'csplit', 'pr', 'look',
]);
/** Readers whose first operand is a program or pattern, not a file (unless -e/-f gave it). */
const PATTERN_FIRST: Record<string, string> = { grep: 'ef', egrep: 'ef', fgrep: 'ef', rg: 'ef', ag: '', ack: '', awk: 'f', gawk: 'f', mawk: 'f', sed: 'ef', jq: 'f', yq: '', sqlite3: '' };
const EDITORS = new Set(['vi', 'vim', 'nvim', 'nano', 'emacs', 'ed', 'pico']);

/** The built-in reading of the obvious programs. */
export const builtinPathsOf: PathsOfCommand = ({ argv, text }) => {
  const out = empty();
  redirections(text, out);
  if (!argv.length) return out;
  const name = basename(argv[0]!);
  const rec = (list: string[], on: boolean) => {
    if (on) for (const p of list) out.recursive.add(p);
  };
  if (READERS.has(name)) {
    const ops = operands(argv, name === 'head' || name === 'tail' ? 'nc' : name === 'cut' ? 'dfc' : '');
    out.reads.push(...ops);
    if (EDITORS.has(name)) out.writes.push(...ops);
    return out;
  }
  if (Object.hasOwn(PATTERN_FIRST, name)) {
    const given = PATTERN_FIRST[name]!;
    const ops = operands(argv, name === 'sed' || name === 'grep' ? 'efmABC' : name === 'rg' ? 'efgtTmABCM' : 'f');
    const patternGiven = given && hasFlag(argv, given, ['--regexp', '--file', '--expression']);
    const files = patternGiven ? ops : ops.slice(1);
    if (name === 'sqlite3') out.reads.push(...ops.slice(0, 1));
    else out.reads.push(...files);
    const recursive = name === 'rg' || name === 'ag' || name === 'ack' || ((name === 'grep' || name === 'egrep' || name === 'fgrep') && hasFlag(argv, 'rR', ['--recursive', '--dereference-recursive']));
    rec(files, recursive);
    if (recursive && files.length === 0) out.reads.push('.');
    if (name === 'sed' && hasFlag(argv, 'i', ['--in-place'])) out.writes.push(...files);
    return out;
  }
  switch (name) {
    case 'cp':
    case 'install':
    case 'ln': {
      const ops = operands(argv, name === 'install' ? 'mogtS' : 'tS', ['--target-directory', '--suffix']);
      const t = argv.findIndex((a) => a === '-t' || a.startsWith('--target-directory'));
      const dest = t > 0 ? (argv[t]!.includes('=') ? argv[t]!.split('=')[1]! : argv[t + 1]) : ops.pop();
      const srcs = t > 0 ? ops.filter((o) => o !== dest) : ops;
      if (name !== 'ln') out.reads.push(...srcs);
      if (dest) out.writes.push(dest);
      rec(srcs, hasFlag(argv, 'rRa', ['--recursive', '--archive']));
      return out;
    }
    case 'mv': {
      const ops = operands(argv, 'tS', ['--target-directory', '--suffix']);
      const dest = ops.pop();
      out.deletes.push(...ops);
      out.reads.push(...ops);
      rec(ops, true);
      if (dest) out.writes.push(dest);
      return out;
    }
    case 'rm':
    case 'rmdir':
    case 'unlink':
    case 'shred': {
      const ops = operands(argv, name === 'shred' ? 'ns' : '');
      out.deletes.push(...ops);
      rec(ops, name === 'rm' && hasFlag(argv, 'rR', ['--recursive']));
      return out;
    }
    case 'touch':
    case 'mkdir':
    case 'truncate':
    case 'mkfifo':
      out.writes.push(...operands(argv, name === 'truncate' ? 'sr' : name === 'touch' ? 'dtr' : 'm'));
      return out;
    case 'chmod':
    case 'chown':
    case 'chgrp':
    case 'setfacl':
    case 'chattr': {
      const ops = operands(argv, '');
      const files = ops.slice(1);
      out.writes.push(...files);
      rec(files, hasFlag(argv, 'R', ['--recursive']));
      return out;
    }
    case 'tee':
      out.writes.push(...operands(argv, ''));
      return out;
    case 'dd':
      for (const a of argv.slice(1)) {
        if (a.startsWith('if=')) out.reads.push(a.slice(3));
        if (a.startsWith('of=')) out.writes.push(a.slice(3));
      }
      return out;
    case 'find': {
      const starts: string[] = [];
      for (const a of argv.slice(1)) {
        if (a.startsWith('-') || a === '(' || a === '!') break;
        starts.push(a);
      }
      if (!starts.length) starts.push('.');
      out.reads.push(...starts);
      rec(starts, true);
      if (argv.includes('-delete')) {
        out.deletes.push(...starts);
      }
      for (let i = 1; i < argv.length; i++) if (['-fprint', '-fprint0', '-fls', '-fprintf'].includes(argv[i]!) && argv[i + 1]) out.writes.push(argv[i + 1]!);
      return out;
    }
    case 'tar': {
      const create = argv.some((a, i) => i > 0 && ((/^-?[A-Za-z]*c/.test(a) && !a.startsWith('--')) || a === '--create'));
      const extract = argv.some((a, i) => i > 0 && ((/^-?[A-Za-z]*x/.test(a) && !a.startsWith('--')) || a === '--extract' || a === '--get'));
      let archive: string | undefined;
      let dir: string | undefined;
      const ops: string[] = [];
      for (let i = 1; i < argv.length; i++) {
        const a = argv[i]!;
        if (a === '-C' || a === '--directory') dir = argv[++i];
        else if (a.startsWith('--directory=')) dir = a.slice(12);
        else if (a.startsWith('--file=')) archive = a.slice(7);
        else if (a === '-f' || a === '--file') archive = argv[++i];
        else if (/^-?[A-Za-z]+$/.test(a) && i === 1 && !a.startsWith('--')) {
          if (a.includes('f')) archive = argv[++i];
        } else if (/^-[A-Za-z]*f$/.test(a)) archive = argv[++i];
        else if (!a.startsWith('-')) ops.push(a);
      }
      if (create) {
        out.reads.push(...ops);
        rec(ops, true);
        if (archive && archive !== '-') out.writes.push(archive);
      } else if (extract) {
        if (archive && archive !== '-') out.reads.push(archive);
        out.writes.push(dir ?? '.');
        rec([dir ?? '.'], true);
      }
      return out;
    }
    case 'zip': {
      const ops = operands(argv, 'bn');
      const archive = ops.shift();
      if (archive) out.writes.push(archive);
      out.reads.push(...ops);
      rec(ops, hasFlag(argv, 'r', ['--recurse-paths']));
      return out;
    }
    case 'scp':
    case 'rsync': {
      const ops = operands(argv, name === 'scp' ? 'cFiJlPSoD' : 'eBf', ['--rsh', '--exclude', '--include', '--filter', '--files-from', '--rsync-path']);
      const dest = ops.pop();
      const local = (p: string) => !/^[^/]*:/.test(p);
      out.reads.push(...ops.filter(local));
      rec(ops.filter(local), name === 'rsync' || hasFlag(argv, 'r'));
      if (dest && local(dest)) out.writes.push(dest);
      return out;
    }
    case 'curl': {
      for (let i = 1; i < argv.length; i++) {
        const a = argv[i]!;
        const next = argv[i + 1];
        const [opt, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
        const val = inline ?? next;
        if (/^(-d|--data|--data-binary|--data-raw|--data-urlencode|--json)$/.test(opt) && val !== undefined) {
          const at = val.indexOf('@');
          if (opt !== '--data-raw' && at >= 0 && (at === 0 || opt === '--data-urlencode') && val.slice(at + 1) !== '-') out.reads.push(val.slice(at + 1));
        } else if (/^-d@/.test(a)) out.reads.push(a.slice(3));
        else if ((opt === '-F' || opt === '--form') && val !== undefined) {
          const m = /=[@<]([^;]+)/.exec(val);
          if (m) out.reads.push(m[1]!);
        } else if ((opt === '-T' || opt === '--upload-file' || opt === '-K' || opt === '--config') && val !== undefined) out.reads.push(val);
        else if ((opt === '-o' || opt === '--output') && val !== undefined) out.writes.push(val);
        if (inline === undefined && /^(-d|--data|--data-binary|--data-raw|--data-urlencode|--json|-F|--form|-T|--upload-file|-K|--config|-o|--output)$/.test(opt)) i++;
      }
      return out;
    }
    case 'wget':
      for (let i = 1; i < argv.length; i++) {
        const a = argv[i]!;
        if (a.startsWith('--post-file=') || a.startsWith('--body-file=')) out.reads.push(a.slice(a.indexOf('=') + 1));
        else if (a === '--post-file' || a === '--body-file' || a === '-i' || a === '--input-file') out.reads.push(argv[++i] ?? '');
        else if (a === '-O' || a === '--output-document') out.writes.push(argv[++i] ?? '');
        else if (a.startsWith('--output-document=')) out.writes.push(a.slice(18));
      }
      return out;
    case 'socat':
      for (const a of argv.slice(1)) {
        const m = /^(?:FILE|OPEN|GOPEN|CREATE):([^,]+)/i.exec(a);
        if (m) out.reads.push(m[1]!);
      }
      return out;
    case 'at':
    case 'crontab':
    case 'gpg':
    case 'sort': {
      if (name === 'at') {
        const f = argv.indexOf('-f');
        if (f > 0 && argv[f + 1]) out.reads.push(argv[f + 1]!);
      } else if (name === 'sort') {
        const ops = operands(argv, 'otkST', ['--output']);
        out.reads.push(...ops);
        const o = argv.indexOf('-o');
        if (o > 0 && argv[o + 1]) out.writes.push(argv[o + 1]!);
      } else if (name === 'crontab') out.reads.push(...operands(argv, 'u'));
      return out;
    }
  }
  return out;
};
