// A small HTTP load generator run as its own process, so the server under test does not share its
// event loop: keep-alive connections, fixed concurrency, a fixed duration. Prints one JSON line.
//   node loadgen.mjs URL SECONDS CONCURRENCY [TOKEN] [METHOD] [BODY]
import http from 'node:http';

const [url, seconds = '3', concurrency = '32', token = '', method = 'GET', body = ''] = process.argv.slice(2);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(concurrency) });
const u = new URL(url);
const headers = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}) };
const deadline = Date.now() + Number(seconds) * 1000;
let done = 0;
let errors = 0;
const latencies = [];

function one() {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, agent, headers }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode >= 400) errors++;
        else done++;
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        resolve();
      });
    });
    req.on('error', () => {
      errors++;
      resolve();
    });
    if (body) req.write(body);
    req.end();
  });
}

async function worker() {
  while (Date.now() < deadline) await one();
}

const t0 = Date.now();
await Promise.all(Array.from({ length: Number(concurrency) }, worker));
const elapsed = (Date.now() - t0) / 1000;
latencies.sort((a, b) => a - b);
console.log(JSON.stringify({ rps: done / elapsed, done, errors, p50_ms: latencies[Math.floor(latencies.length / 2)] ?? null }));
agent.destroy();
