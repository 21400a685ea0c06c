// The Linux audit source: while it runs, gatehouse's own rules (key `gatehouse`) record every execve,
// every IPv4/IPv6 connect and reads and writes of the watched paths; auditd writes them to its log,
// which is followed across rotation and assembled into events. The rules are removed on stop (and any
// left by a crashed run are removed before adding them again).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { followLog, type LogFollower } from '../monitor/logFollower.js';
import { AuditAssembler, toSensorEvent } from './auditParse.js';
import type { SensorEvent } from './sensorEvent.js';

const run = promisify(execFile);
export const AUDIT_KEY = 'gatehouse';

export interface AuditStatus {
  usable: boolean;
  /** Why audit cannot be used, when it cannot. */
  reason: string | null;
}

/** Audit needs root, auditctl, the kernel's audit enabled, a running auditd and its log. */
export async function auditStatus(auditLog: string): Promise<AuditStatus> {
  if (process.getuid?.() !== 0) return { usable: false, reason: 'not running as root' };
  let out: string;
  try {
    out = (await run('auditctl', ['-s'], { timeout: 5000 })).stdout;
  } catch (err) {
    return { usable: false, reason: `auditctl -s failed: ${(err as Error).message.split('\n')[0]}` };
  }
  const enabled = /^enabled (\d)/m.exec(out)?.[1];
  const pid = Number(/^pid (\d+)/m.exec(out)?.[1] ?? 0);
  if (enabled === '0') return { usable: false, reason: 'the kernel audit is disabled (auditctl -e 1)' };
  if (!pid) return { usable: false, reason: 'auditd is not running' };
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

export interface AuditSourceOptions {
  auditLog: string;
  watchPaths: string[];
  onEvent: (e: SensorEvent) => void;
  onError: (message: string) => void;
  intervalMs?: number;
}

export class AuditSource {
  private follower: LogFollower | null = null;
  private sweeper: NodeJS.Timeout | null = null;
  private readonly assembler: AuditAssembler;
  /** Records read and events made, for status and the load test. */
  readonly counts = { lines: 0, events: 0, rules: 0 };

  constructor(private readonly opts: AuditSourceOptions) {
    this.assembler = new AuditAssembler((records) => {
      const e = toSensorEvent(records);
      if (!e) return;
      this.counts.events++;
      opts.onEvent(e);
    });
  }

  async start(): Promise<void> {
    await removeAuditRules();
    for (const rule of auditRules(this.opts.watchPaths.filter((p) => existsSync(p)))) {
      try {
        await run('auditctl', rule, { timeout: 5000 });
        this.counts.rules++;
      } catch (err) {
        this.opts.onError(`auditctl ${rule.join(' ')}: ${(err as Error).message.split('\n')[0]}`);
      }
    }
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
  }

  async stop(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    await this.follower?.stop();
    this.assembler.flush();
    await removeAuditRules();
  }
}
