// Containment sessions: a sandboxed run (`gatehouse exec`, `gatehouse sandbox`) opens one over the
// engine's socket and gets the sandbox settings for its agent and, unless sandbox.mode is off, its own
// egress proxy socket under <state dir>/egress/ (0600 in a 0700 dir). The session knows who it is for,
// so every connection through it is decided for that agent and the command that asked. It lives as long
// as the connection that opened it: when the wrapper goes away, the proxy closes.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { sandboxFor, SandboxSectionSchema, type ContainSession } from '../../shared/containPolicy.js';
import { EngineError } from '../../shared/errors.js';
import { EgressGate, type ConnectionOwner, type EgressHost } from './egressGate.js';
import { startEgressProxy, type EgressProxy, type EgressProxyOptions } from './egressProxy.js';
import type { SandboxConfig } from './sandboxConfig.js';
import { WarmNetworkPool, type WarmSlot } from './warmNetwork.js';

export interface ContainHost extends EgressHost {
  readonly opts: { readonly stateDir: string };
  readonly config: { readonly sandbox: SandboxConfig };
}

export interface OpenRequest {
  agent: string;
  command?: string | undefined;
  task_id?: string | undefined;
  cwd?: string | undefined;
  /** The caller can enter a warm network namespace (nsenter; root, or the engine's uid where it may). */
  warm?: boolean | undefined;
}

/** Opens the sandbox's own engine door at a path (doors/agentDoor.ts); returns its closer. */
export type DoorOpener = (path: string) => Promise<() => Promise<void>>;

const AGENT = /^[A-Za-z0-9._-]{1,64}$/;
const MAX_SESSIONS = 256;

export class ContainService {
  readonly gate: EgressGate;
  readonly warm: WarmNetworkPool;
  private readonly sessions = new Map<string, { owner: ConnectionOwner; proxy: EgressProxy | null; door: (() => Promise<void>) | null; doorPath: string | null; slot: WarmSlot | null }>();

  constructor(
    private readonly host: ContainHost,
    private readonly logger: Logger,
    private readonly proxyOptions: EgressProxyOptions = {},
  ) {
    this.gate = new EgressGate(host, logger);
    this.warm = new WarmNetworkPool(this.dir, host.config.sandbox.warm_network, logger);
  }

  private get dir(): string {
    return join(this.host.opts.stateDir, 'egress');
  }

  start(): void {
    // Sockets of an earlier run are dead: remove them.
    rmSync(this.dir, { recursive: true, force: true });
    this.warm.start();
  }

  /** Opens a session; `gone` ends it (the connection that opened it closed). */
  async open(req: OpenRequest, gone: AbortSignal | undefined, openDoor?: DoorOpener): Promise<ContainSession> {
    if (!gone) throw new EngineError('a containment session is opened over the engine socket, which holds it open', 'bad_request');
    if (!AGENT.test(req.agent)) throw new EngineError(`invalid agent name ${JSON.stringify(req.agent.slice(0, 80))}: letters, digits, . _ - (at most 64)`, 'bad_request');
    if (this.sessions.size >= MAX_SESSIONS) throw new EngineError(`too many containment sessions (${MAX_SESSIONS})`, 'unavailable');
    const loaded = this.host.guard.policy;
    const section = loaded ? sandboxFor(loaded.policy.file, req.agent) : SandboxSectionSchema.parse({});
    const id = randomBytes(8).toString('hex');
    const owner: ConnectionOwner = { session: id, agent: req.agent, command: req.command?.slice(0, 10_000) ?? null, task_id: req.task_id ?? null, cwd: req.cwd ?? null };
    let proxy: EgressProxy | null = null;
    let door: (() => Promise<void>) | null = null;
    // An unconfined run (sandbox.mode off) has the engine's own socket anyway: no door is made for it.
    const doorPath = openDoor && section.mode === 'on' ? join(this.dir, `${id}.door`) : null;
    if (section.mode === 'on' || doorPath) mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    // A warm slot's listener (the proxy port in its namespace) gives its connections to this proxy (single use).
    const slot = section.mode === 'on' && req.warm ? this.warm.claim() : null;
    // The proxy and the agent's door start together; if one fails the other is closed again.
    const [p, d] = await Promise.allSettled([
      section.mode === 'on' ? startEgressProxy(join(this.dir, `${id}.sock`), (host, port, via) => this.gate.decide(owner, host, port, via), this.logger, this.proxyOptions) : Promise.resolve(null),
      doorPath && openDoor ? openDoor(doorPath) : Promise.resolve(null),
    ]);
    if (p.status === 'fulfilled') proxy = p.value;
    if (d.status === 'fulfilled') door = d.value;
    if (p.status === 'rejected' || d.status === 'rejected') {
      slot?.release();
      await Promise.all([proxy?.close(), door?.()]);
      throw p.status === 'rejected' ? p.reason : (d as PromiseRejectedResult).reason;
    }
    if (slot && proxy) slot.attach((s) => proxy.accept(s));
    this.sessions.set(id, { owner, proxy, door, doorPath, slot });
    const end = () => void this.close(id);
    if (gone.aborted) end();
    else gone.addEventListener('abort', end, { once: true });
    this.host.ledger.append({ actor: req.agent, surface: 'engine', action: 'sandbox.open', subject: id, detail: { agent: req.agent, command: owner.command, mode: section.mode, cwd: owner.cwd, warm_network: slot !== null } });
    const warm_network = slot ? { netns_pid: slot.netns_pid, netns_ino: slot.netns_ino, ...(slot.userns_ino ? { userns_ino: slot.userns_ino } : {}) } : null;
    return { id, agent: req.agent, proxy_socket: proxy?.path ?? null, engine_socket: doorPath, sandbox: section, state_dir: this.host.opts.stateDir, warm_network };
  }

  async close(id: string): Promise<void> {
    const s = this.sessions.get(id);
    if (!s) return;
    this.sessions.delete(id);
    s.slot?.release();
    await Promise.all([s.proxy?.close(), s.door?.()]);
    if (s.doorPath) rmSync(s.doorPath, { force: true });
  }

  status(): { sessions: number; connections: { allowed: number; blocked: number }; warm_network: ReturnType<WarmNetworkPool['status']> } {
    return { sessions: this.sessions.size, connections: { ...this.gate.counts }, warm_network: this.warm.status() };
  }

  async stop(): Promise<void> {
    this.warm.stop();
    await Promise.all([...this.sessions.keys()].map((id) => this.close(id)));
    this.gate.flush();
  }
}
