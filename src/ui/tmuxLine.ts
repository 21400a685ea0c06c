// One short line for tmux's status-right (`gatehouse status --tmux`). Pure: no ink, no react.
import type { ApproverLinkState } from '../shared/events.js';
import type { EngineStatus } from '../shared/status.js';
import { topSeverity } from './format.js';

const LINK_GLYPH: Record<ApproverLinkState, string> = { online: '●', degraded: '◐', fallback: '○', off: '·' };

/**
 * `gh ●1 ask ⧗3 ▶2 !P1`: approver link glyph with pending asks, tasks awaiting approval, running
 * tasks, the most severe unacknowledged alert. Zero counts are left out so the line stays short;
 * LOCKDOWN and fallback are always spelled out because they need a human.
 */
export function tmuxStatusLine(status: EngineStatus): string {
  const parts: string[] = ['gh'];
  const asks = status.prompts_pending;
  parts.push(asks > 0 ? `${LINK_GLYPH[status.approver.state]}${asks} ask` : LINK_GLYPH[status.approver.state]);
  if (status.approver.state === 'fallback') parts.push('fallback');
  if (status.firewall.lockdown) parts.push('LOCKDOWN');
  if (status.queue.pending_approval > 0) parts.push(`⧗${status.queue.pending_approval}`);
  if (status.queue.running > 0) parts.push(`▶${status.queue.running}`);
  const top = topSeverity(status.alerts);
  if (top) parts.push(`!${top}`);
  return parts.join(' ');
}

/** What the status line says when the engine cannot be reached: visible, never blank. */
export function tmuxOfflineLine(): string {
  return 'gh ✗ engine down';
}
