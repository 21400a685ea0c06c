// The ledger's anchor outside the database (docs/security.md, the ledger anchor). The hash chain alone proves that the records it
// holds were not edited, but not that none were cut off the end or that the whole chain was not rebuilt:
// an attacker who deletes the last N rows, or every row, or recomputes every hash, leaves a chain that
// verifies. So the engine keeps, in its own fsync'd file, a short history of checkpoints of the chain's
// head `{seq, hash, ts}`, each sealed with an HMAC-SHA256 whose key (32 random bytes) lives in the
// state dir, 0600. This is the idea of Certificate Transparency's signed tree heads (RFC 6962 §3.5: a
// signed statement of the log's size and root that later views must be consistent with) and of
// journald's sealing (`journalctl --setup-keys`: a key that seals the journal at intervals so that later
// changes are detectable), with a plain symmetric key instead of forward-secure keys: it cannot detect
// an attacker who reads the key (docs/security.md, the ledger anchor).
//
// `verify` compares the database with the anchors: a head below the last anchor is a truncation (the
// records deleted are named), a record whose hash differs from an anchor's is a rewrite (named from the
// first anchor that disagrees back to the last that agrees), a missing or forged anchor file or key is
// reported as such.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { LedgerVerifyResult } from '../../shared/ledger.js';
import { refuseSymlink, statePath, writePrivateFileAtomic, writePrivateFileAtomicAsync } from './stateDir.js';
import type { Db } from './store.js';

export interface Anchor {
  seq: number;
  hash: string;
  ts: string;
  mac: string;
}

interface AnchorFile {
  version: 1;
  anchors: Anchor[];
}

/** Anchors kept in the file: the newest, and older ones to place a rewrite between two of them. */
const KEEP = 256;
/** How long an append waits before the head is anchored: appends in a burst share one anchor write. */
export const ANCHOR_DELAY_MS = 200;

function macOf(key: Buffer, a: Omit<Anchor, 'mac'>): string {
  return createHmac('sha256', key).update(`gatehouse-ledger-anchor\n${a.seq}\n${a.hash}\n${a.ts}`).digest('hex');
}

function macOk(key: Buffer, a: Anchor): boolean {
  const want = Buffer.from(macOf(key, a), 'hex');
  const got = Buffer.from(typeof a.mac === 'string' ? a.mac : '', 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}

export function readLedgerKey(stateDir: string): Buffer | null {
  const path = statePath(stateDir, 'ledgerKey');
  if (!existsSync(path)) return null;
  refuseSymlink(path);
  const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url');
  return key.length >= 32 ? key : null;
}

function readAnchors(stateDir: string): AnchorFile | null {
  const path = statePath(stateDir, 'ledgerHead');
  if (!existsSync(path)) return null;
  refuseSymlink(path);
  const f = JSON.parse(readFileSync(path, 'utf8')) as AnchorFile;
  if (!Array.isArray(f.anchors)) throw new Error('the anchor file has no anchors list');
  return f;
}

/** Keeps the anchor file current while the engine runs. */
export class LedgerAnchor {
  private timer: NodeJS.Timeout | null = null;
  private anchors: Anchor[] = [];
  private readonly head;

  private constructor(
    private readonly db: Db,
    private readonly stateDir: string,
    private readonly key: Buffer,
  ) {
    this.head = db.prepare('SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1');
  }

  /**
   * Opens the anchor: creates the key on first use. `problem` says why the existing anchors could not be
   * kept (missing file with a non-empty ledger, a bad MAC, a head behind the anchor): the engine raises it.
   */
  static open(db: Db, stateDir: string): { anchor: LedgerAnchor; problem: string | null; created: boolean } {
    let key = readLedgerKey(stateDir);
    let created = false;
    if (!key) {
      key = randomBytes(32);
      writePrivateFileAtomic(statePath(stateDir, 'ledgerKey'), `${key.toString('base64url')}\n`);
      created = true;
    }
    const anchor = new LedgerAnchor(db, stateDir, key);
    let problem: string | null = null;
    if (created) {
      const n = (db.prepare('SELECT COUNT(*) AS n FROM ledger').get() as { n: number }).n;
      if (n > 0) problem = `the ledger key was missing with ${n} records in the ledger (an upgrade, or the key and anchors were deleted): anchoring starts again now`;
    } else {
      const r = verifyAnchored(db, stateDir);
      if (!r.ok) problem = r.problem ?? 'the ledger does not match its anchor';
      try {
        anchor.anchors = (readAnchors(stateDir)?.anchors ?? []).filter((a) => macOk(key!, a));
      } catch {
        anchor.anchors = [];
      }
    }
    // A problem found is reported (the engine raises it) and the old anchors are kept, so `ledger verify`
    // goes on reporting it; the current head is anchored on top so later changes are caught too.
    anchor.write();
    return { anchor, problem, created };
  }

  /** Called on every append: the head is anchored shortly after (once per burst). */
  touch(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.writeSoon();
    }, ANCHOR_DELAY_MS);
    this.timer.unref();
  }

  /** Which write made the file's newest content: an older one still in flight does not rename over it. */
  private generation = 0;
  /** The timer's write in flight, if any: the next waits for it (one at a time). */
  private writing: Promise<unknown> | null = null;

  /**
   * The timer's anchor: the content is made now, the write and its fsync run off the event loop (an
   * fsync on the loop held every request behind it, bench/proxy.bench.mjs). A failure is left for the
   * next append or the stop, whose write is synchronous and throws.
   */
  private writeSoon(): void {
    if (this.writing) {
      this.touch(); // again once this one has ended
      return;
    }
    const text = this.content();
    if (text === null) return; // anchored already (or the store is closing)
    const gen = ++this.generation;
    this.writing = writePrivateFileAtomicAsync(statePath(this.stateDir, 'ledgerHead'), text, () => gen === this.generation)
      .catch(() => undefined)
      .finally(() => {
        this.writing = null;
      });
  }

  /**
   * The anchor file's new text with the committed head anchored, or null when it is anchored already
   * (`always`: the text all the same, as a write still in flight may not have reached the disk).
   */
  private content(always = false): string | null {
    let row: { seq: number; hash: string } | undefined;
    try {
      row = this.head.get() as { seq: number; hash: string } | undefined;
    } catch {
      return null; // the store is closing
    }
    const last = this.anchors.at(-1);
    if (last && row && last.seq === row.seq && last.hash === row.hash) return always ? JSON.stringify({ version: 1, anchors: this.anchors } satisfies AnchorFile) : null;
    const base = { seq: row?.seq ?? 0, hash: row?.hash ?? '0'.repeat(64), ts: new Date().toISOString() };
    this.anchors.push({ ...base, mac: macOf(this.key, base) });
    if (this.anchors.length > KEEP) this.anchors.splice(0, this.anchors.length - KEEP);
    const file: AnchorFile = { version: 1, anchors: this.anchors };
    return JSON.stringify(file);
  }

  /** Resolves once no timer's write is in flight (the stop waits for it before its own write). */
  async settled(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Anchors the committed head now, on disk when it returns (at open, and at stop after `settled`). */
  write(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const text = this.content(this.writing !== null);
    if (text === null) return;
    this.generation++; // a write still in flight is older: it must not rename over this one
    writePrivateFileAtomic(statePath(this.stateDir, 'ledgerHead'), text);
  }
}

/** Checks the database's chain against the anchors; the chain's own links are checked by verifyLedger. */
export function verifyAnchored(db: Db, stateDir: string): LedgerVerifyResult {
  const count = (db.prepare('SELECT COUNT(*) AS n FROM ledger').get() as { n: number }).n;
  const head = (db.prepare('SELECT MAX(seq) AS seq FROM ledger').get() as { seq: number | null }).seq ?? 0;
  let key: Buffer | null;
  let file: AnchorFile | null;
  try {
    key = readLedgerKey(stateDir);
    file = readAnchors(stateDir);
  } catch (err) {
    return { ok: false, records: count, problem: `the ledger anchor cannot be read: ${(err as Error).message}`, first_seq: 1, last_seq: head };
  }
  if (!key) return { ok: false, records: count, problem: 'the ledger key (ledger.key) is missing: the anchors cannot be checked', first_seq: 1, last_seq: head };
  if (!file || file.anchors.length === 0) return { ok: false, records: count, problem: 'the ledger anchor (ledger.head) is missing: deletions at the end cannot be ruled out', first_seq: 1, last_seq: head };
  const bad = file.anchors.find((a) => !macOk(key!, a));
  if (bad) return { ok: false, records: count, problem: `the ledger anchor for record ${bad.seq} has a wrong MAC: the anchor file was forged or altered`, first_seq: 1, last_seq: Math.max(head, bad.seq) };
  const anchors = [...file.anchors].sort((a, b) => a.seq - b.seq);
  const top = anchors.at(-1)!;
  if (head < top.seq) {
    const from = head + 1;
    return {
      ok: false,
      records: count,
      broken_at: from,
      first_seq: from,
      last_seq: top.seq,
      problem: head === 0 ? `the whole ledger was deleted: records 1 to ${top.seq} are missing (anchored ${top.ts})` : `the ledger was truncated: records ${from} to ${top.seq} are missing (anchored ${top.ts})`,
    };
  }
  const hashAt = db.prepare('SELECT hash FROM ledger WHERE seq = ?');
  let lastGood = 0;
  for (const a of anchors) {
    if (a.seq === 0) continue;
    const row = hashAt.get(a.seq) as { hash: string } | undefined;
    if (!row || row.hash !== a.hash) {
      const from = lastGood + 1;
      return {
        ok: false,
        records: count,
        broken_at: from,
        first_seq: from,
        last_seq: a.seq,
        problem: `the ledger was rewritten: record ${a.seq} no longer has the hash anchored at ${a.ts}; records between ${from} and ${a.seq} were changed`,
      };
    }
    lastGood = a.seq;
  }
  return { ok: true, records: count, anchored_seq: top.seq };
}
