// A notification receiver on 127.0.0.1 for tests: records every POST, and answers each one as the
// test says (at once, never: a hung receiver, or with an error status).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface SinkHit {
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
  at: number;
}

export type SinkAnswer = 'ok' | 'hang' | number;

export interface HttpSink {
  url: (path?: string) => string;
  hits: SinkHit[];
  /** How to answer a hit (default: 200 at once). */
  answer: (h: SinkHit) => SinkAnswer;
  close: () => Promise<void>;
}

export async function startSink(): Promise<HttpSink> {
  const sockets = new Set<Socket>();
  const sink: HttpSink = {
    url: () => '',
    hits: [],
    answer: () => 'ok',
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const server = createServer((req, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: unknown = null;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        /* not JSON */
      }
      const hit: SinkHit = { path: req.url ?? '', headers: req.headers, body, at: Date.now() };
      sink.hits.push(hit);
      const a = sink.answer(hit);
      if (a === 'hang') return;
      res.writeHead(a === 'ok' ? 200 : a).end();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  sink.url = (path = '/') => `http://127.0.0.1:${port}${path}`;
  return sink;
}
