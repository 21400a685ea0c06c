// The sandbox's engine door (doors/agentDoor.ts): which methods pass, with the agent pinned.
import { describe, expect, it } from 'vitest';
import { agentDoorParams, agentSeesEvent } from '../../../src/engine/doors/agentDoor.js';
import { EngineError } from '../../../src/shared/errors.js';
import type { Prompt } from '../../../src/shared/firewall.js';

const prompts = { find: (id: string) => (id === 'mine' ? ({ agent: 'coder' } as Prompt) : id === 'theirs' ? ({ agent: 'other' } as Prompt) : null) };
const engine = { prompts } as never;
const refused = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return err instanceof EngineError && err.code === 'forbidden' ? err.message : `wrong error ${String(err)}`;
  }
  return 'not refused';
};

describe("the sandbox's engine door", () => {
  it('pins the agent of a check and a registration; another agent is refused', () => {
    expect(agentDoorParams(engine, 'coder', 'firewall.check', { command: 'ls' })).toEqual({ command: 'ls', agent: 'coder' });
    expect(agentDoorParams(engine, 'coder', 'firewall.check', { command: 'ls', agent: 'coder' })).toEqual({ command: 'ls', agent: 'coder' });
    expect(refused(() => agentDoorParams(engine, 'coder', 'firewall.check', { command: 'ls', agent: 'other' }))).toMatch(/agent "other".*acts only as coder/);
    expect(agentDoorParams(engine, 'coder', 'agents.register', { pid: 5 })).toEqual({ pid: 5, name: 'coder' });
    expect(refused(() => agentDoorParams(engine, 'coder', 'agents.register', { name: 'root' }))).toMatch(/acts only as coder/);
  });

  it('cancels only its own prompts; alerts carry who raised them', () => {
    expect(agentDoorParams(engine, 'coder', 'prompts.cancel', { id: 'mine' })).toEqual({ id: 'mine' });
    expect(refused(() => agentDoorParams(engine, 'coder', 'prompts.cancel', { id: 'theirs' }))).toMatch(/not this agent's/);
    expect(agentDoorParams(engine, 'coder', 'alerts.raise', { check: 'x', evidence: { a: 1 } })).toEqual({ check: 'x', evidence: { a: 1, raised_by_agent: 'coder' } });
  });

  it("refuses every operator method, naming the door", () => {
    for (const m of ['prompts.resolve', 'prompts.list', 'shutdown', 'reload', 'policy.trust', 'status', 'ledger.recent', 'alerts.list', 'alerts.ack', 'agents.list', 'tasks.approve', 'contain.open', 'agents.deregister'])
      expect(refused(() => agentDoorParams(engine, 'coder', m, {})), m).toMatch(/refused on the sandbox's engine door \(agent coder\)/);
    expect(() => agentDoorParams(engine, 'coder', 'firewall.check', [1])).toThrow(/expected an object/);
  });

  it('passes on only its own prompts events', () => {
    expect(agentSeesEvent('coder', { type: 'prompt.opened', prompt: { agent: 'coder' } } as never)).toBe(true);
    expect(agentSeesEvent('coder', { type: 'prompt.opened', prompt: { agent: 'other' } } as never)).toBe(false);
    expect(agentSeesEvent('coder', { type: 'engine.stopping', reason: 'x' } as never)).toBe(false);
  });
});
