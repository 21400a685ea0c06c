// When the engine cannot be reached, a proxy configured with an offline policy decides locally.
// Nobody can be asked offline, so an ask (or an escalation) becomes a deny: the offline path can
// only ever allow what the policy allows outright.
import type { Decision } from '../../shared/firewall.js';
import { evaluateTool, type Policy } from '../firewall/index.js';
import type { DecideFn } from './types.js';

/** Wraps the engine decider: on a failure to reach the engine, evaluate `policy` instead of failing. */
export function withOfflinePolicy(online: DecideFn, policy: Policy, policySource: string, agent: string, onFallback?: (err: Error) => void): DecideFn {
  return async (call, ctx) => {
    try {
      return await online(call, ctx);
    } catch (e) {
      if (ctx.signal.aborted) throw e;
      onFallback?.(e as Error);
      const d = evaluateTool(policy, call, { agent });
      const why = `gatehouse engine unreachable (${(e as Error).message}); decided by the offline policy ${policySource}`;
      if (d.decision === 'allow' && !ctx.escalation) return { ...d, source: 'fallback', reason: `${d.reason}; ${why}` };
      const wouldAsk = d.decision === 'ask' || (d.decision === 'allow' && ctx.escalation);
      const denied: Decision = {
        ...d,
        decision: 'deny',
        source: 'fallback',
        reason: wouldAsk ? `needs the operator's approval, and nobody can be asked while the engine is unreachable; ${why}` : `${d.reason}; ${why}`,
      };
      return denied;
    }
  };
}
