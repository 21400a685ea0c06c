// Wire formats of the providers: how a request is built and how its SSE stream is read.
// Anthropic Messages (POST /v1/messages) and OpenAI Chat Completions (POST /v1/chat/completions),
// the latter also for any OpenAI-compatible server (a local model server).
import { ProtocolError } from './http.js';
import { readSse } from './sse.js';
import type { ChatMessage, ProviderName } from './types.js';

export interface ModelRequest {
  model: string;
  system: string;
  messages: ChatMessage[];
  max_tokens: number;
}

export interface StreamResult {
  text: string;
  tokens_in: number;
  tokens_out: number;
  /** True when the server sent no usage and the counts are estimated from characters. */
  usage_estimated: boolean;
}

export interface WireRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export const ANTHROPIC_VERSION = '2023-06-01';

export function buildWireRequest(provider: ProviderName, apiKey: string | null, req: ModelRequest): WireRequest {
  if (provider === 'anthropic') {
    return {
      path: '/v1/messages',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-api-key': apiKey ?? '', 'anthropic-version': ANTHROPIC_VERSION },
      body: JSON.stringify({ model: req.model, max_tokens: req.max_tokens, system: req.system, messages: req.messages, stream: true }),
    };
  }
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream' };
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  return {
    path: '/v1/chat/completions',
    headers,
    body: JSON.stringify({
      model: req.model,
      max_tokens: req.max_tokens,
      messages: [{ role: 'system', content: req.system }, ...req.messages],
      stream: true,
      stream_options: { include_usage: true },
    }),
  };
}

function parseJson(data: string, where: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(data);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch (err) {
    throw new ProtocolError(`malformed JSON in ${where}: ${(err as Error).message} (data starts ${JSON.stringify(data.slice(0, 60))})`);
  }
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);
const rec = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/** Rough token count for servers that send no usage: ~4 characters a token. */
export const estimateTokens = (chars: number) => Math.ceil(chars / 4);

async function readAnthropic(res: Response, touch: () => void, onToken: (t: string) => void): Promise<StreamResult> {
  if (!res.body) throw new ProtocolError('response has no body');
  let text = '';
  let tokensIn: number | undefined;
  let tokensOut: number | undefined;
  let stopped = false;
  for await (const ev of readSse(res.body, touch)) {
    const type = ev.event ?? '';
    if (type === 'ping' || ev.data === '') continue;
    const data = parseJson(ev.data, `Anthropic ${type || 'unnamed'} event`);
    const kind = typeof data.type === 'string' ? data.type : type;
    if (kind === 'message_start') {
      const usage = rec(rec(data.message)?.usage);
      tokensIn = num(usage?.input_tokens) ?? tokensIn;
      tokensOut = num(usage?.output_tokens) ?? tokensOut;
    } else if (kind === 'content_block_delta') {
      const delta = rec(data.delta);
      if (delta?.type === 'text_delta' && typeof delta.text === 'string') {
        text += delta.text;
        onToken(delta.text);
      }
    } else if (kind === 'message_delta') {
      const usage = rec(data.usage);
      tokensOut = num(usage?.output_tokens) ?? tokensOut;
      tokensIn = num(usage?.input_tokens) ?? tokensIn;
    } else if (kind === 'message_stop') {
      stopped = true;
      break;
    } else if (kind === 'error') {
      const e = rec(data.error);
      throw new ProtocolError(`provider error in stream: ${String(e?.type ?? 'error')}: ${String(e?.message ?? ev.data.slice(0, 200))}`);
    }
  }
  if (!stopped) throw new ProtocolError('truncated stream: it ended without message_stop');
  return finish(text, tokensIn, tokensOut);
}

async function readOpenAi(res: Response, touch: () => void, onToken: (t: string) => void): Promise<StreamResult> {
  if (!res.body) throw new ProtocolError('response has no body');
  let text = '';
  let tokensIn: number | undefined;
  let tokensOut: number | undefined;
  let done = false;
  for await (const ev of readSse(res.body, touch)) {
    if (ev.data.trim() === '[DONE]') {
      done = true;
      break;
    }
    if (ev.data === '') continue;
    const data = parseJson(ev.data, 'chat completion chunk');
    if (data.error !== undefined) {
      const e = rec(data.error);
      throw new ProtocolError(`provider error in stream: ${String(e?.message ?? JSON.stringify(data.error).slice(0, 200))}`);
    }
    const choices = Array.isArray(data.choices) ? data.choices : [];
    for (const c of choices) {
      const content = rec(rec(c)?.delta)?.content;
      if (typeof content === 'string' && content !== '') {
        text += content;
        onToken(content);
      }
    }
    const usage = rec(data.usage);
    if (usage) {
      tokensIn = num(usage.prompt_tokens) ?? tokensIn;
      tokensOut = num(usage.completion_tokens) ?? tokensOut;
    }
  }
  if (!done) throw new ProtocolError('truncated stream: it ended without data: [DONE]');
  return finish(text, tokensIn, tokensOut);
}

function finish(text: string, tokensIn: number | undefined, tokensOut: number | undefined): StreamResult {
  return {
    text,
    tokens_in: tokensIn ?? 0,
    tokens_out: tokensOut ?? estimateTokens(text.length),
    usage_estimated: tokensIn === undefined || tokensOut === undefined,
  };
}

export function streamReader(provider: ProviderName, onToken: (t: string) => void) {
  return (res: Response, touch: () => void) => (provider === 'anthropic' ? readAnthropic(res, touch, onToken) : readOpenAi(res, touch, onToken));
}

/** A readable message from a provider's error body (both use {error: {message}}). */
export function providerErrorMessage(status: number, bodyText: string): string {
  try {
    const data = JSON.parse(bodyText) as { error?: { message?: unknown; type?: unknown } | string; message?: unknown };
    const e = data.error;
    if (typeof e === 'string') return e.slice(0, 500);
    if (e && typeof e.message === 'string') return `${typeof e.type === 'string' ? `${e.type}: ` : ''}${e.message}`.slice(0, 500);
    if (typeof data.message === 'string') return data.message.slice(0, 500);
  } catch {
    // not JSON: fall through to the raw text
  }
  const raw = bodyText.trim().slice(0, 200);
  return raw === '' ? `status ${status} with an empty body` : raw;
}
