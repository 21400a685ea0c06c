// Captures a path's current state for the baseline: metadata from one fstat on the opened file
// (O_NOFOLLOW, so a symlink is seen as one) and two hashes computed from a single read.
import { closeSync, constants, fstatSync, lstatSync, openSync, readlinkSync, readSync, type Stats } from 'node:fs';
import { createHash, hash } from 'node:crypto';
import type { BaselineEntry, EntryType } from './integrityBaseline.js';

export const HASH2_ALGORITHM = 'blake2b512';
const CHUNK = 1 << 20;
const small = Buffer.allocUnsafe(64 * 1024);

export interface Captured {
  entry: BaselineEntry;
  /** sha256 of the first `prefixBytes` bytes, when asked for (growing files). */
  prefixSha256?: string;
}

function typeOf(st: Stats): EntryType {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  return 'other';
}

function meta(path: string, st: Stats): Omit<BaselineEntry, 'sha256' | 'hash2'> {
  return {
    path, type: typeOf(st), mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, size: st.size,
    mtime: Math.floor(st.mtimeMs), ctime: Math.floor(st.ctimeMs), ino: st.ino,
  };
}

/** The current state of `path`, or null when it does not exist. Errors other than ENOENT throw. */
export function captureEntry(path: string, opts: { prefixBytes?: number } = {}): Captured | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    if (code === 'ELOOP') {
      // A symlink: record it as one, hashing its target path (a retarget is a change).
      const st = lstatSync(path);
      const target = readlinkSync(path);
      return {
        entry: {
          ...meta(path, st),
          sha256: createHash('sha256').update(target).digest('hex'),
          hash2: createHash(HASH2_ALGORITHM).update(target).digest('hex'),
        },
      };
    }
    throw err;
  }
  try {
    const st = fstatSync(fd);
    const m = meta(path, st);
    if (m.type !== 'file') return { entry: { ...m, sha256: '', hash2: '' } };
    // Small files (the usual core file): one read, one-shot hashes, no hash objects.
    if (opts.prefixBytes === undefined && st.size < small.length) {
      const n = readSync(fd, small, 0, small.length, 0);
      if (n < small.length) {
        const data = small.subarray(0, n);
        return { entry: { ...m, size: n, sha256: hash('sha256', data), hash2: hash(HASH2_ALGORITHM, data) } };
      }
    }
    const h1 = createHash('sha256');
    const h2 = createHash(HASH2_ALGORITHM);
    const want = opts.prefixBytes;
    const hp = want !== undefined ? createHash('sha256') : null;
    let total = 0;
    let prefixLeft = want ?? 0;
    const buf = st.size <= small.length ? small : Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, total);
      if (n === 0) break;
      const chunk = buf.subarray(0, n);
      h1.update(chunk);
      h2.update(chunk);
      if (hp && prefixLeft > 0) {
        const take = Math.min(prefixLeft, n);
        hp.update(chunk.subarray(0, take));
        prefixLeft -= take;
      }
      total += n;
    }
    const out: Captured = { entry: { ...m, size: total, sha256: h1.digest('hex'), hash2: h2.digest('hex') } };
    // A file shorter than the wanted prefix cannot contain it.
    if (hp && want !== undefined) out.prefixSha256 = total >= want ? hp.digest('hex') : '';
    return out;
  } finally {
    closeSync(fd);
  }
}
