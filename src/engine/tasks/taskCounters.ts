// The queue's running figures (tasks per status, total actual cost and execution time), kept in memory.
// They are derived from the rows (an index-only scan of tasks_status, and task_totals) and then moved by
// each committed write, so a submission writes no counter row and GET /api/queue/status never reads the
// database. Only the queue writes tasks, and one engine owns the store (the lock), so they cannot drift:
// the queue moves them only once the transaction holding its change has committed. A write made inside
// someone else's transaction cannot know whether that will commit; it marks the figures stale instead,
// and the next read derives them again.
import { TASK_STATUSES, type TaskStatus } from '../../shared/task.js';
import type { Db } from '../store/store.js';

export interface QueueFigures {
  by_status: Record<TaskStatus, number>;
  cost_usd: number;
  exec_ms: number;
}

export class TaskCounters {
  private readonly byStatus;
  private readonly totals;
  private figures: QueueFigures | null = null;

  constructor(private readonly db: Db) {
    this.byStatus = db.prepare('SELECT status, count(*) AS n FROM tasks GROUP BY status');
    this.totals = db.prepare('SELECT cost_usd, exec_ms FROM task_totals WHERE id = 1');
    this.current();
  }

  /** A task entered the queue, already in `status`. */
  added(status: TaskStatus): void {
    if (this.figures) this.figures.by_status[status]++;
  }

  moved(from: TaskStatus, to: TaskStatus): void {
    if (!this.figures) return;
    this.figures.by_status[from]--;
    this.figures.by_status[to]++;
  }

  /** A task ended, with what it cost and how long it ran (the same figures added to task_totals). */
  ended(costUsd: number, execMs: number): void {
    if (!this.figures) return;
    this.figures.cost_usd += costUsd;
    this.figures.exec_ms += execMs;
  }

  /** The rows changed in a way these figures were not told of (a write inside an outer transaction). */
  invalidate(): void {
    this.figures = null;
  }

  count(status: TaskStatus): number {
    return this.current().by_status[status];
  }

  total(): number {
    const f = this.current();
    let n = 0;
    for (const s of TASK_STATUSES) n += f.by_status[s];
    return n;
  }

  /** A copy: the caller may keep or change it. */
  snapshot(): QueueFigures {
    const f = this.current();
    return { by_status: { ...f.by_status }, cost_usd: f.cost_usd, exec_ms: f.exec_ms };
  }

  private current(): QueueFigures {
    if (this.figures) return this.figures;
    const by_status = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
    for (const r of this.byStatus.all() as Array<{ status: string; n: number }>) {
      // The statuses are the machine's; any other is a database edited by hand.
      if (!(r.status in by_status)) throw new Error(`the tasks table holds ${r.n} task(s) with the unknown status '${r.status}'`);
      by_status[r.status as TaskStatus] = r.n;
    }
    const totals = this.totals.get() as { cost_usd: number; exec_ms: number };
    const figures = { by_status, cost_usd: totals.cost_usd, exec_ms: totals.exec_ms };
    // Inside a transaction the rows may yet roll back: use what they say now, never keep it.
    if (!this.db.inTransaction) this.figures = figures;
    return figures;
  }
}
