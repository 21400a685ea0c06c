// The remote approver in the engine (issue 5): the link decides tasks ahead of the budget rules, its
// state goes out as events, execution reports leave through the durable outbox, and running tasks are
// watched for constraint breaches and the approver's abort signal. A reload rebuilds the link from the
// new `approval` section (reconfigure); the outbox keeps what it holds in the store.
import type { Logger } from 'pino';
import type { EngineEvent } from '../../shared/events.js';
import type { Task } from '../../shared/task.js';
import { TERMINAL_STATUSES } from '../../shared/task.js';
import { AbortPoller } from './abortPoller.js';
import { applyApprovalEnv, type ApprovalConfig } from './approvalConfig.js';
import { reportFromTask } from './approverApi.js';
import { redactDeep } from '../../shared/redactDeep.js';
import { ApproverLink } from './approverLink.js';
import { applyConstraints, UNLIMITED, type ExecutionConfig } from './constraints.js';
import { ReportOutbox, type OutboxDatabase } from './reportOutbox.js';
import type { AlertInput } from '../../shared/alert.js';
import type { EventBus } from '../platform/eventBus.js';
import type { Db } from '../store/db.js';
import type { Ledger } from '../store/ledger.js';
import type { Actor, TaskQueue } from '../tasks/queue.js';
import type { TaskDecider, TaskDecision } from '../tasks/taskDecision.js';

/** What the approvals need of the engine: its settings, store, task queue, deciders, ledger, events and alerts. */
export interface ApprovalsHost {
  readonly opts: { env?: NodeJS.ProcessEnv };
  readonly config: { approval: ApprovalConfig };
  readonly db: Db;
  readonly logger: Pick<Logger, 'error'>;
  readonly queue: Pick<TaskQueue, 'idsWithStatus' | 'get'>;
  readonly ledger: Pick<Ledger, 'append'>;
  readonly bus: Pick<EventBus, 'emit' | 'subscribe'>;
  abort(id: string, actor: Actor, reason?: string): unknown;
  addDecider(decider: TaskDecider): void;
  raiseAlert(input: AlertInput): unknown;
  /** The one redactor for text that leaves the host. */
  redact?(text: string): string;
}

export class Approvals {
  cfg!: ApprovalConfig;
  link: ApproverLink | null = null;
  outbox: ReportOutbox | null = null;
  private poller: AbortPoller | null = null;
  private readonly offs: Array<() => void> = [];
  private linkOff: (() => void) | null = null;
  private readonly log: Logger;

  constructor(
    private readonly engine: ApprovalsHost,
    logger: Logger,
  ) {
    this.log = logger.child({ component: 'approver' });
    this.build(engine.config.approval);
  }

  /** Builds the link, outbox and abort poller from a validated `approval` section and the environment. */
  private build(section: ApprovalConfig): void {
    const { engine, log } = this;
    this.cfg = applyApprovalEnv(section, engine.opts.env ?? process.env);
    if (this.cfg.enabled && this.cfg.assistant_url) {
      let link: ApproverLink | null = null;
      this.outbox = new ReportOutbox(engine.db as unknown as OutboxDatabase, { send: (r) => link!.sendReport(r), logger: log });
      link = new ApproverLink({ config: this.cfg, logger: log, review: this.outbox });
      this.link = link;
    } else {
      this.link = null;
      this.outbox = null;
    }
    this.poller = new AbortPoller({
      link: { abortSignal: (id) => this.link?.abortSignal(id) ?? Promise.resolve(null) },
      intervalMs: this.cfg.abort_poll_interval_ms,
      running: () => engine.queue.idsWithStatus('running').map((id) => engine.queue.get(id)).filter((t): t is Task => t !== null),
      abort: (id, reason, by) => {
        try {
          engine.abort(id, { by, surface: by === 'approver' ? 'approver' : 'engine' }, reason);
        } catch {
          // It ended meanwhile.
        }
      },
      logger: log,
    });
  }

  start(): void {
    const { engine } = this;
    // Always in the chain: with no link (approval off) it passes, so a reload can turn it on.
    engine.addDecider((task) => (this.link ? this.decide(task) : null));
    this.offs.push(engine.bus.subscribe((e) => this.onEvent(e)));
    this.startParts();
  }

  private startParts(): void {
    const { engine } = this;
    if (this.link) {
      this.linkOff = this.link.on('state', (state, reason) => {
        engine.ledger.append({ actor: 'approver', surface: 'approver', action: 'approver.link', detail: { state }, reason });
        engine.bus.emit({ type: 'approver.link', state, reason });
        if (state === 'online') this.outbox?.retryNow();
        if (state === 'fallback') engine.raiseAlert({ severity: 'P2', source: 'approver', check: 'fallback_mode', message: `approver unreachable: deciding locally with strict limits (${reason ?? 'repeated failures'})` });
      });
      this.link.start();
      this.outbox?.start();
    }
    this.poller?.start();
  }

  private async stopParts(): Promise<void> {
    this.linkOff?.();
    this.linkOff = null;
    await this.poller?.stop();
    this.link?.stop();
    this.outbox?.stop();
  }

  /** A reload: a changed `approval` section replaces the link (decisions in flight finish on the old one). */
  async reconfigure(section: ApprovalConfig): Promise<void> {
    applyApprovalEnv(section, this.engine.opts.env ?? process.env); // throws before anything is torn down
    await this.stopParts();
    this.build(section);
    this.startParts();
    if (!this.link) this.engine.bus.emit({ type: 'approver.link', state: 'off', reason: 'approval disabled by reload' });
  }

  private async decide(task: Task): Promise<TaskDecision> {
    // The approver is off the host: it sees the task with secrets masked, like every other receiver.
    const o = await this.link!.decide({ ...task, description: this.redacted(task.description), context: this.redacted(task.context) });
    return { approved: o.approved, reason: o.reason, constraints: o.constraints, decided_by: o.decided_by, retry_after_seconds: o.retry_after_seconds };
  }

  private redacted<T>(value: T): T {
    const redact = this.engine.redact;
    return redact ? redactDeep(value, (t) => redact.call(this.engine, t)) : value;
  }

  private onEvent(e: EngineEvent): void {
    if (e.type === 'task.transitioned' && this.outbox && TERMINAL_STATUSES.includes(e.to) && e.to !== 'rejected') {
      try {
        const report = reportFromTask(e.task);
        this.outbox.enqueue({ ...report, result: this.redacted(report.result), logs: this.redacted(report.logs), error_message: this.redacted(report.error_message) });
      } catch (err) {
        this.engine.logger.error({ err, task_id: e.task.task_id }, 'execution report not queued');
      }
    }
  }

  status(): { state: 'off' | 'online' | 'degraded' | 'fallback'; url: string | null; pending_review: number } {
    return { state: this.link?.state ?? 'off', url: this.link?.url ?? null, pending_review: this.outbox?.countForReview() ?? 0 };
  }

  async stop(): Promise<void> {
    for (const off of this.offs) off();
    await this.stopParts();
  }
}

/** The execution config the gateway receives: what it asked for (context.execution_config), tightened by the constraints. */
export function executionConfigOf(task: Task): ExecutionConfig {
  const asked = (task.context.execution_config ?? {}) as Partial<Record<keyof ExecutionConfig, unknown>>;
  const base: ExecutionConfig = { ...UNLIMITED };
  for (const k of Object.keys(UNLIMITED) as Array<keyof ExecutionConfig>) {
    const v = asked[k];
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) base[k] = v;
  }
  return applyConstraints(base, task.constraints).config;
}
