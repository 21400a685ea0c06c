// A real auditd for the sensor tests: started if it is not running (and stopped after), or a reason
// why this machine refuses it (not root, no auditctl, a kernel without audit).
import { execFileSync, spawnSync } from 'node:child_process';

export interface AuditdHandle {
  ok: boolean;
  reason: string | null;
  stop(): void;
}

function status(): { enabled: string; pid: number } | null {
  const r = spawnSync('auditctl', ['-s'], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  return { enabled: /^enabled (\d)/m.exec(r.stdout)?.[1] ?? '0', pid: Number(/^pid (\d+)/m.exec(r.stdout)?.[1] ?? 0) };
}

export async function ensureAuditd(): Promise<AuditdHandle> {
  const none = (reason: string): AuditdHandle => ({ ok: false, reason, stop() {} });
  if (process.getuid?.() !== 0) return none('not root');
  const st = status();
  if (!st) return none('auditctl -s failed (no auditd package, or the kernel refuses audit)');
  if (st.pid) return { ok: true, reason: null, stop() {} };
  const r = spawnSync('auditd', [], { encoding: 'utf8' });
  if (r.status !== 0) return none(`auditd would not start: ${r.stderr.trim()}`);
  for (let i = 0; i < 100 && !status()?.pid; i++) await new Promise((res) => setTimeout(res, 50));
  const now = status();
  if (!now?.pid) return none('auditd started but never registered with the kernel');
  if (now.enabled === '0') execFileSync('auditctl', ['-e', '1']);
  return {
    ok: true,
    reason: null,
    stop() {
      try {
        process.kill(now.pid, 'SIGTERM');
      } catch {
        /* gone */
      }
    },
  };
}

export function gatehouseAuditRules(): string[] {
  const r = spawnSync('auditctl', ['-l', '-k', 'gatehouse'], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l.includes('gatehouse'));
}
