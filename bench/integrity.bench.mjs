// File integrity: full scan of 10,000 files of 4 KiB (metadata + sha256 + blake2b512) against
// `sha256sum` over the same files, in the same run.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { MemoryBaselineRepo } from '../dist/engine/monitor/integrityBaseline.js';
import { IntegrityMonitor } from '../dist/engine/monitor/integrityMonitor.js';
import { CapturePool } from '../dist/engine/monitor/integrityParallel.js';

const N = 10_000;
const dir = mkdtempSync(join(tmpdir(), 'gh-int-bench-'));
try {
  const files = [];
  for (let d = 0; d < 100; d++) mkdirSync(join(dir, String(d)));
  for (let i = 0; i < N; i++) {
    const p = join(dir, String(i % 100), `f${i}.md`);
    writeFileSync(p, randomBytes(4096));
    files.push(p);
  }
  const specs = files.map((path) => ({ path, class: 'S1', profile: 'read-only' }));
  const sha256sum = () => {
    const t = performance.now();
    // Batches keep each command line well under ARG_MAX.
    for (let i = 0; i < files.length; i += 2000) {
      const r = spawnSync('sha256sum', files.slice(i, i + 2000), { maxBuffer: 64 << 20 });
      if (r.status !== 0) throw new Error(`sha256sum failed: ${r.stderr}`);
    }
    return (performance.now() - t) / 1000;
  };
  const repo = new MemoryBaselineRepo();
  const mon = new IntegrityMonitor({ specs, repo, onFinding: () => {}, scanIntervalMs: 0 });
  mon.initBaseline();
  const single = () => {
    const t = performance.now();
    const f = mon.scanAll();
    if (f.length) throw new Error('unexpected findings');
    return (performance.now() - t) / 1000;
  };
  const pool = new CapturePool(1);
  const parallel = async () => {
    const t = performance.now();
    const res = await pool.capture(files);
    if (res.length !== N) throw new Error('short parallel result');
    return (performance.now() - t) / 1000;
  };
  // Warm the page cache and the JIT once, then interleave the three so that load from other
  // processes on this shared machine falls on all of them alike; report the median of five rounds.
  sha256sum(); single(); await parallel();
  const rounds = [];
  for (let r = 0; r < 5; r++) rounds.push({ base: sha256sum(), s: single(), p: await parallel() });
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const base = median(rounds.map((r) => r.base));
  const s = median(rounds.map((r) => r.s));
  const p = median(rounds.map((r) => r.p));
  const rs = median(rounds.map((r) => r.base / r.s));
  const rp = median(rounds.map((r) => r.base / r.p));
  const fmt = (secs) => `${Math.round(N / secs).toLocaleString('en-US')} files/s`;
  console.log(`baseline sha256sum: ${fmt(base)} (${(base * 1000).toFixed(0)} ms)`);
  console.log(`integrity full scan, one thread (capture + compare): ${fmt(s)} (${rs.toFixed(2)}x of sha256sum; target >= 1.0x)`);
  console.log(`integrity capture, caller + 1 worker thread: ${fmt(p)} (${rp.toFixed(2)}x of sha256sum; target >= 1.0x)`);
  await pool.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
