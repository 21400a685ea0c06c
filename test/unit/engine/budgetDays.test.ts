// Issue 25: a budget day starts at midnight in budget.time_zone, and spend is counted by when it was
// spent, not by its UTC hour (a Kolkata day starts at :30 past a UTC hour).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/engine/platform/eventBus.js';
import { Ledger } from '../../../src/engine/store/ledger.js';
import { openStore, type Db } from '../../../src/engine/store/store.js';
import { startOfDay } from '../../../src/engine/tasks/budgetRules.js';
import { TaskQueue } from '../../../src/engine/tasks/queue.js';

const actor = { by: 'tester', surface: 'rest' as const };
let db: Db;
afterEach(() => db?.close());

function spendAt(iso: string, cost: number, clock: { now: Date }, queue: TaskQueue): void {
  clock.now = new Date(iso);
  const t = queue.submit({ task_type: 'chat', estimated_cost: cost }, actor);
  queue.transition(t.task_id, 'task.approve', actor, { reason: 'ok', decided_by: 'operator' });
  queue.transition(t.task_id, 'task.start', actor, { reason: 'go' });
  queue.transition(t.task_id, 'task.complete', actor, { reason: 'done', actual_cost: cost });
}

describe('budget days', () => {
  it('in Asia/Kolkata, spend at 23:50 local is yesterday though it shares a UTC hour with 00:10 local', () => {
    db = openStore(mkdtempSync(join(tmpdir(), 'gh-budget-')));
    const clock = { now: new Date() };
    const queue = new TaskQueue(db, new Ledger(db), new EventBus(), () => clock.now);
    spendAt('2026-03-09T18:20:00Z', 3, clock, queue); // 23:50 IST on the 9th
    spendAt('2026-03-09T18:35:00Z', 2, clock, queue); // 00:05 IST on the 10th
    const since = startOfDay(new Date('2026-03-09T18:40:00Z'), 'Asia/Kolkata');
    expect(since.toISOString()).toBe('2026-03-09T18:30:00.000Z');
    expect(queue.committedCostSince(since)).toEqual({ spent: 2, reserved: 0 });
  });

  it('in America/New_York on the day clocks spring forward, the day began at midnight EST', () => {
    db = openStore(mkdtempSync(join(tmpdir(), 'gh-budget-')));
    const clock = { now: new Date() };
    const queue = new TaskQueue(db, new Ledger(db), new EventBus(), () => clock.now);
    spendAt('2026-03-08T04:30:00Z', 5, clock, queue); // 23:30 EST on the 7th
    spendAt('2026-03-08T05:30:00Z', 1, clock, queue); // 00:30 EST on the 8th
    const since = startOfDay(new Date('2026-03-08T16:00:00Z'), 'America/New_York'); // noon EDT
    expect(queue.committedCostSince(since).spent).toBe(1);
  });
});
