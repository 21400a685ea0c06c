// MCP proxy overhead: 1,000 sequential `echo` calls to server-everything through the proxy (allow
// decision) vs directly, in the same run. Targets: throughput >= 0.85x direct, added median latency <= 0.5 ms.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const everything = join(root, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const runProxyUrl = pathToFileURL(join(root, 'dist/engine/proxy/runProxy.js')).href;
const CALLS = 1000;
const WARMUP = 100;

// The proxy as its own process, as a host would run it, deciding allow in-process (no engine round trip).
const runner = `
import { runProxy } from ${JSON.stringify(runProxyUrl)};
const allow = { decision: 'allow', source: 'policy', rule: 'bench', reason: '', segments: [], request_id: 'bench' };
const r = await runProxy({ command: process.execPath, args: [${JSON.stringify(everything)}, 'stdio'], input: process.stdin, output: process.stdout,
  serverName: 'everything', agent: 'bench', decide: async () => allow, onAlert: () => {} });
process.exit(r.exitCode);`;

// A byte pipe through a middle process: the floor for any proxy that runs as its own process.
const pipeOnly = `
import { spawn } from 'node:child_process';
const c = spawn(process.execPath, [${JSON.stringify(everything)}, 'stdio'], { stdio: ['pipe', 'pipe', 'ignore'] });
process.stdin.pipe(c.stdin); c.stdout.pipe(process.stdout); c.on('exit', () => process.exit(0));`;

async function measure(mode) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: mode === 'direct' ? [everything, 'stdio'] : ['--input-type=module', '-e', mode === 'proxy' ? runner : pipeOnly],
    stderr: 'ignore',
  });
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(transport);
  await client.listTools();
  for (let i = 0; i < WARMUP; i++) await client.callTool({ name: 'echo', arguments: { message: `w${i}` } });
  const lat = new Float64Array(CALLS);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) {
    const s = process.hrtime.bigint();
    await client.callTool({ name: 'echo', arguments: { message: `message ${i}` } });
    lat[i] = Number(process.hrtime.bigint() - s) / 1e6;
  }
  const totalMs = Number(process.hrtime.bigint() - t0) / 1e6;
  await client.close();
  const sorted = [...lat].sort((a, b) => a - b);
  return { perSec: (CALLS / totalMs) * 1000, median: sorted[CALLS >> 1], p99: sorted[Math.floor(CALLS * 0.99)] };
}

// Interleave rounds and keep each side's best: the machine is shared and noisy.
const rounds = 3;
const direct = [];
const proxied = [];
const piped = [];
for (let r = 0; r < rounds; r++) {
  direct.push(await measure('direct'));
  proxied.push(await measure('proxy'));
  piped.push(await measure('pipe'));
}
const best = (xs) => xs.reduce((a, b) => (b.perSec > a.perSec ? b : a));
const medianOf = (xs, k) => [...xs.map((x) => x[k])].sort((a, b) => a - b)[xs.length >> 1];
const d = best(direct);
const p = best(proxied);
const fmt = (x) => Math.round(x).toLocaleString('en-US');
console.log(`direct echo calls/s: ${fmt(d.perSec)} (baseline; median ${d.median.toFixed(3)} ms, p99 ${d.p99.toFixed(3)} ms)`);
console.log(`proxied echo calls/s: ${fmt(p.perSec)} (${(p.perSec / d.perSec).toFixed(2)}x direct, target >= 0.85x; median ${p.median.toFixed(3)} ms, p99 ${p.p99.toFixed(3)} ms)`);
const f = best(piped);
console.log(`byte-pipe middle process calls/s: ${fmt(f.perSec)} (${(f.perSec / d.perSec).toFixed(2)}x direct: the floor for any out-of-process proxy; proxy vs this floor ${(p.perSec / f.perSec).toFixed(2)}x)`);
const added = medianOf(proxied, 'median') - medianOf(direct, 'median');
console.log(`added median latency: ${added.toFixed(3)} ms (median of ${rounds} rounds each; target <= 0.5 ms)`);
