// Single-instance lock: one engine per state dir. The lock names its holder by pid and process start
// time, so a dead, zombie or recycled pid is recognised as stale. A lock file that cannot be read yet
// (being written) is waited on for at least the stale window before it is judged.
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync, constants, fsyncSync } from 'node:fs';
import { hostname } from 'node:os';
import { processStartTime, processState } from '../platform/processInfo.js';

export interface LockPayload {
  pid: number;
  starttime: string | null;
  createdAt: string;
  host: string;
}

export class LockHeldError extends Error {
  constructor(
    readonly holder: LockPayload,
    lockPath: string,
  ) {
    super(`another gatehouse engine (pid ${holder.pid}, started ${holder.createdAt}) holds ${lockPath}; stop it with 'gatehouse stop' or attach with 'gatehouse attach'`);
    this.name = 'LockHeldError';
  }
}

export const STALE_WINDOW_MS = 5_000;

function readLock(path: string): LockPayload | null {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockPayload>;
    if (typeof parsed.pid !== 'number') return null;
    return { pid: parsed.pid, starttime: parsed.starttime ?? null, createdAt: parsed.createdAt ?? '?', host: parsed.host ?? '?' };
  } catch {
    return null;
  }
}

/** Whether the holder named in a lock is still the same live process. */
export function holderAlive(p: LockPayload): boolean {
  if (p.host !== hostname()) return true; // another host's lock on a shared dir: never steal it
  if (processState(p.pid) !== 'alive') return false;
  const st = processStartTime(p.pid);
  return p.starttime === null || st === null || st === p.starttime;
}

export function inspectLock(path: string): { payload: LockPayload | null; alive: boolean } | null {
  try {
    statSync(path);
  } catch {
    return null;
  }
  const payload = readLock(path);
  return { payload, alive: payload ? holderAlive(payload) : false };
}

export async function acquireLock(path: string, sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))): Promise<() => void> {
  const me: LockPayload = { pid: process.pid, starttime: processStartTime(process.pid), createdAt: new Date().toISOString(), host: hostname() };
  const deadline = Date.now() + STALE_WINDOW_MS * 2;
  for (;;) {
    try {
      const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
      try {
        writeSync(fd, JSON.stringify(me));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      return () => {
        const current = readLock(path);
        if (current?.pid === me.pid && current.starttime === me.starttime) {
          try {
            unlinkSync(path);
          } catch {
            /* already gone */
          }
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readLock(path);
    if (holder) {
      if (holderAlive(holder)) throw new LockHeldError(holder, path);
      unlinkSync(path); // stale: dead, zombie or recycled pid
      continue;
    }
    // Unreadable: perhaps being written right now. Wait out the stale window before judging it.
    let age = 0;
    try {
      age = Date.now() - statSync(path).mtimeMs;
    } catch {
      continue;
    }
    if (age >= STALE_WINDOW_MS || Date.now() > deadline) {
      try {
        unlinkSync(path);
      } catch {
        /* raced */
      }
      continue;
    }
    await sleep(Math.min(250, STALE_WINDOW_MS - age));
  }
}
