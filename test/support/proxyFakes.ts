// Test doubles for the MCP proxy: a tiny real MCP-ish server process (node -e) that reports what it
// received, and a harness that runs runProxy over in-memory streams and collects what the host gets.
import { PassThrough } from 'node:stream';
import type { AlertInput } from '../../src/shared/alert.js';
import type { Decision } from '../../src/shared/firewall.js';
import { runProxy } from '../../src/engine/proxy/runProxy.js';
import type { DecideFn, ProxyOptions, ProxyResult } from '../../src/engine/proxy/types.js';

/**
 * A line server: answers every request with {received: message}; echoes notifications back as
 * "fake/saw"; tools/list returns FAKE_TOOLS (JSON); tools/call "crash" exits 3; "hang" never answers;
 * "result" returns params.arguments.result verbatim; "progress" sends a progress notification first.
 */
export const FAKE_SERVER = String.raw`
const tools = JSON.parse(process.env.FAKE_TOOLS || '[]');
let buf = '';
const send = (m) => process.stdout.write(JSON.stringify(m) + '\n');
process.stdin.on('data', (c) => {
  buf += c;
  let i;
  while ((i = buf.indexOf('\n')) >= 0) {
    const line = buf.slice(0, i); buf = buf.slice(i + 1);
    let m; try { m = JSON.parse(line); } catch { send({ jsonrpc: '2.0', method: 'fake/unparsed', params: { line } }); continue; }
    if (m.id === undefined || m.id === null) { send({ jsonrpc: '2.0', method: 'fake/saw', params: { msg: m } }); continue; }
    if (m.method === 'tools/list') { send({ jsonrpc: '2.0', id: m.id, result: { tools } }); continue; }
    if (m.method === 'tools/call') {
      const name = m.params.name;
      if (name === 'crash') process.exit(3);
      if (name === 'hang') continue;
      if (name === 'result') { send({ jsonrpc: '2.0', id: m.id, result: m.params.arguments.result }); continue; }
      if (name === 'progress') send({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: m.params._meta.progressToken, progress: 1, total: 2 } });
    }
    if (m.method === undefined) { send({ jsonrpc: '2.0', method: 'fake/saw', params: { msg: m } }); continue; }
    send({ jsonrpc: '2.0', id: m.id, result: { received: m } });
  }
});
process.stdin.on('end', () => { if (!process.env.FAKE_IGNORE_EOF) process.exit(0); });
if (process.env.FAKE_IGNORE_EOF) { setInterval(() => {}, 1000); process.on('SIGTERM', () => process.exit(0)); }
`;

export function decision(d: Partial<Decision> & Pick<Decision, 'decision'>): Decision {
  return { source: 'policy', rule: null, reason: '', segments: [], request_id: 'req-1', ...d };
}

export const allowAll: DecideFn = async () => decision({ decision: 'allow', rule: 'test allow' });

export interface Harness {
  input: PassThrough;
  lines: Record<string, unknown>[];
  raw: string[];
  alerts: AlertInput[];
  done: Promise<ProxyResult>;
  send(msg: unknown): void;
  sendRaw(data: string | Buffer): void;
  waitFor(pred: (m: Record<string, unknown>) => boolean, what?: string): Promise<Record<string, unknown>>;
}

export function startHarness(opts: Partial<ProxyOptions> & { fakeEnv?: Record<string, string> } = {}): Harness {
  const input = new PassThrough();
  const output = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const alerts: AlertInput[] = [];
  const waiters: { pred: (m: Record<string, unknown>) => boolean; resolve: (m: Record<string, unknown>) => void }[] = [];
  let buf = '';
  output.on('data', (c: Buffer) => {
    buf += c.toString('utf8');
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      raw.push(line);
      const m = JSON.parse(line) as Record<string, unknown>;
      lines.push(m);
      for (const w of [...waiters]) if (w.pred(m)) (waiters.splice(waiters.indexOf(w), 1), w.resolve(m));
    }
  });
  const { fakeEnv, ...rest } = opts;
  const done = runProxy({
    command: process.execPath,
    args: ['-e', FAKE_SERVER],
    env: { ...process.env, ...fakeEnv },
    input,
    output,
    serverName: 'fake',
    agent: 'test',
    decide: allowAll,
    onAlert: (a) => alerts.push(a),
    shutdownGraceMs: 200,
    ...rest,
  });
  return {
    input,
    lines,
    raw,
    alerts,
    done,
    send: (msg) => input.write(`${JSON.stringify(msg)}\n`),
    sendRaw: (data) => input.write(data),
    waitFor: (pred) => {
      const found = lines.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ pred, resolve }));
    },
  };
}

export const byId = (id: unknown) => (m: Record<string, unknown>) => m.id === id && !('method' in m);
export const sawMethod = (method: string) => (m: Record<string, unknown>) =>
  m.method === 'fake/saw' && ((m.params as { msg: { method?: string } }).msg.method === method);
