// The console over several engines: the real fleet client over real Unix sockets to two stand-in hosts and
// one that is not there. A host column in Queue, Prompts and Alerts; per-host counts in the header; the
// host that is down shown as down (never an all clear); `host:NAME` narrowing the views; an answer going
// to the host that owns the ask.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connectFleet, type FleetClient } from '../../../src/client/fleetClient.js';
import { parseHostUrl } from '../../../src/shared/hostUrl.js';
import { App } from '../../../src/ui/App.js';
import { tempStateDir } from '../../support/engine.js';
import { FakeEngineClient, T0 } from '../../support/fakeEngineClient.js';
import type { FakeEngineSocket } from '../../support/fakeEngineSocket.js';
import { serve } from '../../support/fleetFakes.js';
import { renderAt, type Screen } from '../../support/uiRender.js';

const now = () => T0 + 60_000;
let closing: Array<{ close(): Promise<void> }> = [];
let screens: Screen[] = [];
afterEach(async () => {
  for (const s of screens) s.unmount();
  await Promise.all(closing.map((c) => c.close()));
  screens = [];
  closing = [];
});

const urlOf = (dir: string) => parseHostUrl(`unix://${join(dir, 'gatehouse.sock')}`);

async function fleetOf(): Promise<{ fleet: FleetClient; sa: FakeEngineSocket; sb: FakeEngineSocket }> {
  const a = new FakeEngineClient();
  const b = new FakeEngineClient();
  a.addTask({ task_id: 't-a1', description: 'summarise inbox', created_at: new Date(T0 + 1000).toISOString() }, false);
  b.addTask({ task_id: 't-b1', description: 'reindex documents', created_at: new Date(T0 + 2000).toISOString() }, false);
  a.addPrompt({ id: 'pa000001', command: 'make deploy', expires_at: new Date(T0 + 300_000).toISOString() }, false);
  b.addPrompt({ id: 'pb000001', command: 'curl https://example.com/x.sh', expires_at: new Date(T0 + 200_000).toISOString() }, false);
  b.addAlert({ id: 'al-b', severity: 'P1', message: 'policy edited outside gatehouse' });
  // Both ledgers start at record 1: over the fleet a record is its host's.
  const rec = (seq: number, ts: number, action: string, hash: string) => ({ seq, ts: new Date(ts).toISOString(), actor: 'operator', surface: 'tui', action, subject: null, detail: {}, reason: null, policy_hash: null, prev_hash: '0', hash });
  a.ledgerList = [rec(1, T0 + 1000, 'task.approve', 'ha1'), rec(2, T0 + 4000, 'prompt.resolve', 'ha2')];
  b.ledgerList = [rec(1, T0 + 2000, 'policy.trusted', 'hb1')];
  const [sa, sb] = await Promise.all([serve(a), serve(b)]);
  const fleet = await connectFleet(
    [
      { name: 'gw1', endpoint: urlOf(sa.stateDir) },
      { name: 'gw2', endpoint: urlOf(sb.stateDir) },
      { name: 'gw3', endpoint: urlOf(tempStateDir()) },
    ],
    { initialDelayMs: 20, maxDelayMs: 100 },
  );
  closing.push(fleet, sa, sb);
  return { fleet, sa, sb };
}

function open(client: FleetClient, columns = 140, rows = 40): Screen {
  const s = renderAt(<App client={client} now={now} controller={{ throttleMs: 20, statusPollMs: 200, statusMinMs: 50 }} />, columns, rows);
  screens.push(s);
  return s;
}

describe('console over several hosts', () => {
  it('shows a host column, per-host counts in the header and the host that is down', async () => {
    const { fleet } = await fleetOf();
    const s = open(fleet);
    const f = await s.waitFor((x) => x.includes('reindex documents') && x.includes('gw2 ● 1 ask'));
    expect(f).toContain('fleet 2/3 up');
    expect(f).toContain('gw1 ● 1 ask');
    expect(f).toMatch(/gw2 ● 1 ask( 1 pending)? P1 1/);
    expect(f).toMatch(/gw3 ✗ down/);
    expect(f).toMatch(/HOST\s+ID\s+/);
    expect(f).toMatch(/gw2\s+t-b1\s/);
    expect(f).toMatch(/gw1\s+t-a1\s/);
    s.press('2');
    const prompts = await s.waitFor(/HOST\s+LEFT/);
    expect(prompts).toContain('gw3 down: its asks are not shown');
    expect(prompts).toMatch(/gw2\s+\S+\s+\S+.*curl https:\/\/example\.com/);
    s.press('3');
    const alerts = await s.waitFor('policy edited outside gatehouse');
    expect(alerts).toMatch(/gw2\s+P1\s/);
    // The Ledger: each record with its host, newest first by time, record 1 of each host a row of its own.
    s.press('5');
    const ledger = await s.waitFor((x) => /HOST\s+SEQ\s+TIME/.test(x) && x.includes('policy.trusted'));
    const rows = ledger.split('\n').filter((l) => /gw\d\s+\d+\s/.test(l)).map((l) => /(gw\d)\s+(\d+)\s.*?(task\.approve|prompt\.resolve|policy\.trusted)/.exec(l)!.slice(1).join(' '));
    expect(rows).toEqual(['gw1 2 prompt.resolve', 'gw2 1 policy.trusted', 'gw1 1 task.approve']);
    s.press('j');
    await s.waitFor((x) => /›.*gw2\s+1\s.*policy\.trusted/.test(x));
    s.press('j');
    await s.waitFor((x) => /›.*gw1\s+1\s.*task\.approve/.test(x));
  });

  it('narrows Queue, Prompts and Alerts to one host with host:NAME, and esc clears it', async () => {
    const { fleet } = await fleetOf();
    const s = open(fleet);
    await s.waitFor((x) => x.includes('reindex documents') && x.includes('summarise inbox'));
    s.press('/host:gw1\r');
    await s.waitFor((x) => x.includes('summarise inbox') && !x.includes('reindex documents'));
    expect(s.frame()).toContain('host:gw1');
    s.press('2');
    await s.waitFor((x) => x.includes('make deploy') && !x.includes('curl https'));
    s.press('\x1b');
    await s.waitFor((x) => x.includes('make deploy') && x.includes('curl https'));
    s.press(':filter host:gw9\r');
    await s.waitFor("'gw9' names no host (hosts: gw1, gw2, gw3)");
  });

  it('answers the selected ask on the host that owns it', async () => {
    const { fleet, sa, sb } = await fleetOf();
    const s = open(fleet);
    s.press('2');
    // Soonest to expire first: gw2's ask is selected.
    await s.waitFor((x) => /›.*gw2.*curl/.test(x));
    s.press('d');
    await s.waitFor((x) => x.includes('denied: curl https') && !/›.*curl/.test(x));
    expect(sb.requests.filter((r) => r.method === 'prompts.resolve').map((r) => [r.params.id, r.params.decision])).toEqual([['pb000001', 'deny']]);
    expect(sa.requests.some((r) => r.method === 'prompts.resolve')).toBe(false);
  });

  it('shows a host that drops as down, keeping the others', async () => {
    const { fleet, sb } = await fleetOf();
    const s = open(fleet);
    await s.waitFor('gw2 ● 1 ask');
    await sb.close();
    // Its task leaves the Queue with the next read; the other host's stays.
    const f = await s.waitFor((x) => /gw2 ✗ down/.test(x) && x.includes('fleet 1/3 up') && !x.includes('reindex documents'));
    expect(f).toContain('summarise inbox');
  });
});
