// A stand-in approver for `--demo` (issue 5, item 8): it answers, slows down past the timeout,
// fails with 500s, goes away, and comes back, on a loop, so the console shows the link's whole life.
// Loopback only. Its policy is simple and visible: small tasks approved with constraints, big ones
// rejected with retry_after_seconds.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type DemoPhase = 'answering' | 'slow' | 'failing' | 'down';

export interface DemoApproverOptions {
  port?: number;
  /** Phases in order with how long each lasts; the loop repeats. */
  script?: Array<{ phase: DemoPhase; ms: number }>;
  /** How late a 'slow' answer comes (choose more than the link's timeout). */
  slowMs?: number;
  onPhase?: (phase: DemoPhase) => void;
}

export interface DemoApprover {
  readonly url: string;
  readonly phase: DemoPhase;
  /** Reports received, by idempotency key (a repeat is acknowledged but not counted twice). */
  readonly reports: Map<string, unknown>;
  /** Moves to the next phase now (the timer continues from there). */
  advance(): Promise<void>;
  stop(): Promise<void>;
}

export const DEFAULT_DEMO_SCRIPT: Array<{ phase: DemoPhase; ms: number }> = [
  { phase: 'answering', ms: 40_000 },
  { phase: 'slow', ms: 15_000 },
  { phase: 'failing', ms: 15_000 },
  { phase: 'down', ms: 20_000 },
];

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startDemoApprover(opts: DemoApproverOptions = {}): Promise<DemoApprover> {
  const script = opts.script?.length ? opts.script : DEFAULT_DEMO_SCRIPT;
  const slowMs = opts.slowMs ?? 30_000;
  const reports = new Map<string, unknown>();
  const sockets = new Set<Socket>();
  const pending = new Set<NodeJS.Timeout>();
  let index = 0;
  let port = opts.port ?? 0;
  let server: Server | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  const answer = (method: string, url: string, body: Record<string, unknown>, res: ServerResponse): void => {
    if (method === 'GET' && url === '/health') return json(res, 200, { status: 'ok' });
    if (method === 'POST' && url === '/api/approve') {
      const cost = typeof body.estimated_cost === 'number' ? body.estimated_cost : 0;
      if (cost > 8) return json(res, 200, { approved: false, reason: `demo approver: $${cost.toFixed(2)} is over the $8.00 demo budget`, constraints: null, retry_after_seconds: 300 });
      return json(res, 200, {
        approved: true,
        reason: 'demo approver: within budget',
        constraints: [
          { type: 'cost_limit', value: Math.max(1, Math.ceil(cost * 1.5)), reason: 'demo: 50% headroom over the estimate' },
          { type: 'time_limit', value: 10 * 60_000, reason: 'demo: ten minutes' },
        ],
        retry_after_seconds: null,
      });
    }
    if (method === 'GET' && url.startsWith('/api/abort-signal/')) return json(res, 200, { should_abort: false, reason: null });
    if (method === 'POST' && url === '/api/execution-report') {
      reports.set(String(body.task_id) + ':' + String(body.status), body);
      return json(res, 200, { success: true, message: 'recorded' });
    }
    json(res, 404, { error: 'not found' });
  };

  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const s = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          let body: Record<string, unknown> = {};
          try {
            body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
          } catch {
            return json(res, 400, { error: 'body is not JSON' });
          }
          const phase = script[index]!.phase;
          if (phase === 'failing') return json(res, 500, { error: 'demo approver: failing on purpose' });
          if (phase === 'slow' && req.url !== '/health') {
            const t = setTimeout(() => {
              pending.delete(t);
              if (!res.destroyed) answer(req.method ?? '', req.url ?? '', body, res);
            }, slowMs);
            pending.add(t);
            return;
          }
          if (phase === 'slow') {
            const t = setTimeout(() => {
              pending.delete(t);
              if (!res.destroyed) json(res, 200, { status: 'slow' });
            }, slowMs);
            pending.add(t);
            return;
          }
          answer(req.method ?? '', req.url ?? '', body, res);
        });
      });
      s.on('connection', (sock) => {
        sockets.add(sock);
        sock.on('close', () => sockets.delete(sock));
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as { port: number }).port;
        server = s;
        resolve();
      });
    });

  const close = async (): Promise<void> => {
    const s = server;
    server = null;
    for (const t of pending) clearTimeout(t);
    pending.clear();
    for (const sock of sockets) sock.destroy();
    if (s) await new Promise<void>((r) => s.close(() => r()));
  };

  const enter = async (i: number): Promise<void> => {
    index = i % script.length;
    const { phase, ms } = script[index]!;
    if (phase === 'down') await close();
    // If the port was taken meanwhile, stay down until the next phase tries again.
    else if (!server && !stopped) await listen().catch(() => undefined);
    opts.onPhase?.(phase);
    if (timer) clearTimeout(timer);
    if (!stopped) {
      timer = setTimeout(() => void enter(index + 1), ms);
      timer.unref?.();
    }
  };

  await listen();
  await enter(0);

  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get phase() {
      return script[index]!.phase;
    },
    reports,
    advance: () => enter(index + 1),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await close();
    },
  };
}
