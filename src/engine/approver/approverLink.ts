// The approver link: the one seam the queue calls to get a decision for a task. It asks the remote
// approver while the link is online or degraded, decides locally (strict fallback) when the approver
// fails or the link is in fallback, never throws from decide() and never waits past its deadline.
// A health loop keeps running in every state and brings the link back online by itself.
import { setMaxListeners } from 'node:events';
import { createActor, type Actor } from 'xstate';
import type { ApproverLinkState } from '../../shared/events.js';
import type { Task } from '../../shared/task.js';
import { approverLinkMachine, type ApproverLinkEvent } from '../../machines/approverLink.machine.js';
import type { ApprovalConfig } from './approvalConfig.js';
import type { AbortSignalResponse, ExecutionReport } from './approverApi.js';
import { ApproverCallError, ApproverClient } from './approverClient.js';
import { backoffDelay } from '../platform/backoff.js';
import { fallbackDecision, type ApprovalOutcome, type FallbackTask } from './fallbackDecision.js';
import { silentLogger, type LinkLogger } from '../platform/linkLogger.js';

export type { ApprovalOutcome } from './fallbackDecision.js';

/** Where fallback decisions are kept for the operator's review (ReportOutbox implements it). */
export interface FallbackReviewSink {
  recordFallback(task: FallbackTask & { description?: string }, outcome: ApprovalOutcome): void;
}

export type DecideTask = Pick<Task, 'task_id' | 'task_type' | 'description' | 'estimated_cost' | 'estimated_duration_ms' | 'context'>;

export type LinkStateListener = (state: ApproverLinkState, reason: string | null) => void;

export interface ApproverLinkOptions {
  config: ApprovalConfig;
  logger?: LinkLogger;
  review?: FallbackReviewSink;
  random?: () => number;
}

export class ApproverLink {
  private readonly cfg: ApprovalConfig;
  private readonly log: LinkLogger;
  private readonly client: ApproverClient | null;
  private readonly actor: Actor<typeof approverLinkMachine> | null;
  private readonly listeners = new Set<LinkStateListener>();
  private readonly stopping = new AbortController();
  private healthTimer: NodeJS.Timeout | null = null;
  private healthRunning = false;
  private current: ApproverLinkState;
  /** Counters for status and /metrics. */
  readonly counters = { decisions_approver: 0, decisions_fallback: 0, call_failures: 0, state_changes: 0 };
  /** Longest a remote decision may take: every attempt's timeout plus the backoff between them. */
  readonly decideDeadlineMs: number;

  constructor(private readonly opts: ApproverLinkOptions) {
    this.cfg = opts.config;
    // Every in-flight call listens on the stop signal; many concurrent decisions are normal.
    setMaxListeners(0, this.stopping.signal);
    this.log = (opts.logger ?? silentLogger).child({ component: 'approver-link' });
    const enabled = this.cfg.enabled && !!this.cfg.assistant_url;
    const attempts = this.cfg.retry_policy.enabled ? this.cfg.retry_policy.max_attempts : 1;
    let backoffMax = 0;
    for (let i = 1; i < attempts; i++) backoffMax += backoffDelay(i, this.cfg.retry_policy, () => 1);
    this.decideDeadlineMs = this.cfg.timeout_ms * attempts + backoffMax;
    if (!enabled) {
      this.client = null;
      this.actor = null;
      this.current = 'off';
      return;
    }
    this.client = new ApproverClient({
      url: this.cfg.assistant_url!,
      apiKey: this.cfg.api_key,
      timeoutMs: this.cfg.timeout_ms,
      retry: this.cfg.retry_policy,
      logger: opts.logger,
      random: opts.random,
    });
    this.actor = createActor(approverLinkMachine, {
      input: { fallbackAfter: this.cfg.fallback_after_failures, recoverAfter: this.cfg.recover_after_successes },
    });
    this.current = 'online';
    this.actor.subscribe((snap) => {
      const next = snap.value as ApproverLinkState;
      if (next === this.current) return;
      const prev = this.current;
      this.current = next;
      this.counters.state_changes++;
      const reason = snap.context.reason;
      (next === 'online' ? this.log.info : this.log.warn).call(this.log, { from: prev, to: next, reason }, 'approver link state changed');
      for (const l of this.listeners) {
        try {
          l(next, reason);
        } catch (e) {
          this.log.error({ err: String(e) }, 'approver link state listener threw');
        }
      }
    });
    this.actor.start();
  }

  get state(): ApproverLinkState {
    return this.current;
  }

  get reason(): string | null {
    return this.actor?.getSnapshot().context.reason ?? null;
  }

  get url(): string | null {
    return this.client?.url ?? null;
  }

  /** Calls the listener on every state change; returns the unsubscribe function. */
  on(_event: 'state', listener: LinkStateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Decides a task. Never throws; settles within decideDeadlineMs (plus a small margin). */
  async decide(task: DecideTask): Promise<ApprovalOutcome> {
    try {
      if (!this.client || this.current === 'fallback' || this.stopping.signal.aborted) {
        const why = !this.client ? 'no approver configured' : this.current === 'fallback' ? `link in fallback (${this.reason ?? 'approver failing'})` : 'link stopped';
        return this.local(task, why);
      }
      const deadline = Date.now() + this.decideDeadlineMs;
      const remote = this.client
        .approve(
          {
            task_id: task.task_id,
            task_type: task.task_type,
            description: task.description,
            estimated_cost: task.estimated_cost,
            estimated_duration_ms: task.estimated_duration_ms,
            context: task.context,
            timestamp: new Date().toISOString(),
          },
          { deadline, signal: this.stopping.signal },
        )
        .then(
          (a) => ({ ok: true as const, a }),
          (e: unknown) => ({ ok: false as const, e }),
        );
      // Belt and braces: the client honours the deadline, but the queue must never wait on a bug.
      let guard: NodeJS.Timeout | undefined;
      const late = new Promise<{ ok: false; e: unknown }>((resolve) => {
        guard = setTimeout(() => resolve({ ok: false, e: new ApproverCallError('deadline', `no decision within ${this.decideDeadlineMs} ms`) }), this.decideDeadlineMs + 250);
      });
      const r = await Promise.race([remote, late]);
      clearTimeout(guard);
      if (r.ok) {
        this.counters.decisions_approver++;
        this.send({ type: 'approver.ok' });
        return {
          approved: r.a.approved,
          reason: r.a.reason || (r.a.approved ? 'approved by the approver' : 'rejected by the approver'),
          constraints: r.a.approved ? r.a.constraints : [],
          decided_by: 'approver',
          retry_after_seconds: r.a.approved ? null : r.a.retry_after_seconds,
        };
      }
      const why = r.e instanceof Error ? r.e.message : String(r.e);
      this.send({ type: 'approver.failed', reason: why });
      return this.local(task, why);
    } catch (e) {
      // Unreachable by design; if it happens the answer is still a strict local one.
      this.log.error({ task_id: task.task_id, err: String(e) }, 'approver link decide failed unexpectedly');
      return this.local(task, `internal error: ${String(e)}`);
    }
  }

  /** The approver's abort signal for a task; null when unknown, unreachable or the link is not online. */
  async abortSignal(taskId: string): Promise<AbortSignalResponse | null> {
    if (!this.client || this.current === 'fallback') return null;
    try {
      const answer = await this.client.abortSignal(taskId, { maxAttempts: 1, deadline: Date.now() + this.cfg.timeout_ms, signal: this.stopping.signal });
      this.send({ type: 'approver.ok' });
      return answer;
    } catch (e) {
      // A 4xx is the approver answering; only transport and server failures count against the link.
      if (e instanceof ApproverCallError && e.retryable) this.send({ type: 'approver.failed', reason: e.message });
      return null;
    }
  }

  /** Delivers one report; throws when it was not acknowledged (the outbox will retry). */
  async sendReport(report: ExecutionReport): Promise<void> {
    if (!this.client) throw new Error('no approver configured: reports cannot be delivered');
    if (this.current === 'fallback') throw new Error(`approver link in fallback (${this.reason ?? 'approver failing'}): report held`);
    try {
      await this.client.sendReport(report, { deadline: Date.now() + this.decideDeadlineMs, signal: this.stopping.signal });
      this.send({ type: 'approver.ok' });
    } catch (e) {
      if (e instanceof ApproverCallError && e.retryable) this.send({ type: 'approver.failed', reason: e.message });
      throw e;
    }
  }

  /** Runs one health check now and feeds the result to the link. */
  async checkHealth(): Promise<boolean> {
    if (!this.client) return false;
    const r = await this.client.health({ deadline: Date.now() + this.cfg.timeout_ms, signal: this.stopping.signal });
    if (this.stopping.signal.aborted) return r.ok;
    this.send(r.ok ? { type: 'health.ok' } : { type: 'health.failed', reason: r.reason });
    return r.ok;
  }

  /** Starts the health loop (every health_interval_ms, in every state). */
  start(): void {
    if (!this.client || this.healthTimer || this.stopping.signal.aborted) return;
    const tick = (): void => {
      this.healthTimer = setTimeout(() => {
        if (this.healthRunning) return tick();
        this.healthRunning = true;
        void this.checkHealth()
          .catch((e: unknown) => this.log.error({ err: String(e) }, 'health check failed unexpectedly'))
          .finally(() => {
            this.healthRunning = false;
            if (!this.stopping.signal.aborted) tick();
          });
      }, this.cfg.health_interval_ms);
      this.healthTimer.unref?.();
    };
    tick();
  }

  /** Stops the health loop and cuts in-flight calls short (their decisions fall back locally). */
  stop(): void {
    this.stopping.abort();
    if (this.healthTimer) clearTimeout(this.healthTimer);
    this.healthTimer = null;
    this.actor?.stop();
  }

  private send(event: ApproverLinkEvent): void {
    if (!this.actor || this.stopping.signal.aborted) return;
    if (event.type.endsWith('.failed')) this.counters.call_failures++;
    // The common case, a success while online with nothing to reset, changes nothing: skip it.
    if (event.type.endsWith('.ok') && this.current === 'online' && this.actor.getSnapshot().context.failures === 0) return;
    this.actor.send(event);
  }

  private local(task: DecideTask, why: string): ApprovalOutcome {
    this.counters.decisions_fallback++;
    const outcome = fallbackDecision(task, this.cfg, why);
    if (!this.opts.review) return outcome;
    try {
      this.opts.review.recordFallback(task, outcome);
      return outcome;
    } catch (e) {
      // An approval nobody can review later is not given.
      this.log.error({ task_id: task.task_id, err: String(e) }, 'could not record a fallback decision for review');
      return { ...outcome, approved: false, constraints: [], reason: `fallback decision could not be recorded for review (${String(e)}): rejected` };
    }
  }
}
