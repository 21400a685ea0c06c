// One client over several engines (docs/fleet.md): the console's `attach` over `--host`/`fleet.hosts`.
// Each host has its own reconnecting connection (unix:// or ssh://, see hostTransport.ts): a host that
// drops is retried with capped exponential backoff and shown as down; it never blocks the others, and
// its silence is never read as "nothing pending". Lists are merged with each item carrying `host`;
// an action on an item (answer an ask, approve a task, ack an alert) goes to the engine that owns it.
import type { Agent } from '../shared/agent.js';
import type { Alert } from '../shared/alert.js';
import { EngineError } from '../shared/errors.js';
import type { EngineEvent, Topic } from '../shared/events.js';
import { sumStatus, type HostState } from '../shared/fleet.js';
import type { HostEndpoint } from '../shared/hostUrl.js';
import type { LedgerRecord } from '../shared/ledger.js';
import type { Prompt } from '../shared/firewall.js';
import type { Task, TaskListQuery } from '../shared/task.js';
import type { ConnectionListener, ConnectionState, EngineClient } from './engineClient.js';
import { connectHost, type HostTransport } from './hostTransport.js';
import { connectReconnecting } from './reconnectingClient.js';

export interface FleetHost {
  name: string;
  endpoint: HostEndpoint;
}

export interface FleetOptions {
  surface?: 'tui' | 'cli';
  /** First wait after a host drops, doubled per failed try up to maxDelayMs (default 250 ms → 8 s). */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Per-call deadline on each host: a host that hangs costs a refresh this long, not forever (default 5 s). */
  callTimeoutMs?: number;
  /** How a host is reached (tests pass fakes). */
  connect?: (host: FleetHost) => Promise<HostTransport>;
}

export interface FleetClient extends EngineClient {
  /** Every host, up or down, in the order given. */
  hosts(): HostState[];
  onHosts(listener: (hosts: HostState[]) => void): () => void;
}

/** An event from a host with its item (ask, task, alert) marked with that host, as the lists are. */
function tagEvent(e: EngineEvent, host: string): EngineEvent {
  const x = e as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = { ...x };
  for (const key of ['prompt', 'task', 'alert'] as const) {
    const item = x[key];
    if (item && typeof item === 'object') out[key] = { ...(item as object), host };
  }
  return out as unknown as EngineEvent;
}

/** A task list query that may name one host (`/host:NAME` in the console). */
export type FleetTaskQuery = TaskListQuery & { host?: string };

interface Member {
  host: FleetHost;
  client: EngineClient;
  state: HostState;
}

const ORDERS = {
  newest: (a: Task, b: Task) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0),
  oldest: (a: Task, b: Task) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0),
  cost: (a: Task, b: Task) => b.estimated_cost - a.estimated_cost,
} as const;

export async function connectFleet(hosts: readonly FleetHost[], opts: FleetOptions = {}): Promise<FleetClient> {
  if (hosts.length === 0) throw new EngineError('no hosts given', 'bad_request');
  const surface = opts.surface ?? 'tui';
  const callTimeoutMs = opts.callTimeoutMs ?? 5000;
  const hostListeners = new Set<(hosts: HostState[]) => void>();
  const connectionListeners = new Set<ConnectionListener>();
  /** Which host owns an item id (ask, task, alert, agent name): answers go there. */
  const owners = new Map<string, Set<string>>();

  const members: Member[] = await Promise.all(
    hosts.map(async (host): Promise<Member> => {
      const client = await connectReconnecting({
        stateDir: '',
        surface,
        startDown: true,
        initialDelayMs: opts.initialDelayMs ?? 250,
        maxDelayMs: opts.maxDelayMs ?? 8000,
        connect: () => (opts.connect ? opts.connect(host) : connectHost(host.endpoint, { surface, callTimeoutMs, connectTimeoutMs: 3000 })),
      });
      const c = client.connection!();
      return { host, client, state: { name: host.name, url: host.endpoint.url, state: c.state, attempt: c.attempt, since: c.since, ...(c.error ? { error: c.error } : {}), status: null } };
    }),
  );

  let aggregate = aggregateConnection();
  const emitHosts = () => {
    const snapshot = members.map((m) => ({ ...m.state }));
    for (const l of hostListeners) l(snapshot);
  };
  function aggregateConnection(): ConnectionState {
    const up = members.filter((m) => m.state.state === 'connected');
    if (up.length > 0) return { state: 'connected', attempt: 0, since: Math.min(...up.map((m) => m.state.since)) };
    return { state: 'reconnecting', attempt: Math.min(...members.map((m) => m.state.attempt)), since: Math.max(...members.map((m) => m.state.since)), error: 'every host is down' };
  }
  for (const m of members) {
    m.client.onConnection!((c) => {
      m.state = { ...m.state, state: c.state, attempt: c.attempt, since: c.since, ...(c.error ? { error: c.error } : { error: undefined }) };
      if (c.state === 'connected') delete m.state.error;
      emitHosts();
      const next = aggregateConnection();
      if (next.state !== aggregate.state || next.attempt !== aggregate.attempt) {
        aggregate = next;
        for (const l of connectionListeners) l(next);
      }
    });
  }

  const up = () => members.filter((m) => m.state.state === 'connected');
  const noteOwner = (id: string, host: string) => {
    const set = owners.get(id) ?? new Set<string>();
    set.add(host);
    owners.set(id, set);
  };

  /** Runs fn on every host that is up, at once; a host whose call fails is left out of this answer. */
  async function overUp<T>(fn: (m: Member) => Promise<T>, only?: string): Promise<Array<{ m: Member; value: T }>> {
    if (only !== undefined) {
      const m = members.find((x) => x.host.name === only);
      if (!m) throw new EngineError(`no host named '${only}' (hosts: ${members.map((x) => x.host.name).join(', ')})`, 'bad_request');
      if (m.state.state !== 'connected') throw new EngineError(`host ${only} is down: ${m.state.error ?? 'reconnecting'}`, 'unavailable');
    } else if (up().length === 0) throw new EngineError('every host of the fleet is down', 'unavailable');
    const targets = up().filter((m) => only === undefined || m.host.name === only);
    const settled = await Promise.allSettled(targets.map(async (m) => ({ m, value: await fn(m) })));
    const out = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    if (targets.length > 0 && out.length === 0 && settled[0]?.status === 'rejected') throw settled[0].reason;
    return out;
  }

  /** The one host that owns an id; asks the hosts that are up when it is not known yet. */
  async function ownerOf(id: string, find?: (c: EngineClient) => Promise<unknown>): Promise<Member> {
    let names = owners.get(id);
    if ((!names || names.size === 0) && find) {
      for (const r of await overUp(async (m) => ((await find(m.client).then(() => true, () => false)) ? m.host.name : null))) if (r.value) noteOwner(id, r.value);
      names = owners.get(id);
    }
    if (!names || names.size === 0) throw new EngineError(`no host of the fleet has '${id}'`, 'not_found');
    if (names.size > 1) throw new EngineError(`'${id}' is on ${names.size} hosts (${[...names].join(', ')}): act on it with --host`, 'conflict');
    const name = [...names][0]!;
    const m = members.find((x) => x.host.name === name)!;
    if (m.state.state !== 'connected') throw new EngineError(`host ${name} is down: ${m.state.error ?? 'reconnecting'}`, 'unavailable');
    return m;
  }

  const tag = <T extends object>(items: Array<{ m: Member; value: T[] }>, id: (x: T) => string): Array<T & { host: string }> =>
    items.flatMap(({ m, value }) =>
      value.map((x) => {
        noteOwner(id(x), m.host.name);
        return { ...x, host: m.host.name };
      }),
    );

  const notHere = (what: string) => () => Promise.reject(new EngineError(`${what} over a fleet: run it on the host (--host with one URL)`, 'bad_request'));

  const client: FleetClient = {
    hosts: () => members.map((m) => ({ ...m.state })),
    onHosts(listener) {
      hostListeners.add(listener);
      return () => hostListeners.delete(listener);
    },
    async status() {
      const answers = await overUp(async (m) => {
        const s = await m.client.status();
        m.state = { ...m.state, status: s };
        return s;
      });
      emitHosts();
      const total = sumStatus(answers.map((a) => a.value));
      if (!total) throw new EngineError('no host of the fleet answered', 'unavailable');
      return total;
    },
    tasks: {
      submit: notHere('submitting a task'),
      async list(query) {
        const q = (query ?? {}) as FleetTaskQuery;
        const { host, ...rest } = q;
        const offset = Number(rest.offset ?? 0);
        const limit = Number(rest.limit ?? 50);
        // Each host gives its first offset+limit in the same order; the merge keeps the window asked for.
        const pages = await overUp((m) => m.client.tasks.list({ ...rest, offset: 0, limit: Math.min(1000, offset + limit) }), host);
        const all = tag(pages.map(({ m, value }) => ({ m, value: value.tasks })), (t) => t.task_id).sort(ORDERS[rest.order ?? 'newest']);
        return { total: pages.reduce((n, p) => n + p.value.total, 0), tasks: all.slice(offset, offset + limit) };
      },
      async get(id) {
        const m = await ownerOf(id, (c) => c.tasks.get(id));
        return { ...(await m.client.tasks.get(id)), host: m.host.name };
      },
      approve: async (id, reason) => ({ ...(await (await ownerOf(id, (c) => c.tasks.get(id))).client.tasks.approve(id, reason)) }),
      reject: async (id, reason) => ({ ...(await (await ownerOf(id, (c) => c.tasks.get(id))).client.tasks.reject(id, reason)) }),
      abort: async (id, reason) => ({ ...(await (await ownerOf(id, (c) => c.tasks.get(id))).client.tasks.abort(id, reason)) }),
    },
    prompts: {
      async list() {
        return tag(await overUp((m) => m.client.prompts.list()), (p: Prompt) => p.id);
      },
      async resolve(id, answer) {
        const m = await ownerOf(id);
        return { ...(await m.client.prompts.resolve(id, answer)), host: m.host.name };
      },
    },
    firewall: {
      check: notHere('a firewall check'),
      trust: notHere('trusting a policy'),
      diff: notHere('the policy diff'),
    },
    alerts: {
      async list(query) {
        const all = tag(await overUp((m) => m.client.alerts.list(query)), (a: Alert) => a.id);
        return all.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0)).slice(-(query?.limit ?? all.length));
      },
      async ack(id, reason) {
        const m = await ownerOf(id);
        return { ...(await m.client.alerts.ack(id, reason)), host: m.host.name };
      },
      raise: notHere('raising an alert'),
    },
    agents: {
      async list() {
        return tag(await overUp((m) => m.client.agents.list()), (a: Agent) => a.name);
      },
      show: async (name) => (await ownerOf(name, (c) => c.agents.show(name))).client.agents.show(name),
      resetBaseline: async (name) => (await ownerOf(name, (c) => c.agents.show(name))).client.agents.resetBaseline(name),
    },
    ledger: {
      async recent(limit, select) {
        const all = tag(await overUp((m) => m.client.ledger.recent(limit, select)), (r: LedgerRecord) => `ledger:${r.seq}`);
        return all.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0)).slice(-(limit ?? 100));
      },
    },
    assistant: {
      async status() {
        const first = up()[0];
        if (!first) throw new EngineError('every host of the fleet is down', 'unavailable');
        return first.client.assistant.status();
      },
      brief: async (id, o) => (await ownerOf(id)).client.assistant.brief(id, o),
      history: async (id) => (await ownerOf(id)).client.assistant.history(id),
      ask: async (id, question, o) => (await ownerOf(id)).client.assistant.ask(id, question, o),
    },
    subscribe(topics: readonly Topic[], onEvent: (e: EngineEvent) => void) {
      const stops = members.map((m) =>
        m.client.subscribe(topics, (e) => {
          const tagged = tagEvent(e, m.host.name);
          const t = tagged as unknown as { prompt?: { id: string }; task?: { task_id: string }; alert?: { id: string } };
          if (t.prompt) noteOwner(t.prompt.id, m.host.name);
          if (t.task) noteOwner(t.task.task_id, m.host.name);
          if (t.alert) noteOwner(t.alert.id, m.host.name);
          onEvent(tagged);
        }),
      );
      return () => stops.forEach((s) => s());
    },
    async close() {
      await Promise.all(members.map((m) => m.client.close()));
    },
    connection: () => aggregate,
    onConnection(listener) {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
  };
  return client;
}
