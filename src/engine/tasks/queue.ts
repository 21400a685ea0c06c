// The task queue: the lifecycle law applied to stored rows. Every transition is written, with who, when
// and why, and a ledger record, in one transaction before it is acknowledged; events go out after commit.
import { randomBytes } from 'node:crypto';
import { nextStatus, legalEvents, type TaskEventType } from '../../machines/task.machine.js';
import { EngineError } from '../../shared/errors.js';
import {
  type Constraint,
  type DecidedBy,
  type QueueStatus,
  type Surface,
  type Task,
  type TaskDetail,
  type TaskListQuery,
  type TaskPage,
  type TaskStatus,
  type TaskSubmit,
  type TaskTransition,
} from '../../shared/task.js';
import { TaskListQuerySchema } from '../../shared/taskSchemas.js';
import type { EventBus } from '../platform/eventBus.js';
import type { Ledger } from '../store/ledger.js';
import type { Db } from '../store/store.js';
import { TaskCounters } from './taskCounters.js';
import { WalSync } from '../store/walSync.js';

export interface Actor {
  by: string;
  surface: Surface;
}

export interface TransitionPatch {
  reason?: string | null;
  constraints?: Constraint[];
  decided_by?: DecidedBy;
  actual_cost?: number;
  result?: unknown;
  error_message?: string;
  logs?: string[];
}

const MAX_LOG_LINES = 1000;

/** A transition as its task's row keeps it (tasks.transitions, a JSON array in order). */
type StoredTransition = Omit<TaskTransition, 'seq' | 'task_id'>;

// A task's own columns, in the order of Task's keys; rowToTask reads them by position. Its transitions
// are read only by detail(), after them.
const TASK_COLUMNS =
  'task_id, task_type, description, status, estimated_cost, actual_cost, estimated_duration_ms, constraints, context, result, error_message, logs, created_at, updated_at, start_time, end_time, decided_by, decision_reason';

/** JSON text as stored; the empty array and object, the common case, without the parser. */
function fromJson(text: string): unknown {
  return text === '[]' ? [] : text === '{}' ? {} : JSON.parse(text);
}

/**
 * A task from its row read as an array of TASK_COLUMNS (a raw read: better-sqlite3 builds no object
 * keyed by column names, and this builds the task once instead of spreading a row into it).
 */
function rowToTask(c: unknown[]): Task {
  return {
    task_id: c[0] as string,
    task_type: c[1] as string,
    description: c[2] as string,
    status: c[3] as TaskStatus,
    estimated_cost: c[4] as number,
    actual_cost: c[5] as number | null,
    estimated_duration_ms: c[6] as number | null,
    constraints: fromJson(c[7] as string) as Constraint[],
    context: fromJson(c[8] as string) as Record<string, unknown>,
    result: c[9] === null ? null : JSON.parse(c[9] as string),
    error_message: c[10] as string | null,
    logs: fromJson(c[11] as string) as string[],
    created_at: c[12] as string,
    updated_at: c[13] as string,
    start_time: c[14] as string | null,
    end_time: c[15] as string | null,
    decided_by: c[16] as DecidedBy | null,
    decision_reason: c[17] as string | null,
  };
}

// Task ids come 6 random bytes at a time from a pooled buffer: one getrandom call per ~680 ids
// instead of one per submission (the same CSPRNG, so ids stay unguessable).
let idPool = Buffer.alloc(0);
let idPoolAt = 0;
export function newTaskId(): string {
  if (idPoolAt + 6 > idPool.length) {
    idPool = randomBytes(4096);
    idPoolAt = 0;
  }
  idPoolAt += 6;
  return `t-${idPool.toString('hex', idPoolAt - 6, idPoolAt)}`;
}

// The machine is the only authority; its answer for a (status, event) pair never changes, so it is
// asked once per pair rather than building an xstate snapshot on every transition.
const nextStatusMemo = new Map<string, TaskStatus | null>();
function lawfulNext(from: TaskStatus, event: TaskEventType): TaskStatus | null {
  const key = `${from} ${event}`;
  let to = nextStatusMemo.get(key);
  if (to === undefined) {
    to = nextStatus(from, event);
    nextStatusMemo.set(key, to);
  }
  return to;
}

const EVENT_ACTION: Record<TaskEventType, string> = {
  'task.request_approval': 'task.request_approval',
  'task.approve': 'task.approve',
  'task.reject': 'task.reject',
  'task.start': 'task.start',
  'task.complete': 'task.complete',
  'task.fail': 'task.fail',
  'task.abort': 'task.abort',
};

type SubmitInput = Required<Pick<TaskSubmit, 'task_type'>> & Omit<TaskSubmit, 'task_type'>;

interface PendingSubmission {
  input: SubmitInput;
  actor: Actor;
  resolve: (task: Task) => void;
  reject: (err: Error) => void;
}

/** Work a write leaves for after its commit: counters to move, events to emit. Dropped on rollback. */
type AfterCommit = Array<() => void>;

export class TaskQueue {
  private readonly st;
  private grouped: PendingSubmission[] = [];
  private readonly counters: TaskCounters;
  /** One transaction wrapper, made once: nested inside another transaction it runs as a savepoint. */
  private readonly inTransaction: <T>(write: (after: AfterCommit) => T, after: AfterCommit) => T;

  constructor(
    private readonly db: Db,
    private readonly ledger: Ledger,
    private readonly bus: EventBus,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.counters = new TaskCounters(db);
    this.inTransaction = db.transaction((write: (after: AfterCommit) => unknown, after: AfterCommit) => write(after)) as <T>(
      write: (after: AfterCommit) => T,
      after: AfterCommit,
    ) => T;
    this.st = {
      get: db.prepare(`SELECT ${TASK_COLUMNS} FROM tasks WHERE task_id = ?`).raw(),
      // Positional parameters: binding a named object costs a property lookup per column.
      insert: db.prepare(
        `INSERT INTO tasks (task_id, task_type, description, status, estimated_cost, estimated_duration_ms, context, created_at, updated_at, transitions)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      update: db.prepare(
        `UPDATE tasks SET status=@status, updated_at=@now, constraints=@constraints, decided_by=@decided_by, decision_reason=@decision_reason,
           actual_cost=@actual_cost, result=@result, error_message=@error_message, logs=@logs, start_time=@start_time, end_time=@end_time,
           transitions=json_insert(transitions, '$[#]', json(@transition))
         WHERE task_id=@task_id`,
      ),
      withTransitions: db.prepare(`SELECT ${TASK_COLUMNS}, transitions FROM tasks WHERE task_id = ?`).raw(),
      totals: db.prepare('UPDATE task_totals SET cost_usd = cost_usd + ?, exec_ms = exec_ms + ? WHERE id = 1'),
      costHour: db.prepare('INSERT INTO cost_by_hour (hour, cost_usd) VALUES (?, ?) ON CONFLICT(hour) DO UPDATE SET cost_usd = cost_usd + excluded.cost_usd'),
      running: db.prepare("SELECT task_id FROM tasks WHERE status = 'running'"),
      withStatus: db.prepare('SELECT task_id FROM tasks WHERE status = ? ORDER BY rowid'),
      costSince: db.prepare('SELECT coalesce(sum(cost_usd), 0) AS c FROM spend WHERE ts >= ?'),
      spend: db.prepare('INSERT INTO spend (ts, cost_usd) VALUES (?, ?)'),
      reserved: db.prepare("SELECT coalesce(sum(estimated_cost), 0) AS c FROM tasks WHERE status IN ('approved', 'running')"),
      costHours: db.prepare('SELECT hour, cost_usd FROM cost_by_hour WHERE hour >= ?'),
    };
  }

  get(id: string): Task | null {
    const row = this.st.get.get(id) as unknown[] | undefined;
    return row ? rowToTask(row) : null;
  }

  require(id: string): Task {
    const t = this.get(id);
    if (!t) throw new EngineError(`no task ${id}`, 'not_found');
    return t;
  }

  detail(id: string): TaskDetail {
    const row = this.st.withTransitions.get(id) as unknown[] | undefined;
    if (!row) throw new EngineError(`no task ${id}`, 'not_found');
    const task = rowToTask(row);
    const stored = JSON.parse(row[18] as string) as StoredTransition[];
    return { ...task, transitions: stored.map((t, i): TaskTransition => ({ seq: i + 1, task_id: task.task_id, ...t })) };
  }

  /**
   * Stores a new task and moves it to pending_approval, in one transaction. Both transitions are
   * stored, and one ledger record covers the submission with both; the row is written once, already
   * in its second status: nothing outside the transaction can see the first, and this is the hot path
   * of every submission.
   */
  submit(input: SubmitInput, actor: Actor): Task {
    return this.commitThenEmit((after) => this.writeSubmission(input, actor, after));
  }

  /** Runs a write in one transaction; what it leaves for after the commit runs only once it has committed. */
  private commitThenEmit(write: (after: AfterCommit) => Task): Task {
    const after: AfterCommit = [];
    const nested = this.db.inTransaction;
    let task: Task;
    try {
      task = this.inTransaction(write, after);
    } catch (err) {
      this.ledger.resync();
      throw err;
    }
    // Inside a caller's transaction this was only a savepoint, which that transaction may yet roll back.
    if (nested) this.counters.invalidate();
    for (const run of after) run();
    return task;
  }

  /**
   * The same submission, committed together with the others made in the same turn of the event
   * loop, or while the previous group's commit syncs: one transaction and one fsync for the group,
   * each caller answered only once the commit that holds its task is on disk. A submission that fails alone (a duplicate id) is rolled back
   * to its savepoint and refused without touching the others.
   */
  submitGrouped(input: SubmitInput, actor: Actor): Promise<Task> {
    return new Promise((resolve, reject) => {
      this.grouped.push({ input, actor, resolve, reject });
      if (this.grouped.length === 1) setImmediate(() => WalSync.whenIdle(this.db, () => this.flushGroup()));
    });
  }

  private flushGroup(): void {
    const group = this.grouped;
    this.grouped = [];
    const after: AfterCommit = [];
    const outcomes: Array<{ task: Task } | { err: unknown }> = [];
    const nested = this.db.inTransaction;
    const writeAll = () =>
      this.inTransaction(() => {
        for (const g of group) {
          const mark = after.length;
          try {
            // Nested: its own savepoint inside the group's transaction.
            outcomes.push({ task: this.inTransaction((a) => this.writeSubmission(g.input, g.actor, a), after) });
          } catch (err) {
            after.length = mark;
            this.ledger.resync();
            outcomes.push({ err });
          }
        }
        return null;
      }, after);
    let durable: Promise<void>;
    try {
      // The commit's fsync runs off the event loop; each submitter is answered once it is on disk.
      durable = WalSync.commit(this.db, writeAll).durable;
    } catch (err) {
      this.ledger.resync();
      for (const g of group) g.reject(err as Error);
      return;
    }
    if (nested) this.counters.invalidate();
    for (const run of after) run();
    durable.then(
      () =>
        group.forEach((g, i) => {
          const o = outcomes[i]!;
          if ('task' in o) g.resolve(o.task);
          else g.reject(o.err as Error);
        }),
      (err: Error) => {
        for (const g of group) g.reject(err);
      },
    );
  }

  private writeSubmission(input: SubmitInput, actor: Actor, after: AfterCommit): Task {
    const task_id = input.task_id ?? newTaskId();
    const now = this.now().toISOString();
    const context = JSON.stringify(input.context ?? {});
    const to = lawfulNext('pending', 'task.request_approval');
    if (to === null) throw new Error('the task machine refuses pending -> request_approval');
    // A generated id is 48 random bits; the primary key still refuses the improbable clash.
    if (input.task_id !== undefined && this.st.get.get(task_id)) throw new EngineError(`task ${task_id} already exists`, 'conflict', { task_id });
    const description = input.description ?? '';
    const estimated_cost = input.estimated_cost ?? 0;
    const estimated_duration_ms = input.estimated_duration_ms ?? null;
    const transitions: StoredTransition[] = [
      { from: null, to: 'pending', by: actor.by, surface: actor.surface, reason: 'submitted', at: now },
      { from: 'pending', to, by: actor.by, surface: actor.surface, reason: 'awaiting approval', at: now },
    ];
    this.st.insert.run(task_id, input.task_type, description, to, estimated_cost, estimated_duration_ms, context, now, now, JSON.stringify(transitions));
    this.ledger.append({
      actor: actor.by,
      surface: actor.surface,
      action: 'task.submit',
      subject: task_id,
      detail: { task_type: input.task_type, estimated_cost, statuses: ['pending', to] },
      reason: 'awaiting approval',
      ts: now,
    });
    // The row just inserted, as a read would return it (same keys, same order).
    const submitted: Task = {
      task_id,
      task_type: input.task_type,
      description,
      status: 'pending',
      estimated_cost,
      actual_cost: null,
      estimated_duration_ms,
      constraints: [],
      context: fromJson(context) as Record<string, unknown>,
      result: null,
      error_message: null,
      logs: [],
      created_at: now,
      updated_at: now,
      start_time: null,
      end_time: null,
      decided_by: null,
      decision_reason: null,
    };
    const waiting: Task = { ...submitted, status: to };
    after.push(() => {
      this.counters.added(to);
      this.bus.emit({ type: 'task.submitted', task: submitted });
      this.bus.emit({ type: 'task.transitioned', task: waiting, from: 'pending', to, by: actor.by, reason: 'awaiting approval' });
    });
    return waiting;
  }

  /** Applies one lifecycle event to a stored task; refuses an illegal one naming the current status. */
  transition(id: string, event: TaskEventType, actor: Actor, patch: TransitionPatch = {}): Task {
    return this.commitThenEmit((after) => this.applyTransition(this.require(id), event, actor, patch, after));
  }

  private applyTransition(current: Task, event: TaskEventType, actor: Actor, patch: TransitionPatch, after: AfterCommit): Task {
    const to = lawfulNext(current.status, event);
    if (!to) {
      const legal = legalEvents(current.status).map((e) => e.replace('task.', ''));
      throw new EngineError(
        `task ${current.task_id} is ${current.status}; cannot ${event.replace('task.', '')} it${legal.length ? ` (possible: ${legal.join(', ')})` : ' (it has ended)'}`,
        'conflict',
        { status: current.status },
      );
    }
    const now = this.now();
    const iso = now.toISOString();
    const logs = patch.logs ? [...current.logs, ...patch.logs].slice(-MAX_LOG_LINES) : current.logs;
    const start_time = to === 'running' ? iso : current.start_time;
    const ending = to === 'completed' || to === 'failed' || to === 'aborted' || to === 'rejected';
    const end_time = ending ? iso : current.end_time;
    const actual_cost = patch.actual_cost ?? current.actual_cost;
    const decided = event === 'task.approve' || event === 'task.reject';
    const constraints = JSON.stringify(patch.constraints ?? current.constraints);
    const result = patch.result === undefined ? (current.result === null ? null : JSON.stringify(current.result)) : JSON.stringify(patch.result);
    const logsJson = JSON.stringify(logs);
    const decided_by = decided ? (patch.decided_by ?? 'operator') : current.decided_by;
    const decision_reason = decided ? (patch.reason ?? null) : current.decision_reason;
    const error_message = patch.error_message ?? current.error_message;
    this.st.update.run({
      task_id: current.task_id,
      status: to,
      now: iso,
      constraints,
      decided_by,
      decision_reason,
      actual_cost,
      result,
      error_message,
      logs: logsJson,
      start_time,
      end_time,
      transition: JSON.stringify({ from: current.status, to, by: actor.by, surface: actor.surface, reason: patch.reason ?? null, at: iso } satisfies StoredTransition),
    });
    const cost = actual_cost ?? 0;
    const execMs = ending && start_time ? Math.max(0, now.getTime() - Date.parse(start_time)) : 0;
    if (ending) {
      this.st.totals.run(cost, execMs);
      if (cost > 0) {
        this.st.costHour.run(iso.slice(0, 13), cost);
        this.st.spend.run(iso, cost);
      }
    }
    this.ledger.append({
      actor: actor.by,
      surface: actor.surface,
      action: EVENT_ACTION[event],
      subject: current.task_id,
      detail: { from: current.status, to, ...(patch.decided_by ? { decided_by: patch.decided_by } : {}), ...(patch.constraints?.length ? { constraints: patch.constraints } : {}) },
      reason: patch.reason ?? null,
      ts: iso,
    });
    // The row as the update left it, built from the values just written instead of read back.
    const updated: Task = {
      ...current,
      status: to,
      actual_cost,
      constraints: patch.constraints === undefined ? current.constraints : (JSON.parse(constraints) as Constraint[]),
      result: result === null || result === undefined ? null : patch.result === undefined ? current.result : (JSON.parse(result) as unknown),
      error_message,
      logs: patch.logs ? logs : current.logs,
      updated_at: iso,
      start_time,
      end_time,
      decided_by,
      decision_reason,
    };
    after.push(() => {
      this.counters.moved(current.status, to);
      if (ending) this.counters.ended(cost, execMs);
      this.bus.emit({ type: 'task.transitioned', task: updated, from: current.status, to, by: actor.by, reason: patch.reason ?? null });
    });
    return updated;
  }

  list(query: TaskListQuery = {}): TaskPage {
    const q = TaskListQuerySchema.parse(query);
    const where: string[] = [];
    const params: unknown[] = [];
    const statuses = q.status === undefined ? [] : [...new Set(typeof q.status === 'string' ? [q.status] : q.status)];
    if (statuses.length) {
      where.push(`status IN (${statuses.map(() => '?').join(', ')})`);
      params.push(...statuses);
    }
    if (q.text) {
      where.push("(task_id LIKE ? ESCAPE '\\' OR description LIKE ? ESCAPE '\\' OR task_type LIKE ? ESCAPE '\\')");
      const like = `%${q.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      params.push(like, like, like);
    }
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const order = q.order === 'oldest' ? 'rowid ASC' : q.order === 'cost' ? 'estimated_cost DESC, rowid DESC' : 'rowid DESC';
    const rows = this.db.prepare(`SELECT ${TASK_COLUMNS} FROM tasks ${w} ORDER BY ${order} LIMIT ? OFFSET ?`).raw().all(...params, q.limit, q.offset) as unknown[][];
    const total = where.length
      ? statuses.length && !q.text
        ? statuses.reduce((n, st) => n + this.counters.count(st), 0)
        : (this.db.prepare(`SELECT count(*) AS n FROM tasks ${w}`).get(...params) as { n: number }).n
      : this.counters.total();
    return { total, tasks: rows.map(rowToTask) };
  }

  status(): QueueStatus {
    const totals = this.counters.snapshot();
    const by_status = totals.by_status;
    return {
      total_tasks: Object.values(by_status).reduce((a, b) => a + b, 0),
      by_status,
      total_cost_usd: Math.round(totals.cost_usd * 1e6) / 1e6,
      total_execution_time_ms: totals.exec_ms,
      pending_approval: by_status.pending_approval,
      running: by_status.running,
      timestamp: this.now().toISOString(),
    };
  }

  /** Actual cost per UTC hour for the last `hours` hours, oldest first. */
  costByHour(hours = 24): number[] {
    const now = this.now().getTime();
    const keys = Array.from({ length: hours }, (_, i) => new Date(now - (hours - 1 - i) * 3_600_000).toISOString().slice(0, 13));
    const rows = this.st.costHours.all(keys[0]) as Array<{ hour: string; cost_usd: number }>;
    const map = new Map(rows.map((r) => [r.hour, r.cost_usd]));
    return keys.map((k) => map.get(k) ?? 0);
  }

  /** Actual cost since the given instant (by each task's end time), plus estimates of approved and running tasks. */
  committedCostSince(since: Date): { spent: number; reserved: number } {
    const spent = (this.st.costSince.get(since.toISOString()) as { c: number }).c;
    const reserved = (this.st.reserved.get() as { c: number }).c;
    return { spent, reserved };
  }

  runningIds(): string[] {
    return (this.st.running.all() as Array<{ task_id: string }>).map((r) => r.task_id);
  }

  idsWithStatus(status: TaskStatus): string[] {
    return (this.st.withStatus.all(status) as Array<{ task_id: string }>).map((r) => r.task_id);
  }
}
