import { afterEach, beforeEach, describe, it, expect } from 'vitest';
import { ApproverLink } from '../../../src/engine/approver/approverLink.js';
import { ApprovalConfigSchema } from '../../../src/engine/approver/approvalConfig.js';
import type { ApproverLinkState } from '../../../src/shared/events.js';
import { approve, reject, startApproverServer, type ApproverServer } from '../../support/approverServer.js';
import { linkConfig, task, waitFor } from '../../support/approverFixtures.js';

let server: ApproverServer;
const links: ApproverLink[] = [];
beforeEach(async () => {
  server = await startApproverServer();
});
afterEach(async () => {
  for (const l of links.splice(0)) l.stop();
  await server.stop();
});

function makeLink(over: Parameters<typeof linkConfig>[1] = {}) {
  const recorded: Array<{ id: string; approved: boolean }> = [];
  const link = new ApproverLink({
    config: linkConfig(server.url, over),
    review: { recordFallback: (t, o) => void recorded.push({ id: t.task_id, approved: o.approved }) },
  });
  links.push(link);
  const states: Array<[ApproverLinkState, string | null]> = [];
  link.on('state', (s, r) => states.push([s, r]));
  return { link, states, recorded };
}

describe('ApproverLink.decide', () => {
  it('returns the approver constraints and marks decided_by approver', async () => {
    server.set('approve', approve([{ type: 'time_limit', value: 1000, reason: 'short' }], 'go'));
    const { link, recorded } = makeLink();
    const o = await link.decide(task());
    expect(o).toEqual({ approved: true, reason: 'go', constraints: [{ type: 'time_limit', value: 1000, reason: 'short' }], decided_by: 'approver', retry_after_seconds: null });
    expect(recorded).toEqual([]);
    expect(link.state).toBe('online');
  });

  it('passes a rejection with its reason and retry_after_seconds', async () => {
    server.set('approve', reject('not now', 30));
    const o = await makeLink().link.decide(task());
    expect(o).toEqual({ approved: false, reason: 'not now', constraints: [], decided_by: 'approver', retry_after_seconds: 30 });
  });

  for (const [name, behavior] of [
    ['500s', { kind: 'status', status: 500 }],
    ['answers past the timeout', { kind: 'delay', ms: 5_000, then: approve() }],
    ['dropped connections', { kind: 'destroy' }],
    ['malformed JSON', { kind: 'malformed' }],
    ['a 401', { kind: 'status', status: 401 }],
  ] as const) {
    it(`falls back to a strict local decision on ${name}, recorded for review`, async () => {
      server.set('approve', behavior);
      const { link, recorded, states } = makeLink(behavior.kind === 'delay' ? { timeout_ms: 150 } : {});
      const t = task({ estimated_cost: 0.5 });
      const o = await link.decide(t);
      expect(o.decided_by).toBe('fallback');
      expect(o.approved).toBe(true);
      expect(o.constraints.map((c) => c.type)).toEqual(['cost_limit', 'time_limit', 'resource_factor']);
      expect(recorded).toEqual([{ id: t.task_id, approved: true }]);
      expect(states).toEqual([['degraded', expect.any(String)]]);
    });
  }

  it('settles within its deadline when the approver hangs', async () => {
    server.set('approve', { kind: 'delay', ms: 60_000, then: approve() });
    const { link } = makeLink({ timeout_ms: 100, retry_policy: { enabled: true, max_attempts: 2, initial_delay_ms: 10, max_delay_ms: 10, backoff_multiplier: 2 } });
    // The approver would answer after 60 s, past the test's own 30 s limit: settling at all is the proof.
    const o = await link.decide(task());
    expect(o.decided_by).toBe('fallback');
    expect(o.reason).toContain('no answer');
  });

  it('decides locally without a configured approver (state off)', async () => {
    const link = new ApproverLink({ config: ApprovalConfigSchema.parse({}) });
    expect(link.state).toBe('off');
    expect(await link.decide(task({ estimated_cost: 50 }))).toMatchObject({ approved: false, decided_by: 'fallback' });
  });

  it('rejects a fallback approval that cannot be recorded for review', async () => {
    server.set('approve', { kind: 'status', status: 500 });
    const link = new ApproverLink({
      config: linkConfig(server.url),
      review: {
        recordFallback: () => {
          throw new Error('disk full');
        },
      },
    });
    links.push(link);
    const o = await link.decide(task());
    expect(o).toMatchObject({ approved: false, decided_by: 'fallback' });
    expect(o.reason).toContain('disk full');
  });
});

describe('ApproverLink states', () => {
  it('online → degraded → fallback → online as the approver fails and recovers (health loop)', async () => {
    const { link, states } = makeLink();
    link.start();
    await link.checkHealth();
    expect(link.state).toBe('online');
    server.set('approve', { kind: 'status', status: 503 });
    server.set('health', { kind: 'status', status: 503 });
    await link.decide(task());
    // The health loop may already have added its own failures.
    expect(['degraded', 'fallback']).toContain(link.state);
    await waitFor(() => link.state === 'fallback', 'fallback');
    // In fallback the approver is not asked at all.
    const before = server.requestsFor('approve').length;
    const o = await link.decide(task());
    expect(o.decided_by).toBe('fallback');
    expect(server.requestsFor('approve').length).toBe(before);
    server.set('health', { kind: 'json', body: {} });
    server.set('approve', approve());
    await waitFor(() => link.state === 'online', 'back online');
    expect((await link.decide(task())).decided_by).toBe('approver');
    expect(states.map((s) => s[0])).toEqual(['degraded', 'fallback', 'online']);
    expect(link.counters).toMatchObject({ decisions_approver: 1, decisions_fallback: 2, state_changes: 3 });
  });

  it('survives the approver going away and coming back on the same port', async () => {
    const { link, states } = makeLink();
    link.start();
    await server.stop();
    await waitFor(() => link.state === 'fallback', 'fallback after the approver left');
    expect(link.reason).toMatch(/ECONNREFUSED|failed/);
    expect(await link.abortSignal('x')).toBeNull();
    await server.restart();
    await waitFor(() => link.state === 'online', 'online after the approver came back');
    expect(states.map((s) => s[0])).toEqual(['degraded', 'fallback', 'online']);
  });

  it('stays online while health checks pass', async () => {
    const { link, states } = makeLink();
    link.start();
    await waitFor(() => server.requestsFor('health').length >= 3, 'three health checks');
    expect(states).toEqual([]);
    expect(server.requestsFor('health')[0]?.headers.authorization).toBe('Bearer sekret-test-key');
  });
});

describe('ApproverLink abort signals and reports', () => {
  it('reads the approver abort signal for a task', async () => {
    server.set('abort', (r) => ({ kind: 'json', body: { should_abort: r.url.endsWith('/t-stop'), reason: 'budget exhausted' } }));
    const { link } = makeLink();
    expect(await link.abortSignal('t-stop')).toEqual({ should_abort: true, reason: 'budget exhausted' });
    expect(await link.abortSignal('t-go')).toEqual({ should_abort: false, reason: 'budget exhausted' });
    server.set('abort', { kind: 'status', status: 500 });
    expect(await link.abortSignal('t-stop')).toBeNull();
  });

  it('sendReport throws when the approver does not acknowledge, and holds reports in fallback', async () => {
    const { link } = makeLink({ fallback_after_failures: 1 });
    const report = { task_id: 'r1', status: 'failed' as const, actual_cost: null, start_time: null, end_time: null, logs: ['x'], error_message: 'boom', duration_ms: null };
    await link.sendReport(report);
    expect(server.reports.get('r1:failed')?.count).toBe(1);
    server.set('report', { kind: 'status', status: 502 });
    await expect(link.sendReport(report)).rejects.toThrow(/502/);
    expect(link.state).toBe('fallback');
    server.set('report', { kind: 'json', body: { success: true, message: '' } });
    const n = server.requestsFor('report').length;
    await expect(link.sendReport(report)).rejects.toThrow(/fallback/);
    expect(server.requestsFor('report').length).toBe(n);
  });
});
