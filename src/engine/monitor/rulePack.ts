// Signed rule packs: extra denylist patterns, sensitive paths and access-log signatures, accepted
// only when a detached Ed25519 signature over the exact pack bytes verifies against the configured
// public key. No key, an all-zero key, a bad signature or a bad pack: refused, with the reason.
import { createPublicKey, verify, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { RE2JS } from 're2js';
import { SensorRulesSchema } from '../../shared/sensorRules.js';
import type { Signature } from './attackSignatures.js';

export class RulePackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RulePackError';
  }
}

const SignatureSchema = z.strictObject({
  check: z.enum(['sqli', 'xss', 'path_traversal', 'sensitive_file', 'command_injection']),
  name: z.string().min(1).max(120),
  pattern: z.string().min(1).max(2000),
});

export const RulePackSchema = z.strictObject({
  name: z.string().min(1).max(120),
  version: z.string().min(1).max(40),
  denylist: z.array(z.string().min(1).max(500)).max(5000).default([]),
  sensitive_paths: z.array(z.string().min(2).max(300)).max(5000).default([]),
  access_log_signatures: z.array(SignatureSchema).max(1000).default([]),
  /** Hosts the firewall denies in commands and tool calls (and the egress proxy, when it exists); a name blocks its subdomains. */
  blocked_hosts: z.array(z.string().regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z][a-z0-9-]{0,62}$/i, 'a host name such as evil.example')).max(10_000).default([]),
  /** Correlation rules the host sensors add to theirs (docs/sensors.md); `@class` names refer to this pack's `paths`. */
  sensor_rules: SensorRulesSchema.optional(),
});
export type RulePack = z.output<typeof RulePackSchema>;

export interface VerifiedRulePack {
  pack: RulePack;
  /** Compiled-checked signatures, ready for `new RequestInspector({ signatures })`. */
  signatures: Signature[];
}

const MAX_PACK_BYTES = 4 * 1024 * 1024;
// DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Accepts a PEM public key, or the raw 32-byte key in base64 or hex. */
export function parseEd25519PublicKey(text: string | undefined): KeyObject {
  const t = (text ?? '').trim();
  if (!t) throw new RulePackError('rules.public_key is not set: every rule pack is refused until a public key is configured');
  let key: KeyObject;
  if (t.includes('BEGIN PUBLIC KEY')) {
    try {
      key = createPublicKey(t);
    } catch (err) {
      throw new RulePackError(`rules.public_key: not a valid PEM public key (${(err as Error).message})`);
    }
  } else {
    const raw = /^[0-9a-f]{64}$/i.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
    if (raw.length !== 32) throw new RulePackError(`rules.public_key: expected 32 bytes (base64 or hex) or a PEM key, got ${raw.length} bytes`);
    key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new RulePackError(`rules.public_key: expected an Ed25519 key, got ${key.asymmetricKeyType}`);
  const der = key.export({ format: 'der', type: 'spki' });
  if (der.subarray(ED25519_SPKI_PREFIX.length).every((b) => b === 0)) {
    throw new RulePackError('rules.public_key is all zeros (a placeholder): every rule pack is refused');
  }
  return key;
}

/** Verifies, parses and checks a pack; throws RulePackError naming what was wrong. */
export function verifyRulePack(packBytes: Buffer, signatureText: string, publicKey: string | undefined, source = 'rule pack'): VerifiedRulePack {
  const key = parseEd25519PublicKey(publicKey);
  if (packBytes.length > MAX_PACK_BYTES) throw new RulePackError(`${source}: ${packBytes.length} bytes is over the ${MAX_PACK_BYTES}-byte limit`);
  const sig = Buffer.from(signatureText.trim(), 'base64');
  if (sig.length !== 64) throw new RulePackError(`${source}: the signature must be 64 bytes of base64, got ${sig.length} bytes`);
  if (!verify(null, packBytes, key, sig)) throw new RulePackError(`${source}: the signature does not verify against rules.public_key; the pack was refused`);
  let json: unknown;
  try {
    json = JSON.parse(packBytes.toString('utf8'));
  } catch (err) {
    throw new RulePackError(`${source}: signed, but not valid JSON (${(err as Error).message})`);
  }
  const parsed = RulePackSchema.safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new RulePackError(`${source}: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  for (const s of parsed.data.access_log_signatures) {
    try {
      RE2JS.compile(s.pattern);
    } catch (err) {
      throw new RulePackError(`${source}: access_log_signatures "${s.name}": pattern is not valid RE2 syntax (${(err as Error).message})`);
    }
  }
  return { pack: parsed.data, signatures: parsed.data.access_log_signatures };
}

/** `gatehouse rules verify|import PACK`: reads PACK and PACK.sig (or the given signature file). */
export function loadRulePack(path: string, publicKey: string | undefined, sigPath = `${path}.sig`): VerifiedRulePack {
  let bytes: Buffer, sig: string;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new RulePackError(`${path}: cannot read the pack (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    sig = readFileSync(sigPath, 'utf8');
  } catch {
    throw new RulePackError(`${path}: no detached signature at ${sigPath}; unsigned packs are refused`);
  }
  return verifyRulePack(bytes, sig, publicKey, path);
}

/** For pack authors and tests: the base64 detached signature of `packBytes`. */
export function signRulePack(packBytes: Buffer, privateKey: KeyObject | string): string {
  return sign(null, packBytes, privateKey).toString('base64');
}
