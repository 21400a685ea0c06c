// A socket client that outlives the engine it talks to: when the connection drops (the engine restarted,
// crashed, or was stopped and started again) it reconnects with backoff, subscribes again to every topic
// it had, and tells its listeners to re-read state with a `gap` event, since events of the gap are lost.
// Used by the long-running clients (`attach`, `watch`); one-shot CLI commands keep the plain client.
import { EngineError } from '../shared/errors.js';
import type { EngineEvent, Topic } from '../shared/events.js';
import type { ConnectionListener, ConnectionState, EngineClient } from './engineClient.js';
import { connectTransport, type ConnectOptions } from './ipcClient.js';
import { clientOver, type Transport } from './rpcClient.js';

/** What tells the client a connection ended: a socket, or the ssh child behind a host URL. */
export interface EndSignal {
  once(event: 'close', listener: () => void): unknown;
}

export interface ReconnectOptions extends ConnectOptions {
  /** First wait after a drop; doubled after each failed attempt up to maxDelayMs. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** How a connection is made (tests pass a fake); defaults to the socket in opts.stateDir. */
  connect?: () => Promise<Transport & { socket: EndSignal }>;
  /** A first connect that fails is not thrown: the client starts out reconnecting (a fleet host that is down now). */
  startDown?: boolean;
}

/** The wait before reconnect attempt `attempt` (0-based): doubling from initial, capped at max. */
export function reconnectDelay(attempt: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 20));
}

/**
 * Connects once (a failure here is thrown: nobody is running, say so), then keeps the connection up for
 * as long as the client is open. Calls made while reconnecting fail at once with `unavailable`.
 */
export async function connectReconnecting(opts: ReconnectOptions): Promise<EngineClient> {
  const initial = opts.initialDelayMs ?? 250;
  const max = opts.maxDelayMs ?? 2000;
  const connect = opts.connect ?? (() => connectTransport(opts));
  const listeners = new Set<{ topics: readonly Topic[]; onEvent: (e: EngineEvent) => void; stop: (() => void) | null }>();
  const connectionListeners = new Set<ConnectionListener>();
  let current: (Transport & { socket: EndSignal }) | null = null;
  let firstError: string | null = null;
  try {
    current = await connect();
  } catch (err) {
    if (!opts.startDown) throw err;
    firstError = err instanceof Error ? err.message : String(err);
  }
  let state: ConnectionState = current ? { state: 'connected', attempt: 0, since: Date.now() } : { state: 'reconnecting', attempt: 1, since: Date.now(), error: firstError! };
  let closed = false;
  let retry: NodeJS.Timeout | null = null;

  const setState = (next: ConnectionState) => {
    state = next;
    for (const l of connectionListeners) l(next);
  };

  const attachTo = (t: Transport & { socket: EndSignal }) => {
    current = t;
    for (const l of listeners) l.stop = t.subscribe(l.topics, l.onEvent);
    t.socket.once('close', () => {
      if (current !== t || closed) return;
      current = null;
      for (const l of listeners) l.stop = null;
      setState({ state: 'reconnecting', attempt: 0, since: Date.now(), error: 'the connection dropped' });
      schedule(0);
    });
  };

  const schedule = (attempt: number) => {
    if (closed) return;
    retry = setTimeout(() => void tryOnce(attempt), reconnectDelay(attempt, initial, max));
    retry.unref?.();
  };

  const tryOnce = async (attempt: number) => {
    retry = null;
    if (closed) return;
    let t: Transport & { socket: EndSignal };
    try {
      t = await connect();
    } catch (err) {
      setState({ state: 'reconnecting', attempt: attempt + 1, since: state.since, error: err instanceof Error ? err.message : String(err) });
      return schedule(attempt + 1);
    }
    if (closed) return void t.close();
    attachTo(t);
    setState({ state: 'connected', attempt: 0, since: Date.now() });
    // What happened while we were away is not replayed: every subscriber re-reads its state.
    const gap = { type: 'gap', dropped: 0, seq: 0, ts: new Date().toISOString() } as EngineEvent;
    for (const l of listeners) l.onEvent(gap);
  };

  if (current) attachTo(current);
  else schedule(1);

  const transport: Transport = {
    call(method, params, timeoutMs) {
      if (!current) return Promise.reject(new EngineError('reconnecting to the engine', 'unavailable'));
      return current.call(method, params, timeoutMs);
    },
    subscribe(topics, onEvent) {
      const entry = { topics, onEvent, stop: current ? current.subscribe(topics, onEvent) : null };
      listeners.add(entry);
      return () => {
        entry.stop?.();
        listeners.delete(entry);
      };
    },
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      const t = current;
      current = null;
      await t?.close();
    },
  };
  return {
    ...clientOver(transport),
    connection: () => state,
    onConnection(listener) {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
  };
}
