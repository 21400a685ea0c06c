// The Linux audit source: while it runs, gatehouse's own rules (key `gatehouse`) record every execve,
// every IPv4/IPv6 connect and reads and writes of the watched paths; auditd writes them to its log,
// which is followed across rotation and assembled into events. The rules are removed on stop (and any
// left by a crashed run are removed before adding them again). A health check notices auditd
// restarting (a new pid) or the rules going away (a service start that loads its own rules file with
// `-D`) and adds them again; the kernel's own count of lost records is watched and reported.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { followLog, type LogFollower } from '../monitor/logFollower.js';
import { AuditAssembler, toSensorEvent } from './auditParse.js';
import type { SensorEvent } from './sensorEvent.js';

const run = promisify(execFile);
export const AUDIT_KEY = 'gatehouse';
/** The kernel's queue of records waiting for auditd; a smaller one is raised to this while the source runs. */
export const AUDIT_BACKLOG = 8192;

export interface AuditStatus {
  usable: boolean;
  /** Why audit cannot be used, when it cannot. */
  reason: string | null;
}

export interface AuditKernelStatus {
  enabled: string | null;
  pid: number;
  lost: number;
  backlogLimit: number;
}

export function parseAuditctlStatus(out: string): AuditKernelStatus {
  const n = (k: string) => Number(new RegExp(`^${k} (\\d+)`, 'm').exec(out)?.[1] ?? 0);
  return { enabled: /^enabled (\d)/m.exec(out)?.[1] ?? null, pid: n('pid'), lost: n('lost'), backlogLimit: n('backlog_limit') };
}

async function kernelStatus(): Promise<AuditKernelStatus> {
  return parseAuditctlStatus((await run('auditctl', ['-s'], { timeout: 5000 })).stdout);
}

/** Audit needs root, auditctl, the kernel's audit enabled, a running auditd and its log. */
export async function auditStatus(auditLog: string): Promise<AuditStatus> {
  if (process.getuid?.() !== 0) return { usable: false, reason: 'not running as root' };
  let st: AuditKernelStatus;
  try {
    st = await kernelStatus();
  } catch (err) {
    return { usable: false, reason: `auditctl -s failed: ${(err as Error).message.split('\n')[0]}` };
  }
  if (st.enabled === '0') return { usable: false, reason: 'the kernel audit is disabled (auditctl -e 1)' };
  if (!st.pid) return { usable: false, reason: 'auditd is not running' };
  if (!existsSync(auditLog)) return { usable: false, reason: `no audit log at ${auditLog}` };
  return { usable: true, reason: null };
}

/** The rules, as auditctl arguments (without the -a/-w verb's removal form). */
export function auditRules(watchPaths: string[]): string[][] {
  const rules = [
    ['-a', 'always,exit', '-F', 'arch=b64', '-S', 'execve,execveat', '-k', AUDIT_KEY],
    ['-a', 'always,exit', '-F', 'arch=b64', '-S', 'connect', '-F', 'a2=16', '-k', AUDIT_KEY],
    ['-a', 'always,exit', '-F', 'arch=b64', '-S', 'connect', '-F', 'a2=28', '-k', AUDIT_KEY],
  ];
  for (const p of watchPaths) rules.push(['-w', p, '-p', 'rw', '-k', AUDIT_KEY]);
  return rules;
}

/** Removes every rule under gatehouse's key (also those a crashed run left). */
export async function removeAuditRules(): Promise<void> {
  await run('auditctl', ['-D', '-k', AUDIT_KEY], { timeout: 5000 }).catch(() => undefined);
}

async function installedRuleCount(): Promise<number> {
  const out = (await run('auditctl', ['-l', '-k', AUDIT_KEY], { timeout: 5000 })).stdout;
  return out.split('\n').filter((l) => l.includes(`key=${AUDIT_KEY}`) || l.endsWith(`-k ${AUDIT_KEY}`)).length;
}

export interface AuditSourceOptions {
  auditLog: string;
  watchPaths: string[];
  onEvent: (e: SensorEvent) => void;
  onError: (message: string) => void;
  /** auditd restarted or the rules went away, and the rules were added again. */
  onRecovered?: (why: string) => void;
  intervalMs?: number;
  /** How often auditd's pid and the rules are checked (default 2000 ms). */
  healthMs?: number;
}

export class AuditSource {
  private follower: LogFollower | null = null;
  private sweeper: NodeJS.Timeout | null = null;
  private health: NodeJS.Timeout | null = null;
  private checking = false;
  private auditdPid = 0;
  private lostAtStart = 0;
  private backlogBefore: number | null = null;
  private readonly assembler: AuditAssembler;
  /** Records read, events made, rules added, recoveries, records the kernel lost since start. */
  readonly counts = { lines: 0, events: 0, rules: 0, recoveries: 0, kernel_lost: 0 };

  constructor(private readonly opts: AuditSourceOptions) {
    this.assembler = new AuditAssembler((records) => {
      const e = toSensorEvent(records);
      if (!e) return;
      this.counts.events++;
      opts.onEvent(e);
    });
  }

  private async addRules(): Promise<void> {
    await removeAuditRules();
    this.counts.rules = 0;
    for (const rule of auditRules(this.opts.watchPaths.filter((p) => existsSync(p)))) {
      try {
        await run('auditctl', rule, { timeout: 5000 });
        this.counts.rules++;
      } catch (err) {
        this.opts.onError(`auditctl ${rule.join(' ')}: ${(err as Error).message.split('\n')[0]}`);
      }
    }
  }

  async start(): Promise<void> {
    try {
      const st = await kernelStatus();
      this.auditdPid = st.pid;
      this.lostAtStart = st.lost;
      // The default queue (64) drops records under a burst of execs when auditd lags; a larger one only holds more.
      if (st.backlogLimit < AUDIT_BACKLOG) {
        await run('auditctl', ['-b', String(AUDIT_BACKLOG)], { timeout: 5000 });
        this.backlogBefore = st.backlogLimit;
      }
    } catch (err) {
      this.opts.onError(`auditctl -s: ${(err as Error).message.split('\n')[0]}`);
    }
    await this.addRules();
    this.follower = followLog(
      this.opts.auditLog,
      (line) => {
        this.counts.lines++;
        this.assembler.push(line);
      },
      { intervalMs: this.opts.intervalMs ?? 100, onError: (err) => this.opts.onError(`reading ${this.opts.auditLog}: ${err.message}`) },
    );
    this.sweeper = setInterval(() => this.assembler.sweep(), 100);
    this.sweeper.unref();
    this.health = setInterval(() => void this.checkHealth(), this.opts.healthMs ?? 2000);
    this.health.unref();
  }

  /** auditd gone, back with a new pid, or the rules removed: the rules are added again once it runs. */
  async checkHealth(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const st = await kernelStatus();
      this.counts.kernel_lost = Math.max(0, st.lost - this.lostAtStart);
      if (!st.pid) return; // down: wait for it (the kernel keeps the rules, records queue in its backlog)
      const restarted = st.pid !== this.auditdPid;
      const rules = await installedRuleCount();
      const missing = this.counts.rules - rules;
      if (!restarted && missing <= 0) return;
      this.auditdPid = st.pid;
      // Rules the kernel still holds are left in place: removing them to add them again would lose records.
      if (missing > 0) await this.addRules();
      if (st.backlogLimit < AUDIT_BACKLOG) await run('auditctl', ['-b', String(AUDIT_BACKLOG)], { timeout: 5000 }).catch(() => undefined);
      this.counts.recoveries++;
      const why = [restarted ? `auditd restarted (pid ${st.pid})` : null, missing > 0 ? `${missing} of gatehouse's audit rules had been removed and were added again` : null];
      this.opts.onRecovered?.(why.filter(Boolean).join('; '));
    } catch (err) {
      this.opts.onError(`audit health check: ${(err as Error).message.split('\n')[0]}`);
    } finally {
      this.checking = false;
    }
  }

  async stop(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    if (this.health) clearInterval(this.health);
    await this.follower?.stop();
    this.assembler.flush();
    await removeAuditRules();
    if (this.backlogBefore !== null) await run('auditctl', ['-b', String(this.backlogBefore)], { timeout: 5000 }).catch(() => undefined);
  }
}
