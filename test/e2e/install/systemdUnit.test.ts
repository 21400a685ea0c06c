// contrib/systemd/gatehouse.service: systemd itself finds nothing to say about it (verify prints no
// warning: an unknown key or a bad value is only a warning there), it carries the hardening the README
// promises, and the command line and environment it gives the engine really run it headless with
// NDJSON logs, reload it on HUP and stop it cleanly on TERM.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, REPO, tempStateDir, waitFor } from '../../support/engine.js';

const UNIT = join(REPO, 'contrib/systemd/gatehouse.service');
const unitText = readFileSync(UNIT, 'utf8');
const hasAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;
if (!hasAnalyze) {
  console.warn('\n!!! WARNING: systemd-analyze is not installed: contrib/systemd/gatehouse.service is NOT verified (apt-get install systemd) !!!\n');
}

/** Every value of a key in the [Service] section, in order. */
function serviceValues(key: string): string[] {
  const service = unitText.split(/^\[/m).find((s) => s.startsWith('Service]')) ?? '';
  return [...service.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]!.trim());
}

describe('the systemd unit', () => {
  it.skipIf(!hasAnalyze)('passes systemd-analyze verify without a single warning', () => {
    // verify checks that ExecStart is executable: point it at this checkout's bin instead of the installed one.
    const dir = tempStateDir('gh-unit-');
    const unit = join(dir, 'gatehouse.service');
    writeFileSync(unit, unitText.replace('ExecStart=gatehouse ', `ExecStart=${BIN} `));
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', unit], { encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`.trim()).toBe('');
    expect(r.status).toBe(0);

    // The check can fail: a misspelt key is reported.
    writeFileSync(unit, unitText.replace('ExecStart=gatehouse ', `ExecStart=${BIN} `).replace('ExecReload=', 'ExecRelaod='));
    const bad = spawnSync('systemd-analyze', ['verify', '--man=no', unit], { encoding: 'utf8' });
    expect(bad.stderr).toMatch(/Unknown key 'ExecRelaod'/);
  });

  it('runs headless with NDJSON logs, restarts on failure, and is hardened', () => {
    expect(serviceValues('ExecStart')).toEqual(['gatehouse run --no-tui --log-format json']);
    expect(serviceValues('ExecReload')).toEqual(['/bin/kill -HUP $MAINPID']);
    expect(serviceValues('Restart')).toEqual(['on-failure']);
    for (const [key, value] of [
      ['NoNewPrivileges', 'yes'],
      ['ProtectSystem', 'strict'],
      ['ProtectHome', 'read-only'],
      ['PrivateTmp', 'yes'],
      ['StateDirectory', 'gatehouse'],
      ['StateDirectoryMode', '0700'],
      ['UMask', '0077'],
      ['StandardOutput', 'journal'],
    ]) expect(serviceValues(key!), key).toEqual([value]);
    // The state dir the engine is told to use is the one systemd makes and lets it write.
    expect(serviceValues('Environment')).toContain('GATEHOUSE_STATE_DIR=/var/lib/gatehouse');
    expect(serviceValues('ReadWritePaths')[0]!.split(/\s+/)).toContain('/var/lib/gatehouse');
  });

  it("the unit's command and environment start the engine; HUP reloads it and TERM stops it with exit 0", async () => {
    const root = tempStateDir('gh-unit-run-');
    const env: NodeJS.ProcessEnv = { ...process.env, GATEHOUSE_API_TOKEN: '', GATEHOUSE_POLICY: '' };
    // The unit's Environment= lines, with its system paths moved under a temp root (no root needed).
    for (const line of serviceValues('Environment')) {
      const [k, v] = line.split('=', 2) as [string, string];
      env[k] = join(root, v);
    }
    const stateDir = env.GATEHOUSE_STATE_DIR!;
    const args = serviceValues('ExecStart')[0]!.split(/\s+/).slice(1);
    const proc = spawn(process.execPath, [BIN, ...args, '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    try {
      await waitFor(() => /"msg":"engine started"/.test(out), 30_000, 'engine started');
      expect(existsSync(join(stateDir, 'gatehouse.db'))).toBe(true);
      expect(existsSync(join(env.XDG_CONFIG_HOME!, 'gatehouse', 'policy.yaml'))).toBe(true);
      proc.kill('SIGHUP');
      await waitFor(() => /"msg":"config reloaded"/.test(out), 10_000, 'config reloaded');
    } finally {
      proc.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    // Every stdout line is one JSON object: what journald stores and `journalctl -o cat` prints.
    for (const line of out.split('\n').filter(Boolean)) expect(() => JSON.parse(line), line).not.toThrow();
  });
});
