// The engine against a real approver on loopback: approvals with constraints reach the gateway,
// rejections carry the approver's reason, an unreachable approver means strict fallback decisions
// listed for review, execution reports arrive once, and the approver's abort signal ends a task.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approve, reject, startApproverServer, type ApproverServer } from '../../support/approverServer.js';
import { cli, startEngine, waitFor, type RunningEngine } from '../../support/engine.js';
import { fake } from '../../support/monitorSecrets.js';

let approver: ApproverServer;
let e: RunningEngine;

beforeAll(async () => {
  approver = await startApproverServer();
  e = await startEngine({
    env: { APPROVAL_SYSTEM_URL: approver.url, APPROVAL_API_KEY: 'k-test-123', APPROVAL_TIMEOUT: '3000' },
    config: 'approval:\n  health_interval_ms: 200\n  abort_poll_interval_ms: 100\n  retry_policy: { max_attempts: 1 }\n  fallback_after_failures: 2\n',
  });
});
afterAll(async () => {
  await e.stop();
  await approver.stop();
});

async function submit(body: Record<string, unknown>): Promise<string> {
  return (await e.http('POST', '/api/tasks', { task_type: 'chat', estimated_cost: 0.5, ...body })).body.data.task_id;
}

async function settled(id: string): Promise<any> {
  return waitFor(async () => {
    const t = (await e.http('GET', `/api/tasks/${id}`)).body.data;
    return t.status !== 'pending_approval' ? t : null;
  }, 15_000, `task ${id} decided`);
}

describe('approver link through the engine', () => {
  it('approves with constraints that tighten the execution config the gateway reads', async () => {
    approver.set('approve', approve([{ type: 'cost_limit', value: 2, reason: 'daily limit' }, { type: 'time_limit', value: 30_000, reason: 'standard' }], 'within budget'));
    const id = await submit({ context: { execution_config: { cost_limit_usd: 10, time_limit_ms: 10_000 } } });
    const t = await settled(id);
    expect(t).toMatchObject({ status: 'approved', decided_by: 'approver', decision_reason: 'within budget' });
    expect(t.execution_config).toMatchObject({ cost_limit_usd: 2, time_limit_ms: 10_000 });
    const req = approver.requestsFor('approve').at(-1)!;
    expect(req.headers.authorization).toBe('Bearer k-test-123');
    expect(String(req.headers['user-agent'])).toMatch(/^gatehouse\//);
    expect(req.body).toMatchObject({ task_id: id, task_type: 'chat', estimated_cost: 0.5 });
  });

  it('a rejection carries the approver reason', async () => {
    approver.set('approve', reject('exceeds monthly budget limit', 3600));
    const t = await settled(await submit({ task_type: 'batch', estimated_cost: 60 }));
    expect(t).toMatchObject({ status: 'rejected', decided_by: 'approver', decision_reason: 'exceeds monthly budget limit' });
  });

  it('reports the end of a task to the approver exactly once', async () => {
    approver.set('approve', approve([]));
    const id = await submit({});
    await settled(id);
    await e.http('POST', `/api/tasks/${id}/start`, {});
    await e.http('POST', `/api/tasks/${id}/complete`, { actual_cost: 0.2, result: { ok: 1 } });
    const key = `${id}:completed`;
    await waitFor(() => approver.reports.get(key), 10_000, 'the report');
    await new Promise((r) => setTimeout(r, 300));
    expect(approver.reports.get(key)!.count).toBe(1);
    expect(approver.reports.get(key)!.body).toMatchObject({ task_id: id, status: 'completed', actual_cost: 0.2 });
  });

  it('the approver is off the host: secrets in the task and its report reach it masked', async () => {
    const gh = fake.github();
    const ant = fake.anthropic();
    approver.set('approve', approve([]));
    const id = await submit({ description: `deploy with ${gh}`, context: { note: `key ${ant}` } });
    await settled(id);
    await e.http('POST', `/api/tasks/${id}/start`, {});
    await e.http('POST', `/api/tasks/${id}/complete`, { actual_cost: 0.1, result: { out: `printed ${gh}` }, logs: [`used ${ant}`] });
    const report = await waitFor(() => approver.reports.get(`${id}:completed`), 10_000, 'the report');
    const sent = JSON.stringify([approver.requestsFor('approve').find((r) => (r.body as { task_id?: string }).task_id === id)!.body, report.body]);
    expect(sent).toContain(id);
    expect(sent).not.toContain(gh);
    expect(sent).not.toContain(ant);
    expect(sent).toMatch(/deploy with \S+/);
  });

  it("the approver's abort signal ends a running task", async () => {
    approver.set('approve', approve([]));
    const id = await submit({});
    await settled(id);
    await e.http('POST', `/api/tasks/${id}/start`, {});
    approver.set('abort', (r) => ({ kind: 'json', body: r.url.endsWith(id) ? { should_abort: true, reason: 'budget exhausted' } : { should_abort: false, reason: null } }));
    const t = await waitFor(async () => {
      const x = (await e.http('GET', `/api/tasks/${id}`)).body.data;
      return x.status === 'aborted' ? x : null;
    }, 10_000, 'abort');
    const signal = (await e.http('GET', `/api/tasks/${id}/abort-signal`)).body.data;
    expect(signal.should_abort).toBe(true);
    expect(signal.reason).toMatch(/budget exhausted/);
    expect(t.status).toBe('aborted');
    approver.set('abort', { kind: 'json', body: { should_abort: false, reason: null } });
  });

  it('a running task past its time limit is aborted naming the constraint', async () => {
    approver.set('approve', approve([{ type: 'time_limit', value: 300, reason: 'short' }]));
    const id = await submit({});
    await settled(id);
    await e.http('POST', `/api/tasks/${id}/start`, {});
    const t = await waitFor(async () => {
      const x = (await e.http('GET', `/api/queue/task/${id}`)).body.data;
      return x.status === 'aborted' ? x : null;
    }, 10_000, 'time limit abort');
    expect(t.transitions.at(-1).reason).toMatch(/time_limit/);
  });

  it('approver down: strict fallback decisions, listed for review, and back online by itself', async () => {
    await approver.stop();
    const cheap = await submit({ estimated_cost: 0.5 });
    const dear = await submit({ task_type: 'workflow', estimated_cost: 50 });
    const a = await settled(cheap);
    const b = await settled(dear);
    expect(a).toMatchObject({ status: 'approved', decided_by: 'fallback' });
    expect(b).toMatchObject({ status: 'rejected', decided_by: 'fallback' });
    const st = JSON.parse(cli(['status', '--json'], { stateDir: e.stateDir }).stdout);
    expect(['degraded', 'fallback']).toContain(st.approver.state);
    expect(st.approver.pending_review).toBeGreaterThanOrEqual(2);
    await approver.restart();
    await waitFor(async () => (await e.http('GET', '/api/approval/health')).body.data.approval_system.healthy, 10_000, 'back online');
  });
});
