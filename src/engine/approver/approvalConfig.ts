// The `approval` section of the config file (issue 5) and the APPROVAL_* environment overrides.
// Keys keep the names gateway operators already use; every bad value is an error that names the key
// or variable, the value and what is allowed; nothing silently falls back to something looser.
import { z } from 'zod';
import { httpUrl } from '../platform/httpUrlSchema.js';

const money = z.number().finite().nonnegative();


export const RetryPolicySchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Attempts per call, the first one included. */
    max_attempts: z.number().int().min(1).max(10).default(3),
    backoff_multiplier: z.number().finite().min(1).max(10).default(2),
    initial_delay_ms: z.number().int().min(0).max(60_000).default(200),
    max_delay_ms: z.number().int().min(0).max(300_000).default(5_000),
  })
  .strict()
  .prefault({});

export const FallbackLimitsSchema = z
  .object({
    /** Strict fallback never approves a task estimated above this. */
    max_cost_usd: money.default(5),
    max_time_ms: z.number().int().positive().default(5 * 60_000),
    resource_factor: z.number().finite().positive().max(1).default(0.5),
  })
  .strict()
  .prefault({});

export const ApprovalConfigSchema = z
  .object({
    enabled: z.boolean().default(false),
    assistant_url: httpUrl.nullable().default(null),
    /** Sent as a bearer token; never logged. */
    api_key: z.string().nullable().default(null),
    timeout_ms: z.number().int().min(50).max(600_000).default(5_000),
    fallback_strict: z.boolean().default(true),
    retry_policy: RetryPolicySchema,
    cost_limits: z
      .object({
        per_task: z
          .object({ chat: money.default(1), workflow: money.default(5), batch: money.default(10) })
          .catchall(money)
          .prefault({}),
      })
      .strict()
      .prefault({}),
    health_interval_ms: z.number().int().min(50).max(3_600_000).default(10_000),
    abort_poll_interval_ms: z.number().int().min(50).max(3_600_000).default(5_000),
    /** Consecutive failed calls (degraded counts on) before decisions become local. */
    fallback_after_failures: z.number().int().min(1).max(100).default(3),
    /** Consecutive healthy checks in fallback before the link is online again. */
    recover_after_successes: z.number().int().min(1).max(100).default(1),
    fallback: FallbackLimitsSchema,
    slack_webhook_url: httpUrl.nullable().default(null),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.enabled && !c.assistant_url) {
      ctx.addIssue({ code: 'custom', path: ['assistant_url'], message: 'required when approval.enabled is true (or set APPROVAL_SYSTEM_URL)' });
    }
  })
  .prefault({});

export type ApprovalConfig = z.output<typeof ApprovalConfigSchema>;
export type ApprovalConfigInput = z.input<typeof ApprovalConfigSchema>;

export class ApprovalEnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid approval environment: ${problems.join('; ')}`);
    this.name = 'ApprovalEnvError';
  }
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

function envBool(name: string, raw: string, problems: string[]): boolean | undefined {
  const v = raw.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  problems.push(`${name}=${JSON.stringify(raw)} is not allowed: use true or false (also 1/0, yes/no, on/off)`);
  return undefined;
}

function envInt(name: string, raw: string, min: number, max: number, problems: string[]): number | undefined {
  const v = raw.trim();
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    problems.push(`${name}=${JSON.stringify(raw)} is not allowed: use a whole number from ${min} to ${max}`);
    return undefined;
  }
  return Number(v);
}

function envUrl(name: string, raw: string, problems: string[]): string | undefined {
  if (httpUrl.safeParse(raw.trim()).success) return raw.trim();
  problems.push(`${name}=${JSON.stringify(raw)} is not allowed: use an http:// or https:// URL`);
  return undefined;
}

/**
 * Applies the APPROVAL_* variables over a validated config. APPROVAL_SYSTEM_URL also enables the
 * link. APPROVAL_TIMEOUT is in milliseconds; APPROVAL_MAX_RETRIES sets retry_policy.max_attempts.
 * Throws ApprovalEnvError listing every bad variable (the key's value is never echoed).
 */
export function applyApprovalEnv(config: ApprovalConfig, env: NodeJS.ProcessEnv = process.env): ApprovalConfig {
  const problems: string[] = [];
  const out: ApprovalConfig = {
    ...config,
    retry_policy: { ...config.retry_policy },
    cost_limits: { per_task: { ...config.cost_limits.per_task } },
    fallback: { ...config.fallback },
  };
  const get = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v === '' ? undefined : v;
  };
  let raw: string | undefined;
  if ((raw = get('APPROVAL_SYSTEM_URL')) !== undefined) {
    const url = envUrl('APPROVAL_SYSTEM_URL', raw, problems);
    if (url) {
      out.assistant_url = url;
      out.enabled = true;
    }
  }
  if ((raw = get('APPROVAL_API_KEY')) !== undefined) {
    if (/\s/.test(raw)) problems.push('APPROVAL_API_KEY contains whitespace: a bearer token must be one word (value not shown)');
    else out.api_key = raw;
  }
  if ((raw = get('APPROVAL_TIMEOUT')) !== undefined) {
    const n = envInt('APPROVAL_TIMEOUT', raw, 50, 600_000, problems);
    if (n !== undefined) out.timeout_ms = n;
  }
  if ((raw = get('APPROVAL_FALLBACK_STRICT')) !== undefined) {
    const b = envBool('APPROVAL_FALLBACK_STRICT', raw, problems);
    if (b !== undefined) out.fallback_strict = b;
  }
  if ((raw = get('APPROVAL_ENABLE_RETRIES')) !== undefined) {
    const b = envBool('APPROVAL_ENABLE_RETRIES', raw, problems);
    if (b !== undefined) out.retry_policy.enabled = b;
  }
  if ((raw = get('APPROVAL_MAX_RETRIES')) !== undefined) {
    const n = envInt('APPROVAL_MAX_RETRIES', raw, 1, 10, problems);
    if (n !== undefined) out.retry_policy.max_attempts = n;
  }
  if ((raw = get('APPROVAL_SLACK_WEBHOOK_URL')) !== undefined) {
    const url = envUrl('APPROVAL_SLACK_WEBHOOK_URL', raw, problems);
    if (url) out.slack_webhook_url = url;
  }
  if (problems.length) throw new ApprovalEnvError(problems);
  return out;
}

/** Parses a raw `approval` section and applies the environment: the one call the config loader needs. */
export function loadApprovalConfig(section: unknown, env: NodeJS.ProcessEnv = process.env): ApprovalConfig {
  return applyApprovalEnv(ApprovalConfigSchema.parse(section ?? {}), env);
}
