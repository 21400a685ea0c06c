// One engine per state dir: a second is refused and names the first's pid; a stale lock is taken over.
import { writeFileSync, existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, startEngine, tempStateDir } from '../../support/engine.js';

describe('single-instance lock', () => {
  it('refuses a second engine and names the running pid', async () => {
    const e = await startEngine();
    try {
      const second = cli(['run', '--no-tui', '--port', '0'], { stateDir: e.stateDir });
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`pid ${e.proc.pid}`);
      expect((await e.http('GET', '/api/queue/status')).status).toBe(200);
    } finally {
      expect(await e.stop()).toBe(0);
    }
    for (const f of ['gatehouse.lock', 'gatehouse.sock', 'sentinel.json']) expect(existsSync(join(e.stateDir, f)), f).toBe(false);
  });

  it('takes over the stale lock of a dead pid', async () => {
    const stateDir = tempStateDir();
    writeFileSync(join(stateDir, 'gatehouse.lock'), JSON.stringify({ pid: 2 ** 22 + 17, starttime: '1', createdAt: 'then', host: hostname() }), { mode: 0o600 });
    const e = await startEngine({ stateDir });
    expect((await e.http('GET', '/api/queue/status')).status).toBe(200);
    await e.stop();
  });

  it('takes over a lock whose pid was recycled by another process', async () => {
    const stateDir = tempStateDir();
    // Our own pid is alive, but the start time does not match: a recycled pid.
    writeFileSync(join(stateDir, 'gatehouse.lock'), JSON.stringify({ pid: process.pid, starttime: '1', createdAt: 'then', host: hostname() }), { mode: 0o600 });
    const e = await startEngine({ stateDir });
    expect((await e.http('GET', '/api/queue/status')).status).toBe(200);
    await e.stop();
  });
});
