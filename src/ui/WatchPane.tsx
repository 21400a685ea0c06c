// The `gatehouse watch` pane: link state, pending asks, task counts, the latest alert. Read-only; q or
// ctrl-c ends it. Started by runWatch in watch.tsx.
import React, { useEffect, useState } from 'react';
import { Box, useApp, useInput } from 'ink';
import { Text } from './SafeText.js';
import type { EngineClient } from '../client/engineClient.js';
import type { Prompt } from '../shared/firewall.js';
import type { EngineStatus } from '../shared/status.js';
import { clock, countdown, fit, money, topSeverity, uptime } from './format.js';
import { useNow, useTerminalSize, useTheme } from './hooks.js';
import { promptSubject } from './PromptBanner.js';

export interface WatchData {
  status: EngineStatus | null;
  prompts: Prompt[];
  error: string | null;
  /** The socket dropped; the client is trying again. */
  reconnecting?: boolean;
}

/** Follows the engine: a re-read at most every `throttleMs` after events, and a poll every `pollMs`. */
function useWatchData(client: EngineClient, throttleMs: number, pollMs: number): WatchData {
  const [data, setData] = useState<WatchData>({ status: null, prompts: [], error: null });
  useEffect(() => {
    let alive = true;
    let timer: NodeJS.Timeout | null = null;
    let last = 0;
    const load = async () => {
      timer = null;
      last = Date.now();
      try {
        const [status, prompts] = await Promise.all([client.status(), client.prompts.list()]);
        if (alive) setData({ status, prompts: prompts.filter((p) => p.state === 'pending').sort((a, b) => (a.expires_at < b.expires_at ? -1 : 1)), error: null });
      } catch (err) {
        if (alive) setData((d) => ({ ...d, error: err instanceof Error ? err.message : String(err) }));
      }
    };
    const schedule = () => {
      if (timer || !alive) return;
      timer = setTimeout(() => void load(), Math.max(0, last + throttleMs - Date.now()));
    };
    // Every event (the `gap` after a reconnect included) schedules a re-read.
    const unsubscribe = client.subscribe(['tasks', 'prompts', 'alerts', 'engine', 'agents'], schedule);
    const offConnection = client.onConnection?.((c) => {
      if (!alive) return;
      setData((d) => ({ ...d, reconnecting: c.state === 'reconnecting' }));
      if (c.state === 'connected') schedule();
    });
    const poll = setInterval(schedule, pollMs);
    void load();
    return () => {
      alive = false;
      unsubscribe();
      offConnection?.();
      clearInterval(poll);
      if (timer) clearTimeout(timer);
    };
  }, [client, throttleMs, pollMs]);
  return data;
}

export function WatchPane(props: { data: WatchData; compact: boolean; now: number; width: number }): React.ReactElement {
  const theme = useTheme();
  const { status, prompts, error } = props.data;
  const w = Math.max(10, props.width - 1);
  const line = (text: string, color?: string, bold?: boolean) => (
    <Text color={color} bold={bold} wrap="truncate-end">
      {' ' + fit(text, w - 1)}
    </Text>
  );
  if (props.data.reconnecting && !status) return <Box flexDirection="column">{line('gatehouse ✗ engine gone, reconnecting…', theme.state.warn, true)}</Box>;
  if (error && !status) return <Box flexDirection="column">{line(`gatehouse ✗ engine unreachable: ${error}`, theme.state.error, true)}</Box>;
  if (!status) return <Box flexDirection="column">{line('gatehouse … connecting', theme.text.secondary)}</Box>;
  const link = status.approver.state;
  const dot = { online: '●', degraded: '◐', fallback: '○', off: '·' }[link];
  const fw = status.firewall.lockdown ? 'LOCKDOWN' : `${status.firewall.mode} ${status.firewall.trusted ? '✓' : '✗'}`;
  const top = topSeverity(status.alerts);
  const review = link === 'fallback' && status.approver.pending_review > 0 ? ` (${status.approver.pending_review} to review)` : '';
  const q = status.queue.by_status;
  const pending = q.pending + q.pending_approval;
  const first = prompts[0];
  const stale = props.data.reconnecting ? '  ✗ reconnecting…' : error ? '  ✗ stale' : '';
  return (
    <Box flexDirection="column">
      {line(`gatehouse ${dot} ${link}${review}  ${fw}${top ? `   ${top} ${status.alerts[top]}` : ''}${status.demo ? '  DEMO' : ''}${stale}`, status.firewall.lockdown || link === 'fallback' ? theme.state.error : undefined, true)}
      {first
        ? line(`▲ ${prompts.length} ask  ${first.task_id ?? first.agent} ${promptSubject(first)}`.slice(0, Math.max(0, w - 6)) + ` ${countdown(first.expires_at, props.now)}`, theme.state.warn, true)
        : line('no pending asks', theme.text.secondary)}
      {line(`⧗ ${pending} pending  ▶ ${q.running} running  ✓ ${q.completed} done${q.failed ? `  ✗ ${q.failed} failed` : ''}`)}
      {status.latest_alert
        ? line(`! ${status.latest_alert.severity} ${clock(status.latest_alert.ts).slice(0, 5)} ${status.latest_alert.message}`, theme.severity[status.latest_alert.severity])
        : line('no alerts', theme.text.secondary)}
      {props.compact ? null : (
        <>
          {line(`up ${uptime(status.uptime_ms)}  today ${money(status.cost_today_usd)}  agents ${status.agents_alive}  approved ${q.approved}  rejected ${q.rejected}  aborted ${q.aborted}`, theme.text.secondary)}
          {prompts.slice(1, 3).map((p) => (
            <React.Fragment key={p.id}>{line(`  ${countdown(p.expires_at, props.now)} ${p.agent} ${promptSubject(p)}`, theme.state.warn)}</React.Fragment>
          ))}
        </>
      )}
    </Box>
  );
}

export function WatchApp(props: { client: EngineClient; compact: boolean; throttleMs?: number; pollMs?: number }): React.ReactElement {
  const { exit } = useApp();
  const data = useWatchData(props.client, props.throttleMs ?? 150, props.pollMs ?? 2000);
  const now = useNow(1000, data.prompts.length > 0);
  const { columns } = useTerminalSize();
  useInput((input, key) => {
    if (input === 'q' || (key.ctrl && input === 'c')) exit();
  });
  return <WatchPane data={data} compact={props.compact} now={now} width={columns} />;
}
