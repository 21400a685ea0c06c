// The socket client's pipelining: many calls on one connection, answers matched by id in any order,
// answers split anywhere (even inside a UTF-8 character), a cancelled call ended on its own with a
// `cancel` notification, and every waiting call failed (never answered) when the connection drops.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectTransport } from '../../../src/client/ipcClient.js';
import { startFakeEngineSocket, until, type FakeEngineSocket } from '../../support/fakeEngineSocket.js';

let fake: FakeEngineSocket;
beforeEach(async () => {
  fake = await startFakeEngineSocket();
});
afterEach(async () => {
  await fake.close();
});

const connect = () => connectTransport({ stateDir: fake.stateDir, surface: 'ipc', callTimeoutMs: 0 });

describe('IPC client transport', () => {
  it('sends calls without waiting for answers and matches answers by id in whatever order they come', async () => {
    const t = await connect();
    const calls = [1, 2, 3].map((n) => t.call('firewall.check', { n }));
    const reqs = await until(() => fake.requests.length === 3 && fake.requests, 'three requests in flight');
    expect(reqs.map((r) => r.params.n)).toEqual([1, 2, 3]);
    expect(fake.connections).toHaveLength(1);
    reqs[2]!.answer({ n: 3 });
    reqs[0]!.answer({ n: 1 });
    expect(await calls[2]).toEqual({ n: 3 });
    expect(await calls[0]).toEqual({ n: 1 });
    reqs[1]!.answer({ n: 2 });
    expect(await calls[1]).toEqual({ n: 2 });
    await t.close();
  });

  it('joins answers split across reads, also inside a multi-byte character, and several answers in one read', async () => {
    const t = await connect();
    const a = t.call('echo', {});
    const b = t.call('echo', {});
    const [ra, rb] = await until(() => fake.requests.length === 2 && fake.requests, 'two requests');
    const line = Buffer.from(`${JSON.stringify({ jsonrpc: '2.0', id: ra!.id, result: { text: 'naïve – ✓' } })}\n`);
    const cut = line.indexOf(Buffer.from('✓')) + 1; // inside the three bytes of ✓
    ra!.socket.write(line.subarray(0, cut));
    await new Promise((r) => setTimeout(r, 20));
    ra!.socket.write(Buffer.concat([line.subarray(cut), Buffer.from(`${JSON.stringify({ jsonrpc: '2.0', id: rb!.id, result: 2 })}\n`)]));
    expect(await a).toEqual({ text: 'naïve – ✓' });
    expect(await b).toBe(2);
    await t.close();
  });

  it('a cancelled call fails at once and tells the engine which one; the others on the connection go on', async () => {
    const t = await connect();
    const ac = new AbortController();
    const waiting = t.call('firewall.check', { n: 1 }, 0, ac.signal);
    const other = t.call('firewall.check', { n: 2 });
    const [first, second] = await until(() => fake.requests.length === 2 && fake.requests, 'two requests');
    ac.abort();
    await expect(waiting).rejects.toThrow(/cancelled/);
    await until(() => fake.notifications.length === 1, 'the cancel notification');
    expect(fake.notifications[0]).toEqual({ method: 'cancel', params: { id: first!.id } });
    first!.answer({ late: true }); // the engine's late answer to the cancelled call is dropped
    second!.answer({ n: 2 });
    expect(await other).toEqual({ n: 2 });
    expect(fake.connections).toHaveLength(1);
    await t.close();
  });

  it('fails every call still waiting when the engine drops the connection mid-call, and refuses new ones', async () => {
    const t = await connect();
    const calls = [t.call('firewall.check', { n: 1 }), t.call('firewall.check', { n: 2 })];
    const reqs = await until(() => fake.requests.length === 2 && fake.requests, 'two requests');
    reqs[0]!.socket.destroy();
    for (const c of calls) await expect(c).rejects.toMatchObject({ code: 'unavailable', message: 'the engine closed the connection' });
    await expect(t.call('status')).rejects.toMatchObject({ code: 'unavailable' });
  });
});
