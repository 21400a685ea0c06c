// Durable outbox for execution reports (issue 5): a report is written to SQLite first, then a pump
// delivers it with backoff until the approver acknowledges it, across outages and restarts. Each
// report carries an idempotency key (task_id:status) so that a repeat after a crash between "sent"
// and "marked delivered" can be dropped by the approver. Also keeps fallback decisions for review.
import type { Constraint } from '../../shared/task.js';
import { ExecutionReportSchema, reportIdempotencyKey, type ExecutionReport } from './approverApi.js';
import { backoffDelay, type BackoffPolicy } from '../platform/backoff.js';
import type { FallbackReviewSink } from './approverLink.js';
import type { ApprovalOutcome, FallbackTask } from './fallbackDecision.js';
import { silentLogger, type LinkLogger } from '../platform/linkLogger.js';

export const REPORT_OUTBOX_SQL = `
CREATE TABLE IF NOT EXISTS approver_report_outbox (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,
  idempotency_key TEXT NOT NULL UNIQUE,
  task_id         TEXT NOT NULL,
  status          TEXT NOT NULL,
  body            TEXT NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error      TEXT,
  created_at      TEXT NOT NULL,
  delivered_at    TEXT
);
CREATE INDEX IF NOT EXISTS approver_report_outbox_due ON approver_report_outbox (delivered_at, next_attempt_at);
CREATE TABLE IF NOT EXISTS approver_fallback_review (
  task_id        TEXT PRIMARY KEY,
  task_type      TEXT NOT NULL,
  estimated_cost REAL NOT NULL,
  approved       INTEGER NOT NULL,
  reason         TEXT NOT NULL,
  constraints    TEXT NOT NULL,
  decided_at     TEXT NOT NULL,
  reviewed_by    TEXT,
  reviewed_at    TEXT
);
CREATE INDEX IF NOT EXISTS approver_fallback_review_open ON approver_fallback_review (reviewed_at, decided_at);
`;

/** The slice of a better-sqlite3 Database the outbox uses. */
export interface OutboxStatement {
  run(...params: unknown[]): { changes: number };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}
export interface OutboxDatabase {
  exec(sql: string): unknown;
  prepare(sql: string): OutboxStatement;
  transaction<F extends (...args: never[]) => unknown>(fn: F): F;
}

export interface ReviewItem {
  task_id: string;
  task_type: string;
  estimated_cost: number;
  approved: boolean;
  reason: string;
  constraints: Constraint[];
  decided_at: string;
  reviewed_by: string | null;
  reviewed_at: string | null;
}

export interface ReportOutboxOptions {
  /** Delivers one report; resolves only when acknowledged (ApproverLink.sendReport). */
  send: (report: ExecutionReport) => Promise<void>;
  logger?: LinkLogger;
  backoff?: BackoffPolicy;
  /** How often the pump looks for due reports. */
  pollMs?: number;
  batch?: number;
  now?: () => number;
}

interface OutboxRow {
  seq: number;
  idempotency_key: string;
  body: string;
  attempts: number;
}

export class ReportOutbox implements FallbackReviewSink {
  private readonly log: LinkLogger;
  private readonly backoff: BackoffPolicy;
  private readonly now: () => number;
  private readonly st: Record<string, OutboxStatement>;
  private timer: NodeJS.Timeout | null = null;
  private pass: Promise<{ delivered: number; failed: number }> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    db: OutboxDatabase,
    private readonly opts: ReportOutboxOptions,
  ) {
    this.log = (opts.logger ?? silentLogger).child({ component: 'report-outbox' });
    this.backoff = opts.backoff ?? { initial_delay_ms: 500, backoff_multiplier: 2, max_delay_ms: 60_000 };
    this.now = opts.now ?? Date.now;
    db.exec(REPORT_OUTBOX_SQL);
    this.st = {
      insert: db.prepare(
        `INSERT INTO approver_report_outbox (idempotency_key, task_id, status, body, next_attempt_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(idempotency_key) DO NOTHING`,
      ),
      due: db.prepare(
        `SELECT seq, idempotency_key, body, attempts FROM approver_report_outbox
         WHERE delivered_at IS NULL AND next_attempt_at <= ? ORDER BY seq LIMIT ?`,
      ),
      delivered: db.prepare(`UPDATE approver_report_outbox SET delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE seq = ? AND delivered_at IS NULL`),
      failed: db.prepare(`UPDATE approver_report_outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE seq = ? AND delivered_at IS NULL`),
      prune: db.prepare(`DELETE FROM approver_report_outbox WHERE delivered_at IS NOT NULL AND delivered_at < ?`),
      pending: db.prepare(`SELECT count(*) AS n FROM approver_report_outbox WHERE delivered_at IS NULL`),
      retryNow: db.prepare(`UPDATE approver_report_outbox SET next_attempt_at = 0 WHERE delivered_at IS NULL`),
      state: db.prepare(`SELECT attempts, delivered_at, last_error FROM approver_report_outbox WHERE idempotency_key = ?`),
      review: db.prepare(
        `INSERT INTO approver_fallback_review (task_id, task_type, estimated_cost, approved, reason, constraints, decided_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(task_id) DO UPDATE SET task_type = excluded.task_type, estimated_cost = excluded.estimated_cost,
           approved = excluded.approved, reason = excluded.reason, constraints = excluded.constraints,
           decided_at = excluded.decided_at, reviewed_by = NULL, reviewed_at = NULL`,
      ),
      listReview: db.prepare(`SELECT * FROM approver_fallback_review WHERE reviewed_at IS NULL ORDER BY decided_at, rowid LIMIT ?`),
      countReview: db.prepare(`SELECT count(*) AS n FROM approver_fallback_review WHERE reviewed_at IS NULL`),
      markReviewed: db.prepare(`UPDATE approver_fallback_review SET reviewed_by = ?, reviewed_at = ? WHERE task_id = ? AND reviewed_at IS NULL`),
    };
  }

  /** Stores a report for delivery; false when the same task and status was already queued. */
  enqueue(report: ExecutionReport): boolean {
    const valid = ExecutionReportSchema.parse(report);
    const key = reportIdempotencyKey(valid);
    const r = this.st.insert!.run(key, valid.task_id, valid.status, JSON.stringify(valid), 0, new Date(this.now()).toISOString());
    if (r.changes > 0) this.kick();
    return r.changes > 0;
  }

  pendingCount(): number {
    return (this.st.pending!.get() as { n: number }).n;
  }

  /** Delivery state of one report, by its idempotency key (task_id:status). */
  deliveryState(key: string): { attempts: number; delivered_at: string | null; last_error: string | null } | null {
    return (this.st.state!.get(key) as { attempts: number; delivered_at: string | null; last_error: string | null } | undefined) ?? null;
  }

  /** Deletes delivered reports older than the given age; undelivered ones are never pruned. */
  pruneDelivered(olderThanMs: number): number {
    return this.st.prune!.run(new Date(this.now() - olderThanMs).toISOString()).changes;
  }

  /** Makes every waiting report due now (call when the link comes back online). */
  retryNow(): void {
    this.st.retryNow!.run();
    this.kick();
  }

  /** Starts the pump: a pass every pollMs, and one right after each enqueue. */
  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => void this.flush(), this.opts.pollMs ?? 1_000);
    this.timer.unref?.();
    void this.flush();
  }

  /** Stops the pump and waits for the pass in progress; undelivered reports stay in the table. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.pass?.catch(() => undefined);
  }

  kick(): void {
    if (this.timer && !this.stopped) void this.flush();
  }

  /** Delivers every due report once; passes never overlap, so a report is never sent twice at once. */
  flush(): Promise<{ delivered: number; failed: number }> {
    if (this.pass) {
      this.again = true;
      return this.pass;
    }
    this.pass = (async () => {
      const total = { delivered: 0, failed: 0 };
      do {
        this.again = false;
        const r = await this.onePass();
        total.delivered += r.delivered;
        total.failed += r.failed;
      } while (this.again && !this.stopped);
      return total;
    })().finally(() => {
      this.pass = null;
    });
    return this.pass;
  }

  private async onePass(): Promise<{ delivered: number; failed: number }> {
    let delivered = 0;
    let failed = 0;
    const rows = this.st.due!.all(this.now(), this.opts.batch ?? 100) as OutboxRow[];
    for (const row of rows) {
      if (this.stopped) break;
      const report = JSON.parse(row.body) as ExecutionReport;
      try {
        await this.opts.send(report);
        this.st.delivered!.run(new Date(this.now()).toISOString(), row.seq);
        delivered++;
      } catch (e) {
        const attempt = row.attempts + 1;
        const delay = backoffDelay(attempt, this.backoff);
        const msg = e instanceof Error ? e.message : String(e);
        this.st.failed!.run(this.now() + delay, msg.slice(0, 1000), row.seq);
        this.log.warn({ key: row.idempotency_key, attempt, retry_in_ms: delay, err: msg }, 'execution report not delivered, will retry');
        failed++;
      }
    }
    return { delivered, failed };
  }

  recordFallback(task: FallbackTask, outcome: ApprovalOutcome): void {
    this.st.review!.run(
      task.task_id,
      task.task_type,
      task.estimated_cost,
      outcome.approved ? 1 : 0,
      outcome.reason,
      JSON.stringify(outcome.constraints),
      new Date(this.now()).toISOString(),
    );
  }

  /** Fallback decisions nobody has reviewed yet, oldest first. */
  listForReview(limit = 1000): ReviewItem[] {
    const rows = this.st.listReview!.all(limit) as Array<Omit<ReviewItem, 'approved' | 'constraints'> & { approved: number; constraints: string }>;
    return rows.map((r) => ({ ...r, approved: r.approved === 1, constraints: JSON.parse(r.constraints) as Constraint[] }));
  }

  countForReview(): number {
    return (this.st.countReview!.get() as { n: number }).n;
  }

  /** Marks one fallback decision reviewed; false when unknown or already reviewed. */
  markReviewed(taskId: string, by: string): boolean {
    return this.st.markReviewed!.run(by, new Date(this.now()).toISOString(), taskId).changes > 0;
  }
}
