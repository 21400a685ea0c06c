// The chain of deciders a task waiting for approval goes through: budget limits first (they only
// tighten), then a remote approver if one is added, then budget auto-approval. The first decision
// is applied; a task no decider answers is left to the operator (and the operator is told).
import type { Task } from '../../shared/task.js';
import type { Logger } from '../platform/logger.js';
import type { Actor, TaskQueue } from './queue.js';
import type { TaskDecider, TaskDecision } from './taskDecision.js';

export interface DeciderChainHost {
  readonly queue: TaskQueue;
  readonly logger: Logger;
  readonly isStopping: boolean;
  /** Keeps a promise in the set the shutdown drains. */
  track<T>(p: Promise<T>): Promise<T>;
  /** No decider answered: the operator decides. */
  leftToOperator(task: Task): void;
}

export class DeciderChain {
  private readonly deciders: TaskDecider[];

  constructor(
    private readonly host: DeciderChainHost,
    limits: TaskDecider,
    autoApprove: TaskDecider,
  ) {
    this.deciders = [limits, autoApprove];
  }

  /** Adds a decider after the limits and before auto-approval (the approver link uses this). */
  add(decider: TaskDecider): void {
    this.deciders.splice(1, 0, decider);
  }

  /** Runs the deciders for a task in pending_approval; applies the first decision, if any. */
  schedule(taskId: string, fresh?: Task): void {
    this.run(taskId, 0, fresh);
  }

  /**
   * Deciders from `from` on. Those that answer at once run here, with no promise and no read of the task
   * (nothing can change it meanwhile); the first that must wait carries the rest on once it answers, from
   * a fresh read, since the operator may have decided the task in the meantime.
   */
  private run(taskId: string, from: number, fresh?: Task): void {
    const { queue, logger } = this.host;
    let task = fresh;
    for (let i = from; i < this.deciders.length; i++) {
      task ??= queue.get(taskId) ?? undefined;
      if (!task || task.status !== 'pending_approval' || this.host.isStopping) return;
      let answer: ReturnType<TaskDecider>;
      try {
        answer = this.deciders[i]!(task);
      } catch (err) {
        logger.error({ err, task_id: taskId }, 'a decider failed; trying the next one');
        continue;
      }
      if (answer instanceof Promise) {
        this.host.track(
          answer.then(
            (decision) => (decision ? this.apply(taskId, decision) : this.run(taskId, i + 1)),
            (err: unknown) => {
              logger.error({ err, task_id: taskId }, 'a decider failed; trying the next one');
              this.run(taskId, i + 1);
            },
          ),
        );
        return;
      }
      if (answer) return this.apply(taskId, answer, task);
    }
    if (task) this.host.leftToOperator(task);
  }

  private apply(taskId: string, decision: TaskDecision, current?: Task): void {
    const { queue, logger } = this.host;
    const latest = current ?? queue.get(taskId);
    if (!latest || latest.status !== 'pending_approval' || this.host.isStopping) return;
    const actor: Actor = { by: decision.decided_by, surface: decision.decided_by === 'fallback' ? 'fallback' : decision.decided_by };
    try {
      queue.transition(taskId, decision.approved ? 'task.approve' : 'task.reject', actor, {
        reason: decision.reason,
        decided_by: decision.decided_by,
        constraints: decision.constraints,
      });
    } catch (err) {
      logger.error({ err, task_id: taskId }, 'a decision could not be applied; the task waits for the operator');
    }
  }
}
