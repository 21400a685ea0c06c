import { afterEach, beforeEach, describe, it, expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApproverLink } from '../../../src/engine/approver/approverLink.js';
import type { ExecutionReport } from '../../../src/engine/approver/approverApi.js';
import { ReportOutbox } from '../../../src/engine/approver/reportOutbox.js';
import { startApproverServer, type ApproverServer } from '../../support/approverServer.js';
import { linkConfig, openDatabase, task, waitFor, type TestDatabase } from '../../support/approverFixtures.js';

let server: ApproverServer;
let dir: string;
const cleanup: Array<() => unknown> = [];
beforeEach(async () => {
  server = await startApproverServer();
  dir = mkdtempSync(join(tmpdir(), 'gh-outbox-'));
});
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

const fastBackoff = { initial_delay_ms: 5, backoff_multiplier: 2, max_delay_ms: 20 };

function report(id: string, status: ExecutionReport['status'] = 'completed'): ExecutionReport {
  return { task_id: id, status, result: { n: id }, actual_cost: 0.1, start_time: '2026-01-01T00:00:00.000Z', end_time: '2026-01-01T00:00:01.000Z', logs: ['done'], error_message: null, duration_ms: 1000 };
}

function open(): { db: TestDatabase; link: ApproverLink; outbox: ReportOutbox } {
  const db = openDatabase(join(dir, 'gatehouse.db'));
  const link = new ApproverLink({ config: linkConfig(server.url, { fallback_after_failures: 2 }) });
  const outbox = new ReportOutbox(db, { send: (r) => link.sendReport(r), backoff: fastBackoff, pollMs: 20 });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await outbox.stop();
    link.stop();
    db.close();
  };
  cleanup.push(close);
  return { db, link, outbox };
}

describe('report outbox', () => {
  it('delivers a report once, with its idempotency key, and ignores a repeat enqueue', async () => {
    const { outbox } = open();
    expect(outbox.enqueue(report('a'))).toBe(true);
    expect(outbox.enqueue(report('a'))).toBe(false);
    expect(outbox.enqueue(report('a', 'aborted'))).toBe(true);
    expect(await outbox.flush()).toEqual({ delivered: 2, failed: 0 });
    expect(await outbox.flush()).toEqual({ delivered: 0, failed: 0 });
    expect([...server.reports.entries()].map(([k, v]) => [k, v.count])).toEqual([['a:completed', 1], ['a:aborted', 1]]);
    expect(server.reports.get('a:completed')?.body).toEqual(report('a'));
    expect(outbox.pendingCount()).toBe(0);
  });

  it('prunes only delivered reports', async () => {
    await server.stop();
    const { outbox } = open();
    outbox.enqueue(report('late'));
    await outbox.flush();
    await server.restart();
    outbox.enqueue(report('sent'));
    outbox.retryNow();
    await outbox.flush();
    await server.stop();
    outbox.enqueue(report('waiting'));
    await outbox.flush();
    expect(outbox.pruneDelivered(-1000)).toBe(2);
    expect(outbox.deliveryState('sent:completed')).toBeNull();
    expect(outbox.deliveryState('waiting:completed')?.delivered_at).toBeNull();
    expect(outbox.pendingCount()).toBe(1);
  });

  it('refuses an invalid report at the door', () => {
    const { outbox } = open();
    expect(() => outbox.enqueue({ ...report('a'), status: 'running' as never })).toThrow();
  });

  it('holds reports through an approver outage and delivers each exactly once after recovery', async () => {
    const { outbox, link } = open();
    link.on('state', (s) => s === 'online' && outbox.retryNow());
    link.start();
    outbox.start();
    await server.stop();
    for (const id of ['r1', 'r2', 'r3', 'r4', 'r5']) outbox.enqueue(report(id));
    await waitFor(() => (outbox.deliveryState('r1:completed')?.attempts ?? 0) >= 2, 'failed attempts while down');
    expect(outbox.pendingCount()).toBe(5);
    expect(outbox.deliveryState('r1:completed')?.last_error).toBeTruthy();
    await server.restart();
    await waitFor(() => outbox.pendingCount() === 0, 'all delivered after recovery');
    await outbox.flush();
    expect(server.reports.size).toBe(5);
    for (const v of server.reports.values()) expect(v.count).toBe(1);
    expect(server.requestsFor('report')).toHaveLength(5);
  });

  it('survives a restart: reports queued before closing the DB are delivered once after reopening', async () => {
    await server.stop();
    const first = open();
    first.outbox.enqueue(report('x1', 'failed'));
    first.outbox.enqueue(report('x2'));
    expect((await first.outbox.flush()).failed).toBe(2);
    await cleanup.pop()!();

    await server.restart();
    const second = open();
    expect(second.outbox.pendingCount()).toBe(2);
    second.outbox.retryNow();
    expect((await second.outbox.flush()).delivered).toBe(2);
    await cleanup.pop()!();

    const third = open();
    third.outbox.retryNow();
    expect(await third.outbox.flush()).toEqual({ delivered: 0, failed: 0 });
    expect([...server.reports.values()].map((v) => v.count)).toEqual([1, 1]);
    expect(server.requestsFor('report')).toHaveLength(2);
  });

  it('never sends the same report twice when passes overlap', async () => {
    server.set('report', { kind: 'delay', ms: 50, then: { kind: 'json', body: { success: true, message: '' } } });
    const { outbox } = open();
    outbox.enqueue(report('o1'));
    await Promise.all([outbox.flush(), outbox.flush(), outbox.flush()]);
    expect(server.requestsFor('report')).toHaveLength(1);
  });
});

describe('fallback review', () => {
  it('lists every fallback decision until it is reviewed, across a reopen', async () => {
    server.set('approve', { kind: 'status', status: 500 });
    const db = openDatabase(join(dir, 'gatehouse.db'));
    const outbox = new ReportOutbox(db, { send: async () => {} });
    const link = new ApproverLink({ config: linkConfig(server.url), review: outbox });
    const t1 = task({ estimated_cost: 0.2 });
    const t2 = task({ estimated_cost: 99 });
    await link.decide(t1);
    await link.decide(t2);
    link.stop();
    db.close();

    const db2 = openDatabase(join(dir, 'gatehouse.db'));
    cleanup.push(() => db2.close());
    const outbox2 = new ReportOutbox(db2, { send: async () => {} });
    const items = outbox2.listForReview();
    expect(items.map((i) => [i.task_id, i.approved])).toEqual([
      [t1.task_id, true],
      [t2.task_id, false],
    ]);
    expect(items[0]?.constraints.map((c) => c.type)).toEqual(['cost_limit', 'time_limit', 'resource_factor']);
    expect(outbox2.countForReview()).toBe(2);
    expect(outbox2.markReviewed(t1.task_id, 'operator:alice')).toBe(true);
    expect(outbox2.markReviewed(t1.task_id, 'operator:bob')).toBe(false);
    expect(outbox2.markReviewed('nope', 'operator:alice')).toBe(false);
    expect(outbox2.listForReview().map((i) => i.task_id)).toEqual([t2.task_id]);
  });
});
