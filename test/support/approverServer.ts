// A real approver on 127.0.0.1 (node:http) that each test steers: approve with constraints, reject,
// answer late, 500, drop the connection, malformed JSON, go away and come back on the same port.
// Every request is recorded with its headers and body.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type Behavior =
  | { kind: 'json'; status?: number; body: unknown }
  | { kind: 'delay'; ms: number; then: Behavior }
  | { kind: 'status'; status: number; body?: string }
  | { kind: 'destroy' }
  | { kind: 'malformed' };

export type Route = 'approve' | 'abort' | 'report' | 'health';

export interface RecordedRequest {
  route: Route | 'unknown';
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  at: number;
}

export type Responder = (req: RecordedRequest) => Behavior;

export const approve = (constraints: unknown[] | null = [], reason = 'ok'): Behavior => ({
  kind: 'json',
  body: { approved: true, reason, constraints, retry_after_seconds: null },
});
export const reject = (reason: string, retry_after_seconds: number | null = 60): Behavior => ({
  kind: 'json',
  body: { approved: false, reason, constraints: null, retry_after_seconds },
});

export interface ApproverServer {
  readonly url: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** Report bodies accepted, by idempotency key, with how many times each key arrived. */
  readonly reports: Map<string, { body: unknown; count: number }>;
  set(route: Route, responder: Responder | Behavior): void;
  requestsFor(route: Route): RecordedRequest[];
  /** Closes the listener and drops every open connection: the approver is gone. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  restart(): Promise<void>;
  readonly running: boolean;
}

function routeOf(method: string, url: string): Route | 'unknown' {
  if (method === 'POST' && url === '/api/approve') return 'approve';
  if (method === 'GET' && url.startsWith('/api/abort-signal/')) return 'abort';
  if (method === 'POST' && url === '/api/execution-report') return 'report';
  if (method === 'GET' && url === '/health') return 'health';
  return 'unknown';
}

export async function startApproverServer(port = 0): Promise<ApproverServer> {
  const responders: Record<Route, Responder> = {
    approve: () => approve(),
    abort: () => ({ kind: 'json', body: { should_abort: false, reason: null } }),
    report: () => ({ kind: 'json', body: { success: true, message: 'recorded' } }),
    health: () => ({ kind: 'json', body: { status: 'ok' } }),
  };
  const requests: RecordedRequest[] = [];
  const reports = new Map<string, { body: unknown; count: number }>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let server: Server | null = null;
  let boundPort = port;

  const perform = (res: ServerResponse, b: Behavior): void => {
    if (res.destroyed) return;
    switch (b.kind) {
      case 'json':
        res.writeHead(b.status ?? 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(b.body));
        return;
      case 'status':
        res.writeHead(b.status, { 'content-type': 'text/plain' });
        res.end(b.body ?? `status ${b.status}`);
        return;
      case 'malformed':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"approved": true, "reason": ');
        return;
      case 'destroy':
        res.socket?.destroy();
        return;
      case 'delay': {
        const t = setTimeout(() => {
          timers.delete(t);
          perform(res, b.then);
        }, b.ms);
        timers.add(t);
        return;
      }
    }
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        /* keep the raw text */
      }
      const rec: RecordedRequest = { route: routeOf(req.method ?? '', req.url ?? ''), method: req.method ?? '', url: req.url ?? '', headers: { ...req.headers }, body, at: Date.now() };
      requests.push(rec);
      if (rec.route === 'unknown') return perform(res, { kind: 'status', status: 404 });
      const b = responders[rec.route](rec);
      if (rec.route === 'report' && b.kind === 'json' && (b.status ?? 200) < 300) {
        const key = String(rec.headers['idempotency-key'] ?? '');
        const seen = reports.get(key);
        if (seen) seen.count++;
        else reports.set(key, { body, count: 1 });
      }
      perform(res, b);
    });
  };

  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const s = createServer(handle);
      s.on('connection', (sock) => {
        sockets.add(sock);
        sock.on('close', () => sockets.delete(sock));
      });
      s.once('error', reject);
      s.listen(boundPort, '127.0.0.1', () => {
        const addr = s.address();
        if (addr && typeof addr === 'object') boundPort = addr.port;
        server = s;
        resolve();
      });
    });

  await listen();

  return {
    get url() {
      return `http://127.0.0.1:${boundPort}`;
    },
    get port() {
      return boundPort;
    },
    get running() {
      return server !== null;
    },
    requests,
    reports,
    set(route, responder) {
      responders[route] = typeof responder === 'function' ? responder : () => responder;
    },
    requestsFor(route) {
      return requests.filter((r) => r.route === route);
    },
    async stop() {
      const s = server;
      server = null;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const sock of sockets) sock.destroy();
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    async restart() {
      if (server) return;
      // The port was just released; retry briefly if the kernel has not let go of it yet.
      for (let i = 0; ; i++) {
        try {
          return await listen();
        } catch (e) {
          if (i >= 50) throw e;
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    },
  };
}
