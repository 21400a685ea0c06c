// The socket door: JSON-RPC lines, malformed input, subscriptions, and the typed client.
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectEngine } from '../../../src/client/ipcClient.js';
import type { EngineEvent } from '../../../src/shared/events.js';
import { startEngine, waitFor, type RunningEngine } from '../../support/engine.js';

let e: RunningEngine;
beforeAll(async () => {
  e = await startEngine();
});
afterAll(async () => {
  expect(await e.stop()).toBe(0);
});

/** Sends raw text on a fresh connection and collects the answer lines until `count` arrive. */
async function raw(text: string | Buffer, count: number): Promise<any[]> {
  const s = connect(join(e.stateDir, 'gatehouse.sock'));
  const lines: any[] = [];
  let buf = '';
  s.on('data', (d) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) !== -1) {
      lines.push(JSON.parse(buf.slice(0, i)));
      buf = buf.slice(i + 1);
    }
  });
  await new Promise((r) => s.once('connect', r));
  s.write(text);
  await waitFor(() => lines.length >= count, 5000, `${count} answers`);
  s.destroy();
  return lines;
}

describe('JSON-RPC over the socket', () => {
  it('answers a request, and errors for malformed lines without ending the connection', async () => {
    const answers = await raw(
      [
        'not json at all',
        '{"jsonrpc":"2.0","id":1,"method":"status"}',
        '{"jsonrpc":"1.0","id":2,"method":"status"}',
        '{"jsonrpc":"2.0","id":3,"method":"no.such.method"}',
        '{"jsonrpc":"2.0","id":4,"method":"tasks.get","params":{"id":"t-missing"}}',
        '{"jsonrpc":"2.0","id":5,"method":"tasks.submit","params":{"task_type":42}}',
        '[1,2,3]',
        '{"jsonrpc":"2.0","id":6,"method":"tasks.list","params":{"limit":1}}',
      ].join('\n') + '\n',
      8,
    );
    const byId = new Map(answers.filter((a) => a.id !== null).map((a) => [a.id, a]));
    expect(answers.filter((a) => a.id === null && a.error?.code === -32700)).toHaveLength(1);
    expect(byId.get(1).result.pid).toBe(e.proc.pid);
    expect(byId.get(2).error.code).toBe(-32600);
    expect(byId.get(3).error.code).toBe(-32601);
    expect(byId.get(4).error.message).toMatch(/no task t-missing/);
    expect(byId.get(5).error.code).toBe(-32602);
    expect(byId.get(6).result).toHaveProperty('total');
  });

  it('handles a request split across writes, CRLF, and invalid UTF-8', async () => {
    const s = connect(join(e.stateDir, 'gatehouse.sock'));
    let got = '';
    s.on('data', (d) => (got += d));
    await new Promise((r) => s.once('connect', r));
    const msg = '{"jsonrpc":"2.0","id":9,"method":"status"}\r\n';
    for (const ch of msg) s.write(ch);
    s.write(Buffer.from([0xff, 0xfe, 0x0a]));
    await waitFor(() => got.split('\n').filter(Boolean).length >= 2, 5000, 'two answers');
    const lines = got.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(lines.find((l) => l.id === 9).result.pid).toBe(e.proc.pid);
    expect(lines.find((l) => l.id === null).error.code).toBe(-32700);
    s.destroy();
  });

  it('the typed client submits, lists and receives events; another connection sees them too', async () => {
    const a = await connectEngine({ stateDir: e.stateDir });
    const b = await connectEngine({ stateDir: e.stateDir });
    const seen: EngineEvent[] = [];
    b.subscribe(['tasks'], (ev) => seen.push(ev));
    await new Promise((r) => setTimeout(r, 100));
    const t = await a.tasks.submit({ task_type: 'workflow', description: 'via socket', estimated_cost: 0.4 });
    await a.tasks.approve(t.task_id, 'looks fine');
    await waitFor(() => seen.some((ev) => ev.type === 'task.transitioned' && ev.to === 'approved' && ev.task.task_id === t.task_id), 5000, 'approved event');
    expect(seen.find((ev) => ev.type === 'task.submitted')).toBeTruthy();
    const detail = await b.tasks.get(t.task_id);
    expect(detail.transitions.at(-1)).toMatchObject({ to: 'approved', surface: 'cli', reason: 'looks fine' });
    await expect(a.tasks.approve(t.task_id)).rejects.toThrow(/is approved; cannot approve/);
    await a.close();
    await b.close();
  });
});
