// The IPC door (docs/ipc.md, contract): JSON-RPC 2.0, one message per line, over gatehouse.sock (0600).
// A malformed line gets a JSON-RPC error and never ends the connection's other requests or the engine.
// Subscribers that fall behind lose events and get a gap marker; they never slow the engine.
// A connection carries any number of requests at once, answered as each finishes (by id, in any
// order). `cancel {id}` ends one request still running (a waiting firewall check's prompt is
// cancelled); a connection that closes ends all of its own.
import { chmodSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { z } from 'zod';
import { EngineError, RPC_CODE } from '../../shared/errors.js';
import { TOPICS, topicOf, type EngineEvent, type Topic } from '../../shared/events.js';
import { SURFACES } from '../../shared/task.js';
import type { Door, EngineSurface } from './engineSurface.js';
import { LineSplitter } from '../platform/lineSplitter.js';
import { jsonDepth, MAX_JSON_DEPTH } from '../platform/jsonDepth.js';
import { consoleAttached } from './attachedConsoles.js';
import { findMethod, parseParams } from './rpcMethods.js';
import type { Actor } from '../tasks/queue.js';
import { refuseSymlink, statePath } from '../store/stateDir.js';
import { agentDoorParams, agentSeesEvent, DoorAlertBudget, type AgentDoorState } from './agentDoor.js';

/** A request line's limit, as a REST body's (1 MiB): a longer line is discarded as it arrives, never buffered. */
export const MAX_LINE = 1024 * 1024;
/** Open connections at most; one more is told so and closed (issue 22: hostile clients are bounded). */
export const MAX_IPC_CONNECTIONS = 256;
/** Buffered output past which a subscriber is considered behind and events are dropped. */
const HIGH_WATER = 4 * 1024 * 1024;

type Id = string | number | null;

const RequestSchema = z.object({
  jsonrpc: z.literal('2.0'),
  id: z.union([z.string().max(200), z.number()]).optional(),
  method: z.string().min(1).max(200),
  params: z.unknown().optional(),
});

const HelloSchema = z.object({ client: z.enum(SURFACES).default('ipc'), user: z.string().regex(/^[\w.@-]{1,64}$/).default('ipc') });
const SubscribeSchema = z.object({ topics: z.array(z.enum(TOPICS)).min(1).default([...TOPICS]) });
const CancelSchema = z.object({ id: z.union([z.string().max(200), z.number()]) });

class MethodNotFound extends Error {
  constructor(method: string) {
    super(`method not found: ${method}`);
  }
}

class Connection {
  actor: Actor = { by: 'ipc', surface: 'ipc' };
  topics = new Set<Topic>();
  dropped = 0;
  private unsubscribe: (() => void) | null = null;
  private detachConsole: (() => void) | null = null;
  private closed = false;
  /** Aborted when the connection closes: sessions it opened (contain.open) end with it. */
  private readonly gone = new AbortController();
  /** Requests still running, by their id: what `cancel` and the connection's end abort. */
  private readonly running = new Map<string | number, AbortController>();

  constructor(
    private readonly engine: EngineSurface,
    private readonly socket: Socket,
    /** The sandbox's door this connection came through (agentDoor.ts); null on the engine's own socket. */
    private readonly door: AgentDoorState | null = null,
  ) {
    const splitter = new LineSplitter(MAX_LINE);
    socket.on('data', (chunk: Buffer) => {
      for (const item of splitter.push(chunk)) {
        if (item.tooLong) this.send({ jsonrpc: '2.0', id: null, error: { code: -32600, message: `line longer than ${MAX_LINE} bytes was discarded` } });
        else void this.handleLine(item.line);
      }
    });
    socket.on('drain', () => {
      if (this.dropped > 0) {
        const dropped = this.dropped;
        this.dropped = 0;
        this.notify({ type: 'gap', dropped, seq: 0, ts: new Date().toISOString() });
      }
    });
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.gone.abort();
    for (const r of this.running.values()) r.abort();
    this.running.clear();
    this.unsubscribe?.();
    this.detachConsole?.();
    this.socket.destroy();
  }

  private send(msg: unknown): void {
    if (this.closed || this.socket.destroyed) return;
    this.socket.write(`${JSON.stringify(msg)}\n`);
  }

  private notify(event: EngineEvent): void {
    if (this.socket.writableLength > HIGH_WATER) {
      this.dropped++;
      return;
    }
    this.send({ jsonrpc: '2.0', method: 'event', params: event });
  }

  private async handleLine(line: string): Promise<void> {
    if (this.closed || line.trim() === '') return;
    if (jsonDepth(line) > MAX_JSON_DEPTH) {
      this.send({ jsonrpc: '2.0', id: null, error: { code: -32600, message: `invalid request: JSON nested deeper than ${MAX_JSON_DEPTH} levels` } });
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      this.send({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error: the line is not JSON' } });
      return;
    }
    const req = RequestSchema.safeParse(raw);
    const rawId = (raw as { id?: unknown })?.id;
    const id: Id = typeof rawId === 'string' || typeof rawId === 'number' ? rawId : null;
    if (!req.success) {
      this.send({ jsonrpc: '2.0', id, error: { code: -32600, message: 'invalid request: expected {jsonrpc:"2.0", id, method, params}', data: req.error.issues.map((i) => i.message) } });
      return;
    }
    const { method, params, id: reqId } = req.data;
    const isNotification = reqId === undefined;
    const run = new AbortController();
    if (!isNotification) this.running.set(reqId, run);
    try {
      const result = await this.dispatch(method, params, run.signal);
      if (!isNotification) this.send({ jsonrpc: '2.0', id: reqId, result: result ?? null });
    } catch (err) {
      if (isNotification) return;
      if (err instanceof MethodNotFound) {
        this.send({ jsonrpc: '2.0', id: req.data.id, error: { code: -32601, message: err.message, data: { code: 'bad_request' } } });
      } else if (err instanceof EngineError) {
        this.send({ jsonrpc: '2.0', id: req.data.id, error: { code: RPC_CODE[err.code], message: err.message, data: { code: err.code, details: err.details ?? null } } });
      } else {
        this.engine.logger.error({ err, method }, 'IPC method failed');
        this.send({ jsonrpc: '2.0', id: req.data.id, error: { code: -32603, message: `internal error in ${method}`, data: { code: 'internal' } } });
      }
    } finally {
      if (!isNotification && this.running.get(reqId) === run) this.running.delete(reqId);
    }
  }

  private async dispatch(method: string, params: unknown, signal: AbortSignal): Promise<unknown> {
    const door = this.door;
    const agent = door?.agent ?? null;
    switch (method) {
      case 'hello': {
        const h = parseParams(HelloSchema, params);
        // On an agent's door the agent acts, whoever it says it is, and it is never a console.
        this.actor = agent ? { by: agent, surface: h.client === 'tui' ? 'ipc' : h.client } : { by: h.user, surface: h.client };
        if (!agent && h.client === 'tui' && !this.detachConsole && !this.closed) this.detachConsole = consoleAttached(this.engine, this);
        return { version: this.engine.status().version, run_id: this.engine.runId };
      }
      case 'subscribe': {
        const { topics } = parseParams(SubscribeSchema, params);
        if (agent && topics.some((t) => t !== 'prompts'))
          throw new EngineError(`refused on the sandbox's engine door (agent ${agent}): only the prompts topic (its own prompts) can be followed here`, 'forbidden');
        for (const t of topics) this.topics.add(t);
        this.unsubscribe ??= this.engine.bus.subscribe((e) => {
          if (this.topics.has(topicOf(e.type)) && (!agent || agentSeesEvent(agent, e))) this.notify(e);
        });
        return { topics: [...this.topics] };
      }
      case 'cancel': {
        const { id } = parseParams(CancelSchema, params);
        const r = this.running.get(id);
        r?.abort();
        return { cancelled: r !== undefined };
      }
      case 'unsubscribe':
        this.topics.clear();
        return { topics: [] };
      case 'shutdown':
        if (door) agentDoorParams(this.engine, door, method, params); // refused
        setImmediate(() => void this.engine.stop(`shutdown requested by ${this.actor.by}`));
        return { stopping: true };
      default: {
        const m = findMethod(method);
        if (!m) throw new MethodNotFound(method);
        if (door) return await m(this.engine, agentDoorParams(this.engine, door, method, params), { actor: this.actor, signal, connection: this.gone.signal });
        return await m(this.engine, params, { actor: this.actor, signal, connection: this.gone.signal, agentDoor: (path, name) => openAgentDoor(this.engine, path, name) });
      }
    }
  }
}

/** Listens on `path` (0600); `agent` makes it an agent's door. Returns the closer. */
async function listen(engine: EngineSurface, path: string, agent: string | null): Promise<() => Promise<void>> {
  const connections = new Set<Connection>();
  const max = agent ? 32 : MAX_IPC_CONNECTIONS;
  // One door's state is shared by its connections: reconnecting does not renew its alert budget.
  const door: AgentDoorState | null = agent ? { agent, alerts: new DoorAlertBudget() } : null;
  const server: Server = createServer((socket) => {
    if (connections.size >= max) {
      socket.on('error', () => {});
      socket.end(`${JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32000, message: `gatehouse refuses the connection: ${max} connections are open already` } })}\n`);
      setTimeout(() => socket.destroy(), 1000).unref();
      return;
    }
    const c = new Connection(engine, socket, door);
    connections.add(c);
    socket.on('close', () => connections.delete(c));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  chmodSync(path, 0o600);
  return async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Let answers already written reach their readers, then end the connections.
      setTimeout(() => {
        for (const c of connections) c.close();
      }, 50);
    });
  };
}

/** A sandbox's own engine door (agentDoor.ts): serves only the agent's methods, as `agent`. */
export function openAgentDoor(engine: EngineSurface, path: string, agent: string): Promise<() => Promise<void>> {
  refuseSymlink(path);
  return listen(engine, path, agent);
}

export const ipcDoor: Door = {
  async open(engine) {
    const path = statePath(engine.opts.stateDir, 'socket');
    refuseSymlink(path);
    // We hold the single-instance lock, so a socket file still here is a leftover of a crash.
    try {
      unlinkSync(path);
    } catch {
      /* none */
    }
    const close = await listen(engine, path, null);
    engine.logger.info({ socket: path }, 'IPC socket listening');
    return close;
  },
};
