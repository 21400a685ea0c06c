// The assistant in the console's detail view, over the in-memory client: the brief (risk, summary)
// under the task's facts, `c` opens a question, the whole answer shows when it arrives; with the
// assistant off the detail says why and `c` asks nothing.
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../../src/ui/App.js';
import { FakeEngineClient, T0 } from '../../support/fakeEngineClient.js';
import { renderAt, type Screen } from '../../support/uiRender.js';

const now = () => T0 + 60_000;
let screens: Screen[] = [];
afterEach(() => {
  for (const s of screens) s.unmount();
  screens = [];
});

function open(client: FakeEngineClient): Screen {
  const s = renderAt(<App client={client} now={now} controller={{ throttleMs: 20 }} />, 120, 40);
  screens.push(s);
  return s;
}

function withTask(): FakeEngineClient {
  const c = new FakeEngineClient();
  c.addTask({ task_id: 't-9', task_type: 'workflow', description: 'publish the package', estimated_cost: 0.4 });
  return c;
}

describe('assistant in the detail view', () => {
  it('shows the brief and answers a question typed after c', async () => {
    const c = withTask();
    c.briefs.set('t-9', {
      state: 'ready',
      error: null,
      reason: null,
      brief: { subject_id: 't-9', risk: 'high', summary: 'Publishes to the public registry.', text: '', model: 'm', provider: 'anthropic', created_at: new Date(T0).toISOString(), tokens_in: 1, tokens_out: 1 },
    });
    c.nextAnswer = (id, q) => ({ ok: true, turn: { subject_id: id, question: q, answer: 'It cannot be unpublished after 72 hours.', model: 'm', provider: 'anthropic', created_at: new Date(T0).toISOString(), tokens_in: 1, tokens_out: 1 } });
    const s = open(c);
    await s.waitFor('publish the package');
    s.press('\r');
    const f = await s.waitFor('risk high · Publishes to the public registry.');
    expect(f).toMatch(/assistant\s+risk high/);
    expect(f).toContain('c ask a question');
    s.press('c');
    await s.waitFor('ask the assistant about t-9');
    s.press('can it be undone?\r');
    await c.waitForCall('assistant.ask');
    expect(c.callsTo('assistant.ask')).toEqual([['t-9', 'can it be undone?', undefined]]);
    const g = await s.waitFor('assistant: It cannot be unpublished after 72 hours.');
    expect(g).toContain('you: can it be undone?');
  });

  it('says the assistant is off, and c asks nothing', async () => {
    const c = withTask();
    c.assistantOff = 'assistant off: no provider key (set ANTHROPIC_API_KEY or OPENAI_API_KEY)';
    const s = open(c);
    await s.waitFor('publish the package');
    s.press('\r');
    await s.waitFor('assistant off: no provider key');
    s.press('c');
    await s.waitFor('assistant off: no provider key (set ANTHROPIC_API_KEY');
    expect(s.frame()).not.toContain('ask the assistant about');
    expect(c.callsTo('assistant.ask')).toEqual([]);
  });
});
