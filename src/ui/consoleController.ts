// Talks to the engine for the console: loads what the views show, follows live events with throttled
// refreshes, and carries out operator actions. Only the client interface and shared types: it works the
// same in-process and attached. No ink, no react.
import type { EngineClient } from '../client/engineClient.js';
import type { Alert } from '../shared/alert.js';
import type { EngineEvent, Topic } from '../shared/events.js';
import type { AnswerScope, Prompt } from '../shared/firewall.js';
import type { LedgerRecord } from '../shared/ledger.js';
import { RingBuffer } from './ringBuffer.js';
import { ledgerOrder, queueQuery, type Store } from './consoleState.js';

export interface ControllerOptions {
  /** Refreshes caused by live events run at most this often. */
  throttleMs?: number;
  /** While events keep coming (a refresh less than a second ago), refreshes run at most this often. */
  busyThrottleMs?: number;
  /** How often the header's status is re-read when nothing happens (uptime, cost). */
  statusPollMs?: number;
  /** The least time between two status reads caused by events. */
  statusMinMs?: number;
  /** How long a message stays on the message line (errors twice as long). */
  flashMs?: number;
  alertCapacity?: number;
  ledgerCapacity?: number;
}

/** 'alertBuffer': show the alerts the ring buffer already holds (no read from the engine). */
type Part = 'queue' | 'status' | 'prompts' | 'alerts' | 'alertBuffer' | 'agents' | 'ledger' | 'detail';
const SUBSCRIBED: readonly Topic[] = ['tasks', 'prompts', 'alerts', 'engine', 'agents'];

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class ConsoleController {
  private readonly alerts: RingBuffer<Alert>;
  private readonly ledger: RingBuffer<LedgerRecord>;
  private readonly throttleMs: number;
  private readonly busyThrottleMs: number;
  private timerDue = 0;
  private readonly statusPollMs: number;
  private dirty = new Set<Part>();
  private timer: NodeJS.Timeout | null = null;
  private poll: NodeJS.Timeout | null = null;
  private statusTimer: NodeJS.Timeout | null = null;
  private lastFlush = 0;
  private lastStatus = 0;
  private readonly statusMinMs: number;
  private readonly stale = new Set<'agents' | 'ledger'>();
  private lastQueueKey: string | null = null;
  /** The ask whose brief was last asked for (see viewChanged). */
  private briefedAsk: string | null = null;
  private unsubscribe: (() => void) | null = null;
  private offConnection: (() => void) | null = null;
  private offHosts: (() => void) | null = null;
  private offHostFilter: (() => void) | null = null;
  private offFlash: (() => void) | null = null;
  private flashSeen = 0;
  private readonly flashMs: number;
  private stopped = false;
  /** Bumped by every live event for a list: a list answer that raced an event is re-read, not trusted. */
  private generation = { prompts: 0, alerts: 0 };

  constructor(
    private readonly client: EngineClient,
    private readonly store: Store,
    opts: ControllerOptions = {},
  ) {
    this.throttleMs = opts.throttleMs ?? 150;
    this.busyThrottleMs = Math.max(this.throttleMs, opts.busyThrottleMs ?? 500);
    this.statusPollMs = opts.statusPollMs ?? 5000;
    this.statusMinMs = opts.statusMinMs ?? 1000;
    this.flashMs = opts.flashMs ?? 6000;
    this.alerts = new RingBuffer(opts.alertCapacity ?? 500);
    this.ledger = new RingBuffer(opts.ledgerCapacity ?? 200);
  }

  async start(): Promise<void> {
    this.unsubscribe = this.client.subscribe(SUBSCRIBED, (e) => this.onEvent(e));
    // A reconnecting client says when the engine went away and came back; the `gap` it sends on return
    // makes every list re-read (see onEvent).
    this.offConnection =
      this.client.onConnection?.((c) => this.store.dispatch({ type: 'connection', reconnecting: c.state === 'reconnecting', attempt: c.attempt })) ?? null;
    // Over several engines: each host's state in the header; a host going down or coming back re-reads
    // the lists (its items leave or return), and a new host filter re-reads what it narrows.
    const hosts = this.client.hosts?.();
    if (hosts) {
      this.store.dispatch({ type: 'hosts', hosts });
      let upSet = hosts.filter((h) => h.state === 'connected').map((h) => h.name).join(',');
      this.offHosts =
        this.client.onHosts?.((next) => {
          this.store.dispatch({ type: 'hosts', hosts: next });
          const nextUp = next.filter((h) => h.state === 'connected').map((h) => h.name).join(',');
          if (nextUp !== upSet) this.mark('queue', 'prompts', 'alerts', 'agents', 'status');
          upSet = nextUp;
        }) ?? null;
      let host = this.store.getState().queue.filter.host;
      this.offHostFilter = this.store.subscribe(() => {
        const now = this.store.getState().queue.filter.host;
        if (now !== host) this.mark('prompts', 'alerts');
        host = now;
      });
    }
    await Promise.all([
      this.loadStatus(),
      this.loadQueue(true),
      this.loadPrompts(),
      this.loadAlerts(),
      this.loadAgents(),
      this.loadLedger(),
    ]);
    this.offFlash = this.store.subscribe(() => this.fadeFlash());
    this.poll = setInterval(() => this.mark('status'), this.statusPollMs);
    this.poll.unref?.();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.offConnection?.();
    this.offConnection = null;
    this.offHosts?.();
    this.offHostFilter?.();
    this.offHosts = this.offHostFilter = null;
    this.offFlash?.();
    this.offFlash = null;
    if (this.timer) clearTimeout(this.timer);
    if (this.poll) clearInterval(this.poll);
    if (this.statusTimer) clearTimeout(this.statusTimer);
    this.timer = this.poll = this.statusTimer = null;
  }

  private onEvent(e: EngineEvent): void {
    const d = this.store.dispatch;
    if (e.type.startsWith('prompt.')) this.generation.prompts++;
    if (e.type.startsWith('alert.')) this.generation.alerts++;
    switch (e.type) {
      case 'task.submitted':
      case 'task.transitioned':
        this.mark('queue', 'status', 'ledger');
        if (this.store.getState().detail?.id === e.task.task_id) this.mark('detail');
        return;
      case 'prompt.opened':
        // Applied at once: a new ask must show without waiting for a refresh.
        d({ type: 'prompts', prompts: [...this.store.getState().prompts.filter((p) => p.id !== e.prompt.id), e.prompt] });
        this.mark('status');
        return;
      case 'prompt.resolved':
      case 'prompt.expired':
      case 'prompt.cancelled':
        d({ type: 'prompts', prompts: this.store.getState().prompts.filter((p) => p.id !== e.prompt.id) });
        this.mark('status', 'ledger');
        return;
      case 'alert.raised':
        // Into the ring buffer now, onto the screen with the next refresh: a burst of alerts (an attack the
        // monitor is reporting line by line) must not redraw the screen once per alert in the engine's process.
        this.alerts.push(e.alert);
        this.mark('alertBuffer', 'status');
        return;
      case 'alert.acked':
        if (!this.alerts.replace((a) => a.id === e.alert.id, e.alert)) this.alerts.push(e.alert);
        this.mark('alertBuffer', 'status', 'ledger');
        return;
      case 'agent.registered':
      case 'agent.gone':
        this.mark('agents', 'status');
        return;
      case 'gap':
        this.mark('queue', 'status', 'prompts', 'alerts', 'agents', 'ledger', 'detail');
        return;
      default:
        this.mark('status', 'ledger');
    }
  }

  /** A message on the message line fades after a while; a newer message keeps its own time. */
  private fadeFlash(): void {
    const s = this.store.getState();
    if (!s.flash || s.flashAt === this.flashSeen || this.stopped) return;
    this.flashSeen = s.flashAt;
    const at = s.flashAt;
    setTimeout(() => this.store.dispatch({ type: 'flash.expire', at }), s.flash.tone === 'error' ? this.flashMs * 2 : this.flashMs).unref?.();
  }

  /**
   * Note what needs re-reading after a live event: at most one refresh per throttle window, and always a
   * trailing one. While events keep coming (the last refresh was under a second ago) the window widens to
   * busyThrottleMs: each refresh redraws the screen in the engine's own process, so a flood costs it a few
   * frames a second, not one per event burst. Keys redraw at once regardless (they do not wait for this).
   */
  mark(...parts: Part[]): void {
    this.schedule(parts, false);
  }

  /** After the operator's own action: re-read within the short window, flood or not. */
  private refresh(...parts: Part[]): void {
    this.schedule(parts, true);
  }

  private schedule(parts: readonly Part[], soon: boolean): void {
    if (this.stopped) return;
    for (const p of parts) this.dirty.add(p);
    const now = Date.now();
    const busy = !soon && now - this.lastFlush < 1000;
    const due = Math.max(now, this.lastFlush + (busy ? this.busyThrottleMs : this.throttleMs));
    if (this.timer) {
      if (due >= this.timerDue) return;
      clearTimeout(this.timer); // an operator's action brings a later refresh forward
    }
    this.timerDue = due;
    this.timer = setTimeout(() => void this.flush(), due - now);
    this.timer.unref?.();
  }

  private async flush(): Promise<void> {
    this.timer = null;
    this.lastFlush = Date.now();
    const parts = this.dirty;
    this.dirty = new Set();
    const view = this.store.getState().view;
    // Lists nobody is looking at are read when their view opens (see viewChanged), not on every event.
    for (const hidden of ['agents', 'ledger'] as const) {
      if (parts.has(hidden) && view !== hidden) {
        parts.delete(hidden);
        this.stale.add(hidden);
      }
    }
    // The status is a summary of the whole engine: under a flood it is re-read at most once a second.
    if (parts.has('status') && this.lastFlush - this.lastStatus < this.statusMinMs) {
      parts.delete('status');
      if (!this.statusTimer && !this.stopped) {
        this.statusTimer = setTimeout(() => {
          this.statusTimer = null;
          this.mark('status');
        }, this.lastStatus + this.statusMinMs - this.lastFlush);
        this.statusTimer.unref?.();
      }
    }
    const work: Array<Promise<void>> = [];
    if (parts.has('queue')) work.push(this.loadQueue(true));
    if (parts.has('status')) work.push(this.loadStatus());
    if (parts.has('prompts')) work.push(this.loadPrompts());
    if (parts.has('alerts')) work.push(this.loadAlerts());
    else if (parts.has('alertBuffer')) this.store.dispatch({ type: 'alerts', alerts: this.alerts.toArray() });
    if (parts.has('agents')) work.push(this.loadAgents());
    if (parts.has('ledger')) work.push(this.loadLedger());
    if (parts.has('detail')) work.push(this.loadDetail());
    await Promise.all(work);
  }

  /** Called on every state change: a view that opens with stale data is re-read now, and the ask selected
   * in the Prompts view gets its assistant brief. */
  viewChanged(): void {
    const view = this.store.getState().view;
    if ((view === 'agents' || view === 'ledger') && this.stale.has(view)) {
      this.stale.delete(view);
      this.refresh(view);
    }
    const ask = this.askInView();
    if (ask !== this.briefedAsk) {
      this.briefedAsk = ask;
      if (ask) void this.loadAssistant(ask);
    }
  }

  /** The ask whose detail the Prompts view shows (the selected one, else the first), or null. */
  private askInView(): string | null {
    const s = this.store.getState();
    if (s.view !== 'prompts' || s.detail) return null;
    return (s.prompts.find((p) => p.id === s.selected.prompts) ?? s.prompts[0])?.id ?? null;
  }

  /** Fetch the visible Queue page when the window, filter or order changed (or when forced by an event). */
  async loadQueue(force = false): Promise<void> {
    const q = queueQuery(this.store.getState().queue);
    if (!force && q.key === this.lastQueueKey) return;
    this.lastQueueKey = q.key;
    const { key, ...query } = q;
    try {
      const page = await this.client.tasks.list(query);
      this.store.dispatch({ type: 'queue.page', key, offset: query.offset, rows: page.tasks, total: page.total });
    } catch (err) {
      this.lastQueueKey = null;
      this.fail('list tasks', err);
    }
  }

  private async loadStatus(): Promise<void> {
    this.lastStatus = Date.now();
    try {
      this.store.dispatch({ type: 'status', status: await this.client.status() });
    } catch {
      this.store.dispatch({ type: 'connected', connected: false });
    }
  }

  private async loadPrompts(): Promise<void> {
    const gen = this.generation.prompts;
    try {
      const prompts = await this.client.prompts.list();
      if (gen !== this.generation.prompts) return this.mark('prompts');
      this.store.dispatch({ type: 'prompts', prompts });
    } catch (err) {
      this.fail('list prompts', err);
    }
  }

  private async loadAlerts(): Promise<void> {
    const gen = this.generation.alerts;
    try {
      const list = await this.client.alerts.list({ limit: this.alerts.capacity });
      if (gen !== this.generation.alerts) return this.mark('alerts');
      this.alerts.reset(list.slice().sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0)));
      this.store.dispatch({ type: 'alerts', alerts: this.alerts.toArray() });
    } catch (err) {
      this.fail('list alerts', err);
    }
  }

  private async loadAgents(): Promise<void> {
    try {
      this.store.dispatch({ type: 'agents', agents: await this.client.agents.list() });
    } catch (err) {
      this.fail('list agents', err);
    }
  }

  private async loadLedger(): Promise<void> {
    try {
      const recent = await this.client.ledger.recent(this.ledger.capacity);
      this.ledger.reset(recent.slice().sort(ledgerOrder));
      this.store.dispatch({ type: 'ledger', ledger: this.ledger.toArray() });
    } catch (err) {
      this.fail('read ledger', err);
    }
  }

  async loadDetail(): Promise<void> {
    const id = this.store.getState().detail?.id;
    if (!id) return;
    try {
      this.store.dispatch({ type: 'detail.loaded', task: await this.client.tasks.get(id) });
    } catch (err) {
      this.store.dispatch({ type: 'detail.failed', id, error: errorText(err) });
    }
    await this.loadAssistant(id);
  }

  /** The assistant's brief and chat for a task's detail or the ask in the Prompts view; advisory, so a
   * failure here only leaves it blank. */
  private async loadAssistant(id: string): Promise<void> {
    try {
      const history = await this.client.assistant.history(id);
      this.store.dispatch({ type: 'assistant.loaded', id, history });
      // No event says a brief arrived: look again while one is being made and it is still on screen.
      if (history.info.state === 'briefing' && !this.stopped) {
        setTimeout(() => {
          if (!this.stopped && (this.store.getState().detail?.id === id || this.askInView() === id)) void this.loadAssistant(id);
        }, 1500).unref?.();
      }
    } catch {
      // An engine without the assistant, or the subject gone: the rest of the detail stands.
    }
  }

  /** One question to the assistant; the whole answer shows when it arrives (not streamed). */
  async askAssistant(id: string, question: string): Promise<void> {
    this.store.dispatch({ type: 'assistant.asking', id, question });
    let error: string | null = null;
    try {
      const answer = await this.client.assistant.ask(id, question);
      if (!answer.ok) error = `${answer.error.error}: ${answer.error.message}`;
    } catch (err) {
      error = errorText(err);
    }
    this.store.dispatch({ type: 'assistant.answered', id, error });
    await this.loadAssistant(id);
  }

  private fail(what: string, err: unknown): void {
    this.store.dispatch({ type: 'flash', flash: { text: `${what} failed: ${errorText(err)}`, tone: 'error' } });
  }

  private ok(text: string): void {
    this.store.dispatch({ type: 'flash', flash: { text, tone: 'ok' } });
  }

  /** Runs one action per task; reports every failure by task id (the engine is the authority on legality). */
  async taskAction(kind: 'approve' | 'reject' | 'abort', ids: readonly string[], reason?: string): Promise<void> {
    const past = { approve: 'approved', reject: 'rejected', abort: 'aborted' }[kind];
    const failures: string[] = [];
    let done = 0;
    for (const id of ids) {
      try {
        await this.client.tasks[kind](id, reason);
        done++;
      } catch (err) {
        failures.push(`${id}: ${errorText(err)}`);
      }
    }
    if (failures.length > 0) {
      const head = done > 0 ? `${past} ${done}; ` : '';
      this.store.dispatch({ type: 'flash', flash: { text: `${head}${kind} failed for ${failures.join('; ')}`, tone: 'error' } });
    } else {
      this.ok(ids.length === 1 ? `${past} ${ids[0]}` : `${past} ${ids.length} tasks`);
    }
    this.store.dispatch({ type: 'queue.unmarkAll' });
    this.refresh('queue', 'status', 'ledger', 'detail');
  }

  async answerPrompt(prompt: Prompt, decision: 'allow' | 'deny', scope: AnswerScope, reason?: string): Promise<void> {
    try {
      const answered = await this.client.prompts.resolve(prompt.id, { decision, scope, ...(reason ? { reason } : {}) });
      const words = decision === 'allow' ? (scope === 'once' ? 'allowed once' : scope === 'task' ? 'allowed for the task' : 'allowed always') : 'denied';
      this.ok(`${words}: ${prompt.command ?? `${prompt.tool?.server}/${prompt.tool?.tool}`}`);
      this.store.dispatch({ type: 'prompts', prompts: this.store.getState().prompts.filter((p) => p.id !== answered.id) });
    } catch (err) {
      // Another console may have answered first: re-read so the banner shows the truth.
      this.fail(`answer ${prompt.id}`, err);
      this.refresh('prompts');
    }
    this.refresh('status', 'ledger');
  }

  async ackAlert(id: string): Promise<void> {
    try {
      const alert = await this.client.alerts.ack(id);
      this.alerts.replace((a) => a.id === id, alert);
      this.store.dispatch({ type: 'alerts', alerts: this.alerts.toArray() });
      this.ok(`acknowledged ${id}`);
    } catch (err) {
      this.fail(`acknowledge ${id}`, err);
    }
    this.refresh('status');
  }

  /** Trusts the text the operator reviewed, named by its sha256: the engine refuses if the file changed since. */
  async trustPolicy(sha256: string): Promise<void> {
    try {
      const { policy_hash } = await this.client.firewall.trust(sha256);
      this.ok(`policy trusted (${policy_hash.slice(0, 12)})`);
    } catch (err) {
      this.fail('trust policy', err);
    }
    this.refresh('status', 'ledger');
  }

  /**
   * q or :quit. A console hosting the engine in its process stops the engine when it quits: with consoles
   * attached to it over the socket, ask first (they would lose their engine); otherwise quit at once.
   */
  async quit(hosting: boolean): Promise<void> {
    if (!hosting) return this.store.dispatch({ type: 'quit' });
    let attached = 0;
    try {
      attached = (await this.client.attachedConsoles?.()) ?? 0;
    } catch {
      // Cannot tell: quitting is what the operator asked for.
    }
    if (attached === 0) return this.store.dispatch({ type: 'quit' });
    const who = attached === 1 ? '1 other console is' : `${attached} other consoles are`;
    this.store.dispatch({
      type: 'dialog.open',
      dialog: { kind: 'confirm', purpose: 'quit', message: `${who} attached: quitting stops the engine under them. Quit anyway?`, targets: [] },
    });
  }

  async policyDiff(): Promise<string> {
    return (await this.client.firewall.diff()).diff;
  }

  /** The diff and the sha256 of exactly the text it shows. */
  async policyReview(): Promise<{ diff: string; sha256: string | null }> {
    const r = await this.client.firewall.diff();
    return { diff: r.diff, sha256: r.sha256 ?? r.current_hash };
  }
}
