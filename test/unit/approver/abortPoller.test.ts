import { afterEach, beforeEach, describe, it, expect } from 'vitest';
import { AbortPoller, type WatchedTask } from '../../../src/engine/approver/abortPoller.js';
import { reportFromTask } from '../../../src/engine/approver/approverApi.js';
import { ApproverLink } from '../../../src/engine/approver/approverLink.js';
import { startApproverServer, type ApproverServer } from '../../support/approverServer.js';
import { linkConfig, waitFor } from '../../support/approverFixtures.js';

let server: ApproverServer;
let link: ApproverLink;
beforeEach(async () => {
  server = await startApproverServer();
  link = new ApproverLink({ config: linkConfig(server.url) });
});
afterEach(async () => {
  link.stop();
  await server.stop();
});

const started = '2026-01-01T00:00:00.000Z';
const t0 = Date.parse(started);
const running = (task_id: string, over: Partial<WatchedTask> = {}): WatchedTask => ({ task_id, status: 'running', constraints: [], start_time: started, actual_cost: null, ...over });

describe('abort poller', () => {
  it('ends tasks the approver signals, and tasks past their time or cost constraint', async () => {
    server.set('abort', (r) => ({ kind: 'json', body: { should_abort: r.url.endsWith('/stop-me'), reason: 'operator on phone said stop' } }));
    const tasks = new Map<string, WatchedTask>([
      ['stop-me', running('stop-me')],
      ['fine', running('fine', { constraints: [{ type: 'time_limit', value: 60_000 }] })],
      ['slow', running('slow', { constraints: [{ type: 'time_limit', value: 1_000 }] })],
      ['pricey', running('pricey', { constraints: [{ type: 'cost_limit', value: 1 }], actual_cost: 1.5 })],
      ['done', { ...running('done'), status: 'completed' }],
    ]);
    const aborted: Array<[string, string, string]> = [];
    const poller = new AbortPoller({
      link,
      intervalMs: 20,
      running: () => [...tasks.values()],
      abort: (id, reason, by) => {
        aborted.push([id, reason, by]);
        tasks.delete(id);
      },
      now: () => t0 + 5_000,
    });
    expect(await poller.pollOnce()).toBe(3);
    expect(aborted).toEqual([
      ['stop-me', 'approver abort signal: operator on phone said stop', 'approver'],
      ['slow', 'time_limit of 1000 ms exceeded: running for 5000 ms', 'engine'],
      ['pricey', 'cost_limit of $1.00 exceeded: reported cost $1.50', 'engine'],
    ]);
    // The approver was asked about the tasks within their limits, not about the finished one.
    expect(server.requestsFor('abort').map((r) => r.url)).toEqual(['/api/abort-signal/stop-me', '/api/abort-signal/fine']);
    expect(await poller.pollOnce()).toBe(0);
  });

  it('polls on its interval and keeps going when one abort fails', async () => {
    server.set('abort', { kind: 'json', body: { should_abort: true, reason: 'r' } });
    const calls: string[] = [];
    const poller = new AbortPoller({
      link,
      intervalMs: 20,
      running: () => [running('a'), running('b')],
      abort: (id) => {
        calls.push(id);
        if (id === 'a') throw new Error('illegal transition: completed');
      },
    });
    poller.start();
    await waitFor(() => calls.length >= 4, 'two ticks');
    await poller.stop();
    expect(calls.slice(0, 4)).toEqual(['a', 'b', 'a', 'b']);
  });

  it('does nothing on an unreachable approver (null signal is not an abort)', async () => {
    await server.stop();
    const aborted: string[] = [];
    const poller = new AbortPoller({ link, intervalMs: 20, running: () => [running('a')], abort: (id) => void aborted.push(id) });
    expect(await poller.pollOnce()).toBe(0);
    expect(aborted).toEqual([]);
  });
});

describe('reportFromTask', () => {
  const base = { task_id: 'x', result: { ok: true }, actual_cost: 0.3, start_time: started, end_time: '2026-01-01T00:00:02.500Z', logs: ['a'], error_message: null };
  it('builds the contract report with its duration', () => {
    expect(reportFromTask({ ...base, status: 'completed' })).toEqual({ ...base, status: 'completed', duration_ms: 2500 });
  });
  it('refuses a task that has not ended', () => {
    expect(() => reportFromTask({ ...base, status: 'running' })).toThrow(/in status running: only completed, failed, aborted/);
  });
});
