// kill -9 at several points during a burst: nothing acknowledged is lost, running tasks are reconciled,
// the crash is reported, and the database is intact.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, startEngine, tempStateDir, waitFor } from '../../support/engine.js';

interface Acked {
  id: string;
  /** Statuses acknowledged for this task, in order. */
  statuses: string[];
}

async function burst(e: Awaited<ReturnType<typeof startEngine>>, acked: Map<string, Acked>, stopAt: number): Promise<void> {
  // Many concurrent writers; each acknowledgement is recorded before the next step is sent.
  let sent = 0;
  const worker = async () => {
    while (sent < stopAt) {
      sent++;
      try {
        const sub = await e.http('POST', '/api/tasks', { task_type: 'chat', estimated_cost: 0.01, description: `burst ${sent}` });
        if (sub.status !== 201) return;
        const a: Acked = { id: sub.body.data.task_id, statuses: ['pending_approval'] };
        acked.set(a.id, a);
        for (const [path, status] of [
          [`/api/queue/approve/${a.id}`, 'approved'],
          [`/api/tasks/${a.id}/start`, 'running'],
        ] as const) {
          const r = await e.http('POST', path, {});
          if (r.status !== 200) return;
          a.statuses.push(status);
        }
        if (sent % 3 === 0) {
          const r = await e.http('POST', `/api/tasks/${a.id}/complete`, { actual_cost: 0.01 });
          if (r.status === 200) a.statuses.push('completed');
        }
      } catch {
        return; // the engine died under us: what was not acknowledged may be lost
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

describe('crash safety', () => {
  it.each([
    [1, 3],
    [2, 40],
    [3, 150],
  ])('kill -9 during a burst (round %i, after ~%i acknowledged tasks) loses nothing acknowledged', async (_round, after) => {
    const stateDir = tempStateDir();
    const e = await startEngine({ stateDir });
    const acked = new Map<string, Acked>();
    const running = burst(e, acked, 10_000);
    const point = after + Math.floor(Math.random() * after);
    await waitFor(() => acked.size >= point, 30_000, `${point} acknowledged tasks`);
    await e.kill9();
    await running;
    expect(acked.size).toBeGreaterThan(0);

    const again = await startEngine({ stateDir });
    try {
      for (const a of acked.values()) {
        const r = await again.http('GET', `/api/queue/task/${a.id}`);
        expect(r.status, `task ${a.id} acknowledged but missing`).toBe(200);
        const stored = (r.body.data.transitions as Array<{ to: string }>).map((t) => t.to);
        for (const s of a.statuses) expect(stored, `task ${a.id}`).toContain(s);
        expect(r.body.data.status).not.toBe('running');
        if (a.statuses.at(-1) === 'running') {
          // Either the crash was reconciled, or a completion was committed whose answer the kill cut off.
          expect(['failed', 'completed']).toContain(r.body.data.status);
          if (r.body.data.status === 'failed') expect(r.body.data.error_message).toMatch(/engine crashed/);
        }
      }
      const alerts = await again.http('GET', '/api/alerts');
      expect(alerts.body.data.some((x: { check: string }) => x.check === 'crash_recovered')).toBe(true);
      const status = JSON.parse(cli(['status', '--json'], { stateDir }).stdout);
      expect(status.crashed_last_run).toBe(true);
      expect(status.queue.running).toBe(0);
    } finally {
      expect(await again.stop()).toBe(0);
    }
    const db = new Database(join(stateDir, 'gatehouse.db'), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    // A clean stop leaves no sentinel: the next start is not a crash.
    const third = await startEngine({ stateDir });
    const s = await third.http('GET', '/api/alerts');
    expect(s.body.data.filter((x: { check: string }) => x.check === 'crash_recovered')).toHaveLength(1);
    await third.stop();
  });
});
