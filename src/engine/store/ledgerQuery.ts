// Reading the ledger: one query for every reader (`gatehouse ledger list|show|tail`, the console's
// Ledger view through `ledger.recent`). It only reads, so it runs on the engine's connection or on a
// read-only one opened while the engine runs (WAL readers do not block the writer) or after it stopped.
import type { LedgerRecord, LedgerSelect } from '../../shared/ledger.js';
import type { Db } from './store.js';

export interface LedgerFilter extends LedgerSelect {
  /** Records after this sequence number (followers: `ledger tail -f`). */
  afterSeq?: number;
  /** At most this many records (and never more than MAX_LEDGER_PAGE). */
  limit?: number;
}

/** Largest page one call returns; callers that want more page with afterSeq. */
export const MAX_LEDGER_PAGE = 10_000;

type Row = Omit<LedgerRecord, 'detail'> & { detail: string };

function toRecord(r: Row): LedgerRecord {
  return { ...r, detail: JSON.parse(r.detail) as Record<string, unknown> };
}

function conditions(f: LedgerFilter): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (f.kind) {
    // The exact action, or the family prefix and a dot, compared as text: no LIKE/GLOB syntax leaks in.
    where.push('(action = ? OR substr(action, 1, ?) = ?)');
    params.push(f.kind, f.kind.length + 1, `${f.kind}.`);
  }
  if (f.agent) {
    where.push('actor = ?');
    params.push(f.agent);
  }
  if (f.since) {
    where.push('ts >= ?');
    params.push(f.since);
  }
  if (f.afterSeq !== undefined) {
    where.push('seq > ?');
    params.push(f.afterSeq);
  }
  return { sql: where.length ? ` WHERE ${where.join(' AND ')}` : '', params };
}

/**
 * Matching records, at most `limit`: the newest ones, newest first (the console's order), or with
 * `oldest` the first ones after `afterSeq`, oldest first (a follower's next page).
 */
export function queryLedger(db: Db, f: LedgerFilter = {}, order: 'newest' | 'oldest' = 'newest'): LedgerRecord[] {
  const { sql, params } = conditions(f);
  const limit = Math.min(f.limit ?? MAX_LEDGER_PAGE, MAX_LEDGER_PAGE);
  const rows = db.prepare(`SELECT * FROM ledger${sql} ORDER BY seq ${order === 'newest' ? 'DESC' : 'ASC'} LIMIT ?`).all(...params, limit) as Row[];
  return rows.map(toRecord);
}

export function ledgerRecord(db: Db, seq: number): LedgerRecord | null {
  const row = db.prepare('SELECT * FROM ledger WHERE seq = ?').get(seq) as Row | undefined;
  return row ? toRecord(row) : null;
}

/** The newest sequence number (0 for an empty ledger). */
export function ledgerHead(db: Db): number {
  return (db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM ledger').get() as { seq: number }).seq;
}
