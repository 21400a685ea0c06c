// The CLI's decide over the engine client: what it sends, how it waits, how it fails.
import { describe, it, expect } from 'vitest';
import type { EngineClient } from '../../../src/client/engineClient.js';
import type { FirewallCheck } from '../../../src/shared/firewall.js';
import { engineDecider } from '../../../src/cli/proxyMain.js';
import { silentLogger, type DecideContext } from '../../../src/engine/proxy/types.js';
import { decision } from '../../support/proxyFakes.js';

function fakeClient(check: (req: FirewallCheck) => Promise<ReturnType<typeof decision>>, closed: { n: number }): EngineClient {
  return { firewall: { check }, close: async () => void closed.n++ } as unknown as EngineClient;
}
const call = { server: 'fs', tool: 'write_file', args: { path: '/x' } };
const ctx = (extra: Partial<DecideContext> = {}): DecideContext => ({ requestId: 1, signal: new AbortController().signal, ...extra });

describe('engineDecider', () => {
  it('asks firewall.check with the tool, the agent, wait and the escalation; tells the proxy it is waiting', async () => {
    const seen: FirewallCheck[] = [];
    let waited = 0;
    let answer!: () => void;
    const decide = engineDecider(
      async () => fakeClient((req) => (seen.push(req), new Promise((r) => (answer = () => r(decision({ decision: 'allow', source: 'operator' }))))), { n: 0 }),
      '/state',
      'bot',
      silentLogger,
    );
    const p = decide(call, ctx({ onWaiting: () => (waited++, answer()), escalation: { check: 'tool_changed', reason: 'r' } }));
    // The operator only answers once the proxy was told it is waiting: this resolves only if onWaiting fires.
    expect((await p).decision).toBe('allow');
    expect(seen[0]).toEqual({ tool: call, agent: 'bot', wait: true, escalate: { check: 'tool_changed', reason: 'r' } });
    expect(waited).toBe(1);
  });

  it('does not claim to wait for an operator when the policy answers at once', async () => {
    let waited = 0;
    const decide = engineDecider(async () => fakeClient(async () => decision({ decision: 'allow' }), { n: 0 }), '/state', 'bot', silentLogger);
    await decide(call, ctx({ onWaiting: () => waited++ }));
    await new Promise((r) => setTimeout(r, 400));
    expect(waited).toBe(0);
  });

  it('reports an unreachable engine and connects again on the next call', async () => {
    let attempts = 0;
    const decide = engineDecider(
      async () => {
        attempts++;
        if (attempts === 1) throw new Error('no socket');
        return fakeClient(async () => decision({ decision: 'deny' }), { n: 0 });
      },
      '/state',
      'bot',
      silentLogger,
    );
    await expect(decide(call, ctx())).rejects.toThrow(/engine not reachable at \/state: no socket/);
    expect((await decide(call, ctx())).decision).toBe('deny');
    expect(attempts).toBe(2);
  });

  it('stops waiting when the call is cancelled, and closes the connection so the engine cancels the prompt', async () => {
    const closed = { n: 0 };
    const decide = engineDecider(async () => fakeClient(() => new Promise(() => undefined), closed), '/state', 'bot', silentLogger);
    const ac = new AbortController();
    const p = decide(call, ctx({ signal: ac.signal }));
    await new Promise((r) => setTimeout(r, 10));
    ac.abort();
    await expect(p).rejects.toThrow(/cancelled/);
    expect(closed.n).toBe(1);
  });

  it('a cancel while connecting still ends the wait', async () => {
    const decide = engineDecider(() => new Promise(() => undefined), '/state', 'bot', silentLogger);
    const ac = new AbortController();
    const p = decide(call, ctx({ signal: ac.signal }));
    ac.abort();
    await expect(p).rejects.toThrow(/cancelled/);
  });

  it('uses one connection per decision and closes it, whatever the outcome', async () => {
    const closed = { n: 0 };
    let connects = 0;
    let fail = true;
    const decide = engineDecider(
      async () => (connects++, fakeClient(async () => { if (fail) throw new Error('the engine closed the connection'); return decision({ decision: 'allow' }); }, closed)),
      '/state',
      'bot',
      silentLogger,
    );
    await expect(decide(call, ctx())).rejects.toThrow(/closed the connection/);
    fail = false;
    expect((await decide(call, ctx())).decision).toBe('allow');
    expect(connects).toBe(2);
    expect(closed.n).toBe(2);
  });
});
