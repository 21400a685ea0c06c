// Signed policy rollout (docs/guard.md "Signed policies"): with `policy.trusted_keys` set,
// the engine trusts a policy only when `POLICY.sig`, beside it, is an Ed25519 signature over the
// policy's exact bytes by one of those keys (platform/ed25519.ts: the scheme rule packs use). A fleet
// rolls one signed policy out to every host; each engine trusts it on arrival, with no `policy trust`.
//
// POLICY.sig is one line: the base64 signature, then the signer's key id. The key id only names the
// key in messages (an unknown signer, a file changed after signing); verification tries every trusted
// key whatever the line says. The signature file is read like the policy (policyFile.ts: no symlink,
// a regular file the operator owns), and small.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { KeyObject } from 'node:crypto';
import { decodeSignature, KeyError, keyId, parseEd25519PrivateKey, parseEd25519PublicKey, rawPublicKey, signDetached, verifyDetached } from '../platform/ed25519.js';
import type { PolicySignatureCheck, SignatureVerdict } from '../firewall/policyGuard.js';
import { PolicyFileRefused, readPolicyFile } from '../firewall/policyFile.js';
import { writePrivateFileAtomic } from '../store/stateDir.js';

const MAX_SIG_BYTES = 1024;
const KEY_ID = /^ed25519:[0-9a-f]{16}$/;

/** The `policy` config section. */
export const PolicyConfigSchema = z
  .object({
    /**
     * Ed25519 public keys (PEM, or the raw 32 bytes in base64 or hex) whose signature makes a policy
     * trusted on arrival. Set: only a policy signed by one of them is trusted (restart to change).
     */
    trusted_keys: z
      .array(z.string().min(1).max(1000))
      .max(32)
      .default([])
      .superRefine((keys, ctx) => {
        keys.forEach((k, i) => {
          try {
            parseEd25519PublicKey(k, `policy.trusted_keys[${i}]`);
          } catch (err) {
            ctx.addIssue({ code: 'custom', path: [i], message: (err as Error).message.replace(/^policy\.trusted_keys\[\d+\]:? ?/, '') });
          }
        });
      }),
  })
  .strict()
  .prefault({});
export type PolicyConfig = z.output<typeof PolicyConfigSchema>;

export const signaturePathFor = (policyPath: string): string => `${policyPath}.sig`;

/** The check the policy guard asks (its port), over the configured keys; null when none are set. */
export function policySignatureCheck(config: PolicyConfig): PolicySignatureCheck | null {
  if (config.trusted_keys.length === 0) return null;
  const keys = new Map<string, KeyObject>();
  config.trusted_keys.forEach((k, i) => {
    const key = parseEd25519PublicKey(k, `policy.trusted_keys[${i}]`);
    keys.set(keyId(key), key);
  });
  return { keyIds: [...keys.keys()], verify: (text, policyPath) => verifyPolicySignature(Buffer.from(text, 'utf8'), policyPath, keys) };
}

/** Reads POLICY.sig and checks it against the trusted keys: the signer's key id, or why not. */
export function verifyPolicySignature(bytes: Buffer, policyPath: string, keys: Map<string, KeyObject>): SignatureVerdict {
  const sigPath = signaturePathFor(policyPath);
  let line: string;
  try {
    line = readPolicyFile(sigPath, { maxBytes: MAX_SIG_BYTES }).text.trim();
  } catch (err) {
    if (err instanceof PolicyFileRefused && err.code === 'missing') return { refused: `it is not signed (no ${sigPath}); with policy.trusted_keys set, only a policy signed by a trusted key is trusted (gatehouse policy sign --key KEY)` };
    return { refused: `its signature file is refused: ${(err as Error).message.replace('the policy file', 'the signature')}` };
  }
  const [sigText, hint, ...extra] = line.split(/\s+/);
  let sig: Buffer;
  try {
    if (extra.length || (hint !== undefined && !KEY_ID.test(hint))) throw new KeyError(`${sigPath}: expected one line: the base64 signature, then the key id (ed25519:…)`);
    sig = decodeSignature(sigText ?? '', sigPath);
  } catch (err) {
    return { refused: (err as Error).message };
  }
  for (const [id, key] of keys) if (verifyDetached(bytes, sig, key)) return { key_id: id };
  if (hint && keys.has(hint)) return { refused: `the signature by trusted key ${hint} does not match the policy: it was changed after it was signed`, signer: hint };
  if (hint) return { refused: `it is signed by ${hint}, which is not in policy.trusted_keys`, signer: hint };
  return { refused: `its signature verifies against none of policy.trusted_keys (changed after signing, or signed by another key)` };
}

/** `gatehouse policy sign`: signs the policy's exact bytes with the private key; writes POLICY.sig (0600). */
export function signPolicyFile(policyPath: string, keyPath: string): { sig_path: string; key_id: string; public_key: string; sha256: string } {
  let keyText: string;
  try {
    keyText = readFileSync(keyPath, 'utf8');
  } catch (err) {
    throw new KeyError(`--key ${keyPath}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const key = parseEd25519PrivateKey(keyText, `--key ${keyPath}`);
  // Signed are the bytes the engine will hash and verify: read the way it reads them.
  const read = readPolicyFile(policyPath);
  const id = keyId(key);
  const sigPath = signaturePathFor(policyPath);
  writePrivateFileAtomic(sigPath, `${signDetached(Buffer.from(read.text, 'utf8'), key)} ${id}\n`);
  return { sig_path: sigPath, key_id: id, public_key: rawPublicKey(key).toString('base64'), sha256: read.sha256 };
}
