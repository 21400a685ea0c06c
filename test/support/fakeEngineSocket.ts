// A stand-in for the engine's socket door, for what a real engine will not do on demand: answer
// out of order, go silent, or drop the connection in the middle of a call. It speaks JSON-RPC lines on
// gatehouse.sock in a state dir of its own; `hello` is answered at once, every other request is handed
// to the test, which answers it (or not) when it likes.
import { mkdtempSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakeRequest {
  id: number | string;
  method: string;
  params: any;
  socket: Socket;
  answer(result: unknown): void;
}

export interface FakeEngineSocket {
  stateDir: string;
  /** Every request but hello, in arrival order. */
  requests: FakeRequest[];
  /** Notifications (no id), e.g. cancel. */
  notifications: Array<{ method: string; params: any }>;
  /** Connections accepted so far. */
  connections: Socket[];
  /** Called for each request as it arrives. */
  onRequest?: (r: FakeRequest) => void;
  close(): Promise<void>;
}

export async function startFakeEngineSocket(): Promise<FakeEngineSocket> {
  const stateDir = mkdtempSync(join(tmpdir(), 'gh-fake-engine-'));
  const fake: FakeEngineSocket = { stateDir, requests: [], notifications: [], connections: [], close: async () => undefined };
  const server: Server = createServer((socket) => {
    fake.connections.push(socket);
    let buf = '';
    socket.on('error', () => undefined);
    socket.on('data', (d) => {
      buf += d.toString('utf8');
      for (let nl = buf.indexOf('\n'); nl !== -1; nl = buf.indexOf('\n')) {
        const msg = JSON.parse(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        if (msg.id === undefined) {
          fake.notifications.push({ method: msg.method, params: msg.params });
          continue;
        }
        const answer = (result: unknown) => socket.write(`${JSON.stringify({ jsonrpc: '2.0', id: msg.id, result })}\n`);
        if (msg.method === 'hello') {
          answer({ version: 'fake', run_id: 'fake' });
          continue;
        }
        const r: FakeRequest = { id: msg.id, method: msg.method, params: msg.params, socket, answer };
        fake.requests.push(r);
        fake.onRequest?.(r);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(join(stateDir, 'gatehouse.sock'), resolve));
  fake.close = () =>
    new Promise<void>((resolve) => {
      for (const s of fake.connections) s.destroy();
      server.close(() => resolve());
    });
  return fake;
}

export async function until<T>(probe: () => T | undefined | false, what: string, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
