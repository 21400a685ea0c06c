// Agents known to the engine, their firewall decision counts, their connections through the egress proxy
// and what the host sensors saw their processes do (execs, files, connections, blocked, anomaly score and
// a one-line sparkline of their recent activity).
import React from 'react';
import type { Agent } from '../shared/agent.js';
import { clock } from './format.js';
import { Table, columnWidths, windowStart, type Column } from './Table.js';
import { useConsole, useTheme } from './hooks.js';

const BARS = '▁▂▃▄▅▆▇█';

/** A one-line sparkline: each period's count as a bar scaled to the busiest period, a blank for none. */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values.map((v) => (v <= 0 || max === 0 ? ' ' : BARS[Math.min(BARS.length - 1, Math.floor(((v - 1) / Math.max(1, max - 1)) * (BARS.length - 1)))])).join('');
}

function count(n: number | undefined): string {
  return n === undefined ? '—' : String(n);
}

export function AgentsView(props: { width: number; height: number; compact: boolean }): React.ReactElement {
  const theme = useTheme();
  const agents = useConsole((s) => s.agents);
  const selId = useConsole((s) => s.selected.agents);
  const sel = Math.max(0, agents.findIndex((a) => a.name === selId));
  const columns: Column<Agent>[] = [
    { header: 'NAME', width: props.compact ? 12 : 20, value: (a) => a.name },
    { header: 'STATE', width: 5, value: (a) => a.state },
    // PID, profile and last seen make room for the sensor columns below 150 columns.
    ...(props.compact || props.width < 150 ? [] : [{ header: 'PID', width: 7, align: 'right' as const, value: (a: Agent) => (a.pid === null ? '—' : String(a.pid)) }, { header: 'PROFILE', width: 12, value: (a: Agent) => a.profile ?? '—' }, { header: 'LAST SEEN', width: 9, value: (a: Agent) => clock(a.last_seen) }]),
    { header: 'ALLOW/DENY/ASK', width: 15, value: (a) => `${a.decisions.allow}/${a.decisions.deny}/${a.decisions.ask}` },
    ...(props.compact || props.width < 130 ? [] : [{ header: 'NET OK/BLOCKED', width: 14, value: (a: Agent) => (a.connections ? `${a.connections.allowed}/${a.connections.blocked}` : '—') }]),
    { header: 'EXECS', width: 6, align: 'right', value: (a) => count(a.activity?.execs) },
    { header: 'FILES', width: 6, align: 'right', value: (a) => count(a.activity?.files) },
    { header: 'CONNS', width: 6, align: 'right', value: (a) => count(a.activity?.connections) },
    { header: 'BLOCKED', width: 7, align: 'right', value: (a) => count(a.activity?.blocked) },
    { header: 'ANOM', width: 4, align: 'right', value: (a) => count(a.activity?.anomaly_score) },
    // The newest periods that fit the column's width.
    { header: 'ACTIVITY', value: (a) => (a.activity?.history ? sparkline(a.activity.history.slice(-sparkWidth)) : '—') },
  ];
  const sparkWidth = Math.max(1, columnWidths(columns, props.width).at(-1)!);
  const h = Math.max(1, props.height - 1);
  const start = windowStart(sel, agents.length, h);
  return <Table columns={columns} rowColor={(a) => (a.state === 'alive' ? undefined : theme.text.secondary)} rows={agents.slice(start, start + h)} width={props.width} selected={sel - start} rowKey={(a) => a.name} empty="no agents registered" />;
}
