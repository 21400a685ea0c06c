// The engine's summary of itself, as `status`, the console header and /metrics see it.
import type { Severity } from './alert.js';
import type { ApproverLinkState } from './events.js';
import type { QueueStatus } from './task.js';

export interface EngineStatus {
  version: string;
  pid: number;
  started_at: string;
  uptime_ms: number;
  state_dir: string;
  demo: boolean;
  api: { host: string; port: number } | null;
  approver: { state: ApproverLinkState; url: string | null; pending_review: number };
  firewall: { mode: 'deny' | 'ask' | 'allowlist'; trusted: boolean; lockdown: boolean; policy_hash: string | null; lockdown_reason: string | null };
  /** Unacknowledged alerts by severity. */
  alerts: Record<Severity, number>;
  latest_alert: { severity: Severity; ts: string; message: string } | null;
  queue: QueueStatus;
  cost_today_usd: number;
  /** Cost per hour for the last 24 hours, oldest first (for the sparkline). */
  cost_by_hour: number[];
  prompts_pending: number;
  agents_alive: number;
  crashed_last_run: boolean;
  /** Outbound notifications since the start: queued, sent, failed, dropped, suppressed repeats, pending now. */
  /** The daily budget: its limit (null: none), what today's tasks have committed (spent + reserved), and the zone "today" is in. */
  budget: { daily_usd: number | null; committed_today_usd: number; spent_today_usd: number; time_zone: string };
  notify: { queued: number; sent: number; failed: number; dropped: number; suppressed: number; pending: number };
  /** The host sensors: which source runs and why, events seen, events no agent owned, alerts raised. */
  sensors?: { enabled: boolean; source: 'audit' | 'proc' | null; reason: string | null; events: number; unattributed: number; alerts: number };
  /** Containment sessions open and connections through the egress proxy since start (docs/containment.md). */
  contain?: {
    sessions: number;
    connections: { allowed: number; blocked: number };
    /** The warm network namespaces: the pool's size (0 when off, and why), spares ready, slots in use. */
    warm_network?: { size: number; ready: number; in_use: number; off: string | null; mode?: 'root' | 'userns' | null };
  };
}
