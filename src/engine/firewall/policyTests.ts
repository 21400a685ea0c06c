// The policy's own examples (`tests:`), checked by `gatehouse policy test` and at every load.
import type { Decision } from '../../shared/firewall.js';
import { evaluateTool, judgeCommand } from './evaluate.js';
import type { Policy } from './policyLoader.js';
import type { PolicyTest } from './policySchema.js';

export interface PolicyTestResult {
  index: number;
  test: PolicyTest;
  decision: Decision;
  /** Program entries and options that decided or ran a command (`sort -o`, `find -exec`), for `decided_by`. */
  decidedBy: string[];
  ok: boolean;
}

export function runPolicyTests(policy: Policy): PolicyTestResult[] {
  return policy.file.tests.map((test, index) => {
    const opts = { agent: test.agent ?? null };
    if (test.command === undefined) {
      const decision = evaluateTool(policy, { server: test.tool!.server, tool: test.tool!.tool, args: test.tool!.args, ...(test.tool!.annotations ? { annotations: test.tool!.annotations } : {}) }, opts);
      return { index, test, decision, decidedBy: [], ok: decision.decision === test.expect && test.decided_by === undefined };
    }
    const j = judgeCommand(policy, test.command, opts);
    const decidedBy = [...new Set(j.judged.flatMap((x) => (x.decidedBy ? [x.decidedBy] : [])))];
    const ok = j.decision.decision === test.expect && (test.decided_by === undefined || decidedBy.includes(test.decided_by));
    return { index, test, decision: j.decision, decidedBy, ok };
  });
}

/** One line per mismatch: `tests[2]: "ls; rm -rf /" expected deny, got ask: reason`. */
export function describeMismatch(r: PolicyTestResult): string {
  const what = r.test.command !== undefined ? JSON.stringify(r.test.command) : `tool ${r.test.tool!.server}/${r.test.tool!.tool}`;
  const who = r.test.agent ? ` (agent ${r.test.agent})` : '';
  const by = r.test.decided_by !== undefined ? ` decided by ${r.test.decided_by}` : '';
  const got = r.test.decided_by !== undefined ? ` decided by ${r.decidedBy.length ? r.decidedBy.join(', ') : 'no program entry'}` : '';
  return `tests[${r.index}]${r.test.name ? ` ${r.test.name}` : ''}: ${what}${who} expected ${r.test.expect}${by}, got ${r.decision.decision}${got}: ${r.decision.reason}`;
}
