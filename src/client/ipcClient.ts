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

/** Past this many bytes without a newline the engine is not speaking the protocol: the connection fails. */
const MAX_LINE = 64 * 1024 * 1024;

type Answer = { id?: number; result?: unknown; error?: { code: number; message: string; data?: { code?: string; details?: unknown } }; method?: string; params?: unknown };

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout | null;
  /** Removes the caller's abort listener once the call is settled. */
  release: (() => void) | null;
}

/** What the JSON-RPC lines travel over: the engine's socket, or a bridge to it (`ssh host gatehouse dial-stdio`). */
export interface Wire {
  write(text: string): void;
  destroy(): void;
  readonly destroyed: boolean;
  /** The wire ended or failed: every call still waiting fails. */
  onEnd(cb: (why: string) => void): void;
}

/**
 * One connection carries any number of calls at once (pipelined): each has its own id, answers are
 * matched by id in whatever order they come, and a call whose caller stops waiting (its signal
 * aborts) is cancelled on its own with a `cancel` notification, the connection and the other calls
 * going on. If the connection ends, every call still waiting fails: a caller never takes silence for
 * an answer.
 */
export async function connectTransport(opts: ConnectOptions): Promise<Transport & { socket: Socket }> {
  const path = socketPath(opts.stateDir);
  const rpc = rpcLines();
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect({ path, onread: { buffer: Buffer.allocUnsafe(64 * 1024), callback: (n, buf) => (rpc.onBytes((buf as Buffer).subarray(0, n)), true) } });
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
  const wire: Wire = {
    write: (text) => void socket.write(text),
    destroy: () => {
      socket.end();
      socket.destroy();
    },
    get destroyed() {
      return socket.destroyed;
    },
    onEnd(cb) {
      socket.on('close', () => cb('the engine closed the connection'));
      socket.on('error', () => cb('the connection to the engine failed'));
    },
  };
  const t = await rpc.start(wire, opts);
  return { ...t, socket };
}

/** The JSON-RPC side of a connection, before its wire exists: bytes go to `onBytes`, `start` says hello. */
export function rpcLines(): { onBytes: (chunk: Buffer) => void; start: (wire: Wire, opts: Omit<ConnectOptions, 'stateDir'>) => Promise<Transport> } {
  let nextId = 1;
  const pending = new Map<number, Pending>();
  const listeners = new Set<{ topics: Set<Topic>; onEvent: (e: EngineEvent) => void }>();
  let closed = false;
  let wire: Wire | null = null;

  const settle = (id: number): Pending | undefined => {
    const p = pending.get(id);
    if (!p) return undefined;
    pending.delete(id);
    if (p.timer) clearTimeout(p.timer);
    p.release?.();
    return p;
  };

  const failAll = (why: string) => {
    closed = true;
    for (const id of [...pending.keys()]) settle(id)!.reject(new EngineError(why, 'unavailable'));
  };

  const onLine = (line: string) => {
    let msg: Answer;
    try {
      msg = JSON.parse(line) as Answer;
    } catch {
      return;
    }
    if (msg === null || typeof msg !== 'object') return;
    if (msg.method === 'event') {
      const event = msg.params as EngineEvent;
      for (const l of listeners) if (event.type === 'gap' || l.topics.has(topicOf(event.type))) l.onEvent(event);
      return;
    }
    const p = typeof msg.id === 'number' ? settle(msg.id) : undefined;
    if (!p) return; // an answer to a call given up on (cancelled, timed out)
    if (msg.error) {
      const code = (msg.error.data?.code as EngineError['code'] | undefined) ?? codeFromRpc(msg.error.code);
      p.reject(new EngineError(msg.error.message, code, msg.error.data?.details));
    } else p.resolve(msg.result);
  };

  // Reads land in one buffer (onread: no stream machinery per answer) and are split into lines as bytes,
  // so a UTF-8 sequence cut between two reads is joined before it is decoded. The buffer is reused by
  // the next read: a partial line is copied out.
  let rest: Buffer | null = null;
  const onBytes = (chunk: Buffer): void => {
    let start = 0;
    for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      const line = rest ? Buffer.concat([rest, chunk.subarray(start, nl)]) : chunk.subarray(start, nl);
      rest = null;
      start = nl + 1;
      if (line.length > 0) onLine(line.toString('utf8'));
    }
    if (start < chunk.length) {
      rest = rest ? Buffer.concat([rest, chunk.subarray(start)]) : Buffer.from(chunk.subarray(start));
      if (rest.length > MAX_LINE) {
        rest = null;
        wire?.destroy();
        failAll(`the engine sent a line longer than ${MAX_LINE} bytes`);
      }
    }
  };

  const start = async (w: Wire, opts: Omit<ConnectOptions, 'stateDir'>): Promise<Transport> => {
    wire = w;
    w.onEnd(failAll);
    const call = (method: string, params?: unknown, timeoutMs = opts.callTimeoutMs ?? 30_000, signal?: AbortSignal): Promise<unknown> => {
      if (closed) return Promise.reject(new EngineError('not connected to the engine', 'unavailable'));
      if (signal?.aborted) return Promise.reject(new EngineError(`${method} cancelled`, 'unavailable'));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer =
          timeoutMs > 0
            ? setTimeout(() => {
                if (settle(id)) reject(new EngineError(`the engine did not answer ${method} within ${timeoutMs} ms`, 'unavailable'));
              }, timeoutMs)
            : null;
        let release: (() => void) | null = null;
        if (signal) {
          const onAbort = () => {
            if (!settle(id)) return;
            // The engine ends that call (an open prompt is cancelled); its late answer, if any, is dropped.
            if (!closed && !w.destroyed) w.write(`{"jsonrpc":"2.0","method":"cancel","params":{"id":${id}}}\n`);
            reject(new EngineError(`${method} cancelled`, 'unavailable'));
          };
          signal.addEventListener('abort', onAbort, { once: true });
          release = () => signal.removeEventListener('abort', onAbort);
        }
        pending.set(id, { resolve, reject, timer, release });
        w.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params: params ?? {} })}\n`);
      });
    };

    await call('hello', { client: opts.surface ?? 'cli', user: currentUser() }, opts.handshakeTimeoutMs ?? opts.callTimeoutMs ?? 30_000).catch((err: unknown) => {
      w.destroy();
      throw err;
    });

    return {
      call: (method, params, timeoutMs, signal) => call(method, params, timeoutMs, signal),
      subscribe(topics, onEvent) {
        const entry = { topics: new Set(topics), onEvent };
        listeners.add(entry);
        void call('subscribe', { topics: [...new Set([...listeners].flatMap((l) => [...l.topics]))] }).catch(() => {});
        return () => listeners.delete(entry);
      },
      async close() {
        closed = true;
        w.destroy();
      },
    };
  };
  return { onBytes, start };
}

export async function connectEngine(opts: ConnectOptions): Promise<EngineClient> {
  return clientOver(await connectTransport(opts));
}
