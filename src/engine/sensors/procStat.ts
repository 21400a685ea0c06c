// Reading /proc: a process's parent and start time from /proc/PID/stat, its argv and executable, and
// the TCP connections of the host from /proc/net/tcp{,6}. Every reader returns null for a process
// that is gone or unreadable: processes come and go between any two reads.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  comm: string;
  ppid: number;
  /** Clock ticks after boot: with the pid, it names one process (pids are reused). */
  startTime: number;
}

/** Parses /proc/PID/stat; comm may hold spaces and parentheses, so fields are read after the last ')'. */
export function parseProcStat(text: string): ProcStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  const rest = text.slice(close + 2).split(' ');
  const ppid = Number(rest[1]);
  const startTime = Number(rest[19]);
  if (!Number.isInteger(pid) || !Number.isInteger(ppid) || !Number.isFinite(startTime)) return null;
  return { pid, comm: text.slice(open + 1, close), ppid, startTime };
}

export function readProcStat(pid: number, root = '/proc'): ProcStat | null {
  try {
    return parseProcStat(readFileSync(`${root}/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

export function readArgv(pid: number, root = '/proc'): string[] | null {
  try {
    const raw = readFileSync(`${root}/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter((s, i, a) => s !== '' || i < a.length - 1);
  } catch {
    return null;
  }
}

export function readExe(pid: number, root = '/proc'): string | null {
  try {
    return readlinkSync(`${root}/${pid}/exe`);
  } catch {
    return null;
  }
}

export function listPids(root = '/proc'): number[] {
  const out: number[] = [];
  for (const e of readdirSync(root)) if (/^\d+$/.test(e)) out.push(Number(e));
  return out;
}

/** Where each of a process's descriptors points (readlink of /proc/PID/fd/N), at most 4,096. */
function fdTargets(pid: number, root: string): string[] {
  const out: string[] = [];
  let fds: string[];
  try {
    fds = readdirSync(`${root}/${pid}/fd`);
  } catch {
    return out;
  }
  for (const fd of fds.slice(0, 4096)) {
    try {
      out.push(readlinkSync(`${root}/${pid}/fd/${fd}`));
    } catch {
      /* closed meanwhile */
    }
  }
  return out;
}

/** The files a process holds open (paths only; sockets, pipes and anonymous inodes are left out). */
export function openFiles(pid: number, root = '/proc'): string[] {
  return fdTargets(pid, root).filter((t) => t.startsWith('/'));
}

/** Socket inodes a process holds (`socket:[12345]`). */
export function socketInodes(pid: number, root = '/proc'): Set<string> {
  const out = new Set<string>();
  for (const t of fdTargets(pid, root)) {
    const m = /^socket:\[(\d+)\]$/.exec(t);
    if (m) out.add(m[1]!);
  }
  return out;
}

export interface TcpEntry {
  inode: string;
  remote: { address: string; port: number };
  /** The kernel's state code: 01 established, 02 SYN sent. */
  state: string;
}

function hexIpv4(h: string): string {
  const n = parseInt(h, 16);
  return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join('.');
}

function hexIpv6(h: string): string {
  // Four 32-bit words, each in host (little-endian) order.
  const bytes: number[] = [];
  for (let w = 0; w < 4; w++) {
    const word = h.slice(w * 8, w * 8 + 8);
    for (let i = 3; i >= 0; i--) bytes.push(parseInt(word.slice(i * 2, i * 2 + 2), 16));
  }
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 255 && bytes[11] === 255) return `::ffff:${bytes.slice(12).join('.')}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

/** Parses /proc/net/tcp or tcp6: outbound-looking entries (established or connecting) by inode. */
export function parseProcNetTcp(text: string, v6: boolean): TcpEntry[] {
  const out: TcpEntry[] = [];
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 10) continue;
    const [addr, port] = cols[2]!.split(':');
    const state = cols[3]!;
    if (state !== '01' && state !== '02') continue;
    if (!addr || !port) continue;
    out.push({ inode: cols[9]!, remote: { address: v6 ? hexIpv6(addr) : hexIpv4(addr), port: parseInt(port, 16) }, state });
  }
  return out;
}

export function readTcpTable(root = '/proc'): Map<string, TcpEntry> {
  const out = new Map<string, TcpEntry>();
  for (const [file, v6] of [['net/tcp', false], ['net/tcp6', true]] as const) {
    try {
      for (const e of parseProcNetTcp(readFileSync(`${root}/${file}`, 'utf8'), v6)) out.set(e.inode, e);
    } catch {
      /* no IPv6 */
    }
  }
  return out;
}
