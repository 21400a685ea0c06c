// The remote approver's HTTP API (docs/approver.md, contract): request bodies and the zod schemas that
// every answer must pass. A malformed answer is a failed call, never an approval.
import { z } from 'zod';
import { ConstraintSchema } from '../../shared/taskSchemas.js';

export interface ApproveRequest {
  task_id: string;
  task_type: string;
  description: string;
  estimated_cost: number;
  estimated_duration_ms: number | null;
  context: Record<string, unknown>;
  timestamp: string;
}

export const ApproveResponseSchema = z.object({
  approved: z.boolean(),
  reason: z.string().max(10_000).nullish().transform((r) => r ?? ''),
  constraints: z.array(ConstraintSchema).max(100).nullish().transform((c) => c ?? []),
  retry_after_seconds: z.number().finite().nonnegative().nullish().transform((r) => r ?? null),
});
export type ApproveResponse = z.output<typeof ApproveResponseSchema>;

export const AbortSignalResponseSchema = z.object({
  should_abort: z.boolean(),
  reason: z.string().max(10_000).nullish().transform((r) => r ?? ''),
});
export type AbortSignalResponse = z.output<typeof AbortSignalResponseSchema>;

export const REPORT_STATUSES = ['completed', 'failed', 'aborted'] as const;

export const ExecutionReportSchema = z.object({
  task_id: z.string().min(1).max(128),
  status: z.enum(REPORT_STATUSES),
  result: z.unknown().optional(),
  actual_cost: z.number().finite().nonnegative().nullable(),
  start_time: z.string().nullable(),
  end_time: z.string().nullable(),
  logs: z.array(z.string()),
  error_message: z.string().nullable(),
  duration_ms: z.number().finite().nonnegative().nullable(),
});
export type ExecutionReport = z.infer<typeof ExecutionReportSchema>;

export const ReportResponseSchema = z.object({
  success: z.boolean(),
  message: z.string().max(10_000).nullish().transform((m) => m ?? ''),
});

/** One report per task and final status: the approver can drop a repeat carrying the same key. */
export function reportIdempotencyKey(report: Pick<ExecutionReport, 'task_id' | 'status'>): string {
  return `${report.task_id}:${report.status}`;
}

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
export const REQUEST_ID_HEADER = 'X-Request-Id';

type ReportableTask = {
  task_id: string;
  status: string;
  result: unknown;
  actual_cost: number | null;
  start_time: string | null;
  end_time: string | null;
  logs: string[];
  error_message: string | null;
};

/** The report for a task that reached completed, failed or aborted; throws for any other status. */
export function reportFromTask(task: ReportableTask): ExecutionReport {
  if (!(REPORT_STATUSES as readonly string[]).includes(task.status)) {
    throw new Error(`no execution report for task ${task.task_id} in status ${task.status}: only ${REPORT_STATUSES.join(', ')} are reported`);
  }
  const start = task.start_time ? Date.parse(task.start_time) : NaN;
  const end = task.end_time ? Date.parse(task.end_time) : NaN;
  return {
    task_id: task.task_id,
    status: task.status as ExecutionReport['status'],
    result: task.result ?? null,
    actual_cost: task.actual_cost,
    start_time: task.start_time,
    end_time: task.end_time,
    logs: task.logs,
    error_message: task.error_message,
    duration_ms: Number.isFinite(start) && Number.isFinite(end) && end >= start ? end - start : null,
  };
}
