// The hash-chained ledger: each record carries the sha256 of the one before, so any
// edit or deletion breaks the chain at a record `verify` can name.
import { createHash, hash as oneShotHash } from 'node:crypto';
import type { LedgerRecord, LedgerSelect, LedgerVerifyResult } from '../../shared/ledger.js';
import type { Db } from './store.js';
import { queryLedger } from './ledgerQuery.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface LedgerEntry {
  actor: string;
  surface: string;
  action: string;
  subject?: string | null;
  detail?: Record<string, unknown>;
  reason?: string | null;
  policy_hash?: string | null;
  /** When the recorded change happened (ISO 8601), if the caller already read the clock for it; else now. */
  ts?: string;
}

/** A record as stored: detail is its JSON text (the hash covers that exact text). */
type Row = Omit<LedgerRecord, 'detail'> & { detail: string };

// sha256(prev_hash + "\n" + JSON of the fields). The one-shot hash (node >= 20.12) gives the same
// digest as the streaming one without building a Hash object: it is on every append's path.
const sha256Hex: (text: string) => string =
  typeof oneShotHash === 'function' ? (text) => oneShotHash('sha256', text, 'hex') : (text) => createHash('sha256').update(text).digest('hex');

function hashOf(r: Omit<Row, 'hash'>): string {
  return sha256Hex(`${r.prev_hash}\n${JSON.stringify([r.seq, r.ts, r.actor, r.surface, r.action, r.subject, r.detail, r.reason, r.policy_hash])}`);
}

export class Ledger {
  private last: { seq: number; hash: string };
  /** Told of every append so the head is anchored outside the DB (ledgerAnchor.ts). */
  onAppend: (() => void) | null = null;
  /**
   * The one redactor (the secrets scanner, set by the engine): a reason that carries a secret is stored
   * masked, with the sha256 of the original in detail.reason_sha256 (issue 22 gap 9).
   */
  redact: ((text: string) => string) | null = null;
  private readonly insert;
  private readonly head;

  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.head = db.prepare('SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1');
    const row = this.head.get() as { seq: number; hash: string } | undefined;
    this.last = row ?? { seq: 0, hash: GENESIS_HASH };
    // Positional parameters: binding a named object costs a property lookup per column on every append.
    this.insert = db.prepare(
      'INSERT INTO ledger (seq, ts, actor, surface, action, subject, detail, reason, policy_hash, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
  }

  /** Appends a record. Call inside the caller's transaction so the record commits with the change it describes. */
  append(e: LedgerEntry): LedgerRecord {
    let reason = e.reason ?? null;
    let detailIn = e.detail;
    if (reason !== null && this.redact && reason.length >= 16) {
      const masked = this.redact(reason);
      if (masked !== reason) {
        detailIn = { ...(detailIn ?? {}), reason_sha256: sha256Hex(reason) };
        reason = masked;
      }
    }
    const base = {
      seq: this.last.seq + 1,
      ts: e.ts ?? this.now().toISOString(),
      actor: e.actor,
      surface: e.surface,
      action: e.action,
      subject: e.subject ?? null,
      detail: JSON.stringify(detailIn ?? {}),
      reason,
      policy_hash: e.policy_hash ?? null,
      prev_hash: this.last.hash,
    };
    const hash = hashOf(base);
    this.insert.run(base.seq, base.ts, base.actor, base.surface, base.action, base.subject, base.detail, base.reason, base.policy_hash, base.prev_hash, hash);
    this.last = { seq: base.seq, hash };
    this.onAppend?.();
    // The caller already holds the detail it passed; no need to parse back the JSON just written.
    return { ...base, hash, detail: detailIn ?? {} };
  }

  /** Re-reads the chain head (after a rolled-back transaction the in-memory head may be ahead). */
  resync(): void {
    const row = this.head.get() as { seq: number; hash: string } | undefined;
    this.last = row ?? { seq: 0, hash: GENESIS_HASH };
  }

  /** The newest records that match, newest first: the same query `gatehouse ledger list` runs. */
  recent(limit = 100, select: LedgerSelect = {}): LedgerRecord[] {
    return queryLedger(this.db, { ...select, limit });
  }
}

/** Walks the whole chain; reports the first record whose link or hash is wrong, or a gap in seq. */
export function verifyLedger(db: Db): LedgerVerifyResult {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  for (const r of db.prepare('SELECT * FROM ledger ORDER BY seq').iterate() as IterableIterator<Row>) {
    count++;
    if (r.seq !== expectedSeq) return { ok: false, records: count, broken_at: expectedSeq, first_seq: expectedSeq, last_seq: r.seq - 1, problem: r.seq - 1 > expectedSeq ? `records ${expectedSeq} to ${r.seq - 1} are missing` : `record ${expectedSeq} is missing (next is ${r.seq})` };
    if (r.prev_hash !== prev) return { ok: false, records: count, broken_at: r.seq, first_seq: r.seq, last_seq: r.seq, problem: `record ${r.seq} does not link to record ${r.seq - 1} (prev_hash differs)` };
    const { hash, ...rest } = r;
    if (hashOf(rest) !== hash) return { ok: false, records: count, broken_at: r.seq, first_seq: r.seq, last_seq: r.seq, problem: `record ${r.seq} was edited (its hash does not match its content)` };
    prev = hash;
    expectedSeq++;
  }
  return { ok: true, records: count };
}
