// Which tools to leave out of tools/list: those the policy denies whatever their arguments, so the
// model does not plan around a tool it can never use. Cosmetic only: every call is still decided.
import type { ToolCall } from '../../shared/firewall.js';
import { evaluateTool, type Policy } from '../firewall/index.js';

export function deniedToolPredicate(policy: Policy, server: string, agent: string): (name: string, annotations?: ToolCall['annotations']) => boolean {
  return (name, annotations) => {
    const d = evaluateTool(policy, { server, tool: name, args: {}, ...(annotations ? { annotations } : {}) }, { agent });
    // Only an explicit rule: a miss under `policy: deny` may still be allowed for some arguments.
    return d.decision === 'deny' && d.segments.some((s) => s.matched_rule !== null);
  };
}
