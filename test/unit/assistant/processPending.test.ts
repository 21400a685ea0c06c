// processPending: briefs what has none, skips what has one, bounds concurrency, and one failure
// does not stop the others.
import { afterEach, describe, expect, it } from 'vitest';
import { startLlmServer, type LlmServer } from '../../support/llmServers.js';
import { MemoryConversationStore } from '../../../src/engine/assistant/conversations.js';
import { pollPending, processPending } from '../../../src/engine/assistant/processPending.js';
import type { AssistantError, Brief, Subject } from '../../../src/engine/assistant/types.js';
import { GOOD_BRIEF, makeAssistant, promptSubject, settingsFor, taskSubject } from './fixtures.js';

let server: LlmServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('processPending', () => {
  it('briefs each pending subject once over a real server and stores the briefs', async () => {
    server = await startLlmServer('openai', [{ kind: 'ok', text: GOOD_BRIEF }]);
    const store = new MemoryConversationStore();
    const { assistant } = makeAssistant(settingsFor(server.url, 'openai'));
    const pending: Subject[] = [taskSubject({ task_id: 't1' }), taskSubject({ task_id: 't2' }), promptSubject({ id: 'p1' }), taskSubject({ task_id: 't1' })];
    store.saveBrief({ subject_id: 't2', risk: 'low', summary: '', text: '', model: 'm', provider: 'openai', created_at: '', tokens_in: 0, tokens_out: 0 });
    const contexts: string[] = [];
    const r = await processPending({
      assistant,
      listPending: () => pending,
      hasBrief: (id) => store.getBrief(id) !== null,
      storeBrief: (b) => store.saveBrief(b),
      contextFor: (s) => (contexts.push(s.kind), { notes: 'ctx' }),
    });
    expect(r.briefed.map((b) => b.subject_id).sort()).toEqual(['p1', 't1']);
    expect(r.skipped).toEqual(['t2']);
    expect(r.failed).toEqual([]);
    expect(server.requests).toHaveLength(2);
    expect(store.getBrief('p1')?.risk).toBe('high');
    expect(contexts).toHaveLength(2);

    const again = await processPending({ assistant, listPending: () => pending, hasBrief: (id) => store.getBrief(id) !== null, storeBrief: (b) => store.saveBrief(b) });
    expect(again.briefed).toEqual([]);
    expect(server.requests).toHaveLength(2);
  });

  it('keeps at most `concurrency` briefs in flight and reports failures per subject', async () => {
    let inFlight = 0;
    let peak = 0;
    const releases: Array<() => void> = [];
    const fake = {
      brief: async (s: Subject): Promise<Brief | AssistantError> => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise<void>((r) => releases.push(r));
        inFlight--;
        const id = s.kind === 'task' ? s.task.task_id : s.kind === 'prompt' ? s.prompt.id : s.alert.id;
        if (id === 't3') return { error: 'http', message: 'HTTP 500', request_id: 'r' };
        if (id === 't4') throw new Error('boom');
        return { subject_id: id, risk: 'low', summary: '', text: '', model: 'm', provider: 'anthropic', created_at: '', tokens_in: 0, tokens_out: 0 };
      },
    };
    const subjects = ['t1', 't2', 't3', 't4', 't5', 't6'].map((id) => taskSubject({ task_id: id }));
    const done = processPending({ assistant: fake, listPending: async () => subjects, hasBrief: () => false, storeBrief: () => {}, concurrency: 3 });
    // Release the held calls one at a time until all have run.
    for (let i = 0; i < subjects.length; i++) {
      while (releases.length === 0) await new Promise((r) => setImmediate(r));
      expect(inFlight).toBeLessThanOrEqual(3);
      releases.shift()!();
    }
    const r = await done;
    expect(peak).toBe(3);
    expect(r.briefed).toHaveLength(4);
    expect(r.failed.map((f) => [f.subject_id, f.error.error])).toEqual([
      ['t3', 'http'],
      ['t4', 'internal'],
    ]);
  });

  it('reports the off reason per subject without calling anything when the assistant is off', async () => {
    const { assistant } = makeAssistant(settingsFor('http://127.0.0.1:9', 'anthropic'), { settings: { enabled: false, reason: 'assistant off: no provider key' } });
    const r = await processPending({ assistant, listPending: () => [taskSubject()], hasBrief: () => false, storeBrief: () => {} });
    expect(r.failed).toEqual([{ subject_id: 'task-1', error: { error: 'off', message: 'assistant off: no provider key', request_id: null } }]);
  });

  it('polls until aborted', async () => {
    const ctrl = new AbortController();
    let rounds = 0;
    await pollPending({
      assistant: { brief: async () => ({ error: 'off', message: 'x', request_id: null }) },
      listPending: () => [],
      hasBrief: () => false,
      storeBrief: () => {},
      intervalMs: 1,
      signal: ctrl.signal,
      onRound: () => {
        if (++rounds === 3) ctrl.abort();
      },
    });
    expect(rounds).toBe(3);
  });
});
