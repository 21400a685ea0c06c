// The host sensors with /proc polling (the audit source is in audit.test.ts): a real agent process
// tree (bash running cat and curl, node holding a file and a socket), a local HTTP server as the
// destination, and the engine as a process.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cli, startEngine, tempStateDir, waitFor, type RunningEngine } from '../../support/engine.js';
import { LOOPBACK_RULES, fakeHome, destinationForFile, sensorAlerts } from '../../support/sensorFixtures.js';


const destination = destinationForFile();

function sensorsStatus(e: RunningEngine) {
  const r = cli(['status', '--json'], { stateDir: e.stateDir });
  return JSON.parse(r.stdout).sensors;
}

async function agent(e: RunningEngine, name: string) {
  const r = await e.http('GET', '/api/agents');
  return (r.body.data as Array<{ name: string; activity?: Record<string, number> }>).find((a) => a.name === name)!;
}

function rulesConfig(stateDir: string, source: string, extra: string): string {
  const rules = `${stateDir}-sensor-rules.yaml`;
  writeFileSync(rules, LOOPBACK_RULES);
  return `sensors:\n  enabled: true\n  source: ${source}\n  poll_interval_ms: 100\n  rules_file: ${rules}\n${extra}`;
}

describe('sensors with /proc polling', () => {
  it('sees a long-lived agent child hold credentials open and connect out: one P1', async () => {
    const stateDir = tempStateDir();
    const home = fakeHome(stateDir);
    const e = await startEngine({ stateDir, config: rulesConfig(stateDir, 'proc', '') });
    let child: ChildProcess | null = null;
    try {
      expect(sensorsStatus(e)).toMatchObject({ enabled: true, source: 'proc' });
      const script = `
        const fs = require('node:fs'), net = require('node:net');
        setTimeout(() => {
          const fd = fs.openSync(process.env.HOME + '/.aws/credentials', 'r');
          setTimeout(() => { const s = net.connect(${destination.port}, '127.0.0.1'); s.on('error', () => {}); }, 400);
          setTimeout(() => process.exit(0), 4000);
        }, 600);`;
      child = spawn('bash', ['-c', `node -e "$0"; true`, script], { env: { ...process.env, HOME: home }, stdio: 'ignore' });
      expect((await e.http('POST', '/api/agents', { name: 'proc-bot', pid: child.pid })).status).toBe(201);
      const [p1] = await waitFor(async () => {
        const a = (await sensorAlerts(e)).filter((x) => x.check === 'credentials_then_connect');
        return a.length ? a : null;
      }, 15_000, 'the sequence alert');
      expect(p1!.message).toMatch(/^proc-bot read credentials \(.*\.aws\/credentials\) and then connected to 127\.0\.0\.1:\d+/);
      const a = await agent(e, 'proc-bot');
      expect(a.activity).toMatchObject({ files: expect.any(Number), connections: 1 });
      expect(a.activity!.execs).toBeGreaterThanOrEqual(1);
    } finally {
      child?.kill('SIGKILL');
      await e.stop();
    }
  });
});

describe('agent baselines', () => {
  it('after a short learning window a new program is an explained anomaly; agents show prints it; baseline reset is audited', async () => {
    const stateDir = tempStateDir();
    const e = await startEngine({ stateDir, config: rulesConfig(stateDir, 'proc', '  learn_hours: 0.0003\n  anomaly_alert_score: 40\n') });
    let child: ChildProcess | null = null;
    try {
      // bash learns itself and sleep in the first second; tail arrives after the window.
      child = spawn('bash', ['-c', 'sleep 2.5; tail -f /dev/null & sleep 4; kill %1'], { stdio: 'ignore' });
      expect((await e.http('POST', '/api/agents', { name: 'learner', pid: child.pid })).status).toBe(201);
      const detail = await waitFor(() => {
        const r = cli(['agents', 'show', 'learner', '--json'], { stateDir });
        const d = r.code === 0 ? JSON.parse(r.stdout) : null;
        if (process.env.DEBUG_SENSORS) console.log(r.code, r.stderr, d?.anomalies?.map((a: { item: string }) => a.item));
        return d?.anomalies?.some((a: { item: string }) => a.item === 'exec:tail') ? d : null;
      }, 45_000, 'an anomaly');
      expect(detail.anomalies.map((a: { explanation: string }) => a.explanation)).toContain('first exec of tail by learner in 1 minute');
      expect(detail.agent.activity.anomaly_score).toBeGreaterThanOrEqual(30);
      expect(detail.baseline.learned).toBeGreaterThanOrEqual(2);
      const text = cli(['agents', 'show', 'learner'], { stateDir });
      expect(text.stdout).toContain('recent anomalies:');
      const alerts = await sensorAlerts(e);
      expect(alerts.find((a) => a.check === 'anomaly')?.message).toMatch(/^learner is doing new things \(score \d+\): first exec of tail by learner/);
      const reset = cli(['agents', 'baseline', 'reset', 'learner'], { stateDir });
      expect(reset.code, reset.stderr).toBe(0);
      const after = JSON.parse(cli(['agents', 'show', 'learner', '--json'], { stateDir }).stdout);
      expect(after.baseline.learned).toBe(0);
      expect(after.anomalies).toEqual([]);
      const ledger = cli(['ledger', 'list', '--json', '--kind', 'sensors'], { stateDir });
      expect(ledger.stdout).toContain('"sensors.baseline_reset"');
      expect(cli(['agents', 'baseline', 'reset', 'nobody'], { stateDir }).code).not.toBe(0);
    } finally {
      child?.kill('SIGKILL');
      await e.stop();
    }
  });
});
