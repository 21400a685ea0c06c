// Helpers shared by the benchmarks: a real engine process, the load generator, and reporting.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = join(REPO, 'bin/gatehouse.js');

// Every temp dir a bench makes (and the config home an engine makes beside its state dir) is removed
// when the bench process exits; the engines it started have been stopped by then.
const made = [];
process.on('exit', () => {
  for (const dir of made) for (const d of [dir, `${dir}-config`]) rmSync(d, { recursive: true, force: true });
});

export function tempDir(prefix = 'gh-bench-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** `bin`: another build's bin/gatehouse.js (an A/B against an earlier commit); default this checkout's. */
export async function startEngineProcess(extraArgs = [], env = {}, bin = BIN) {
  const stateDir = tempDir();
  // BENCH_ENGINE_NODE_ARGS: node flags for the engine only (e.g. --cpu-prof --cpu-prof-dir=DIR to profile it).
  const nodeArgs = process.env.BENCH_ENGINE_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const proc = spawn(process.execPath, [...nodeArgs, bin, '--state-dir', stateDir, 'run', '--no-tui', '--port', '0', '--log-format', 'json', ...extraArgs], {
    env: { ...process.env, GATEHOUSE_API_TOKEN: '', GATEHOUSE_POLICY: '', XDG_CONFIG_HOME: `${stateDir}-config`, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  const deadline = Date.now() + 30_000;
  while (!/"msg":"engine started"/.test(out)) {
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`engine did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const port = Number(/"msg":"REST API listening"/.test(out) && /"port":(\d+)/.exec(out)[1]);
  const token = readFileSync(join(stateDir, 'api-token'), 'utf8').trim();
  return {
    pid: proc.pid,
    stateDir,
    port,
    token,
    url: (p) => `http://127.0.0.1:${port}${p}`,
    stop: () =>
      new Promise((r) => {
        proc.once('exit', r);
        proc.kill('SIGTERM');
      }),
  };
}

/** Runs the load generator in its own process; returns {rps, done, errors, p50_ms}. */
export function load(url, { seconds = 3, concurrency = 32, token = '', method = 'GET', body = '' } = {}) {
  const r = spawnSync(process.execPath, [join(REPO, 'bench/lib/loadgen.mjs'), url, String(seconds), String(concurrency), token, method, body], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

export function fmt(n, digits = 0) {
  return Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** Prints `name: value unit (ratio X× baseline; target …) PASS|MISS` and returns whether it met the target. */
export function report(name, value, unit, baseline, target) {
  const ratio = value / baseline;
  const ok = target.min !== undefined ? ratio >= target.min : ratio <= target.max;
  const t = target.min !== undefined ? `>= ${target.min}x` : `<= ${target.max}x`;
  console.log(`${name}: ${fmt(value, value < 10 ? 2 : 0)} ${unit} vs baseline ${fmt(baseline, baseline < 10 ? 2 : 0)} ${unit} = ${ratio.toFixed(2)}x (target ${t}) ${ok ? 'PASS' : 'MISS'}`);
  return ok;
}
