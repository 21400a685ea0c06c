// Operator prompts (law 7): an ask becomes a stored prompt shown in every console, answerable by key,
// CLI or REST. The firewallDecision machine is the law of each prompt's life (first answer wins, no
// answer by the TTL = deny); rows are the record. Prompts of an earlier engine run are cancelled.
import { createActor, type Actor as XActor } from 'xstate';
import { firewallDecisionMachine, firewallOutcome } from '../../machines/firewallDecision.machine.js';
import { EngineError } from '../../shared/errors.js';
import type { AnswerScope, Decision, Prompt, PromptState, Segment, ToolCall } from '../../shared/firewall.js';
import type { EventBus } from '../platform/eventBus.js';
import type { Ledger } from '../store/ledger.js';
import type { Actor } from '../tasks/queue.js';
import type { Db } from '../store/store.js';

/** What opens a prompt: the prompt's own fields, the decision that asked, and its time to live. */
export type PromptRequest = Pick<Prompt, 'kind' | 'destination' | 'agent' | 'task_id' | 'cwd' | 'command' | 'tool' | 'always_rule'> & {
  decision: Decision;
  ttlMs: number;
};

export interface PromptOutcome {
  prompt: Prompt;
  verdict: 'allow' | 'deny';
  source: 'operator' | 'timeout' | 'cancelled';
  scope: AnswerScope | null;
  reason: string;
}

interface PromptRow extends Omit<Prompt, 'tool' | 'segments'> {
  tool: string | null;
  segments: string;
  run_id: string;
}

function toPrompt(r: PromptRow): Prompt {
  const { run_id: _run, ...rest } = r;
  return { ...rest, tool: r.tool ? (JSON.parse(r.tool) as ToolCall) : null, segments: JSON.parse(r.segments) as Segment[] };
}

type DecisionActor = XActor<typeof firewallDecisionMachine>;

export class PromptDesk {
  private readonly answering = new Map<string, Actor>();
  private readonly live = new Map<string, { actor: DecisionActor; waiters: Array<(o: PromptOutcome) => void> }>();

  constructor(
    private readonly db: Db,
    private readonly ledger: Ledger,
    private readonly bus: EventBus,
    private readonly runId: string,
    private readonly policyHash: () => string | null,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Cancels prompts left pending by an earlier run: they are never resumed. */
  cancelStale(): number {
    const stale = this.db.prepare("SELECT * FROM prompts WHERE state = 'pending' AND run_id != ?").all(this.runId) as PromptRow[];
    for (const r of stale) this.finish(toPrompt(r), 'cancelled', null, null, { by: 'engine', surface: 'engine' }, 'the engine restarted before an answer');
    return stale.length;
  }

  open(req: PromptRequest): Prompt {
    const id = req.decision.request_id;
    const created = this.now();
    const prompt: Prompt = {
      id,
      kind: req.kind,
      destination: req.destination ?? null,
      agent: req.agent,
      task_id: req.task_id,
      cwd: req.cwd,
      command: req.command,
      tool: req.tool,
      segments: req.decision.segments,
      rule: req.decision.rule,
      reason: req.decision.reason,
      created_at: created.toISOString(),
      expires_at: new Date(created.getTime() + req.ttlMs).toISOString(),
      state: 'pending',
      decision: null,
      scope: null,
      resolved_by: null,
      feedback: null,
      always_rule: req.always_rule,
    };
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO prompts (id, kind, destination, agent, task_id, cwd, command, tool, segments, rule, reason, created_at, expires_at, state, always_rule, run_id)
           VALUES (@id, @kind, @destination, @agent, @task_id, @cwd, @command, @tool, @segments, @rule, @reason, @created_at, @expires_at, 'pending', @always_rule, @run_id)`,
        )
        .run({ ...prompt, tool: prompt.tool ? JSON.stringify(prompt.tool) : null, segments: JSON.stringify(prompt.segments), run_id: this.runId });
      this.ledger.append({
        actor: req.agent,
        surface: 'engine',
        action: 'prompt.open',
        subject: id,
        detail: { kind: req.kind, ...(req.destination ? { destination: req.destination } : {}), command: req.command, tool: req.tool ? `${req.tool.server}/${req.tool.tool}` : null, task_id: req.task_id, ttl_ms: req.ttlMs },
        reason: req.decision.reason,
        policy_hash: this.policyHash(),
      });
    })();
    const actor = createActor(firewallDecisionMachine, { input: { requestId: id, ttlMs: req.ttlMs } });
    this.live.set(id, { actor, waiters: [] });
    actor.subscribe((snap) => {
      const outcome = firewallOutcome(snap);
      if (!outcome || !this.live.has(id)) return;
      const state: PromptState =
        outcome.source === 'timeout' ? 'expired' : outcome.source === 'cancelled' ? 'cancelled' : outcome.verdict === 'allow' ? 'allowed' : 'denied';
      const answer = snap.context.answer;
      this.finish(this.get(id), state, answer?.scope ?? null, answer?.reason ?? null, { by: answer?.by ?? 'engine', surface: 'engine' }, snap.context.failure ?? answer?.reason ?? null);
    });
    actor.start();
    actor.send({ type: 'policy.decided', decision: req.decision });
    this.bus.emit({ type: 'prompt.opened', prompt });
    return prompt;
  }

  /** Resolves when the prompt ends (answered, expired or cancelled). */
  wait(id: string): Promise<PromptOutcome> {
    const entry = this.live.get(id);
    if (!entry) {
      const p = this.get(id);
      return Promise.resolve(this.outcomeOf(p));
    }
    return new Promise((resolve) => entry.waiters.push(resolve));
  }

  /** An operator's answer. The first one wins; a later one is refused naming who answered. */
  resolve(id: string, answer: { decision: 'allow' | 'deny'; scope: AnswerScope; reason?: string }, by: Actor): Prompt {
    const entry = this.live.get(id);
    if (!entry) {
      const p = this.find(id);
      if (!p) throw new EngineError(`no prompt ${id}`, 'not_found');
      throw new EngineError(`prompt ${id} is already ${p.state}${p.resolved_by ? ` (by ${p.resolved_by})` : ''}`, 'conflict', { state: p.state });
    }
    // The machine settles synchronously inside send(); `finish` reads who answered from here.
    this.answering.set(id, by);
    entry.actor.send({ type: 'operator.answer', answer: { decision: answer.decision, scope: answer.scope, by: by.by, ...(answer.reason ? { reason: answer.reason } : {}) } });
    this.answering.delete(id);
    return this.get(id);
  }

  cancel(id: string, reason: string): void {
    this.live.get(id)?.actor.send({ type: 'prompt.cancel', reason });
  }

  cancelAll(reason: string): void {
    for (const id of [...this.live.keys()]) this.cancel(id, reason);
  }

  private finish(prompt: Prompt, state: PromptState, scope: AnswerScope | null, feedback: string | null, by: Actor, reason: string | null): void {
    const actor = this.answering.get(prompt.id) ?? by;
    const decision = state === 'allowed' ? 'allow' : 'deny';
    this.db.transaction(() => {
      this.db
        .prepare("UPDATE prompts SET state = ?, decision = ?, scope = ?, resolved_by = ?, feedback = ? WHERE id = ? AND state = 'pending'")
        .run(state, decision, scope, state === 'allowed' || state === 'denied' ? actor.by : null, feedback, prompt.id);
      this.ledger.append({
        actor: actor.by,
        surface: actor.surface,
        action: state === 'expired' ? 'prompt.expire' : state === 'cancelled' ? 'prompt.cancel' : 'prompt.resolve',
        subject: prompt.id,
        detail: { decision, scope, state },
        reason,
        policy_hash: this.policyHash(),
      });
    })();
    const done = this.get(prompt.id);
    const entry = this.live.get(prompt.id);
    this.live.delete(prompt.id);
    entry?.actor.stop();
    if (state === 'expired') this.bus.emit({ type: 'prompt.expired', prompt: done });
    else if (state === 'cancelled') this.bus.emit({ type: 'prompt.cancelled', prompt: done, reason: reason ?? 'cancelled' });
    else this.bus.emit({ type: 'prompt.resolved', prompt: done, decision, scope: scope ?? 'once', by: actor.by });
    const outcome = this.outcomeOf(done, reason);
    for (const w of entry?.waiters ?? []) w(outcome);
  }

  private outcomeOf(p: Prompt, reason?: string | null): PromptOutcome {
    const source = p.state === 'expired' ? 'timeout' : p.state === 'cancelled' ? 'cancelled' : 'operator';
    const verdict = p.state === 'allowed' ? 'allow' : 'deny';
    const why =
      p.state === 'allowed'
        ? `allowed by ${p.resolved_by} (${p.scope ?? 'once'})`
        : p.state === 'denied'
          ? `denied by ${p.resolved_by}${p.feedback ? `: ${p.feedback}` : ''}`
          : p.state === 'expired'
            ? `no answer before the prompt expired (${reason ?? 'ask_ttl'})`
            : `cancelled: ${reason ?? 'cancelled'}`;
    return { prompt: p, verdict, source, scope: p.scope, reason: why };
  }

  find(id: string): Prompt | null {
    const r = this.db.prepare('SELECT * FROM prompts WHERE id = ?').get(id) as PromptRow | undefined;
    return r ? toPrompt(r) : null;
  }

  get(id: string): Prompt {
    const p = this.find(id);
    if (!p) throw new EngineError(`no prompt ${id}`, 'not_found');
    return p;
  }

  pending(): Prompt[] {
    return (this.db.prepare("SELECT * FROM prompts WHERE state = 'pending' ORDER BY created_at").all() as PromptRow[]).map(toPrompt);
  }

  recent(limit = 50): Prompt[] {
    return (this.db.prepare('SELECT * FROM prompts ORDER BY created_at DESC LIMIT ?').all(limit) as PromptRow[]).map(toPrompt);
  }

  get pendingCount(): number {
    return this.live.size;
  }
}
