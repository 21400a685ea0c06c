// Many requests on one socket connection (the MCP proxy's decision stream): each is answered when it
// is done, by id, whatever the order they were sent in; `cancel {id}` ends one waiting firewall check
// and its prompt and nothing else; a connection that closes ends the checks it still had running.
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectEngine } from '../../../src/client/ipcClient.js';
import type { EngineClient } from '../../../src/client/engineClient.js';
import { startEngine, tempStateDir, waitFor, type RunningEngine } from '../../support/engine.js';

let e: RunningEngine;
let operator: EngineClient;
beforeAll(async () => {
  const dir = tempStateDir('gh-pipeline-');
  const policy = join(dir, 'policy.yaml');
  writeFileSync(policy, 'version: 1\npolicy: ask\nask_ttl: 60s\ntools:\n  - { server: fs, tool: read, decision: allow }\n', { mode: 0o600 });
  e = await startEngine({ env: { GATEHOUSE_POLICY: policy } });
  operator = await connectEngine({ stateDir: e.stateDir });
});
afterAll(async () => {
  await operator.close();
  expect(await e.stop()).toBe(0);
});

/** A raw connection: write lines, read answers by id. */
async function rawConnection(): Promise<{ s: Socket; send: (msg: object) => void; answers: Map<unknown, any>; order: unknown[] }> {
  const s = connect(join(e.stateDir, 'gatehouse.sock'));
  const answers = new Map<unknown, any>();
  const order: unknown[] = [];
  let buf = '';
  s.on('data', (d) => {
    buf += d.toString();
    for (let i = buf.indexOf('\n'); i !== -1; i = buf.indexOf('\n')) {
      const msg = JSON.parse(buf.slice(0, i));
      buf = buf.slice(i + 1);
      if (msg.id !== undefined) (answers.set(msg.id, msg), order.push(msg.id));
    }
  });
  await new Promise((r) => s.once('connect', r));
  return { s, send: (msg) => s.write(`${JSON.stringify({ jsonrpc: '2.0', ...msg })}\n`), answers, order };
}

const ask = (id: number, tool: string) => ({ id, method: 'firewall.check', params: { tool: { server: 'fs', tool, args: {} }, agent: 'pipe', wait: true } });
const pendingFor = async (tool: string) => (await operator.prompts.list()).find((p) => p.tool?.tool === tool);

describe('pipelined requests on one connection', () => {
  it('answers a later quick request before an earlier waiting one, and cancel ends only the check it names', async () => {
    const c = await rawConnection();
    // All in one write: two checks that ask, then two the engine answers at once.
    c.s.write([ask(1, 'write'), ask(2, 'delete'), ask(3, 'read'), { id: 4, method: 'agents.list' }].map((m) => JSON.stringify({ jsonrpc: '2.0', ...m })).join('\n') + '\n');
    await waitFor(() => c.answers.has(3) && c.answers.has(4), 5000, 'the quick answers');
    expect(c.answers.get(3).result).toMatchObject({ decision: 'allow', rule: expect.anything() });
    expect(c.order.slice(0, 2).sort()).toEqual([3, 4]);
    const first = await waitFor(() => pendingFor('write'), 5000, 'the first prompt');
    const second = await waitFor(() => pendingFor('delete'), 5000, 'the second prompt');

    c.send({ method: 'cancel', params: { id: 1 } });
    await waitFor(async () => (await operator.prompts.list()).every((p) => p.id !== first.id), 5000, 'the first prompt cancelled');
    expect((await pendingFor('delete'))?.id).toBe(second.id);
    expect(c.answers.get(1)?.result).toMatchObject({ decision: 'deny' });

    await operator.prompts.resolve(second.id, { decision: 'allow', scope: 'once' });
    await waitFor(() => c.answers.has(2), 5000, 'the answered check');
    expect(c.answers.get(2).result).toMatchObject({ decision: 'allow', source: 'operator' });
    c.s.destroy();
  });

  it('a cancel for an id that is not running changes nothing and says so', async () => {
    const c = await rawConnection();
    c.send({ id: 7, method: 'cancel', params: { id: 12345 } });
    await waitFor(() => c.answers.has(7), 5000, 'the answer');
    expect(c.answers.get(7).result).toEqual({ cancelled: false });
    c.send({ id: 8, method: 'cancel', params: { id: { not: 'an id' } } });
    await waitFor(() => c.answers.has(8), 5000, 'the error');
    expect(c.answers.get(8).error.code).toBe(-32602);
    c.s.destroy();
  });

  it('a connection that closes with checks waiting cancels their prompts', async () => {
    const c = await rawConnection();
    c.s.write([ask(1, 'rename'), ask(2, 'chmod')].map((m) => JSON.stringify({ jsonrpc: '2.0', ...m })).join('\n') + '\n');
    await waitFor(async () => (await pendingFor('rename')) && (await pendingFor('chmod')), 5000, 'two prompts');
    c.s.destroy();
    await waitFor(async () => !(await pendingFor('rename')) && !(await pendingFor('chmod')), 5000, 'both prompts cancelled');
  });
});
