// The task lifecycle (docs/rest-api.md, contract). The only authority on which transition is legal.
// Tasks are rows; this machine is the law applied to them, never one live actor per task.
import { setup, transition } from 'xstate';
import type { TaskStatus } from '../shared/task.js';

export const TASK_EVENTS = [
  'task.request_approval',
  'task.approve',
  'task.reject',
  'task.start',
  'task.complete',
  'task.fail',
  'task.abort',
] as const;
export type TaskEventType = (typeof TASK_EVENTS)[number];
export type TaskEvent = { type: TaskEventType };

export const taskMachine = setup({
  types: { events: {} as TaskEvent },
}).createMachine({
  id: 'task',
  initial: 'pending',
  states: {
    pending: {
      on: { 'task.request_approval': 'pending_approval', 'task.abort': 'aborted' },
    },
    pending_approval: {
      on: { 'task.approve': 'approved', 'task.reject': 'rejected', 'task.abort': 'aborted' },
    },
    approved: {
      on: { 'task.start': 'running', 'task.fail': 'failed', 'task.abort': 'aborted' },
    },
    running: {
      on: { 'task.complete': 'completed', 'task.fail': 'failed', 'task.abort': 'aborted' },
    },
    completed: { type: 'final' },
    failed: { type: 'final' },
    rejected: { type: 'final' },
    aborted: { type: 'final' },
  },
});

/** The status a task moves to on this event, or null when the transition is illegal. */
export function nextStatus(from: TaskStatus, event: TaskEventType): TaskStatus | null {
  const snapshot = taskMachine.resolveState({ value: from });
  const [next] = transition(taskMachine, snapshot, { type: event });
  const to = next.value as TaskStatus;
  // xstate leaves the state unchanged for an event the state does not handle; no legal event is a self-loop.
  return to === from ? null : to;
}

/** The events that are legal from a status (for hints and error messages). */
export function legalEvents(from: TaskStatus): TaskEventType[] {
  return TASK_EVENTS.filter((e) => nextStatus(from, e) !== null);
}
