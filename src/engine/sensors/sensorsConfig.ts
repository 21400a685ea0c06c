// The `sensors:` section of the config: whether the host sensors run, from which source, what they
// watch, and the rules they correlate with.
import { z } from 'zod';

export const SensorsConfigSchema = z
  .object({
    /** Off by default: with audit it installs kernel audit rules for the whole host. */
    enabled: z.boolean().default(false),
    /** auto: audit when auditd runs and gatehouse is root, else /proc polling. */
    source: z.enum(['auto', 'audit', 'proc']).default('auto'),
    /** The log auditd writes (auditd.conf's log_file). */
    audit_log: z.string().default('/var/log/audit/audit.log'),
    /** /proc sweep period (the /proc source; with audit, how often parents are learned). */
    poll_interval_ms: z.number().int().min(50).max(60_000).default(250),
    /** Extra files and directories whose reads and writes audit records (credentials, core files). */
    watch_paths: z.array(z.string().min(1).max(4096)).max(1000).default([]),
    /** A YAML file of correlation rules used instead of the shipped ones. */
    rules_file: z.string().optional(),
    /** Each agent's normal is learned for this long after it is first seen; then the new is scored. */
    learn_hours: z.number().positive().max(24 * 365).default(72),
    /** An agent whose score over the last hour reaches this raises a P2 anomaly alert (100 = never). */
    anomaly_alert_score: z.number().int().min(1).max(100).default(60),
  })
  .strict()
  .prefault({});

export type SensorsConfig = z.output<typeof SensorsConfigSchema>;
