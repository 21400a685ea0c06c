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
}
