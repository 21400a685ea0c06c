// The integrity baseline: what each watched path looked like when the operator last trusted it,
// and where it is kept (BaselineRepo: in memory for tests, SQLite for the engine).
export type FileClass = 'S0' | 'S1';
export type FileProfile = 'read-only' | 'growing' | 'dynamic' | 'ignore';
export type EntryType = 'file' | 'dir' | 'symlink' | 'other';

export interface BaselineEntry {
  path: string;
  type: EntryType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** ms since epoch */
  mtime: number;
  ctime: number;
  ino: number;
  /** sha256 of the content (files) or of the link target (symlinks); '' for directories. */
  sha256: string;
  /** blake2b512 of the same bytes: a second, independent hash. */
  hash2: string;
  /** Who last accepted a change, when and why (set by ack). */
  acked_by?: string;
  acked_at?: string;
  ack_reason?: string;
}

export interface BaselineRepo {
  get(path: string): BaselineEntry | undefined;
  put(entry: BaselineEntry): void;
  delete(path: string): void;
  list(): BaselineEntry[];
}

export class MemoryBaselineRepo implements BaselineRepo {
  private readonly map = new Map<string, BaselineEntry>();
  get(path: string): BaselineEntry | undefined {
    const e = this.map.get(path);
    return e ? { ...e } : undefined;
  }
  put(entry: BaselineEntry): void {
    this.map.set(entry.path, { ...entry });
  }
  delete(path: string): void {
    this.map.delete(path);
  }
  list(): BaselineEntry[] {
    return [...this.map.values()].map((e) => ({ ...e })).sort((a, b) => (a.path < b.path ? -1 : 1));
  }
}



/** The part of better-sqlite3's Database this repo uses (so tests and the engine share it). */
export interface SqliteLike {
  prepare(sql: string): {
    run(...params: unknown[]): unknown;
    get(...params: unknown[]): unknown;
    all(...params: unknown[]): unknown[];
  };
}

export class SqliteBaselineRepo implements BaselineRepo {
  private readonly getStmt;
  private readonly putStmt;
  private readonly delStmt;
  private readonly listStmt;

  /** The table must exist (BASELINE_TABLE_SQL in the store's migrations). */
  constructor(db: SqliteLike) {
    this.getStmt = db.prepare('SELECT entry FROM integrity_baseline WHERE path = ?');
    this.putStmt = db.prepare(
      'INSERT INTO integrity_baseline (path, entry, updated_at) VALUES (?, ?, ?) ON CONFLICT(path) DO UPDATE SET entry = excluded.entry, updated_at = excluded.updated_at',
    );
    this.delStmt = db.prepare('DELETE FROM integrity_baseline WHERE path = ?');
    this.listStmt = db.prepare('SELECT entry FROM integrity_baseline ORDER BY path');
  }

  private parse(row: unknown): BaselineEntry | undefined {
    if (!row || typeof row !== 'object' || typeof (row as { entry?: unknown }).entry !== 'string') return undefined;
    return JSON.parse((row as { entry: string }).entry) as BaselineEntry;
  }
  get(path: string): BaselineEntry | undefined {
    return this.parse(this.getStmt.get(path));
  }
  put(entry: BaselineEntry): void {
    this.putStmt.run(entry.path, JSON.stringify(entry), new Date().toISOString());
  }
  delete(path: string): void {
    this.delStmt.run(path);
  }
  list(): BaselineEntry[] {
    return this.listStmt.all().map((r) => this.parse(r)).filter((e): e is BaselineEntry => e !== undefined);
  }
}
