// Signed policies (docs/guard.md "Signed policies"): the signature check the guard asks, the `policy`
// config section and `policy sign`'s file, on real files in a temp dir.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PolicyConfigSchema, policySignatureCheck, signPolicyFile } from '../../../src/engine/fleet/policySignature.js';
import { keyId, signDetached } from '../../../src/engine/platform/ed25519.js';

const dir = mkdtempSync(join(tmpdir(), 'gh-polsig-'));
function key(name: string): { priv: KeyObject; pub: string; file: string; id: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const file = join(dir, `${name}.pem`);
  writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  return { priv: privateKey, pub: publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('base64'), file, id: keyId(publicKey) };
}
const A = key('a');
const B = key('b');
const TEXT = 'version: 1\npolicy: ask\n';

function policy(name: string, text = TEXT): string {
  const p = join(dir, name);
  writeFileSync(p, text, { mode: 0o600 });
  return p;
}

describe('policy sign and the signature check', () => {
  it('signs the exact bytes: one line, the signature then the key id, 0600; a trusted key verifies it', () => {
    const p = policy('p1.yaml');
    const out = signPolicyFile(p, A.file);
    expect(out.key_id).toBe(A.id);
    expect(out.public_key).toBe(A.pub);
    const line = readFileSync(`${p}.sig`, 'utf8');
    expect(line).toMatch(new RegExp(`^[A-Za-z0-9+/]{86}== ${A.id}\\n$`));
    expect(statSync(`${p}.sig`).mode & 0o777).toBe(0o600);
    const check = policySignatureCheck(PolicyConfigSchema.parse({ trusted_keys: [B.pub, A.pub] }))!;
    expect(check.keyIds).toEqual([B.id, A.id]);
    expect(check.verify(TEXT, p)).toEqual({ key_id: A.id });
  });

  it('says why not: changed after signing, an unknown signer, no signature, a malformed one, a symlink', () => {
    const check = policySignatureCheck(PolicyConfigSchema.parse({ trusted_keys: [A.pub] }))!;
    const p = policy('p2.yaml');
    signPolicyFile(p, A.file);
    expect(check.verify(`${TEXT}# one more line\n`, p)).toMatchObject({ refused: expect.stringMatching(/by trusted key .* changed after it was signed/) });
    signPolicyFile(p, B.file);
    expect(check.verify(TEXT, p)).toMatchObject({ refused: `it is signed by ${B.id}, which is not in policy.trusted_keys`, signer: B.id });
    // Without the key id (a bare signature, as openssl writes it), still verified, or refused in general terms.
    writeFileSync(`${p}.sig`, signDetached(Buffer.from(TEXT), A.priv));
    expect(check.verify(TEXT, p)).toEqual({ key_id: A.id });
    writeFileSync(`${p}.sig`, signDetached(Buffer.from(TEXT), B.priv));
    expect(check.verify(TEXT, p)).toMatchObject({ refused: expect.stringMatching(/verifies against none of policy\.trusted_keys/) });
    writeFileSync(`${p}.sig`, 'AAAA');
    expect(check.verify(TEXT, p)).toMatchObject({ refused: expect.stringMatching(/64 bytes of base64, got 3 bytes/) });
    writeFileSync(`${p}.sig`, `${signDetached(Buffer.from(TEXT), A.priv)} not-a-key-id`);
    expect(check.verify(TEXT, p)).toMatchObject({ refused: expect.stringMatching(/expected one line/) });
    const q = policy('p3.yaml');
    expect(check.verify(TEXT, q)).toMatchObject({ refused: expect.stringMatching(/it is not signed \(no .*p3\.yaml\.sig\)/) });
    symlinkSync(`${p}.sig`, `${q}.sig`);
    expect(check.verify(TEXT, q)).toMatchObject({ refused: expect.stringMatching(/signature file is refused: .*symlink/) });
  });

  it('refuses to sign with a key that is not an Ed25519 private key, and a missing policy', () => {
    const p = policy('p4.yaml');
    const rsa = join(dir, 'rsa.pem');
    writeFileSync(rsa, generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }));
    expect(() => signPolicyFile(p, rsa)).toThrow(/expected an Ed25519 private key, got rsa/);
    writeFileSync(join(dir, 'pub.pem'), 'not a key');
    expect(() => signPolicyFile(p, join(dir, 'pub.pem'))).toThrow(/not a PEM private key/);
    expect(() => signPolicyFile(p, join(dir, 'nope.pem'))).toThrow(/cannot read it \(ENOENT\)/);
    expect(() => signPolicyFile(join(dir, 'missing.yaml'), A.file)).toThrow(/missing/);
  });

  it('config: keys as base64, hex or PEM; a bad or placeholder key is an error naming its index; none = no check', () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const pem = publicKey.export({ format: 'pem', type: 'spki' }) as string;
    const hex = publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('hex');
    expect(PolicyConfigSchema.parse({ trusted_keys: [A.pub, hex, pem] }).trusted_keys).toHaveLength(3);
    const bad = PolicyConfigSchema.safeParse({ trusted_keys: [A.pub, 'abc', Buffer.alloc(32).toString('base64')] });
    expect(bad.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['trusted_keys.1', 'expected 32 bytes (base64 or hex) or a PEM key, got 2 bytes'],
      ['trusted_keys.2', 'is all zeros (a placeholder)'],
    ]);
    expect(policySignatureCheck(PolicyConfigSchema.parse(undefined))).toBeNull();
  });
});
