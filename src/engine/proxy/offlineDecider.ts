// When the engine cannot be reached, a proxy configured with an offline policy decides locally.
// Nobody can be asked offline, so an ask (or an escalation) becomes a deny: the offline path can
// only ever allow what the policy allows outright. A guard runs first (law 8 and law 10 offline: the
// engine's lockdown marker denies everything, the built-in self-protection rules deny what touches
// gatehouse), whatever the offline policy says.
import type { Decision, ToolCall } from '../../shared/firewall.js';
import { evaluateTool, type Policy } from '../firewall/index.js';
import type { DecideFn } from './types.js';

/** Wraps the engine decider: on a failure to reach the engine, evaluate `policy` instead of failing. */
export function withOfflinePolicy(online: DecideFn, policy: Policy, policySource: string, agent: string, onFallback?: (err: Error) => void, guard?: (call: ToolCall) => Decision | null, onOffline?: (call: ToolCall, d: Decision) => void): DecideFn {
  const offline = (call: ToolCall, ctx: Parameters<DecideFn>[1], e: unknown): Decision => {
    const why = `gatehouse engine unreachable (${(e as Error).message}); decided by the offline policy ${policySource}`;
    const guarded = guard?.(call);
    if (guarded && guarded.decision !== 'allow') return { ...guarded, decision: 'deny', reason: `${guarded.reason}; ${why}` };
    const d = evaluateTool(policy, call, { agent });
    if (d.decision === 'allow' && !ctx.escalation) return { ...d, source: 'fallback', reason: `${d.reason}; ${why}` };
    const wouldAsk = d.decision === 'ask' || (d.decision === 'allow' && ctx.escalation);
    return {
      ...d,
      decision: 'deny',
      source: 'fallback',
      reason: wouldAsk ? `needs the operator's approval, and nobody can be asked while the engine is unreachable; ${why}` : `${d.reason}; ${why}`,
    };
  };
  return async (call, ctx) => {
    try {
      return await online(call, ctx);
    } catch (e) {
      if (ctx.signal.aborted) throw e;
      onFallback?.(e as Error);
      const d = offline(call, ctx, e);
      onOffline?.(call, d);
      return d;
    }
  };
}
