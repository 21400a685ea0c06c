// Constraints that come with an approval (docs/approver.md): applied to the execution config the gateway
// receives, only ever tightening it, and enforced while the task runs.
import type { Constraint, ConstraintType, Task } from '../../shared/task.js';

/** What the gateway runs a task under. null = unlimited. */
export interface ExecutionConfig {
  cost_limit_usd: number | null;
  time_limit_ms: number | null;
  token_limit: number | null;
  parallelism: number | null;
  /** Share of the normal resources (1 = all of them). */
  resource_factor: number | null;
}

export const UNLIMITED: ExecutionConfig = {
  cost_limit_usd: null,
  time_limit_ms: null,
  token_limit: null,
  parallelism: null,
  resource_factor: null,
};

const FIELD: Record<ConstraintType, keyof ExecutionConfig> = {
  cost_limit: 'cost_limit_usd',
  time_limit: 'time_limit_ms',
  token_limit: 'token_limit',
  parallelism: 'parallelism',
  resource_factor: 'resource_factor',
};

export interface ConstrainedConfig {
  config: ExecutionConfig;
  /** Constraints that tightened a value, in the order given. */
  applied: Constraint[];
  /** Constraints that were not tighter than the value already in force (or not usable), and why. */
  ignored: Array<{ constraint: Constraint; why: string }>;
}

function normalise(c: Constraint): number {
  // Counts are whole: a fractional token limit or parallelism rounds towards tighter.
  return c.type === 'token_limit' || c.type === 'parallelism' ? Math.floor(c.value) : c.value;
}

/** Applies constraints over a base config; a constraint looser than what is in force is ignored. */
export function applyConstraints(base: ExecutionConfig, constraints: readonly Constraint[]): ConstrainedConfig {
  const config: ExecutionConfig = { ...base };
  const applied: Constraint[] = [];
  const ignored: ConstrainedConfig['ignored'] = [];
  for (const c of constraints) {
    const field = FIELD[c.type];
    if (!field || !Number.isFinite(c.value) || c.value < 0) {
      ignored.push({ constraint: c, why: `unknown constraint type or bad value (${String(c.type)}=${String(c.value)})` });
      continue;
    }
    const value = normalise(c);
    // No resource factor in force means full resources: a factor of 1 or more never tightens.
    const current = config[field] ?? (c.type === 'resource_factor' ? 1 : null);
    if (current !== null && value >= current) {
      ignored.push({ constraint: c, why: `${c.type}=${c.value} is not tighter than ${current} already in force` });
      continue;
    }
    config[field] = value;
    applied.push(c);
  }
  return { config, applied, ignored };
}

function tightest(task: Pick<Task, 'constraints'>, type: ConstraintType): number | null {
  let best: number | null = null;
  for (const c of task.constraints) if (c.type === type && (best === null || c.value < best)) best = c.value;
  return best;
}

/**
 * Why a running task must be aborted now, naming the constraint it passed; null while within limits.
 * Time is measured from start_time; cost is the cost the gateway reported (actual_cost).
 */
export function limitBreach(task: Pick<Task, 'status' | 'constraints' | 'start_time' | 'actual_cost'>, now: Date | number = Date.now()): string | null {
  if (task.status !== 'running') return null;
  const nowMs = typeof now === 'number' ? now : now.getTime();
  const timeLimit = tightest(task, 'time_limit');
  if (timeLimit !== null && task.start_time) {
    const started = Date.parse(task.start_time);
    if (Number.isFinite(started) && nowMs - started > timeLimit) {
      return `time_limit of ${timeLimit} ms exceeded: running for ${nowMs - started} ms`;
    }
  }
  const costLimit = tightest(task, 'cost_limit');
  if (costLimit !== null && task.actual_cost !== null && task.actual_cost > costLimit) {
    return `cost_limit of $${costLimit.toFixed(2)} exceeded: reported cost $${task.actual_cost.toFixed(2)}`;
  }
  return null;
}
