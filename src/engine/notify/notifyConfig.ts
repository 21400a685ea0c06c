// The `notify` section of the config file: which events go to Slack and to generic JSON webhooks.
import { z } from 'zod';
import { httpUrl } from '../platform/httpUrlSchema.js';

export const NOTIFY_EVENTS = ['task.rejected', 'task.needs_approval', 'approver.fallback_entered', 'approver.fallback_left', 'alert.p0', 'alert.p1'] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

/** Delivery order, most urgent first: P0/P1 alerts are never dropped or delayed behind the others. */
export const NOTIFY_PRIORITY: Record<NotifyEvent, number> = {
  'alert.p0': 0,
  'alert.p1': 1,
  'approver.fallback_entered': 2,
  'task.needs_approval': 2,
  'approver.fallback_left': 3,
  'task.rejected': 3,
};


export const WebhookTargetSchema = z
  .object({
    url: httpUrl,
    events: z.array(z.enum(NOTIFY_EVENTS)).min(1),
    /** Extra headers, e.g. a shared secret the receiver checks. */
    headers: z.record(z.string(), z.string()).default({}),
  })
  .strict();

export const NotifyConfigSchema = z
  .object({
    slack_webhook_url: httpUrl.nullable().default(null),
    slack_events: z.array(z.enum(NOTIFY_EVENTS)).default([...NOTIFY_EVENTS]),
    webhooks: z.array(WebhookTargetSchema).max(50).default([]),
    /** Deliveries waiting (retries included); past it the oldest of the least urgent is dropped with a log line. */
    queue_size: z.number().int().min(1).max(100_000).default(1_000),
    /** An alert still open is sent again at most this often (0: only when it is first raised). */
    renotify_minutes: z.number().int().min(0).max(10_080).default(60),
    timeout_ms: z.number().int().min(50).max(120_000).default(5_000),
    concurrency: z.number().int().min(1).max(32).default(2),
    retry: z
      .object({
        max_attempts: z.number().int().min(1).max(20).default(5),
        initial_delay_ms: z.number().int().min(0).max(60_000).default(500),
        backoff_multiplier: z.number().finite().min(1).max(10).default(2),
        max_delay_ms: z.number().int().min(0).max(600_000).default(30_000),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});

export type NotifyConfig = z.output<typeof NotifyConfigSchema>;
export type NotifyConfigInput = z.input<typeof NotifyConfigSchema>;

/** APPROVAL_SLACK_WEBHOOK_URL overrides notify.slack_webhook_url; a bad URL is an error, not ignored. */
export function applyNotifyEnv(config: NotifyConfig, env: NodeJS.ProcessEnv = process.env): NotifyConfig {
  const raw = env.APPROVAL_SLACK_WEBHOOK_URL;
  if (raw === undefined || raw === '') return config;
  if (!httpUrl.safeParse(raw.trim()).success) {
    throw new Error(`APPROVAL_SLACK_WEBHOOK_URL=${JSON.stringify(raw)} is not allowed: use an http:// or https:// URL`);
  }
  return { ...config, slack_webhook_url: raw.trim() };
}

/**
 * The notify settings in force: the section, the legacy `approval.slack_webhook_url` when the section
 * has no Slack URL (the config check refuses the two set to different URLs), then the environment.
 */
export function effectiveNotifyConfig(config: NotifyConfig, legacySlackUrl: string | null, env: NodeJS.ProcessEnv = process.env): NotifyConfig {
  const merged = !config.slack_webhook_url && legacySlackUrl ? { ...config, slack_webhook_url: legacySlackUrl } : config;
  return applyNotifyEnv(merged, env);
}
