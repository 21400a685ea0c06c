// A stand-in for the engine's firewall over real HTTP on 127.0.0.1: the test supplies the decision
// logic per call, can signal "waiting for the operator", and sees when the proxy gives up waiting.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AlertInput } from '../../src/shared/alert.js';
import type { Decision, ToolCall } from '../../src/shared/firewall.js';
import type { Escalation } from '../../src/engine/proxy/sequenceRules.js';

export interface DecideRequest {
  call: ToolCall;
  requestId: string | number;
  escalation: Escalation | null;
}

export interface DecideControl {
  /** Tell the proxy a person is being asked (it starts progress notifications). */
  waiting(): void;
  /** Resolves when the proxy stopped waiting (cancelled, host gone). */
  abandoned: Promise<void>;
}

export type Handler = (req: DecideRequest, ctl: DecideControl) => Promise<Decision>;

export interface DecideServer {
  url: string;
  alerts: AlertInput[];
  requests: DecideRequest[];
  handler: Handler;
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<string> {
  let s = '';
  for await (const c of req) s += c;
  return s;
}

export async function startDecideServer(handler: Handler): Promise<DecideServer> {
  const state: DecideServer = { url: '', alerts: [], requests: [], handler, close: async () => undefined };
  const server: Server = createServer(async (req, res) => {
    const text = await body(req);
    if (req.url === '/alert') {
      state.alerts.push(JSON.parse(text) as AlertInput);
      res.end('{}');
      return;
    }
    const dreq = JSON.parse(text) as DecideRequest;
    state.requests.push(dreq);
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    const abandoned = new Promise<void>((resolve) => res.on('close', () => (res.writableFinished ? undefined : resolve())));
    try {
      const d = await state.handler(dreq, { waiting: () => res.write('{"waiting":true}\n'), abandoned });
      res.end(`${JSON.stringify({ decision: d })}\n`);
    } catch {
      res.destroy();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  state.url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  state.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return state;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RUNNER = join(root, 'test', 'support', 'proxyRunner.ts');
export const EVERYTHING = join(root, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');
export const FILESYSTEM = join(root, 'node_modules', '@modelcontextprotocol', 'server-filesystem', 'dist', 'index.js');

/** Arguments for starting the runner with node (tsx loader). */
export function runnerArgs(): string[] {
  return ['--import', 'tsx', RUNNER];
}

export function decisionOf(d: Partial<Decision> & Pick<Decision, 'decision'>): Decision {
  return { source: 'policy', rule: null, reason: '', segments: [], request_id: `aud-${Math.random().toString(36).slice(2, 8)}`, ...d };
}
