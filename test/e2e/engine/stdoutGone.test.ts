// Headless mode echoes its log on stdout. When whoever read it goes away (a closed terminal, a pipe
// into a program that exited), the engine must go on with its log file alone, and still stop cleanly.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEngine, waitFor, type RunningEngine } from '../../support/engine.js';

describe('stdout closed under a headless engine', () => {
  let e: RunningEngine | null = null;
  afterEach(async () => {
    if (e && e.proc.exitCode === null) await e.kill9();
  });

  it('keeps serving, logs to its file, and drains on SIGTERM', async () => {
    e = await startEngine();
    e.proc.stdout!.destroy();
    // Log lines written now hit a closed pipe.
    for (let i = 0; i < 5; i++) expect((await e.http('POST', '/api/tasks', { task_type: 'chat', description: `after stdout closed ${i}` })).status).toBe(201);
    expect((await e.http('GET', '/api/queue/status')).body.data.total_tasks).toBe(5);
    const exited = new Promise<number | null>((r) => e!.proc.once('exit', (code) => r(code)));
    e.proc.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 15_000))]);
    expect(code).toBe(0);
    const logs = join(e.stateDir, 'logs');
    const bytes = readdirSync(logs).reduce((n, f) => n + statSync(join(logs, f)).size, 0);
    // A few dozen lines, not an error loop.
    expect(bytes).toBeLessThan(200_000);
    await waitFor(() => readdirSync(e!.stateDir).every((f) => f !== 'gatehouse.lock'), 2_000, 'the lock to be released');
  }, 40_000);
});
