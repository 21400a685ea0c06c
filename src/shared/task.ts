// Task vocabulary shared by the engine, the clients and the console (DESIGN.md §4, contract).
import { z } from 'zod';

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

export const ConstraintSchema = z.object({
  type: z.enum(CONSTRAINT_TYPES),
  value: z.number().finite().nonnegative(),
  reason: z.string().max(1000).nullish(),
});
export type Constraint = z.infer<typeof ConstraintSchema>;

export interface Task {
  task_id: string;
  task_type: string;
  description: string;
  status: TaskStatus;
  estimated_cost: number;
  actual_cost: number | null;
  estimated_duration_ms: number | null;
  constraints: Constraint[];
  context: Record<string, unknown>;
  result: unknown;
  error_message: string | null;
  logs: string[];
  created_at: string;
  updated_at: string;
  start_time: string | null;
  end_time: string | null;
  decided_by: DecidedBy | null;
  decision_reason: string | null;
}

export interface TaskTransition {
  seq: number;
  task_id: string;
  from: TaskStatus | null;
  to: TaskStatus;
  by: string;
  surface: Surface;
  reason: string | null;
  at: string;
}

export interface TaskDetail extends Task {
  transitions: TaskTransition[];
}

export interface QueueStatus {
  total_tasks: number;
  by_status: Record<TaskStatus, number>;
  total_cost_usd: number;
  total_execution_time_ms: number;
  pending_approval: number;
  running: number;
  timestamp: string;
}

const idPattern = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** Body of POST /api/tasks and IPC tasks.submit. */
export const TaskSubmitSchema = z.object({
  task_id: z.string().regex(idPattern, 'letters, digits, . _ : - (at most 128, starting with a letter or digit)').optional(),
  task_type: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'lower-case word such as chat, workflow or batch'),
  description: z.string().max(10_000).default(''),
  estimated_cost: z.number().finite().nonnegative().default(0),
  estimated_duration_ms: z.number().int().nonnegative().nullish(),
  context: z.record(z.string(), z.unknown()).default({}),
});
export type TaskSubmit = z.input<typeof TaskSubmitSchema>;

export const TaskIdSchema = z.string().regex(idPattern, 'a task id');

export const ReasonBodySchema = z.object({ reason: z.string().max(10_000).optional() }).default({});

export const TaskStartSchema = z.object({ logs: z.array(z.string()).optional() }).default({});

export const TaskCompleteSchema = z
  .object({
    result: z.unknown().optional(),
    actual_cost: z.number().finite().nonnegative().optional(),
    logs: z.array(z.string().max(100_000)).max(10_000).optional(),
  })
  .default({});

export const TaskFailSchema = z
  .object({
    error_message: z.string().max(100_000).optional(),
    error: z.string().max(100_000).optional(),
    actual_cost: z.number().finite().nonnegative().optional(),
    logs: z.array(z.string().max(100_000)).max(10_000).optional(),
  })
  .default({});

export const TaskListQuerySchema = z.object({
  status: z.enum(TASK_STATUSES).optional(),
  text: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  offset: z.coerce.number().int().min(0).default(0),
  order: z.enum(['newest', 'oldest', 'cost']).default('newest'),
});
export type TaskListQuery = z.input<typeof TaskListQuerySchema>;

export interface TaskPage {
  total: number;
  tasks: Task[];
}
