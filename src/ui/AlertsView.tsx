// Live alerts, unacknowledged and most severe first.
import React from 'react';
import { Box } from 'ink';
import { Text } from './SafeText.js';
import { SEVERITIES, type Alert } from '../shared/alert.js';
import { clock, hostCell, HOST_WIDTH } from './format.js';
import { Table, windowStart, type Column } from './Table.js';
import { useConsole, useTheme } from './hooks.js';
import { sortAlerts } from './consoleState.js';

export function AlertsView(props: { width: number; height: number; compact: boolean }): React.ReactElement {
  const theme = useTheme();
  // Select stable references; derive the sorted list here (a selector must not build new arrays).
  const raw = useConsole((s) => s.alerts);
  const selId = useConsole((s) => s.selected.alerts);
  const hosts = useConsole((s) => s.hosts);
  const down = (hosts ?? []).filter((h) => h.state !== 'connected').map((h) => h.name);
  const items = sortAlerts(raw);
  const sel = Math.max(0, items.findIndex((a) => a.id === selId));
  const counts = SEVERITIES.map((sev) => `${sev} ${items.filter((a) => a.severity === sev && !a.acked_by).length}`).join('  ');
  const columns: Column<Alert>[] = [
    ...(hosts ? [{ header: 'HOST', width: props.compact ? 6 : HOST_WIDTH, value: hostCell }] : []),
    { header: 'SEV', width: 3, value: (a) => a.severity },
    { header: 'TIME', width: 8, value: (a) => clock(a.ts) },
    ...(props.compact ? [] : [{ header: 'SOURCE', width: 10, value: (a: Alert) => a.source }, { header: 'CHECK', width: 18, value: (a: Alert) => a.check }]),
    { header: 'ACK', width: props.compact ? 3 : 12, value: (a) => (a.acked_by ? (props.compact ? '✓' : `✓ ${a.acked_by}`) : '') },
    { header: 'MESSAGE', value: (a) => `${a.message}${a.count && a.count > 1 ? ` (×${a.count})` : ''}${a.path ? ` ${a.path}` : ''}` },
  ];
  const h = Math.max(1, props.height - 2);
  const start = windowStart(sel, items.length, h);
  return (
    <Box flexDirection="column">
      <Text color={theme.text.secondary}>{` unacknowledged  ${counts}`}{down.length ? <Text color={theme.state.error} bold>{`  ${down.join(', ')} down: not shown`}</Text> : null}</Text>
      <Table columns={columns} rowColor={(a) => (a.acked_by ? theme.text.secondary : theme.severity[a.severity])} rows={items.slice(start, start + h)} width={props.width} selected={sel - start} rowKey={(a) => a.id} empty="no alerts" />
    </Box>
  );
}
