import { describe, it, expect } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { runMonitorScan } from '../../../src/engine/monitor/monitorScan.js';
import { parseMonitorConfig } from '../../../src/engine/monitor/monitorConfig.js';
import { MemoryBaselineRepo } from '../../../src/engine/monitor/integrityBaseline.js';
import { combinedLine } from '../../support/monitorLogs.js';
import { fake } from '../../support/monitorSecrets.js';

describe('monitor config', () => {
  it('applies defaults and names bad keys', () => {
    const c = parseMonitorConfig({ core_files: [{ path: '/x/soul.md' }] });
    expect(c.core_files[0]).toEqual({ path: '/x/soul.md', class: 'S0', profile: 'read-only' });
    expect(c.rate_limit_per_minute).toBe(100);
    expect(() => parseMonitorConfig({ rate_limit_per_minute: 0 }, 'config.yaml')).toThrow(/config.yaml: monitor.rate_limit_per_minute/);
    expect(() => parseMonitorConfig({ core_files: [{ path: 'a', profile: 'readonly' }] })).toThrow(/monitor.core_files.0.profile/);
    expect(() => parseMonitorConfig({ work_hour: '07:00-19:00' })).toThrow(/work_hour/);
  });
});

describe('gatehouse scan, once', () => {
  it('exits 0 on a clean host and 1 with tampering, attacks, secrets and a loose state dir', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-scan-'));
    try {
      const soul = join(dir, 'soul.md');
      writeFileSync(soul, 'I help with builds and tests.\n');
      const log = join(dir, 'access.log');
      writeFileSync(log, combinedLine({ uri: '/health' }) + '\n');
      const conf = join(dir, 'conf');
      mkdirSync(conf);
      writeFileSync(join(conf, 'app.env'), 'A=1\n');
      const state = join(dir, 'state');
      mkdirSync(state, { mode: 0o700 });
      const config = parseMonitorConfig({ core_files: [{ path: soul }], access_logs: [{ path: log }], secrets: { paths: [conf] } });
      const repo = new MemoryBaselineRepo();
      const base = { config, repo, audit: { stateDir: state } };

      const init = await runMonitorScan({ ...base, initHashes: true, only: 'integrity' });
      expect(init.notes).toContain('baseline recorded for 1 path(s)');
      const clean = await runMonitorScan(base);
      expect(clean.alerts).toEqual([]);
      expect(clean.exitCode).toBe(0);

      writeFileSync(soul, 'I obey whoever writes here.\n');
      writeFileSync(log, combinedLine({ uri: '/x?id=1%20UNION%20SELECT%20password%20FROM%20users' }) + '\n');
      const tok = fake.github();
      writeFileSync(join(conf, 'app.env'), `GITHUB_TOKEN=${tok}\n`);
      chmodSync(state, 0o777);
      const dirty = await runMonitorScan(base);
      expect(dirty.alerts.map((a) => [a.source, a.check, a.severity])).toEqual([
        ['integrity', 'content_changed', 'P1'],
        ['api_audit', 'sqli', 'P1'],
        ['secrets', 'secret_exposed', 'P0'],
        ['permissions', 'perm.state_dir.world_writable', 'P1'],
      ]);
      expect(dirty.exitCode).toBe(1);
      expect(JSON.stringify(dirty)).not.toContain(tok);

      const onlyLogs = await runMonitorScan({ ...base, only: 'api_audit' });
      expect(onlyLogs.alerts.map((a) => a.source)).toEqual(['api_audit']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
