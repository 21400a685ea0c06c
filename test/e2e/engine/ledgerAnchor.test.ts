// Gap 5 of issue 22 (DESIGN §9): `ledger verify` detects deletions at the end, a deleted ledger and a
// rebuilt chain, through the anchor kept outside the database (ledger.head, sealed with ledger.key).
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, startEngine, tempStateDir } from '../../support/engine.js';

let base: string;
let records: number;

function copyState(): string {
  const dir = tempStateDir('gh-ledger-');
  cpSync(base, dir, { recursive: true });
  cpSync(`${base}-config`, `${dir}-config`, { recursive: true });
  return dir;
}

function withDb<T>(dir: string, fn: (db: Database.Database) => T): T {
  const db = new Database(join(dir, 'gatehouse.db'));
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

function verify(dir: string) {
  const r = cli(['ledger', 'verify', '--json'], { stateDir: dir });
  return { code: r.code, ...(JSON.parse(r.stdout) as { ok: boolean; problem?: string; first_seq?: number; last_seq?: number; records: number }) };
}

beforeAll(async () => {
  base = tempStateDir('gh-ledger-');
  const e = await startEngine({ stateDir: base });
  try {
    for (let i = 0; i < 12; i++) await e.http('POST', '/api/firewall/check', { command: `git status ${i}`, agent: 'a1' });
  } finally {
    await e.stop();
  }
  records = withDb(base, (db) => (db.prepare('SELECT MAX(seq) AS n FROM ledger').get() as { n: number }).n);
});

describe('the ledger anchored outside the database', () => {
  it('an untouched ledger verifies, and the key and anchor are 0600', () => {
    const r = verify(base);
    expect(r).toMatchObject({ code: 0, ok: true, records });
    expect(cli(['ledger', 'verify'], { stateDir: base }).stdout).toMatch(new RegExp(`ledger ok: ${records} records, anchored up to record ${records}`));
    for (const f of ['ledger.key', 'ledger.head']) expect(statSync(join(base, f)).mode & 0o777).toBe(0o600);
  });

  it('deleting the last 5 records is reported as a truncation naming them', () => {
    const dir = copyState();
    withDb(dir, (db) => db.prepare('DELETE FROM ledger WHERE seq > ?').run(records - 5));
    const r = verify(dir);
    expect(r.code).toBe(1);
    expect(r).toMatchObject({ ok: false, first_seq: records - 4, last_seq: records });
    expect(r.problem).toMatch(new RegExp(`truncated: records ${records - 4} to ${records} are missing`));
  });

  it('deleting every record is reported', () => {
    const dir = copyState();
    withDb(dir, (db) => db.prepare('DELETE FROM ledger').run());
    const r = verify(dir);
    expect(r.code).toBe(1);
    expect(r).toMatchObject({ ok: false, first_seq: 1, last_seq: records });
    expect(r.problem).toMatch(/whole ledger was deleted/);
  });

  it('a chain rebuilt from an edited record (every hash recomputed) is reported as a rewrite', () => {
    const dir = copyState();
    withDb(dir, (db) => {
      const rows = db.prepare('SELECT * FROM ledger ORDER BY seq').all() as Array<Record<string, unknown> & { seq: number; hash: string; prev_hash: string }>;
      let prev = '0'.repeat(64);
      const upd = db.prepare('UPDATE ledger SET reason = ?, prev_hash = ?, hash = ? WHERE seq = ?');
      for (const r of rows) {
        const reason = r.seq === 4 ? 'nothing happened here' : r.reason;
        const hash = createHash('sha256')
          .update(`${prev}\n${JSON.stringify([r.seq, r.ts, r.actor, r.surface, r.action, r.subject, r.detail, reason, r.policy_hash])}`)
          .digest('hex');
        upd.run(reason, prev, hash, r.seq);
        prev = hash;
      }
    });
    const r = verify(dir);
    expect(r.code).toBe(1);
    expect(r.problem).toMatch(/rewritten/);
    expect(r.first_seq).toBeLessThanOrEqual(4);
    expect(r.last_seq).toBeGreaterThanOrEqual(4);
  });

  it('an anchor file forged to match a truncated ledger (without the key) is reported', () => {
    const dir = copyState();
    withDb(dir, (db) => db.prepare('DELETE FROM ledger WHERE seq > ?').run(records - 3));
    const head = withDb(dir, (db) => db.prepare('SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string });
    const f = JSON.parse(readFileSync(join(dir, 'ledger.head'), 'utf8'));
    f.anchors = [{ ...head, ts: new Date().toISOString(), mac: createHash('sha256').update('guess').digest('hex') }];
    writeFileSync(join(dir, 'ledger.head'), JSON.stringify(f));
    const r = verify(dir);
    expect(r.code).toBe(1);
    expect(r.problem).toMatch(/wrong MAC/);
  });

  it('a truncation raises a P0 at the engine\'s next start; a deleted anchor file is reported', async () => {
    const dir = copyState();
    withDb(dir, (db) => db.prepare('DELETE FROM ledger WHERE seq > ?').run(records - 2));
    const e = await startEngine({ stateDir: dir });
    try {
      const alerts = (await e.http('GET', '/api/alerts?severity=P0')).body.data;
      expect(alerts.find((a: { check: string }) => a.check === 'ledger_tampered')?.message).toMatch(new RegExp(`truncated: records ${records - 1} to ${records}`));
    } finally {
      await e.stop();
    }
    // The old anchor is kept, so verify still reports what was cut (the engine appended since: a rewrite at that seq).
    const r = verify(dir);
    expect(r.code).toBe(1);
    const gone = copyState();
    rmSync(join(gone, 'ledger.head'));
    const missing = verify(gone);
    expect(missing.code).toBe(1);
    expect(missing.problem).toMatch(/anchor \(ledger.head\) is missing/);
  });
});
