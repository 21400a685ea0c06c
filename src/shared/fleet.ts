// What a console or command over several engines sees (docs/fleet.md): each item carries the name of the
// host it came from, each host its connection and its last status, and the fleet's status is the sum.
// Pure: no I/O.
import { SEVERITIES } from './alert.js';
import type { EngineStatus } from './status.js';

/** An item (ask, task, alert, agent, ledger record) from a fleet: `host` names the engine that owns it. */
export type Hosted<T> = T & { host?: string };

/** The host an item came from, when it came from a fleet. */
export function hostOf(item: object): string | undefined {
  const h = (item as { host?: unknown }).host;
  return typeof h === 'string' ? h : undefined;
}

/** One engine of the fleet as a console shows it: reachable or not (and since when, and why), and its counts. */
export interface HostState {
  name: string;
  url: string;
  state: 'connected' | 'reconnecting';
  /** Failed reconnect tries since it went down. */
  attempt: number;
  since: number;
  error?: string;
  /** The last status read while it was up (null before the first). */
  status: EngineStatus | null;
}

const LINK_RANK = { online: 0, off: 0, degraded: 1, fallback: 2 } as const;

/**
 * The fleet's status as one engine's: counts, costs and alerts summed; the firewall in lockdown when any
 * host is, trusted only when every host is; the approver link the worst of them. Null when none answered.
 */
export function sumStatus(statuses: readonly EngineStatus[]): EngineStatus | null {
  const first = statuses[0];
  if (!first) return null;
  const sum = (f: (s: EngineStatus) => number) => statuses.reduce((n, s) => n + f(s), 0);
  const worst = statuses.reduce((a, b) => (LINK_RANK[b.approver.state] > LINK_RANK[a.approver.state] ? b : a));
  const locked = statuses.find((s) => s.firewall.lockdown);
  const alerts = Object.fromEntries(SEVERITIES.map((sev) => [sev, sum((s) => s.alerts[sev])])) as EngineStatus['alerts'];
  const latest = statuses.map((s) => s.latest_alert).filter((a) => a !== null).sort((a, b) => (a.ts < b.ts ? 1 : -1))[0] ?? null;
  const byStatus = { ...first.queue.by_status };
  for (const s of statuses.slice(1)) for (const [k, v] of Object.entries(s.queue.by_status)) byStatus[k as keyof typeof byStatus] = (byStatus[k as keyof typeof byStatus] ?? 0) + v;
  const hours = Math.max(...statuses.map((s) => s.cost_by_hour.length));
  const limits = statuses.map((s) => s.budget.daily_usd);
  return {
    ...first,
    uptime_ms: Math.min(...statuses.map((s) => s.uptime_ms)),
    started_at: statuses.map((s) => s.started_at).sort().at(-1)!,
    demo: statuses.some((s) => s.demo),
    approver: { ...worst.approver, pending_review: sum((s) => s.approver.pending_review) },
    firewall: locked ? locked.firewall : { ...first.firewall, trusted: statuses.every((s) => s.firewall.trusted) },
    alerts,
    latest_alert: latest,
    queue: {
      ...first.queue,
      total_tasks: sum((s) => s.queue.total_tasks),
      by_status: byStatus,
      total_cost_usd: sum((s) => s.queue.total_cost_usd),
      total_execution_time_ms: sum((s) => s.queue.total_execution_time_ms),
      pending_approval: sum((s) => s.queue.pending_approval),
      running: sum((s) => s.queue.running),
    },
    cost_today_usd: sum((s) => s.cost_today_usd),
    cost_by_hour: Array.from({ length: hours }, (_, i) => sum((s) => s.cost_by_hour[s.cost_by_hour.length - hours + i] ?? 0)),
    prompts_pending: sum((s) => s.prompts_pending),
    agents_alive: sum((s) => s.agents_alive),
    crashed_last_run: statuses.some((s) => s.crashed_last_run),
    budget: {
      ...first.budget,
      daily_usd: limits.every((l) => l !== null) ? limits.reduce((a, b) => a! + b!, 0) : null,
      committed_today_usd: sum((s) => s.budget.committed_today_usd),
      spent_today_usd: sum((s) => s.budget.spent_today_usd),
    },
    notify: {
      queued: sum((s) => s.notify.queued),
      sent: sum((s) => s.notify.sent),
      failed: sum((s) => s.notify.failed),
      dropped: sum((s) => s.notify.dropped),
      suppressed: sum((s) => s.notify.suppressed),
      pending: sum((s) => s.notify.pending),
    },
  };
}
