// Containment (docs/containment.md), each figure against a baseline measured in the same run:
//  1. starting a command in the sandbox (bwrap, namespaces, masks; with and without the socat bridge to
//     the egress proxy) vs a bare spawn of /bin/true: median added milliseconds (target ≤ +15 ms); the
//     bridge's start awaited both ways (A: polling /proc/net/tcp with forked sleeps, B: bash coprocess
//     reading socat's "listening" line, the default; C: a warm network namespace from the engine's pool,
//     socat already listening in it, verified by inode and entered with nsenter; the timed part is the
//     wrapper's check and the start, the pool's refill runs meanwhile as it does in use); run as root, the
//     same figures are then measured by a copy of this bench as `nobody` (setpriv), where the warm namespaces
//     are held in user namespaces of the engine's uid and the cold sandbox makes a user namespace of its own;
//  2. 100 MB through the egress proxy (CONNECT over its unix socket, and through a socat bridge as the
//     sandbox reaches it) vs a direct loopback TCP connection: throughput ratio (target ≥ 0.8×); the
//     tunnel relayed four ways (A: stream pipe(), B: the proxy's own 512 KiB reads, C: B, then handed
//     to a socat relay after HANDOFF_AFTER bytes that asks for a RELAY_SNDBUF send buffer, the default;
//     D: C with the kernel's default send buffer);
//     2b. the same through a warm slot as a warm sandbox reaches it (client in the slot's namespace): the
//     engine's own listener on the slot's proxy port vs a socat bridge in the slot (the way before), and direct;
//     and the connection setup of both (CONNECT with a cached allow, from inside the slot);
//  3. added latency per connection with a cached allow: CONNECT through the proxy to an allowed
//     127.0.0.2 server vs a direct TCP connect to it, median of each (target ≤ 1 ms); the cached allow's
//     record A: added to the group commit at once (its transaction runs before the connect completes),
//     B: queued for 5 ms (the default); C: the same through SOCKS5 (greeting, then the request, each
//     awaited as curl awaits them), record queued as B.
// The proxy is the real engine's (in-process, quiet) with its real policy, ledger and group commit.
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { Engine } from '../dist/engine/engine.js';
import { BRIDGE_BUFFER, buildSandbox, probeSandbox } from '../dist/engine/contain/sandbox.js';
import { openWarmNetns, warmEntry } from '../dist/cli/warmNetns.js';
import { startEgressProxy } from '../dist/engine/contain/egressProxy.js';
import { HANDOFF_AFTER, RELAY_SNDBUF } from '../dist/engine/contain/tunnelHandoff.js';
import { tempDir } from './lib/common.mjs';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (n) => `${n.toFixed(2)} ms`;
const MB = 1024 * 1024;
/** Set in the copy of this bench that measures the sandbox's start as a user that is not root (section 1 only). */
const START_ONLY = process.env.GH_BENCH_CONTAIN_START_ONLY === '1';

const probe = probeSandbox(true);
if (!probe.ok) {
  console.log(`contain: SKIPPED: ${probe.problem}`);
  process.exit(0);
}

// A sink/source server on 127.0.0.2: sends `bytes` then closes, or answers at once for latency.
const payload = Buffer.alloc(4 * MB, 7);
const source = createServer((s) => {
  s.once('data', (d) => {
    const want = Number(d.toString().trim());
    if (!want) return s.end();
    let sent = 0;
    const pump = () => {
      while (sent < want) {
        const chunk = payload.subarray(0, Math.min(payload.length, want - sent));
        sent += chunk.length;
        if (!s.write(chunk)) return s.once('drain', pump);
      }
      s.end();
    };
    pump();
  });
  s.on('error', () => {});
});
await new Promise((r) => source.listen(0, '127.0.0.2', r));
const port = source.address().port;

const root = tempDir('gh-bench-contain-');
const policyFile = join(root, 'policy.yaml');
writeFileSync(policyFile, `version: 1\npolicy: allowlist\nnetwork:\n  default: deny\n  allow: ["127.0.0.2:${port}"]\n`);
mkdirSync(join(root, 'ws'));
const engine = await Engine.start({ stateDir: join(root, 'state'), quiet: true, env: { ...process.env, XDG_CONFIG_HOME: join(root, 'cfg'), GATEHOUSE_POLICY: policyFile } });
const holder = new AbortController();
const session = await engine.contain.open({ agent: 'bench', command: 'bench' }, holder.signal);
const proxyPath = session.proxy_socket;
// Variant A of the relay: a second proxy for the same session's decisions, relaying with pipe().
const owner = { session: session.id, agent: 'bench', command: 'bench', task_id: null, cwd: null };
const pipedProxy = await startEgressProxy(join(root, 'state', 'egress', 'piped.sock'), (h, p) => engine.contain.gate.decide(owner, h, p), engine.logger, { relay: 'pipe' });
// Variant B: the engine's own reads all the way (no hand-off to socat); C, the session's proxy, is the default.
const readProxy = await startEgressProxy(join(root, 'state', 'egress', 'read.sock'), (h, p) => engine.contain.gate.decide(owner, h, p), engine.logger, { handoffAfter: null });
// Variant D: handed to socat, with the kernel's default send buffer on the client's socket.
const defaultBufProxy = await startEgressProxy(join(root, 'state', 'egress', 'defbuf.sock'), (h, p) => engine.contain.gate.decide(owner, h, p), engine.logger, { relaySndbuf: null });

// --- 1. sandbox start ---------------------------------------------------------------------------------
function timeSpawn(file, args, env) {
  const t0 = performance.now();
  const r = spawnSync(file, args, { env, stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${file} exited ${r.status}`);
  return performance.now() - t0;
}
const spec = (proxySocket, bridge) => ({ section: session.sandbox, workspace: join(root, 'ws'), stateDir: join(root, 'state'), proxySocket, env: process.env, bridge });
const noNet = buildSandbox(['/bin/true'], spec(null));
const withPoll = buildSandbox(['/bin/true'], spec(proxyPath, 'poll'));
const withCoproc = buildSandbox(['/bin/true'], spec(proxyPath, 'coproc'));
// C: each run claims a fresh warm slot (single use), as `gatehouse exec` does; waiting for the spare is untimed.
const warmOn = engine.contain.warm.status().size > 0;
async function timeWarm() {
  const t = Date.now();
  while (engine.contain.warm.status().ready < 1) {
    if (Date.now() - t > 10_000) throw new Error('no warm network namespace became ready');
    await new Promise((r) => setTimeout(r, 5));
  }
  const gone = new AbortController();
  const s = await engine.contain.open({ agent: 'bench', command: 'bench', warm: true }, gone.signal);
  const t0 = performance.now();
  const netns = openWarmNetns(s.warm_network, undefined, process.pid, warmEntry() ?? 'root');
  if (!netns) throw new Error('the warm namespace failed its check');
  const b = buildSandbox(['/bin/true'], { ...spec(s.proxy_socket, 'coproc'), warm: { netns: netns.path, ...(netns.userPath ? { userns: netns.userPath } : {}) } });
  const r = spawnSync(b.file, b.args, { env: b.env, stdio: 'ignore' });
  netns.close();
  const took = performance.now() - t0;
  if (r.status !== 0) throw new Error(`warm sandbox exited ${r.status}`);
  gone.abort();
  return took;
}
const bare = [];
const sbx = [];
const sbxPoll = [];
const sbxCoproc = [];
const sbxWarm = [];
for (let i = 0; i < 5; i++) timeSpawn(noNet.file, noNet.args, noNet.env);
for (let i = 0; i < 40; i++) {
  bare.push(timeSpawn('/bin/true', [], process.env));
  sbx.push(timeSpawn(noNet.file, noNet.args, noNet.env));
  sbxPoll.push(timeSpawn(withPoll.file, withPoll.args, withPoll.env));
  sbxCoproc.push(timeSpawn(withCoproc.file, withCoproc.args, withCoproc.env));
  if (warmOn) sbxWarm.push(await timeWarm());
}
const plus = (xs) => `${ms(median(xs))} (+${ms(median(xs) - median(bare))})`;
const warmStatus = engine.contain.warm.status();
const warmFigure = warmOn ? plus(sbxWarm) : `off (${warmStatus.off})`;
const who = process.getuid() === 0 ? 'as root' : `not root (uid ${process.getuid()}, warm namespaces ${warmStatus.mode ?? 'off'})`;
console.log(`sandbox start ${who} (median of 40, interleaved): bare spawn of true ${ms(median(bare))}; sandboxed ${plus(sbx)}; with the proxy bridge, A polled ${plus(sbxPoll)}, B coprocess (cold) ${plus(sbxCoproc)}, C warm namespace (the default where on) ${warmFigure}; target ≤ +15 ms`);
if (START_ONLY) {
  holder.abort();
  await engine.stop('bench done');
  source.close();
  process.exit(0);
}

// --- 2. bulk throughput -------------------------------------------------------------------------------
// The reading client runs in its own process, and the source in another (below), so that the direct and
// the proxied transfers both cross processes and the proxy is the only extra work on the engine's thread.
const CLIENT = `
const net = require('node:net');
const [mode, target, total] = [process.argv[1], process.argv[2], Number(process.argv[3])];
const [host, port, path] = target.split(',');
const s = mode === 'direct' ? net.connect({ host, port: Number(port) }) : path ? net.connect(path) : net.connect({ host, port: Number(port) });
let got = 0, head = mode === 'direct', t0 = 0;
s.on('connect', () => { t0 = performance.now(); if (mode === 'direct') s.write(total + '\\n'); else s.write('CONNECT 127.0.0.2:' + process.argv[4] + ' HTTP/1.1\\r\\n\\r\\n'); });
s.on('data', (d) => { if (!head) { const i = d.indexOf('\\r\\n\\r\\n'); if (i < 0) return; head = true; d = d.subarray(i + 4); s.write(total + '\\n'); } got += d.length; });
s.on('end', () => { process.stdout.write(String(got >= total ? performance.now() - t0 : -1)); });
`;
const SOURCE = `
const net = require('node:net');
const payload = Buffer.alloc(4 * 1024 * 1024, 7);
const srv = net.createServer((s) => { s.once('data', (d) => { const want = Number(d.toString().trim()); if (!want) return s.end(); let sent = 0;
  const pump = () => { while (sent < want) { const c = payload.subarray(0, Math.min(payload.length, want - sent)); sent += c.length; if (!s.write(c)) return s.once('drain', pump); } s.end(); }; pump(); }); s.on('error', () => {}); });
srv.listen(0, '127.0.0.2', () => process.stdout.write(String(srv.address().port) + '\\n'));
`;
const sourceProc = spawn(process.execPath, ['-e', SOURCE], { stdio: ['ignore', 'pipe', 'inherit'] });
process.on('exit', () => sourceProc.kill());
const bulkPort = await new Promise((r) => sourceProc.stdout.once('data', (d) => r(Number(String(d).trim()))));
// The engine's policy names the bulk source's port too (a gatehouse edit, trusted as written).
const { addNetworkRule } = await import('../dist/engine/contain/networkRuleEdit.js');
engine.guard.writeTrusted(addNetworkRule(engine.guard.policy.text, `127.0.0.2:${bulkPort}`, null), 'bench');
function runClient(mode, target, total) {
  const r = spawnSync(process.execPath, ['-e', CLIENT, mode, target, String(total), String(bulkPort)], { encoding: 'utf8' });
  const t = Number(r.stdout);
  if (!(t > 0)) throw new Error(`bulk ${mode} failed: ${r.stdout} ${r.stderr}`);
  return t;
}
// spawnSync would block the engine's thread: run the client asynchronously instead.
function runClientAsync(mode, target, total) {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ['-e', CLIENT, mode, target, String(total), String(bulkPort)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.on('close', () => (Number(out) > 0 ? resolve(Number(out)) : reject(new Error(`bulk ${mode} failed: ${out}`))));
  });
}
void runClient;
// The bridge the sandbox uses, on the host: socat from a TCP port to the proxy's unix socket.
const bridgePort = 20000 + Math.floor(Math.random() * 20000);
const socat = spawn('socat', ['-b', String(BRIDGE_BUFFER), `TCP-LISTEN:${bridgePort},bind=127.0.0.1,fork,reuseaddr`, `UNIX-CONNECT:${proxyPath}`], { stdio: 'ignore' });
process.on('exit', () => socat.kill());
await new Promise((r) => setTimeout(r, 300));
const total = 100 * MB;
const bridgeRead = bridgePort + 1;
const socatRead = spawn('socat', ['-b', String(BRIDGE_BUFFER), `TCP-LISTEN:${bridgeRead},bind=127.0.0.1,fork,reuseaddr`, `UNIX-CONNECT:${defaultBufProxy.path}`], { stdio: 'ignore' });
process.on('exit', () => socatRead.kill());
await new Promise((r) => setTimeout(r, 300));
const rounds = { direct: [], proxyA: [], proxyB: [], proxyC: [], proxyD: [], bridgeC: [], bridgeD: [] };
for (let i = 0; i < 5; i++) {
  rounds.direct.push(await runClientAsync('direct', `127.0.0.2,${bulkPort}`, total));
  rounds.proxyA.push(await runClientAsync('proxy', `,,${pipedProxy.path}`, total));
  rounds.proxyB.push(await runClientAsync('proxy', `,,${readProxy.path}`, total));
  rounds.proxyC.push(await runClientAsync('proxy', `,,${proxyPath}`, total));
  rounds.proxyD.push(await runClientAsync('proxy', `,,${defaultBufProxy.path}`, total));
  rounds.bridgeC.push(await runClientAsync('proxy', `127.0.0.1,${bridgePort}`, total));
  rounds.bridgeD.push(await runClientAsync('proxy', `127.0.0.1,${bridgeRead}`, total));
}
const mbps = (t) => (100 / (t / 1000)).toFixed(0);
const best = (xs) => Math.min(...xs);
const vs = (k) => `${mbps(best(rounds[k]))} MB/s (${(best(rounds.direct) / best(rounds[k])).toFixed(2)}×)`;
console.log(
  `bulk 100 MB (best of 5, interleaved, client and source in their own processes): direct ${mbps(best(rounds.direct))} MB/s; through the proxy A pipe() ${vs('proxyA')}, B own reads ${vs('proxyB')}, C handed to socat after ${HANDOFF_AFTER / 1024} KiB with a ${RELAY_SNDBUF / MB} MiB send buffer (default) ${vs('proxyC')}, D C with the kernel's send buffer ${vs('proxyD')}; through socat + proxy C ${vs('bridgeC')}, D ${vs('bridgeD')}; target ≥ 0.8×`,
);
socatRead.kill();

// 2b. The same through a warm slot, as a warm sandbox reaches it: the client in the slot's network namespace
// (nsenter), to 127.0.0.1:3128 there, a socket the engine holds and hands to the session's proxy (C), vs a socat
// bridge in the same namespace to the same proxy's unix socket (the warm slots' way before), vs direct.
if (warmOn) {
  const t = Date.now();
  while (engine.contain.warm.status().ready < 1) {
    if (Date.now() - t > 10_000) throw new Error('no warm network namespace became ready');
    await new Promise((r) => setTimeout(r, 5));
  }
  const gone = new AbortController();
  const ws = await engine.contain.open({ agent: 'bench', command: 'bench', warm: true }, gone.signal);
  const w = ws.warm_network;
  const enter = [...(w.userns_ino ? [`--user=/proc/${w.netns_pid}/ns/user`] : []), `--net=/proc/${w.netns_pid}/ns/net`, ...(w.userns_ino ? ['--preserve-credentials'] : [])];
  const inSlotBridge = spawn('nsenter', [...enter, '--', 'socat', '-b', String(BRIDGE_BUFFER), 'TCP-LISTEN:3129,bind=127.0.0.1,fork,reuseaddr', `UNIX-CONNECT:${ws.proxy_socket}`], { stdio: 'ignore' });
  process.on('exit', () => inSlotBridge.kill());
  await new Promise((r) => setTimeout(r, 300));
  const inSlot = (port) =>
    new Promise((resolve, reject) => {
      const c = spawn('nsenter', [...enter, '--', process.execPath, '-e', CLIENT, 'proxy', `127.0.0.1,${port}`, String(total), String(bulkPort)], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      c.stdout.on('data', (d) => (out += d));
      c.on('close', () => (Number(out) > 0 ? resolve(Number(out)) : reject(new Error(`bulk in the warm slot failed: ${out}`))));
    });
  const warmRounds = { direct: [], listener: [], bridge: [] };
  for (let i = 0; i < 5; i++) {
    warmRounds.direct.push(await runClientAsync('direct', `127.0.0.2,${bulkPort}`, total));
    warmRounds.listener.push(await inSlot(3128));
    warmRounds.bridge.push(await inSlot(3129));
  }
  const wvs = (k) => `${mbps(best(warmRounds[k]))} MB/s (${(best(warmRounds.direct) / best(warmRounds[k])).toFixed(2)}×, median ${(median(warmRounds.direct) / median(warmRounds[k])).toFixed(2)}×)`;
  console.log(`bulk 100 MB through a warm slot, client in its namespace (best of 5, interleaved): direct ${mbps(best(warmRounds.direct))} MB/s; the engine's own listener on the slot's proxy port (default) ${wvs('listener')}; a socat bridge in the slot to the proxy's socket ${wvs('bridge')}; target ≥ 0.8×`);
  // Connection setup as the sandbox sees it (CONNECT, cached allow, to the first byte of the answer): the engine's
  // listener vs the bridge, which forks a socat per connection; one client process in the slot, interleaved.
  const SETUP = `
const net = require('node:net');
const one = (port) => new Promise((r) => { const t0 = performance.now(); const s = net.connect({ host: '127.0.0.1', port });
  s.on('error', () => r(-1)); s.on('connect', () => s.write('CONNECT 127.0.0.2:' + process.argv[1] + ' HTTP/1.1\\r\\n\\r\\n'));
  s.once('data', () => { const t = performance.now() - t0; s.end('0\\n'); r(t); }); });
(async () => { const out = { listener: [], bridge: [] }; for (let i = 0; i < 200; i++) { out.listener.push(await one(3128)); out.bridge.push(await one(3129)); }
  process.stdout.write(JSON.stringify(out)); })();`;
  const setup = await new Promise((resolve, reject) => {
    const c = spawn('nsenter', [...enter, '--', process.execPath, '-e', SETUP, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.on('close', () => {
      try {
        resolve(JSON.parse(out));
      } catch {
        reject(new Error(`connection setup in the warm slot failed: ${out}`));
      }
    });
  });
  if ([...setup.listener, ...setup.bridge].some((t) => t < 0)) throw new Error('a connection in the warm slot failed');
  console.log(`connection setup in a warm slot (CONNECT, cached allow, median of 200, interleaved): the engine's own listener (default) ${ms(median(setup.listener))}; a socat bridge in the slot ${ms(median(setup.bridge))}`);
  inSlotBridge.kill();
  gone.abort();
} else console.log(`bulk through a warm slot: off (${engine.contain.warm.status().off})`);
sourceProc.kill();

// --- 3. per-connection latency with a cached allow ------------------------------------------------------
async function connectDirect() {
  const t0 = performance.now();
  const s = connect({ host: '127.0.0.2', port });
  s.on('error', () => {});
  await new Promise((r) => s.once('connect', r));
  const t = performance.now() - t0;
  s.end('0\n');
  return t;
}
async function connectProxy() {
  const t0 = performance.now();
  const s = connect(proxyPath);
  s.on('error', () => {});
  s.write(`CONNECT 127.0.0.2:${port} HTTP/1.1\r\n\r\n`);
  await new Promise((r) => s.once('data', r));
  const t = performance.now() - t0;
  s.end('0\n');
  return t;
}
async function connectSocks() {
  const t0 = performance.now();
  const s = connect(proxyPath);
  s.on('error', () => {});
  s.write(Buffer.from([5, 1, 0]));
  let got = 0;
  await new Promise((r) =>
    s.on('data', (d) => {
      got += d.length;
      if (got === 2) s.write(Buffer.from([5, 1, 0, 1, 127, 0, 0, 2, port >> 8, port & 255]));
      if (got >= 12) r();
    }),
  );
  const t = performance.now() - t0;
  s.removeAllListeners('data');
  s.end('0\n');
  return t;
}
await connectProxy(); // the first allow fills the cache
const direct = [];
const proxiedA = [];
const proxiedB = [];
const socksC = [];
for (let i = 0; i < 300; i++) {
  direct.push(await connectDirect());
  engine.contain.gate.cachedRecordDelayMs = 0;
  proxiedA.push(await connectProxy());
  engine.contain.gate.cachedRecordDelayMs = 5;
  proxiedB.push(await connectProxy());
  socksC.push(await connectSocks());
}
const added = (xs) => `${ms(median(xs))} (+${ms(median(xs) - median(direct))})`;
console.log(`connection setup (median of 300, interleaved): direct TCP ${ms(median(direct))}; CONNECT through the proxy with a cached allow, A record committed at once ${added(proxiedA)}, B record queued 5 ms (default) ${added(proxiedB)}, C SOCKS5 as B ${added(socksC)}; target ≤ 1 ms`);
await pipedProxy.close();
await readProxy.close();
await defaultBufProxy.close();

socat.kill();
holder.abort();
await engine.stop('bench done');
source.close();

// --- 1 again, not root: this bench's start section as nobody, its temp files in a dir of nobody's ----------
if (process.getuid() === 0 && spawnSync('setpriv', ['--version'], { stdio: 'ignore' }).status === 0 && spawnSync('id', ['-u', 'nobody'], { stdio: 'ignore' }).status === 0) {
  const dir = mkdtempSync('/var/tmp/gh-bench-contain-nobody-');
  chownSync(dir, 65534, 65534);
  const r = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, new URL(import.meta.url).pathname], {
    env: { ...process.env, TMPDIR: dir, HOME: dir, GH_BENCH_CONTAIN_START_ONLY: '1' },
    encoding: 'utf8',
  });
  process.stdout.write(r.stdout);
  if (r.status !== 0) console.log(`sandbox start not root: FAILED (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  rmSync(dir, { recursive: true, force: true });
}
