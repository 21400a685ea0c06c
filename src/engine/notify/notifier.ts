// Outbound notifications (issue 5, issue 25): Slack-compatible JSON and generic JSON webhooks for
// chosen events. notify() only queues and returns at once: a slow or dead receiver never holds up the
// engine. The queue is ordered by urgency (P0, P1, then the rest) and, when full, drops the oldest of
// the least urgent, so a flood of rejections never costs a tamper alert. An alert still open is sent
// again at most every `renotify_minutes`. Deliveries retry with backoff.
import { escapeControls } from '../../shared/text.js';
import { setMaxListeners } from 'node:events';
import type { EngineEvent } from '../../shared/events.js';
import type { Task } from '../../shared/task.js';
import { VERSION } from '../../shared/version.js';
import { backoffDelay } from '../platform/backoff.js';
import { silentLogger, type LinkLogger } from '../platform/linkLogger.js';
import { NOTIFY_PRIORITY, type NotifyConfig, type NotifyEvent } from './notifyConfig.js';

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
  n: Notification;
  rank: number;
  seq: number;
  attempts: number;
  notBefore: number;
}

export interface NotifierStats {
  queued: number;
  sent: number;
  failed: number;
  dropped: number;
  /** Repeats of an open alert not sent again inside the re-notify interval. */
  suppressed: number;
  /** Waiting or in flight now. */
  pending: number;
}

export interface NotifierOptions {
  logger?: LinkLogger;
  /** Applied to every text and string field before it leaves the host. */
  redact?: (text: string) => string;
  /** Called (on a later tick) when deliveries were dropped, with the count and the events dropped. */
  onDropped?: (count: number, events: NotifyEvent[]) => void;
  now?: () => number;
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

/** Remembered alerts (for re-notify) at most; the oldest are forgotten first. */
const MAX_REMEMBERED = 10_000;

const laneOf = (j: Job): 'urgent' | 'rest' => (j.rank <= 1 ? 'urgent' : 'rest');

export class Notifier {
  private readonly log: LinkLogger;
  private readonly queue: Job[] = [];
  private readonly idleWaiters: Array<() => void> = [];
  private readonly stopping = new AbortController();
  private readonly lastSent = new Map<string, number>();
  private readonly redact: (text: string) => string;
  private readonly now: () => number;
  /** Deliveries in flight per lane: P0/P1 have their own, so hung low-priority sends never hold them up. */
  private readonly lane = { urgent: 0, rest: 0 };
  private seq = 0;
  private timer: NodeJS.Timeout | null = null;
  private lastLinkState: string | null = null;
  private droppedSinceReport: NotifyEvent[] = [];
  private readonly counters = { queued: 0, sent: 0, failed: 0, dropped: 0, suppressed: 0 };

  constructor(
    private cfg: NotifyConfig,
    private readonly options: NotifierOptions = {},
  ) {
    this.log = (options.logger ?? silentLogger).child({ component: 'notifier' });
    this.redact = options.redact ?? ((t) => t);
    this.now = options.now ?? Date.now;
    setMaxListeners(0, this.stopping.signal);
  }

  get stats(): NotifierStats {
    return { ...this.counters, pending: this.pending };
  }

  /** Takes a new `notify` section (reload): queued deliveries to a target that is gone go to the new targets. */
  reconfigure(cfg: NotifyConfig): void {
    this.cfg = cfg;
    const targets = new Set([cfg.slack_webhook_url, ...cfg.webhooks.map((h) => h.url)]);
    const orphans = new Set<Notification>();
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const j = this.queue[i]!;
      if (!targets.has(j.target)) {
        orphans.add(j.n);
        this.queue.splice(i, 1);
      }
    }
    for (const n of orphans) this.fanOut(n);
    setImmediate(() => this.pump());
  }

  /** Queues one notification for every target that wants it; false when no target wants it. */
  notify(event: NotifyEvent, text: string, data: Record<string, unknown> = {}): boolean {
    if (this.stopping.signal.aborted) return false;
    // Secrets masked and control characters escaped before anything leaves the host (law 11).
    const clean = (x: string) => escapeControls(this.redact(x));
    const deep = (v: unknown, depth = 0): unknown =>
      typeof v === 'string' ? clean(v) : depth > 16 || v === null || typeof v !== 'object' ? v : Array.isArray(v) ? v.map((x) => deep(x, depth + 1)) : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deep(x, depth + 1)]));
    return this.fanOut({ event, ts: new Date(this.now()).toISOString(), text: clean(text), data: deep(data) as Record<string, unknown> });
  }

  private fanOut(n: Notification): boolean {
    let queued = false;
    if (this.cfg.slack_webhook_url && this.cfg.slack_events.includes(n.event)) {
      this.push({ target: this.cfg.slack_webhook_url, kind: 'slack', headers: {}, body: JSON.stringify(slackBody(n)), event: n.event, n });
      queued = true;
    }
    for (const hook of this.cfg.webhooks) {
      if (!hook.events.includes(n.event)) continue;
      const body = JSON.stringify({ event: n.event, ts: n.ts, data: { ...n.data, text: n.text } });
      this.push({ target: hook.url, kind: 'webhook', headers: hook.headers, body, event: n.event, n });
      queued = true;
    }
    return queued;
  }

  /** A task is waiting for a person: no decider (budget, approver) decided it. */
  taskNeedsApproval(t: Task): void {
    this.notify('task.needs_approval', `Task ${t.task_id} (${t.task_type}, $${t.estimated_cost.toFixed(2)}) is waiting for the operator's approval`, {
      task_id: t.task_id,
      task_type: t.task_type,
      estimated_cost: t.estimated_cost,
    });
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
        // The same open alert is raised again on every scan: send it once per re-notify interval.
        const now = this.now();
        const last = this.lastSent.get(a.id);
        if (last !== undefined && (this.cfg.renotify_minutes === 0 || now - last < this.cfg.renotify_minutes * 60_000)) {
          this.counters.suppressed++;
          return;
        }
        this.lastSent.delete(a.id);
        this.lastSent.set(a.id, now);
        if (this.lastSent.size > MAX_REMEMBERED) this.lastSent.delete(this.lastSent.keys().next().value!);
        const again = last !== undefined ? ` (still open, seen ${a.count ?? 1} times)` : '';
        this.notify(a.severity === 'P0' ? 'alert.p0' : 'alert.p1', `[${a.severity}] ${a.source}/${a.check}: ${a.message}${again}`, {
          id: a.id,
          severity: a.severity,
          source: a.source,
          check: a.check,
          message: a.message,
          path: a.path ?? null,
          count: a.count ?? 1,
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

  private get inFlight(): number {
    return this.lane.urgent + this.lane.rest;
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
    this.counters.dropped += this.queue.length;
    this.queue.length = 0;
    this.settleIdle();
  }

  private push(j: Omit<Job, 'attempts' | 'notBefore' | 'rank' | 'seq'>): void {
    const job: Job = { ...j, rank: NOTIFY_PRIORITY[j.event], seq: this.seq++, attempts: 0, notBefore: 0 };
    if (this.pending >= this.cfg.queue_size) {
      // Full: the least urgent, oldest first, goes; that may be the new one itself.
      let victim: Job = job;
      let at = -1;
      this.queue.forEach((q, i) => {
        if (q.rank > victim.rank || (q.rank === victim.rank && q.seq < victim.seq)) {
          victim = q;
          at = i;
        }
      });
      if (at >= 0) this.queue.splice(at, 1);
      this.drop(victim);
      if (victim === job) return;
    }
    this.queue.push(job);
    this.counters.queued++;
    // Deliver on a later tick so the caller never waits on anything here.
    setImmediate(() => this.pump());
  }

  private drop(j: Job): void {
    this.counters.dropped++;
    this.log.warn({ event: j.event, kind: j.kind, queue_size: this.cfg.queue_size }, 'notification dropped: queue full');
    if (this.droppedSinceReport.push(j.event) === 1 && this.options.onDropped) {
      setImmediate(() => {
        const events = this.droppedSinceReport.splice(0);
        if (events.length) this.options.onDropped?.(events.length, [...new Set(events)]);
      });
    }
  }

  /** The next job due that has a free slot: most urgent first, then oldest. */
  private nextDue(now: number): number {
    let best = -1;
    this.queue.forEach((j, i) => {
      if (j.notBefore > now || this.lane[laneOf(j)] >= this.cfg.concurrency) return;
      const b = best >= 0 ? this.queue[best]! : null;
      if (!b || j.rank < b.rank || (j.rank === b.rank && j.seq < b.seq)) best = i;
    });
    return best;
  }

  private pump(): void {
    if (this.stopping.signal.aborted) return;
    const now = Date.now();
    for (;;) {
      const i = this.nextDue(now);
      if (i < 0) break;
      const job = this.queue.splice(i, 1)[0]!;
      const lane = laneOf(job);
      this.lane[lane]++;
      void this.deliver(job).finally(() => {
        this.lane[lane]--;
        this.pump();
        this.settleIdle();
      });
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const waiting = this.queue.filter((j) => this.lane[laneOf(j)] < this.cfg.concurrency);
    if (waiting.length) {
      const next = Math.min(...waiting.map((j) => j.notBefore));
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
        this.counters.sent++;
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
      this.counters.failed++;
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
