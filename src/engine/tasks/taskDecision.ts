// What a decider says about a task waiting for approval, and the shape of a decider. The engine runs
// the deciders in order (budget limits, the approver link, budget auto-approval); the rooms that
// contribute one depend on this file, not on the engine.
import type { Constraint, DecidedBy, Task } from '../../shared/task.js';

/** A decision on a task waiting for approval; null = leave it to the operator. */
export interface TaskDecision {
  approved: boolean;
  reason: string;
  constraints: Constraint[];
  decided_by: Exclude<DecidedBy, 'operator'>;
  retry_after_seconds?: number | null;
}

/**
 * The seam for deciders (budget rules now; the remote approver link plugs in ahead of them). A decider
 * that can answer at once returns its answer; one that must wait returns a promise.
 */
export type TaskDecider = (task: Task) => TaskDecision | null | Promise<TaskDecision | null>;
