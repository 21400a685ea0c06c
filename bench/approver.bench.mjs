// Approval round trip through the approver link vs calling the same loopback approver directly
// with fetch, in the same run. Target: link median latency <= 1.3x the direct median.
// The approver runs in a child process so that it does not share the measured event loop.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { ApproverLink } from '../dist/engine/approver/approverLink.js';
import { ApprovalConfigSchema } from '../dist/engine/approver/approvalConfig.js';

const APPROVER = `
const http = require('node:http');
const s = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ approved: true, reason: 'ok', constraints: [{ type: 'cost_limit', value: 2, reason: 'cap' }], retry_after_seconds: null }));
  });
});
s.keepAliveTimeout = 60000;
s.listen(0, '127.0.0.1', () => console.log(s.address().port));
`;

const child = spawn(process.execPath, ['-e', APPROVER], { stdio: ['ignore', 'pipe', 'inherit'] });
const [line] = await once(child.stdout, 'data');
const url = `http://127.0.0.1:${String(line).trim()}`;

const config = ApprovalConfigSchema.parse({ enabled: true, assistant_url: url, api_key: 'bench-key', timeout_ms: 5000 });
const link = new ApproverLink({ config });

let n = 0;
const task = () => ({ task_id: `b${++n}`, task_type: 'chat', description: 'bench', estimated_cost: 0.5, estimated_duration_ms: 1000, context: { agent: 'bench' } });

async function direct() {
  const t = task();
  const res = await fetch(`${url}/api/approve`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: 'Bearer bench-key', 'User-Agent': 'bench' },
    body: JSON.stringify({ ...t, timestamp: new Date().toISOString() }),
  });
  const body = await res.json();
  if (!body.approved) throw new Error('direct call not approved');
}

async function viaLink() {
  const o = await link.decide(task());
  if (o.decided_by !== 'approver' || !o.approved) throw new Error(`link fell back: ${o.reason}`);
}

async function sample(fn, count, into) {
  for (let i = 0; i < count; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    into.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)];

// Warm both paths (connection pool, JIT), then interleave rounds so that drift hits both alike.
await sample(direct, 300, []);
await sample(viaLink, 300, []);
const d = [];
const l = [];
const rounds = 10;
const perRound = 300;
for (let r = 0; r < rounds; r++) {
  await sample(direct, perRound, d);
  await sample(viaLink, perRound, l);
}
const md = median(d);
const ml = median(l);
console.log(`direct fetch to approver, median: ${md.toFixed(3)} ms (p95 ${p95(d).toFixed(3)} ms, n=${d.length}) (baseline)`);
console.log(`decide() through the link, median: ${ml.toFixed(3)} ms (p95 ${p95(l).toFixed(3)} ms, n=${l.length}) = ${(ml / md).toFixed(2)}x baseline (target <= 1.30x)`);
link.stop();
child.kill();
process.exitCode = ml / md <= 1.3 ? 0 : 1;
