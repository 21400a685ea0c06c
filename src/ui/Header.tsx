// The header line: engine, approver link, firewall, alerts by severity, cost today. Colour marks state only.
import React from 'react';
import { Text } from './SafeText.js';
import { SEVERITIES } from '../shared/alert.js';
import type { HostState } from '../shared/fleet.js';
import type { EngineStatus } from '../shared/status.js';
import { money, sparkline, uptime } from './format.js';
import type { Color, Theme } from './theme.js';
import { useTheme } from './hooks.js';

interface Part {
  text: string;
  color?: Color;
  bold?: boolean;
  /** Left out first when the line is wider than the terminal (higher goes first). */
  spare?: number;
}

/** Drops the parts an operator can spare, most sparable first, until the line fits `width`. */
export function fitParts(parts: Part[], width: number): Part[] {
  const len = (ps: Part[]) => ps.reduce((n, p) => n + Array.from(p.text).length + 2, 1);
  let out = parts;
  while (len(out) > width) {
    const spare = out.filter((p) => p.spare !== undefined);
    if (spare.length === 0) break;
    const worst = spare.reduce((a, b) => ((b.spare ?? 0) > (a.spare ?? 0) ? b : a));
    out = out.filter((p) => p !== worst);
  }
  return out;
}

const LINK_DOT = { online: '●', degraded: '◐', fallback: '○', off: '·' } as const;

/** The engine's uptime at `now`: from its start time, so the header ticks between status reads. */
export function uptimeAt(status: EngineStatus, now: number): string {
  const started = Date.parse(status.started_at);
  return uptime(Number.isFinite(started) ? Math.max(status.uptime_ms, now - started) : status.uptime_ms);
}

export interface HeaderState {
  status: EngineStatus | null;
  /** Over several engines: each host, up or down (the status is then their sum). */
  hosts?: HostState[] | null;
  connected: boolean;
  /** Set while the socket is down and the client tries again. */
  reconnecting: { attempt: number } | null;
  /** Terminal columns: parts an operator can spare are left out to fit. */
  width?: number;
  demo: boolean;
  compact: boolean;
  now: number;
}

/**
 * One part per host of a fleet: its asks, tasks waiting and worst open alert (`gw1 ● 2 ask P1 1`), or
 * that it is down and being retried (`gw2 ✗ down (try 3)`). A host that is down is never left out for
 * width: its silence must not read as "nothing pending".
 */
export function hostParts(hosts: readonly HostState[], compact: boolean, theme: Theme): Part[] {
  return hosts.map((h): Part => {
    if (h.state !== 'connected') return { text: `${h.name} ✗ down${h.attempt > 1 ? ` (try ${h.attempt})` : ''}`, color: theme.state.error, bold: true };
    const st = h.status;
    if (!st) return { text: `${h.name} …`, color: theme.text.secondary, spare: 4 };
    const top = SEVERITIES.slice(0, 3).find((sev) => st.alerts[sev] > 0);
    const bits = [st.prompts_pending ? `${st.prompts_pending} ask` : '', !compact && st.queue.pending_approval ? `${st.queue.pending_approval} pending` : '', top ? `${top} ${st.alerts[top]}` : ''].filter(Boolean);
    if (bits.length === 0) return { text: `${h.name} ● ok`, color: theme.state.ok, spare: 4 };
    return { text: `${h.name} ● ${bits.join(' ')}`, color: top ? theme.severity[top] : theme.state.warn, bold: st.prompts_pending > 0 };
  });
}

export function headerParts(h: HeaderState, theme: Theme): Part[] {
  const { status, connected, demo, compact } = h;
  const parts: Part[] = [{ text: compact ? 'gh' : 'gatehouse', bold: true }];
  const fleet = h.hosts ? hostParts(h.hosts, compact, theme) : null;
  if (demo || status?.demo) parts.push({ text: 'DEMO', color: theme.state.warn, bold: true });
  if (h.reconnecting) {
    if (fleet) parts.push({ text: `fleet ✗ every host down, reconnecting…`, color: theme.state.error, bold: true }, ...fleet);
    else parts.push({ text: compact ? '↻ reconnecting…' : `engine ✗ gone, reconnecting…${h.reconnecting.attempt > 0 ? ` (try ${h.reconnecting.attempt + 1})` : ''}`, color: theme.state.warn, bold: true });
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
  if (fleet && h.hosts) {
    const live = h.hosts.filter((x) => x.state === 'connected').length;
    parts.push({ text: `fleet ${live}/${h.hosts.length} up`, color: live === h.hosts.length ? theme.state.ok : theme.state.error, bold: live < h.hosts.length }, ...fleet);
  } else parts.push({ text: compact ? `● ${up}` : `engine ● ${up}`, color: theme.state.ok });
  const link = status.approver.state;
  // An approver that needs no one (online, or none configured) is the last thing a narrow header keeps.
  const calm = link === 'online' || link === 'off';
  parts.push({ text: `${compact ? 'ap' : 'approver'} ${LINK_DOT[link]} ${link}`, color: theme.link[link], ...(calm ? { spare: 0.5 } : {}) });
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
      // A zero count is what goes first on a narrow terminal; a non-zero one stays.
      const spare = status.alerts[s] > 0 ? undefined : s === 'P2' ? 3 : s === 'P1' ? 2 : 1;
      parts.push({ text: `${s === 'P0' ? 'alerts ' : ''}${s} ${status.alerts[s]}`, color: status.alerts[s] > 0 ? theme.severity[s] : theme.text.secondary, ...(spare ? { spare } : {}) });
    }
    const b = status.budget;
    const near = b.daily_usd !== null && b.committed_today_usd >= 0.8 * b.daily_usd;
    parts.push({ text: `today ${budgetText(status)}`, ...(near ? { color: theme.state.warn } : {}) });
    const spark = sparkline(status.cost_by_hour, 12);
    if (spark) parts.push({ text: spark, spare: 5 });
  }
  if (status.crashed_last_run && !compact) parts.push({ text: 'recovered from crash', color: theme.state.warn });
  return parts;
}

/** Spent today, or committed of the daily limit when there is one ("$3.10/$50.00"). */
function budgetText(status: EngineStatus): string {
  const b = status.budget;
  return b.daily_usd === null ? money(status.cost_today_usd) : `${money(b.committed_today_usd)}/${money(b.daily_usd)}`;
}

export function Header(props: HeaderState): React.ReactElement {
  const theme = useTheme();
  const parts = fitParts(headerParts(props, theme), props.width ?? Infinity);
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
