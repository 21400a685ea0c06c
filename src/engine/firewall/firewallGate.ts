// The firewall as the engine runs it: every check is evaluated against the trusted policy (or denied in
// lockdown), task grants turn an ask into an allow (never a deny), an ask becomes a prompt, and every
// decision is in the ledger before it is answered (group-committed, so a burst shares one fsync).
import type { Logger } from 'pino';
import { EngineError } from '../../shared/errors.js';
import type { AnswerScope, Decision, FirewallCheck, Prompt, ToolCall } from '../../shared/firewall.js';
import { FirewallCheckSchema } from '../../shared/firewall.js';
import type { AgentRegistry } from './agents.js';
import { addAllowRule, addToolRule, alwaysRuleFor, alwaysToolRule, evaluateActions, evaluateExec, evaluateMcp, NATIVE_SERVER, type Policy } from './index.js';
import { GroupCommit } from '../store/groupCommit.js';
import type { Ledger, LedgerEntry } from '../store/ledger.js';
import type { HostBlocklist } from './hostBlocklist.js';
import type { PolicyGuard } from './policyGuard.js';
import type { PromptDesk } from './prompts.js';
import { selfProtectCommand, selfProtectTool, type ProtectedPlaces } from './selfProtection.js';
import type { Actor } from '../tasks/queue.js';
import type { Db } from '../store/store.js';
import { randomUUID } from 'node:crypto';
import { sandboxFor } from '../../shared/containPolicy.js';

export type CheckResult = Decision & { prompt_id?: string };

/** Answers the prompts of a kind the firewall does not own (network asks belong to the containment room). */
export type PromptAnswerer = (id: string, answer: { decision: 'allow' | 'deny'; scope: AnswerScope; reason?: string | undefined }, actor: Actor) => Prompt;

function subjectOf(command: string | undefined, tool: ToolCall | undefined): string {
  if (command !== undefined) return `cmd:${command}`;
  // A native tool's grant covers exactly the actions asked about (this path, this URL), not the tool.
  return tool!.server === NATIVE_SERVER ? `native:${JSON.stringify(tool!.args)}` : `tool:${tool!.server}/${tool!.tool}`;
}

/** The rule "allow always" would write for a request, as shown in the prompt, or null when refused. */
function alwaysRuleText(policy: Policy, command: string | undefined, tool: ToolCall | undefined, agent: string): string | null {
  if (command !== undefined) return alwaysRuleFor(command, policy, agent);
  if (tool!.server === NATIVE_SERVER) return null; // the denial's reason names the paths/fetch rule to add by hand
  const made = alwaysToolRule(tool!, policy, agent);
  return 'rule' in made ? made.text : null;
}

export class FirewallGate {
  private readonly answerers = new Map<string, PromptAnswerer>();
  private readonly decisions: GroupCommit<{ entry: LedgerEntry; agent: string; verdict: Decision['decision'] }>;

  constructor(
    private readonly db: Db,
    private readonly ledger: Ledger,
    private readonly guard: PolicyGuard,
    private readonly prompts: PromptDesk,
    private readonly agents: AgentRegistry,
    private readonly logger: Logger,
    /** Law 10: the places the built-in self-protection rules guard (checked before the policy). */
    private readonly places: ProtectedPlaces | null = null,
    private readonly blockedHosts: HostBlocklist | null = null,
  ) {
    // The ledger record and the agent's counter share the batch's one transaction (one fsync per burst).
    this.decisions = new GroupCommit(
      db,
      (d) => {
        this.ledger.append(d.entry);
        this.agents.countDecision(d.agent, d.verdict);
      },
      () => this.ledger.resync(),
    );
  }

  get policyHash(): string | null {
    return this.guard.trustedPolicy?.sha256 ?? null;
  }

  /** Evaluates a request; an ask opens a prompt and, with `wait`, resolves with the operator's answer. */
  async check(input: FirewallCheck, actor: Actor, opts: { signal?: AbortSignal } = {}): Promise<CheckResult> {
    const parsed = FirewallCheckSchema.safeParse(input);
    if (!parsed.success) throw new EngineError('invalid firewall check', 'bad_request', parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message })));
    const req = parsed.data;
    // A native tool call is prompted and recorded as a tool of the pseudo-server "(native)" whose args are its actions.
    const tool: ToolCall | undefined = req.actions ? { server: NATIVE_SERVER, tool: req.tool_name ?? 'tool', args: { actions: req.actions } } : (req.tool as ToolCall | undefined);
    const loaded = this.guard.policy;
    const epoch = this.guard.lockdownEpoch;
    let decision: Decision;
    let guarded: Decision | null;
    if (!loaded) {
      decision = { decision: 'deny', source: 'lockdown', rule: null, reason: `firewall in lockdown: ${this.guard.lockdown}`, segments: [], request_id: randomUUID() };
    } else if (!req.actions && (guarded = this.selfProtect(req.command, req.tool as ToolCall | undefined, req.cwd ?? null))) {
      // A native tool call's paths meet law 10 in the path rules (gatehouse's own places are protected roots there).
      decision = guarded;
    } else {
      try {
        const opts = { agent: req.agent, cwd: req.cwd ?? null };
        decision =
          req.command !== undefined
            ? evaluateExec(loaded.policy, req.command, opts)
            : req.actions
              ? evaluateActions(loaded.policy, req.actions, opts)
              : evaluateMcp(loaded.policy, req.tool as ToolCall, opts);
      } catch (err) {
        this.logger.error({ err }, 'firewall evaluation failed; denying');
        decision = { decision: 'deny', source: 'policy', rule: null, reason: 'the firewall could not evaluate this request (denied)', segments: [], request_id: randomUUID() };
      }
      if (req.command !== undefined) decision.containment = sandboxFor(loaded.policy.file, req.agent).mode === 'off' ? 'unconfined' : 'sandbox';
      const named = decision.decision === 'deny' ? null : this.blockedHosts?.findIn(req.command ?? JSON.stringify(tool?.args ?? {}));
      if (named) {
        decision = { ...decision, decision: 'deny', source: 'policy', rule: `rule pack ${named.source}: blocked host ${named.host}`, reason: `${named.host} is blocked by the rule pack ${named.source}` };
      } else if (req.escalate && decision.decision !== 'deny') {
        decision = { ...decision, decision: 'ask', reason: `${req.escalate.reason} (${req.escalate.check}); the policy alone would ${decision.decision === 'allow' ? 'allow' : 'ask'}: ${decision.reason}` };
      } else if (decision.decision === 'ask' && req.task_id && this.hasGrant(req.agent, req.task_id, subjectOf(req.command, tool))) {
        decision = { ...decision, decision: 'allow', source: 'grant', reason: `allowed for task ${req.task_id} by an earlier answer` };
      }
    }
    await this.decisions.add({
      agent: req.agent,
      verdict: decision.decision,
      entry: {
        actor: req.agent,
        surface: actor.surface,
        action: 'firewall.decide',
        subject: decision.request_id,
        detail: {
          decision: decision.decision,
          source: decision.source,
          rule: decision.rule,
          ...(req.command !== undefined ? { command: req.command } : { tool: `${tool!.server}/${tool!.tool}` }),
          ...(req.actions ? { actions: req.actions } : {}),
          task_id: req.task_id ?? null,
          cwd: req.cwd ?? null,
          ...(decision.containment ? { containment: decision.containment } : {}),
        },
        reason: decision.reason,
        policy_hash: this.policyHash,
      },
    });
    // Every decision at info: a headless engine's stdout (and its logs/) shows what was allowed and denied.
    // Logged once the answer has gone (setImmediate): the ledger holds the decision already.
    const logged = { agent: req.agent, decision: decision.decision, source: decision.source, rule: decision.rule, ...(req.command !== undefined ? { command: req.command } : { tool: `${tool!.server}/${tool!.tool}` }), task_id: req.task_id ?? null, request_id: decision.request_id };
    setImmediate(() => this.logger.info(logged, 'firewall decision'));
    if (decision.decision !== 'ask' || !loaded) return decision;
    // A waiting requester that went away while the decision was being recorded gets no prompt at all:
    // an ask nobody waits for must not stay answerable (issue 22 gap 11).
    if (req.wait && opts.signal?.aborted) return { ...decision, decision: 'deny', reason: 'the requester went away before the ask opened' };

    const prompt = this.prompts.open({
      kind: req.command !== undefined ? 'command' : 'tool',
      agent: req.agent,
      task_id: req.task_id ?? null,
      cwd: req.cwd ?? null,
      command: req.command ?? null,
      tool: tool ?? null,
      decision,
      always_rule: alwaysRuleText(loaded.policy, req.command, tool, req.agent),
      ttlMs: loaded.policy.askTtlMs,
    });
    if (!req.wait) return { ...decision, prompt_id: prompt.id };
    const onAbort = () => this.prompts.cancel(prompt.id, 'the requester went away');
    // The requester may have gone while the decision was being committed: no listener would hear it.
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    const outcome = await this.prompts.wait(prompt.id);
    opts.signal?.removeEventListener('abort', onAbort);
    // Law 8: nothing decided during a lockdown runs. A lockdown entered while the ask waited (even one
    // lifted since) makes the final decision a deny.
    if (this.guard.lockdown !== null || this.guard.lockdownEpoch !== epoch) {
      return { ...decision, decision: 'deny', source: 'lockdown', reason: `firewall in lockdown while this waited: ${this.guard.lockdown ?? 'the policy changed outside gatehouse'}`, prompt_id: prompt.id };
    }
    return {
      ...decision,
      decision: outcome.verdict,
      source: outcome.source === 'operator' ? 'operator' : 'timeout',
      reason: outcome.reason,
      prompt_id: prompt.id,
    };
  }

  /** An operator's answer; scope task writes a grant, scope always writes the narrowest allow rule. */
  resolve(id: string, answer: { decision: 'allow' | 'deny'; scope: AnswerScope; reason?: string | undefined }, actor: Actor): Prompt {
    const p = this.prompts.find(id);
    if (!p) throw new EngineError(`no prompt ${id}`, 'not_found');
    const answerer = this.answerers.get(p.kind);
    if (answerer) return answerer(id, answer, actor);
    if (p.state !== 'pending') throw new EngineError(`prompt ${id} is already ${p.state}${p.resolved_by ? ` (by ${p.resolved_by})` : ''}`, 'conflict');
    if (this.guard.lockdown !== null) {
      // Law 8: answers given during lockdown are refused (and recorded).
      const reason = `the firewall is in lockdown (${this.guard.lockdown}): answers are refused until the policy is trusted`;
      this.ledger.append({ actor: actor.by, surface: actor.surface, action: 'prompt.answer_refused', subject: id, detail: { decision: answer.decision, scope: answer.scope }, reason, policy_hash: this.policyHash });
      throw new EngineError(reason, 'conflict');
    }
    if (answer.decision === 'allow' && answer.scope === 'task' && !p.task_id) throw new EngineError('allow for this task needs a prompt that names a task', 'bad_request');
    if (answer.decision === 'allow' && answer.scope === 'always') this.writeAlwaysRule(p, actor);
    const resolved = this.prompts.resolve(id, { decision: answer.decision, scope: answer.scope, ...(answer.reason ? { reason: answer.reason } : {}) }, actor);
    if (resolved.state === 'allowed' && answer.scope === 'task' && p.task_id) {
      this.db
        .prepare('INSERT INTO grants (agent, task_id, subject, created_at, prompt_id) VALUES (?, ?, ?, ?, ?)')
        .run(p.agent, p.task_id, subjectOf(p.command ?? undefined, p.tool ?? undefined), new Date().toISOString(), p.id);
    }
    return resolved;
  }

  /**
   * "Allow always": writes the rule the prompt showed into the policy, atomically and trusted as written,
   * and records it in the ledger. Narrowest: the rule goes to the asking agent's own section unless the
   * request came from the default agent. A tool call's rule is made again from the stored call and must
   * be the one the operator was shown.
   */
  private writeAlwaysRule(p: Prompt, actor: Actor): void {
    const loaded = this.guard.policy;
    if (!loaded) throw new EngineError('the firewall is in lockdown: trust the policy first', 'conflict');
    const opts = { ...(p.agent !== 'default' ? { agent: p.agent } : {}), description: `allowed always by ${actor.by}` };
    let text: string;
    if (p.kind === 'tool' && p.tool) {
      if (!p.always_rule) {
        const now = alwaysToolRule(p.tool, loaded.policy, p.agent);
        throw new EngineError(`allow always is refused for this tool call: ${'refused' in now ? now.refused : 'no rule was offered when it was asked'}`, 'bad_request');
      }
      // The rule is a function of the call alone; the policy only decided whether to offer it.
      const made = alwaysToolRule(p.tool);
      if (!('rule' in made) || made.text !== p.always_rule) throw new EngineError(`the rule shown (${p.always_rule}) can no longer be made from this call: answer again`, 'conflict');
      text = addToolRule(loaded.text, made.rule, opts);
    } else {
      if (!p.always_rule) throw new EngineError('allow always is refused for this request (shells, interpreters, sudo, programs that run other commands, options that run or write files, and unverifiable commands get no standing rule)', 'bad_request');
      text = addAllowRule(loaded.text, p.always_rule, opts);
    }
    const written = this.guard.writeTrusted(text, actor.by);
    this.ledger.append({
      actor: actor.by,
      surface: actor.surface,
      action: 'policy.rule_added',
      subject: p.id,
      detail: { kind: p.kind, rule: p.always_rule, agent: p.agent, added: text !== loaded.text, section: opts.agent ? `agents.${opts.agent}.${p.kind === 'tool' ? 'tools' : 'allowlist'}` : p.kind === 'tool' ? 'tools' : 'allowlist' },
      reason: 'allow always',
      policy_hash: written.sha256,
    });
  }

  /** The built-in self-protection deny (law 10), or null. An error in it is a deny, never an allow. */
  private selfProtect(command: string | undefined, tool: ToolCall | undefined, cwd: string | null): Decision | null {
    if (!this.places) return null;
    try {
      return command !== undefined ? selfProtectCommand(command, this.places, { cwd }) : selfProtectTool(tool!, this.places);
    } catch (err) {
      this.logger.error({ err }, 'self-protection failed; denying');
      return { decision: 'deny', source: 'policy', rule: 'self-protection', reason: 'the self-protection check failed (denied)', segments: [], request_id: randomUUID() };
    }
  }

  /** Hands the answers to prompts of `kind` to the room that opened them. */
  answerKind(kind: string, answerer: PromptAnswerer): void {
    this.answerers.set(kind, answerer);
  }

  private hasGrant(agent: string, taskId: string, subject: string): boolean {
    return !!this.db.prepare('SELECT 1 FROM grants WHERE agent = ? AND task_id = ? AND subject = ? LIMIT 1').get(agent, taskId, subject);
  }

  flush(): void {
    this.decisions.flush();
  }
}
