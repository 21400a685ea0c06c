// Each agent's normal, learned from what its processes do: the programs it runs, which program starts
// which, the directories it opens, the places it connects to. For a learning window after an agent is
// first seen everything is learned; after it, a thing never seen before scores (an exec more than a
// directory), the score is the sum over the last hour, and each new thing is explained in words.
// What is known is kept in memory per agent (read once from SQLite); sightings are written together
// (one transaction a second, FLUSH_MS), not one commit per event: under 200 execs/s a commit each was
// most of the sensors' CPU. A crash loses at most the last second's counts, never what an alert said.
import type { Db } from '../store/db.js';
import type { AttributedEvent } from './sensorEvent.js';

export interface Anomaly {
  agent: string;
  item: string;
  weight: number;
  /** "first exec of nc by build-bot in 14 days" */
  explanation: string;
  at: number;
}

const WEIGHTS = { exec: 30, pair: 20, dir: 15, dest: 40 } as const;
const SCORE_WINDOW_MS = 3_600_000;
const MAX_RECENT = 50;
const FLUSH_MS = 1_000;
const MAX_PENDING = 5_000;

function itemsOf(e: AttributedEvent, parentProgram: string | null): Array<{ item: string; kind: keyof typeof WEIGHTS; words: string }> {
  if (e.kind === 'exec') {
    const out: Array<{ item: string; kind: keyof typeof WEIGHTS; words: string }> = [{ item: `exec:${e.program}`, kind: 'exec', words: `exec of ${e.program}` }];
    if (parentProgram) out.push({ item: `pair:${parentProgram}>${e.program}`, kind: 'pair', words: `${parentProgram} starting ${e.program}` });
    return out;
  }
  if (e.kind === 'open' && e.path) {
    const dir = e.path.slice(0, Math.max(1, e.path.lastIndexOf('/')));
    return [{ item: `dir:${dir}`, kind: 'dir', words: `${e.write ? 'write' : 'read'} in ${dir}` }];
  }
  if (e.kind === 'connect' && e.dest) return [{ item: `dest:${e.dest.address}:${e.dest.port}`, kind: 'dest', words: `connection to ${e.dest.address}:${e.dest.port}` }];
  return [];
}

function span(ms: number): string {
  const h = ms / 3_600_000;
  const n = (k: number, unit: string) => `${k} ${unit}${k === 1 ? '' : 's'}`;
  if (h >= 48) return n(Math.round(h / 24), 'day');
  if (h >= 2) return n(Math.round(h), 'hour');
  return n(Math.max(1, Math.round(ms / 60_000)), 'minute');
}

export class Baseline {
  private readonly since = new Map<string, number>();
  private readonly recent = new Map<string, Anomaly[]>();
  private readonly getAgent;
  private readonly putAgent;
  private readonly upsert;
  private readonly clear;
  private readonly clearAgent;
  private readonly countItems;
  private readonly itemsOfAgent;
  private readonly writeAll: (rows: Array<[string, string, string]>) => void;
  /** agent → the items it is known for (loaded from the store on the agent's first event). */
  private readonly known = new Map<string, Set<string>>();
  /** Sightings not yet written: agent, item, when. */
  private pending: Array<[string, string, string]> = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    db: Db,
    private readonly learnMs: number,
  ) {
    this.getAgent = db.prepare('SELECT learning_since FROM sensor_baseline_agents WHERE agent = ?');
    this.putAgent = db.prepare('INSERT OR REPLACE INTO sensor_baseline_agents (agent, learning_since) VALUES (?, ?)');
    this.upsert = db.prepare(
      `INSERT INTO sensor_baseline (agent, item, first_seen, last_seen, count) VALUES (?, ?, ?, ?, 1)
       ON CONFLICT(agent, item) DO UPDATE SET last_seen = excluded.last_seen, count = count + 1`,
    );
    this.clear = db.prepare('DELETE FROM sensor_baseline WHERE agent = ?');
    this.clearAgent = db.prepare('DELETE FROM sensor_baseline_agents WHERE agent = ?');
    this.countItems = db.prepare('SELECT count(*) AS n FROM sensor_baseline WHERE agent = ?');
    this.itemsOfAgent = db.prepare('SELECT item FROM sensor_baseline WHERE agent = ?').pluck();
    this.writeAll = db.transaction((rows: Array<[string, string, string]>) => {
      for (const [agent, item, ts] of rows) this.upsert.run(agent, item, ts, ts);
    });
  }

  private knownOf(agent: string): Set<string> {
    let set = this.known.get(agent);
    if (!set) {
      set = new Set(this.itemsOfAgent.all(agent) as string[]);
      this.known.set(agent, set);
    }
    return set;
  }

  /** Writes the sightings held in memory (every second, before a read of the store, and at stop). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.pending.length) return;
    const rows = this.pending;
    this.pending = [];
    this.writeAll(rows);
  }

  private note(agent: string, item: string, ts: string): void {
    this.pending.push([agent, item, ts]);
    if (this.pending.length >= MAX_PENDING) return this.flush();
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  private learningSince(agent: string, now: number): number {
    let t = this.since.get(agent);
    if (t === undefined) {
      const row = this.getAgent.get(agent) as { learning_since: string } | undefined;
      t = row ? Date.parse(row.learning_since) : now;
      if (!row) this.putAgent.run(agent, new Date(now).toISOString());
      this.since.set(agent, t);
    }
    return t;
  }

  /** Learns the event; after the learning window, returns what in it was new. */
  observe(e: AttributedEvent, parentProgram: string | null): Anomaly[] {
    const agent = e.agent!;
    const since = this.learningSince(agent, e.at);
    const learning = e.at - since < this.learnMs;
    const out: Anomaly[] = [];
    const ts = new Date(e.at).toISOString();
    const knownItems = this.knownOf(agent);
    for (const it of itemsOf(e, parentProgram)) {
      const known = knownItems.has(it.item);
      knownItems.add(it.item);
      this.note(agent, it.item, ts);
      if (known || learning) continue;
      const a: Anomaly = { agent, item: it.item, weight: WEIGHTS[it.kind], explanation: `first ${it.words} by ${agent} in ${span(e.at - since)}`, at: e.at };
      out.push(a);
      const list = this.recent.get(agent) ?? [];
      list.push(a);
      this.recent.set(agent, list.slice(-MAX_RECENT));
    }
    return out;
  }

  /** The sum of the weights of what was new in the last hour, at most 100. */
  score(agent: string, now = Date.now()): number {
    const list = (this.recent.get(agent) ?? []).filter((a) => now - a.at <= SCORE_WINDOW_MS);
    return Math.min(100, list.reduce((s, a) => s + a.weight, 0));
  }

  /** When the agent's learning began (null: never seen) and how many things it has learned. */
  summary(agent: string): { learning_since: string | null; learned: number } {
    this.flush();
    const row = this.getAgent.get(agent) as { learning_since: string } | undefined;
    return { learning_since: row?.learning_since ?? null, learned: (this.countItems.get(agent) as { n: number }).n };
  }

  recentAnomalies(agent: string): Anomaly[] {
    return [...(this.recent.get(agent) ?? [])];
  }

  /** Starts learning again from now. */
  reset(agent: string, now = Date.now()): void {
    this.flush();
    this.known.delete(agent);
    this.clear.run(agent);
    this.clearAgent.run(agent);
    this.since.delete(agent);
    this.recent.delete(agent);
    this.learningSince(agent, now);
  }
}
