// Ed25519 detached signatures over exact bytes, the one signature scheme of gatehouse (rule packs and
// signed policies): the signature is 64 bytes, written in base64; a public key is given as PEM or as
// its raw 32 bytes in base64 or hex, and named by a short key id (a hash of those 32 bytes).
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

// DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export class KeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyError';
  }
}

/** Parses a public key; `name` (the config key) starts every error. An all-zero placeholder is refused. */
export function parseEd25519PublicKey(text: string, name: string): KeyObject {
  const t = text.trim();
  let key: KeyObject;
  if (t.includes('BEGIN PUBLIC KEY')) {
    try {
      key = createPublicKey(t);
    } catch (err) {
      throw new KeyError(`${name}: not a valid PEM public key (${(err as Error).message})`);
    }
  } else {
    const raw = /^[0-9a-f]{64}$/i.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
    if (raw.length !== 32) throw new KeyError(`${name}: expected 32 bytes (base64 or hex) or a PEM key, got ${raw.length} bytes`);
    key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new KeyError(`${name}: expected an Ed25519 key, got ${key.asymmetricKeyType}`);
  if (rawPublicKey(key).every((b) => b === 0)) throw new KeyError(`${name} is all zeros (a placeholder)`);
  return key;
}

/** Reads an Ed25519 private key (PEM, as `openssl genpkey -algorithm ed25519` writes it). */
export function parseEd25519PrivateKey(text: string, name: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(text);
  } catch (err) {
    throw new KeyError(`${name}: not a PEM private key (${(err as Error).message})`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new KeyError(`${name}: expected an Ed25519 private key, got ${key.asymmetricKeyType}`);
  return key;
}

export function rawPublicKey(key: KeyObject): Buffer {
  const der = key.type === 'private' ? createPublicKey(key).export({ format: 'der', type: 'spki' }) : key.export({ format: 'der', type: 'spki' });
  return der.subarray(ED25519_SPKI_PREFIX.length);
}

/** `ed25519:` and the first 16 hex digits of the sha256 of the raw public key (of a private key: its public half). */
export function keyId(key: KeyObject): string {
  return `ed25519:${createHash('sha256').update(rawPublicKey(key)).digest('hex').slice(0, 16)}`;
}

/** The base64 detached signature of `bytes`. */
export function signDetached(bytes: Buffer, privateKey: KeyObject | string): string {
  return sign(null, bytes, privateKey).toString('base64');
}

/** Decodes a base64 signature; throws naming `source` unless it is 64 bytes. */
export function decodeSignature(text: string, source: string): Buffer {
  const sig = Buffer.from(text.trim(), 'base64');
  if (sig.length !== 64) throw new KeyError(`${source}: the signature must be 64 bytes of base64, got ${sig.length} bytes`);
  return sig;
}

export function verifyDetached(bytes: Buffer, signature: Buffer, key: KeyObject): boolean {
  try {
    return verify(null, bytes, key, signature);
  } catch {
    return false;
  }
}
