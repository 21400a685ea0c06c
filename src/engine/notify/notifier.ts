// Outbound notifications (issue 5): Slack-compatible JSON and generic JSON webhooks for chosen
// events. notify() only appends to a bounded in-memory queue and returns at once: a slow or dead
// receiver never holds up the engine. Deliveries retry with backoff; a full queue drops with a log.
import { escapeControls } from '../../shared/text.js';
import { setMaxListeners } from 'node:events';
import type { EngineEvent } from '../../shared/events.js';
import { VERSION } from '../../shared/version.js';
import { backoffDelay } from '../platform/backoff.js';
import { silentLogger, type LinkLogger } from '../platform/linkLogger.js';
import type { NotifyConfig, NotifyEvent } from './notifyConfig.js';

export interface Notification {
  event: NotifyEvent;
  ts: string;
  text: string;
  data: Record<string, unknown>;
}

interface Job {
  target: string;
  kind: 'slack' | 'webhook';
  headers: Record<string, string>;
  body: string;
  event: NotifyEvent;
  attempts: number;
  notBefore: number;
}

export interface NotifierStats {
  queued: number;
  sent: number;
  failed: number;
  dropped: number;
}

/** Slack treats <, > and & as markup (mentions, links): escape what came from tasks or alerts. */
export function slackEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function slackBody(n: Notification): { text: string; blocks: unknown[] } {
  const text = slackEscape(n.text);
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `gatehouse · ${n.event} · ${n.ts}` }] },
    ],
  };
}

export class Notifier {
  private readonly log: LinkLogger;
  private readonly queue: Job[] = [];
  private readonly idleWaiters: Array<() => void> = [];
  private readonly stopping = new AbortController();
  private inFlight = 0;
  private timer: NodeJS.Timeout | null = null;
  private lastLinkState: string | null = null;
  readonly stats: NotifierStats = { queued: 0, sent: 0, failed: 0, dropped: 0 };

  constructor(
    private readonly cfg: NotifyConfig,
    logger: LinkLogger = silentLogger,
    /** The one redactor for what leaves the host (the secrets scanner, passed down by the engine). */
    private readonly redact: (text: string) => string = (t) => t,
  ) {
    this.log = logger.child({ component: 'notifier' });
    setMaxListeners(0, this.stopping.signal);
  }

  /** Queues one notification for every target that wants it; false when nothing was queued. */
  notify(event: NotifyEvent, text: string, data: Record<string, unknown> = {}): boolean {
    if (this.stopping.signal.aborted) return false;
    // Secrets masked and control characters escaped before anything leaves the host (laws 11, gap 9).
    const clean = (t: string) => escapeControls(this.redact(t));
    const deep = (v: unknown, depth = 0): unknown =>
      typeof v === 'string' ? clean(v) : depth > 16 || v === null || typeof v !== 'object' ? v : Array.isArray(v) ? v.map((x) => deep(x, depth + 1)) : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deep(x, depth + 1)]));
    const n: Notification = { event, ts: new Date().toISOString(), text: clean(text), data: deep(data) as Record<string, unknown> };
    let queued = false;
    if (this.cfg.slack_webhook_url && this.cfg.slack_events.includes(event)) {
      queued = this.push({ target: this.cfg.slack_webhook_url, kind: 'slack', headers: {}, body: JSON.stringify(slackBody(n)), event }) || queued;
    }
    for (const hook of this.cfg.webhooks) {
      if (!hook.events.includes(event)) continue;
      const body = JSON.stringify({ event: n.event, ts: n.ts, data: { ...n.data, text: n.text } });
      queued = this.push({ target: hook.url, kind: 'webhook', headers: hook.headers, body, event }) || queued;
    }
    return queued;
  }

  /** Maps engine events to notifications: rejections, fallback entered and left, P0/P1 alerts. */
  handleEvent(ev: EngineEvent): void {
    switch (ev.type) {
      case 'task.transitioned':
        if (ev.to === 'rejected') {
          const t = ev.task;
          this.notify('task.rejected', `Task ${t.task_id} (${t.task_type}, $${t.estimated_cost.toFixed(2)}) rejected by ${ev.by}: ${ev.reason ?? 'no reason given'}`, {
            task_id: t.task_id,
            task_type: t.task_type,
            estimated_cost: t.estimated_cost,
            decided_by: t.decided_by,
            by: ev.by,
            reason: ev.reason,
          });
        }
        return;
      case 'approver.link': {
        const prev = this.lastLinkState;
        this.lastLinkState = ev.state;
        if (ev.state === 'fallback' && prev !== 'fallback') {
          this.notify('approver.fallback_entered', `Approver unreachable: decisions are now local under strict fallback limits (${ev.reason ?? 'repeated failures'})`, { state: ev.state, reason: ev.reason });
        } else if (prev === 'fallback' && ev.state !== 'fallback') {
          this.notify('approver.fallback_left', `Approver reachable again: link ${ev.state}; fallback decisions are listed for review`, { state: ev.state, reason: ev.reason });
        }
        return;
      }
      case 'alert.raised': {
        const a = ev.alert;
        if (a.severity !== 'P0' && a.severity !== 'P1') return;
        this.notify(a.severity === 'P0' ? 'alert.p0' : 'alert.p1', `[${a.severity}] ${a.source}/${a.check}: ${a.message}`, {
          id: a.id,
          severity: a.severity,
          source: a.source,
          check: a.check,
          message: a.message,
          path: a.path ?? null,
        });
        return;
      }
      default:
        return;
    }
  }

  /** Resolves when nothing is queued or in flight (tests, and a graceful shutdown). */
  idle(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  /** Drops what is queued and cuts deliveries in flight short. */
  stop(): void {
    this.stopping.abort();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.queue.length) this.log.warn({ dropped: this.queue.length }, 'notifier stopped with deliveries queued');
    this.stats.dropped += this.queue.length;
    this.queue.length = 0;
    this.settleIdle();
  }

  private push(j: Omit<Job, 'attempts' | 'notBefore'>): boolean {
    if (this.pending >= this.cfg.queue_size) {
      this.stats.dropped++;
      this.log.warn({ event: j.event, kind: j.kind, queue_size: this.cfg.queue_size }, 'notification dropped: queue full');
      return false;
    }
    this.queue.push({ ...j, attempts: 0, notBefore: 0 });
    this.stats.queued++;
    // Deliver on a later tick so the caller never waits on anything here.
    setImmediate(() => this.pump());
    return true;
  }

  private pump(): void {
    if (this.stopping.signal.aborted) return;
    const now = Date.now();
    while (this.inFlight < this.cfg.concurrency) {
      const i = this.queue.findIndex((j) => j.notBefore <= now);
      if (i < 0) break;
      const job = this.queue.splice(i, 1)[0]!;
      this.inFlight++;
      void this.deliver(job).finally(() => {
        this.inFlight--;
        this.pump();
        this.settleIdle();
      });
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.queue.length && this.inFlight < this.cfg.concurrency) {
      const next = Math.min(...this.queue.map((j) => j.notBefore));
      this.timer = setTimeout(() => this.pump(), Math.max(0, next - now));
      this.timer.unref?.();
    }
  }

  private async deliver(job: Job): Promise<void> {
    job.attempts++;
    let error: string;
    let permanent = false;
    try {
      const res = await fetch(job.target, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'User-Agent': `gatehouse/${VERSION}`, ...job.headers },
        body: job.body,
        signal: AbortSignal.any([AbortSignal.timeout(this.cfg.timeout_ms), this.stopping.signal]),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) {
        this.stats.sent++;
        return;
      }
      error = `answered ${res.status}`;
      // A 4xx other than 408/429 will not change by retrying (bad URL, revoked hook).
      permanent = res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429;
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause;
      error = cause?.code ?? (e instanceof Error ? `${e.name}: ${e.message}` : String(e));
    }
    if (this.stopping.signal.aborted) return;
    if (permanent || job.attempts >= this.cfg.retry.max_attempts) {
      this.stats.failed++;
      this.log.warn({ event: job.event, kind: job.kind, attempts: job.attempts, err: error }, 'notification given up');
      return;
    }
    const delay = backoffDelay(job.attempts, this.cfg.retry);
    this.log.info({ event: job.event, kind: job.kind, attempt: job.attempts, retry_in_ms: delay, err: error }, 'notification failed, will retry');
    job.notBefore = Date.now() + delay;
    this.queue.push(job);
  }

  private settleIdle(): void {
    if (this.queue.length === 0 && this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
  }
}
