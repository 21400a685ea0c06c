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

  it('persists across instances and resets on request', () => {
    const d = db();
    const t0 = 1_000 * DAY;
    new Baseline(d, DAY).observe(exec('make', t0), null);
    const again = new Baseline(d, DAY);
    expect(again.observe(exec('make', t0 + 2 * DAY), null)).toEqual([]);
    expect(again.observe(exec('nc', t0 + 2 * DAY), null)).toHaveLength(1);
    again.reset('build-bot', t0 + 3 * DAY);
    expect(again.observe(exec('curl', t0 + 3 * DAY), null)).toEqual([]); // learning again
  });
});
