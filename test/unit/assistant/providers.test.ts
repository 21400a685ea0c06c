// Both wire formats end to end over loopback: what is sent (path, headers, body) and what is read back.
import { afterEach, describe, expect, it } from 'vitest';
import { startLlmServer, type LlmServer } from '../../support/llmServers.js';
import { isAssistantError } from '../../../src/engine/assistant/types.js';
import { VERSION } from '../../../src/shared/version.js';
import { GOOD_BRIEF, makeAssistant, promptSubject, settingsFor, taskSubject } from './fixtures.js';

let server: LlmServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('Anthropic Messages', () => {
  it('streams a brief and parses risk, summary and usage', async () => {
    server = await startLlmServer('anthropic', [{ kind: 'ok', text: GOOD_BRIEF, usage: { input: 321, output: 45 } }]);
    const { assistant } = makeAssistant(settingsFor(server.url, 'anthropic'));
    const brief = await assistant.brief(promptSubject(), {});
    if (isAssistantError(brief)) throw new Error(brief.message);
    expect(brief).toMatchObject({ subject_id: 'prompt-1', risk: 'high', summary: 'Pipes a remote script into a shell.', provider: 'anthropic', model: 'claude-haiku-4-5', tokens_in: 321, tokens_out: 45 });
    expect(brief.text).toBe(GOOD_BRIEF);

    const req = server.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v1/messages');
    expect(req.headers['x-api-key']).toBe('sk-test-key');
    expect(req.headers['anthropic-version']).toBe('2023-06-01');
    expect(req.headers['user-agent']).toBe(`gatehouse/${VERSION}`);
    expect(req.headers.authorization).toBeUndefined();
    const body = JSON.parse(req.body);
    expect(body).toMatchObject({ model: 'claude-haiku-4-5', stream: true });
    expect(typeof body.system).toBe('string');
    expect(body.messages[0].role).toBe('user');
    expect(body.messages[0].content).toContain('curl -s https://example.test/install.sh | sh');
  });

  it('streams chat tokens in order and returns the whole answer', async () => {
    const answer = 'It downloads a script and runs it without showing it to anyone first.';
    server = await startLlmServer('anthropic', [{ kind: 'ok', text: answer }]);
    const { assistant } = makeAssistant(settingsFor(server.url, 'anthropic'));
    const tokens: string[] = [];
    const turn = await assistant.chat('prompt-1', 'What does this do?', [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }], (t) => tokens.push(t), {
      subject: promptSubject(),
    });
    if (isAssistantError(turn)) throw new Error(turn.message);
    expect(tokens.length).toBeGreaterThan(1);
    expect(tokens.join('')).toBe(answer);
    expect(turn.answer).toBe(answer);
    const body = JSON.parse(server.requests[0]!.body);
    const last = body.messages.at(-1);
    expect(last).toEqual({ role: 'user', content: 'What does this do?' });
    expect(body.messages.map((m: { content: string }) => m.content)).toContain('hello');
  });
});

describe('OpenAI Chat Completions', () => {
  it('streams a brief with include_usage and a bearer key', async () => {
    server = await startLlmServer('openai', [{ kind: 'ok', text: 'RISK: low\nSUMMARY: Reads logs only.', usage: { input: 200, output: 12 } }]);
    const { assistant } = makeAssistant(settingsFor(server.url, 'openai'));
    const brief = await assistant.brief(taskSubject(), {});
    if (isAssistantError(brief)) throw new Error(brief.message);
    expect(brief).toMatchObject({ subject_id: 'task-1', risk: 'low', summary: 'Reads logs only.', provider: 'openai', tokens_in: 200, tokens_out: 12 });
    const req = server.requests[0]!;
    expect(req.path).toBe('/v1/chat/completions');
    expect(req.headers.authorization).toBe('Bearer sk-test-key');
    expect(req.headers['user-agent']).toBe(`gatehouse/${VERSION}`);
    const body = JSON.parse(req.body);
    expect(body).toMatchObject({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true } });
    expect(body.messages[0].role).toBe('system');
  });

  it('works with an OpenAI-compatible server given as …/v1, without a key, estimating usage it does not send', async () => {
    server = await startLlmServer('openai', [{ kind: 'ok', text: 'RISK: medium\nSUMMARY: Writes to the repo.', noUsage: true }]);
    const settings = settingsFor(`${server.url}/v1/`, 'openai-compatible', { api_key: undefined, model: 'llama3.2' });
    expect(settings.api_key).toBeNull();
    const { assistant } = makeAssistant(settings);
    const brief = await assistant.brief(taskSubject(), {});
    if (isAssistantError(brief)) throw new Error(brief.message);
    expect(brief.risk).toBe('medium');
    expect(brief.tokens_in).toBeGreaterThan(0);
    expect(brief.tokens_out).toBeGreaterThan(0);
    expect(server.requests[0]!.path).toBe('/v1/chat/completions');
    expect(server.requests[0]!.headers.authorization).toBeUndefined();
  });
});
