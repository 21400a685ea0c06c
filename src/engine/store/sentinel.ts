// The crash sentinel: present while the engine runs; found at start, it means the last run crashed.
import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import { writePrivateFileAtomic } from './stateDir.js';

export interface SentinelInfo {
  pid: number;
  run_id: string;
  started_at: string;
}

/** Reads a sentinel left by an earlier run (a crash), then writes ours. */
export function takeSentinel(path: string, mine: SentinelInfo): { crashed: SentinelInfo | null } {
  let crashed: SentinelInfo | null = null;
  if (existsSync(path)) {
    try {
      crashed = JSON.parse(readFileSync(path, 'utf8')) as SentinelInfo;
    } catch {
      crashed = { pid: 0, run_id: 'unknown', started_at: 'unknown' };
    }
  }
  writePrivateFileAtomic(path, JSON.stringify(mine));
  return { crashed };
}

export function clearSentinel(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* already gone */
  }
}
