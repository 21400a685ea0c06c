// An in-memory EngineClient for console tests: push tasks, prompts, alerts and agents, and it emits the
// same events the engine would. Every call is recorded so tests can assert what the console asked for.
import type { Actor, ConnectionListener, EngineClient } from '../../src/client/engineClient.js';
import { EngineError } from '../../src/client/engineClient.js';
import type { Agent, AgentDetail } from '../../src/shared/agent.js';
import type { Alert, AlertQuery, AlertInput } from '../../src/shared/alert.js';
import type { AssistantAnswer, AssistantHistory, AssistantInfo, AssistantStatus, StoredMessage } from '../../src/shared/assistant.js';
import type { EngineEvent, EngineEventBody, Topic } from '../../src/shared/events.js';
import { topicOf } from '../../src/shared/events.js';
import type { Decision, Prompt, PromptResolve } from '../../src/shared/firewall.js';
import type { LedgerRecord } from '../../src/shared/ledger.js';
import type { EngineStatus } from '../../src/shared/status.js';
import { TASK_STATUSES, type Task, type TaskDetail, type TaskListQuery, type TaskPage, type TaskStatus, type TaskSubmit, type TaskTransition } from '../../src/shared/task.js';

export const T0 = Date.parse('2026-01-01T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

export function makeTask(over: Partial<Task> & { task_id: string }): Task {
  return {
    task_type: 'chat',
    description: `task ${over.task_id}`,
    status: 'pending_approval',
    estimated_cost: 0.5,
    actual_cost: null,
    estimated_duration_ms: 30_000,
    constraints: [],
    context: {},
    result: null,
    error_message: null,
    logs: [],
    created_at: iso(T0),
    updated_at: iso(T0),
    start_time: null,
    end_time: null,
    decided_by: null,
    decision_reason: null,
    ...over,
  };
}

export function makePrompt(over: Partial<Prompt> & { id: string }): Prompt {
  return {
    kind: 'command',
    agent: 'main',
    task_id: 't-1',
    cwd: '/home/op/site',
    command: 'rm -rf build && npm run deploy',
    tool: null,
    segments: [
      { argv: ['rm', '-rf', 'build'], matched_rule: 'rm -rf build', verdict: 'allow' },
      { argv: ['npm', 'run', 'deploy'], matched_rule: null, verdict: 'ask' },
    ],
    rule: null,
    reason: 'segment 2 matched no rule',
    created_at: iso(T0),
    expires_at: iso(T0 + 42_000),
    state: 'pending',
    decision: null,
    scope: null,
    resolved_by: null,
    feedback: null,
    always_rule: 'npm run deploy',
    ...over,
  };
}

export function makeAlert(over: Partial<Alert> & { id: string }): Alert {
  return { ts: iso(T0), severity: 'P1', source: 'integrity', check: 'core_file_changed', message: 'soul.md changed (S0)', ...over };
}

const LEGAL: Record<string, TaskStatus[]> = {
  approve: ['pending_approval'],
  reject: ['pending_approval', 'pending'],
  abort: ['pending', 'pending_approval', 'approved', 'running'],
};

export class FakeEngineClient implements EngineClient {
  tasksById = new Map<string, TaskDetail>();
  order: string[] = [];
  promptList: Prompt[] = [];
  alertList: Alert[] = [];
  agentList: Agent[] = [];
  ledgerList: LedgerRecord[] = [];
  calls: Array<{ method: string; args: unknown[] }> = [];
  listeners = new Set<{ topics: readonly Topic[]; fn: (e: EngineEvent) => void }>();
  seq = 0;
  /** Set to make status() fail (engine unreachable). */
  down = false;
  statusOverride: Partial<EngineStatus> = {};
  /** Resolves when a call with this method name has been recorded. */
  private waiters: Array<{ method: string; resolve: () => void }> = [];

  constructor(readonly actor: Actor = { by: 'operator', surface: 'tui' }) {}

  private record(method: string, ...args: unknown[]): void {
    this.calls.push({ method, args });
    this.waiters = this.waiters.filter((w) => (w.method === method ? (w.resolve(), false) : true));
  }

  callsTo(method: string): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  waitForCall(method: string): Promise<void> {
    if (this.calls.some((c) => c.method === method)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ method, resolve }));
  }

  emit(body: EngineEventBody): void {
    const event = { ...body, seq: ++this.seq, ts: iso(T0) } as EngineEvent;
    for (const l of this.listeners) if (l.topics.includes(topicOf(body.type))) l.fn(event);
  }

  addTask(over: Partial<Task> & { task_id: string }, emit = true): Task {
    const t: TaskDetail = { ...makeTask(over), transitions: [] };
    t.transitions.push({ seq: ++this.seq, task_id: t.task_id, from: null, to: 'pending', by: 'gateway', surface: 'rest', reason: null, at: t.created_at });
    if (t.status !== 'pending') t.transitions.push({ seq: ++this.seq, task_id: t.task_id, from: 'pending', to: t.status, by: 'engine', surface: 'engine', reason: null, at: t.created_at });
    this.tasksById.set(t.task_id, t);
    this.order.push(t.task_id);
    if (emit) this.emit({ type: 'task.submitted', task: t });
    return t;
  }

  /** emit false: the ask is there, but no subscriber heard of it (raised while a console was away). */
  addPrompt(over: Partial<Prompt> & { id: string }, emit = true): Prompt {
    const p = makePrompt(over);
    this.promptList.push(p);
    if (emit) this.emit({ type: 'prompt.opened', prompt: p });
    return p;
  }

  addAlert(over: Partial<Alert> & { id: string }): Alert {
    const a = makeAlert(over);
    this.alertList.push(a);
    this.emit({ type: 'alert.raised', alert: a });
    return a;
  }

  transition(id: string, to: TaskStatus, reason: string | null = null): Task {
    const t = this.tasksById.get(id);
    if (!t) throw new EngineError(`unknown task ${id}`, 'not_found');
    const from = t.status;
    t.status = to;
    t.updated_at = iso(T0 + 1000);
    t.transitions.push({ seq: ++this.seq, task_id: id, from, to, by: this.actor.by, surface: this.actor.surface, reason, at: t.updated_at } satisfies TaskTransition);
    this.emit({ type: 'task.transitioned', task: t, from, to, by: this.actor.by, reason });
    return t;
  }

  async status(): Promise<EngineStatus> {
    this.record('status');
    if (this.down) throw new EngineError('connect ECONNREFUSED gatehouse.sock', 'unavailable');
    const by_status = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
    for (const t of this.tasksById.values()) by_status[t.status]++;
    const unacked = { P0: 0, P1: 0, P2: 0, P3: 0 };
    for (const a of this.alertList) if (!a.acked_by) unacked[a.severity]++;
    return {
      version: '0.1.0',
      pid: 4242,
      started_at: iso(T0 - 3 * 3600_000 - 12 * 60_000),
      uptime_ms: 3 * 3600_000 + 12 * 60_000,
      state_dir: '/tmp/state',
      demo: false,
      api: { host: '127.0.0.1', port: 18790 },
      approver: { state: 'online', url: 'http://127.0.0.1:9', pending_review: 0 },
      firewall: { mode: 'ask', trusted: true, lockdown: false, policy_hash: 'abc', lockdown_reason: null },
      alerts: unacked,
      latest_alert: this.alertList.length ? { severity: this.alertList.at(-1)!.severity, ts: this.alertList.at(-1)!.ts, message: this.alertList.at(-1)!.message } : null,
      queue: { total_tasks: this.tasksById.size, by_status, total_cost_usd: 0, total_execution_time_ms: 0, pending_approval: by_status.pending_approval, running: by_status.running, timestamp: iso(T0) },
      cost_today_usd: 3.42,
      cost_by_hour: [0, 1, 2, 4, 3, 6, 8, 5],
      prompts_pending: this.promptList.filter((p) => p.state === 'pending').length,
      agents_alive: this.agentList.filter((a) => a.state === 'alive').length,
      crashed_last_run: false,
      notify: { queued: 0, sent: 0, failed: 0, dropped: 0, suppressed: 0, pending: 0 },
      budget: { daily_usd: null, committed_today_usd: 3.42, spent_today_usd: 3.42, time_zone: 'UTC' },
      ...this.statusOverride,
    };
  }

  tasks = {
    submit: async (input: TaskSubmit): Promise<Task> => {
      this.record('tasks.submit', input);
      return this.addTask({ task_id: input.task_id ?? `t-${this.order.length + 1}`, task_type: input.task_type, description: input.description ?? '', estimated_cost: input.estimated_cost ?? 0 });
    },
    list: async (query: TaskListQuery = {}): Promise<TaskPage> => {
      this.record('tasks.list', query);
      let ids = this.order.slice().reverse(); // newest first
      if (query.order === 'oldest') ids.reverse();
      let tasks = ids.map((id) => this.tasksById.get(id)!);
      if (query.order === 'cost') tasks.sort((a, b) => b.estimated_cost - a.estimated_cost);
      if (query.status) {
        const wanted: readonly string[] = typeof query.status === 'string' ? [query.status] : query.status;
        tasks = tasks.filter((t) => wanted.includes(t.status));
      }
      if (query.text) tasks = tasks.filter((t) => `${t.task_id} ${t.description} ${t.task_type}`.toLowerCase().includes(query.text!.toLowerCase()));
      const offset = Number(query.offset ?? 0);
      const limit = Number(query.limit ?? 50);
      return { total: tasks.length, tasks: tasks.slice(offset, offset + limit).map(({ transitions: _t, ...t }) => t) };
    },
    get: async (id: string): Promise<TaskDetail> => {
      this.record('tasks.get', id);
      const t = this.tasksById.get(id);
      if (!t) throw new EngineError(`unknown task ${id}`, 'not_found');
      return structuredClone(t);
    },
    approve: async (id: string, reason?: string) => this.act('approve', id, 'approved', reason),
    reject: async (id: string, reason?: string) => this.act('reject', id, 'rejected', reason),
    abort: async (id: string, reason?: string) => this.act('abort', id, 'aborted', reason),
  };

  private act(kind: string, id: string, to: TaskStatus, reason?: string): Task {
    this.record(`tasks.${kind}`, id, reason);
    const t = this.tasksById.get(id);
    if (!t) throw new EngineError(`unknown task ${id}`, 'not_found');
    if (!LEGAL[kind]!.includes(t.status)) throw new EngineError(`cannot ${kind} task ${id}: it is ${t.status}`, 'conflict');
    return this.transition(id, to, reason ?? null);
  }

  prompts = {
    list: async (): Promise<Prompt[]> => {
      this.record('prompts.list');
      return this.promptList.filter((p) => p.state === 'pending');
    },
    resolve: async (id: string, answer: PromptResolve): Promise<Prompt> => {
      this.record('prompts.resolve', id, answer);
      const p = this.promptList.find((x) => x.id === id);
      if (!p) throw new EngineError(`unknown prompt ${id}`, 'not_found');
      if (p.state !== 'pending') throw new EngineError(`prompt ${id} is already ${p.state}`, 'conflict');
      p.state = answer.decision === 'allow' ? 'allowed' : 'denied';
      p.decision = answer.decision;
      p.scope = answer.scope ?? 'once';
      p.resolved_by = this.actor.by;
      p.feedback = answer.reason ?? null;
      this.emit({ type: 'prompt.resolved', prompt: p, decision: answer.decision, scope: p.scope, by: this.actor.by });
      return p;
    },
  };

  firewall = {
    check: async (): Promise<Decision> => {
      this.record('firewall.check');
      return { decision: 'deny', source: 'policy', rule: null, reason: 'fake', segments: [], request_id: 'r-1' };
    },
    trust: async (sha256: string) => {
      this.record('firewall.trust', sha256);
      return { policy_hash: 'f00dfeedf00dfeed' };
    },
    diff: async () => {
      this.record('firewall.diff');
      return { diff: '--- trusted\n+++ current\n+  - pattern: "curl *"\n', trusted_hash: 'a', current_hash: 'b'.repeat(64), sha256: 'b'.repeat(64) };
    },
  };

  alerts = {
    list: async (query: AlertQuery = {}): Promise<Alert[]> => {
      this.record('alerts.list', query);
      return this.alertList.slice(-Number(query.limit ?? 100));
    },
    ack: async (id: string): Promise<Alert> => {
      this.record('alerts.ack', id);
      const a = this.alertList.find((x) => x.id === id);
      if (!a) throw new EngineError(`unknown alert ${id}`, 'not_found');
      a.acked_by = this.actor.by;
      a.acked_at = iso(T0);
      this.emit({ type: 'alert.acked', alert: a });
      return { ...a };
    },
    raise: async (input: AlertInput): Promise<Alert> => {
      this.record('alerts.raise', input);
      return this.addAlert({ ...input, id: `a-${this.alertList.length + 1}` });
    },
  };

  agents = {
    list: async (): Promise<Agent[]> => {
      this.record('agents.list');
      return this.agentList.slice();
    },
    show: async (name: string): Promise<AgentDetail> => {
      this.record('agents.show', name);
      const agent = this.agentList.find((a) => a.name === name);
      if (!agent) throw new Error(`no agent ${name}`);
      return { agent, baseline: { learning_since: null, learned: 0 }, anomalies: [] };
    },
    resetBaseline: async (name: string): Promise<{ ok: true }> => {
      this.record('agents.baseline_reset', name);
      return { ok: true };
    },
  };

  ledger = {
    recent: async (limit = 100): Promise<LedgerRecord[]> => {
      this.record('ledger.recent', limit);
      return this.ledgerList.slice(-limit);
    },
  };

  /** Briefs by subject id; unset ids answer state none (or off while assistantOff is set). */
  briefs = new Map<string, AssistantInfo>();
  /** Set to a reason to play an engine whose assistant has no provider key. */
  assistantOff: string | null = null;
  /** What ask() answers next; default: an echo of the question. */
  nextAnswer: ((id: string, question: string) => AssistantAnswer) | null = null;
  chatLog = new Map<string, StoredMessage[]>();

  private infoOf(id: string): AssistantInfo {
    if (this.assistantOff) return { state: 'off', brief: null, error: null, reason: this.assistantOff };
    return this.briefs.get(id) ?? { state: 'none', brief: null, error: null, reason: null };
  }

  assistant = {
    status: async (): Promise<AssistantStatus> => {
      this.record('assistant.status');
      return this.assistantOff ? { enabled: false, reason: this.assistantOff } : { enabled: true, provider: 'anthropic', model: 'fake', base_url: 'http://127.0.0.1:1' };
    },
    brief: async (id: string, opts?: { wait?: boolean; refresh?: boolean; model?: string }): Promise<AssistantInfo> => {
      this.record('assistant.brief', id, opts);
      return this.infoOf(id);
    },
    history: async (id: string): Promise<AssistantHistory> => {
      this.record('assistant.history', id);
      return { info: this.infoOf(id), messages: [...(this.chatLog.get(id) ?? [])] };
    },
    ask: async (id: string, question: string, opts?: { model?: string }): Promise<AssistantAnswer> => {
      this.record('assistant.ask', id, question, opts);
      if (this.assistantOff) return { ok: false, error: { error: 'off', message: this.assistantOff, request_id: null } };
      const answer = this.nextAnswer?.(id, question) ?? {
        ok: true as const,
        turn: { subject_id: id, question, answer: `answer to: ${question}`, model: 'fake', provider: 'anthropic' as const, created_at: iso(T0), tokens_in: 1, tokens_out: 1 },
      };
      if (answer.ok) {
        const log = this.chatLog.get(id) ?? [];
        const at = answer.turn.created_at;
        log.push({ subject_id: id, seq: log.length + 1, role: 'user', content: question, created_at: at, model: null, provider: null, tokens: 0 });
        log.push({ subject_id: id, seq: log.length + 1, role: 'assistant', content: answer.turn.answer, created_at: at, model: answer.turn.model, provider: answer.turn.provider, tokens: answer.turn.tokens_out });
        this.chatLog.set(id, log);
      }
      return answer;
    },
  };

  subscribe(topics: readonly Topic[], onEvent: (event: EngineEvent) => void): () => void {
    this.record('subscribe', topics);
    const entry = { topics, fn: onEvent };
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }

  async close(): Promise<void> {
    this.record('close');
  }

  /** Consoles attached over the socket, as the engine would count them. */
  attached = 0;
  async attachedConsoles(): Promise<number> {
    this.record('consoles.attached');
    return this.attached;
  }

  connectionListeners = new Set<ConnectionListener>();
  onConnection(listener: ConnectionListener): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  /** As a reconnecting client reports it: the socket dropped (and `attempt` tries failed). */
  drop(attempt = 0): void {
    this.down = true;
    for (const l of this.connectionListeners) l({ state: 'reconnecting', attempt, since: T0 });
  }

  /** Back on a (maybe new) engine: connected, then the gap marker that makes every subscriber re-read. */
  reconnect(): void {
    this.down = false;
    for (const l of this.connectionListeners) l({ state: 'connected', attempt: 0, since: T0 });
    for (const { fn } of this.listeners) fn({ type: 'gap', dropped: 0, seq: ++this.seq, ts: iso(T0) } as EngineEvent);
  }
}
