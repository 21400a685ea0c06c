import { afterEach, beforeEach, describe, it, expect } from 'vitest';
import { ApproverCallError, ApproverClient } from '../../../src/engine/approver/approverClient.js';
import { VERSION } from '../../../src/shared/version.js';
import { approve, reject, startApproverServer, type ApproverServer } from '../../support/approverServer.js';
import { recordingLogger } from '../../support/approverFixtures.js';

let server: ApproverServer;
beforeEach(async () => {
  server = await startApproverServer();
});
afterEach(async () => {
  await server.stop();
});

const req = {
  task_id: 'task-1',
  task_type: 'chat',
  description: 'd',
  estimated_cost: 1,
  estimated_duration_ms: null,
  context: { a: 1 },
  timestamp: '2026-01-01T00:00:00.000Z',
};

function client(over: Partial<ConstructorParameters<typeof ApproverClient>[0]> = {}) {
  const logger = recordingLogger();
  const c = new ApproverClient({
    url: server.url,
    apiKey: 'sekret-test-key',
    timeoutMs: 2_000,
    retry: { enabled: true, max_attempts: 3, backoff_multiplier: 2, initial_delay_ms: 5, max_delay_ms: 20 },
    logger,
    ...over,
  });
  return { c, logger };
}

async function failure(p: Promise<unknown>): Promise<ApproverCallError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApproverCallError) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}

describe('approver client', () => {
  it('sends the contract body with bearer auth, user agent and a request id', async () => {
    server.set('approve', approve([{ type: 'cost_limit', value: 2, reason: 'cap' }], 'fine'));
    const { c } = client();
    const a = await c.approve(req);
    expect(a).toEqual({ approved: true, reason: 'fine', constraints: [{ type: 'cost_limit', value: 2, reason: 'cap' }], retry_after_seconds: null });
    const [r] = server.requestsFor('approve');
    expect(r?.headers.authorization).toBe('Bearer sekret-test-key');
    expect(r?.headers['user-agent']).toBe(`gatehouse/${VERSION}`);
    expect(r?.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(r?.body).toEqual(req);
  });

  it('passes a rejection with retry_after_seconds through', async () => {
    server.set('approve', reject('over budget', 120));
    const a = await client().c.approve(req);
    expect(a).toMatchObject({ approved: false, reason: 'over budget', constraints: [], retry_after_seconds: 120 });
  });

  it('retries 5xx with the same request id, then succeeds; every log line carries it', async () => {
    let n = 0;
    server.set('approve', () => (++n < 3 ? { kind: 'status', status: 503 } : approve()));
    const { c, logger } = client();
    await c.approve(req);
    const reqs = server.requestsFor('approve');
    expect(reqs).toHaveLength(3);
    const ids = new Set(reqs.map((r) => r.headers['x-request-id']));
    expect(ids.size).toBe(1);
    expect(logger.lines.length).toBeGreaterThanOrEqual(3);
    for (const l of logger.lines) expect(l.bindings.request_id).toBe([...ids][0]);
    expect(JSON.stringify(logger.lines)).not.toContain('sekret-test-key');
  });

  it('does not retry a 4xx', async () => {
    server.set('approve', { kind: 'status', status: 401, body: 'bad key' });
    const e = await failure(client().c.approve(req));
    expect(e.kind).toBe('http');
    expect(e.status).toBe(401);
    expect(server.requestsFor('approve')).toHaveLength(1);
  });

  it('treats malformed JSON and a wrong shape as failures, never approvals', async () => {
    server.set('approve', { kind: 'malformed' });
    expect((await failure(client().c.approve(req))).kind).toBe('malformed');
    server.set('approve', { kind: 'json', body: { approved: 'yes' } });
    const e = await failure(client().c.approve(req));
    expect(e.kind).toBe('malformed');
    expect(e.message).toContain('approved');
    server.set('approve', { kind: 'json', body: { approved: true, constraints: [{ type: 'cost_limit', value: -1 }] } });
    expect((await failure(client().c.approve(req))).kind).toBe('malformed');
  });

  it('times out a slow answer and retries it', async () => {
    server.set('approve', { kind: 'delay', ms: 5_000, then: approve() });
    const e = await failure(client({ timeoutMs: 150 }).c.approve(req));
    expect(e.kind).toBe('timeout');
    expect(server.requestsFor('approve')).toHaveLength(3);
  });

  it('classifies dropped connections and a closed port as network failures', async () => {
    server.set('approve', { kind: 'destroy' });
    expect((await failure(client().c.approve(req))).kind).toBe('network');
    expect(server.requestsFor('approve')).toHaveLength(3);
    await server.stop();
    expect((await failure(client().c.approve(req))).kind).toBe('network');
  });

  it('honours the overall deadline over the retry policy', async () => {
    server.set('approve', { kind: 'delay', ms: 5_000, then: approve() });
    const { c } = client({ timeoutMs: 3_000 });
    const e = await failure(c.approve(req, { deadline: Date.now() + 150 }));
    expect(e.kind).toBe('timeout');
    expect(server.requestsFor('approve')).toHaveLength(1);
  });

  it('abort signal: answer, and null for an unknown task', async () => {
    server.set('abort', (r) => (r.url.endsWith('/gone') ? { kind: 'status', status: 404 } : { kind: 'json', body: { should_abort: true, reason: 'operator said stop' } }));
    const { c } = client();
    expect(await c.abortSignal('t1')).toEqual({ should_abort: true, reason: 'operator said stop' });
    expect(await c.abortSignal('gone')).toBeNull();
  });

  it('report: sends the idempotency key and throws when not acknowledged', async () => {
    const { c } = client();
    const report = { task_id: 't9', status: 'completed' as const, result: { ok: 1 }, actual_cost: 0.2, start_time: null, end_time: null, logs: [], error_message: null, duration_ms: 5 };
    await c.sendReport(report);
    expect(server.requestsFor('report')[0]?.headers['idempotency-key']).toBe('t9:completed');
    server.set('report', { kind: 'json', body: { success: false, message: 'nope' } });
    expect((await failure(c.sendReport(report))).kind).toBe('rejected_report');
  });

  it('health: true on 200, false with a reason otherwise', async () => {
    const { c } = client();
    expect(await c.health()).toEqual({ ok: true, reason: 'healthy' });
    server.set('health', { kind: 'status', status: 503 });
    expect(await c.health()).toEqual({ ok: false, reason: 'GET /health answered 503' });
    await server.stop();
    expect((await c.health()).ok).toBe(false);
  });
});
