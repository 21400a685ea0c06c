// Fleet benchmark (issue 20): `gatehouse pending --json` over 10 local engines (--host unix://, each
// asked in parallel) against the same command over one of them, measured in the same run, interleaved.
// Target: 10 engines ≤ 2× one engine. Whole processes, as an operator's shell runs them.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BIN, report, startEngineProcess } from './lib/common.mjs';

const ENGINES = Number(process.env.BENCH_FLEET_ENGINES ?? 10);
const RUNS = Number(process.env.BENCH_N ?? 15);

const engines = await Promise.all(Array.from({ length: ENGINES }, () => startEngineProcess()));
const hostArgs = (list) => list.flatMap((e) => ['--host', `unix://${join(e.stateDir, 'gatehouse.sock')}`]);

function pendingMs(list) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [BIN, 'pending', '--json', ...hostArgs(list)], { encoding: 'utf8', env: { ...process.env, GATEHOUSE_CONFIG: '/nonexistent-gatehouse-bench.yaml' } });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`pending failed (${r.status}): ${r.stderr}`);
  if (!Array.isArray(JSON.parse(r.stdout))) throw new Error('pending --json did not print a list');
  return ms;
}

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  pendingMs(engines.slice(0, 1)); // warm the file cache
  pendingMs(engines);
  const one = [];
  const all = [];
  for (let i = 0; i < RUNS; i++) {
    one.push(pendingMs(engines.slice(0, 1)));
    all.push(pendingMs(engines));
  }
  report(`pending --json over ${ENGINES} engines (median of ${RUNS})`, median(all), 'ms', median(one), { max: 2 });
  console.log(`  one engine: median ${median(one).toFixed(1)} ms, min ${Math.min(...one).toFixed(1)} ms; ${ENGINES} engines: median ${median(all).toFixed(1)} ms, min ${Math.min(...all).toFixed(1)} ms`);
} finally {
  await Promise.all(engines.map((e) => e.stop()));
}
