// The CLI's decide over one pipelined engine connection: every call on it at once, opened when the
// proxy starts, opened again after it was lost, a cancel handed to the link for that check alone.
import { describe, it, expect } from 'vitest';
import type { EngineClient } from '../../../src/client/engineClient.js';
import type { FirewallCheck } from '../../../src/shared/firewall.js';
import { engineDecider, type EngineLink } from '../../../src/engine/proxy/engineDecider.js';
import { silentLogger, type DecideContext } from '../../../src/engine/proxy/types.js';
import { decision } from '../../support/proxyFakes.js';

interface FakeLink extends EngineLink {
  closed: boolean;
  signals: AbortSignal[];
}

type Check = (req: FirewallCheck, signal: AbortSignal) => Promise<ReturnType<typeof decision>>;

function fakeLink(check: Check): FakeLink {
  const link: FakeLink = {
    closed: false,
    signals: [],
    client: { close: async () => void (link.closed = true) } as unknown as EngineClient,
    isOpen: () => !link.closed,
    check: (req, signal) => (link.signals.push(signal), check(req, signal)),
  };
  return link;
}
const call = { server: 'fs', tool: 'write_file', args: { path: '/x' } };
const ctx = (extra: Partial<DecideContext> = {}): DecideContext => ({ requestId: 1, signal: new AbortController().signal, ...extra });
const pipelined = { pipelined: true };

describe('engineDecider, pipelined', () => {
  it('warm connects once; sequential and concurrent calls all use that one link', async () => {
    const links: FakeLink[] = [];
    const answers: Array<() => void> = [];
    const decide = engineDecider(
      async () => (links.push(fakeLink(() => new Promise((r) => answers.push(() => r(decision({ decision: 'allow' })))))), links.at(-1)!),
      '/state',
      'bot',
      silentLogger,
      pipelined,
    );
    decide.warm();
    decide.warm();
    const a = decide(call, ctx());
    const b = decide(call, ctx({ requestId: 2 }));
    while (answers.length < 2) await new Promise((r) => setTimeout(r, 1));
    answers[1]!();
    expect((await b).decision).toBe('allow');
    answers[0]!();
    expect((await a).decision).toBe('allow');
    const c = decide(call, ctx({ requestId: 3 }));
    while (answers.length < 3) await new Promise((r) => setTimeout(r, 1));
    answers[2]!();
    await c;
    expect(links).toHaveLength(1);
    decide.close();
    await new Promise((r) => setTimeout(r, 1));
    expect(links[0]!.closed).toBe(true);
  });

  it('hands each call its own signal, so a cancel reaches the link for that check alone', async () => {
    const link = fakeLink((_req, signal) => new Promise((_r, reject) => signal.addEventListener('abort', () => reject(new Error('firewall.check cancelled')))));
    const decide = engineDecider(async () => link, '/state', 'bot', silentLogger, pipelined);
    const first = new AbortController();
    const p = decide(call, ctx({ signal: first.signal }));
    const q = decide(call, ctx({ requestId: 2 }));
    while (link.signals.length < 2) await new Promise((r) => setTimeout(r, 1));
    first.abort();
    await expect(p).rejects.toThrow(/cancelled/);
    expect(link.signals.map((s) => s.aborted)).toEqual([true, false]);
    expect(link.closed).toBe(false);
    void q.catch(() => undefined);
    decide.close();
  });

  it('reports an unreachable engine, and connects again after the link was lost', async () => {
    let attempts = 0;
    const links: FakeLink[] = [];
    const decide = engineDecider(
      async () => {
        attempts++;
        if (attempts === 1) throw new Error('no socket');
        links.push(fakeLink(async () => decision({ decision: 'deny' })));
        return links.at(-1)!;
      },
      '/state',
      'bot',
      silentLogger,
      pipelined,
    );
    await expect(decide(call, ctx())).rejects.toThrow(/engine not reachable at \/state: no socket/);
    expect((await decide(call, ctx())).decision).toBe('deny');
    links[0]!.closed = true; // the engine restarted
    expect((await decide(call, ctx())).decision).toBe('deny');
    expect(attempts).toBe(3);
    expect(links).toHaveLength(2);
  });

  it('calls that find the link lost at the same time connect again once', async () => {
    const links: FakeLink[] = [];
    const decide = engineDecider(
      async () => (await new Promise((r) => setTimeout(r, 5)), links.push(fakeLink(async () => decision({ decision: 'allow' }))), links.at(-1)!),
      '/state',
      'bot',
      silentLogger,
      pipelined,
    );
    await decide(call, ctx());
    links[0]!.closed = true;
    const answers = await Promise.all([1, 2, 3].map((n) => decide(call, ctx({ requestId: n }))));
    expect(answers.map((a) => a.decision)).toEqual(['allow', 'allow', 'allow']);
    expect(links).toHaveLength(2);
    decide.close();
  });

  it('a cancel while connecting still ends the wait', async () => {
    const decide = engineDecider(() => new Promise(() => undefined), '/state', 'bot', silentLogger, pipelined);
    const ac = new AbortController();
    const p = decide(call, ctx({ signal: ac.signal }));
    ac.abort();
    await expect(p).rejects.toThrow(/cancelled/);
  });
});
