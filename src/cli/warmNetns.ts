// Entering a warm network namespace the engine handed a run (docs/containment.md, "Warm network"): the
// wrapper opens /proc/PID/ns/net itself and keeps the run only if the file it holds is that namespace
// (its inode is the one the engine named) and not the wrapper's own (a reused pid, a holder gone, or a
// lie would otherwise put the sandbox in the host's network). Any doubt: null, and the run takes the cold
// path, which makes its own namespace. nsenter then enters the namespace through the wrapper's open
// descriptor (/proc/WRAPPER/fd/N, close-on-exec here), so the sandbox never inherits it. A wrapper that is
// not root enters the holder's user namespace first (its owner, the engine's uid, has CAP_SYS_ADMIN there),
// checked the same way: opening it fails for another uid (the run goes cold), and it must not be its own.
import { closeSync, existsSync, fstatSync, openSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { WarmNetwork } from '../shared/containPolicy.js';

export interface NetnsIo {
  open(path: string): number;
  fstat(fd: number): { ino: number; dev: number };
  stat(path: string): { ino: number; dev: number };
  close(fd: number): void;
}

const realIo: NetnsIo = { open: (p) => openSync(p, 'r'), fstat: (fd) => fstatSync(fd), stat: (p) => statSync(p), close: (fd) => closeSync(fd) };

/** How this wrapper enters: `root` the network namespace alone (CAP_SYS_ADMIN), `userns` the holder's user
 * namespace and then its network namespace (a wrapper of the engine's uid). */
export type WarmEntry = 'root' | 'userns';

export interface EnteredNetns {
  fd: number;
  /** The path nsenter opens: the wrapper's own descriptor of the verified namespace. */
  path: string;
  /** `userns`: the wrapper's descriptor of the holder's verified user namespace, entered first. */
  userPath?: string;
  close(): void;
}

const validIno = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) > 0;

/** Opens `/proc/PID/ns/KIND` and keeps it only if it is a namespace file (same filesystem as our own) with
 * the inode named and not our own namespace of that kind; else null (closed). */
function openChecked(kind: 'net' | 'user', pid: number, ino: number, io: NetnsIo): number | null {
  let fd: number;
  try {
    fd = io.open(`/proc/${pid}/ns/${kind}`);
  } catch {
    return null;
  }
  try {
    const own = io.stat(`/proc/self/ns/${kind}`);
    const got = io.fstat(fd);
    if (got.dev === own.dev && got.ino === ino && got.ino !== own.ino) return fd;
  } catch {
    /* unreadable: fail closed */
  }
  io.close(fd);
  return null;
}

/** Opens and checks the namespace(s); null on any mismatch or error (the caller falls back to the cold path). */
export function openWarmNetns(w: WarmNetwork | null | undefined, io: NetnsIo = realIo, selfPid = process.pid, entry: WarmEntry = 'root'): EnteredNetns | null {
  if (!w || !Number.isSafeInteger(w.netns_pid) || w.netns_pid <= 1 || !validIno(w.netns_ino)) return null;
  // Not root: only a holder in a user namespace of its own can be entered, and that one first.
  let userFd: number | null = null;
  if (entry === 'userns') {
    if (!validIno(w.userns_ino)) return null;
    userFd = openChecked('user', w.netns_pid, w.userns_ino, io);
    if (userFd === null) return null;
  }
  const fd = openChecked('net', w.netns_pid, w.netns_ino, io);
  if (fd === null) {
    if (userFd !== null) io.close(userFd);
    return null;
  }
  return {
    fd,
    path: `/proc/${selfPid}/fd/${fd}`,
    ...(userFd !== null ? { userPath: `/proc/${selfPid}/fd/${userFd}` } : {}),
    close: () => {
      io.close(fd);
      if (userFd !== null) io.close(userFd);
    },
  };
}

let nsenterFound: boolean | null = null;

const CAP_SYS_ADMIN = 21n;

/** Whether a /proc/PID/status text says the process has CAP_SYS_ADMIN in its effective set. */
export function hasSysAdmin(status: string): boolean {
  const m = /^CapEff:\s*([0-9a-fA-F]+)$/m.exec(status);
  return m ? ((BigInt(`0x${m[1]}`) >> CAP_SYS_ADMIN) & 1n) === 1n : false;
}

/** How this wrapper can enter a warm namespace, or null: nsenter, and root with CAP_SYS_ADMIN (setns needs it; a
 * container's root may lack it, and nsenter would then fail the run instead of it going cold), or not root
 * where the kernel allows unprivileged user namespaces (the engine's answer then names the holder's). */
export function warmEntry(env: NodeJS.ProcessEnv = process.env): WarmEntry | null {
  nsenterFound ??= (env.PATH ?? '').split(delimiter).some((d) => d !== '' && existsSync(join(d, 'nsenter')));
  if (!nsenterFound) return null;
  if (process.getuid?.() === 0) {
    try {
      return hasSysAdmin(readFileSync('/proc/self/status', 'utf8')) ? 'root' : null;
    } catch {
      return null;
    }
  }
  try {
    return Number(readFileSync('/proc/sys/user/max_user_namespaces', 'utf8')) > 0 ? 'userns' : null;
  } catch {
    return null;
  }
}

/** Whether this wrapper can enter a warm namespace at all (it then asks `contain.open {warm: true}`). */
export function canEnterWarm(env: NodeJS.ProcessEnv = process.env): boolean {
  return warmEntry(env) !== null;
}
