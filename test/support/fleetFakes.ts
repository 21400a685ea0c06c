// A fake engine (fakeEngineClient.ts) served on a real gatehouse.sock (fakeEngineSocket.ts): a stand-in host
// for tests of the client and the console over several engines.
import type { EngineError } from '../../src/shared/errors.js';
import type { FakeEngineClient } from './fakeEngineClient.js';
import { startFakeEngineSocket, type FakeEngineSocket } from './fakeEngineSocket.js';

/** Serves a fake engine's answers on a fake socket: the methods a console uses. */
export async function serve(engine: FakeEngineClient): Promise<FakeEngineSocket> {
  const sock = await startFakeEngineSocket();
  sock.onRequest = (r) => {
    const p = r.params ?? {};
    const run: Record<string, () => Promise<unknown>> = {
      status: () => engine.status(),
      subscribe: async () => ({ ok: true }),
      'prompts.list': () => engine.prompts.list(),
      'prompts.resolve': () => engine.prompts.resolve(p.id, { decision: p.decision, scope: p.scope }),
      'alerts.ack': () => engine.alerts.ack(p.id),
      'ledger.recent': () => engine.ledger.recent(p.limit),
      'tasks.list': () => engine.tasks.list(p),
      'tasks.get': () => engine.tasks.get(p.id),
      'tasks.approve': () => engine.tasks.approve(p.id, p.reason),
      'alerts.list': () => engine.alerts.list(p),
      'agents.list': () => engine.agents.list(),
      'assistant.status': () => engine.assistant.status(),
      'assistant.history': () => engine.assistant.history(p.id),
      'assistant.brief': () => engine.assistant.brief(p.id, p),
    };
    const fn = run[r.method];
    if (!fn) return r.socket.write(`${JSON.stringify({ jsonrpc: '2.0', id: r.id, error: { code: -32601, message: `no method ${r.method}` } })}\n`);
    fn().then(
      (v) => r.answer(v),
      (err: EngineError) => r.socket.write(`${JSON.stringify({ jsonrpc: '2.0', id: r.id, error: { code: -32004, message: err.message, data: { code: err.code } } })}\n`),
    );
  };
  return sock;
}

