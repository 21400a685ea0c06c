// The task lifecycle's words: statuses, deciders, surfaces, constraint types. Constants only, so both
// the types (task.ts) and the schemas (taskSchemas.ts) can build on them without importing each other.

export const TASK_STATUSES = [
  'pending',
  'pending_approval',
  'approved',
  'running',
  'completed',
  'failed',
  'rejected',
  'aborted',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const TERMINAL_STATUSES: readonly TaskStatus[] = ['completed', 'failed', 'rejected', 'aborted'];

export const DECIDERS = ['approver', 'operator', 'fallback', 'budget'] as const;
export type DecidedBy = (typeof DECIDERS)[number];

/** Who caused a transition, and through which door. */
export const SURFACES = ['tui', 'cli', 'rest', 'ipc', 'approver', 'fallback', 'budget', 'engine', 'gateway'] as const;
export type Surface = (typeof SURFACES)[number];

export const CONSTRAINT_TYPES = ['cost_limit', 'time_limit', 'token_limit', 'parallelism', 'resource_factor'] as const;
export type ConstraintType = (typeof CONSTRAINT_TYPES)[number];
