// The firewall as the engine runs it: every check is evaluated against the trusted policy (or denied in
// lockdown), task grants turn an ask into an allow (never a deny), an ask becomes a prompt, and every
// decision is in the ledger before it is answered (group-committed, so a burst shares one fsync).
import type { Logger } from 'pino';
import { EngineError } from '../shared/errors.js';
import type { AnswerScope, Decision, FirewallCheck, Prompt, ToolCall } from '../shared/firewall.js';
import { FirewallCheckSchema } from '../shared/firewall.js';
import type { AgentRegistry } from './agents.js';
import { addAllowRule, addToolRule, alwaysRuleFor, alwaysToolRule, evaluateActions, evaluateExec, evaluateMcp, NATIVE_SERVER, type Policy } from './firewall/index.js';
import { GroupCommit } from './groupCommit.js';
import type { Ledger, LedgerEntry } from './ledger.js';
import type { PolicyGuard } from './policyGuard.js';
import type { PromptDesk } from './prompts.js';
import type { Actor } from './queue.js';
import type { Db } from './store.js';
import { randomUUID } from 'node:crypto';

export type CheckResult = Decision & { prompt_id?: string };

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
  private readonly decisions: GroupCommit<{ entry: LedgerEntry; agent: string; verdict: Decision['decision'] }>;

  constructor(
    private readonly db: Db,
    private readonly ledger: Ledger,
    private readonly guard: PolicyGuard,
    private readonly prompts: PromptDesk,
    private readonly agents: AgentRegistry,
    private readonly logger: Logger,
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
    let decision: Decision;
    if (!loaded) {
      decision = { decision: 'deny', source: 'lockdown', rule: null, reason: `firewall in lockdown: ${this.guard.lockdown}`, segments: [], request_id: randomUUID() };
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
      if (req.escalate && decision.decision !== 'deny') {
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
        },
        reason: decision.reason,
        policy_hash: this.policyHash,
      },
    });
    if (decision.decision !== 'ask' || !loaded) return decision;

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
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const outcome = await this.prompts.wait(prompt.id);
    opts.signal?.removeEventListener('abort', onAbort);
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
    if (p.state !== 'pending') throw new EngineError(`prompt ${id} is already ${p.state}${p.resolved_by ? ` (by ${p.resolved_by})` : ''}`, 'conflict');
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
      if (!p.always_rule) throw new EngineError('allow always is refused for this request (shells, interpreters, sudo and unverifiable commands get no standing rule)', 'bad_request');
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

  private hasGrant(agent: string, taskId: string, subject: string): boolean {
    return !!this.db.prepare('SELECT 1 FROM grants WHERE agent = ? AND task_id = ? AND subject = ? LIMIT 1').get(agent, taskId, subject);
  }

  flush(): void {
    this.decisions.flush();
  }
}
