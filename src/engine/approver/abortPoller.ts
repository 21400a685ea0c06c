// Watches running tasks (issue 5): aborts a task that passed its time or cost constraint, and one the
// approver's abort signal asks to end. The engine supplies the running tasks and the abort action;
// this file owns only the timing and the questions asked.
import type { Task } from '../../shared/task.js';
import type { AbortSignalResponse } from './approverApi.js';
import { limitBreach } from './constraints.js';
import { silentLogger, type LinkLogger } from '../platform/linkLogger.js';

export type WatchedTask = Pick<Task, 'task_id' | 'status' | 'constraints' | 'start_time' | 'actual_cost'>;

export interface AbortPollerOptions {
  link: { abortSignal(taskId: string): Promise<AbortSignalResponse | null> };
  intervalMs: number;
  /** The tasks running now (read fresh on every tick). */
  running: () => Iterable<WatchedTask>;
  /** Ends the task as aborted; `by` is who asked: the engine (a constraint) or the approver. */
  abort: (taskId: string, reason: string, by: 'engine' | 'approver') => void | Promise<void>;
  logger?: LinkLogger;
  now?: () => number;
}

export class AbortPoller {
  private readonly log: LinkLogger;
  private timer: NodeJS.Timeout | null = null;
  private tick: Promise<number> | null = null;

  constructor(private readonly opts: AbortPollerOptions) {
    this.log = (opts.logger ?? silentLogger).child({ component: 'abort-poller' });
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.pollOnce(), this.opts.intervalMs);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.tick?.catch(() => undefined);
  }

  /** One pass over the running tasks; resolves to how many were aborted. Ticks never overlap. */
  pollOnce(): Promise<number> {
    if (this.tick) return this.tick;
    this.tick = this.pass().finally(() => {
      this.tick = null;
    });
    return this.tick;
  }

  private async pass(): Promise<number> {
    let aborted = 0;
    const now = (this.opts.now ?? Date.now)();
    for (const task of this.opts.running()) {
      if (task.status !== 'running') continue;
      try {
        const breach = limitBreach(task, now);
        if (breach) {
          await this.opts.abort(task.task_id, breach, 'engine');
          aborted++;
          continue;
        }
        const signal = await this.opts.link.abortSignal(task.task_id);
        if (signal?.should_abort) {
          await this.opts.abort(task.task_id, `approver abort signal: ${signal.reason || 'no reason given'}`, 'approver');
          aborted++;
        }
      } catch (e) {
        // One task's failure (e.g. it finished meanwhile: an illegal transition) must not stop the others.
        this.log.warn({ task_id: task.task_id, err: String(e) }, 'abort check failed');
      }
    }
    return aborted;
  }
}
