// Every connection out of a sandbox is decided here (docs/containment.md): the trusted policy's `network:`
// rules for the agent (lockdown denies all), an ask becomes a prompt of kind `network` on the firewall's
// prompt desk (same TTL, keys and scopes; concurrent asks for one destination share one prompt), a name
// is resolved once after it is allowed and every address it gave is judged before the proxy connects to
// the first. Each decision is a `network.decision` ledger record and counts for the agent. A repeat of a
// policy allow is served from a cache keyed by the policy's hash; its record is not awaited: it is queued
// and joins a group commit a few milliseconds later, so neither the fsync nor the transaction itself
// sits between the decision and the connect (docs/containment.md: every decision is in the ledger, not before
// the connection; a first decision, an ask or a deny is still durable before it is acted on).
import { randomUUID } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import { networkFor, type NetworkDecision } from '../../shared/containPolicy.js';
import { EngineError } from '../../shared/errors.js';
import type { AnswerScope, Prompt } from '../../shared/firewall.js';
import type { AgentRegistry } from '../firewall/agents.js';
import type { HostBlocklist } from '../firewall/hostBlocklist.js';
import type { PolicyGuard } from '../firewall/policyGuard.js';
import type { PromptDesk } from '../firewall/prompts.js';
import { GroupCommit } from '../store/groupCommit.js';
import type { Ledger, LedgerEntry } from '../store/ledger.js';
import type { Db } from '../store/store.js';
import type { Actor } from '../tasks/queue.js';
import type { EgressVia } from './egressTunnel.js';
import { addNetworkRule } from './networkRuleEdit.js';
import { checkAddress, compileNetwork, decideName, formatDestination, parseDestination, type CompiledNetwork, type Destination } from './networkPolicy.js';

/** Who a connection belongs to: the sandbox session it came through. */
export interface ConnectionOwner {
  session: string;
  agent: string;
  command: string | null;
  task_id: string | null;
  cwd: string | null;
}

/** What the gate uses of the engine. */
export interface EgressHost {
  readonly db: Db;
  readonly ledger: Ledger;
  readonly prompts: PromptDesk;
  readonly agents: AgentRegistry;
  readonly guard: PolicyGuard;
  /** The hosts verified rule packs block (IoC): denied before any rule, the cache or an ask. */
  readonly hostBlocklist?: Pick<HostBlocklist, 'blocks'>;
}

const RESOLVE_TIMEOUT_MS = 5_000;

export class EgressGate {
  private readonly records: GroupCommit<{ entry: LedgerEntry; agent: string; allowed: boolean }>;
  private readonly compiled = new Map<string, CompiledNetwork>();
  private readonly allowCache = new Map<string, string>();
  private readonly asking = new Map<string, Promise<NetworkDecision>>();
  readonly counts = { allowed: 0, blocked: 0 };
  /** How long cached allows' records wait to join a commit (0: at once, the bench's baseline). */
  cachedRecordDelayMs = 5;
  private deferred: Array<{ entry: LedgerEntry; agent: string; allowed: boolean }> = [];
  private deferTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly host: EgressHost,
    private readonly logger: Logger,
    private readonly resolve: (name: string) => Promise<string[]> = async (name) => (await lookup(name, { all: true, verbatim: true })).map((a) => a.address),
  ) {
    this.records = new GroupCommit(
      host.db,
      (r) => {
        host.ledger.append(r.entry);
        host.agents.countConnection(r.agent, r.allowed);
      },
      () => host.ledger.resync(),
    );
  }

  private networkOf(agent: string): CompiledNetwork | null {
    const loaded = this.host.guard.policy;
    if (!loaded) return null;
    const key = `${loaded.sha256}\0${agent}`;
    let net = this.compiled.get(key);
    if (!net) {
      if (this.compiled.size > 1000) this.compiled.clear();
      net = compileNetwork(networkFor(loaded.policy.file, agent));
      this.compiled.set(key, net);
    }
    return net;
  }

  /** Decides one connection to `hostIn:port` for its owner; never throws (a failure is a deny). `via`: the protocol that asked. */
  async decide(owner: ConnectionOwner, hostIn: string, port: number, via?: EgressVia): Promise<NetworkDecision> {
    let d: NetworkDecision;
    let cached = false;
    try {
      ({ decision: d, cached } = await this.judge(owner, hostIn, port));
    } catch (err) {
      this.logger.error({ err }, 'network decision failed; denying');
      d = { decision: 'deny', destination: `${hostIn}:${port}`, address: null, rule: null, source: 'policy', reason: 'the network decision failed (denied)' };
    }
    const allowed = d.decision === 'allow';
    if (allowed) this.counts.allowed++;
    else this.counts.blocked++;
    const record = {
      agent: owner.agent,
      allowed,
      entry: {
        actor: owner.agent,
        surface: 'engine',
        action: 'network.decision',
        subject: owner.session,
        detail: { agent: owner.agent, destination: d.destination, decision: d.decision, rule: d.rule, source: d.source, address: d.address, command: owner.command, task_id: owner.task_id, ...(via ? { via } : {}) },
        reason: d.reason,
        policy_hash: this.host.guard.trustedPolicy?.sha256 ?? null,
      },
    };
    if (cached) this.later(record);
    else {
      const written = this.records.add(record);
      try {
        await written;
      } catch (err) {
        this.logger.error({ err }, 'a network decision could not be recorded; denying');
        return { ...d, decision: 'deny', address: null, reason: 'the decision could not be recorded (denied)' };
      }
    }
    return d;
  }

  private async judge(owner: ConnectionOwner, hostIn: string, port: number): Promise<{ decision: NetworkDecision; cached: boolean }> {
    const parsed = parseDestination(hostIn, port);
    if ('error' in parsed) return { decision: deny(`${hostIn.slice(0, 80)}:${port}`, null, 'policy', parsed.error), cached: false };
    const destination = formatDestination(parsed);
    // Law: a signed rule pack's blocked hosts (IoC) deny, whatever a rule, the cache or an operator says.
    const ioc = this.hostBlocklist(parsed.host);
    if (ioc) return { decision: ioc(destination), cached: false };
    const net = this.networkOf(owner.agent);
    if (!net) return { decision: deny(destination, null, 'lockdown', `firewall in lockdown: ${this.host.guard.lockdown ?? 'no trusted policy'}`), cached: false };
    const cacheKey = `${owner.agent}\0${destination}`;
    const hash = this.host.guard.policy!.sha256;
    if (this.allowCache.get(cacheKey) === hash) {
      const r = await this.connectable(net, parsed, destination, null, 'cache', 'allowed (a policy allow seen before)');
      return { decision: r, cached: r.decision === 'allow' };
    }
    const v = decideName(net, parsed);
    if (v.verdict === 'deny') return { decision: deny(destination, v.rule, 'policy', v.reason), cached: false };
    if (v.verdict === 'allow') {
      const r = await this.connectable(net, parsed, destination, v.rule, 'policy', v.reason);
      if (r.decision === 'allow') {
        if (this.allowCache.size > 10_000) this.allowCache.clear();
        this.allowCache.set(cacheKey, hash);
      }
      return { decision: r, cached: false };
    }
    if (owner.task_id && this.hasGrant(owner.agent, owner.task_id, destination)) {
      return { decision: await this.connectable(net, parsed, destination, null, 'grant', `allowed for task ${owner.task_id} by an earlier answer`), cached: false };
    }
    // One prompt per agent and destination at a time; every connection waiting on it gets its answer.
    const askKey = `${owner.agent}\0${destination}\0${owner.task_id ?? ''}`;
    let asked = this.asking.get(askKey);
    if (!asked) {
      asked = this.ask(owner, destination, v.reason).finally(() => this.asking.delete(askKey));
      this.asking.set(askKey, asked);
    }
    const answer = await asked;
    if (answer.decision !== 'allow') return { decision: answer, cached: false };
    return { decision: await this.connectable(net, parsed, destination, null, answer.source, answer.reason), cached: false };
  }

  private async ask(owner: ConnectionOwner, destination: string, reason: string): Promise<NetworkDecision> {
    const loaded = this.host.guard.policy;
    if (!loaded) return deny(destination, null, 'lockdown', 'firewall in lockdown');
    const prompt = this.host.prompts.open({
      kind: 'network',
      destination,
      agent: owner.agent,
      task_id: owner.task_id,
      cwd: owner.cwd,
      command: owner.command,
      tool: null,
      decision: { decision: 'ask', source: 'policy', rule: null, reason, segments: [], request_id: randomUUID() },
      always_rule: destination,
      ttlMs: loaded.policy.askTtlMs,
    });
    const outcome = await this.host.prompts.wait(prompt.id);
    const source = outcome.source === 'operator' ? 'operator' : 'timeout';
    return outcome.verdict === 'allow'
      ? { decision: 'allow', destination, address: null, rule: null, source, reason: outcome.reason }
      : deny(destination, null, source, outcome.reason);
  }

  /** Resolves a name once and judges every address; the connection goes to the first. */
  private async connectable(net: CompiledNetwork, d: Destination, destination: string, rule: string | null, source: NetworkDecision['source'], reason: string): Promise<NetworkDecision> {
    let addresses: string[];
    if (d.literal) addresses = [d.host];
    else {
      try {
        addresses = await Promise.race([
          this.resolve(d.host),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), RESOLVE_TIMEOUT_MS).unref()),
        ]);
      } catch (err) {
        return { ...deny(destination, rule, source, `${d.host} could not be resolved (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`), unresolved: true };
      }
      if (!addresses.length) return { ...deny(destination, rule, source, `${d.host} resolved to no address`), unresolved: true };
    }
    for (const a of addresses) {
      const ioc = this.hostBlocklist(a);
      if (ioc) return ioc(destination);
      const c = checkAddress(net, a, d.port);
      if (!c.ok) return deny(destination, c.rule ?? rule, source, c.reason);
    }
    return { decision: 'allow', destination, address: addresses[0]!, rule, source, reason };
  }

  /** A deny maker when a rule pack blocks `host` (a name and its parents, or an address exactly), else null. */
  private hostBlocklist(host: string): ((destination: string) => NetworkDecision) | null {
    const hit = this.host.hostBlocklist?.blocks(host);
    // An address is blocked only by itself (4.3.2.1 is not "under" 3.2.1).
    if (!hit || (isIP(host) && hit.host !== host)) return null;
    return (destination) => deny(destination, `ioc:${hit.host}`, 'policy', `${hit.host} is blocked by the rule pack ${hit.source} (IoC)`);
  }

  private hasGrant(agent: string, taskId: string, destination: string): boolean {
    return !!this.host.db.prepare('SELECT 1 FROM grants WHERE agent = ? AND task_id = ? AND subject = ? LIMIT 1').get(agent, taskId, `net:${destination}`);
  }

  /** An operator's answer to a network ask; "always" writes `host:port` into network.allow (the agent's own unless default). */
  answer(id: string, answer: { decision: 'allow' | 'deny'; scope: AnswerScope; reason?: string | undefined }, actor: Actor): Prompt {
    const p = this.host.prompts.find(id);
    if (!p) throw new EngineError(`no prompt ${id}`, 'not_found');
    if (p.state !== 'pending') throw new EngineError(`prompt ${id} is already ${p.state}${p.resolved_by ? ` (by ${p.resolved_by})` : ''}`, 'conflict');
    if (answer.decision === 'allow' && answer.scope === 'task' && !p.task_id) throw new EngineError('allow for this task needs a prompt that names a task', 'bad_request');
    const destination = p.destination ?? p.always_rule;
    if (!destination) throw new EngineError(`prompt ${id} names no destination`, 'bad_request');
    if (answer.decision === 'allow' && answer.scope === 'always') {
      const loaded = this.host.guard.policy;
      if (!loaded) throw new EngineError('the firewall is in lockdown: trust the policy first', 'conflict');
      const agent = p.agent !== 'default' ? p.agent : null;
      const text = addNetworkRule(loaded.text, destination, agent);
      const written = this.host.guard.writeTrusted(text, actor.by);
      this.host.ledger.append({
        actor: actor.by,
        surface: actor.surface,
        action: 'policy.rule_added',
        subject: p.id,
        detail: { kind: 'network', rule: destination, agent: p.agent, added: text !== loaded.text, section: agent ? `agents.${agent}.network.allow` : 'network.allow' },
        reason: 'allow always',
        policy_hash: written.sha256,
      });
    }
    const resolved = this.host.prompts.resolve(id, { decision: answer.decision, scope: answer.scope, ...(answer.reason ? { reason: answer.reason } : {}) }, actor);
    if (resolved.state === 'allowed' && answer.scope === 'task' && p.task_id) {
      this.host.db.prepare('INSERT INTO grants (agent, task_id, subject, created_at, prompt_id) VALUES (?, ?, ?, ?, ?)').run(p.agent, p.task_id, `net:${destination}`, new Date().toISOString(), p.id);
    }
    return resolved;
  }

  /** Queues a cached allow's record; the queue joins a group commit after cachedRecordDelayMs. */
  private later(record: { entry: LedgerEntry; agent: string; allowed: boolean }): void {
    this.deferred.push(record);
    if (this.cachedRecordDelayMs <= 0) return this.drain();
    this.deferTimer ??= setTimeout(() => this.drain(), this.cachedRecordDelayMs);
  }

  private drain(): void {
    if (this.deferTimer) clearTimeout(this.deferTimer);
    this.deferTimer = null;
    for (const r of this.deferred.splice(0)) this.records.add(r).catch((err: unknown) => this.logger.error({ err }, 'a network decision could not be recorded'));
  }

  flush(): void {
    this.drain();
    this.records.flush();
  }
}

function deny(destination: string, rule: string | null, source: NetworkDecision['source'], reason: string): NetworkDecision {
  return { decision: 'deny', destination, address: null, rule, source, reason };
}
