// Local decisions while the approver cannot be reached (docs/approver.md). Strict by default: a task is
// approved only within the fallback limits and carries them as constraints; fallback_strict=false
// relaxes to the per-type budget rules. Either way the decision is marked decided_by: fallback.
import type { Constraint, Task } from '../../shared/task.js';
import type { ApprovalConfig } from './approvalConfig.js';

export interface ApprovalOutcome {
  approved: boolean;
  reason: string;
  constraints: Constraint[];
  decided_by: 'approver' | 'fallback';
  retry_after_seconds: number | null;
}

export type FallbackTask = Pick<Task, 'task_id' | 'task_type' | 'estimated_cost' | 'estimated_duration_ms'>;

type FallbackSettings = Pick<ApprovalConfig, 'fallback_strict' | 'fallback' | 'cost_limits'>;

const usd = (n: number): string => `$${n.toFixed(2)}`;

export function fallbackDecision(task: FallbackTask, cfg: FallbackSettings, why: string): ApprovalOutcome {
  const perType = cfg.cost_limits.per_task[task.task_type];
  const strict = cfg.fallback_strict;
  const costLimit = strict ? Math.min(cfg.fallback.max_cost_usd, perType ?? Infinity) : (perType ?? cfg.fallback.max_cost_usd);
  const costSource = perType !== undefined && costLimit === perType ? `the ${task.task_type} limit` : 'the fallback limit';
  const mode = strict ? 'strict fallback' : 'fallback budget rules';
  const reject = (reason: string): ApprovalOutcome => ({
    approved: false,
    reason: `${reason} (${mode}; approver unavailable: ${why})`,
    constraints: [],
    decided_by: 'fallback',
    retry_after_seconds: null,
  });
  if (task.estimated_cost > costLimit) {
    return reject(`estimated cost ${usd(task.estimated_cost)} is over ${costSource} of ${usd(costLimit)}`);
  }
  const constraints: Constraint[] = [{ type: 'cost_limit', value: costLimit, reason: `${mode}: ${costSource}` }];
  if (strict) {
    const maxTime = cfg.fallback.max_time_ms;
    if (task.estimated_duration_ms !== null && task.estimated_duration_ms > maxTime) {
      return reject(`estimated duration ${task.estimated_duration_ms} ms is over the fallback limit of ${maxTime} ms`);
    }
    constraints.push({ type: 'time_limit', value: maxTime, reason: `${mode}: time limit` });
    constraints.push({ type: 'resource_factor', value: cfg.fallback.resource_factor, reason: `${mode}: reduced resources` });
  }
  return {
    approved: true,
    reason: `approved locally within ${mode} (approver unavailable: ${why})`,
    constraints,
    decided_by: 'fallback',
    retry_after_seconds: null,
  };
}
