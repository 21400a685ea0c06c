import { describe, expect, it } from 'vitest';
import { TASK_EVENTS, nextStatus, legalEvents, type TaskEventType } from '../../../src/machines/task.machine.js';
import { TASK_STATUSES, type TaskStatus } from '../../../src/shared/task.js';

// The whole law as a table: from each status, each event leads to this status, or is illegal (null).
const LAW: Record<TaskStatus, Partial<Record<TaskEventType, TaskStatus>>> = {
  pending: { 'task.request_approval': 'pending_approval', 'task.abort': 'aborted' },
  pending_approval: { 'task.approve': 'approved', 'task.reject': 'rejected', 'task.abort': 'aborted' },
  approved: { 'task.start': 'running', 'task.fail': 'failed', 'task.abort': 'aborted' },
  running: { 'task.complete': 'completed', 'task.fail': 'failed', 'task.abort': 'aborted' },
  completed: {},
  failed: {},
  rejected: {},
  aborted: {},
};

describe('task lifecycle', () => {
  const rows = TASK_STATUSES.flatMap((from) => TASK_EVENTS.map((event) => [from, event, LAW[from][event] ?? null] as const));
  it.each(rows)('%s --%s--> %s', (from, event, expected) => {
    expect(nextStatus(from, event)).toBe(expected);
  });

  it('has no way out of a terminal status', () => {
    for (const s of ['completed', 'failed', 'rejected', 'aborted'] as const) expect(legalEvents(s)).toEqual([]);
  });

  it('covers all 8 statuses and 56 pairs', () => {
    expect(rows).toHaveLength(56);
  });
});
