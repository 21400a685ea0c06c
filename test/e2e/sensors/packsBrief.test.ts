// Sensor correlation rules from a real signed rule pack, and the assistant's brief of a P1 sensor
// alert (advisory only), with the /proc source: a real engine, a real agent process tree, a real
// Ed25519-signed pack installed with `gatehouse packs add`, and a loopback stand-in for the model API.
import { generateKeyPairSync } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectEngine, connectTransport } from '../../../src/client/ipcClient.js';
import type { GuardStats } from '../../../src/engine/doors/guardStats.js';
import { signRulePack } from '../../../src/engine/monitor/rulePack.js';
import { cli, startEngine, tempStateDir, waitFor, type RunningEngine } from '../../support/engine.js';
import { LOOPBACK_RULES, destinationForFile, sensorAlerts } from '../../support/sensorFixtures.js';
import { startLlmServer } from '../../support/llmServers.js';


const destination = destinationForFile();

function sensorsConfig(stateDir: string): string {
  const rules = `${stateDir}-sensor-rules.yaml`;
  writeFileSync(rules, LOOPBACK_RULES);
  return `sensors:\n  enabled: true\n  source: proc\n  poll_interval_ms: 100\n  rules_file: ${rules}\n`;
}

/** A node agent that opens `file` and holds it for two seconds (the /proc source sees what lives a sweep), then maybe connects. */
function holder(file: string, home: string, connect: boolean): ChildProcess {
  const script = `
    const fs = require('node:fs'), net = require('node:net');
    setTimeout(() => {
      fs.openSync(${JSON.stringify(file)}, 'r');
      ${connect ? `setTimeout(() => { const s = net.connect(${destination.port}, '127.0.0.1'); s.on('error', () => {}); }, 400);` : ''}
      setTimeout(() => process.exit(0), 3000);
    }, 600);`;
  return spawn('bash', ['-c', `node -e "$0"; true`, script], { env: { ...process.env, HOME: home }, stdio: 'ignore' });
}

describe('sensor rules in signed rule packs', { timeout: 240_000 }, () => {
  it('packs add installs a pack whose sensor rule then fires on a registered agent; a pack with a broken sensor rule is refused naming why', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const stateDir = tempStateDir();
    const work = tempStateDir('gh-pack-');
    const home = join(work, 'home');
    mkdirSync(join(home, '.acme'), { recursive: true });
    writeFileSync(join(home, '.acme', 'deploy-token'), 'tok\n');
    const e = await startEngine({ listenMs: 90_000, stateDir, config: `${sensorsConfig(stateDir)}monitor:\n  rules:\n    public_key: |\n${pem.trim().split('\n').map((l) => `      ${l}`).join('\n')}\n` });
    let child: ChildProcess | null = null;
    try {
      const cfg = ['--config', e.proc.spawnargs[e.proc.spawnargs.indexOf('--config') + 1]!];
      const sign = (name: string, body: object) => {
        const bytes = Buffer.from(JSON.stringify(body));
        const file = join(work, `${name}.json`);
        writeFileSync(file, bytes);
        writeFileSync(`${file}.sig`, signRulePack(bytes, privateKey));
        return file;
      };
      const broken = sign('broken', { name: 'broken', version: '1', sensor_rules: { rules: [{ id: 'x', severity: 'P1', message: 'm', steps: [{ event: 'open', path: ['@nowhere'] }] }] } });
      const refused = cli([...cfg, 'packs', 'add', broken], { stateDir, timeoutMs: 90_000 });
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/sensor_rules\.rules\.0\.steps: rule x: no path class @nowhere/);

      const acme = sign('acme', {
        name: 'acme',
        version: '2',
        sensor_rules: {
          paths: { tokens: ['**/.acme/deploy-token'] },
          rules: [{ id: 'acme_token_read', severity: 'P1', message: '{agent} read the acme deploy token {path} (pid {pids})', steps: [{ event: 'open', path: ['@tokens'] }] }],
        },
      });
      const added = cli([...cfg, 'packs', 'add', acme], { stateDir, timeoutMs: 90_000 });
      expect(added.code, added.stderr).toBe(0);
      expect(added.stdout).toMatch(/installed acme 2 .*the running engine reloaded its packs/);

      child = holder(join(home, '.acme', 'deploy-token'), home, false);
      expect((await e.http('POST', '/api/agents', { name: 'deployer', pid: child.pid })).status).toBe(201);
      const a = await waitFor(async () => (await sensorAlerts(e)).find((x) => x.check === 'acme_token_read'), 15_000, 'the pack rule to fire');
      expect(a.severity).toBe('P1');
      expect(a.message).toMatch(new RegExp(`^deployer read the acme deploy token ${home}/\\.acme/deploy-token \\(pid \\d+\\)$`));
      expect(a.evidence?.agent).toBe('deployer');
      // The shipped rules are still there beside the pack's.
      expect(cli([...cfg, 'packs', 'remove', 'acme'], { stateDir, timeoutMs: 90_000 }).code).toBe(0);
    } finally {
      child?.kill('SIGKILL');
      await e.stop();
    }
  });
});

describe('the assistant briefs P0/P1 sensor alerts', { timeout: 240_000 }, () => {
  it('a P1 sequence alert gets a brief naming the agent and the evidence; the P2s do not; the alert stays open (advisory only)', async () => {
    const BRIEF = 'RISK: high\nSUMMARY: The agent read cloud credentials and connected out right after.\n- possible exfiltration';
    const llm = await startLlmServer('anthropic', [{ kind: 'ok', text: BRIEF }]);
    const stateDir = tempStateDir('gh-asst-');
    const home = join(stateDir, 'home');
    mkdirSync(join(home, '.aws'), { recursive: true });
    writeFileSync(join(home, '.aws', 'credentials'), '[default]\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n');
    const e = await startEngine({
      listenMs: 90_000,
      stateDir,
      config: sensorsConfig(stateDir),
      env: { ANTHROPIC_API_KEY: 'test-key-not-secret', ANTHROPIC_BASE_URL: llm.url, OPENAI_API_KEY: '', OPENAI_BASE_URL: '', OPENCLAW_CONFIG_PATH: join(stateDir, 'no-openclaw.json') },
    });
    let child: ChildProcess | null = null;
    const client = await connectEngine({ stateDir, surface: 'cli' });
    try {
      child = holder(join(home, '.aws', 'credentials'), home, true);
      expect((await e.http('POST', '/api/agents', { name: 'exfil-bot', pid: child.pid })).status).toBe(201);
      const p1 = await waitFor(async () => (await sensorAlerts(e)).find((x) => x.check === 'credentials_then_connect'), 15_000, 'the sequence alert');
      const info = await waitFor(async () => {
        const i = await client.assistant.brief(p1.id);
        return i.state === 'ready' ? i : null;
      }, 15_000, 'the brief');
      expect(info.brief).toMatchObject({ subject_id: p1.id, risk: 'high' });
      const sent = llm.requests.filter((r) => r.body.includes('host sensors raised a P1 alert'));
      expect(sent).toHaveLength(1);
      expect(sent[0]!.body).toContain('exfil-bot read credentials');
      expect(sent[0]!.body).toContain('credentials_then_connect');
      expect(sent[0]!.body).not.toContain('wJalrXUtnFEMI'); // the file's content never reaches the sensors, let alone the model
      await new Promise((r) => setTimeout(r, 500));
      const p2s = (await sensorAlerts(e)).filter((a) => a.severity === 'P2' || a.severity === 'P3');
      expect(p2s.length).toBeGreaterThan(0);
      for (const a of p2s) expect((await client.assistant.brief(a.id).catch((err: Error) => ({ state: err.message })) as { state: string }).state).toMatch(/no task, prompt or P0\/P1 sensor alert/);
      expect(llm.requests.filter((r) => r.body.includes('host sensors raised a'))).toHaveLength(1);
      expect((await sensorAlerts(e)).find((a) => a.id === p1.id)?.acked_at).toBeUndefined();

      // guard.stats over the socket: the denial in blocked_details, the alerts, the operations, and the agent alerting.
      const denied = await e.http('POST', '/api/firewall/check', { command: 'cat ~/.ssh/id_rsa', agent: 'exfil-bot' });
      expect(denied.body.data.decision).toBe('deny');
      const t = await connectTransport({ stateDir, surface: 'cli' });
      try {
        const stats = (await t.call('guard.stats', {})) as GuardStats;
        expect(stats.blocked_details[0]).toMatchObject({ agent: 'exfil-bot', what: 'cat ~/.ssh/id_rsa' });
        expect(stats.anomaly_alerts.map((a) => a.check)).toContain('credentials_then_connect');
        expect(stats.anomaly_alerts.find((a) => a.check === 'credentials_then_connect')).toMatchObject({ agent: 'exfil-bot', severity: 'P1', acked: false });
        expect(stats.monitored_operations.firewall_decisions.deny).toBe(1);
        expect(stats.monitored_operations.files).toBeGreaterThanOrEqual(1);
        expect(stats.monitored_operations.connections).toBe(1);
        expect(stats.health).toEqual([expect.objectContaining({ agent: 'exfil-bot', health: 'alerting', why: expect.stringContaining('credentials_then_connect') })]);
        await client.alerts.ack(p1.id, 'looked at it');
        const after = (await t.call('guard.stats', {})) as GuardStats;
        expect(after.health[0]!.health).not.toBe('alerting');
      } finally {
        await t.close();
      }
      const listed = (await e.http('GET', '/api/agents')).body.data[0].activity;
      expect(listed).toMatchObject({ blocked: 1, connections: 1 });
      expect(listed.history).toHaveLength(30);
    } finally {
      await client.close();
      child?.kill('SIGKILL');
      await e.stop();
      await llm.close();
    }
  });
});
