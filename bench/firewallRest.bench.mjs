// REST firewall check throughput (issue 4) vs a bare node:http server answering the same JSON, same
// load generator, same run. Every decision is written to the ledger before it is answered (group commit).
import { spawn } from 'node:child_process';
import { fmt, load, report, startEngineProcess } from './lib/common.mjs';

const e = await startEngineProcess();
const body = JSON.stringify({ command: 'git status', agent: 'bench' });
const sample = await fetch(e.url('/api/firewall/check'), { method: 'POST', headers: { authorization: `Bearer ${e.token}`, 'content-type': 'application/json' }, body }).then((r) => r.text());
const bare = spawn(
  process.execPath,
  ['-e', `const b=${JSON.stringify(sample)};require('node:http').createServer((q,s)=>{q.resume();q.on('end',()=>{s.writeHead(200,{'content-type':'application/json'});s.end(b)})}).listen(0,'127.0.0.1',function(){console.log(this.address().port)})`],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const port = await new Promise((r) => bare.stdout.once('data', (d) => r(Number(String(d).trim()))));
const opts = { seconds: 3, concurrency: 32, method: 'POST', body };
const b1 = load(`http://127.0.0.1:${port}/`, opts);
const gh = load(e.url('/api/firewall/check'), { ...opts, token: e.token });
const b2 = load(`http://127.0.0.1:${port}/`, opts);
const ok = report(`POST /api/firewall/check (${fmt(gh.done)} decisions, ${gh.errors} errors, p50 ${gh.p50_ms?.toFixed(2)} ms)`, gh.rps, 'req/s', (b1.rps + b2.rps) / 2, { min: 0.5 });
bare.kill();
await e.stop();
console.log(`firewall REST bench: ${ok ? 1 : 0} of 1 targets met`);
