// The queue answers with tasks it builds from the values it writes instead of reading the row back
// (the submit path is hot). These tests hold it to that: every answer and every event must equal a
// fresh read of the store, key for key and in the same order, and the records must all be there.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../src/shared/events.js';
import { EventBus } from '../../../src/engine/platform/eventBus.js';
import { Ledger, verifyLedger } from '../../../src/engine/store/ledger.js';
import { TaskQueue, newTaskId } from '../../../src/engine/tasks/queue.js';
import { openStore, type Db } from '../../../src/engine/store/store.js';

const actor = { by: 'tester', surface: 'rest' as const };

describe('task queue writes', () => {
  let db: Db;
  let queue: TaskQueue;
  let events: EngineEvent[];

  beforeEach(() => {
    db = openStore(mkdtempSync(join(tmpdir(), 'gh-queue-')));
    const bus = new EventBus();
    events = [];
    bus.subscribe((e) => events.push(e));
    queue = new TaskQueue(db, new Ledger(db), bus);
  });
  afterEach(() => db.close());

  const same = (a: unknown, b: unknown) => expect(JSON.stringify(a)).toBe(JSON.stringify(b));

  it('answers a submission with exactly the stored row, and records both transitions', () => {
    const task = queue.submit(
      { task_type: 'chat', description: 'd', estimated_cost: 1.5, estimated_duration_ms: 20, context: { a: [1, { b: null }], skip: undefined } },
      actor,
    );
    expect(task.status).toBe('pending_approval');
    same(task, queue.get(task.task_id));
    expect(task.context).toEqual({ a: [1, { b: null }] });

    const types = events.map((e) => e.type);
    expect(types).toEqual(['task.submitted', 'task.transitioned']);
    const [submitted, moved] = events as [Extract<EngineEvent, { type: 'task.submitted' }>, Extract<EngineEvent, { type: 'task.transitioned' }>];
    expect(submitted.task.status).toBe('pending');
    same({ ...submitted.task, status: 'pending_approval' }, queue.get(task.task_id));
    expect([moved.from, moved.to]).toEqual(['pending', 'pending_approval']);
    same(moved.task, queue.get(task.task_id));

    const d = queue.detail(task.task_id);
    expect(d.transitions.map((t) => [t.seq, t.from, t.to, t.by, t.surface, t.reason, t.at])).toEqual([
      [1, null, 'pending', 'tester', 'rest', 'submitted', task.created_at],
      [2, 'pending', 'pending_approval', 'tester', 'rest', 'awaiting approval', task.created_at],
    ]);
    expect(queue.status().by_status).toMatchObject({ pending: 0, pending_approval: 1 });
    // One record covers the submission and both of its transitions.
    const ledger = db.prepare('SELECT ts, actor, surface, action, subject, detail, reason FROM ledger ORDER BY seq').all() as Array<Record<string, string>>;
    expect(ledger).toEqual([
      {
        ts: task.created_at,
        actor: 'tester',
        surface: 'rest',
        action: 'task.submit',
        subject: task.task_id,
        detail: JSON.stringify({ task_type: 'chat', estimated_cost: 1.5, statuses: ['pending', 'pending_approval'] }),
        reason: 'awaiting approval',
      },
    ]);
    expect(verifyLedger(db)).toEqual({ ok: true, records: 1 });
  });

  it('answers every later transition with exactly the stored row', () => {
    const { task_id } = queue.submit({ task_type: 'batch' }, actor);
    const steps = [
      queue.transition(task_id, 'task.approve', actor, { reason: 'ok', decided_by: 'budget', constraints: [{ type: 'cost_limit', value: 2, reason: null }] }),
      queue.transition(task_id, 'task.start', actor, { logs: ['one', 'two'] }),
      queue.transition(task_id, 'task.complete', actor, { result: { out: [1, 2], n: null }, actual_cost: 0.25, logs: ['three'] }),
    ];
    for (const t of steps) expect(t).toBeDefined();
    const final = queue.get(task_id);
    same(steps[2], final);
    expect(final).toMatchObject({ status: 'completed', decided_by: 'budget', decision_reason: 'ok', actual_cost: 0.25, logs: ['one', 'two', 'three'], result: { out: [1, 2], n: null } });
    expect(queue.detail(task_id).transitions.map((t) => [t.seq, t.from, t.to])).toEqual([
      [1, null, 'pending'],
      [2, 'pending', 'pending_approval'],
      [3, 'pending_approval', 'approved'],
      [4, 'approved', 'running'],
      [5, 'running', 'completed'],
    ]);
    const moved = events.filter((e): e is Extract<EngineEvent, { type: 'task.transitioned' }> => e.type === 'task.transitioned').at(-1)!;
    same(moved.task, final);
    expect(queue.status()).toMatchObject({ total_tasks: 1, by_status: { completed: 1, pending_approval: 0, approved: 0, running: 0 }, total_cost_usd: 0.25 });
    expect(verifyLedger(db).ok).toBe(true);
  });

  it('refuses a duplicate id without writing anything, and keeps the ledger chain whole', () => {
    queue.submit({ task_id: 'dup-1', task_type: 'chat' }, actor);
    expect(() => queue.submit({ task_id: 'dup-1', task_type: 'chat' }, actor)).toThrow(/already exists/);
    queue.submit({ task_type: 'chat' }, actor);
    expect(queue.status().total_tasks).toBe(2);
    expect(verifyLedger(db)).toEqual({ ok: true, records: 2 });
  });

  it('commits submissions of one turn together, refusing only the one that fails', async () => {
    queue.submit({ task_id: 'taken', task_type: 'chat' }, actor);
    const answers = await Promise.allSettled([
      queue.submitGrouped({ task_type: 'chat', description: 'a' }, actor),
      queue.submitGrouped({ task_id: 'taken', task_type: 'chat' }, actor),
      queue.submitGrouped({ task_type: 'batch', context: { k: 1 } }, actor),
    ]);
    expect(answers.map((a) => a.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((answers[1] as PromiseRejectedResult).reason)).toMatch(/task taken already exists/);
    for (const a of answers) if (a.status === 'fulfilled') same(a.value, queue.get(a.value.task_id));
    expect(queue.status().total_tasks).toBe(3);
    expect(verifyLedger(db)).toEqual({ ok: true, records: 3 });
    const submittedIds = events.filter((e) => e.type === 'task.submitted').map((e) => (e as Extract<EngineEvent, { type: 'task.submitted' }>).task.task_id);
    expect(submittedIds).toEqual(['taken', ...answers.flatMap((a) => (a.status === 'fulfilled' ? [a.value.task_id] : []))]);
  });

  it('keeps the status summary true across commits, refusals and rollbacks', () => {
    expect(queue.status().total_tasks).toBe(0);
    const { task_id } = queue.submit({ task_type: 'chat' }, actor);
    expect(queue.status().by_status.pending_approval).toBe(1);
    expect(() => queue.transition(task_id, 'task.complete', actor)).toThrow(/cannot complete/);
    queue.transition(task_id, 'task.approve', actor);
    expect(queue.status()).toMatchObject({ pending_approval: 0, by_status: { approved: 1 } });
    // A rollback of an outer transaction must not leave a summary read inside it behind.
    expect(() =>
      db.transaction(() => {
        queue.transition(task_id, 'task.start', actor);
        expect(queue.status().running).toBe(1);
        throw new Error('roll back');
      })(),
    ).toThrow('roll back');
    expect(queue.status()).toMatchObject({ running: 0, by_status: { approved: 1 } });
    queue.transition(task_id, 'task.start', actor);
    queue.transition(task_id, 'task.complete', actor, { actual_cost: 2 });
    expect(queue.status()).toMatchObject({ total_tasks: 1, running: 0, total_cost_usd: 2, by_status: { completed: 1 } });
    const copy = queue.status();
    copy.by_status.completed = 99;
    expect(queue.status().by_status.completed).toBe(1);
  });

  it('makes distinct ids from the pooled random bytes', () => {
    const ids = new Set(Array.from({ length: 5000 }, () => newTaskId()));
    expect(ids.size).toBe(5000);
    for (const id of ids) expect(id).toMatch(/^t-[0-9a-f]{12}$/);
  });

  it('derives the same figures when the store is opened again', () => {
    const a = queue.submit({ task_type: 'chat' }, actor);
    const b = queue.submit({ task_type: 'chat' }, actor);
    queue.submit({ task_type: 'batch' }, actor);
    queue.transition(a.task_id, 'task.approve', actor);
    queue.transition(a.task_id, 'task.start', actor);
    queue.transition(a.task_id, 'task.complete', actor, { actual_cost: 0.75 });
    queue.transition(b.task_id, 'task.reject', actor, { reason: 'no' });
    const before = queue.status();
    const reopened = new TaskQueue(db, new Ledger(db), new EventBus());
    expect({ ...reopened.status(), timestamp: 0 }).toEqual({ ...before, timestamp: 0 });
    expect(before).toMatchObject({ total_tasks: 3, total_cost_usd: 0.75, by_status: { completed: 1, rejected: 1, pending_approval: 1 } });
    expect(reopened.list({ status: 'pending_approval' }).total).toBe(1);
  });
});
