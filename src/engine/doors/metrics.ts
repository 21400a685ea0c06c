// GET /metrics in the Prometheus text format, rendered from the engine's status.
import type { EngineStatus } from '../../shared/status.js';

function line(name: string, value: number, labels?: Record<string, string>): string {
  const l = labels ? `{${Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`).join(',')}}` : '';
  return `${name}${l} ${Number.isFinite(value) ? value : 0}`;
}

export function renderMetrics(s: EngineStatus): string {
  const out: string[] = [];
  const gauge = (name: string, help: string, rows: string[]) => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, ...rows);
  gauge('gatehouse_up', 'Whether the engine is up', [line('gatehouse_up', 1)]);
  gauge('gatehouse_uptime_seconds', 'Seconds since the engine started', [line('gatehouse_uptime_seconds', Math.round(s.uptime_ms / 1000))]);
  gauge('gatehouse_tasks', 'Tasks by status', Object.entries(s.queue.by_status).map(([status, n]) => line('gatehouse_tasks', n, { status })));
  gauge('gatehouse_cost_usd_total', 'Actual cost of ended tasks', [line('gatehouse_cost_usd_total', s.queue.total_cost_usd)]);
  gauge('gatehouse_cost_today_usd', 'Actual cost today', [line('gatehouse_cost_today_usd', s.cost_today_usd)]);
  gauge('gatehouse_alerts_open', 'Unacknowledged alerts by severity', Object.entries(s.alerts).map(([severity, n]) => line('gatehouse_alerts_open', n, { severity })));
  gauge(
    'gatehouse_approver_link',
    'Approver link state (1 for the current state)',
    (['off', 'online', 'degraded', 'fallback'] as const).map((state) => line('gatehouse_approver_link', s.approver.state === state ? 1 : 0, { state })),
  );
  gauge('gatehouse_firewall_lockdown', 'Whether the firewall is in lockdown', [line('gatehouse_firewall_lockdown', s.firewall.lockdown ? 1 : 0)]);
  gauge('gatehouse_prompts_pending', 'Firewall prompts waiting for an answer', [line('gatehouse_prompts_pending', s.prompts_pending)]);
  gauge('gatehouse_agents_alive', 'Registered agents whose process is alive', [line('gatehouse_agents_alive', s.agents_alive)]);
  gauge('gatehouse_notifications', 'Outbound notifications since the start, by outcome (pending: waiting now)', (['queued', 'sent', 'failed', 'dropped', 'suppressed', 'pending'] as const).map((outcome) => line('gatehouse_notifications', s.notify[outcome], { outcome })));
  gauge('gatehouse_budget_daily_usd', 'The daily budget limit (-1: none)', [line('gatehouse_budget_daily_usd', s.budget.daily_usd ?? -1)]);
  gauge('gatehouse_budget_committed_today_usd', 'Spent plus reserved today, in budget.time_zone', [line('gatehouse_budget_committed_today_usd', s.budget.committed_today_usd)]);
  if (s.contain) {
    gauge('gatehouse_network_connections', 'Connections through the egress proxy since start, by decision', [
      line('gatehouse_network_connections', s.contain.connections.allowed, { decision: 'allowed' }),
      line('gatehouse_network_connections', s.contain.connections.blocked, { decision: 'blocked' }),
    ]);
    gauge('gatehouse_sandbox_sessions', 'Sandboxed runs open', [line('gatehouse_sandbox_sessions', s.contain.sessions)]);
  }
  return `${out.join('\n')}\n`;
}
