// The human form of `gatehouse status`.
import type { EngineStatus } from '../shared/status.js';

function duration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}h${String(m).padStart(2, '0')}m` : m ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export function formatStatus(s: EngineStatus): string {
  const q = s.queue.by_status;
  const fw = s.firewall.lockdown ? `LOCKDOWN (${s.firewall.lockdown_reason ?? 'policy changed outside gatehouse'})` : `${s.firewall.mode} ${s.firewall.trusted ? 'trusted' : 'untrusted'}`;
  return [
    `gatehouse ${s.version}${s.demo ? ' (demo)' : ''}  engine pid ${s.pid}, up ${duration(s.uptime_ms)}${s.crashed_last_run ? ', recovered from a crash' : ''}`,
    `state dir  ${s.state_dir}`,
    `api        ${s.api ? `http://${s.api.host}:${s.api.port}` : 'off'}`,
    `approver   ${s.approver.state}${s.approver.url ? ` ${s.approver.url}` : ''}${s.approver.pending_review ? `, ${s.approver.pending_review} fallback decision(s) to review` : ''}`,
    `firewall   ${fw}; ${s.prompts_pending} prompt(s) waiting`,
    `alerts     P0 ${s.alerts.P0}  P1 ${s.alerts.P1}  P2 ${s.alerts.P2}  P3 ${s.alerts.P3}${s.latest_alert ? `  latest: ${s.latest_alert.severity} ${s.latest_alert.message}` : ''}`,
    `tasks      ${s.queue.total_tasks} total: ${q.pending_approval} pending_approval, ${q.approved} approved, ${q.running} running, ${q.completed} completed, ${q.failed} failed, ${q.rejected} rejected, ${q.aborted} aborted`,
    `cost       today $${s.cost_today_usd.toFixed(2)}, all time $${s.queue.total_cost_usd.toFixed(2)}`,
    `budget     ${s.budget.daily_usd === null ? 'no daily limit' : `$${s.budget.committed_today_usd.toFixed(2)} committed of $${s.budget.daily_usd.toFixed(2)} today`} (day in ${s.budget.time_zone})`,
    `notify     ${s.notify.sent} sent, ${s.notify.failed} failed, ${s.notify.dropped} dropped, ${s.notify.pending} pending`,
    '',
  ].join('\n');
}
