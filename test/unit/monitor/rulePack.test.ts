import { describe, it, expect } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { verifyRulePack, loadRulePack, signRulePack, RulePackError } from '../../../src/engine/monitor/rulePack.js';
import { RequestInspector } from '../../../src/engine/monitor/attackDetect.js';

const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const rawPub = publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('base64');
const pemPub = publicKey.export({ format: 'pem', type: 'spki' }).toString();

const pack = Buffer.from(JSON.stringify({
  name: 'site-extras', version: '1.0.0',
  denylist: ['curl * | sh'],
  sensitive_paths: ['/internal/backup.tar'],
  access_log_signatures: [{ check: 'command_injection', name: 'magic word', pattern: '\\bxyzzy\\b' }],
}));

describe('signed rule packs', () => {
  it('accepts a pack whose signature verifies (raw or PEM key), and its rules take effect', () => {
    const sig = signRulePack(pack, privateKey);
    for (const key of [rawPub, pemPub]) {
      const v = verifyRulePack(pack, sig, key);
      expect(v.pack.denylist).toEqual(['curl * | sh']);
    }
    const v = verifyRulePack(pack, sig, rawPub);
    const inspector = new RequestInspector({ signatures: v.signatures, sensitivePaths: v.pack.sensitive_paths });
    expect(inspector.inspect('/a?q=xyzzy').hits.map((h) => h.rule)).toEqual(['magic word']);
    expect(inspector.inspect('/internal/backup.tar').hits.map((h) => h.check)).toEqual(['sensitive_file']);
  });

  it('refuses every pack without a key or with an all-zero key', () => {
    const sig = signRulePack(pack, privateKey);
    expect(() => verifyRulePack(pack, sig, undefined)).toThrow(/public_key is not set/);
    expect(() => verifyRulePack(pack, sig, Buffer.alloc(32).toString('base64'))).toThrow(/all zeros/);
    expect(() => verifyRulePack(pack, sig, '0'.repeat(64))).toThrow(/all zeros/);
  });

  it('refuses a tampered pack, a foreign signature, and a malformed signed pack', () => {
    const sig = signRulePack(pack, privateKey);
    const tampered = Buffer.from(pack.toString().replace('xyzzy', 'plugh'));
    expect(() => verifyRulePack(tampered, sig, rawPub)).toThrow(RulePackError);
    const other = generateKeyPairSync('ed25519').privateKey;
    expect(() => verifyRulePack(pack, signRulePack(pack, other), rawPub)).toThrow(/does not verify/);
    expect(() => verifyRulePack(pack, 'AAAA', rawPub)).toThrow(/64 bytes/);
    const bad = Buffer.from(JSON.stringify({ name: 'x', version: '1', access_log_signatures: [{ check: 'xss', name: 'bad', pattern: '(?<=a)b' }] }));
    expect(() => verifyRulePack(bad, signRulePack(bad, privateKey), rawPub)).toThrow(/"bad": pattern is not valid RE2/);
    const extra = Buffer.from(JSON.stringify({ name: 'x', version: '1', allowlist: ['rm -rf /'] }));
    expect(() => verifyRulePack(extra, signRulePack(extra, privateKey), rawPub)).toThrow(RulePackError);
  });

  it('loads PACK and PACK.sig from disk and refuses an unsigned pack', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-pack-'));
    try {
      const p = join(dir, 'extras.json');
      writeFileSync(p, pack);
      expect(() => loadRulePack(p, rawPub)).toThrow(/unsigned packs are refused/);
      writeFileSync(`${p}.sig`, signRulePack(pack, privateKey) + '\n');
      expect(loadRulePack(p, rawPub).pack.name).toBe('site-extras');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
