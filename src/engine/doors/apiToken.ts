// The REST bearer token: 32 random bytes, base64url, made on first start in a 0600 file.
// GATEHOUSE_API_TOKEN overrides it (for a gateway that is given its token by its own config).
import { createHash, hash as oneShotHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { refuseSymlink, writePrivateFileAtomic } from '../store/stateDir.js';

export function loadOrCreateToken(path: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.GATEHOUSE_API_TOKEN) return env.GATEHOUSE_API_TOKEN;
  refuseSymlink(path);
  if (existsSync(path)) {
    const t = readFileSync(path, 'utf8').trim();
    if (t.length > 0) return t;
  }
  const token = randomBytes(32).toString('base64url');
  writePrivateFileAtomic(path, `${token}\n`);
  return token;
}

const sha256 = (text: string): Buffer => (typeof oneShotHash === 'function' ? oneShotHash('sha256', text, 'buffer') : createHash('sha256').update(text).digest());

// The expected token's digest is the same on every request: keep the last one instead of rehashing it.
let expectedDigest: { token: string; digest: Buffer } | null = null;

/** Constant-time comparison (hashing first makes the lengths equal). */
export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  if (expectedDigest?.token !== expected) expectedDigest = { token: expected, digest: sha256(expected) };
  return timingSafeEqual(sha256(given), expectedDigest.digest);
}
