// Failures injected by loopback servers: retries and their count, retry-after, timeouts, malformed
// and truncated streams. Every failure comes back as a value; nothing throws.
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startLlmServer, type LlmServer, type WireFormat } from '../../support/llmServers.js';
import { backoffMs, parseRetryAfter } from '../../../src/engine/assistant/http.js';
import { isAssistantError, type AssistantError } from '../../../src/engine/assistant/types.js';
import { GOOD_BRIEF, makeAssistant, promptSubject, settingsFor } from './fixtures.js';

let server: LlmServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const formats: WireFormat[] = ['anthropic', 'openai'];
const providerOf = (f: WireFormat): 'anthropic' | 'openai' => (f === 'anthropic' ? 'anthropic' : 'openai');

function expectError(v: unknown): AssistantError {
  if (!isAssistantError(v)) throw new Error(`expected an error value, got ${JSON.stringify(v)}`);
  return v;
}

describe.each(formats)('%s failures', (format) => {
  it('retries a 429, waiting what retry-after says, then succeeds', async () => {
    server = await startLlmServer(format, [{ kind: 'status', status: 429, headers: { 'retry-after': '2' } }, { kind: 'ok', text: GOOD_BRIEF }]);
    const { assistant, sleeps, lines } = makeAssistant(settingsFor(server.url, providerOf(format)));
    const brief = await assistant.brief(promptSubject(), {});
    expect(isAssistantError(brief)).toBe(false);
    expect(server.requests).toHaveLength(2);
    expect(sleeps).toEqual([2000]);
    // Every log line of the call carries the same request id.
    const ids = new Set(lines.filter((l) => 'request_id' in l.obj).map((l) => l.obj.request_id));
    expect(ids.size).toBe(1);
    expect(lines.some((l) => l.obj.status === 429)).toBe(true);
  });

  it('retries 500s with growing backoff and gives up after max_retries + 1 attempts', async () => {
    server = await startLlmServer(format, [{ kind: 'status', status: 500 }]);
    const { assistant, sleeps } = makeAssistant(settingsFor(server.url, providerOf(format), { max_retries: 3 }), { random: () => 1 });
    const err = expectError(await assistant.brief(promptSubject(), {}));
    expect(err.error).toBe('http');
    expect(err.status).toBe(500);
    expect(err.message).toContain('gave up after 4 attempts');
    expect(server.requests).toHaveLength(4);
    expect(sleeps).toEqual([500, 1000, 2000]);
  });

  it('recovers when a 500 is followed by a good answer', async () => {
    server = await startLlmServer(format, [{ kind: 'status', status: 503 }, { kind: 'ok', text: GOOD_BRIEF }]);
    const { assistant, sent } = makeAssistant(settingsFor(server.url, providerOf(format)));
    const brief = await assistant.brief(promptSubject(), {});
    expect(isAssistantError(brief)).toBe(false);
    expect(server.requests).toHaveLength(2);
    expect(sent.map((s) => s.attempt)).toEqual([1, 2]);
  });

  it('does not retry a 400 and names the provider message', async () => {
    server = await startLlmServer(format, [{ kind: 'status', status: 400 }]);
    const { assistant } = makeAssistant(settingsFor(server.url, providerOf(format)));
    const err = expectError(await assistant.brief(promptSubject(), {}));
    expect(err).toMatchObject({ error: 'http', status: 400 });
    expect(err.message).toContain('scripted 400');
    expect(server.requests).toHaveLength(1);
  });

  it('resolves with a timeout value when the server hangs', async () => {
    server = await startLlmServer(format, [{ kind: 'hang' }]);
    const { assistant } = makeAssistant(settingsFor(server.url, providerOf(format), { max_retries: 0 }));
    const err = expectError(await assistant.brief(promptSubject(), {}, { deadlineMs: 400 }));
    expect(err.error).toBe('timeout');
    expect(server.requests).toHaveLength(1);
  });

  it('stops on an idle stream after the first tokens, without retrying', async () => {
    server = await startLlmServer(format, [{ kind: 'stall', text: 'RISK: lo' }]);
    const { assistant } = makeAssistant(settingsFor(server.url, providerOf(format), { idle_timeout_ms: 200 }));
    const tokens: string[] = [];
    const err = expectError(await assistant.chat('prompt-1', 'why?', [], (t) => tokens.push(t)));
    expect(err.error).toBe('timeout');
    expect(err.message).toContain('idle timeout');
    expect(tokens.join('')).toBe('RISK: lo');
    expect(server.requests).toHaveLength(1);
  });

  it('reports malformed JSON as a protocol error', async () => {
    server = await startLlmServer(format, [{ kind: 'malformed' }]);
    const { assistant } = makeAssistant(settingsFor(server.url, providerOf(format)));
    const err = expectError(await assistant.brief(promptSubject(), {}));
    expect(err.error).toBe('protocol');
    expect(err.message).toContain('malformed JSON');
    expect(server.requests).toHaveLength(1);
  });

  it('reports a truncated stream (no end marker) as a protocol error', async () => {
    server = await startLlmServer(format, [{ kind: 'truncated', text: GOOD_BRIEF }]);
    const { assistant } = makeAssistant(settingsFor(server.url, providerOf(format)));
    const err = expectError(await assistant.brief(promptSubject(), {}));
    expect(err.error).toBe('protocol');
    expect(err.message).toContain(format === 'anthropic' ? 'without message_stop' : 'without data: [DONE]');
  });

  it('reports an error event inside the stream', async () => {
    server = await startLlmServer(format, [{ kind: 'stream-error', message: 'Overloaded' }]);
    const { assistant } = makeAssistant(settingsFor(server.url, providerOf(format)));
    const err = expectError(await assistant.brief(promptSubject(), {}));
    expect(err.error).toBe('protocol');
    expect(err.message).toContain('Overloaded');
  });
});

describe('network errors', () => {
  it('retries a refused connection and then reports it', async () => {
    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const { assistant, sleeps, sent } = makeAssistant(settingsFor(`http://127.0.0.1:${port}`, 'anthropic', { max_retries: 2 }));
    const err = expectError(await assistant.brief(promptSubject(), {}));
    expect(err.error).toBe('network');
    expect(err.message).toContain('ECONNREFUSED');
    expect(sent).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
  });
});

describe('retry-after and backoff', () => {
  it('reads seconds, an HTTP date and retry-after-ms, capped at 30 s', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter(new Headers({ 'retry-after': '3' }), now)).toBe(3000);
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:10 GMT' }), now)).toBe(10_000);
    expect(parseRetryAfter(new Headers({ 'retry-after': '3600' }), now)).toBe(30_000);
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '250' }), now)).toBe(250);
    expect(parseRetryAfter(new Headers({ 'retry-after': 'soon' }), now)).toBeNull();
    expect(parseRetryAfter(new Headers(), now)).toBeNull();
  });

  it('doubles, jitters within [half, full] and caps the backoff', () => {
    expect(backoffMs(0, () => 0)).toBe(250);
    expect(backoffMs(0, () => 1)).toBe(500);
    expect(backoffMs(2, () => 1)).toBe(2000);
    expect(backoffMs(10, () => 1)).toBe(8000);
  });

  it('does not wait past the deadline for a long retry-after', async () => {
    server = await startLlmServer('openai', [{ kind: 'status', status: 429, headers: { 'retry-after': '20' } }, { kind: 'ok', text: GOOD_BRIEF }]);
    const { assistant, sleeps } = makeAssistant(settingsFor(server.url, 'openai'));
    const err = expectError(await assistant.brief(promptSubject(), {}, { deadlineMs: 2000 }));
    expect(err.status).toBe(429);
    expect(err.message).toContain('no time left to retry');
    expect(sleeps).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });
});
