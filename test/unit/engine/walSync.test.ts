// WalSync: a commit's fsync off the event loop. The connection must come back to its own synchronous
// level after every such commit, whatever happens inside it; `durable` must settle for every commit.
import { mkdtempSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Db } from '../../../src/engine/store/store.js';
import { WalSync } from '../../../src/engine/store/walSync.js';

const SYNC_LEVEL = { OFF: 0, NORMAL: 1, FULL: 2, EXTRA: 3 } as const;

describe('WalSync', () => {
  const opened: Db[] = [];
  const store = (synchronous?: 'FULL' | 'NORMAL' | 'EXTRA') => {
    const db = openStore(mkdtempSync(join(tmpdir(), 'gh-walsync-')), synchronous ? { synchronous } : {});
    db.exec('CREATE TABLE IF NOT EXISTS t (v INTEGER)');
    opened.push(db);
    return { db, sync: WalSync.of(db)! };
  };
  afterEach(async () => {
    for (const db of opened.splice(0)) {
      await WalSync.of(db)?.close();
      db.close();
    }
  });

  it('commits at once, settles durable after a sync of the WAL, and restores FULL', async () => {
    const { db, sync } = store();
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    const { value, durable } = sync.commit(db.transaction(() => insert.run(7).changes));
    expect(value).toBe(1);
    // Visible to readers as soon as it has committed, before the sync ends.
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 1 });
    expect(db.pragma('synchronous', { simple: true })).toBe(SYNC_LEVEL.FULL);
    await durable;
    expect(statSync(`${db.name}-wal`).size).toBeGreaterThan(0);
  });

  it('serves a burst of commits with syncs that each start after the commits they cover', async () => {
    const { db, sync } = store();
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    const settled: number[] = [];
    const all = Array.from({ length: 200 }, (_, i) => sync.commit(db.transaction(() => insert.run(i))).durable.then(() => settled.push(i)));
    await Promise.all(all);
    expect(settled).toHaveLength(200);
    // Waiters are answered in the order they committed.
    expect(settled).toEqual([...settled].sort((a, b) => a - b));
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 200 });
  });

  it('holds a batching writer while a sync runs and lets it write once the sync ends', async () => {
    const { db, sync } = store();
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    let ran = 0;
    sync.whenIdle(() => ran++);
    expect(ran).toBe(1); // nothing running: at once
    const { durable } = sync.commit(db.transaction(() => insert.run(1)));
    sync.whenIdle(() => ran++);
    sync.whenIdle(() => ran++);
    expect(ran).toBe(1);
    await durable;
    await new Promise((r) => setImmediate(r));
    expect(ran).toBe(3);
  });

  it('closes only after the writers it held have written and their commits are on disk', async () => {
    const { db, sync } = store();
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    const first = sync.commit(db.transaction(() => insert.run(1))).durable;
    let held: Promise<void> | null = null;
    sync.whenIdle(() => {
      held = sync.commit(db.transaction(() => insert.run(2))).durable;
    });
    await sync.close();
    expect(held).not.toBeNull();
    await Promise.all([first, held]);
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 2 });
  });

  it('restores the level and passes the error on when the transaction throws', () => {
    const { db, sync } = store();
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    expect(() =>
      sync.commit(
        db.transaction(() => {
          insert.run(1);
          throw new Error('refused');
        }),
      ),
    ).toThrow('refused');
    expect(db.pragma('synchronous', { simple: true })).toBe(SYNC_LEVEL.FULL);
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 0 });
  });

  it('inside a caller transaction is part of it, durable when that one commits', async () => {
    const { db, sync } = store();
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    let durable: Promise<void> | null = null;
    db.transaction(() => {
      durable = sync.commit(() => insert.run(1)).durable;
    })();
    await durable;
    expect(db.pragma('synchronous', { simple: true })).toBe(SYNC_LEVEL.FULL);
  });

  it('does not wait when the operator chose NORMAL, and blocks as SQLite does under EXTRA', async () => {
    for (const mode of ['NORMAL', 'EXTRA'] as const) {
      const { db, sync } = store(mode);
      expect(sync.mode).toBe(mode);
      const { durable } = sync.commit(db.transaction(() => db.prepare('INSERT INTO t VALUES (1)').run()));
      await durable;
      expect(db.pragma('synchronous', { simple: true })).toBe(SYNC_LEVEL[mode]);
    }
  });

  it('follows the WAL when it is deleted and made anew', async () => {
    const { db, sync } = store();
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    await sync.commit(db.transaction(() => insert.run(1))).durable;
    // Leaving WAL mode checkpoints and deletes the WAL file; coming back makes a new one.
    db.pragma('journal_mode = DELETE');
    db.pragma('journal_mode = WAL');
    await sync.commit(db.transaction(() => insert.run(2))).durable;
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 2 });
    // The descriptor it syncs is the live file's, not the deleted one's.
    const walLinks = readdirSync('/proc/self/fd').flatMap((fd) => {
      try {
        return [readlinkSync(`/proc/self/fd/${fd}`)];
      } catch {
        return [];
      }
    });
    expect(walLinks.filter((l) => l.startsWith(`${db.name}-wal`))).not.toContain(`${db.name}-wal (deleted)`);
    expect(walLinks).toContain(`${db.name}-wal`);
  });
});
