// The `notify` section of the config file: which events go to Slack and to generic JSON webhooks.
import { z } from 'zod';
import { httpUrl } from '../platform/httpUrlSchema.js';

export const NOTIFY_EVENTS = ['task.rejected', 'approver.fallback_entered', 'approver.fallback_left', 'alert.p0', 'alert.p1'] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];


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
    /** Deliveries waiting (retries included); past it new ones are dropped with a log line. */
    queue_size: z.number().int().min(1).max(100_000).default(1_000),
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
