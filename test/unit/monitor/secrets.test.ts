import { describe, it, expect } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { findSecrets, maskSecrets, maskValue, entropy } from '../../../src/engine/monitor/secrets.js';
import { scanFileForSecrets, scanDirectoryForSecrets, scanEnvironmentForSecrets, checkKeyAges, secretToAlert } from '../../../src/engine/monitor/secretsScan.js';
import { fake } from '../../support/monitorSecrets.js';

describe('findSecrets', () => {
  it.each([
    ['github-token', 'P0', () => `token: ${fake.github()}`],
    ['aws-access-key-id', 'P0', () => `aws_access_key_id = ${fake.aws()}`],
    ['anthropic-api-key', 'P0', () => `ANTHROPIC_API_KEY=${fake.anthropic()}`],
    ['slack-token', 'P0', () => `"bot": "${fake.slackBot()}"`],
    ['stripe-key', 'P0', () => `stripe = ${fake.stripeLive()}`],
    ['stripe-key', 'P2', () => `stripe = ${fake.stripeTest()}`],
    ['private-key', 'P0', () => fake.privateKey()],
    ['generic-assignment', 'P1', () => `db_password: "${fake.generic()}"`],
    ['generic-assignment', 'P1', () => `export SERVICE_API_TOKEN='${fake.generic()}'`],
  ])('finds %s at %s', (rule, severity, make) => {
    const found = findSecrets(`# config\n${make()}\n`);
    expect(found.map((f) => [f.rule, f.severity, f.line])).toEqual([[rule, severity, 2]]);
  });

  it.each([
    'api_key = "xxxxxxxxxxxxxxxxxxxxxxxxxxxx"',
    'token: ${GITHUB_TOKEN}',
    'password: <your-password-here>',
    'secret = "changeme"',
    'primaryKey = "a8f3k2j9d8s7f6g5h4j3k2l1"',
    'keyboard_layout = "us-international-2024"',
    'apikey = myapikey123',
    'token_url = "https://github.com/login/oauth/access_token"',
    'password_min_length = 12345678901234',
    'const sortKey = handler.resolveKey(event)',
    'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
    // a constant spelling its own name, package coordinates, hex typed in both cases, a vault name
    'const OAUTH_TOKEN_EXCHANGE_GRANT_V2 = "oauth-token-exchange-grant-v2"',
    'secret_dependency = "jjwt-jackson-0.11.2"',
    'signing_key = "9fA3c7E1b5D9f2A4c6E8b0D2"',
    'keyVaultForSecrets: team-vault-prod-0042',
    // a Telegram-shaped prefix of a longer identifier
    'bot = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ-and-more"',
  ])('does not flag %s', (text) => {
    expect(findSecrets(text)).toEqual([]);
  });

  it('masks as first 4 characters and a sha256 prefix, never the raw value', () => {
    const tok = fake.github();
    const [f] = findSecrets(`x=${tok}`);
    expect(f!.masked).toBe(maskValue(tok));
    expect(f!.masked).toMatch(/^ghp_…sha256:[0-9a-f]{12}$/);
    expect(f!.masked).not.toContain(tok.slice(4, 12));
  });

  it('maskSecrets redacts every secret and leaves the rest alone', () => {
    const a = fake.github(), b = fake.aws();
    const text = `clone with ${a} then use ${b} please`;
    const out = maskSecrets(text);
    expect(out).not.toContain(a);
    expect(out).not.toContain(b);
    expect(out).toMatch(/^clone with \[secret ghp_…sha256:[0-9a-f]{12}\] then use \[secret AKIA…sha256:[0-9a-f]{12}\] please$/);
    expect(maskSecrets('nothing to see here')).toBe('nothing to see here');
  });

  it('stays correct on hostile, very long input', () => {
    const tok = fake.github();
    const text = 'token='.repeat(20_000) + ' ' + 'a'.repeat(100_000) + `\npassword: ${tok}`;
    expect(findSecrets(text).map((f) => f.rule)).toEqual(['github-token']);
  });

  it('measures entropy', () => {
    expect(entropy('aaaa')).toBe(0);
    expect(entropy('abcd')).toBe(2);
  });
});

describe('scanning files, directories and environments', () => {
  it('scans a tree, skipping binaries, big files, symlinks and node_modules', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-sec-'));
    try {
      const tok = fake.github();
      mkdirSync(join(dir, 'conf'));
      mkdirSync(join(dir, 'node_modules'));
      writeFileSync(join(dir, 'conf', 'app.env'), `A=1\nGITHUB_TOKEN=${tok}\n`);
      writeFileSync(join(dir, 'node_modules', 'x.env'), `GITHUB_TOKEN=${fake.github()}\n`);
      writeFileSync(join(dir, 'image.bin'), Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from(`t=${fake.github()}`)]));
      writeFileSync(join(dir, 'big.log'), 'x'.repeat(2048));
      symlinkSync(join(dir, 'conf', 'app.env'), join(dir, 'link.env'));
      const r = scanDirectoryForSecrets(dir, { maxBytes: 1024 });
      expect(r.findings.map((f) => [f.path, f.line, f.rule])).toEqual([[join(dir, 'conf', 'app.env'), 2, 'github-token']]);
      expect(r.findings[0]!.message).not.toContain(tok);
      expect(r.skipped.map((s) => [s.path.slice(dir.length + 1), s.reason]).sort()).toEqual([
        ['big.log', 'too large'], ['image.bin', 'binary'],
      ]);
      const alert = secretToAlert(r.findings[0]!);
      expect(alert).toMatchObject({ source: 'secrets', severity: 'P0', check: 'secret_exposed' });
      expect(JSON.stringify(alert)).not.toContain(tok);
      expect(scanFileForSecrets(join(dir, 'link.env')).skipped?.reason).toBe('symlink');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports environment secrets, expected ones at P3', () => {
    const found = scanEnvironmentForSecrets({ HOME: '/root', LEAKED: fake.stripeLive(), APPROVAL_API_KEY: fake.anthropic() }, ['APPROVAL_API_KEY']);
    expect(found.map((f) => [f.path, f.severity]).sort()).toEqual([['env:APPROVAL_API_KEY', 'P3'], ['env:LEAKED', 'P0']]);
  });

  it('flags API keys older than 90 days and bad dates, not fresh ones', () => {
    const now = Date.parse('2026-11-22T00:00:00Z');
    const out = checkKeyAges([
      { name: 'fresh', created: '2026-10-01' },
      { name: 'edge', created: '2026-08-24' },
      { name: 'old', created: '2026-01-01' },
      { name: 'broken', created: 'last tuesday' },
    ], now);
    expect(out.map((f) => [f.path, f.severity])).toEqual([['key:old', 'P2'], ['key:broken', 'P2']]);
    expect(out[1]!.message).toContain('last tuesday');
    expect(secretToAlert(out[0]!)).toMatchObject({ check: 'key_age', severity: 'P2' });
  });
});
