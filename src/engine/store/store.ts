// The SQLite store: WAL, synchronous=FULL by default, versioned migrations, 0600 files in a 0700 dir.
import Database from 'better-sqlite3';
import { chmodSync, existsSync } from 'node:fs';
import { MIGRATIONS, type Migration } from './migrations.js';
import { ensurePrivateDir, refuseSymlink, statePath } from './stateDir.js';
import { WalSync } from './walSync.js';

export type { Db } from './db.js';
import type { Db } from './db.js';

export interface StoreOptions {
  synchronous?: 'FULL' | 'NORMAL' | 'EXTRA';
  readonly?: boolean;
  /** Extra migrations contributed by other parts (they must use versions above the core ones). */
  migrations?: Migration[];
}

export function openStore(stateDir: string, opts: StoreOptions = {}): Db {
  ensurePrivateDir(stateDir);
  const file = statePath(stateDir, 'db');
  for (const f of [file, `${file}-wal`, `${file}-shm`]) refuseSymlink(f);
  if (opts.readonly && !existsSync(file)) throw new Error(`no gatehouse database at ${file} (has the engine ever started with this state dir?)`);
  const db = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  if (!opts.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${opts.synchronous ?? 'FULL'}`);
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, [...MIGRATIONS, ...(opts.migrations ?? [])]);
    WalSync.attach(db, opts.synchronous ?? 'FULL');
    for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
  } else {
    db.pragma('busy_timeout = 5000');
  }
  return db;
}

export function migrate(db: Db, migrations: Migration[]): number {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  const current = db.pragma('user_version', { simple: true }) as number;
  let applied = current;
  for (const m of sorted) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
    applied = m.version;
  }
  return applied;
}

export function getMeta(db: Db, key: string): string | null {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value ?? null;
}

export function setMeta(db: Db, key: string, value: string): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
}
