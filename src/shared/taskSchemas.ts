// zod schemas for task bodies at every door (REST, IPC, CLI); the types they imply are in task.ts.
import { z } from 'zod';
import { CONSTRAINT_TYPES, TASK_STATUSES } from './taskVocabulary.js';

export const ConstraintSchema = z.object({
  type: z.enum(CONSTRAINT_TYPES),
  value: z.number().finite().nonnegative(),
  reason: z.string().max(1000).nullish(),
});

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
  /** One status, or several (any of them): the console's `status:pending` means pending and pending_approval. */
  status: z.union([z.enum(TASK_STATUSES), z.array(z.enum(TASK_STATUSES)).min(1).max(TASK_STATUSES.length)]).optional(),
  text: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  offset: z.coerce.number().int().min(0).default(0),
  order: z.enum(['newest', 'oldest', 'cost']).default('newest'),
});

