// The host sensors against Linux audit for real: auditd started for these tests (and stopped after),
// gatehouse's kernel rules, real agent process trees (bash running cat and curl, a node spawner), a
// local HTTP server as the destination and the engine as a process. Bad input and load: auditd's log
// rotated while it is followed, records cut short and interleaved, auditd restarted with its rules
// removed, a fork bomb of 2,000 processes, pid reuse, 200 execs/s, an agent that exits while its
// children live on. This is the only test file that uses auditd (one per host: see test/support/auditd.ts).
// Agents are started before the engine and wait for a line on stdin, so their own exec is not in the
// log the engine reads and every count below is exact.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAuditd, gatehouseAuditRules, type AuditdHandle } from '../../support/auditd.js';
import { cli, startEngine, tempStateDir, waitFor, type RunningEngine } from '../../support/engine.js';
import { LOOPBACK_RULES, fakeHome, sensorAlerts, startDestination } from '../../support/sensorFixtures.js';



let server: Awaited<ReturnType<typeof startDestination>>;
let port = 0;
let auditd: AuditdHandle;
const children: ChildProcess[] = [];
beforeAll(async () => {
  server = await startDestination();
  port = server.port;
  auditd = await ensureAuditd();
  if (!auditd.ok) console.warn(`\n\n*** WARNING: audit sensor tests SKIPPED: ${auditd.reason} ***\n`);
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  auditd?.stop();
  await server.close();
});

function config(stateDir: string, home: string, extra = ''): string {
  const rules = `${stateDir}-sensor-rules.yaml`;
  writeFileSync(rules, LOOPBACK_RULES);
  return `sensors:\n  enabled: true\n  source: audit\n  poll_interval_ms: 100\n  rules_file: ${rules}\n  watch_paths: [${join(home, '.aws')}]\n${extra}`;
}

/** A bash agent that waits for "go" on stdin before running `script`. */
function gated(script: string, home: string): ChildProcess {
  const c = spawn('bash', ['-c', `read go; ${script}`], { env: { ...process.env, HOME: home }, stdio: ['pipe', 'ignore', 'ignore'] });
  children.push(c);
  return c;
}

async function register(e: RunningEngine, name: string, c: ChildProcess): Promise<void> {
  const r = await e.http('POST', '/api/agents', { name, pid: c.pid });
  expect(r.status).toBe(201);
}

interface Activity {
  execs: number;
  files: number;
  connections: number;
  blocked: number;
  anomaly_score: number;
}

async function activity(e: RunningEngine, name: string): Promise<Activity> {
  const r = await e.http('GET', '/api/agents');
  if (process.env.DEBUG_SENSORS) console.log(name, JSON.stringify((r.body.data as Array<{ name: string; activity: Activity }>).find((a) => a.name === name)?.activity), JSON.stringify(sensorsStatus(e)));
  return (r.body.data as Array<{ name: string; activity: Activity }>).find((a) => a.name === name)!.activity;
}

function sensorsStatus(e: RunningEngine) {
  return JSON.parse(cli(['status', '--json'], { stateDir: e.stateDir, timeoutMs: 60_000 }).stdout).sensors;
}

function rssKb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Resolves when the process has exited (at once if it already has). */
const exited = (c: ChildProcess) => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', r)));
/** Waits for an agent's exec count to reach `n`, then a moment more, and returns its activity. */
async function settledExecs(e: RunningEngine, name: string, n: number): Promise<Activity> {
  let seen = -1;
  await waitFor(async () => (seen = (await activity(e, name)).execs) >= n, 30_000, `${n} execs of ${name}`).catch((err: Error) => {
    throw new Error(`${err.message} (last seen ${seen}; sensors: ${JSON.stringify(sensorsStatus(e))})`);
  });
  await sleep(500);
  return activity(e, name);
}
// This machine is shared and loaded: the agents' loops run slowly, so these tests wait for them to end.
const SLOW = 240_000;

describe('sensors with Linux audit', { timeout: SLOW }, () => {
  it('done when: an agent that reads credentials then connects out raises one P1 naming it within seconds, its counts are exact, its anomalies explained; doctor names the source; stop removes the rules', async (ctx) => {
    if (!auditd.ok) return ctx.skip();
    const stateDir = tempStateDir();
    const home = fakeHome(stateDir);
    // /bin/true and sleep are learned in the first second; cat, the directory, curl and the destination are new after it.
    const child = spawn('bash', ['-c', `read go; /bin/true; sleep 1.5; cat "$HOME/.aws/credentials" >/dev/null; curl -s http://127.0.0.1:${port}/ >/dev/null; echo connected; sleep 30`], { env: { ...process.env, HOME: home }, stdio: ['pipe', 'pipe', 'ignore'] });
    children.push(child);
    const connected = new Promise<number>((r) => child.stdout!.once('data', () => r(Date.now())));
    const e = await startEngine({ listenMs: 90_000, stateDir, config: config(stateDir, home, '  learn_hours: 0.0003\n  anomaly_alert_score: 60\n') });
    try {
      expect(sensorsStatus(e)).toMatchObject({ enabled: true, source: 'audit', reason: 'auditd runs and gatehouse is root' });
      expect(gatehouseAuditRules().length).toBeGreaterThanOrEqual(4);
      const doctor = JSON.parse(cli(['doctor', '--json'], { stateDir, timeoutMs: 60_000 }).stdout) as Array<{ id: string; ok: boolean; message: string }>;
      expect(doctor.find((c) => c.id === 'sensors')).toMatchObject({ ok: true, message: expect.stringContaining('the engine runs the audit sensor source (auditd runs and gatehouse is root)') });
      await register(e, 'build-bot', child);
      child.stdin!.write('go\n');
      const p1 = (
        await waitFor(async () => {
          const a = (await sensorAlerts(e)).filter((x) => x.check === 'credentials_then_connect');
          return a.length ? a : null;
        }, 15_000, 'the sequence alert')
      )[0]!;
      const latency = Date.now() - (await connected);
      console.log(`sensors (audit): the sequence alert was seen ${latency} ms after the agent's curl connected`);
      expect(latency).toBeLessThan(5000);
      expect(p1.severity).toBe('P1');
      expect(p1.message).toMatch(new RegExp(`^build-bot read credentials \\(${home}/\\.aws/credentials\\) and then connected to 127\\.0\\.0\\.1:${port} \\(pids \\d+, \\d+\\)$`));
      expect(p1.evidence?.agent).toBe('build-bot');
      const counts = await waitFor(async () => {
        const a = await activity(e, 'build-bot');
        return a.execs >= 5 ? a : null;
      }, 10_000, 'five execs');
      await sleep(1000);
      // /bin/true, sleep 1.5, cat, curl, sleep 30; cat's read; curl's connect.
      expect(await activity(e, 'build-bot')).toMatchObject({ execs: 5, files: 1, connections: 1, blocked: 0 });
      expect(counts.anomaly_score).toBeGreaterThanOrEqual(60);
      const alerts = await sensorAlerts(e);
      expect(alerts.filter((a) => a.severity === 'P1' || a.severity === 'P0').map((a) => a.check)).toEqual(['credentials_then_connect']);
      expect(alerts.find((a) => a.check === 'anomaly')?.message).toMatch(/^build-bot is doing new things \(score \d+\): first /);
      const shown = JSON.parse(cli(['agents', 'show', 'build-bot', '--json'], { stateDir, timeoutMs: 60_000 }).stdout) as { anomalies: Array<{ item: string; explanation: string }> };
      const explained = shown.anomalies.map((a) => a.explanation);
      expect(explained).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^first exec of cat by build-bot in \d+ minutes?$/),
          expect.stringMatching(new RegExp(`^first read in ${home}/\\.aws by build-bot in \\d+ minutes?$`)),
          expect.stringMatching(/^first exec of curl by build-bot in \d+ minutes?$/),
          expect.stringMatching(new RegExp(`^first connection to 127\\.0\\.0\\.1:${port} by build-bot in \\d+ minutes?$`)),
        ]),
      );
      expect(shown.anomalies.map((a) => a.item)).not.toContain('exec:sleep');
      const stats = (await e.http('GET', '/api/agents')).body.data[0].activity.history as number[];
      expect(stats.reduce((s, n) => s + n, 0)).toBe(7);
    } finally {
      child.kill('SIGKILL');
      await e.stop();
    }
    expect(gatehouseAuditRules()).toEqual([]);
  });

  it('follows audit.log across rotations: 600 execs while auditd rotates its log three times (two of them within one poll), none lost', { timeout: SLOW }, async (ctx) => {
    if (!auditd.ok) return ctx.skip();
    const stateDir = tempStateDir();
    const home = fakeHome(stateDir);
    const child = gated('for i in {1..300}; do /bin/true; sleep 0.01; done', home);
    const e = await startEngine({ listenMs: 90_000, stateDir, config: config(stateDir, home) });
    try {
      const lost0 = auditd.lost();
      await register(e, 'rotating', child);
      child.stdin!.write('go\n');
      // Two rotations 700 ms apart, then two within one poll of each other (the follower catches up on log.1).
      for (const gap of [700, 700, 30]) {
        await sleep(gap);
        auditd.rotate();
      }
      await exited(child);
      expect((await settledExecs(e, 'rotating', 600)).execs).toBe(600); // 300 true, 300 sleep 0.01
      expect(existsSync('/var/log/audit/audit.log.1')).toBe(true);
      expect(auditd.lost() - lost0).toBe(0);
      expect((await e.http('GET', '/health')).status).toBe(200);
    } finally {
      child.kill('SIGKILL');
      await e.stop();
    }
  });

  it('takes cut-short, interleaved and garbage records in its audit log without harm, and still assembles the good ones', async (ctx) => {
    if (!auditd.ok) return ctx.skip();
    const stateDir = tempStateDir();
    const home = fakeHome(stateDir);
    const log = `${stateDir}-audit.log`;
    writeFileSync(log, '');
    const child = spawn('sleep', ['60'], { stdio: 'ignore' });
    children.push(child);
    const e = await startEngine({ listenMs: 90_000, stateDir, config: `${config(stateDir, home)}  audit_log: ${log}\n` });
    try {
      await register(e, 'fed', child);
      const pid = child.pid!;
      const t = () => (Date.now() / 1000).toFixed(3);
      const sys = (serial: number, nr: number, more: string) => `type=SYSCALL msg=audit(${t()}:${serial}): arch=c000003e syscall=${nr} ${more} items=1 ppid=${pid} pid=${pid} auid=0 uid=0 comm="fed" exe="/usr/bin/fed" key="gatehouse"`;
      const hex = (s: string) => Buffer.from(s).toString('hex').toUpperCase();
      const cred = `${home}/.aws/credentials`;
      const saddr = `0200${port.toString(16).padStart(4, '0')}7F0000010000000000000000`.toUpperCase();
      const lines = [
        'complete garbage',
        '\u0000\u0001\u00ff binary junk',
        `type=SYSCALL msg=audit(${t()}:900): arch=c000003e syscall=59 success=yes exit=0 a0=1 items=2 ppid=${pid} pid=${pid} comm="trunc`, // cut short: no key, never an event
        sys(901, 59, 'success=yes exit=0'),
        `type=EXECVE msg=audit(${t()}:901): argc=2 a0="nc" a1=${hex('-l 4444')}`,
        // 902 (an open of the credentials) and 903 (a connect) interleaved, record by record
        sys(902, 257, 'success=yes exit=3 a0=ffffff9c a1=1 a2=0'),
        sys(903, 42, 'success=no exit=-115 a0=3 a1=1 a2=10'),
        `type=CWD msg=audit(${t()}:902): cwd="/"`,
        `type=SOCKADDR msg=audit(${t()}:903): saddr=${saddr}`,
        `type=PATH msg=audit(${t()}:902): item=0 name="${cred}" inode=1 nametype=NORMAL`,
        `type=PROCTITLE msg=audit(${t()}:902): proctitle=${hex('cat creds')}`,
        `type=PROCTITLE msg=audit(${t()}:903): proctitle=${hex('curl')}`,
        `type=PROCTITLE msg=audit(${t()}:901): proctitle=${hex('nc -l 4444')}`,
        `type=EOE msg=audit(${t()}:999):`, // an end for an event never begun
        sys(904, 59, 'success=yes exit=0'), // no PROCTITLE, no EOE: finished when it has waited long enough
        `type=SYSCALL msg=audit(${t()}:905): ${'x='.padEnd(2_500_000, 'y')}`, // over a megabyte, no newline for a while
      ];
      appendFileSync(log, lines.slice(0, -1).join('\n') + '\n');
      appendFileSync(log, lines.at(-1)!); // the long line arrives without its newline (cut short by a crash)
      await waitFor(async () => (await activity(e, 'fed')).execs >= 2, 10_000, 'the two complete execs');
      appendFileSync(log, '\n');
      await sleep(800);
      expect(await activity(e, 'fed')).toMatchObject({ execs: 2, files: 1, connections: 1 });
      const seq = (await sensorAlerts(e)).find((a) => a.check === 'credentials_then_connect');
      expect(seq?.message).toBe(`fed read credentials (${cred}) and then connected to 127.0.0.1:${port} (pids ${pid})`);
      expect((await e.http('GET', '/health')).status).toBe(200);
    } finally {
      child.kill('SIGKILL');
      await e.stop();
    }
  });

  it('recovers when auditd restarts with its rules removed: the rules come back, a P2 says so, and events are seen again', async (ctx) => {
    if (!auditd.ok) return ctx.skip();
    const stateDir = tempStateDir();
    const home = fakeHome(stateDir);
    const child = gated(`cat "$HOME/.aws/credentials" >/dev/null; curl -s http://127.0.0.1:${port}/ >/dev/null; sleep 30`, home);
    const e = await startEngine({ listenMs: 90_000, stateDir, config: config(stateDir, home) });
    try {
      const rules = gatehouseAuditRules().length;
      expect(rules).toBeGreaterThanOrEqual(4);
      await auditd.restart(); // removes gatehouse's rules, as a service start loading its own rules file does
      await waitFor(() => sensorsStatus(e).audit?.recoveries >= 1, 15_000, 'the recovery');
      // Added again for the watched paths that exist now (other tests make and remove homes meanwhile).
      expect(gatehouseAuditRules()).toHaveLength(sensorsStatus(e).audit.rules);
      expect(gatehouseAuditRules().length).toBeGreaterThanOrEqual(4);
      expect((await sensorAlerts(e)).find((a) => a.check === 'audit_recovered')?.message).toMatch(/^sensors: auditd restarted \(pid \d+\)/);
      await register(e, 'after-restart', child);
      child.stdin!.write('go\n');
      await waitFor(async () => (await sensorAlerts(e)).find((a) => a.check === 'credentials_then_connect' && a.evidence?.agent === 'after-restart'), 15_000, 'the sequence alert after the restart');
    } finally {
      child.kill('SIGKILL');
      await e.stop();
    }
    expect(gatehouseAuditRules()).toEqual([]);
  });

  it('a fork bomb of 2,000 short processes: every exec counted, memory bounded, the engine keeps serving', { timeout: SLOW }, async (ctx) => {
    if (!auditd.ok) return ctx.skip();
    const stateDir = tempStateDir();
    const home = fakeHome(stateDir);
    const child = gated('for i in {1..2000}; do /bin/true & done; wait', home);
    const e = await startEngine({ listenMs: 90_000, stateDir, config: config(stateDir, home) });
    try {
      const rss0 = rssKb(e.proc.pid!);
      const lost0 = auditd.lost();
      await register(e, 'forker', child);
      child.stdin!.write('go\n');
      let slowest = 0;
      let served = 0;
      await waitFor(async () => {
        const t0 = Date.now();
        const h = await e.http('GET', '/health');
        slowest = Math.max(slowest, Date.now() - t0);
        if (h.status === 200) served++;
        return child.exitCode !== null;
      }, SLOW - 30_000, 'the fork bomb to end');
      expect((await settledExecs(e, 'forker', 2000)).execs).toBe(2000);
      expect(auditd.lost() - lost0).toBe(0);
      const grown = (rssKb(e.proc.pid!) - rss0) / 1024;
      console.log(`sensors (audit): fork bomb of 2,000: engine RSS +${grown.toFixed(1)} MB, slowest /health ${slowest} ms over ${served} calls`);
      expect(grown).toBeLessThan(100);
      expect(sensorsStatus(e).processes).toBeLessThanOrEqual(65_536);
    } finally {
      child.kill('SIGKILL');
      await e.stop();
    }
  });

  it('200 execs/s for 5 s from one agent: all 1,000 counted, none lost by the kernel, memory bounded', { timeout: SLOW }, async (ctx) => {
    if (!auditd.ok) return ctx.skip();
    const stateDir = tempStateDir();
    const home = fakeHome(stateDir);
    const spawner = spawn(process.execPath, ['-e', `
      const { spawn } = require('node:child_process');
      let n = 0;
      process.stdin.once('data', () => { const t = setInterval(() => { for (let i = 0; i < 4; i++) if (n++ < 1000) spawn('/bin/true', { stdio: 'ignore' }); if (n >= 1000) { clearInterval(t); setTimeout(() => process.exit(0), 500); } }, 20); });
    `], { stdio: ['pipe', 'ignore', 'ignore'] });
    children.push(spawner);
    const e = await startEngine({ listenMs: 90_000, stateDir, config: config(stateDir, home) });
    try {
      const rss0 = rssKb(e.proc.pid!);
      const lost0 = auditd.lost();
      await register(e, 'rate', spawner);
      spawner.stdin!.write('go\n');
      await exited(spawner);
      expect((await settledExecs(e, 'rate', 1000)).execs).toBe(1000);
      expect(auditd.lost() - lost0).toBe(0);
      expect((rssKb(e.proc.pid!) - rss0) / 1024).toBeLessThan(100);
    } finally {
      spawner.kill('SIGKILL');
      await e.stop();
    }
  });

  it('pid reuse: a process of no agent that gets a dead agent child pid is not the agent', async (ctx) => {
    if (!auditd.ok) return ctx.skip();
    const stateDir = tempStateDir();
    const home = fakeHome(stateDir);
    const child = spawn('bash', ['-c', 'read go; /bin/sleep 0.2 & echo $!; wait; sleep 60'], { env: { ...process.env, HOME: home }, stdio: ['pipe', 'pipe', 'ignore'] });
    children.push(child);
    const firstPid = new Promise<number>((r) => child.stdout!.once('data', (d: Buffer) => r(Number(d.toString().trim()))));
    const e = await startEngine({ listenMs: 90_000, stateDir, config: config(stateDir, home) });
    try {
      await register(e, 'reused', child);
      child.stdin!.write('go\n');
      await waitFor(async () => (await activity(e, 'reused')).execs >= 2, 10_000, 'the two sleeps');
      // The first sleep's pid is the agent's child that exited: the kernel hands it out again when ns_last_pid is just below it.
      const shown = JSON.parse(cli(['agents', 'show', 'reused', '--json'], { stateDir, timeoutMs: 60_000 }).stdout);
      expect(shown.agent.activity.execs).toBe(2);
      const target = await firstPid; // `sleep 0.2`, exited by now
      let reused: ChildProcess | null = null;
      for (let tries = 0; tries < 40 && !reused; tries++) {
        if (existsSync(`/proc/${target}`)) break;
        writeFileSync('/proc/sys/kernel/ns_last_pid', String(target - 1));
        const c = spawn('bash', ['-c', `sleep 0.3; cat "$HOME/.aws/credentials" >/dev/null; curl -s http://127.0.0.1:${port}/ >/dev/null`], { env: { ...process.env, HOME: home }, stdio: 'ignore' });
        if (c.pid === target) reused = c;
        else c.kill('SIGKILL');
      }
      if (!reused) {
        console.warn('\n*** WARNING: pid reuse test could not take the dead pid back (ns_last_pid raced); skipped ***\n');
        return ctx.skip();
      }
      const unattributed = sensorsStatus(e).unattributed;
      await new Promise((r) => reused!.once('exit', r));
      await waitFor(() => sensorsStatus(e).unattributed >= unattributed + 4, 10_000, 'the reused pid counted as no agent');
      await sleep(1500);
      expect(await activity(e, 'reused')).toMatchObject({ execs: 2, files: 0, connections: 0 });
      expect((await sensorAlerts(e)).filter((a) => a.evidence?.agent === 'reused')).toEqual([]);
    } finally {
      child.kill('SIGKILL');
      await e.stop();
    }
  });

  it('an agent that exits while its children live on: what the children do is still the agent, and raises its P1', async (ctx) => {
    if (!auditd.ok) return ctx.skip();
    const stateDir = tempStateDir();
    const home = fakeHome(stateDir);
    const child = gated(`(sleep 2.5; cat "$HOME/.aws/credentials" >/dev/null; curl -s http://127.0.0.1:${port}/ >/dev/null; sleep 5) & sleep 1; exit 0`, home);
    const e = await startEngine({ listenMs: 90_000, stateDir, config: config(stateDir, home) });
    try {
      await register(e, 'parent-gone', child);
      child.stdin!.write('go\n');
      await new Promise((r) => child.once('exit', r));
      const p1 = await waitFor(async () => (await sensorAlerts(e)).find((a) => a.check === 'credentials_then_connect'), 15_000, 'the orphans\' sequence alert');
      expect(p1.evidence?.agent).toBe('parent-gone');
      expect(p1.severity).toBe('P1');
      await waitFor(async () => (await activity(e, 'parent-gone')).execs >= 5, 10_000, 'five execs');
      expect(await activity(e, 'parent-gone')).toMatchObject({ execs: 5, files: 1, connections: 1 }); // sleep 2.5, sleep 1, cat, curl, sleep 5
    } finally {
      child.kill('SIGKILL');
      await e.stop();
    }
  });

  it('processes of no registered agent are counted, not alerted', async (ctx) => {
    if (!auditd.ok) return ctx.skip();
    const stateDir = tempStateDir();
    const home = fakeHome(stateDir);
    const e = await startEngine({ listenMs: 90_000, stateDir, config: config(stateDir, home) });
    try {
      const child = spawn('bash', ['-c', `cat "$HOME/.aws/credentials" >/dev/null; curl -s http://127.0.0.1:${port}/ >/dev/null`], { env: { ...process.env, HOME: home }, stdio: 'ignore' });
      await new Promise((r) => child.once('exit', r));
      await waitFor(async () => sensorsStatus(e).unattributed >= 3, 10_000, 'unattributed events');
      expect(await sensorAlerts(e)).toEqual([]);
    } finally {
      await e.stop();
    }
  });
});
