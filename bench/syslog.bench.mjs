// Syslog export (issue 20): how fast the exporter streams the ledger to a collector on loopback, against
// a baseline measured in the same run: the same RFC 5424 frames, formatted beforehand, written to a raw
// TCP socket (the transport's floor). Two figures:
//  1. drain: a backlog of 50,000 real ledger records (SQLite, hash chain) read, formatted, framed and
//     sent; records/s and the ratio to the raw-socket baseline;
//  2. live: records appended at 5,000/s for 4 s while the exporter runs; the rate the collector saw and
//     the lag of the last record (the target: export keeps up with 5,000 records/s).
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../dist/engine/store/store.js';
import { Ledger } from '../dist/engine/store/ledger.js';
import { queryLedger } from '../dist/engine/store/ledgerQuery.js';
import { SyslogExporter } from '../dist/engine/fleet/syslogExport.js';
import { formatRecord, frame } from '../dist/engine/fleet/syslogFormat.js';

const BACKLOG = 50_000;
const LIVE_RATE = 5_000;
const LIVE_SECONDS = 4;
const silent = { info() {}, warn() {}, error() {}, debug() {}, trace() {}, fatal() {}, child() { return silent; } };

/** A collector that counts octet-counted frames and the highest seq seen (parses every frame). */
function sink() {
  let frames = 0;
  let lastSeq = 0;
  const waiters = [];
  const server = createServer((s) => {
    let buf = Buffer.alloc(0);
    s.on('data', (d) => {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      let off = 0;
      for (;;) {
        const sp = buf.indexOf(0x20, off);
        if (sp < 0) break;
        const len = Number(buf.toString('ascii', off, sp));
        if (buf.length < sp + 1 + len) break;
        const m = buf.toString('utf8', sp + 1, sp + 1 + len);
        const seq = Number(/ seq="(\d+)"/.exec(m)?.[1]);
        if (seq > lastSeq) lastSeq = seq;
        frames++;
        off = sp + 1 + len;
      }
      buf = buf.subarray(off);
      for (const w of waiters.splice(0)) w();
    });
    s.on('error', () => {});
  });
  return {
    server,
    get frames() { return frames; },
    get lastSeq() { return lastSeq; },
    reset() { frames = 0; lastSeq = 0; },
    until(pred) {
      return new Promise((resolve) => {
        const check = () => (pred() ? resolve() : waiters.push(check));
        check();
      });
    },
  };
}

const dir = mkdtempSync(join(tmpdir(), 'gh-syslog-bench-'));
const c = sink();
await new Promise((r) => c.server.listen(0, '127.0.0.1', r));
const port = c.server.address().port;
try {
  const db = openStore(join(dir, 'state'), { synchronous: 'NORMAL' });
  const ledger = new Ledger(db);
  const add = (n, from) => db.transaction(() => {
    for (let i = 0; i < n; i++) ledger.append({ actor: 'agent-1', surface: 'rest', action: 'firewall.decide', subject: `req-${from + i}`, detail: { decision: 'allow', source: 'policy', rule: 'echo *', command: `echo record ${from + i} "quoted" ]`, cwd: '/srv/app' } });
  })();
  add(BACKLOG, 0);
  const origin = { facility: 'local0', hostname: 'gw1', procid: 4242, enterpriseId: 32473 };
  const config = { url: `tcp://127.0.0.1:${port}`, facility: 'local0', enterprise_id: 32473 };
  const exportLedger = { recordsAfter: (seq, limit) => queryLedger(db, { afterSeq: seq, limit }, 'oldest') };

  // Baseline: the same frames (formatted before the clock starts) written to a raw socket.
  const baseline = async () => {
    const parts = [];
    for (let seq = 0; seq < BACKLOG; seq += 1000) for (const r of queryLedger(db, { afterSeq: seq, limit: 1000 }, 'oldest')) parts.push(frame(formatRecord(r, origin)));
    const frames = Buffer.concat(parts);
    c.reset();
    const t = performance.now();
    const s = connect({ host: '127.0.0.1', port });
    await new Promise((r) => s.once('connect', r));
    for (let i = 0; i < frames.length; i += 1 << 20) s.write(frames.subarray(i, i + (1 << 20)));
    await c.until(() => c.lastSeq === BACKLOG);
    s.destroy();
    return (performance.now() - t) / 1000;
  };
  const exporter = async () => {
    c.reset();
    const t = performance.now();
    const ex = new SyslogExporter(config, exportLedger, join(dir, `cursor-${Math.random()}`), silent);
    ex.start();
    await c.until(() => c.lastSeq === BACKLOG);
    ex.stop();
    return (performance.now() - t) / 1000;
  };
  await baseline(); await exporter(); // warm up
  const rounds = [];
  for (let r = 0; r < 3; r++) rounds.push({ base: await baseline(), ex: await exporter() });
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const base = median(rounds.map((r) => r.base));
  const ex = median(rounds.map((r) => r.ex));
  const rate = (secs) => `${Math.round(BACKLOG / secs).toLocaleString('en-US')} records/s`;
  console.log(`drain of ${BACKLOG.toLocaleString('en-US')} records: raw socket (pre-formatted frames) ${rate(base)}; exporter (SQLite read + RFC 5424 + frame + cursor) ${rate(ex)}; ratio ${(base / ex).toFixed(2)} of the floor`);

  // Live: appends at LIVE_RATE for LIVE_SECONDS while the exporter streams.
  const cursor = join(dir, 'cursor-live');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(cursor, JSON.stringify({ seq: BACKLOG }));
  c.reset();
  const live = new SyslogExporter(config, exportLedger, cursor, silent);
  live.start();
  const total = LIVE_RATE * LIVE_SECONDS;
  const perTick = LIVE_RATE / 100; // every 10 ms
  const t0 = performance.now();
  let made = 0;
  let maxBacklog = 0;
  await new Promise((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.round(((performance.now() - t0) / 1000) * LIVE_RATE));
      if (due > made) {
        add(due - made, BACKLOG + made);
        made = due;
      }
      maxBacklog = Math.max(maxBacklog, made - Math.max(0, c.lastSeq - BACKLOG));
      if (made >= total) return resolve();
      setTimeout(tick, 1000 / (LIVE_RATE / perTick));
    };
    tick();
  });
  const appendedAt = performance.now();
  await c.until(() => c.lastSeq === BACKLOG + total);
  const done = performance.now();
  live.stop();
  const seen = total / ((done - t0) / 1000);
  console.log(`live at ${LIVE_RATE.toLocaleString('en-US')} appends/s for ${LIVE_SECONDS} s: collector saw ${Math.round(seen).toLocaleString('en-US')} records/s (${(seen / LIVE_RATE).toFixed(2)} of the append rate), the last record ${Math.round(done - appendedAt)} ms after its append, largest backlog ${maxBacklog.toLocaleString('en-US')} records`);
  db.close();
} finally {
  c.server.close();
  rmSync(dir, { recursive: true, force: true });
}
