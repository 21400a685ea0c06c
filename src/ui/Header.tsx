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

/** The engine's uptime at `now`: from its start time, so the header ticks between status reads. */
export function uptimeAt(status: EngineStatus, now: number): string {
  const started = Date.parse(status.started_at);
  return uptime(Number.isFinite(started) ? Math.max(status.uptime_ms, now - started) : status.uptime_ms);
}

export interface HeaderState {
  status: EngineStatus | null;
  connected: boolean;
  /** Set while the socket is down and the client tries again. */
  reconnecting: { attempt: number } | null;
  demo: boolean;
  compact: boolean;
  now: number;
}

export function headerParts(h: HeaderState, theme: Theme): Part[] {
  const { status, connected, demo, compact } = h;
  const parts: Part[] = [{ text: compact ? 'gh' : 'gatehouse', bold: true }];
  if (demo || status?.demo) parts.push({ text: 'DEMO', color: theme.state.warn, bold: true });
  if (h.reconnecting) {
    parts.push({ text: compact ? '↻ reconnecting…' : `engine ✗ gone, reconnecting…${h.reconnecting.attempt > 0 ? ` (try ${h.reconnecting.attempt + 1})` : ''}`, color: theme.state.warn, bold: true });
    return parts;
  }
  if (!connected) {
    parts.push({ text: 'engine ✗ unreachable', color: theme.state.error, bold: true });
    return parts;
  }
  if (!status) {
    parts.push({ text: 'engine … connecting', color: theme.text.secondary });
    return parts;
  }
  const up = uptimeAt(status, h.now);
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
    parts.push({ text: money(status.cost_today_usd) });
  } else {
    // P3 is informational: the header shows what needs a human.
    for (const s of SEVERITIES.slice(0, 3)) {
      parts.push({ text: `${s === 'P0' ? 'alerts ' : ''}${s} ${status.alerts[s]}`, color: status.alerts[s] > 0 ? theme.severity[s] : theme.text.secondary });
    }
    parts.push({ text: `today ${money(status.cost_today_usd)} ${sparkline(status.cost_by_hour, 12)}`.trimEnd() });
  }
  if (status.crashed_last_run && !compact) parts.push({ text: 'recovered from crash', color: theme.state.warn });
  return parts;
}

export function Header(props: HeaderState): React.ReactElement {
  const theme = useTheme();
  const parts = headerParts(props, theme);
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
