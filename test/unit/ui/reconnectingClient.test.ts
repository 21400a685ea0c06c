// The reconnecting client without an engine: a fake connection that can drop. Backoff doubles to its cap,
// calls fail at once while away, every subscription is made again on the new connection, and subscribers
// get a gap (re-read state) when it is back; close stops trying.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { connectReconnecting, reconnectDelay } from '../../../src/client/reconnectingClient.js';
import type { ConnectionState } from '../../../src/client/engineClient.js';
import type { EngineEvent, Topic } from '../../../src/shared/events.js';

class FakeConnection {
  socket = new EventEmitter();
  subscribed: Topic[][] = [];
  listeners: Array<(e: EngineEvent) => void> = [];
  closed = false;
  async call(method: string): Promise<unknown> {
    return { method };
  }
  subscribe(topics: readonly Topic[], onEvent: (e: EngineEvent) => void): () => void {
    this.subscribed.push([...topics]);
    this.listeners.push(onEvent);
    return () => {};
  }
  async close(): Promise<void> {
    this.closed = true;
  }
  drop(): void {
    this.socket.emit('close');
  }
}

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe('reconnecting client', () => {
  it('backs off by doubling up to the cap', () => {
    expect([0, 1, 2, 3, 4, 10].map((a) => reconnectDelay(a, 250, 2000))).toEqual([250, 500, 1000, 2000, 2000, 2000]);
  });

  it('says reconnecting, fails calls at once, resubscribes and sends a gap when the engine is back', async () => {
    const made: FakeConnection[] = [];
    let refuse = 0;
    const client = await connectReconnecting({
      stateDir: '/nowhere',
      initialDelayMs: 1,
      maxDelayMs: 4,
      connect: async () => {
        if (made.length > 0 && refuse > 0) {
          refuse--;
          throw new Error('ECONNREFUSED');
        }
        const c = new FakeConnection();
        made.push(c);
        return c as never;
      },
    });
    const states: ConnectionState[] = [];
    client.onConnection!((s) => states.push(s));
    const events: EngineEvent[] = [];
    client.subscribe(['prompts', 'tasks'], (e) => events.push(e));
    expect(made[0]!.subscribed).toEqual([['prompts', 'tasks']]);
    expect(await client.status()).toEqual({ method: 'status' });

    refuse = 2; // the engine is down for two attempts
    made[0]!.drop();
    expect(client.connection!().state).toBe('reconnecting');
    await expect(client.status()).rejects.toThrow('reconnecting to the engine');
    for (let i = 0; i < 100 && made.length < 2; i++) await tick();
    expect(made).toHaveLength(2);
    expect(states.map((s) => `${s.state}:${s.attempt}`)).toEqual(['reconnecting:0', 'reconnecting:1', 'reconnecting:2', 'connected:0']);
    expect(made[1]!.subscribed).toEqual([['prompts', 'tasks']]);
    expect(events.map((e) => e.type)).toEqual(['gap']);
    expect(await client.status()).toEqual({ method: 'status' });
    // Events from the new connection reach the same subscriber.
    made[1]!.listeners[0]!({ type: 'prompt.expired', seq: 1, ts: '' } as never);
    expect(events.map((e) => e.type)).toEqual(['gap', 'prompt.expired']);

    await client.close();
    expect(made[1]!.closed).toBe(true);
    made[1]!.drop();
    await tick(20);
    expect(made).toHaveLength(2); // closed: no more attempts
  });
});
