// The socket transport: JSON-RPC 2.0 lines over gatehouse.sock. Used by the CLI, `attach`, the MCP proxy,
// the exec wrapper and the hook.
import { connect, type Socket } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { EngineError, codeFromRpc } from '../shared/errors.js';
import type { EngineEvent, Topic } from '../shared/events.js';
import { topicOf } from '../shared/events.js';
import type { EngineClient } from './engineClient.js';
import { clientOver, type Transport } from './rpcClient.js';

export interface ConnectOptions {
  stateDir: string;
  /** Which door the caller is, recorded as the surface of its actions. */
  surface?: 'tui' | 'cli' | 'ipc';
  connectTimeoutMs?: number;
  /** How long the engine has to answer the first call (hello); default the per-call timeout. */
  handshakeTimeoutMs?: number;
  /** Per-call timeout; 0 = none (firewall checks that wait for an operator pass their own). */
  callTimeoutMs?: number;
}

function currentUser(): string {
  try {
    return userInfo().username.replace(/[^\w.@-]/g, '_').slice(0, 64) || 'operator';
  } catch {
    return 'operator';
  }
}

export function socketPath(stateDir: string): string {
  return join(stateDir, 'gatehouse.sock');
}

export async function connectTransport(opts: ConnectOptions): Promise<Transport & { socket: Socket }> {
  const path = socketPath(opts.stateDir);
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect(path);
    const timer = setTimeout(() => {
      s.destroy();
      reject(new EngineError(`no answer from the engine at ${path} within ${opts.connectTimeoutMs ?? 2000} ms`, 'unavailable'));
    }, opts.connectTimeoutMs ?? 2000);
    s.once('connect', () => {
      clearTimeout(timer);
      resolve(s);
    });
    s.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new EngineError(`no gatehouse engine is running for ${opts.stateDir} (${err.code === 'ENOENT' ? 'no socket' : err.code ?? err.message}); start one with 'gatehouse run'`, 'unavailable'));
    });
  });

  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout | null }>();
  const listeners = new Set<{ topics: Set<Topic>; onEvent: (e: EngineEvent) => void }>();
  let buffer = '';
  let closed = false;

  const failAll = (why: string) => {
    closed = true;
    for (const [, p] of pending) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(new EngineError(why, 'unavailable'));
    }
    pending.clear();
  };

  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) !== -1) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (!line.trim()) continue;
      let msg: { id?: number; result?: unknown; error?: { code: number; message: string; data?: { code?: string; details?: unknown } }; method?: string; params?: unknown };
      try {
        msg = JSON.parse(line);
      } catch {
        continue;
      }
      if (msg.method === 'event') {
        const event = msg.params as EngineEvent;
        for (const l of listeners) if (event.type === 'gap' || l.topics.has(topicOf(event.type))) l.onEvent(event);
        continue;
      }
      const p = typeof msg.id === 'number' ? pending.get(msg.id) : undefined;
      if (!p) continue;
      pending.delete(msg.id as number);
      if (p.timer) clearTimeout(p.timer);
      if (msg.error) {
        const code = (msg.error.data?.code as EngineError['code'] | undefined) ?? codeFromRpc(msg.error.code);
        p.reject(new EngineError(msg.error.message, code, msg.error.data?.details));
      } else p.resolve(msg.result);
    }
  });
  socket.on('close', () => failAll('the engine closed the connection'));
  socket.on('error', () => failAll('the connection to the engine failed'));

  const call = (method: string, params?: unknown, timeoutMs = opts.callTimeoutMs ?? 30_000): Promise<unknown> => {
    if (closed) return Promise.reject(new EngineError('not connected to the engine', 'unavailable'));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const timer = timeoutMs > 0 ? setTimeout(() => {
        pending.delete(id);
        reject(new EngineError(`the engine did not answer ${method} within ${timeoutMs} ms`, 'unavailable'));
      }, timeoutMs) : null;
      pending.set(id, { resolve, reject, timer });
      socket.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params: params ?? {} })}\n`);
    });
  };

  await call('hello', { client: opts.surface ?? 'cli', user: currentUser() }, opts.handshakeTimeoutMs ?? opts.callTimeoutMs ?? 30_000).catch((err: unknown) => {
    socket.destroy();
    throw err;
  });

  return {
    socket,
    call: (method, params, timeoutMs) => call(method, params, timeoutMs),
    subscribe(topics, onEvent) {
      const entry = { topics: new Set(topics), onEvent };
      listeners.add(entry);
      void call('subscribe', { topics: [...new Set([...listeners].flatMap((l) => [...l.topics]))] }).catch(() => {});
      return () => listeners.delete(entry);
    },
    async close() {
      closed = true;
      socket.end();
      socket.destroy();
    },
  };
}

export async function connectEngine(opts: ConnectOptions): Promise<EngineClient> {
  return clientOver(await connectTransport(opts));
}
