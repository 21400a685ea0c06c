// The assistant never holds up its caller: a deadline answers even when the transport ignores its
// abort signal, and a caller's cancel ends the call at once.
import { afterEach, describe, expect, it } from 'vitest';
import { startLlmServer, type LlmServer } from '../../support/llmServers.js';
import { isAssistantError } from '../../../src/engine/assistant/types.js';
import { makeAssistant, promptSubject, settingsFor } from './fixtures.js';

let server: LlmServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('deadlines', () => {
  it('answers with a timeout value even when fetch never settles and ignores abort', async () => {
    const stuck: typeof fetch = () => new Promise<Response>(() => {});
    const { assistant } = makeAssistant(settingsFor('http://127.0.0.1:9', 'anthropic'), { fetchImpl: stuck });
    const r = await assistant.brief(promptSubject(), {}, { deadlineMs: 200 });
    if (!isAssistantError(r)) throw new Error('expected an error value');
    expect(r.error).toBe('timeout');
    expect(r.request_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('ends a hanging call when the caller cancels (e.g. the prompt was answered)', async () => {
    server = await startLlmServer('openai', [{ kind: 'hang' }]);
    const { assistant } = makeAssistant(settingsFor(server.url, 'openai'));
    const ctrl = new AbortController();
    const pending = assistant.brief(promptSubject(), {}, { signal: ctrl.signal, deadlineMs: 60_000 });
    while (server.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    ctrl.abort();
    const r = await pending;
    if (!isAssistantError(r)) throw new Error('expected an error value');
    expect(r.error).toBe('timeout');
    expect(r.message).toContain('cancelled');
    expect(server.requests).toHaveLength(1);
  });

  it('retries a connect timeout as a network failure', async () => {
    let calls = 0;
    const slowHeaders: typeof fetch = (_url, init) =>
      new Promise<Response>((_resolve, reject) => {
        calls++;
        init?.signal?.addEventListener('abort', () => reject(init.signal!.reason));
      });
    const { assistant, sleeps } = makeAssistant(settingsFor('http://127.0.0.1:9', 'anthropic', { connect_timeout_ms: 100, max_retries: 1 }), { fetchImpl: slowHeaders });
    const r = await assistant.brief(promptSubject(), {});
    if (!isAssistantError(r)) throw new Error('expected an error value');
    expect(r.error).toBe('timeout');
    expect(r.message).toContain('connect timeout');
    expect(calls).toBe(2);
    expect(sleeps).toHaveLength(1);
  });
});
