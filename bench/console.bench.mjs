// Console benchmark: first frame with a million tasks against the first frame with an empty store
// (the baseline, same run); keypress-to-screen while 1,000 task events per second arrive; and the
// engine's submit/transition throughput with the console rendering in its process (the `gatehouse`
// mode) against the same engine headless, same run.
// The first two use an in-memory stand-in client that answers each page in O(limit), so the figures are
// the console's own cost; the engine's query cost is measured by the engine's benchmarks.
import { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
// As runConsole does: the production build of React unless the caller chose otherwise.
process.env.NODE_ENV ??= 'production';
const { default: React } = await import('react');
const { render } = await import('ink');
const { App } = await import('../dist/ui/App.js');
const { Engine, localActor } = await import('../dist/engine/engine.js');
const { inProcessClient } = await import('../dist/client/inProcessClient.js');

class Out extends EventEmitter {
  constructor(columns, rows) {
    super();
    this.columns = columns;
    this.rows = rows;
    this.isTTY = true;
    this.last = '';
    this.waiters = [];
    this.frames = 0;
  }
  write(s) {
    if (s.startsWith('\x1b[?2026')) return true; // a synchronized-update bracket around a frame, not one
    this.last = s;
    this.frames++;
    for (const w of this.waiters.slice()) if (w.check(s)) {
      this.waiters.splice(this.waiters.indexOf(w), 1);
      w.resolve(performance.now());
    }
    return true;
  }
  until(check) {
    if (check(this.last)) return Promise.resolve(performance.now());
    return new Promise((resolve) => this.waiters.push({ check, resolve }));
  }
}
class In extends EventEmitter {
  isTTY = true;
  data = null;
  write(d) { this.data = d; this.emit('readable'); this.emit('data', d); }
  read() { const d = this.data; this.data = null; return d; }
  setEncoding() {} setRawMode() {} resume() {} pause() {} ref() {} unref() {}
}

const T0 = Date.parse('2026-01-01T10:00:00Z');
const STATUSES = ['pending_approval', 'running', 'completed', 'approved'];
let generation = 0; // bumped by the flood: every refresh then sees changed rows (the worst case for rendering)
function task(i) {
  return {
    task_id: `m-${i}`, task_type: 'chat', description: `task number ${i}`, status: STATUSES[i % 4], estimated_cost: (i % 500) / 100,
    actual_cost: null, estimated_duration_ms: null, constraints: [], context: {}, result: null, error_message: null, logs: [],
    created_at: new Date(T0 - i * 1000).toISOString(), updated_at: new Date(T0 + generation).toISOString(), start_time: null, end_time: null, decided_by: null, decision_reason: null,
  };
}

function client(total) {
  const listeners = new Set();
  return {
    listeners,
    status: async () => ({
      version: 'bench', pid: 1, started_at: new Date(T0).toISOString(), uptime_ms: 1000, state_dir: '/tmp', demo: false, api: null,
      approver: { state: 'online', url: null, pending_review: 0 },
      firewall: { mode: 'ask', trusted: true, lockdown: false, policy_hash: null, lockdown_reason: null },
      alerts: { P0: 0, P1: 0, P2: 0, P3: 0 }, latest_alert: null,
      queue: { total_tasks: total, by_status: {}, total_cost_usd: 0, total_execution_time_ms: 0, pending_approval: 0, running: 0, timestamp: '' },
      cost_today_usd: 0, cost_by_hour: [], prompts_pending: 0, agents_alive: 0, crashed_last_run: false,
    }),
    tasks: {
      list: async ({ limit = 50, offset = 0 } = {}) => {
        const n = Math.max(0, Math.min(limit, total - offset));
        return { total, tasks: Array.from({ length: n }, (_, k) => task(offset + k)) };
      },
      get: async (id) => ({ ...task(Number(id.slice(2))), transitions: [] }),
    },
    prompts: { list: async () => [] },
    alerts: { list: async () => [] },
    agents: { list: async () => [] },
    ledger: { recent: async () => [] },
    subscribe: (_topics, fn) => { listeners.add(fn); return () => listeners.delete(fn); },
  };
}

async function firstFrame(total) {
  const out = new Out(120, 40);
  const start = performance.now();
  const inst = render(React.createElement(App, { client: client(total), now: () => T0 }), { stdout: out, stdin: new In(), stderr: new Out(120, 40), exitOnCtrlC: false, patchConsole: false });
  const label = `Queue (${total})`;
  const end = await out.until((f) => f.includes(label) && (total === 0 || f.includes('m-0')));
  inst.unmount();
  return end - start;
}

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n) => n.toLocaleString('en-US', { maximumFractionDigits: 1 });

// Warm up module caches and JIT before measuring either side.
await firstFrame(0);
await firstFrame(1_000_000);
const empty = [];
const page = [];
const million = [];
for (let i = 0; i < 7; i++) {
  empty.push(await firstFrame(0));
  page.push(await firstFrame(100));
  million.push(await firstFrame(1_000_000));
}
const e = median(empty);
const p = median(page);
const m = median(million);
console.log(`first frame, empty store (baseline): ${fmt(e)} ms`);
console.log(`first frame, 100 tasks (one full page): ${fmt(p)} ms (${(p / e).toFixed(2)}x baseline)`);
console.log(`first frame, 1,000,000 tasks: ${fmt(m)} ms (target <= 1,000 ms; ${(m / e).toFixed(2)}x empty baseline, target <= 1.5x; ${(m / p).toFixed(2)}x one page)`);

// Flood: 1,000 task events per second for ~6 s; press j every 100 ms and time until the frame shows it.
{
  const c = client(1_000_000);
  const out = new Out(120, 40);
  const stdin = new In();
  const inst = render(React.createElement(App, { client: c, now: () => T0 }), { stdout: out, stdin, stderr: new Out(120, 40), exitOnCtrlC: false, patchConsole: false });
  await out.until((f) => f.includes('m-0'));
  let sent = 0;
  const floodStart = performance.now();
  const flood = setInterval(() => {
    // Catch up to 1,000 per second of wall time, however late the timer fires.
    const due = Math.floor(performance.now() - floodStart) - sent;
    for (let k = 0; k < due; k++) {
      sent++;
      generation++;
      const t = task(sent % 1000);
      for (const fn of c.listeners) fn({ type: 'task.transitioned', task: t, from: 'pending', to: t.status, by: 'bench', reason: null, seq: sent, ts: '' });
    }
  }, 10);
  const started = performance.now();
  const latencies = [];
  let peakRss = 0;
  for (let i = 1; i <= 50; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const want = `› m-${i} `;
    const t = performance.now();
    stdin.write('j');
    const shown = await out.until((f) => f.includes(want));
    latencies.push(shown - t);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  const secs = (performance.now() - started) / 1000;
  clearInterval(flood);
  inst.unmount();
  console.log(`event flood: ${fmt(sent / secs)} task events/s delivered to the console (target 1,000)`);
  console.log(`keypress-to-screen under the flood: median ${fmt(median(latencies))} ms, max ${fmt(Math.max(...latencies))} ms (target median <= 100 ms; ${(median(latencies) / e).toFixed(2)}x the empty first frame)`);
  console.log(`peak RSS: ${fmt(peakRss / 2 ** 20)} MB (target <= 250 MB)`);
}

// Engine throughput with the console in its process vs headless. Each round starts a fresh engine, then
// for a fixed time submits tasks and takes each through approve, start and complete (four commits, four
// task events), yielding to the event loop every few tasks as requests from sockets would. With the
// console attached, its event handlers, refreshes and frames run on the same thread and cost the engine
// whatever time they take. synchronous=NORMAL on both sides keeps the engine CPU-bound: the harder case
// for the console (more events per second, no fsync wait to hide in), and steadier than fsync timings on
// a shared disk.
{
  const SECONDS = Number(process.env.BENCH_THROUGHPUT_SECONDS ?? 2);
  const ROUNDS = Number(process.env.BENCH_THROUGHPUT_ROUNDS ?? 5);
  async function engineRound(withConsole, seconds) {
    const root = mkdtempSync(join(tmpdir(), 'gh-bench-console-'));
    const configDir = join(root, 'config');
    mkdirSync(join(configDir, 'gatehouse'), { recursive: true });
    const configFile = join(configDir, 'gatehouse', 'config.yaml');
    writeFileSync(configFile, 'store: { synchronous: NORMAL }\n');
    const engine = await Engine.start({ stateDir: join(root, 'state'), quiet: true, configFlag: configFile, env: { ...process.env, XDG_CONFIG_HOME: configDir, GATEHOUSE_POLICY: '' } });
    let inst = null;
    const out = new Out(120, 40);
    if (withConsole) {
      inst = render(React.createElement(App, { client: inProcessClient(engine, localActor('tui')) }), { stdout: out, stdin: new In(), stderr: new Out(120, 40), exitOnCtrlC: false, patchConsole: false });
      await out.until((f) => f.includes('Queue (0)'));
    }
    const actor = { by: 'bench', surface: 'rest' };
    let commits = 0;
    const frames0 = out.frames;
    const t0 = performance.now();
    const end = t0 + seconds * 1000;
    while (performance.now() < end) {
      for (let k = 0; k < 5; k++) {
        const t = engine.submitTask({ task_type: 'chat', description: `flood task ${commits}`, estimated_cost: 0.01 }, actor);
        engine.approve(t.task_id, actor);
        engine.start(t.task_id, actor);
        engine.complete(t.task_id, actor, { actual_cost: 0.008 });
        commits += 4;
      }
      await new Promise((r) => setImmediate(r));
    }
    const stopped = performance.now();
    const secs = (stopped - t0) / 1000;
    const frames = out.frames - frames0;
    // The console must still follow: time until it shows every task the flood submitted.
    const caughtUp = withConsole ? (await out.until((f) => f.includes(`Queue (${commits / 4})`))) - stopped : 0;
    inst?.unmount();
    await engine.stop('bench done');
    rmSync(root, { recursive: true, force: true });
    return { rate: commits / secs, framesPerSecond: frames / secs, caughtUp };
  }
  await engineRound(false, 1);
  await engineRound(true, 1);
  const headless = [];
  const attached = [];
  const frames = [];
  const caughtUp = [];
  for (let r = 0; r < ROUNDS; r++) {
    headless.push((await engineRound(false, SECONDS)).rate);
    const a = await engineRound(true, SECONDS);
    attached.push(a.rate);
    frames.push(a.framesPerSecond);
    caughtUp.push(a.caughtUp);
  }
  const h = median(headless);
  const a = median(attached);
  console.log(`engine submit/transition throughput, headless (baseline): ${fmt(h)} commits/s (${fmt(h / 4)} tasks/s, 4 task events each)`);
  console.log(`same with the console rendering in its process: ${fmt(a)} commits/s = ${(a / h).toFixed(2)}x headless (target >= 0.8x); the console drew ${fmt(median(frames))} frames/s and showed the last task ${fmt(median(caughtUp))} ms after the flood stopped`);
}
process.exit(0);
