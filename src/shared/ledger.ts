// Hash-chained ledger records.
export interface LedgerRecord {
  seq: number;
  ts: string;
  actor: string;
  surface: string;
  action: string;
  subject: string | null;
  detail: Record<string, unknown>;
  reason: string | null;
  policy_hash: string | null;
  prev_hash: string;
  hash: string;
}

export interface LedgerVerifyResult {
  ok: boolean;
  records: number;
  /** The first record whose hash or link is wrong. */
  broken_at?: number;
  problem?: string;
  /** The first and last sequence numbers affected (deleted, rewritten, or unverifiable). */
  first_seq?: number;
  last_seq?: number;
  /** The newest anchored record the database agrees with (the anchor outside the DB, docs/security.md, the ledger anchor). */
  anchored_seq?: number;
}
