// The client over several engines (src/client/fleetClient.ts), over real Unix sockets: two stand-in
// engines (the fake engine's answers served on gatehouse.sock) and a host that is not there. Items carry
// their host, an answer goes to the engine that owns the item, a host that drops is shown down and
// retried, and a fleet with every host down is an error, never an empty "nothing pending".
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connectFleet, type FleetClient } from '../../../src/client/fleetClient.js';
import { EngineError } from '../../../src/shared/errors.js';
import { sumStatus } from '../../../src/shared/fleet.js';
import { parseHostUrl } from '../../../src/shared/hostUrl.js';
import { FakeEngineClient, T0 } from '../../support/fakeEngineClient.js';
import { until, type FakeEngineSocket } from '../../support/fakeEngineSocket.js';
import { serve } from '../../support/fleetFakes.js';
import { tempStateDir } from '../../support/engine.js';

const urlOf = (dir: string) => parseHostUrl(`unix://${join(dir, 'gatehouse.sock')}`);

let open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.map((o) => o.close()));
  open = [];
});

async function twoHosts(): Promise<{ a: FakeEngineClient; b: FakeEngineClient; sa: FakeEngineSocket; sb: FakeEngineSocket; fleet: FleetClient; gone: string }> {
  const a = new FakeEngineClient();
  const b = new FakeEngineClient();
  a.addPrompt({ id: 'p-on-a', command: 'rm -rf build' }, false);
  b.addPrompt({ id: 'p-on-b', command: 'curl example.com' }, false);
  a.addTask({ task_id: 't-a1', created_at: new Date(T0 + 1000).toISOString() }, false);
  a.addTask({ task_id: 't-a2', created_at: new Date(T0 + 3000).toISOString() }, false);
  b.addTask({ task_id: 't-b1', created_at: new Date(T0 + 2000).toISOString() }, false);
  const [sa, sb] = await Promise.all([serve(a), serve(b)]);
  const gone = tempStateDir();
  const fleet = await connectFleet(
    [
      { name: 'gw1', endpoint: urlOf(sa.stateDir) },
      { name: 'gw2', endpoint: urlOf(sb.stateDir) },
      { name: 'gw3', endpoint: urlOf(gone) },
    ],
    { initialDelayMs: 20, maxDelayMs: 80 },
  );
  open.push(fleet, sa, sb);
  return { a, b, sa, sb, fleet, gone };
}

describe('connectFleet', () => {
  it('lists every host, a host that is not there as down with why, without failing the others', async () => {
    const { fleet } = await twoHosts();
    const hosts = fleet.hosts();
    expect(hosts.map((h) => [h.name, h.state])).toEqual([
      ['gw1', 'connected'],
      ['gw2', 'connected'],
      ['gw3', 'reconnecting'],
    ]);
    expect(hosts[2]!.error).toMatch(/no gatehouse engine is running/);
    // Retried with backoff: the failed tries count up.
    await until(() => fleet.hosts()[2]!.attempt >= 3, 'gw3 retried');
  });

  it('merges asks, tasks and the status with each item carrying its host', async () => {
    const { fleet } = await twoHosts();
    const prompts = await fleet.prompts.list();
    expect(prompts.map((p) => [p.id, (p as { host?: string }).host]).sort()).toEqual([
      ['p-on-a', 'gw1'],
      ['p-on-b', 'gw2'],
    ]);
    const page = await fleet.tasks.list({ limit: 2, offset: 0, order: 'newest' });
    expect(page.total).toBe(3);
    expect(page.tasks.map((t) => [t.task_id, (t as { host?: string }).host])).toEqual([
      ['t-a2', 'gw1'],
      ['t-b1', 'gw2'],
    ]);
    const second = await fleet.tasks.list({ limit: 2, offset: 2, order: 'newest' });
    expect(second.tasks.map((t) => t.task_id)).toEqual(['t-a1']);
    const onlyGw2 = await fleet.tasks.list({ limit: 10, offset: 0, host: 'gw2' } as never);
    expect(onlyGw2.tasks.map((t) => t.task_id)).toEqual(['t-b1']);
    await expect(fleet.tasks.list({ host: 'gw9' } as never)).rejects.toThrow(/no host named 'gw9'/);
    const status = await fleet.status();
    expect(status.prompts_pending).toBe(2);
    expect(status.queue.total_tasks).toBe(3);
    expect(fleet.hosts()[0]!.status?.prompts_pending).toBe(1);
  });

  it('sends an answer to the engine that owns the ask, and only there', async () => {
    const { fleet, sa, sb } = await twoHosts();
    await fleet.prompts.list();
    const answered = await fleet.prompts.resolve('p-on-b', { decision: 'deny', scope: 'once' });
    expect(answered).toMatchObject({ id: 'p-on-b', host: 'gw2' });
    expect(sb.requests.filter((r) => r.method === 'prompts.resolve').map((r) => r.params.id)).toEqual(['p-on-b']);
    expect(sa.requests.some((r) => r.method === 'prompts.resolve')).toBe(false);
    await expect(fleet.prompts.resolve('p-nowhere', { decision: 'allow', scope: 'once' })).rejects.toThrow(/no host of the fleet has 'p-nowhere'/);
    // A task found by asking the hosts: approved where it is.
    await fleet.tasks.approve('t-b1');
    expect(sb.requests.some((r) => r.method === 'tasks.approve' && r.params.id === 't-b1')).toBe(true);
    expect(sa.requests.some((r) => r.method === 'tasks.approve')).toBe(false);
  });

  it('a host that drops is shown down; its asks are not answered elsewhere; every host down is an error', async () => {
    const { fleet, sa, sb } = await twoHosts();
    await fleet.prompts.list();
    const seen: string[] = [];
    fleet.onHosts((hs) => seen.push(hs.map((h) => `${h.name}:${h.state}`).join(' ')));
    await sb.close();
    await until(() => fleet.hosts()[1]!.state === 'reconnecting', 'gw2 down');
    expect(seen.at(-1)).toContain('gw2:reconnecting');
    expect((await fleet.prompts.list()).map((p) => p.id)).toEqual(['p-on-a']);
    await expect(fleet.prompts.resolve('p-on-b', { decision: 'allow', scope: 'once' })).rejects.toThrow(/host gw2 is down/);
    expect(fleet.connection!().state).toBe('connected');
    await sa.close();
    await until(() => fleet.connection!().state === 'reconnecting', 'the whole fleet down');
    const err = await fleet.prompts.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('unavailable');
    await expect(fleet.status()).rejects.toThrow(/down/);
  });

  it('refuses what has no one owner over a fleet', async () => {
    const { fleet } = await twoHosts();
    await expect(fleet.tasks.submit({ task_type: 'chat', description: 'x', estimated_cost: 0 })).rejects.toThrow(/over a fleet/);
    await expect(fleet.firewall.trust('ab')).rejects.toThrow(/over a fleet/);
  });
});

describe('sumStatus', () => {
  it('sums counts, keeps lockdown and the worst approver link, and is null for no host', async () => {
    const a = await new FakeEngineClient().status();
    const b = { ...(await new FakeEngineClient().status()), prompts_pending: 3, firewall: { ...a.firewall, lockdown: true, lockdown_reason: 'edited' }, approver: { ...a.approver, state: 'fallback' as const } };
    const s = sumStatus([{ ...a, prompts_pending: 1 }, b])!;
    expect(s.prompts_pending).toBe(4);
    expect(s.firewall.lockdown).toBe(true);
    expect(s.approver.state).toBe('fallback');
    expect(s.cost_today_usd).toBeCloseTo(a.cost_today_usd * 2);
    expect(sumStatus([])).toBeNull();
  });
});
