// A real auditd for the sensor tests: started if it is not running (and stopped after), or a reason
// why this machine refuses it (not root, no auditctl, a kernel without audit). Only one test file
// (test/e2e/sensors/audit.test.ts) uses it: auditd and the kernel's rules are one per host, so two
// files at once would remove each other's rules and restart each other's daemon.
import { execFileSync, spawnSync } from 'node:child_process';

export interface AuditdHandle {
  ok: boolean;
  reason: string | null;
  stop(): void;
  /** Kills auditd, removes gatehouse's rules as a service start loading its own rules file would, and starts it again. */
  restart(): Promise<void>;
  /** Makes auditd rotate its log now (SIGUSR1: audit.log becomes audit.log.1, a new audit.log is begun). */
  rotate(): void;
  /** The kernel's count of records it lost (no auditd, or the backlog full). */
  lost(): number;
}

export interface KernelAudit {
  enabled: string;
  pid: number;
  lost: number;
  backlog: number;
}

export function auditKernelStatus(): KernelAudit | null {
  const r = spawnSync('auditctl', ['-s'], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  const n = (k: string) => Number(new RegExp(`^${k} (\\d+)`, 'm').exec(r.stdout)?.[1] ?? 0);
  return { enabled: /^enabled (\d)/m.exec(r.stdout)?.[1] ?? '0', pid: n('pid'), lost: n('lost'), backlog: n('backlog_limit') };
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (cond()) return true;
  return cond();
}

async function startDaemon(): Promise<string | null> {
  const r = spawnSync('auditd', [], { encoding: 'utf8' });
  if (r.status !== 0) return `auditd would not start: ${r.stderr.trim()}`;
  if (!(await until(() => Boolean(auditKernelStatus()?.pid), 5000))) return 'auditd started but never registered with the kernel';
  if (auditKernelStatus()!.enabled === '0') execFileSync('auditctl', ['-e', '1']);
  return null;
}

export async function ensureAuditd(): Promise<AuditdHandle> {
  const fail = (reason: string): AuditdHandle => ({ ok: false, reason, stop() {}, async restart() {}, rotate() {}, lost: () => 0 });
  if (process.getuid?.() !== 0) return fail('not root');
  const st = auditKernelStatus();
  if (!st) return fail('auditctl -s failed (no auditd package, or the kernel refuses audit)');
  let startedHere = false;
  if (!st.pid) {
    const why = await startDaemon();
    if (why) return fail(why);
    startedHere = true;
  }
  const pid = () => auditKernelStatus()?.pid ?? 0;
  return {
    ok: true,
    reason: null,
    stop() {
      if (!startedHere) return;
      try {
        const p = pid();
        if (p) process.kill(p, 'SIGTERM');
      } catch {
        /* gone */
      }
    },
    async restart() {
      const old = pid();
      if (!old) throw new Error('auditd is not running: nothing to restart');
      process.kill(old, 'SIGTERM');
      if (!(await until(() => pid() === 0, 10_000))) throw new Error('auditd did not stop');
      spawnSync('auditctl', ['-D', '-k', 'gatehouse']);
      const why = await startDaemon();
      if (why) throw new Error(why);
      startedHere = true;
    },
    rotate() {
      const p = pid();
      if (!p) throw new Error('auditd is not running: nothing to rotate');
      process.kill(p, 'SIGUSR1');
    },
    lost: () => auditKernelStatus()?.lost ?? 0,
  };
}

export function gatehouseAuditRules(): string[] {
  const r = spawnSync('auditctl', ['-l', '-k', 'gatehouse'], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l.includes('gatehouse'));
}
