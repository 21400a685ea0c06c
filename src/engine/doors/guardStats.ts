// IPC `guard.stats`: what the guard has watched and stopped, from the real sources: firewall decisions
// (counts per agent, the latest denials from the ledger), what the host sensors attributed to each agent,
// their alerts (sequences and anomalies), and each agent's health from its state, score and open alerts.
import type { Alert } from '../../shared/alert.js';
import { listAgents } from './agentsView.js';
import type { EngineSurface } from './engineSurface.js';

const MAX_DETAILS = 20;

export type AgentHealth = 'ok' | 'anomalous' | 'alerting' | 'gone' | 'unwatched';

export interface GuardStats {
  monitored_operations: {
    firewall_decisions: { allow: number; deny: number; ask: number };
    execs: number;
    files: number;
    connections: number;
    sensor_events: number;
    unattributed: number;
  };
  blocked_details: Array<{ at: string; agent: string; what: string; rule: string | null; reason: string | null }>;
  anomaly_alerts: Array<{ id: string; ts: string; severity: string; check: string; agent: string | null; message: string; acked: boolean }>;
  health: Array<{ agent: string; state: 'alive' | 'gone'; pid: number | null; health: AgentHealth; why: string; anomaly_score: number; open_alerts: number }>;
}

function agentOf(a: Alert): string | null {
  const v = (a.evidence as { agent?: unknown } | undefined)?.agent;
  return typeof v === 'string' ? v : null;
}

export function guardStats(engine: Pick<EngineSurface, 'agents' | 'sensors' | 'alerts' | 'ledger' | 'config'>): GuardStats {
  const agents = listAgents(engine);
  const sensors = engine.sensors.status();
  const sensorAlerts = engine.alerts.list({ limit: 1000 }).filter((a) => a.source === 'sensors');
  const ops = { firewall_decisions: { allow: 0, deny: 0, ask: 0 }, execs: 0, files: 0, connections: 0, sensor_events: sensors.events, unattributed: sensors.unattributed };
  for (const a of agents) {
    ops.firewall_decisions.allow += a.decisions.allow;
    ops.firewall_decisions.deny += a.decisions.deny;
    ops.firewall_decisions.ask += a.decisions.ask;
    ops.execs += a.activity?.execs ?? 0;
    ops.files += a.activity?.files ?? 0;
    ops.connections += a.activity?.connections ?? 0;
  }
  const blocked_details = engine.ledger
    .recent(1000)
    .filter((r) => r.action === 'firewall.decide' && r.detail.decision === 'deny')
    .slice(0, MAX_DETAILS)
    .map((r) => ({ at: r.ts, agent: r.actor, what: String(r.detail.command ?? r.detail.tool ?? ''), rule: (r.detail.rule as string | null) ?? null, reason: r.reason ?? null }));
  const anomaly_alerts = sensorAlerts.slice(0, MAX_DETAILS).map((a) => ({ id: a.id, ts: a.ts, severity: a.severity, check: a.check, agent: agentOf(a), message: a.message, acked: Boolean(a.acked_at) }));
  const threshold = engine.config.sensors.anomaly_alert_score;
  const health = agents.map((a) => {
    const open = sensorAlerts.filter((x) => !x.acked_at && agentOf(x) === a.name);
    const serious = open.filter((x) => x.severity === 'P0' || x.severity === 'P1');
    const score = a.activity?.anomaly_score ?? 0;
    let h: AgentHealth;
    let why: string;
    if (a.state === 'gone') [h, why] = ['gone', 'its process has exited or it was deregistered'];
    else if (serious.length) [h, why] = ['alerting', `${serious.length} open P0/P1 sensor alert(s): ${serious[0]!.check}`];
    else if (score >= threshold) [h, why] = ['anomalous', `anomaly score ${score} (alert at ${threshold})`];
    else if (!sensors.enabled) [h, why] = ['unwatched', 'the host sensors are off (sensors.enabled)'];
    else [h, why] = ['ok', open.length ? `${open.length} open lower sensor alert(s)` : 'nothing open'];
    return { agent: a.name, state: a.state, pid: a.pid, health: h, why, anomaly_score: score, open_alerts: open.length };
  });
  return { monitored_operations: ops, blocked_details, anomaly_alerts, health };
}
