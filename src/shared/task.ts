// Task vocabulary shared by the engine, the clients and the console (docs/rest-api.md, contract).
// Types only, and the vocabulary re-exported from taskVocabulary.ts: the zod schemas live in
// taskSchemas.ts, so the CLI can name statuses without loading zod.
import type { z } from 'zod';
import type { ConstraintSchema, TaskListQuerySchema, TaskSubmitSchema } from './taskSchemas.js';
import type { ConstraintType, DecidedBy, Surface, TaskStatus } from './taskVocabulary.js';

export * from './taskVocabulary.js';

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

export type TaskSubmit = z.input<typeof TaskSubmitSchema>;
export type TaskListQuery = z.input<typeof TaskListQuerySchema>;

export interface TaskPage {
  total: number;
  tasks: Task[];
}
