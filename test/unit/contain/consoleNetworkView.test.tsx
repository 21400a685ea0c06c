// The console shows a network ask like a command ask (banner, the same answer keys) and the Agents view's
// column of connections allowed/blocked through the egress proxy (issue 17, part 3), rendered with Ink.
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../../src/ui/App.js';
import { FakeEngineClient, T0 } from '../../support/fakeEngineClient.js';
import { renderAt, type Screen } from '../../support/uiRender.js';

const now = () => T0 + 60_000;
let screen: Screen | null = null;
afterEach(() => {
  screen?.unmount();
  screen = null;
});

function open(c: FakeEngineClient, columns = 120, rows = 40): Screen {
  screen = renderAt(<App client={c} now={now} controller={{ throttleMs: 20 }} />, columns, rows);
  return screen;
}

describe('network asks and connection counts in the console', () => {
  it('a network ask shows its destination, agent and the command that asked, and is answered with the same keys', async () => {
    const c = new FakeEngineClient();
    const s = open(c);
    await s.waitFor('Queue');
    c.addPrompt({
      id: 'n-1', kind: 'network', destination: 'registry.example:443', agent: 'coder', task_id: null, cwd: '/work/app', command: 'npm install',
      segments: [], rule: null, reason: 'no network rule names registry.example:443 (network.default: ask)', always_rule: 'registry.example:443',
      expires_at: new Date(T0 + 90_000).toISOString(),
    });
    const f = await s.waitFor('▲ ASK');
    expect(f).toContain('connect registry.example:443 (from `npm install`)');
    expect(f).toContain('agent coder');
    expect(f).toContain('no network rule names registry.example:443');
    s.press('p');
    const answering = await s.waitFor('▶ ANSWERING');
    expect(answering).toContain('a allow once   t allow for task   A allow always…   d deny');
    s.press('d');
    await c.waitForCall('prompts.resolve');
    expect(c.callsTo('prompts.resolve')).toEqual([['n-1', { decision: 'deny', scope: 'once' }]]);
  });

  it('the Agents view has a NET OK/BLOCKED column (from 130 columns), a dash for an agent with no sandboxed connections', async () => {
    const c = new FakeEngineClient();
    const at = new Date(T0).toISOString();
    c.agentList.push({ name: 'coder', pid: 41, profile: null, state: 'alive', registered_at: at, last_seen: at, decisions: { allow: 3, deny: 1, ask: 0 }, connections: { allowed: 12, blocked: 4 } });
    c.agentList.push({ name: 'plain', pid: null, profile: null, state: 'gone', registered_at: at, last_seen: at, decisions: { allow: 0, deny: 0, ask: 0 } });
    const s = open(c, 140);
    await s.waitFor('Queue');
    s.press('4');
    const f = await s.waitFor(/coder\s+alive/);
    expect(f).toMatch(/NET OK\/BLOCKED/);
    expect(f).toMatch(/coder\s+alive.*3\/1\/0\s+12\/4/);
    expect(f).toMatch(/plain\s+gone.*0\/0\/0\s+—/);
  });
});
