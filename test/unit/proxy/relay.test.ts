// The relay against a real (tiny) server process: what passes unchanged, and how framing problems are answered.
import { describe, it, expect } from 'vitest';
import { byId, sawMethod, startHarness } from '../../support/proxyFakes.js';

const received = (m: Record<string, unknown>) => (m.result as { received: unknown }).received;

describe('relay passes everything but tools/call unchanged', () => {
  it('forwards requests, notifications, unknown methods and newer protocol versions as they are', async () => {
    const h = startHarness();
    const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2099-01-01', capabilities: { x: {} }, clientInfo: { name: 'c', version: '1' } } };
    h.send(init);
    expect(received(await h.waitFor(byId(1)))).toEqual(init);
    const unknown = { jsonrpc: '2.0', id: 'abc', method: 'vendor/whatever', params: { deep: [1, { a: null }] } };
    h.send(unknown);
    expect(received(await h.waitFor(byId('abc')))).toEqual(unknown);
    const note = { jsonrpc: '2.0', method: 'notifications/roots/list_changed' };
    h.send(note);
    const saw = await h.waitFor(sawMethod('notifications/roots/list_changed'));
    expect((saw.params as { msg: unknown }).msg).toEqual(note);
    // A response from the host to a server request passes too.
    const reply = { jsonrpc: '2.0', id: 77, result: { roots: [] } };
    h.send(reply);
    const sawReply = await h.waitFor((m) => m.method === 'fake/saw' && (m.params as { msg: { id?: unknown } }).msg.id === 77);
    expect((sawReply.params as { msg: unknown }).msg).toEqual(reply);
    h.input.end();
    expect((await h.done).exitCode).toBe(0);
  });

  it('reassembles lines split into single bytes, including multi-byte UTF-8', async () => {
    const h = startHarness();
    const msg = { jsonrpc: '2.0', id: 2, method: 'echo', params: { text: 'héllo ✓ 🙂' } };
    for (const b of Buffer.from(`${JSON.stringify(msg)}\n`)) h.sendRaw(Buffer.from([b]));
    expect(received(await h.waitFor(byId(2)))).toEqual(msg);
    h.input.end();
    await h.done;
  });

  it('handles many messages in one chunk and CRLF line ends', async () => {
    const h = startHarness();
    const chunk = [1, 2, 3, 4, 5].map((id) => JSON.stringify({ jsonrpc: '2.0', id, method: 'm' })).join('\r\n') + '\r\n';
    h.sendRaw(chunk);
    for (const id of [1, 2, 3, 4, 5]) expect(received(await h.waitFor(byId(id)))).toEqual({ jsonrpc: '2.0', id, method: 'm' });
    h.input.end();
    await h.done;
  });

  it('answers a non-JSON line with a parse error and keeps the session', async () => {
    const h = startHarness();
    h.sendRaw('this is not json\n');
    const err = await h.waitFor((m) => m.id === null);
    expect((err.error as { code: number }).code).toBe(-32700);
    h.send({ jsonrpc: '2.0', id: 9, method: 'after' });
    expect(received(await h.waitFor(byId(9)))).toMatchObject({ method: 'after' });
    h.input.end();
    await h.done;
  });

  it('answers JSON that is not JSON-RPC with invalid request on its id, and never forwards it', async () => {
    const h = startHarness();
    h.send({ id: 5, method: 'no-jsonrpc-field' });
    const err = await h.waitFor(byId(5));
    expect(err.error).toMatchObject({ code: -32600 });
    expect((err.error as { message: string }).message).toMatch(/jsonrpc/);
    h.send({ jsonrpc: '2.0', id: 6, method: 'ok' });
    await h.waitFor(byId(6));
    expect(h.lines.filter((m) => m.id === 5)).toHaveLength(1);
    h.input.end();
    await h.done;
  });

  it('answers invalid UTF-8 with a parse error and keeps the session', async () => {
    const h = startHarness();
    h.sendRaw(Buffer.concat([Buffer.from('{"jsonrpc":"2.0","id":3,"method":"x","params":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}\n')]));
    const err = await h.waitFor((m) => m.id === null);
    expect(err.error).toMatchObject({ code: -32700, message: expect.stringMatching(/UTF-8/) });
    h.send({ jsonrpc: '2.0', id: 4, method: 'ok' });
    await h.waitFor(byId(4));
    expect(h.lines.some((m) => m.id === 3)).toBe(false);
    h.input.end();
    await h.done;
  });

  it('drops an over-long line with a clear error, then carries on', async () => {
    const h = startHarness({ maxLineBytes: 4096 });
    const big = JSON.stringify({ jsonrpc: '2.0', id: 10, method: 'big', params: { s: 'x'.repeat(10_000) } });
    // Sent in pieces so the limit is hit before the newline arrives.
    for (let i = 0; i < big.length; i += 1000) h.sendRaw(big.slice(i, i + 1000));
    h.sendRaw('\n');
    const err = await h.waitFor((m) => m.id === null);
    expect(err.error).toMatchObject({ code: -32700, message: expect.stringMatching(/4096-byte limit/) });
    const fits = { jsonrpc: '2.0', id: 11, method: 'small', params: { s: 'y'.repeat(3000) } };
    h.send(fits);
    expect(received(await h.waitFor(byId(11)))).toEqual(fits);
    expect(h.lines.some((m) => m.id === 10)).toBe(false);
    h.input.end();
    await h.done;
  });

  it('refuses a batch that contains tools/call, and relays other batches', async () => {
    const h = startHarness();
    h.sendRaw(JSON.stringify([{ jsonrpc: '2.0', id: 20, method: 'tools/call', params: { name: 'x' } }, { jsonrpc: '2.0', id: 21, method: 'ping' }]) + '\n');
    const e20 = await h.waitFor(byId(20));
    const e21 = await h.waitFor(byId(21));
    expect(e20.error).toMatchObject({ code: -32600 });
    expect(e21.error).toMatchObject({ code: -32600 });
    h.input.end();
    await h.done;
  });
});

describe('child lifecycle', () => {
  it('answers in-flight requests with errors when the server crashes, and exits non-zero', async () => {
    const h = startHarness();
    h.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'hang' } });
    // Wait until "hang" was forwarded: a later request's answer proves the server has read it.
    h.send({ jsonrpc: '2.0', id: 2, method: 'ping' });
    await h.waitFor(byId(2));
    h.send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'crash' } });
    const r = await h.done;
    expect(r.exitCode).toBe(3);
    for (const id of [1, 3]) {
      const m = h.lines.find(byId(id));
      expect(m?.error).toMatchObject({ code: -32603, message: expect.stringMatching(/exited/) });
    }
  });

  it('a crash also answers a call still waiting for its decision, and ends that wait', async () => {
    let signal: AbortSignal | undefined;
    const h = startHarness({
      decide: async (c, ctx) => {
        if (c.tool !== 'slow-decision') return { decision: 'allow', source: 'policy', rule: null, reason: '', segments: [], request_id: 'r' };
        signal = ctx.signal;
        return new Promise((_r, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))));
      },
    });
    h.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'slow-decision' } });
    h.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'crash' } });
    expect((await h.done).exitCode).toBe(3);
    expect(h.lines.find(byId(1))?.error).toMatchObject({ code: -32603, message: expect.stringMatching(/exited/) });
    expect(signal?.aborted).toBe(true);
  });

  it('host EOF closes the server stdin and the proxy exits 0', async () => {
    const h = startHarness();
    h.send({ jsonrpc: '2.0', id: 1, method: 'ping' });
    await h.waitFor(byId(1));
    h.input.end();
    expect((await h.done).exitCode).toBe(0);
  });

  it('host EOF terminates a server that ignores EOF', async () => {
    const h = startHarness({ fakeEnv: { FAKE_IGNORE_EOF: '1' } });
    h.send({ jsonrpc: '2.0', id: 1, method: 'ping' });
    await h.waitFor(byId(1));
    h.input.end();
    expect((await h.done).exitCode).toBe(0);
  });

  it('a server that cannot be started answers nothing wrongly and exits 127', async () => {
    const h = startHarness({ command: '/nonexistent/gatehouse-test-server', args: [] });
    expect((await h.done).exitCode).toBe(127);
  });
});
