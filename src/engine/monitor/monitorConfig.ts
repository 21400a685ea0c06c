// The `monitor:` section of the config, validated strictly: a typo in a security setting is an
// error naming the key, never a silent default.
import { z } from 'zod';

const WatchSpecSchema = z.strictObject({
  path: z.string().min(1),
  class: z.enum(['S0', 'S1']).default('S0'),
  profile: z.enum(['read-only', 'growing', 'dynamic', 'ignore']).default('read-only'),
});

export const MonitorConfigSchema = z.strictObject({
  /** Files or directories; a directory is watched recursively, every file in it at its class and profile. */
  core_files: z.array(WatchSpecSchema).default([]),
  /** Files watched at most under the listed directories; past it an alert says which directory. */
  max_watched_files: z.number().int().min(1).max(1_000_000).default(10_000),
  /** "HH:MM-HH:MM", may cross midnight; changes outside are P2. */
  work_hours: z.string().regex(/^\d{1,2}:\d{2}-\d{1,2}:\d{2}$/, 'use "HH:MM-HH:MM", e.g. "07:00-01:00"').optional(),
  time_zone: z.string().min(1).default('UTC'),
  scan_interval_seconds: z.number().int().min(10).max(86_400).default(300),
  debounce_ms: z.number().int().min(0).max(60_000).default(250),
  access_logs: z.array(z.strictObject({ path: z.string().min(1), format: z.enum(['combined', 'common', 'json']).default('combined') })).default([]),
  rate_limit_per_minute: z.number().int().min(1).max(1_000_000).default(100),
  unknown_route_burst: z.number().int().min(1).max(1_000_000).default(20),
  known_routes: z.array(z.string().min(1)).default([]),
  secrets: z.strictObject({
    paths: z.array(z.string().min(1)).default([]),
    max_file_bytes: z.number().int().min(1024).max(256 * 1024 * 1024).default(2 * 1024 * 1024),
  }).default({ paths: [], max_file_bytes: 2 * 1024 * 1024 }),
  keys: z.array(z.strictObject({ name: z.string().min(1), created: z.string().min(1) })).default([]),
  key_max_age_days: z.number().int().min(1).max(3650).default(90),
  rules: z.strictObject({
    /** Ed25519 public key (PEM, or 32 bytes base64/hex); without it every pack is refused. */
    public_key: z.string().optional(),
    packs: z.array(z.string().min(1)).default([]),
  }).default({ packs: [] }),
});

export type MonitorConfig = z.output<typeof MonitorConfigSchema>;

/** Parses `monitor:`; throws an error naming each bad key, its value and what is allowed. */
export function parseMonitorConfig(raw: unknown, source = 'config'): MonitorConfig {
  const r = MonitorConfigSchema.safeParse(raw ?? {});
  if (r.success) return r.data;
  const msgs = r.error.issues.map((i) => `${source}: monitor.${i.path.join('.')}: ${i.message}`);
  throw new Error(msgs.join('\n'));
}
