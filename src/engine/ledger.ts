// The hash-chained ledger (DESIGN.md §9): each record carries the sha256 of the one before, so any
// edit or deletion breaks the chain at a record `verify` can name.
import { createHash } from 'node:crypto';
import type { LedgerRecord, LedgerVerifyResult } from '../shared/ledger.js';
import type { Db } from './store.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface LedgerEntry {
  actor: string;
  surface: string;
  action: string;
  subject?: string | null;
  detail?: Record<string, unknown>;
  reason?: string | null;
  policy_hash?: string | null;
}

interface Row {
  seq: number;
  ts: string;
  actor: string;
  surface: string;
  action: string;
  subject: string | null;
  detail: string;
  reason: string | null;
  policy_hash: string | null;
  prev_hash: string;
  hash: string;
}

function hashOf(r: Omit<Row, 'hash'>): string {
  return createHash('sha256')
    .update(r.prev_hash)
    .update('\n')
    .update(JSON.stringify([r.seq, r.ts, r.actor, r.surface, r.action, r.subject, r.detail, r.reason, r.policy_hash]))
    .digest('hex');
}

function toRecord(r: Row): LedgerRecord {
  return { ...r, detail: JSON.parse(r.detail) as Record<string, unknown> };
}

export class Ledger {
  private last: { seq: number; hash: string };
  private readonly insert;

  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {
    const row = db.prepare('SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
    this.last = row ?? { seq: 0, hash: GENESIS_HASH };
    this.insert = db.prepare(
      'INSERT INTO ledger (seq, ts, actor, surface, action, subject, detail, reason, policy_hash, prev_hash, hash) VALUES (@seq, @ts, @actor, @surface, @action, @subject, @detail, @reason, @policy_hash, @prev_hash, @hash)',
    );
  }

  /** Appends a record. Call inside the caller's transaction so the record commits with the change it describes. */
  append(e: LedgerEntry): LedgerRecord {
    const base = {
      seq: this.last.seq + 1,
      ts: this.now().toISOString(),
      actor: e.actor,
      surface: e.surface,
      action: e.action,
      subject: e.subject ?? null,
      detail: JSON.stringify(e.detail ?? {}),
      reason: e.reason ?? null,
      policy_hash: e.policy_hash ?? null,
      prev_hash: this.last.hash,
    };
    const row: Row = { ...base, hash: hashOf(base) };
    this.insert.run(row);
    this.last = { seq: row.seq, hash: row.hash };
    return toRecord(row);
  }

  /** Re-reads the chain head (after a rolled-back transaction the in-memory head may be ahead). */
  resync(): void {
    const row = this.db.prepare('SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
    this.last = row ?? { seq: 0, hash: GENESIS_HASH };
  }

  recent(limit = 100): LedgerRecord[] {
    return (this.db.prepare('SELECT * FROM ledger ORDER BY seq DESC LIMIT ?').all(limit) as Row[]).map(toRecord);
  }
}

/** Walks the whole chain; reports the first record whose link or hash is wrong, or a gap in seq. */
export function verifyLedger(db: Db): LedgerVerifyResult {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  for (const r of db.prepare('SELECT * FROM ledger ORDER BY seq').iterate() as IterableIterator<Row>) {
    count++;
    if (r.seq !== expectedSeq) return { ok: false, records: count, broken_at: expectedSeq, problem: `record ${expectedSeq} is missing (next is ${r.seq})` };
    if (r.prev_hash !== prev) return { ok: false, records: count, broken_at: r.seq, problem: `record ${r.seq} does not link to record ${r.seq - 1} (prev_hash differs)` };
    const { hash, ...rest } = r;
    if (hashOf(rest) !== hash) return { ok: false, records: count, broken_at: r.seq, problem: `record ${r.seq} was edited (its hash does not match its content)` };
    prev = hash;
    expectedSeq++;
  }
  return { ok: true, records: count };
}
