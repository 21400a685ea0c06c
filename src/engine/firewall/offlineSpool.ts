// The offline decision spool (issue 22): what a client decided while the engine was unreachable
// (`gatehouse hook <host>`, `gatehouse exec`, `gatehouse proxy --offline-policy`) is appended, one JSON
// line per decision, to `offline-decisions.ndjson` in the state dir. At its next start the engine
// ingests the spool into the ledger as `firewall.offline_decision` records marked
// `reported_by_client: true` (the engine did not witness these decisions: a client wrote them), raises a
// P2 alert when any were denials made in lockdown, and empties the spool. One writer (the CLI's), one
// reader (the engine's); a line that fails the schema is counted and skipped, never trusted.
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { z } from 'zod';
import type { AlertInput } from '../../shared/alert.js';
import type { LedgerEntry } from '../store/ledger.js';

/** Past this size the spool takes no more lines; the dropped ones are counted in a sidecar file. */
export const SPOOL_MAX_BYTES = 10 * 1024 * 1024;
/** One line's ceiling: a longer one is cut to its summary's first characters. */
const MAX_SUMMARY = 2000;

export const OfflineDecisionSchema = z
  .object({
    ts: z.string().datetime({ offset: true }),
    surface: z.enum(['hook', 'exec', 'proxy']),
    agent: z.string().max(200),
    action: z.string().max(MAX_SUMMARY),
    decision: z.enum(['allow', 'deny', 'ask']),
    reason: z.string().max(4000),
    source: z.string().max(100),
    policy_sha256: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
    pid: z.number().int().positive(),
  })
  .strict();
export type OfflineDecision = z.infer<typeof OfflineDecisionSchema>;

const FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;

/** Opens `path` for appending (0600, no symlink) and checks on the descriptor that it is a regular file. */
function openRegular(path: string): number {
  const fd = openSync(path, FLAGS, 0o600);
  if (!fstatSync(fd).isFile()) {
    closeSync(fd);
    throw new Error(`${path} is not a regular file`);
  }
  return fd;
}

/**
 * Appends one decision to the spool (the client side). The caller has already masked secrets in the
 * action and reason. Returns false when the line was dropped (spool full); throws when the spool cannot
 * be written (a symlink, not a regular file): the caller reports that, the decision itself stands.
 */
export function appendOfflineDecision(path: string, entry: OfflineDecision, maxBytes = SPOOL_MAX_BYTES): boolean {
  const line = `${JSON.stringify({ ...entry, action: entry.action.slice(0, MAX_SUMMARY), reason: entry.reason.slice(0, 4000) })}\n`;
  const fd = openRegular(path);
  try {
    if (fstatSync(fd).size + Buffer.byteLength(line) > maxBytes) {
      countDropped(`${path}.dropped`);
      return false;
    }
    // One write of the whole line: O_APPEND keeps concurrent clients' lines whole.
    writeSync(fd, line);
    return true;
  } finally {
    closeSync(fd);
  }
}

function countDropped(path: string): void {
  const fd = openRegular(path);
  try {
    writeSync(fd, '1\n');
  } finally {
    closeSync(fd);
  }
}

export interface SpoolRead {
  entries: OfflineDecision[];
  /** Lines that were not a valid decision (bad JSON, wrong shape). */
  bad: number;
  /** Lines the clients could not write because the spool was full. */
  dropped: number;
  /** Why the spool (or its dropped counter) was refused, e.g. a symlink; null when read. */
  refused: string | null;
}

/** Reads all of a file through an open descriptor (up to `max` bytes), from `offset`. */
function readFrom(fd: number, offset: number, max: number): Buffer {
  const chunks: Buffer[] = [];
  let pos = offset;
  const buf = Buffer.alloc(64 * 1024);
  while (pos - offset < max) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, max - (pos - offset)), pos);
    if (n <= 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
    pos += n;
  }
  return Buffer.concat(chunks);
}

/** Reads and removes `taken` (already renamed aside): unlink it, then read through the descriptor opened before. */
function drain(taken: string, label: string, max: number): { data: Buffer | null; refused: string | null } {
  let fd: number;
  try {
    const st = lstatSync(taken);
    if (st.isSymbolicLink()) throw new Error('a symlink');
    if (!st.isFile()) throw new Error('not a regular file');
    fd = openSync(taken, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    unlinkSync(taken);
    return { data: null, refused: `${label} was refused (${(err as NodeJS.ErrnoException).code === 'ELOOP' ? 'a symlink' : (err as Error).message})` };
  }
  try {
    if (!fstatSync(fd).isFile()) return { data: null, refused: `${label} was refused (not a regular file)` };
    unlinkSync(taken);
    return { data: readFrom(fd, 0, max), refused: null };
  } finally {
    try {
      unlinkSync(taken);
    } catch {
      // already gone
    }
    closeSync(fd);
  }
}

/**
 * Takes the file at `path` away atomically and returns its bytes: rename it aside (a client opening the
 * spool from now on creates a new one), unlink the renamed name, then read through the descriptor opened
 * before the unlink, so a client that had the old file open and writes before that read is not lost.
 * A file left aside by a start that died between the rename and the unlink is read first (nothing of it
 * reached the ledger: the unlink comes before the read).
 */
function takeFile(path: string, max: number): { data: Buffer | null; refused: string | null } {
  const taken = `${path}.ingesting`;
  const parts: Buffer[] = [];
  let refused: string | null = null;
  const add = (r: { data: Buffer | null; refused: string | null }) => {
    if (r.data?.length) parts.push(r.data, Buffer.from('\n'));
    refused ??= r.refused;
  };
  if (exists(taken)) add(drain(taken, taken, max));
  try {
    renameSync(path, taken);
    add(drain(taken, path, max));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return { data: parts.length ? Buffer.concat(parts) : null, refused };
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Reads and empties the spool (the engine side). Never throws on bad content; throws only on I/O errors it cannot pass over. */
export function takeOfflineSpool(path: string, maxBytes = SPOOL_MAX_BYTES): SpoolRead {
  const out: SpoolRead = { entries: [], bad: 0, dropped: 0, refused: null };
  const spool = takeFile(path, maxBytes + 64 * 1024);
  const counter = takeFile(`${path}.dropped`, 1024 * 1024);
  out.refused = spool.refused ?? counter.refused;
  if (counter.data) out.dropped = counter.data.toString('utf8').split('\n').filter((l) => l === '1').length;
  if (!spool.data) return out;
  for (const line of spool.data.toString('utf8').split('\n')) {
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      out.bad++;
      continue;
    }
    const ok = OfflineDecisionSchema.safeParse(parsed);
    if (ok.success) out.entries.push(ok.data);
    else out.bad++;
  }
  return out;
}

/** What ingesting needs from the engine: the ledger, the alert desk and the redactor. */
export interface SpoolHost {
  ledger: { append(e: LedgerEntry): unknown };
  raiseAlert(a: AlertInput): unknown;
  redact(text: string): string;
}

/** Moves the spool into the ledger (engine start). Returns what was read; a failure to read is an alert, never a failed start. */
export function ingestOfflineSpool(host: SpoolHost, path: string): SpoolRead | null {
  let read: SpoolRead;
  try {
    read = takeOfflineSpool(path);
  } catch (err) {
    host.raiseAlert({ severity: 'P2', source: 'firewall', check: 'offline_spool', message: `the offline decision spool could not be read: ${(err as Error).message}`, path });
    return null;
  }
  for (const e of read.entries) {
    host.ledger.append({
      actor: e.agent,
      surface: e.surface,
      action: 'firewall.offline_decision',
      subject: null,
      reason: host.redact(e.reason),
      policy_hash: e.policy_sha256,
      detail: { reported_by_client: true, decision: e.decision, source: e.source, action: host.redact(e.action), client_ts: e.ts, client_pid: e.pid },
    });
  }
  const lockdownDenials = read.entries.filter((e) => e.decision === 'deny' && e.source === 'lockdown').length;
  const problems = [
    lockdownDenials ? `${lockdownDenials} call(s) denied in lockdown while the engine was down` : '',
    read.bad ? `${read.bad} invalid line(s) skipped` : '',
    read.dropped ? `${read.dropped} decision(s) dropped because the spool was full` : '',
    read.refused ?? '',
  ].filter(Boolean);
  if (problems.length) {
    host.raiseAlert({
      severity: 'P2',
      source: 'firewall',
      check: 'offline_decisions',
      message: `offline decisions reported by clients: ${problems.join('; ')}`,
      path,
      evidence: { ingested: read.entries.length, lockdown_denials: lockdownDenials, bad: read.bad, dropped: read.dropped },
    });
  }
  return read;
}
