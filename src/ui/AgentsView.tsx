// Agents known to the engine, their firewall decision counts and their connections through the egress proxy.
import React from 'react';
import type { Agent } from '../shared/agent.js';
import { clock } from './format.js';
import { Table, windowStart, type Column } from './Table.js';
import { useConsole, useTheme } from './hooks.js';

export function AgentsView(props: { width: number; height: number; compact: boolean }): React.ReactElement {
  const theme = useTheme();
  const agents = useConsole((s) => s.agents);
  const selId = useConsole((s) => s.selected.agents);
  const sel = Math.max(0, agents.findIndex((a) => a.name === selId));
  const columns: Column<Agent>[] = [
    { header: 'NAME', width: props.compact ? 12 : 20, value: (a) => a.name },
    { header: 'STATE', width: 5, value: (a) => a.state },
    ...(props.compact ? [] : [{ header: 'PID', width: 7, align: 'right' as const, value: (a: Agent) => (a.pid === null ? '—' : String(a.pid)) }, { header: 'PROFILE', width: 12, value: (a: Agent) => a.profile ?? '—' }, { header: 'LAST SEEN', width: 9, value: (a: Agent) => clock(a.last_seen) }]),
    { header: 'ALLOW/DENY/ASK', width: 15, value: (a) => `${a.decisions.allow}/${a.decisions.deny}/${a.decisions.ask}` },
    { header: 'NET OK/BLOCKED', value: (a) => (a.connections ? `${a.connections.allowed}/${a.connections.blocked}` : '—') },
  ];
  const h = Math.max(1, props.height - 1);
  const start = windowStart(sel, agents.length, h);
  return <Table columns={columns} rowColor={(a) => (a.state === 'alive' ? undefined : theme.text.secondary)} rows={agents.slice(start, start + h)} width={props.width} selected={sel - start} rowKey={(a) => a.name} empty="no agents registered" />;
}
