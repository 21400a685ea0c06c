// One short line for tmux's status-right (`gatehouse status --tmux`). Pure: no ink, no react.
import type { EngineStatus } from '../shared/status.js';
import { topSeverity } from './format.js';

/**
 * `gh 1 ask · 3 pending · 2 running · P1 alert`: words a newcomer reads without a legend. Zero counts are
 * left out so the line stays short; an approver that is not online, LOCKDOWN and an untrusted policy are
 * spelled out because they need a human; with nothing to say it reads `gh ok`.
 */
export function tmuxStatusLine(status: EngineStatus): string {
  const parts: string[] = [];
  const asks = status.prompts_pending;
  if (status.firewall.lockdown) parts.push('LOCKDOWN');
  if (asks > 0) parts.push(`${asks} ask`);
  if (status.approver.state === 'fallback' || status.approver.state === 'degraded') parts.push(`approver ${status.approver.state}`);
  if (status.queue.pending_approval > 0) parts.push(`${status.queue.pending_approval} pending`);
  if (status.queue.running > 0) parts.push(`${status.queue.running} running`);
  const top = topSeverity(status.alerts);
  if (top) parts.push(`${top} alert`);
  return `gh ${parts.length ? parts.join(' · ') : 'ok'}`;
}

/** What the status line says when the engine cannot be reached: visible, never blank. */
export function tmuxOfflineLine(): string {
  return 'gh ✗ engine down';
}

/**
 * The status line over a fleet: the summed status as for one engine, then the hosts that did not answer
 * (`gh 2 ask · 1 pending · 1 host down`); with no host answering, `gh ✗ 3 hosts down`.
 */
export function tmuxFleetLine(sum: EngineStatus | null, down: number): string {
  const hostsDown = `${down} host${down === 1 ? '' : 's'} down`;
  if (!sum) return `gh ✗ ${hostsDown}`;
  const line = tmuxStatusLine(sum);
  if (down === 0) return line;
  return line === 'gh ok' ? `gh ${hostsDown}` : `${line} · ${hostsDown}`;
}
