// The CLI's decide over the engine: what it sends, how it waits, how it fails, and which connections it keeps.
import { describe, it, expect } from 'vitest';
import type { EngineClient } from '../../../src/client/engineClient.js';
import type { FirewallCheck } from '../../../src/shared/firewall.js';
import { engineDecider, type EngineLink } from '../../../src/engine/proxy/engineDecider.js';
import { silentLogger, type DecideContext } from '../../../src/engine/proxy/types.js';
import { decision } from '../../support/proxyFakes.js';

interface FakeLink extends EngineLink {
  closed: boolean;
}

function fakeLink(check: (req: FirewallCheck) => Promise<ReturnType<typeof decision>>): FakeLink {
  const link: FakeLink = {
    closed: false,
    client: { firewall: { check }, close: async () => void (link.closed = true) } as unknown as EngineClient,
    isOpen: () => !link.closed,
  };
  return link;
}
const call = { server: 'fs', tool: 'write_file', args: { path: '/x' } };
const ctx = (extra: Partial<DecideContext> = {}): DecideContext => ({ requestId: 1, signal: new AbortController().signal, ...extra });

describe('engineDecider', () => {
  it('asks firewall.check with the tool, the agent, wait and the escalation; tells the proxy it is waiting', async () => {
    const seen: FirewallCheck[] = [];
    let waited = 0;
    let answer!: () => void;
    const decide = engineDecider(
      async () => fakeLink((req) => (seen.push(req), new Promise((r) => (answer = () => r(decision({ decision: 'allow', source: 'operator' })))))),
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
    const decide = engineDecider(async () => fakeLink(async () => decision({ decision: 'allow' })), '/state', 'bot', silentLogger);
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
        return fakeLink(async () => decision({ decision: 'deny' }));
      },
      '/state',
      'bot',
      silentLogger,
    );
    await expect(decide(call, ctx())).rejects.toThrow(/engine not reachable at \/state: no socket/);
    expect((await decide(call, ctx())).decision).toBe('deny');
    expect(attempts).toBe(2);
  });

  it('stops waiting when the call is cancelled, and closes that connection so the engine cancels the prompt', async () => {
    const links: FakeLink[] = [];
    const decide = engineDecider(async () => (links.push(fakeLink(() => new Promise(() => undefined))), links.at(-1)!), '/state', 'bot', silentLogger);
    const ac = new AbortController();
    const p = decide(call, ctx({ signal: ac.signal }));
    await new Promise((r) => setTimeout(r, 10));
    ac.abort();
    await expect(p).rejects.toThrow(/cancelled/);
    expect(links.map((l) => l.closed)).toEqual([true]);
  });

  it('a cancel while connecting still ends the wait', async () => {
    const decide = engineDecider(() => new Promise(() => undefined), '/state', 'bot', silentLogger);
    const ac = new AbortController();
    const p = decide(call, ctx({ signal: ac.signal }));
    ac.abort();
    await expect(p).rejects.toThrow(/cancelled/);
  });

  it('reuses one connection for calls one after another; closes it on close()', async () => {
    const links: FakeLink[] = [];
    const decide = engineDecider(async () => (links.push(fakeLink(async () => decision({ decision: 'allow' }))), links.at(-1)!), '/state', 'bot', silentLogger);
    for (let i = 0; i < 3; i++) expect((await decide(call, ctx())).decision).toBe('allow');
    expect(links).toHaveLength(1);
    expect(links[0]!.closed).toBe(false);
    decide.close();
    expect(links[0]!.closed).toBe(true);
  });

  it('gives concurrent calls a connection each, so cancelling one leaves the other waiting', async () => {
    const links: FakeLink[] = [];
    const answers: Array<() => void> = [];
    const decide = engineDecider(
      async () => (links.push(fakeLink(() => new Promise((r) => answers.push(() => r(decision({ decision: 'allow', source: 'operator' })))))), links.at(-1)!),
      '/state',
      'bot',
      silentLogger,
    );
    const first = new AbortController();
    const a = decide(call, ctx({ signal: first.signal }));
    const b = decide(call, ctx({ requestId: 2 }));
    while (answers.length < 2) await new Promise((r) => setTimeout(r, 1));
    first.abort();
    await expect(a).rejects.toThrow(/cancelled/);
    expect(links.map((l) => l.closed)).toEqual([true, false]);
    answers[1]!();
    expect((await b).decision).toBe('allow');
  });

  it('does not reuse a connection whose check failed, nor one the engine closed while idle', async () => {
    const links: FakeLink[] = [];
    let fail = true;
    const decide = engineDecider(
      async () => (links.push(fakeLink(async () => { if (fail) throw new Error('the engine closed the connection'); return decision({ decision: 'allow' }); })), links.at(-1)!),
      '/state',
      'bot',
      silentLogger,
    );
    await expect(decide(call, ctx())).rejects.toThrow(/closed the connection/);
    fail = false;
    expect((await decide(call, ctx())).decision).toBe('allow');
    expect(links).toHaveLength(2);
    expect(links[0]!.closed).toBe(true);
    links[1]!.closed = true; // the engine restarted while the connection sat idle
    expect((await decide(call, ctx())).decision).toBe('allow');
    expect(links).toHaveLength(3);
  });
});
