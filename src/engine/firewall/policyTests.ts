// The policy's own examples (`tests:`), checked by `gatehouse policy test` and at every load.
import type { Decision } from '../../shared/firewall.js';
import type { Action } from './actions.js';
import { evaluateAction } from './decideActions.js';
import { judgeCommand } from './evaluate.js';
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

/** The action a test example describes. */
export function testAction(test: PolicyTest): Action {
  if (test.command !== undefined) return { kind: 'exec', command: test.command };
  if (test.read !== undefined) return { kind: 'read', path: test.read };
  if (test.write !== undefined) return { kind: 'write', path: test.write };
  if (test.delete !== undefined) return { kind: 'delete', path: test.delete };
  if (test.fetch !== undefined) return { kind: 'fetch', url: test.fetch };
  const t = test.tool!;
  return { kind: 'mcp', call: { server: t.server, tool: t.tool, args: t.args, ...(t.annotations ? { annotations: t.annotations } : {}) } };
}

export function runPolicyTests(policy: Policy): PolicyTestResult[] {
  return policy.file.tests.map((test, index) => {
    const opts = { agent: test.agent ?? null };
    const decision = evaluateAction(policy, testAction(test), { ...opts, cwd: test.cwd ?? null });
    const decidedBy = test.command !== undefined ? [...new Set(judgeCommand(policy, test.command, opts).judged.flatMap((x) => (x.decidedBy ? [x.decidedBy] : [])))] : [];
    const ok = decision.decision === test.expect && (test.decided_by === undefined || decidedBy.includes(test.decided_by));
    return { index, test, decision, decidedBy, ok };
  });
}

/** One line per mismatch: `tests[2]: "ls; rm -rf /" expected deny, got ask: reason`. */
export function describeMismatch(r: PolicyTestResult): string {
  const t = r.test;
  const what =
    t.command !== undefined ? JSON.stringify(t.command) : t.tool ? `tool ${t.tool.server}/${t.tool.tool}` : t.read !== undefined ? `read ${t.read}` : t.write !== undefined ? `write ${t.write}` : t.delete !== undefined ? `delete ${t.delete}` : `fetch ${t.fetch}`;
  const who = t.agent ? ` (agent ${t.agent})` : '';
  const by = t.decided_by !== undefined ? ` decided by ${t.decided_by}` : '';
  const got = t.decided_by !== undefined ? ` decided by ${r.decidedBy.length ? r.decidedBy.join(', ') : 'no program entry'}` : '';
  return `tests[${r.index}]${t.name ? ` ${t.name}` : ''}: ${what}${who} expected ${t.expect}${by}, got ${r.decision.decision}${got}: ${r.decision.reason}`;
}
