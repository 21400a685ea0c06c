// Reading the policy file the way trust needs it (law 8): the bytes that are hashed are the bytes that
// are parsed, read from one descriptor that was opened without following a symlink and checked with
// fstat on that descriptor (a regular file, owned by the operator, not writable by others). A path
// check followed by a second open would let a file be swapped in between; this reads once.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';

/** The largest policy file gatehouse reads: a bigger one is refused with a clear error, not parsed. */
export const MAX_POLICY_BYTES = 1024 * 1024;

export class PolicyFileRefused extends Error {
  constructor(
    message: string,
    readonly code: 'missing' | 'symlink' | 'not_regular' | 'not_owner' | 'too_large' | 'not_utf8' | 'unreadable',
  ) {
    super(message);
    this.name = 'PolicyFileRefused';
  }
}

export interface PolicyFileRead {
  text: string;
  /** sha256 of the bytes read (equal to the sha256 of `text`: non-UTF-8 bytes are refused). */
  sha256: string;
}

const operatorUid = (): number | null => (typeof process.getuid === 'function' ? process.getuid() : null);

/** Reads the policy file safely, or throws PolicyFileRefused naming why it cannot be trusted. */
export function readPolicyFile(path: string, opts: { maxBytes?: number } = {}): PolicyFileRead {
  const max = opts.maxBytes ?? MAX_POLICY_BYTES;
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO put in its place must not hang the engine on open; fstat then refuses it.
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new PolicyFileRefused(`the policy file ${path} is missing`, 'missing');
    if (code === 'ELOOP' || code === 'EMLINK') throw new PolicyFileRefused(`the policy file ${path} is a symlink; gatehouse never trusts a symlinked policy`, 'symlink');
    throw new PolicyFileRefused(`the policy file ${path} cannot be read: ${(err as Error).message}`, 'unreadable');
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new PolicyFileRefused(`the policy file ${path} is not a regular file; gatehouse never trusts it`, 'not_regular');
    const uid = operatorUid();
    if (uid !== null && st.uid !== uid) throw new PolicyFileRefused(`the policy file ${path} is owned by uid ${st.uid}, not the operator (uid ${uid}); gatehouse never trusts it`, 'not_owner');
    if (st.size > max) throw new PolicyFileRefused(`the policy file ${path} is ${st.size} bytes; the limit is ${max}`, 'too_large');
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(64 * 1024);
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
      if (total > max) throw new PolicyFileRefused(`the policy file ${path} is over the ${max}-byte limit`, 'too_large');
      chunks.push(buf.subarray(0, n));
    }
    const bytes = Buffer.concat(chunks, total);
    const text = bytes.toString('utf8');
    if (!Buffer.from(text, 'utf8').equals(bytes)) throw new PolicyFileRefused(`the policy file ${path} is not valid UTF-8`, 'not_utf8');
    return { text, sha256: createHash('sha256').update(bytes).digest('hex') };
  } finally {
    closeSync(fd);
  }
}
