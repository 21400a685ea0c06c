// The policy's own examples (`tests:`), checked by `gatehouse policy test` and at every load.
import type { Decision } from '../../shared/firewall.js';
import { evaluateCommand, evaluateTool } from './evaluate.js';
import type { Policy } from './policyLoader.js';
import type { PolicyTest } from './policySchema.js';

export interface PolicyTestResult {
  index: number;
  test: PolicyTest;
  decision: Decision;
  ok: boolean;
}

export function runPolicyTests(policy: Policy): PolicyTestResult[] {
  return policy.file.tests.map((test, index) => {
    const opts = { agent: test.agent ?? null };
    const decision =
      test.command !== undefined ? evaluateCommand(policy, test.command, opts) : evaluateTool(policy, { server: test.tool!.server, tool: test.tool!.tool, args: test.tool!.args, ...(test.tool!.annotations ? { annotations: test.tool!.annotations } : {}) }, opts);
    return { index, test, decision, ok: decision.decision === test.expect };
  });
}

/** One line per mismatch: `tests[2]: "ls; rm -rf /" expected deny, got ask: reason`. */
export function describeMismatch(r: PolicyTestResult): string {
  const what = r.test.command !== undefined ? JSON.stringify(r.test.command) : `tool ${r.test.tool!.server}/${r.test.tool!.tool}`;
  const who = r.test.agent ? ` (agent ${r.test.agent})` : '';
  return `tests[${r.index}]${r.test.name ? ` ${r.test.name}` : ''}: ${what}${who} expected ${r.test.expect}, got ${r.decision.decision}: ${r.decision.reason}`;
}
