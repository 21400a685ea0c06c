// The REST API through a real engine process on loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type RunningEngine } from '../../support/engine.js';

let e: RunningEngine;
beforeAll(async () => {
  e = await startEngine();
});
afterAll(async () => {
  expect(await e.stop()).toBe(0);
});

const ENDPOINTS: Array<[string, string]> = [
  ['POST', '/api/tasks'],
  ['GET', '/api/tasks/t-1'],
  ['POST', '/api/tasks/t-1/start'],
  ['POST', '/api/tasks/t-1/complete'],
  ['POST', '/api/tasks/t-1/fail'],
  ['GET', '/api/tasks/t-1/abort-signal'],
  ['GET', '/api/queue/status'],
  ['GET', '/api/queue/tasks'],
  ['GET', '/api/queue/task/t-1'],
  ['POST', '/api/queue/approve/t-1'],
  ['POST', '/api/queue/reject/t-1'],
  ['POST', '/api/queue/abort/t-1'],
  ['GET', '/api/approval/health'],
  ['GET', '/api/alerts'],
  ['GET', '/metrics'],
];

describe('auth', () => {
  it('/health answers without a token', async () => {
    const res = await fetch(e.url('/health'));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  it.each(ENDPOINTS)('%s %s refuses a missing or wrong token', async (method, path) => {
    const none = await fetch(e.url(path), { method });
    expect(none.status).toBe(401);
    const wrong = await fetch(e.url(path), { method, headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    const wrongHeader = await fetch(e.url(path), { method, headers: { 'x-auth-token': `${e.token}x` } });
    expect(wrongHeader.status).toBe(401);
  });

  it('accepts X-Auth-Token as well as the bearer header', async () => {
    const res = await fetch(e.url('/api/queue/status'), { headers: { 'x-auth-token': e.token } });
    expect(res.status).toBe(200);
  });
});

describe('task lifecycle over REST', () => {
  it('submit → operator approve → start → complete, every transition stored', async () => {
    const sub = await e.http('POST', '/api/tasks', { task_type: 'chat', description: 'summarise inbox', estimated_cost: 0.01, context: { user: 'u1' } });
    expect(sub.status).toBe(201);
    expect(sub.body).toMatchObject({ success: true, data: { status: 'pending_approval', task_type: 'chat' } });
    const id = sub.body.data.task_id as string;
    expect((await e.http('POST', `/api/queue/approve/${id}`, { reason: 'fine' })).body.data).toMatchObject({ status: 'approved', decided_by: 'operator' });
    expect((await e.http('POST', `/api/tasks/${id}/start`, {})).body.data.status).toBe('running');
    const done = await e.http('POST', `/api/tasks/${id}/complete`, { result: { ok: true }, actual_cost: 0.008, logs: ['done'] });
    expect(done.body.data).toMatchObject({ status: 'completed', actual_cost: 0.008, result: { ok: true } });
    const detail = await e.http('GET', `/api/queue/task/${id}`);
    expect(detail.body.data.transitions.map((t: { seq: number; to: string }) => [t.seq, t.to])).toEqual([
      [1, 'pending'],
      [2, 'pending_approval'],
      [3, 'approved'],
      [4, 'running'],
      [5, 'completed'],
    ]);
    const status = await e.http('GET', '/api/queue/status');
    expect(status.body.data.by_status.completed).toBeGreaterThanOrEqual(1);
    expect(status.body.data.total_cost_usd).toBeGreaterThanOrEqual(0.008);
  });

  it('an illegal transition is 409 naming the current status', async () => {
    const id = (await e.http('POST', '/api/tasks', { task_type: 'batch', estimated_cost: 1 })).body.data.task_id;
    const r = await e.http('POST', `/api/tasks/${id}/complete`, {});
    expect(r.status).toBe(409);
    expect(r.body.error).toMatch(/pending_approval/);
  });

  it('abort signal: false while running, true after an operator abort', async () => {
    const id = (await e.http('POST', '/api/tasks', { task_type: 'workflow', estimated_cost: 0.4 })).body.data.task_id;
    await e.http('POST', `/api/queue/approve/${id}`, {});
    await e.http('POST', `/api/tasks/${id}/start`, {});
    expect((await e.http('GET', `/api/tasks/${id}/abort-signal`)).body.data).toEqual({ should_abort: false, reason: null });
    expect((await e.http('POST', `/api/queue/abort/${id}`, { reason: 'operator stop' })).body.data.status).toBe('aborted');
    expect((await e.http('GET', `/api/tasks/${id}/abort-signal`)).body.data).toEqual({ should_abort: true, reason: 'operator stop' });
  });

  it('long-poll ?wait= returns when the status changes', async () => {
    const id = (await e.http('POST', '/api/tasks', { task_type: 'chat' })).body.data.task_id;
    const waiting = e.http('GET', `/api/tasks/${id}?wait=20`);
    await new Promise((r) => setTimeout(r, 200));
    await e.http('POST', `/api/queue/reject/${id}`, { reason: 'no' });
    const r = await waiting;
    expect(r.body.data).toMatchObject({ status: 'rejected', decision_reason: 'no' });
  });

  it('lists with status filter and pagination', async () => {
    const r = await e.http('GET', '/api/queue/tasks?status=rejected&limit=1&offset=0');
    expect(r.status).toBe(200);
    expect(r.body.data.tasks).toHaveLength(1);
    expect(r.body.data.total).toBeGreaterThanOrEqual(1);
    expect(r.body.data.tasks[0].status).toBe('rejected');
  });
});

describe('bad input never stops the engine', () => {
  it('malformed JSON → 400', async () => {
    const r = await e.http('POST', '/api/tasks', '{"task_type": ', {});
    expect(r.status).toBe(400);
    expect(r.body.success).toBe(false);
  });
  it('wrong types → 400 with details naming the field', async () => {
    const r = await e.http('POST', '/api/tasks', { task_type: 'chat', estimated_cost: 'lots' });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body.details)).toMatch(/estimated_cost/);
  });
  it('a body over 1 MiB → 413', async () => {
    const r = await e.http('POST', '/api/tasks', { task_type: 'chat', description: 'x'.repeat(1_100_000) });
    expect(r.status).toBe(413);
  });
  it('unknown task → 404, unknown route → 404, bad id → 400', async () => {
    expect((await e.http('GET', '/api/tasks/t-nope')).status).toBe(404);
    expect((await e.http('GET', '/api/nothing')).status).toBe(404);
    const bad = await e.http('GET', '/api/tasks/%2e%2e%2fetc');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ success: false, error: 'invalid task id', details: [{ path: 'id' }] });
  });
  it('a duplicate task_id → 409', async () => {
    await e.http('POST', '/api/tasks', { task_id: 'dup-1', task_type: 'chat' });
    expect((await e.http('POST', '/api/tasks', { task_id: 'dup-1', task_type: 'chat' })).status).toBe(409);
  });
  it('still serves afterwards', async () => {
    expect((await e.http('GET', '/api/queue/status')).status).toBe(200);
  });
});

describe('metrics and approval health', () => {
  it('/metrics is Prometheus text', async () => {
    const r = await e.http('GET', '/metrics');
    expect(r.status).toBe(200);
    expect(r.body).toMatch(/^# HELP gatehouse_up/m);
    expect(r.body).toMatch(/gatehouse_tasks\{status="completed"\} \d+/);
  });
  it('/api/approval/health reports no approver', async () => {
    const r = await e.http('GET', '/api/approval/health');
    expect(r.body.data.approval_system).toMatchObject({ healthy: false, fallback_mode: false });
  });
});
