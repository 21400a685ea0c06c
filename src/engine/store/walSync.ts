// Durable commits that do not hold the event loop through their fsync. A write-ahead-log commit made
// with synchronous=NORMAL is complete in the WAL file but not yet on disk; an fdatasync of the WAL on
// libuv's thread pool makes it durable while the event loop goes on taking requests. Commits made while
// one sync runs are covered by the next, which starts when it ends (group commit, pipelined).
//
// Only whole transactions on the hot paths that answer asynchronously use this (grouped submissions,
// firewall decisions): every other write keeps the connection's own synchronous=FULL. A caller is
// acknowledged only when `durable` settles, so what has been answered survives a power loss exactly as
// with FULL, and a `kill -9` loses nothing either way (the page cache outlives the process).
import { closeSync, constants, fdatasync, fstatSync, openSync } from 'node:fs';
import type { Db } from './db.js';

export type SyncMode = 'FULL' | 'NORMAL' | 'EXTRA';

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

const RESOLVED = Promise.resolve();
const byDb = new WeakMap<Db, WalSync>();

export class WalSync {
  private fd: number | null = null;
  private syncing = false;
  /** Commits waiting for a sync that has not started yet. */
  private next: Waiter[] = [];
  /** Writers holding their batch until the running sync ends (see whenIdle). */
  private idle: Array<() => void> = [];
  private readonly relaxed;
  private readonly strict;

  private constructor(
    private readonly db: Db,
    private readonly walFile: string,
    /** FULL: pipelined. NORMAL: the operator chose no fsync per commit, so nothing waits. EXTRA: blocking, as SQLite does it. */
    readonly mode: SyncMode,
  ) {
    this.relaxed = db.prepare('PRAGMA synchronous = NORMAL');
    this.strict = db.prepare(`PRAGMA synchronous = ${mode}`);
  }

  /** The one WalSync of a connection opened by openStore. */
  static attach(db: Db, mode: SyncMode): WalSync {
    const w = new WalSync(db, `${db.name}-wal`, mode);
    byDb.set(db, w);
    return w;
  }

  static of(db: Db): WalSync | null {
    return byDb.get(db) ?? null;
  }

  /** `commit` on the store's WalSync; a store without one (not opened by openStore) commits plainly. */
  static commit<T>(db: Db, transaction: () => T): { value: T; durable: Promise<void> } {
    const sync = byDb.get(db);
    return sync ? sync.commit(transaction) : { value: transaction(), durable: RESOLVED };
  }

  /** `whenIdle` on the store's WalSync; a store without one writes at once. */
  static whenIdle(db: Db, write: () => void): void {
    const sync = byDb.get(db);
    if (sync) sync.whenIdle(write);
    else write();
  }

  /**
   * Runs a transaction and returns its value at once, with a promise that settles when the commit is
   * on disk. Inside a caller's transaction it is only part of that one, durable when that commits.
   */
  commit<T>(transaction: () => T): { value: T; durable: Promise<void> } {
    if (this.mode !== 'FULL' || this.db.inTransaction) return { value: transaction(), durable: RESOLVED };
    this.relaxed.run();
    let value: T;
    try {
      value = transaction();
    } finally {
      this.strict.run();
    }
    return { value, durable: this.afterCommit() };
  }

  /**
   * Runs `write` once no sync is running: at once if none is, else when the running one ends. A writer
   * that batches (group commit) waits here, so what arrives during a sync is committed together after
   * it, in one transaction, instead of in many small ones each adding pages to the next sync.
   */
  whenIdle(write: () => void): void {
    if (!this.syncing) write();
    else this.idle.push(write);
  }

  /** Settles once an fdatasync of the WAL that started after this call has finished. */
  private afterCommit(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.next.push({ resolve, reject });
      if (!this.syncing) this.startSync();
    });
  }

  private runIdle(): void {
    if (this.syncing) return; // a writer's commit started a sync; the rest run when it ends
    const writers = this.idle;
    this.idle = [];
    for (const write of writers) write();
  }

  private startSync(): void {
    const batch = this.next;
    this.next = [];
    let fd: number;
    try {
      fd = this.walFd();
    } catch (err) {
      for (const w of batch) w.reject(err as Error);
      return;
    }
    this.syncing = true;
    fdatasync(fd, (err) => {
      this.syncing = false;
      if (err) for (const w of batch) w.reject(new Error(`the write-ahead log could not be synced to disk: ${err.message}`));
      else for (const w of batch) w.resolve();
      if (this.next.length) this.startSync();
      // The held writers run after the answers just settled have gone out (their continuations run
      // first); they stay in `idle` until then, so close() waits for them.
      if (!this.syncing && this.idle.length) setImmediate(() => this.runIdle());
    });
  }

  /** The WAL file, opened once; again if it was deleted and made anew (a sync must reach the live file). */
  private walFd(): number {
    if (this.fd !== null && fstatSync(this.fd).nlink > 0) return this.fd;
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.fd = openSync(this.walFile, constants.O_RDONLY | constants.O_NOFOLLOW);
    return this.fd;
  }

  /** Releases the WAL's descriptor once no sync is running (the store is about to close). */
  async close(): Promise<void> {
    while (this.syncing || this.next.length || this.idle.length) await new Promise((r) => setImmediate(r));
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    byDb.delete(this.db);
  }
}
