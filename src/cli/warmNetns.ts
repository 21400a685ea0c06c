// Entering a warm network namespace the engine handed a run (docs/containment.md, "Warm network"): the
// wrapper opens /proc/PID/ns/net itself and keeps the run only if the file it holds is that namespace
// (its inode is the one the engine named) and not the wrapper's own (a reused pid, a holder gone, or a
// lie would otherwise put the sandbox in the host's network). Any doubt: null, and the run takes the cold
// path, which makes its own namespace. nsenter then enters the namespace through the wrapper's open
// descriptor (/proc/WRAPPER/fd/N, close-on-exec here), so the sandbox never inherits it.
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

export interface EnteredNetns {
  fd: number;
  /** The path nsenter opens: the wrapper's own descriptor of the verified namespace. */
  path: string;
  close(): void;
}

/** Opens and checks the namespace; null on any mismatch or error (the caller falls back to the cold path). */
export function openWarmNetns(w: WarmNetwork | null | undefined, io: NetnsIo = realIo, selfPid = process.pid): EnteredNetns | null {
  if (!w || !Number.isSafeInteger(w.netns_pid) || w.netns_pid <= 1 || !Number.isSafeInteger(w.netns_ino) || w.netns_ino <= 0) return null;
  let fd: number;
  try {
    fd = io.open(`/proc/${w.netns_pid}/ns/net`);
  } catch {
    return null;
  }
  try {
    const own = io.stat('/proc/self/ns/net');
    const got = io.fstat(fd);
    // Same namespace filesystem as our own namespace file, the inode named, and not our own namespace.
    if (got.dev === own.dev && got.ino === w.netns_ino && got.ino !== own.ino) {
      return { fd, path: `/proc/${selfPid}/fd/${fd}`, close: () => io.close(fd) };
    }
  } catch {
    /* unreadable: fail closed */
  }
  io.close(fd);
  return null;
}

let nsenterFound: boolean | null = null;

const CAP_SYS_ADMIN = 21n;

/** Whether a /proc/PID/status text says the process has CAP_SYS_ADMIN in its effective set. */
export function hasSysAdmin(status: string): boolean {
  const m = /^CapEff:\s*([0-9a-fA-F]+)$/m.exec(status);
  return m ? ((BigInt(`0x${m[1]}`) >> CAP_SYS_ADMIN) & 1n) === 1n : false;
}

/** Whether this wrapper can enter a warm namespace at all: root with CAP_SYS_ADMIN (setns needs it; a
 * container's root may lack it, and nsenter would then fail the run instead of it going cold) and nsenter. */
export function canEnterWarm(env: NodeJS.ProcessEnv = process.env): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    if (!hasSysAdmin(readFileSync('/proc/self/status', 'utf8'))) return false;
  } catch {
    return false;
  }
  nsenterFound ??= (env.PATH ?? '').split(delimiter).some((d) => d !== '' && existsSync(join(d, 'nsenter')));
  return nsenterFound;
}
