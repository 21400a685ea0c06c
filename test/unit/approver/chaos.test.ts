import { afterEach, beforeEach, describe, it, expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApproverLink, type ApprovalOutcome } from '../../../src/engine/approver/approverLink.js';
import { ReportOutbox } from '../../../src/engine/approver/reportOutbox.js';
import type { ApproverLinkState } from '../../../src/shared/events.js';
import { approve, startApproverServer, type ApproverServer } from '../../support/approverServer.js';
import { linkConfig, openDatabase, task, waitFor } from '../../support/approverFixtures.js';

let server: ApproverServer;
let dir: string;
beforeEach(async () => {
  server = await startApproverServer();
  dir = mkdtempSync(join(tmpdir(), 'gh-chaos-'));
});
afterEach(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('chaos: the approver comes and goes during 1,000 decisions', () => {
  it('every decision settles and every fallback decision is listed for review', async () => {
    const db = openDatabase(join(dir, 'gatehouse.db'));
    const outbox = new ReportOutbox(db, { send: async () => {} });
    const link = new ApproverLink({
      config: linkConfig(server.url, {
        timeout_ms: 250,
        health_interval_ms: 50,
        fallback_after_failures: 2,
        retry_policy: { enabled: true, max_attempts: 2, backoff_multiplier: 2, initial_delay_ms: 5, max_delay_ms: 10 },
      }),
      review: outbox,
    });
    const states: ApproverLinkState[] = [];
    link.on('state', (s) => states.push(s));
    link.start();
    // Sometimes the approver is merely slow or broken rather than gone.
    let k = 0;
    server.set('approve', () => {
      k++;
      if (k % 7 === 0) return { kind: 'status', status: 503 };
      if (k % 11 === 0) return { kind: 'delay', ms: 2_000, then: approve() };
      if (k % 13 === 0) return { kind: 'destroy' };
      return approve([{ type: 'cost_limit', value: 1 }]);
    });

    // Ten blocks of 100 decisions; the approver flips (gone / back) halfway through each block
    // without waiting, and between blocks; after it comes back the health loop has to find it.
    let cycles = 0;
    const flip = async (): Promise<void> => {
      if (server.running) await server.stop();
      else await server.restart();
      cycles++;
    };
    const tasks = Array.from({ length: 1000 }, (_, i) => task({ estimated_cost: (i % 10) * 0.7 }));
    const outcomes = new Map<string, ApprovalOutcome>();
    const flips: Promise<void>[] = [];
    for (let block = 0; block < 10; block++) {
      const slice = tasks.slice(block * 100, block * 100 + 100);
      let next = 0;
      await Promise.all(
        Array.from({ length: 25 }, async () => {
          while (next < slice.length) {
            const i = next++;
            if (i === 50) flips.push(flip());
            const t = slice[i]!;
            outcomes.set(t.task_id, await link.decide(t));
          }
        }),
      );
      await Promise.all(flips.splice(0));
      await flip();
      if (server.running) await waitFor(() => link.state === 'online', 'link back online');
    }
    link.stop();

    expect(cycles).toBeGreaterThan(3);
    expect(outcomes.size).toBe(1000);
    const fallback = [...outcomes].filter(([, o]) => o.decided_by === 'fallback');
    const remote = [...outcomes].filter(([, o]) => o.decided_by === 'approver');
    expect(fallback.length).toBeGreaterThan(0);
    expect(remote.length).toBeGreaterThan(0);
    // Fallback never approves past the strict limits.
    for (const [, o] of fallback) if (o.approved) expect(o.constraints.find((c) => c.type === 'cost_limit')!.value).toBeLessThanOrEqual(5);
    const review = outbox.listForReview(10_000);
    expect(new Set(review.map((r) => r.task_id))).toEqual(new Set(fallback.map(([id]) => id)));
    expect(outbox.countForReview()).toBe(fallback.length);
    expect(states).toContain('fallback');
    expect(states).toContain('online');
    db.close();
  }, 120_000);
});
