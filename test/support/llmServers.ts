// Loopback HTTP servers that speak the Anthropic Messages and OpenAI Chat Completions wire formats,
// streaming included, with scripted failures: status codes with headers, a hang, malformed JSON and
// truncated streams. Every request is recorded (headers and raw body) for assertions.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Behaviour =
  | { kind: 'ok'; text: string; usage?: { input: number; output: number }; noUsage?: boolean }
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  /** Accepts the request and never answers. */
  | { kind: 'hang' }
  /** Sends headers and a first token, then goes silent. */
  | { kind: 'stall'; text: string }
  /** A 200 stream whose first data line is not JSON. */
  | { kind: 'malformed' }
  /** Streams the text and ends the response without message_stop / [DONE]. */
  | { kind: 'truncated'; text: string }
  /** An error event inside a 200 stream. */
  | { kind: 'stream-error'; message: string };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface LlmServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export type WireFormat = 'anthropic' | 'openai';

/** Starts a server on 127.0.0.1; each request takes the next behaviour, the last one repeats. */
export async function startLlmServer(format: WireFormat, script: Behaviour[]): Promise<LlmServer> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let n = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const b = script[Math.min(n++, script.length - 1)]!;
      respond(format, b, res);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function sse(res: ServerResponse) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
}

// Splits text into a few pieces so the client sees several deltas.
function pieces(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += 7) out.push(text.slice(i, i + 7));
  return out.length > 0 ? out : [''];
}

function anthropicEvent(res: ServerResponse, type: string, data: object) {
  res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
}

function anthropicStart(res: ServerResponse, input: number) {
  anthropicEvent(res, 'message_start', { message: { id: 'msg_test', type: 'message', role: 'assistant', content: [], usage: { input_tokens: input, output_tokens: 1 } } });
  anthropicEvent(res, 'content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
  res.write('event: ping\ndata: {"type": "ping"}\n\n');
}

function anthropicText(res: ServerResponse, text: string) {
  for (const p of pieces(text)) anthropicEvent(res, 'content_block_delta', { index: 0, delta: { type: 'text_delta', text: p } });
}

function openaiChunk(res: ServerResponse, content: string | null, usage: object | null = null) {
  const choices = content === null ? [] : [{ index: 0, delta: { content }, finish_reason: null }];
  res.write(`data: ${JSON.stringify({ id: 'chatcmpl-test', object: 'chat.completion.chunk', choices, usage })}\n\n`);
}

function respond(format: WireFormat, b: Behaviour, res: ServerResponse) {
  switch (b.kind) {
    case 'status':
      res.writeHead(b.status, { 'content-type': 'application/json', ...b.headers });
      res.end(b.body ?? JSON.stringify(format === 'anthropic' ? { type: 'error', error: { type: 'test_error', message: `scripted ${b.status}` } } : { error: { message: `scripted ${b.status}`, type: 'test_error' } }));
      return;
    case 'hang':
      return;
    case 'malformed':
      sse(res);
      res.end(format === 'anthropic' ? 'event: message_start\ndata: {"type": "message_start", "message": {\n\n' : 'data: {"choices": [ {oops\n\n');
      return;
    case 'stream-error':
      sse(res);
      if (format === 'anthropic') anthropicEvent(res, 'error', { error: { type: 'overloaded_error', message: b.message } });
      else res.write(`data: ${JSON.stringify({ error: { message: b.message } })}\n\n`);
      res.end();
      return;
    case 'stall':
    case 'truncated':
    case 'ok': {
      sse(res);
      const usage = b.kind === 'ok' ? (b.usage ?? { input: 120, output: 40 }) : { input: 120, output: 40 };
      if (format === 'anthropic') {
        anthropicStart(res, usage.input);
        anthropicText(res, b.text);
        if (b.kind === 'stall') return;
        if (b.kind === 'truncated') return void res.end();
        anthropicEvent(res, 'content_block_stop', { index: 0 });
        anthropicEvent(res, 'message_delta', { delta: { stop_reason: 'end_turn' }, usage: { output_tokens: usage.output } });
        anthropicEvent(res, 'message_stop', {});
        res.end();
      } else {
        for (const p of pieces(b.text)) openaiChunk(res, p);
        if (b.kind === 'stall') return;
        if (b.kind === 'truncated') return void res.end();
        if (!(b.kind === 'ok' && b.noUsage)) openaiChunk(res, null, { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output });
        res.write('data: [DONE]\n\n');
        res.end();
      }
      return;
    }
  }
}
