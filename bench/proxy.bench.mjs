// MCP proxy overhead: 1,000 sequential `echo` calls to server-everything, in the same run:
//   direct   the host talks to the server (baseline)
//   pipe     a byte pipe through a middle Node process: the floor for a proxy written in Node
//   lean     the same byte pipe as a Perl select loop (when perl is installed): the floor for any
//            proxy in its own process, whatever it is written in
//   relay    runProxy deciding allow in-process: the relay's own cost (framing, parsing, scanning)
//   engine   `gatehouse proxy` as a host runs it, every call decided by a real engine (policy allow
//            rule, ledger write with fsync) over its socket
// Targets (issue 6): throughput >= 0.85x direct, added median latency <= 0.5 ms.
// Then one engine run with timestamps per stage (CLOCK_MONOTONIC is shared by the processes), and the
// socket round trips of the decision on their own.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { BIN, REPO, startEngineProcess, tempDir } from './lib/common.mjs';

const everything = join(REPO, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const dist = (p) => JSON.stringify(pathToFileURL(join(REPO, 'dist', p)).href);
const CALLS = 1000;
const WARMUP = 100;
const ROUNDS = 3;

const dir = tempDir('gh-bench-proxy-');
const policy = join(dir, 'policy.yaml');
writeFileSync(policy, 'version: 1\npolicy: ask\nask_ttl: 60s\ntools:\n  - { server: everything, tool: echo, decision: allow }\n', { mode: 0o600 });
const engine = await startEngineProcess([], { GATEHOUSE_POLICY: policy });

const relay = `
import { runProxy } from ${dist('engine/proxy/runProxy.js')};
const allow = { decision: 'allow', source: 'policy', rule: 'bench', reason: '', segments: [], request_id: 'bench' };
const r = await runProxy({ command: process.execPath, args: [${JSON.stringify(everything)}, 'stdio'], input: process.stdin, output: process.stdout,
  serverName: 'everything', agent: 'bench', decide: async () => allow, onAlert: () => {} });
process.exit(r.exitCode);`;

const pipe = `
import { spawn } from 'node:child_process';
const c = spawn(process.execPath, [${JSON.stringify(everything)}, 'stdio'], { stdio: ['pipe', 'pipe', 'ignore'] });
process.stdin.pipe(c.stdin); c.stdout.pipe(process.stdout); c.on('exit', () => process.exit(0));`;

// sysread/syswrite in a select loop: no stream machinery between the two pipes.
const lean = `
use IPC::Open2; use IO::Select;
my $pid = open2(my $out, my $in, @ARGV);
my $sel = IO::Select->new(\\*STDIN, $out);
while (1) { for my $fh ($sel->can_read) { my $n = sysread($fh, my $buf, 65536); exit 0 unless $n; syswrite($fh == $out ? \\*STDOUT : $in, $buf); } }`;
const PERL = ['/usr/bin/perl', '/bin/perl'].find((p) => existsSync(p));

const MODES = {
  direct: [everything, 'stdio'],
  pipe: ['--input-type=module', '-e', pipe],
  ...(PERL ? { lean: { command: PERL, args: ['-e', lean, process.execPath, everything, 'stdio'] } } : {}),
  relay: ['--input-type=module', '-e', relay],
  engine: [BIN, '--state-dir', engine.stateDir, 'proxy', '--server-name', 'everything', '--', process.execPath, everything, 'stdio'],
};

/** CPU time (ns) the process has run, from /proc (Linux); null elsewhere. */
function cpuNs(pid) {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return null;
  }
}

/** A mode is node's arguments, or {command, args} for another program. */
async function session(mode) {
  const { command, args } = Array.isArray(mode) ? { command: process.execPath, args: mode } : mode;
  const transport = new StdioClientTransport({ command, args, stderr: 'ignore' });
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(transport);
  await client.listTools();
  for (let i = 0; i < WARMUP; i++) await client.callTool({ name: 'echo', arguments: { message: `w${i}` } });
  return { client, transport };
}

async function measure(mode) {
  const { client, transport } = await session(MODES[mode]);
  const cpu0 = cpuNs(transport.pid);
  const lat = new Float64Array(CALLS);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) {
    const s = process.hrtime.bigint();
    await client.callTool({ name: 'echo', arguments: { message: `message ${i}` } });
    lat[i] = Number(process.hrtime.bigint() - s) / 1e6;
  }
  const totalMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu1 = cpuNs(transport.pid);
  await client.close();
  const sorted = [...lat].sort((a, b) => a - b);
  return { perSec: (CALLS / totalMs) * 1000, median: sorted[CALLS >> 1], p99: sorted[Math.floor(CALLS * 0.99)], cpuUs: cpu0 === null || cpu1 === null ? null : (cpu1 - cpu0) / CALLS / 1000 };
}

// Interleave rounds and keep each mode's best: the machine is shared and noisy.
const runs = Object.fromEntries(Object.keys(MODES).map((m) => [m, []]));
for (let r = 0; r < ROUNDS; r++) for (const m of Object.keys(MODES)) runs[m].push(await measure(m));
const best = (xs) => xs.reduce((a, b) => (b.perSec > a.perSec ? b : a));
const medianOf = (xs, k) => [...xs.map((x) => x[k])].sort((a, b) => a - b)[xs.length >> 1];
const fmt = (x) => Math.round(x).toLocaleString('en-US');
const [d, f, rl, en] = ['direct', 'pipe', 'relay', 'engine'].map((m) => best(runs[m]));
const cpu = (m) => (medianOf(runs[m], 'cpuUs') === null ? '' : `; ${fmt(medianOf(runs[m], 'cpuUs'))} us CPU per call in the process the host talks to`);
const line = (label, x, m) =>
  console.log(`${label}: ${fmt(x.perSec)} calls/s = ${(x.perSec / d.perSec).toFixed(2)}x direct, ${(x.perSec / f.perSec).toFixed(2)}x the byte-pipe floor (median ${x.median.toFixed(3)} ms, p99 ${x.p99.toFixed(3)} ms${cpu(m)})`);
console.log(`direct echo calls/s: ${fmt(d.perSec)} (baseline; median ${d.median.toFixed(3)} ms, p99 ${d.p99.toFixed(3)} ms${cpu('direct')})`);
console.log(`byte-pipe middle process (node): ${fmt(f.perSec)} calls/s = ${(f.perSec / d.perSec).toFixed(2)}x direct: the floor for a proxy written in Node (median ${f.median.toFixed(3)} ms${cpu('pipe')})`);
if (runs.lean) {
  const l = best(runs.lean);
  console.log(`byte-pipe middle process (perl select loop): ${fmt(l.perSec)} calls/s = ${(l.perSec / d.perSec).toFixed(2)}x direct: the floor for any proxy in its own process (median ${l.median.toFixed(3)} ms${cpu('lean')})`);
}
line('proxy relay, allow decided in-process (target >= 0.85x direct)', rl, 'relay');
line('gatehouse proxy, every call decided by the engine', en, 'engine');
for (const m of ['relay', 'engine']) {
  const added = medianOf(runs[m], 'median') - medianOf(runs.direct, 'median');
  console.log(`added median latency, ${m}: ${added.toFixed(3)} ms (median of ${ROUNDS} rounds each; target <= 0.5 ms)`);
}

// ---------------------------------------------------------------- where an engine-decided call spends its time
const trace = join(dir, 'trace.json');
const traced = `
import { writeFileSync } from 'node:fs';
import { runProxy } from ${dist('engine/proxy/runProxy.js')};
import { engineDecider } from ${dist('engine/proxy/engineDecider.js')};
import { connectTransport } from ${dist('client/ipcClient.js')};
import { clientOver } from ${dist('client/rpcClient.js')};
import { findSecrets } from ${dist('engine/monitor/secrets.js')};
const t = { in: [], start: [], end: [], out: [] };
const now = () => Number(process.hrtime.bigint());
// A second 'data' listener and a wrapped write only read the clock: the relay itself is the real one.
process.stdin.on('data', () => t.in.push(now()));
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, ...rest) => (chunk.length > 0 && t.out.push(now()), write(chunk, ...rest));
const log = { debug() {}, info() {}, warn() {}, error() {} };
const link = async ({ stateDir }) => { const c = await connectTransport({ stateDir, surface: 'ipc', callTimeoutMs: 0 }); return { client: clientOver(c), isOpen: () => !c.socket.destroyed }; };
const fromEngine = engineDecider(link, ${JSON.stringify(engine.stateDir)}, 'bench', log);
const decide = async (call, ctx) => { t.start.push(now()); try { return await fromEngine(call, ctx); } finally { t.end.push(now()); } };
const r = await runProxy({ command: process.execPath, args: [${JSON.stringify(everything)}, 'stdio'], input: process.stdin, output: process.stdout,
  serverName: 'everything', agent: 'bench', decide, onAlert: () => {}, scanText: (s) => findSecrets(s).map((f) => ({ kind: f.rule, excerpt: f.masked })) });
writeFileSync(${JSON.stringify(trace)}, JSON.stringify(t));
process.exit(r.exitCode);`;
{
  const { client, transport } = await session(['--input-type=module', '-e', traced]);
  const sent = [];
  const got = [];
  for (let i = 0; i < CALLS; i++) {
    sent.push(Number(process.hrtime.bigint()));
    await client.callTool({ name: 'echo', arguments: { message: `message ${i}` } });
    got.push(Number(process.hrtime.bigint()));
  }
  const exited = new Promise((r) => transport._process?.once('exit', r));
  await client.close();
  await exited;
  const t = JSON.parse(readFileSync(trace, 'utf8'));
  const last = (a) => a.slice(a.length - CALLS);
  const [inAt, start, end, out] = [t.in, t.start, t.end, t.out].map(last);
  const med = (f) => (Array.from({ length: CALLS }, (_, i) => f(i) / 1e6).sort((a, b) => a - b)[CALLS >> 1]).toFixed(3);
  console.log(`stages of an engine-decided call, medians over ${fmt(CALLS)} calls (ms):`);
  console.log(`  whole call, as the host sees it          ${med((i) => got[i] - sent[i])}`);
  console.log(`  host → proxy (pipe hop, read)            ${med((i) => inAt[i] - sent[i])}`);
  console.log(`  framing, parse, params, sequence rules   ${med((i) => start[i] - inAt[i])}`);
  console.log(`  decision: socket round trip + engine     ${med((i) => end[i] - start[i])}`);
  console.log(`  forward, server, answer back, scan       ${med((i) => out[i] - end[i])}`);
  console.log(`  proxy → host (pipe hop, SDK parse)       ${med((i) => got[i] - out[i])}`);
}

// ---------------------------------------------------------------- the decision's socket round trips alone
{
  const { connectEngine } = await import(pathToFileURL(join(REPO, 'dist/client/ipcClient.js')).href);
  const req = { tool: { server: 'everything', tool: 'echo', args: { message: 'x' } }, agent: 'bench', wait: true };
  const rtt = async (n, f) => {
    const xs = [];
    for (let i = 0; i < n; i++) {
      const s = process.hrtime.bigint();
      await f();
      xs.push(Number(process.hrtime.bigint() - s) / 1e6);
    }
    return xs.sort((a, b) => a - b)[n >> 1].toFixed(3);
  };
  const c = await connectEngine({ stateDir: engine.stateDir, surface: 'ipc', callTimeoutMs: 0 });
  const status = await rtt(CALLS, () => c.status());
  const check = await rtt(CALLS, () => c.firewall.check(req));
  await c.close();
  const fresh = await rtt(300, async () => {
    const k = await connectEngine({ stateDir: engine.stateDir, surface: 'ipc', callTimeoutMs: 0 });
    await k.firewall.check(req);
    await k.close();
  });
  console.log(`engine socket, medians (ms): status ${status} (a round trip doing nothing); firewall.check on a kept connection ${check} (evaluate + ledger commit with fsync); connect + hello + check + close ${fresh} (one connection per decision, as before)`);
}

await engine.stop();
