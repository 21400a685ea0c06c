// Agents registered with the engine (IPC or REST): name, pid and policy profile. A registered pid that
// dies, or that now belongs to another process (its start time, kept in the row, differs: checked after
// an engine restart too), is marked gone within seconds; an agent without a pid is gone after AGENT_TTL_MS
// unseen. Decisions are counted per agent for the console.
import type { Agent } from '../../shared/agent.js';
import type { Verdict } from '../../shared/firewall.js';
import type { EventBus } from '../platform/eventBus.js';
import type { Ledger } from '../store/ledger.js';
import { processStartTime, processState } from '../platform/processInfo.js';
import { EngineError } from '../../shared/errors.js';
import type { Actor } from '../tasks/queue.js';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../store/store.js';

/** An agent as stored: the decision counts are columns. */
type AgentRow = Omit<Agent, 'decisions' | 'connections'> & { allow_count: number; deny_count: number; ask_count: number; net_allowed?: number; net_blocked?: number; pid_start?: string | null };

function toAgent(r: AgentRow): Agent {
  return {
    name: r.name,
    pid: r.pid,
    profile: r.profile,
    state: r.state,
    registered_at: r.registered_at,
    last_seen: r.last_seen,
    decisions: { allow: r.allow_count, deny: r.deny_count, ask: r.ask_count },
    connections: { allowed: r.net_allowed ?? 0, blocked: r.net_blocked ?? 0 },
  };
}

export const SWEEP_MS = 1_000;
/** An agent registered without a pid (or only ever seen in checks) is gone after this long unseen. */
export const AGENT_TTL_MS = 10 * 60_000;

export class AgentRegistry {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Db,
    private readonly ledger: Ledger,
    private readonly bus: EventBus,
    private readonly now: () => Date = () => new Date(),
  ) {}

  start(): void {
    this.sweep();
    this.timer = setInterval(() => this.sweep(), SWEEP_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  register(a: { name: string; pid?: number | undefined; profile?: string | undefined }, by: Actor): Agent {
    // Law 11: a pid must be a running process; its start time is kept (in the row) to catch a recycled pid.
    let start: string | null = null;
    if (a.pid !== undefined) {
      if (processState(a.pid) !== 'alive') throw new EngineError(`pid ${a.pid} is not a running process`, 'bad_request');
      start = processStartTime(a.pid);
    }
    const ts = this.now().toISOString();
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO agents (name, pid, pid_start, profile, state, registered_at, last_seen) VALUES (?, ?, ?, ?, 'alive', ?, ?)
           ON CONFLICT(name) DO UPDATE SET pid = excluded.pid, pid_start = excluded.pid_start, profile = excluded.profile, state = 'alive', registered_at = excluded.registered_at, last_seen = excluded.last_seen`,
        )
        .run(a.name, a.pid ?? null, start, a.profile ?? null, ts, ts);
      this.ledger.append({ actor: by.by, surface: by.surface, action: 'agent.register', subject: a.name, detail: { pid: a.pid ?? null, pid_start: start, profile: a.profile ?? null } });
    })();
    const agent = this.get(a.name)!;
    this.bus.emit({ type: 'agent.registered', agent });
    return agent;
  }

  deregister(name: string, by: Actor, why = 'deregistered'): Agent | null {
    const before = this.get(name);
    if (!before || before.state === 'gone') return before;
    this.db.transaction(() => {
      this.db.prepare("UPDATE agents SET state = 'gone', last_seen = ? WHERE name = ?").run(this.now().toISOString(), name);
      this.ledger.append({ actor: by.by, surface: by.surface, action: 'agent.gone', subject: name, reason: why });
    })();
    const agent = this.get(name)!;
    this.bus.emit({ type: 'agent.gone', agent });
    return agent;
  }

  private readonly counters = new Map<Verdict, Statement>();

  /** Counts a decision for an agent (creating an unregistered agent row on first sight). */
  countDecision(name: string, verdict: Verdict): void {
    let st = this.counters.get(verdict);
    if (!st) {
      const col = verdict === 'allow' ? 'allow_count' : verdict === 'deny' ? 'deny_count' : 'ask_count';
      st = this.db.prepare(
        `INSERT INTO agents (name, state, registered_at, last_seen, ${col}) VALUES (?, 'alive', ?, ?, 1)
         ON CONFLICT(name) DO UPDATE SET ${col} = ${col} + 1, last_seen = excluded.last_seen, state = CASE WHEN pid IS NULL THEN 'alive' ELSE state END`,
      );
      this.counters.set(verdict, st);
    }
    const ts = this.now().toISOString();
    st.run(name, ts, ts);
  }

  /** Counts a connection through the egress proxy for an agent (creating its row on first sight). */
  countConnection(name: string, allowed: boolean): void {
    const col = allowed ? 'net_allowed' : 'net_blocked';
    const ts = this.now().toISOString();
    this.db
      .prepare(`INSERT INTO agents (name, state, registered_at, last_seen, ${col}) VALUES (?, 'alive', ?, ?, 1) ON CONFLICT(name) DO UPDATE SET ${col} = ${col} + 1, last_seen = excluded.last_seen`)
      .run(name, ts, ts);
  }

  private sweep(): void {
    const alive = this.db.prepare("SELECT name, pid, pid_start FROM agents WHERE state = 'alive' AND pid IS NOT NULL").all() as Array<{ name: string; pid: number; pid_start: string | null }>;
    for (const a of alive) {
      if (processState(a.pid) !== 'alive') this.deregister(a.name, { by: 'engine', surface: 'engine' }, `pid ${a.pid} exited`);
      // A start time unknown at registration (a row from before it was kept) can only be checked for liveness.
      else if (a.pid_start !== null && processStartTime(a.pid) !== a.pid_start) this.deregister(a.name, { by: 'engine', surface: 'engine' }, `pid ${a.pid} now belongs to another process (start time ${processStartTime(a.pid) ?? 'unknown'}, registered ${a.pid_start})`);
    }
    const cutoff = new Date(this.now().getTime() - AGENT_TTL_MS).toISOString();
    const stale = this.db.prepare("SELECT name FROM agents WHERE state = 'alive' AND pid IS NULL AND last_seen < ?").all(cutoff) as Array<{ name: string }>;
    for (const a of stale) this.deregister(a.name, { by: 'engine', surface: 'engine' }, `not seen for ${AGENT_TTL_MS / 60_000} minutes`);
  }

  get(name: string): Agent | null {
    const r = this.db.prepare('SELECT * FROM agents WHERE name = ?').get(name) as AgentRow | undefined;
    return r ? toAgent(r) : null;
  }

  list(): Agent[] {
    return (this.db.prepare("SELECT * FROM agents ORDER BY state = 'gone', last_seen DESC").all() as AgentRow[]).map(toAgent);
  }

  aliveCount(): number {
    return (this.db.prepare("SELECT count(*) AS n FROM agents WHERE state = 'alive'").get() as { n: number }).n;
  }
}
