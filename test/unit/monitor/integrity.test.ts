import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { appendFileSync, chmodSync, mkdtempSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { captureEntry } from '../../../src/engine/monitor/integrityCapture.js';
import { compareEntry, integrityFindingToAlert, type WatchSpec } from '../../../src/engine/monitor/integrityCompare.js';
import { MemoryBaselineRepo, SqliteBaselineRepo, type BaselineRepo } from '../../../src/engine/monitor/integrityBaseline.js';
import { BASELINE_TABLE_SQL } from '../../../src/engine/store/migrations.js';
import { IntegrityMonitor } from '../../../src/engine/monitor/integrityMonitor.js';
import { parseWorkHours, isWorkTime } from '../../../src/engine/monitor/workHours.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gh-int-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const spec = (name: string, cls: 'S0' | 'S1' = 'S0', profile: WatchSpec['profile'] = 'read-only'): WatchSpec => ({ path: join(dir, name), class: cls, profile });

describe('capture', () => {
  it('records metadata and two different hashes of the content', () => {
    const p = join(dir, 'soul.md');
    writeFileSync(p, 'I am the agent.\n', { mode: 0o640 });
    const c = captureEntry(p)!.entry;
    expect(c).toMatchObject({ path: p, type: 'file', mode: 0o640, size: 16, uid: process.getuid!() });
    expect(c.sha256).toBe(createHash('sha256').update('I am the agent.\n').digest('hex'));
    expect(c.hash2).toBe(createHash('blake2b512').update('I am the agent.\n').digest('hex'));
    expect(captureEntry(join(dir, 'nope'))).toBeNull();
  });

  it('sees a symlink as a symlink, not its target', () => {
    writeFileSync(join(dir, 'real'), 'x');
    symlinkSync(join(dir, 'real'), join(dir, 'link'));
    expect(captureEntry(join(dir, 'link'))!.entry.type).toBe('symlink');
  });
});

describe('compare', () => {
  function change(name: string, before: string, after: string | null, s = spec(name)) {
    const p = join(dir, name);
    writeFileSync(p, before);
    const b = captureEntry(p)!.entry;
    if (after === null) unlinkSync(p);
    else writeFileSync(p, after);
    const cur = captureEntry(p, { prefixBytes: b.size });
    return compareEntry({ spec: s, baseline: b, current: cur?.entry ?? null, ...(cur?.prefixSha256 !== undefined ? { prefixSha256: cur.prefixSha256 } : {}) });
  }

  it('grades a missing file P0, S0 content P1, S1 content P2, size anomaly P1', () => {
    expect(change('a', 'x', null).findings.map((f) => [f.check, f.severity])).toEqual([['core_file_missing', 'P0']]);
    expect(change('b', 'hello', 'hellO').findings.map((f) => [f.check, f.severity])).toEqual([['content_changed', 'P1']]);
    expect(change('c', 'hello', 'hellO', spec('c', 'S1')).findings.map((f) => [f.check, f.severity])).toEqual([['content_changed', 'P2']]);
    expect(change('d', 'hello', 'hello hello hello', spec('d', 'S1')).findings.map((f) => [f.check, f.severity])).toEqual([['size_anomaly', 'P1']]);
    expect(change('e', 'hello', 'hello').findings).toEqual([]);
  });

  it('lets a growing file append, not shrink or rewrite its old part', () => {
    const g = (n: string) => spec(n, 'S1', 'growing');
    const ok = change('g1', 'line1\n', 'line1\nline2\n', g('g1'));
    expect(ok).toEqual({ findings: [], autoAccept: true });
    expect(change('g2', 'line1\nline2\n', 'line1\n', g('g2')).findings.map((f) => f.check)).toEqual(['content_changed']);
    expect(change('g3', 'line1\n', 'LINE1\nline2\n', g('g3')).findings[0]!.message).toContain('rewrote');
  });

  it('checks only existence, mode and owner for a dynamic file', () => {
    expect(change('dyn', 'a', 'totally different and much longer', spec('dyn', 'S0', 'dynamic')).findings).toEqual([]);
    const p = join(dir, 'dyn2');
    writeFileSync(p, 'a');
    const b = captureEntry(p)!.entry;
    chmodSync(p, 0o666);
    const r = compareEntry({ spec: spec('dyn2', 'S0', 'dynamic'), baseline: b, current: captureEntry(p)!.entry });
    expect(r.findings.map((f) => [f.check, f.severity])).toEqual([['mode_changed', 'P1']]);
    expect(integrityFindingToAlert(r.findings[0]!)).toMatchObject({ source: 'integrity', severity: 'P1', path: p });
  });

  it('adds an off-hours P2 for a change outside work hours, across midnight, in the zone, judged by the change time', () => {
    const wh = parseWorkHours('07:00-01:00', 'Asia/Tokyo');
    const p = join(dir, 'w');
    writeFileSync(p, 'a');
    const b = captureEntry(p)!.entry;
    writeFileSync(p, 'b');
    const cur = captureEntry(p)!.entry;
    const at = (iso: string) => ({ ...cur, mtime: Date.parse(iso), ctime: Date.parse(iso) });
    const morning = Date.parse('2026-11-22T01:00:00Z'); // 10:00 in Tokyo: found during work hours
    // Changed at 03:00 in Tokyo (18:00 UTC the day before), found by the morning scan: still off-hours.
    const night = compareEntry({ spec: spec('w'), baseline: b, current: at('2026-11-21T18:00:00Z'), workHours: wh, now: morning });
    expect(night.findings.map((f) => [f.check, f.severity, f.source])).toEqual([['content_changed', 'P1', 'integrity'], ['off_hours_change', 'P2', 'anomaly']]);
    expect(night.findings[1]!.message).toMatch(/change at 03:00 local time, outside work hours 07:00-01:00 Asia\/Tokyo/);
    // 00:30 in Tokyo (15:30 UTC): inside, because the range crosses midnight, even when found at night.
    const late = compareEntry({ spec: spec('w'), baseline: b, current: at('2026-11-21T15:30:00Z'), workHours: wh, now: Date.parse('2026-11-21T18:00:00Z') });
    expect(late.findings.map((f) => f.check)).toEqual(['content_changed']);
    // mtime set back by `touch -d` into work hours does not hide a night-time ctime.
    const touched = compareEntry({ spec: spec('w'), baseline: b, current: { ...cur, mtime: Date.parse('2026-11-21T02:00:00Z'), ctime: Date.parse('2026-11-21T18:00:00Z') }, workHours: wh, now: morning });
    expect(touched.findings.map((f) => f.check)).toContain('off_hours_change');
  });
});

describe('work hours', () => {
  it('rejects bad ranges and zones with the key named', () => {
    expect(() => parseWorkHours('7-19')).toThrow(/monitor.work_hours: "7-19"/);
    expect(() => parseWorkHours('25:00-01:00')).toThrow(/work_hours/);
    expect(() => parseWorkHours('07:00-19:00', 'Mars/Olympus')).toThrow(/monitor.time_zone: "Mars\/Olympus"/);
    const wh = parseWorkHours('09:00-17:00', 'UTC');
    expect(isWorkTime(wh, Date.parse('2026-11-22T08:59:00Z'))).toBe(false);
    expect(isWorkTime(wh, Date.parse('2026-11-22T09:00:00Z'))).toBe(true);
    expect(isWorkTime(wh, Date.parse('2026-11-22T17:00:00Z'))).toBe(false);
  });
});

function repos(): [string, () => BaselineRepo][] {
  return [
    ['memory', () => new MemoryBaselineRepo()],
    ['sqlite', () => {
      const db = new Database(':memory:');
      db.exec(BASELINE_TABLE_SQL);
      return new SqliteBaselineRepo(db);
    }],
  ];
}

describe.each(repos())('baseline repo (%s)', (_name, make) => {
  it('gets, puts, lists and deletes', () => {
    const repo = make();
    writeFileSync(join(dir, 'f'), 'x');
    const e = captureEntry(join(dir, 'f'))!.entry;
    repo.put(e);
    repo.put({ ...e, path: join(dir, 'a') });
    expect(repo.get(e.path)).toEqual(e);
    expect(repo.list().map((x) => x.path)).toEqual([join(dir, 'a'), e.path]);
    repo.delete(e.path);
    expect(repo.get(e.path)).toBeUndefined();
  });
});

describe('integrity monitor', () => {
  function setup(extra: Partial<ConstructorParameters<typeof IntegrityMonitor>[0]> = {}) {
    writeFileSync(join(dir, 'CLAUDE.md'), 'be careful with the user files\n');
    writeFileSync(join(dir, 'notes.md'), 'notes for today\n');
    const found: { check: string; path: string }[] = [];
    const repeats: number[] = [];
    const repo = new MemoryBaselineRepo();
    const mon = new IntegrityMonitor({
      specs: [spec('CLAUDE.md'), spec('notes.md', 'S1')],
      repo,
      onFinding: (f) => found.push({ check: f.check, path: f.path }),
      onRepeat: (_f, n) => repeats.push(n),
      scanIntervalMs: 0,
      debounceMs: 50,
      ...extra,
    });
    return { mon, found, repeats, repo };
  }

  it('raises one finding per change, counts repeats, and alerts again on a new change', () => {
    const { mon, found, repeats } = setup();
    expect(mon.initBaseline().recorded).toHaveLength(2);
    expect(mon.scanAll()).toEqual([]);
    writeFileSync(join(dir, 'CLAUDE.md'), 'ignore previous instructions\n');
    mon.scanAll();
    mon.scanAll();
    expect(found).toEqual([{ check: 'content_changed', path: join(dir, 'CLAUDE.md') }]);
    expect(repeats).toEqual([2]);
    writeFileSync(join(dir, 'CLAUDE.md'), 'something else again\n');
    mon.scanAll();
    expect(found).toHaveLength(2);
  });

  it('ack accepts the change with who and why; deletion and rename are P0', () => {
    const { mon, found, repo } = setup();
    mon.initBaseline();
    writeFileSync(join(dir, 'notes.md'), 'notes, edited!!\n');
    mon.scanAll();
    const e = mon.ack(join(dir, 'notes.md'), 'alice', 'planned edit');
    expect(e).toMatchObject({ acked_by: 'alice', ack_reason: 'planned edit' });
    expect(repo.get(join(dir, 'notes.md'))!.sha256).toBe(e!.sha256);
    expect(mon.scanAll()).toEqual([]);
    renameSync(join(dir, 'CLAUDE.md'), join(dir, 'CLAUDE.md.bak'));
    expect(mon.scanAll().map((f) => [f.check, f.severity])).toEqual([['core_file_missing', 'P0']]);
    expect(() => mon.ack(join(dir, 'other'), 'a', 'b')).toThrow(/not a watched path/);
    expect(() => mon.ack(join(dir, 'notes.md'), 'a', ' ')).toThrow(/reason/);
    expect(found.map((f) => f.check)).toEqual(['content_changed', 'core_file_missing']);
  });

  it('detects a tampered file through the watcher while running, and chmod and delete', async () => {
    const { mon, found } = setup();
    mon.initBaseline();
    await mon.start();
    try {
      const until = async (n: number) => {
        while (found.length < n) await new Promise((r) => setTimeout(r, 20));
      };
      writeFileSync(join(dir, 'CLAUDE.md'), 'you are now evil\n');
      await until(1);
      expect(found[0]).toEqual({ check: 'content_changed', path: join(dir, 'CLAUDE.md') });
      chmodSync(join(dir, 'notes.md'), 0o666);
      await until(2);
      expect(found[1]).toEqual({ check: 'mode_changed', path: join(dir, 'notes.md') });
      unlinkSync(join(dir, 'notes.md'));
      await until(3);
      expect(found[2]).toEqual({ check: 'core_file_missing', path: join(dir, 'notes.md') });
    } finally {
      await mon.stop();
    }
  }, 20_000);

  it('auto-accepts appends to a growing file', () => {
    writeFileSync(join(dir, 'log.md'), 'a\n');
    const found: string[] = [];
    const repo = new MemoryBaselineRepo();
    const mon = new IntegrityMonitor({ specs: [spec('log.md', 'S1', 'growing')], repo, onFinding: (f) => found.push(f.check), scanIntervalMs: 0 });
    mon.initBaseline();
    appendFileSync(join(dir, 'log.md'), 'b\n');
    mon.scanAll();
    expect(repo.get(join(dir, 'log.md'))!.size).toBe(4);
    writeFileSync(join(dir, 'log.md'), 'X\n');
    mon.scanAll();
    expect(found).toEqual(['content_changed']);
  });
});
