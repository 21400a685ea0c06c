// Signed policy rollout against real engines (issue 20, DESIGN §13, docs/guard.md "Signed policies"):
// with policy.trusted_keys set, a policy signed (by `gatehouse policy sign`) with a trusted key is
// trusted on arrival with a `policy.trusted_by_key` record naming the key, no lockdown and no manual
// trust; a policy changed after signing, signed by an unknown key or not signed at all is lockdown
// with a P0 and a reason that says which; `policy trust` by hash still needs the signature; and keys
// rotate: a new key is trusted once listed, a removed key no longer is.
import { createHash, generateKeyPairSync } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, policyPathFor, startEngine, tempStateDir, waitFor, type RunningEngine } from '../../support/engine.js';

const POLICY = `version: 1
policy: ask
allowlist:
  - pattern: "echo *"
denylist:
  - pattern: "rm -rf *"
`;
const V2 = POLICY.replace('  - pattern: "echo *"\n', '  - pattern: "echo *"\n  - pattern: "git status"\n');
const V3 = POLICY.replace('  - pattern: "echo *"\n', '  - pattern: "echo *"\n  - pattern: "make test"\n');
const EVIL = POLICY.replace('  - pattern: "echo *"\n', '  - pattern: "echo *"\n  - pattern: "curl *"\n');

const keysDir = mkdtempSync(join(tmpdir(), 'gh-keys-'));
interface Key {
  file: string;
  pub: string;
}
function makeKey(name: string): Key {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const file = join(keysDir, `${name}.pem`);
  writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  return { file, pub: publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('base64') };
}

/** Signs `text` on the "control host" (a staging dir) with `gatehouse policy sign`; returns the staged files and the key id. */
function signStaged(text: string, key: Key): { policy: string; sig: string; keyId: string } {
  const dir = mkdtempSync(join(tmpdir(), 'gh-stage-'));
  const policy = join(dir, 'policy.yaml');
  writeFileSync(policy, text, { mode: 0o600 });
  const r = cli(['policy', 'sign', '--key', key.file, policy, '--json']);
  expect(r.code, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout) as { sig_path: string; key_id: string; public_key: string };
  expect(out.public_key).toBe(key.pub);
  return { policy, sig: out.sig_path, keyId: out.key_id };
}

/** The rollout a fleet tool does: the signature first, then the policy renamed into place. */
function rollOut(stateDir: string, staged: { policy: string; sig: string }): void {
  const live = policyPathFor(stateDir);
  mkdirSync(dirname(live), { recursive: true });
  copyFileSync(staged.sig, `${live}.sig`);
  copyFileSync(staged.policy, `${live}.new`);
  renameSync(`${live}.new`, live);
}

const config = (...keys: Key[]) => `policy:\n  trusted_keys:\n${keys.map((k) => `    - "${k.pub}"\n`).join('')}`;

function ledger(stateDir: string, action: string): Array<{ detail: Record<string, unknown>; reason: string | null; policy_hash: string | null }> {
  const db = new Database(join(stateDir, 'gatehouse.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT detail, reason, policy_hash FROM ledger WHERE action = ? ORDER BY seq').all(action) as Array<{ detail: string; reason: string | null; policy_hash: string | null }>).map((r) => ({ ...r, detail: JSON.parse(r.detail) }));
  } finally {
    db.close();
  }
}

async function firewall(e: RunningEngine): Promise<{ lockdown: string | null; policy_hash: string | null }> {
  return (await e.http('GET', '/api/firewall/policy')).body.data;
}

const sha = (t: string): string => createHash('sha256').update(t).digest('hex');

describe('signed policy rollout (policy.trusted_keys)', { timeout: 180_000 }, () => {
  const A = makeKey('a');
  const B = makeKey('b');
  const C = makeKey('c'); // nobody trusts C
  const engines: RunningEngine[] = [];
  afterAll(async () => {
    for (const e of engines) await e.stop();
    rmSync(keysDir, { recursive: true, force: true });
  });
  async function start(stateDir: string, cfg: string): Promise<RunningEngine> {
    const e = await startEngine({ stateDir, config: cfg });
    engines.push(e);
    return e;
  }

  describe('one host, key A', () => {
    let e: RunningEngine;
    const stateDir = tempStateDir();
    beforeAll(async () => {
      rollOut(stateDir, signStaged(POLICY, A));
      e = await start(stateDir, config(A));
    });

    it('trusts a signed policy at first start by its key: policy.trusted_by_key names it, no lockdown', async () => {
      const fw = await firewall(e);
      expect(fw.lockdown).toBeNull();
      expect(fw.policy_hash).toBe(sha(POLICY));
      const rows = ledger(stateDir, 'policy.trusted_by_key');
      expect(rows).toHaveLength(1);
      expect(rows[0]!.detail.key_id).toBe(signStaged(POLICY, A).keyId);
      expect(rows[0]!.policy_hash).toBe(sha(POLICY));
    });

    it('takes a new signed policy on arrival, without a manual trust and without a P0', async () => {
      rollOut(stateDir, signStaged(V2, A));
      await waitFor(async () => (await firewall(e)).policy_hash === sha(V2), 30_000, 'V2 trusted by key');
      expect((await firewall(e)).lockdown).toBeNull();
      expect(ledger(stateDir, 'policy.trusted_by_key').map((r) => r.policy_hash)).toEqual([sha(POLICY), sha(V2)]);
      expect(ledger(stateDir, 'firewall.lockdown')).toEqual([]);
      const check = await e.http('POST', '/api/firewall/check', { command: 'git status' });
      expect(check.body.data.decision).toBe('allow');
    });

    it('a policy changed after signing is lockdown (P0), and policy trust by hash is refused without the signature', async () => {
      writeFileSync(`${policyPathFor(stateDir)}.new`, EVIL, { mode: 0o600 });
      renameSync(`${policyPathFor(stateDir)}.new`, policyPathFor(stateDir)); // V2's signature stays beside it
      await waitFor(async () => (await firewall(e)).lockdown, 30_000, 'lockdown');
      const fw = await firewall(e);
      expect(fw.lockdown).toMatch(/does not match the policy: it was changed after it was signed/);
      expect(fw.policy_hash).toBe(sha(V2)); // what was in force stays the trusted text
      const alerts = (await e.http('GET', '/api/alerts')).body.data as Array<{ severity: string; check: string; message: string }>;
      expect(alerts.find((a) => a.check === 'policy_tampered' && a.message.includes('changed after it was signed'))?.severity).toBe('P0');
      expect((await e.http('POST', '/api/firewall/check', { command: 'curl http://x' })).body.data.decision).toBe('deny');

      const t = cli(['policy', 'trust', '--yes', '--sha256', sha(EVIL)], { stateDir });
      expect(t.code).not.toBe(0);
      expect(t.stdout + t.stderr).toMatch(/policy\.trusted_keys is set/);
      expect(ledger(stateDir, 'policy.trust_refused').at(-1)?.reason).toMatch(/policy\.trusted_keys is set/);
      expect((await firewall(e)).lockdown).toBeTruthy();
    });

    it('a policy signed by an unknown key is refused, naming the key', async () => {
      const staged = signStaged(V3, C);
      rollOut(stateDir, staged);
      await waitFor(async () => (await firewall(e)).lockdown?.includes(staged.keyId), 30_000, 'the unknown-key lockdown');
      expect((await firewall(e)).lockdown).toMatch(new RegExp(`signed by ${staged.keyId}, which is not in policy\\.trusted_keys`));
      expect((await firewall(e)).policy_hash).toBe(sha(V2));
    });

    it('a symlinked signature is never read; an unsigned policy is refused; a properly signed one lifts the lockdown', async () => {
      const staged = signStaged(V3, A);
      const live = policyPathFor(stateDir);
      rmSync(`${live}.sig`);
      symlinkSync(staged.sig, `${live}.sig`);
      await waitFor(async () => (await firewall(e)).lockdown?.includes('signature file is refused'), 30_000, 'the symlink refused');
      expect((await firewall(e)).lockdown).toMatch(/symlink/);
      rmSync(`${live}.sig`);
      await waitFor(async () => (await firewall(e)).lockdown?.includes('it is not signed'), 30_000, 'the unsigned lockdown');
      copyFileSync(staged.sig, `${live}.sig`); // the signature arrives after the policy: the next check trusts it
      await waitFor(async () => (await firewall(e)).policy_hash === sha(V3), 30_000, 'V3 trusted by key');
      expect((await firewall(e)).lockdown).toBeNull();
    });

    it('allow always cannot write an unsigned change into a signed policy', async () => {
      const r = await e.http('POST', '/api/firewall/check', { command: 'touch notes.txt' });
      expect(r.body.data.decision).toBe('ask');
      const id = r.body.data.prompt_id as string;
      const answer = await e.http('POST', `/api/prompts/${id}/resolve`, { decision: 'allow', scope: 'always' });
      expect(answer.status).toBe(409);
      expect(JSON.stringify(answer.body)).toMatch(/managed by signature/);
      expect((await firewall(e)).lockdown).toBeNull();
      expect(readFileSync(policyPathFor(stateDir), 'utf8')).toBe(V3);
    });
  });

  describe('one host, key A, serials (no rollback)', () => {
    let e: RunningEngine;
    const stateDir = tempStateDir();
    const serial = (text: string, n: number) => text.replace('version: 1\n', `version: 1\nserial: ${n}\n`);
    const v2Signed = signStaged(V2, A); // an old signed policy, kept by whoever wants to put it back
    beforeAll(async () => {
      rollOut(stateDir, signStaged(serial(V3, 2), A));
      e = await start(stateDir, config(A));
    });

    it('an older signed policy put back is lockdown (P0): a lower serial, or none once the policy in force has one; a higher one is trusted', async () => {
      expect((await firewall(e)).policy_hash).toBe(sha(serial(V3, 2)));
      rollOut(stateDir, signStaged(serial(V2, 1), A));
      await waitFor(async () => (await firewall(e)).lockdown, 30_000, 'the rollback lockdown');
      expect((await firewall(e)).lockdown).toMatch(/is signed by ed25519:\w+ but its serial 1 is not above the policy in force's 2: an older signed policy put back is refused/);
      expect((await firewall(e)).policy_hash).toBe(sha(serial(V3, 2)));
      const alerts = (await e.http('GET', '/api/alerts')).body.data as Array<{ severity: string; check: string; message: string }>;
      expect(alerts.find((a) => a.check === 'policy_tampered' && a.message.includes('older signed policy'))?.severity).toBe('P0');
      // The same serial with another text, and a replay of a policy signed before serials, are refused too.
      rollOut(stateDir, signStaged(serial(V2, 2), A));
      await waitFor(async () => (await firewall(e)).lockdown?.includes('serial 2 is not above'), 30_000, 'the same-serial lockdown');
      rollOut(stateDir, v2Signed);
      await waitFor(async () => (await firewall(e)).lockdown?.includes('serial (none) is not above'), 30_000, 'the replay lockdown');
      expect((await e.http('POST', '/api/firewall/check', { command: 'git status' })).body.data.decision).toBe('deny');
      rollOut(stateDir, signStaged(serial(V2, 3), A));
      await waitFor(async () => (await firewall(e)).policy_hash === sha(serial(V2, 3)), 30_000, 'serial 3 trusted by key');
      expect((await firewall(e)).lockdown).toBeNull();
      expect(ledger(stateDir, 'policy.trusted_by_key').map((r) => r.policy_hash)).toEqual([sha(serial(V3, 2)), sha(serial(V2, 3))]);
    });
  });

  describe('key rotation', () => {
    it('A and B listed: a B-signed policy is trusted by B; B alone: still trusted; an A-signed one is then refused; A alone: the B-signed policy in force is lockdown', async () => {
      const stateDir = tempStateDir();
      rollOut(stateDir, signStaged(POLICY, A));
      let e = await start(stateDir, config(A, B));
      expect((await firewall(e)).lockdown).toBeNull();
      const v2 = signStaged(V2, B);
      rollOut(stateDir, v2);
      await waitFor(async () => (await firewall(e)).policy_hash === sha(V2), 30_000, 'V2 trusted by B');
      expect(ledger(stateDir, 'policy.trusted_by_key').at(-1)?.detail.key_id).toBe(v2.keyId);
      await e.stop();

      e = await start(stateDir, config(B)); // A retired
      expect((await firewall(e)).lockdown).toBeNull();
      rollOut(stateDir, signStaged(V3, A));
      await waitFor(async () => (await firewall(e)).lockdown, 30_000, 'the retired key refused');
      expect((await firewall(e)).lockdown).toMatch(/which is not in policy\.trusted_keys/);
      rollOut(stateDir, v2); // back to the B-signed text: lifted
      await waitFor(async () => !(await firewall(e)).lockdown, 30_000, 'lockdown lifted');
      await e.stop();

      e = await start(stateDir, config(A)); // B removed while its policy is in force
      await waitFor(async () => (await firewall(e)).lockdown, 30_000, 'lockdown at start');
      expect((await firewall(e)).lockdown).toMatch(/policy in force .* is not trusted by a key/);
    });

    it('with keys set, a first start with no policy does not create an unsigned default: lockdown until a signed one arrives', async () => {
      const stateDir = tempStateDir();
      const e = await start(stateDir, config(A));
      expect((await firewall(e)).lockdown).toMatch(/is missing; with policy\.trusted_keys set/);
      rollOut(stateDir, signStaged(POLICY, A));
      await waitFor(async () => !(await firewall(e)).lockdown, 30_000, 'the signed policy trusted');
      expect((await firewall(e)).policy_hash).toBe(sha(POLICY));
    });
  });

  it('refuses a bad key in policy.trusted_keys at start, naming it', async () => {
    const stateDir = tempStateDir();
    await expect(startEngine({ stateDir, config: `policy:\n  trusted_keys: ["${Buffer.alloc(32).toString('base64')}"]\n` })).rejects.toThrow(/policy\.trusted_keys\.0.*all zeros/s);
  });
});
