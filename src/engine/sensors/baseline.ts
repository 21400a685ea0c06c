// Each agent's normal, learned from what its processes do: the programs it runs, which program starts
// which, the directories it opens, the places it connects to. For a learning window after an agent is
// first seen everything is learned; after it, a thing never seen before scores (an exec more than a
// directory), the score is the sum over the last hour, and each new thing is explained in words.
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
  private readonly hasItem;
  private readonly upsert;
  private readonly clear;
  private readonly clearAgent;
  private readonly countItems;

  constructor(
    db: Db,
    private readonly learnMs: number,
  ) {
    this.getAgent = db.prepare('SELECT learning_since FROM sensor_baseline_agents WHERE agent = ?');
    this.putAgent = db.prepare('INSERT OR REPLACE INTO sensor_baseline_agents (agent, learning_since) VALUES (?, ?)');
    this.hasItem = db.prepare('SELECT 1 FROM sensor_baseline WHERE agent = ? AND item = ?');
    this.upsert = db.prepare(
      `INSERT INTO sensor_baseline (agent, item, first_seen, last_seen, count) VALUES (?, ?, ?, ?, 1)
       ON CONFLICT(agent, item) DO UPDATE SET last_seen = excluded.last_seen, count = count + 1`,
    );
    this.clear = db.prepare('DELETE FROM sensor_baseline WHERE agent = ?');
    this.clearAgent = db.prepare('DELETE FROM sensor_baseline_agents WHERE agent = ?');
    this.countItems = db.prepare('SELECT count(*) AS n FROM sensor_baseline WHERE agent = ?');
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
    for (const it of itemsOf(e, parentProgram)) {
      const known = this.hasItem.get(agent, it.item) !== undefined;
      this.upsert.run(agent, it.item, ts, ts);
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
    const row = this.getAgent.get(agent) as { learning_since: string } | undefined;
    return { learning_since: row?.learning_since ?? null, learned: (this.countItems.get(agent) as { n: number }).n };
  }

  recentAnomalies(agent: string): Anomaly[] {
    return [...(this.recent.get(agent) ?? [])];
  }

  /** Starts learning again from now. */
  reset(agent: string, now = Date.now()): void {
    this.clear.run(agent);
    this.clearAgent.run(agent);
    this.since.delete(agent);
    this.recent.delete(agent);
    this.learningSince(agent, now);
  }
}
