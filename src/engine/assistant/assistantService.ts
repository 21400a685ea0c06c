// The approval assistant in the engine (issue 8): briefs every pending task and firewall ask in the
// background and answers the operator's questions about one. Advisory only: nothing here sits in a
// decision's path. Event handlers only queue work; briefs run a few at a time after the event, a
// prompt's TTL runs on its own machine regardless, and a brief still running when its prompt ends is
// cancelled. Every failure is a value (AssistantInfo.error, AssistantAnswer.error), never a throw
// into the firewall or the queue.
import { join } from 'node:path';
import type { Logger } from 'pino';
import { EngineError } from '../../shared/errors.js';
import type { EngineEvent } from '../../shared/events.js';
import type { AssistantAnswer, AssistantHistory, AssistantInfo } from '../../shared/assistant.js';
import type { Alert } from '../../shared/alert.js';
import {
  Assistant,
  SqliteConversationStore,
  isAssistantError,
  resolveAssistantConfig,
  type AssistantError,
  type Brief,
  type BriefContext,
  type SentRecord,
  type SqliteDatabase,
  type Subject,
} from './index.js';
import type { AlertCenter } from '../alerts/alerts.js';
import type { PromptDesk } from '../firewall/prompts.js';
import type { EventBus } from '../platform/eventBus.js';
import type { Db } from '../store/db.js';
import type { Ledger } from '../store/ledger.js';
import type { TaskQueue } from '../tasks/queue.js';
import type { AssistantConfig } from './config.js';

/** Parallel model calls for background briefs; a burst of asks waits its turn rather than fanning out. */
const CONCURRENCY = 2;
/** Subjects waiting for a brief at most; past it the oldest are dropped (they can still be asked for). */
const MAX_WAITING = 200;
/** Failures remembered for AssistantInfo, oldest forgotten first. */
const MAX_FAILURES = 500;
const HISTORY_TURNS = 20;
/** Sensor alerts kept for their briefs (and asked about by id), oldest forgotten first. */
const MAX_ALERTS = 200;

/** P0/P1 alerts of the host sensors get a brief (seed's escalation; advisory only). */
export function briefsAlert(a: Alert): boolean {
  return a.source === 'sensors' && (a.severity === 'P0' || a.severity === 'P1');
}

type Kind = Subject['kind'];

interface Running {
  ctrl: AbortController;
  done: Promise<Brief | AssistantError>;
}

/** What the assistant needs of the engine: its settings, store, the tasks and asks it briefs, alerts, ledger, events. */
export interface AssistantHost {
  readonly opts: { env?: NodeJS.ProcessEnv; stateDir: string };
  readonly config: { assistant?: AssistantConfig | undefined };
  readonly db: Db;
  readonly bus: Pick<EventBus, 'subscribe'>;
  readonly queue: Pick<TaskQueue, 'idsWithStatus' | 'get' | 'list'>;
  readonly prompts: Pick<PromptDesk, 'pending' | 'find' | 'recent'>;
  readonly alerts: Pick<AlertCenter, 'list'>;
  readonly ledger: Pick<Ledger, 'append'>;
  track<T>(p: Promise<T>): Promise<T>;
  /** The engine's one redactor (docs/security.md): everything in a prompt passes it before it leaves the host. */
  redact(text: string): string;
}

export class AssistantService {
  private base: Assistant;
  private readonly byModel = new Map<string, Assistant>();
  readonly conversations: SqliteConversationStore;
  private readonly running = new Map<string, Running>();
  private readonly waiting = new Map<string, Kind>();
  private readonly failures = new Map<string, AssistantError>();
  private readonly alertSubjects = new Map<string, Alert>();
  private readonly log: Logger;
  private off: (() => void) | null = null;
  private stopped = false;

  constructor(private readonly engine: AssistantHost, logger: Logger) {
    this.log = logger.child({ component: 'assistant' });
    this.conversations = new SqliteConversationStore(engine.db as unknown as SqliteDatabase);
    this.base = this.make(undefined);
  }

  private make(modelOverride: string | undefined): Assistant {
    const env = this.engine.opts.env ?? process.env;
    return new Assistant({
      settings: resolveAssistantConfig({ config: this.engine.config.assistant, env, modelOverride }),
      budgetPath: join(this.engine.opts.stateDir, 'assistant-budget.json'),
      redact: (t) => this.engine.redact(t),
      logger: this.log,
      sent: (r) => this.recordSent(r),
      conversations: this.conversations,
    });
  }

  /** A reload with a changed `assistant` section: later briefs and answers use the new settings. */
  reconfigure(): void {
    this.base = this.make(undefined);
    this.byModel.clear();
    if (this.enabled && !this.stopped) {
      for (const id of this.engine.queue.idsWithStatus('pending_approval')) this.enqueue('task', id);
      for (const p of this.engine.prompts.pending()) this.enqueue('prompt', p.id);
    }
  }

  /** The assistant for a `--model` override; the configured one otherwise (or when it is off). */
  private assistantFor(model?: string): Assistant {
    const status = this.base.status();
    if (!model || !status.enabled || status.model === model) return this.base;
    let a = this.byModel.get(model);
    if (!a) {
      a = this.make(model);
      this.byModel.set(model, a);
    }
    return a;
  }

  get enabled(): boolean {
    return this.base.status().enabled;
  }

  status() {
    return this.base.status();
  }

  start(): void {
    this.off = this.engine.bus.subscribe((e) => this.onEvent(e));
    if (!this.enabled) return;
    // Asks and tasks left waiting from before this start get their brief too.
    for (const id of this.engine.queue.idsWithStatus('pending_approval')) this.enqueue('task', id);
    for (const p of this.engine.prompts.pending()) this.enqueue('prompt', p.id);
  }

  stop(): void {
    this.stopped = true;
    this.off?.();
    this.waiting.clear();
    for (const r of this.running.values()) r.ctrl.abort();
  }

  /** Runs on the emitter's stack: it only queues, so an event never waits for a model. */
  private onEvent(e: EngineEvent): void {
    if (!this.enabled || this.stopped) return;
    switch (e.type) {
      case 'prompt.opened':
        this.enqueue('prompt', e.prompt.id);
        return;
      case 'task.submitted':
        this.enqueue('task', e.task.task_id);
        return;
      case 'alert.raised':
        if (!briefsAlert(e.alert)) return;
        this.alertSubjects.set(e.alert.id, e.alert);
        if (this.alertSubjects.size > MAX_ALERTS) this.alertSubjects.delete(this.alertSubjects.keys().next().value!);
        this.enqueue('alert', e.alert.id);
        return;
      case 'prompt.resolved':
      case 'prompt.expired':
      case 'prompt.cancelled':
        this.cancel(e.prompt.id, `prompt ${e.type.slice('prompt.'.length)}`);
        return;
      default:
        return;
    }
  }

  private enqueue(kind: Kind, id: string): void {
    if (this.running.has(id) || this.waiting.has(id)) return;
    this.waiting.set(id, kind);
    if (this.waiting.size > MAX_WAITING) {
      const oldest = this.waiting.keys().next().value!;
      this.waiting.delete(oldest);
      this.log.warn({ subject_id: oldest }, 'assistant brief queue full; dropped the oldest waiting subject');
    }
    setImmediate(() => this.pump());
  }

  private cancel(id: string, why: string): void {
    this.waiting.delete(id);
    const r = this.running.get(id);
    if (r) {
      this.log.info({ subject_id: id, why }, 'assistant brief cancelled');
      r.ctrl.abort();
    }
  }

  private pump(): void {
    while (!this.stopped && this.running.size < CONCURRENCY && this.waiting.size > 0) {
      const [id, kind] = this.waiting.entries().next().value!;
      this.waiting.delete(id);
      const subject = this.subjectOf(id, kind);
      // Only what still awaits a person is worth a call: a task the budget already decided, or an ask
      // answered meanwhile, is skipped.
      if (!subject || !awaitsOperator(subject) || this.briefOf(id)) continue;
      this.launch(id, subject, undefined);
    }
  }

  private launch(id: string, subject: Subject, model: string | undefined): Running {
    const ctrl = new AbortController();
    const done = (async (): Promise<Brief | AssistantError> => {
      try {
        const out = await this.assistantFor(model).brief(subject, this.contextFor(subject), { signal: ctrl.signal });
        if (isAssistantError(out)) this.remember(id, out);
        else this.failures.delete(id);
        return out;
      } catch (err) {
        const out: AssistantError = { error: 'internal', message: (err as Error).message, request_id: null };
        this.remember(id, out);
        return out;
      } finally {
        this.running.delete(id);
        setImmediate(() => this.pump());
      }
    })();
    const r = { ctrl, done };
    this.running.set(id, r);
    this.engine.track(done);
    return r;
  }

  private remember(id: string, err: AssistantError): void {
    this.failures.delete(id);
    this.failures.set(id, err);
    if (this.failures.size > MAX_FAILURES) this.failures.delete(this.failures.keys().next().value!);
    this.log.warn({ subject_id: id, error: err.error, request_id: err.request_id, problem: err.message }, 'assistant brief failed');
  }

  private subjectOf(id: string, kind?: Kind): Subject | null {
    if (kind === 'alert' || kind === undefined) {
      const alert = this.alertSubjects.get(id) ?? (kind === undefined && id.length <= 64 ? this.engine.alerts.list({ severity: 'P1', limit: 1000 }).find((a) => a.id === id && briefsAlert(a)) : undefined);
      if (alert) return { kind: 'alert', alert };
      if (kind === 'alert') return null;
    }
    if (kind !== 'prompt') {
      const task = this.engine.queue.get(id);
      if (task) return { kind: 'task', task };
    }
    if (kind !== 'task') {
      const prompt = this.engine.prompts.find(id);
      if (prompt) return { kind: 'prompt', prompt };
    }
    return null;
  }

  private requireSubject(id: string): Subject {
    const s = this.subjectOf(id);
    if (!s) throw new EngineError(`no task, prompt or P0/P1 sensor alert ${id}`, 'not_found');
    return s;
  }

  /** What the model sees beside the request: the agent's recent asks or recent tasks, and open alerts. */
  private contextFor(subject: Subject): BriefContext {
    const open_alerts = this.engine.alerts.list({ unacked: true, limit: 10 });
    if (subject.kind === 'alert') {
      const agent = (subject.alert.evidence as { agent?: unknown } | undefined)?.agent;
      const recent_decisions = this.engine.prompts
        .recent(50)
        .filter((r) => r.agent === agent)
        .slice(0, 10)
        .map((r) => ({ at: r.created_at, command: r.command, tool: r.tool ? `${r.tool.server}/${r.tool.tool}` : null, state: r.state, scope: r.scope }));
      return { recent_decisions, open_alerts: open_alerts.filter((a) => a.id !== subject.alert.id) };
    }
    if (subject.kind === 'prompt') {
      const p = subject.prompt;
      const recent_decisions = this.engine.prompts
        .recent(50)
        .filter((r) => r.agent === p.agent && r.id !== p.id)
        .slice(0, 10)
        .map((r) => ({ at: r.created_at, command: r.command, tool: r.tool ? `${r.tool.server}/${r.tool.tool}` : null, state: r.state, scope: r.scope }));
      return { recent_decisions, open_alerts, notes: `rule that asked: ${p.rule ?? '(none: no rule matched)'}; engine reason: ${p.reason}` };
    }
    const t = subject.task;
    const recent_decisions = this.engine.queue
      .list({ limit: 11 })
      .tasks.filter((r) => r.task_id !== t.task_id)
      .slice(0, 10)
      .map((r) => ({ task_id: r.task_id, type: r.task_type, cost: r.estimated_cost, status: r.status, decided_by: r.decided_by }));
    return { recent_decisions, open_alerts };
  }

  private recordSent(r: SentRecord): void {
    this.engine.ledger.append({
      actor: 'assistant',
      surface: 'engine',
      action: 'assistant.sent',
      subject: r.subject_id,
      detail: { sha256: r.sha256, bytes: r.bytes, provider: r.provider, model: r.model, url: r.url, purpose: r.purpose, request_id: r.request_id, attempt: r.attempt },
    });
  }

  private briefOf(id: string): Brief | null {
    try {
      return this.conversations.getBrief(id);
    } catch {
      return null;
    }
  }

  /** Where the subject's brief stands; what REST details carry under `assistant`. */
  info(id: string): AssistantInfo {
    const s = this.base.status();
    const brief = this.briefOf(id);
    if (!s.enabled) return { state: 'off', brief, error: null, reason: s.reason };
    if (this.running.has(id) || this.waiting.has(id)) return { state: 'briefing', brief, error: null, reason: null };
    if (brief) return { state: 'ready', brief, error: null, reason: null };
    const error = this.failures.get(id) ?? null;
    return { state: error ? 'failed' : 'none', brief: null, error, reason: null };
  }

  /**
   * The subject's brief. With wait, makes one when there is none (or refresh asks for a new one) and
   * resolves once it is there or failed; without, answers at once with where it stands.
   */
  async brief(id: string, opts: { wait?: boolean; refresh?: boolean; model?: string; signal?: AbortSignal } = {}): Promise<AssistantInfo> {
    const subject = this.requireSubject(id);
    if (!opts.wait || !this.enabled) return this.info(id);
    if (!opts.refresh && this.briefOf(id) && !this.running.has(id)) return this.info(id);
    this.waiting.delete(id);
    const r = this.running.get(id) ?? this.launch(id, subject, opts.model);
    if (opts.signal) {
      // The caller going away does not cancel a brief others may want; it only stops waiting.
      await Promise.race([r.done, new Promise((res) => opts.signal!.addEventListener('abort', res, { once: true }))]);
    } else await r.done;
    return this.info(id);
  }

  history(id: string): AssistantHistory {
    this.requireSubject(id);
    return { info: this.info(id), messages: this.conversations.history(id) };
  }

  /** One question about the subject; the answer streams to onToken and is stored with the approval. */
  async chat(id: string, question: string, onToken: (token: string) => void, opts: { model?: string; signal?: AbortSignal } = {}): Promise<AssistantAnswer> {
    const subject = this.requireSubject(id);
    const q = question.trim();
    if (q === '') throw new EngineError('question: must not be empty', 'bad_request');
    const history = this.conversations.history(id, HISTORY_TURNS * 2).map((m) => ({ role: m.role, content: m.content }));
    const out = await this.assistantFor(opts.model).chat(id, q, history, onToken, {
      subject,
      context: this.contextFor(subject),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    return isAssistantError(out) ? { ok: false, error: out } : { ok: true, turn: out };
  }
}

function awaitsOperator(s: Subject): boolean {
  if (s.kind === 'alert') return !s.alert.acked_at;
  return s.kind === 'prompt' ? s.prompt.state === 'pending' : s.task.status === 'pending_approval' || s.task.status === 'pending';
}
