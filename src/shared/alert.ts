// Alert vocabulary (docs/rest-api.md, Approver and security; contract).
import { z } from 'zod';

export const SEVERITIES = ['P0', 'P1', 'P2', 'P3'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const ALERT_SOURCES = [
  'integrity',
  'anomaly',
  'api_audit',
  'secrets',
  'permissions',
  'network',
  'firewall',
  'approver',
  'engine',
  'mcp',
  'sensors',
] as const;
export type AlertSource = (typeof ALERT_SOURCES)[number];

export interface Alert {
  id: string;
  ts: string;
  severity: Severity;
  source: AlertSource;
  check: string;
  message: string;
  path?: string;
  ip?: string;
  /** Never a raw secret: hashes and masked excerpts only. */
  evidence?: Record<string, unknown>;
  /** How many times the same finding repeated since it was raised (aggregation). */
  count?: number;
  acked_by?: string;
  acked_at?: string;
}

/** What a detector hands to the engine; the engine assigns id and ts. */
export type AlertInput = Omit<Alert, 'id' | 'ts' | 'acked_by' | 'acked_at' | 'count'>;

/** An alert raised by a client (the MCP proxy, a watcher): validated at the door like every body. */
export const AlertInputSchema = z.object({
  severity: z.enum(SEVERITIES),
  source: z.enum(ALERT_SOURCES),
  check: z.string().min(1).max(100),
  message: z.string().min(1).max(4000),
  path: z.string().max(4096).optional(),
  ip: z.string().max(100).optional(),
  evidence: z.record(z.string(), z.unknown()).optional(),
});

export const AlertQuerySchema = z.object({
  since: z.string().max(64).optional(),
  severity: z.enum(SEVERITIES).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  unacked: z.coerce.boolean().optional(),
});
export type AlertQuery = z.input<typeof AlertQuerySchema>;

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}
