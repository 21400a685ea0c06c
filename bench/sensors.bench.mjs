// Host sensors (issue 19): the engine's CPU with the audit sensors on under 200 execs/s for a full
// minute (BENCH_SENSOR_SECONDS, default 60), against the same engine with them off in the same run
// (target: at most 5 % of one core more, beside auditd's own); whether every exec of a registered agent
// was counted and the kernel lost no record (0 events lost from audit); the engine's memory before and
// after (bounded); and event → alert latency for the audit source (median ≤ 500 ms) and /proc polling
// (median ≤ poll interval + 100 ms). A miss prints MISSED loudly and exits 1.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fmt, startEngineProcess, tempDir } from './lib/common.mjs';

const RATE = 200;
const SECONDS = Number(process.env.BENCH_SENSOR_SECONDS ?? 60);
const POLL_MS = 100;
const ROUNDS = 15;

function cpuTicks(pid) {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}
const HZ = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);

function auditdPid() {
  const r = spawnSync('auditctl', ['-s'], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  return Number(/^pid (\d+)/m.exec(r.stdout)?.[1] ?? 0);
}

function kernelLost() {
  const r = spawnSync('auditctl', ['-s'], { encoding: 'utf8' });
  return Number(/^lost (\d+)/m.exec(r.stdout)?.[1] ?? 0);
}

function rssMb(pid) {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
}

const misses = [];
function verdict(ok, what) {
  if (!ok) misses.push(what);
  return ok ? 'PASS' : 'MISS';
}

async function startAuditd() {
  if (process.getuid?.() !== 0) return { ok: false, why: 'not root' };
  let pid = auditdPid();
  if (pid === null) return { ok: false, why: 'auditctl -s fails here' };
  if (pid) return { ok: true, pid, stop() {} };
  spawnSync('auditd', []);
  for (let i = 0; i < 100 && !auditdPid(); i++) await new Promise((r) => setTimeout(r, 50));
  pid = auditdPid();
  if (!pid) return { ok: false, why: 'auditd would not start' };
  spawnSync('auditctl', ['-e', '1']);
  return { ok: true, pid, stop: () => process.kill(pid, 'SIGTERM') };
}

async function api(e, method, path, body) {
  const r = await fetch(e.url(path), { method, headers: { authorization: `Bearer ${e.token}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
  return (await r.json()).data;
}

function engineConfig(dir, source) {
  const file = join(dir, `sensors-${source}.yaml`);
  const rules = join(dir, 'rules.yaml');
  writeFileSync(file, `sensors:\n  enabled: ${source !== 'off'}\n  source: ${source === 'off' ? 'auto' : source}\n  poll_interval_ms: ${POLL_MS}\n  rules_file: ${rules}\n  watch_paths: [${join(dir, 'home/.aws')}]\n`);
  return file;
}

/** Runs /bin/true at RATE a second for SECONDS from one registered agent; returns the engine's CPU share and the count. */
async function execLoad(e, agent) {
  // The spawner waits for a line on stdin, so it is registered before its first exec.
  const spawner = spawn(process.execPath, ['-e', `
    const { spawn } = require('node:child_process');
    let n = 0; const total = ${RATE * SECONDS};
    process.stdin.once('data', () => { const t = setInterval(() => { for (let i = 0; i < ${RATE / 50}; i++) if (n++ < total) spawn('/bin/true', { stdio: 'ignore' }); if (n >= total) { clearInterval(t); setTimeout(() => process.exit(0), 500); } }, 20); });
  `], { stdio: ['pipe', 'ignore', 'ignore'] });
  if (agent) await api(e, 'POST', '/api/agents', { name: agent, pid: spawner.pid });
  spawner.stdin.write('go\n');
  const c0 = cpuTicks(e.pid);
  const t0 = Date.now();
  await new Promise((r) => spawner.once('exit', r));
  const wall = (Date.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 1500)); // let the last records arrive
  const cpu = (cpuTicks(e.pid) - c0) / HZ;
  return { share: cpu / (wall + 1.5), wall };
}

async function latency(e, source, home, port) {
  const times = [];
  for (let i = 0; i < ROUNDS; i++) {
    const name = `lat-${source}-${i}`;
    const script = source === 'audit'
      ? ['bash', ['-c', `sleep 0.3; cat "$HOME/.aws/credentials" >/dev/null; curl -s http://127.0.0.1:${port}/ >/dev/null; echo done; sleep 2`]]
      : [process.execPath, ['-e', `const fs=require('fs'),net=require('net');setTimeout(()=>{fs.openSync(process.env.HOME+'/.aws/credentials','r');const s=net.connect(${port},'127.0.0.1',()=>console.log('done'));s.on('error',()=>{});setTimeout(()=>process.exit(0),3000)},300)`]];
    const child = spawn(script[0], script[1], { env: { ...process.env, HOME: home }, stdio: ['ignore', 'pipe', 'ignore'] });
    await api(e, 'POST', '/api/agents', { name, pid: child.pid });
    const connected = await new Promise((r) => child.stdout.once('data', () => r(Date.now())));
    let seen = null;
    while (Date.now() - connected < 10_000) {
      const alerts = await api(e, 'GET', '/api/alerts?limit=200');
      if (alerts.some((a) => a.check === 'credentials_then_connect' && a.message.startsWith(`${name} `))) {
        seen = Date.now();
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill('SIGKILL');
    if (seen) times.push(seen - connected);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)] ?? Infinity, found: times.length };
}

const dir = tempDir();
const home = join(dir, 'home');
mkdirSync(join(home, '.aws'), { recursive: true });
writeFileSync(join(home, '.aws', 'credentials'), '[default]\n');
// The machine reaches only loopback: the rule's "leaves the host" filter is dropped for the bench.
const { DEFAULT_SENSOR_RULES_YAML } = await import('../dist/engine/sensors/sensorRules.js');
writeFileSync(join(dir, 'rules.yaml'), DEFAULT_SENSOR_RULES_YAML.replace('- { event: connect, remote: true }', '- { event: connect }'));
const server = createServer((_q, s) => s.end('ok'));
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;

const auditd = await startAuditd();
if (!auditd.ok) console.log(`WARNING: audit unavailable (${auditd.why}): only /proc figures`);
try {
  if (auditd.ok) {
    const off = await startEngineProcess(['--config', engineConfig(dir, 'off')]);
    const base = await execLoad(off, null);
    await off.stop();
    const on = await startEngineProcess(['--config', engineConfig(dir, 'audit')]);
    const a0 = cpuTicks(auditd.pid);
    const lost0 = kernelLost();
    const rss0 = rssMb(on.pid);
    const loaded = await execLoad(on, 'exec-load');
    const rss1 = rssMb(on.pid);
    const kernelLostN = kernelLost() - lost0;
    const auditdShare = (cpuTicks(auditd.pid) - a0) / HZ / (loaded.wall + 1.5);
    const agents = await api(on, 'GET', '/api/agents');
    const counted = agents.find((a) => a.name === 'exec-load')?.activity?.execs ?? 0;
    const extra = (loaded.share - base.share) * 100;
    console.log(`engine CPU under ${RATE} execs/s for ${SECONDS} s: sensors off ${fmt(base.share * 100, 1)} % of a core, audit sensors on ${fmt(loaded.share * 100, 1)} % = ${fmt(loaded.share / Math.max(base.share, 1e-9), 2)}x; the sensors' own share ${fmt(extra, 1)} % (target <= 5 %) ${verdict(extra <= 5, 'sensor CPU')}; auditd ${fmt(auditdShare * 100, 1)} %`);
    const lost = RATE * SECONDS - counted;
    console.log(`execs of the registered agent counted: ${counted} of ${RATE * SECONDS} (${lost <= 0 ? 'none lost' : `${lost} lost`}); records the kernel lost: ${kernelLostN} ${verdict(lost <= 0 && kernelLostN === 0, 'events lost')}`);
    console.log(`engine memory: ${fmt(rss0, 1)} MB before, ${fmt(rss1, 1)} MB after ${RATE * SECONDS} execs (+${fmt(rss1 - rss0, 1)} MB; bound 100 MB) ${verdict(rss1 - rss0 < 100, 'memory')}`);
    const lat = await latency(on, 'audit', home, port);
    console.log(`event -> alert latency (audit): median ${fmt(lat.median)} ms over ${lat.found} of ${ROUNDS} rounds (target <= 500 ms) ${verdict(lat.median <= 500 && lat.found === ROUNDS, 'audit latency')}`);
    await on.stop();
  }
  const proc = await startEngineProcess(['--config', engineConfig(dir, 'proc')]);
  const lat = await latency(proc, 'proc', home, port);
  console.log(`event -> alert latency (/proc every ${POLL_MS} ms): median ${fmt(lat.median)} ms over ${lat.found} of ${ROUNDS} rounds (target <= ${POLL_MS + 100} ms) ${verdict(lat.median <= POLL_MS + 100 && lat.found === ROUNDS, '/proc latency')}`);
  await proc.stop();
} finally {
  auditd.stop?.();
  server.close();
}
if (misses.length) {
  console.error(`\n*** sensors bench: MISSED ${misses.join(', ')} ***\n`);
  process.exitCode = 1;
}
