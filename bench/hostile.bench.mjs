// Hostile clients against a real engine (issue 22 gap 11): slow REST bodies dripped a byte at a time,
// 1,000 idle connections (REST and socket, past both caps), and over-long IPC lines. Prints the engine's
// RSS (from /proc) before, during and after; after the attack ends it must come back to within 20 % of
// the start. Also checks the engine still answers while under attack.
import { connect as netConnect } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fmt, report, startEngineProcess } from './lib/common.mjs';

const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function tcp(port) {
  return new Promise((resolve) => {
    const s = netConnect(port, '127.0.0.1');
    s.on('error', () => {});
    s.once('connect', () => resolve(s));
    s.once('close', () => resolve(s));
  });
}
function unix(path) {
  return new Promise((resolve) => {
    const s = netConnect(path);
    s.on('error', () => {});
    s.once('connect', () => resolve(s));
    s.once('close', () => resolve(s));
  });
}

const e = await startEngineProcess();
const sock = join(e.stateDir, 'gatehouse.sock');
// Warm the engine up with a few ordinary requests, so "before" is an engine that has served.
for (let i = 0; i < 200; i++) await fetch(e.url('/api/firewall/check'), { method: 'POST', headers: { authorization: `Bearer ${e.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ command: `git status ${i}` }) });
await sleep(1000);
const before = rssMb(e.pid);

const held = [];
// 1,000 idle connections: 600 REST (cap 512), 400 socket (cap 256).
for (let i = 0; i < 600; i++) held.push(await tcp(e.port));
for (let i = 0; i < 400; i++) held.push(await unix(sock));
// 50 slow bodies: headers promise 1 MiB, a byte a second follows.
const drips = [];
for (let i = 0; i < 50; i++) {
  const s = await tcp(e.port);
  s.write(`POST /api/firewall/check HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${e.token}\r\nContent-Type: application/json\r\nContent-Length: 1048576\r\n\r\n{`);
  drips.push(setInterval(() => s.writable && s.write(' '), 1000));
  held.push(s);
}
// 20 over-long IPC lines: 16 MiB each without a newline (the cap is 1 MiB).
const chunk = Buffer.alloc(1024 * 1024, 0x61);
for (let i = 0; i < 20; i++) {
  const s = await unix(sock);
  for (let j = 0; j < 16 && s.writable; j++) await new Promise((r) => s.write(chunk, r));
  held.push(s);
}
await sleep(2000);
const during = rssMb(e.pid);
const t0 = Date.now();
const health = await fetch(e.url('/health')).then((r) => r.status, () => 'refused');
console.log(`under attack: /health ${health} in ${Date.now() - t0} ms (connections past the caps are refused with a message)`);

for (const d of drips) clearInterval(d);
for (const s of held) s.destroy();
await sleep(5000);
const after = rssMb(e.pid);
console.log(`engine RSS: before ${fmt(before, 1)} MB, during ${fmt(during, 1)} MB, after ${fmt(after, 1)} MB`);
const ok = report('RSS after the attack', after, 'MB', before, { max: 1.2 });
await e.stop();
process.exit(ok ? 0 : 1);
