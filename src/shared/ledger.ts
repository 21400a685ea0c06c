// Hash-chained ledger records.
/** Which records a reader wants (`ledger list` filters, `ledger.recent` params): all given must hold. */
export interface LedgerSelect {
  /** An action (`firewall.decide`) or a family of them (`firewall` matches `firewall.*`). */
  kind?: string;
  /** Who acted: the agent for its checks and prompts, the operator or `engine` for the rest. */
  agent?: string;
  /** ISO 8601 time; records at or after it. */
  since?: string;
}

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
