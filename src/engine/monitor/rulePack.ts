// Signed rule packs: extra denylist patterns, sensitive paths and access-log signatures, accepted
// only when a detached Ed25519 signature over the exact pack bytes verifies against the configured
// public key. No key, an all-zero key, a bad signature or a bad pack: refused, with the reason.
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { RE2JS } from 're2js';
import { SensorRulesSchema } from '../../shared/sensorRules.js';
import type { Signature } from './attackSignatures.js';
import { decodeSignature, KeyError, parseEd25519PublicKey as parseKey, signDetached, verifyDetached } from '../platform/ed25519.js';

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
/** Accepts a PEM public key, or the raw 32-byte key in base64 or hex (platform/ed25519.ts, one scheme with signed policies). */
export function parseEd25519PublicKey(text: string | undefined): KeyObject {
  const t = (text ?? '').trim();
  if (!t) throw new RulePackError('rules.public_key is not set: every rule pack is refused until a public key is configured');
  try {
    return parseKey(t, 'rules.public_key');
  } catch (err) {
    if (err instanceof KeyError) throw new RulePackError(/all zeros/.test(err.message) ? `${err.message}: every rule pack is refused` : err.message);
    throw err;
  }
}

/** Verifies, parses and checks a pack; throws RulePackError naming what was wrong. */
export function verifyRulePack(packBytes: Buffer, signatureText: string, publicKey: string | undefined, source = 'rule pack'): VerifiedRulePack {
  const key = parseEd25519PublicKey(publicKey);
  if (packBytes.length > MAX_PACK_BYTES) throw new RulePackError(`${source}: ${packBytes.length} bytes is over the ${MAX_PACK_BYTES}-byte limit`);
  let sig: Buffer;
  try {
    sig = decodeSignature(signatureText, source);
  } catch (err) {
    throw new RulePackError((err as Error).message);
  }
  if (!verifyDetached(packBytes, sig, key)) throw new RulePackError(`${source}: the signature does not verify against rules.public_key; the pack was refused`);
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
  return signDetached(packBytes, privateKey);
}
