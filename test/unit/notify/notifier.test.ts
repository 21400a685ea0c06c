import { afterEach, beforeEach, describe, it, expect } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Notifier, slackEscape } from '../../../src/engine/notify/notifier.js';
import { applyNotifyEnv, NotifyConfigSchema, type NotifyConfigInput } from '../../../src/engine/notify/notifyConfig.js';
import type { EngineEvent } from '../../../src/shared/events.js';
import type { Task } from '../../../src/shared/task.js';
import { recordingLogger, waitFor } from '../../support/approverFixtures.js';

interface Hit {
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
}

let server: Server;
let base: string;
let hits: Hit[];
let respond: (h: Hit, res: ServerResponse) => void;
const sockets = new Set<Socket>();

beforeEach(async () => {
  hits = [];
  respond = (_h, res) => res.writeHead(200).end('ok');
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const h = { path: req.url ?? '', headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
      hits.push(h);
      respond(h, res);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  base = `http://127.0.0.1:${addr.port}`;
});
afterEach(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});

const fast = { retry: { max_attempts: 3, initial_delay_ms: 5, backoff_multiplier: 2, max_delay_ms: 20 } };
function notifier(over: NotifyConfigInput = {}) {
  const logger = recordingLogger();
  const n = new Notifier(
    NotifyConfigSchema.parse({
      slack_webhook_url: `${base}/slack`,
      webhooks: [{ url: `${base}/hook`, events: ['alert.p0', 'task.rejected'], headers: { 'X-Hook-Secret': 's3' } }],
      ...fast,
      ...over,
    }),
    { logger },
  );
  return { n, logger };
}

const task = { task_id: 't1', task_type: 'batch', estimated_cost: 12, decided_by: 'approver' } as Task;
const ev = (body: Record<string, unknown>): EngineEvent => ({ seq: 1, ts: '2026-01-01T00:00:00.000Z', ...body }) as EngineEvent;

describe('notifier', () => {
  it('posts Slack-compatible JSON and a generic webhook for a rejected task', async () => {
    const { n } = notifier();
    n.handleEvent(ev({ type: 'task.transitioned', task, from: 'pending_approval', to: 'rejected', by: 'approver', reason: 'over <budget>' }));
    await n.idle();
    const slack = hits.find((h) => h.path === '/slack')!;
    expect(slack.body.text).toBe('Task t1 (batch, $12.00) rejected by approver: over &lt;budget&gt;');
    expect(slack.body.blocks[0]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: slack.body.text } });
    const hook = hits.find((h) => h.path === '/hook')!;
    expect(hook.body).toMatchObject({ event: 'task.rejected', data: { task_id: 't1', reason: 'over <budget>' } });
    expect(typeof hook.body.ts).toBe('string');
    expect(hook.headers['x-hook-secret']).toBe('s3');
    expect(n.stats).toMatchObject({ queued: 2, sent: 2, failed: 0, dropped: 0 });
  });

  it('sends only the events each target chose', async () => {
    const { n } = notifier({ slack_events: ['alert.p0'] });
    n.handleEvent(ev({ type: 'approver.link', state: 'fallback', reason: 'ECONNREFUSED' }));
    n.handleEvent(ev({ type: 'alert.raised', alert: { id: 'a1', ts: '', severity: 'P2', source: 'anomaly', check: 'x', message: 'meh' } }));
    expect(n.pending).toBe(0);
    n.handleEvent(ev({ type: 'alert.raised', alert: { id: 'a2', ts: '', severity: 'P0', source: 'integrity', check: 'core_missing', message: 'SOUL.md missing' } }));
    await n.idle();
    expect(hits.map((h) => [h.path, h.body.event ?? 'slack'])).toEqual(expect.arrayContaining([['/slack', 'slack'], ['/hook', 'alert.p0']]));
    expect(hits).toHaveLength(2);
  });

  it('announces fallback entered once and left once', async () => {
    const { n } = notifier({ webhooks: [{ url: `${base}/hook`, events: ['approver.fallback_entered', 'approver.fallback_left'] }], slack_webhook_url: null });
    for (const state of ['online', 'degraded', 'fallback', 'fallback', 'online', 'degraded']) n.handleEvent(ev({ type: 'approver.link', state, reason: null }));
    await n.idle();
    expect(hits.map((h) => h.body.event)).toEqual(['approver.fallback_entered', 'approver.fallback_left']);
  });

  it('retries a failing receiver with backoff and gives up on a 4xx', async () => {
    let calls = 0;
    respond = (_h, res) => void res.writeHead(++calls < 3 ? 503 : 200).end();
    const { n } = notifier({ slack_webhook_url: null });
    n.notify('alert.p0', 'disk on fire');
    await n.idle();
    expect(calls).toBe(3);
    expect(n.stats).toMatchObject({ sent: 1, failed: 0 });
    respond = (_h, res) => void res.writeHead(404).end();
    const logger = notifier({ slack_webhook_url: null });
    logger.n.notify('alert.p0', 'again');
    await logger.n.idle();
    expect(hits.filter((h) => h.body.data?.text === 'again')).toHaveLength(1);
    expect(logger.n.stats.failed).toBe(1);
    expect(logger.logger.lines.some((l) => l.msg === 'notification given up')).toBe(true);
  });

  it('gives up after max_attempts on a dead receiver', async () => {
    respond = (_h, res) => void res.socket?.destroy();
    const { n } = notifier({ slack_webhook_url: null });
    n.notify('task.rejected', 'x');
    await n.idle();
    expect(hits).toHaveLength(3);
    expect(n.stats.failed).toBe(1);
  });

  it('never blocks the caller: a hung receiver and a full queue drop the oldest with a log line', async () => {
    respond = () => {}; // never answers
    const { n, logger } = notifier({ slack_webhook_url: null, queue_size: 10, concurrency: 1, timeout_ms: 60_000 });
    for (let i = 0; i < 100; i++) n.notify('task.rejected', `n${i}`);
    // All 100 calls returned while the receiver holds the first delivery open.
    expect(n.stats.dropped).toBe(90);
    expect(logger.lines.filter((l) => l.msg === 'notification dropped: queue full')).toHaveLength(90);
    await waitFor(() => hits.length === 1, 'first delivery reached the hung receiver');
    n.stop();
    await n.idle(); // the delivery in flight is cut short by stop()
    expect(n.pending).toBe(0);
    expect(n.stats.sent).toBe(0);
  });

  it('a flood of rejections never drops or delays a P1 behind them (hung receiver)', async () => {
    respond = (h, res) => {
      if (h.body.event === 'alert.p1' || h.body.event === 'alert.p0') res.writeHead(200).end();
    }; // rejections hang
    const dropped: number[] = [];
    const n = new Notifier(
      NotifyConfigSchema.parse({ webhooks: [{ url: `${base}/hook`, events: ['alert.p0', 'alert.p1', 'task.rejected'] }], queue_size: 5, concurrency: 1, timeout_ms: 60_000, ...fast }),
      { onDropped: (c) => dropped.push(c) },
    );
    for (let i = 0; i < 50; i++) n.notify('task.rejected', `r${i}`);
    n.handleEvent(ev({ type: 'alert.raised', alert: { id: 'a1', ts: '', severity: 'P1', source: 'firewall', check: 'policy_tampered', message: 'tamper' } }));
    for (let i = 50; i < 100; i++) n.notify('task.rejected', `r${i}`);
    n.handleEvent(ev({ type: 'alert.raised', alert: { id: 'a2', ts: '', severity: 'P0', source: 'integrity', check: 'core_file_missing', message: 'gone' } }));
    await waitFor(() => hits.filter((h) => h.body.event === 'alert.p1').length === 1 && hits.some((h) => h.body.event === 'alert.p0'), 'P0 and P1 delivered');
    // The receiver has both before the notifier has read their answers.
    await waitFor(() => n.stats.sent === 2, 'both answers read');
    expect(n.stats.dropped).toBe(102 - 5); // 5 slots; the two alerts evicted two rejections
    await waitFor(() => dropped.length > 0, 'drop reported');
    n.stop();
  });

  it('an open alert raised on every scan is sent once per re-notify interval', async () => {
    let now = 1_000_000;
    const n = new Notifier(NotifyConfigSchema.parse({ webhooks: [{ url: `${base}/hook`, events: ['alert.p1'] }], renotify_minutes: 60, ...fast }), { now: () => now });
    const raise = () => n.handleEvent(ev({ type: 'alert.raised', alert: { id: 'a1', ts: '', severity: 'P1', source: 'integrity', check: 'content_changed', message: 'SOUL.md changed' } }));
    for (let i = 0; i < 12; i++) {
      raise();
      now += 5 * 60_000;
    }
    raise(); // 60 minutes after the first
    await n.idle();
    expect(hits).toHaveLength(2);
    expect(hits[1]!.body.data.text).toMatch(/still open/);
    expect(n.stats.suppressed).toBe(11);
  });

  it('redacts secrets in the text and data that leave the host', async () => {
    const n = new Notifier(NotifyConfigSchema.parse({ webhooks: [{ url: `${base}/hook`, events: ['task.rejected'] }], ...fast }), { redact: (t) => t.replace(/sk-[a-z0-9]+/g, 'sk-***') });
    n.notify('task.rejected', 'key sk-abc123 leaked', { reason: 'sk-abc123' });
    await n.idle();
    expect(JSON.stringify(hits[0]!.body)).not.toContain('sk-abc123');
  });

  it('escapes Slack markup from task and alert text', () => {
    expect(slackEscape('<!channel> & <http://x|y>')).toBe('&lt;!channel&gt; &amp; &lt;http://x|y&gt;');
  });
});

describe('notify config', () => {
  it('validates URLs and events, and takes APPROVAL_SLACK_WEBHOOK_URL', () => {
    expect(NotifyConfigSchema.safeParse({ webhooks: [{ url: 'x', events: ['alert.p0'] }] }).success).toBe(false);
    expect(NotifyConfigSchema.safeParse({ webhooks: [{ url: 'http://h', events: ['alert.p9'] }] }).success).toBe(false);
    const c = applyNotifyEnv(NotifyConfigSchema.parse({}), { APPROVAL_SLACK_WEBHOOK_URL: 'https://hooks.slack.test/T/B' });
    expect(c.slack_webhook_url).toBe('https://hooks.slack.test/T/B');
    expect(() => applyNotifyEnv(c, { APPROVAL_SLACK_WEBHOOK_URL: 'nope' })).toThrow(/APPROVAL_SLACK_WEBHOOK_URL="nope".*http/);
  });
});
