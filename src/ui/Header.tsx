// The header line: engine, approver link, firewall, alerts by severity, cost today. Colour marks state only.
import React from 'react';
import { Text } from 'ink';
import { SEVERITIES } from '../shared/alert.js';
import type { EngineStatus } from '../shared/status.js';
import { money, sparkline, uptime } from './format.js';
import type { Color, Theme } from './theme.js';
import { useTheme } from './hooks.js';

interface Part {
  text: string;
  color?: Color;
  bold?: boolean;
}

const LINK_DOT = { online: '●', degraded: '◐', fallback: '○', off: '·' } as const;

export function headerParts(status: EngineStatus | null, connected: boolean, demo: boolean, compact: boolean, theme: Theme): Part[] {
  const parts: Part[] = [{ text: compact ? 'gh' : 'gatehouse', bold: true }];
  if (demo || status?.demo) parts.push({ text: 'DEMO', color: theme.state.warn, bold: true });
  if (!connected) {
    parts.push({ text: 'engine ✗ unreachable', color: theme.state.error, bold: true });
    return parts;
  }
  if (!status) {
    parts.push({ text: 'engine … connecting', color: theme.text.secondary });
    return parts;
  }
  const up = uptime(status.uptime_ms);
  parts.push({ text: compact ? `● ${up}` : `engine ● ${up}`, color: theme.state.ok });
  const link = status.approver.state;
  parts.push({ text: `${compact ? 'ap' : 'approver'} ${LINK_DOT[link]} ${link}`, color: theme.link[link] });
  if (status.firewall.lockdown) parts.push({ text: compact ? 'LOCKDOWN' : 'firewall LOCKDOWN', color: theme.state.error, bold: true });
  else {
    const trust = status.firewall.trusted ? (compact ? '✓' : '✓ trusted') : compact ? '✗' : '✗ untrusted';
    parts.push({ text: `${compact ? '' : 'firewall '}${status.firewall.mode} ${trust}`, color: status.firewall.trusted ? undefined : theme.state.warn });
  }
  if (compact) {
    const sev = SEVERITIES.filter((s) => status.alerts[s] > 0).slice(0, 2);
    for (const s of sev) parts.push({ text: `${s} ${status.alerts[s]}`, color: theme.severity[s] });
    parts.push({ text: budgetText(status) });
  } else {
    // P3 is informational: the header shows what needs a human.
    for (const s of SEVERITIES.slice(0, 3)) {
      parts.push({ text: `${s === 'P0' ? 'alerts ' : ''}${s} ${status.alerts[s]}`, color: status.alerts[s] > 0 ? theme.severity[s] : theme.text.secondary });
    }
    const b = status.budget;
    const near = b.daily_usd !== null && b.committed_today_usd >= 0.8 * b.daily_usd;
    parts.push({ text: `today ${budgetText(status)} ${sparkline(status.cost_by_hour, 12)}`.trimEnd(), ...(near ? { color: theme.state.warn } : {}) });
  }
  if (status.crashed_last_run && !compact) parts.push({ text: 'recovered from crash', color: theme.state.warn });
  return parts;
}

/** Spent today, or committed of the daily limit when there is one ("$3.10/$50.00"). */
function budgetText(status: EngineStatus): string {
  const b = status.budget;
  return b.daily_usd === null ? money(status.cost_today_usd) : `${money(b.committed_today_usd)}/${money(b.daily_usd)}`;
}

export function Header(props: { status: EngineStatus | null; connected: boolean; demo: boolean; compact: boolean }): React.ReactElement {
  const theme = useTheme();
  const parts = headerParts(props.status, props.connected, props.demo, props.compact, theme);
  return (
    <Text wrap="truncate-end">
      {' '}
      {parts.map((p, i) => (
        <Text key={i} color={p.color} bold={p.bold}>
          {p.text + (i < parts.length - 1 ? '  ' : '')}
        </Text>
      ))}
    </Text>
  );
}
