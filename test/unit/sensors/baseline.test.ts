import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../../src/engine/store/migrations.js';
import { Baseline } from '../../../src/engine/sensors/baseline.js';
import type { AttributedEvent } from '../../../src/engine/sensors/sensorEvent.js';

const DAY = 86_400_000;
function db() {
  const d = new Database(':memory:');
  d.exec(MIGRATIONS.find((m) => m.name === 'sensor baselines')!.sql);
  return d;
}
const exec = (program: string, at: number): AttributedEvent => ({ kind: 'exec', at, pid: 5, ppid: 4, program, argv: [program], path: null, dest: null, source: 'audit', ref: '1', agent: 'build-bot' });

describe('agent baselines', () => {
  it('learns during the window, then explains what is new and scores it', () => {
    const b = new Baseline(db(), 3 * DAY);
    const t0 = 1_000 * DAY;
    expect(b.observe(exec('make', t0), 'bash')).toEqual([]);
    expect(b.observe(exec('nc', t0 + DAY), 'bash')).toEqual([]); // still learning
    expect(b.observe(exec('make', t0 + 14 * DAY), 'bash')).toEqual([]); // known
    const fresh = b.observe(exec('socat', t0 + 14 * DAY), 'bash');
    expect(fresh.map((a) => a.explanation)).toEqual(['first exec of socat by build-bot in 14 days', 'first bash starting socat by build-bot in 14 days']);
    expect(b.score('build-bot', t0 + 14 * DAY)).toBe(50);
    expect(b.score('build-bot', t0 + 15 * DAY)).toBe(0);
  });

  it('writes sightings together, not a commit per event; what it holds is known before it is written', () => {
    const d = db();
    const t0 = 1_000 * DAY;
    const b = new Baseline(d, DAY);
    b.observe(exec('make', t0), null);
    b.observe(exec('make', t0 + 1), null);
    const rows = () => d.prepare("SELECT count(*) AS n FROM sensor_baseline WHERE agent = 'build-bot'").get() as { n: number };
    expect(rows().n).toBe(0);
    expect(b.observe(exec('make', t0 + 2 * DAY), null)).toEqual([]);
    b.flush();
    expect(rows().n).toBe(1);
    expect(d.prepare("SELECT count FROM sensor_baseline WHERE item = 'exec:make'").get()).toEqual({ count: 3 });
  });

  it('persists across instances and resets on request', () => {
    const d = db();
    const t0 = 1_000 * DAY;
    const first = new Baseline(d, DAY);
    first.observe(exec('make', t0), null);
    first.flush(); // the engine's stop writes what it holds
    const again = new Baseline(d, DAY);
    expect(again.observe(exec('make', t0 + 2 * DAY), null)).toEqual([]);
    expect(again.observe(exec('nc', t0 + 2 * DAY), null)).toHaveLength(1);
    again.reset('build-bot', t0 + 3 * DAY);
    expect(again.observe(exec('curl', t0 + 3 * DAY), null)).toEqual([]); // learning again
  });
});
