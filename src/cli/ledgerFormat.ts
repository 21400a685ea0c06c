// How `gatehouse ledger list|show|tail` prints records and reads their filters. Record fields hold
// text from agents (commands, reasons): control characters are shown escaped, never sent to the terminal.
import type { LedgerRecord } from '../shared/ledger.js';
import { CliError } from './cliError.js';

// C0 and C1 controls, DEL, and the line/paragraph separators: each could move the cursor, recolour or hide text.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

export function printable(text: string): string {
  return text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** One line per record: seq, time, action, who (and where), then what was decided and why. */
export function ledgerLine(r: LedgerRecord): string {
  const d = r.detail;
  const what = [typeof d.decision === 'string' ? d.decision : null, typeof d.command === 'string' ? d.command : typeof d.tool === 'string' ? d.tool : r.subject]
    .filter((x): x is string => !!x)
    .join(' ');
  const tail = [what, r.reason ? `— ${r.reason}` : null].filter(Boolean).join(' ');
  return printable(`${String(r.seq).padStart(6)}  ${r.ts}  ${r.action.padEnd(18)}  ${`${r.actor}/${r.surface}`.padEnd(16)}  ${tail}`);
}

/** Every field of one record, one per line; detail as indented JSON. */
export function ledgerBlock(r: LedgerRecord): string {
  const rows: Array<[string, string | number | null]> = [
    ['seq', r.seq],
    ['time', r.ts],
    ['action', r.action],
    ['actor', r.actor],
    ['surface', r.surface],
    ['subject', r.subject],
    ['reason', r.reason],
    ['policy_hash', r.policy_hash],
    ['prev_hash', r.prev_hash],
    ['hash', r.hash],
  ];
  const lines = rows.map(([k, v]) => `${k.padEnd(12)} ${v === null ? '—' : printable(String(v))}`);
  // JSON escapes C0 controls in strings but not C1 ones (\x9b is a CSI on many terminals): escape each line.
  const detail = JSON.stringify(r.detail, null, 2).split('\n').map(printable).join(`\n${' '.repeat(13)}`);
  lines.push(`${'detail'.padEnd(12)} ${detail}`);
  return `${lines.join('\n')}\n`;
}

const AGE = /^(\d+)(s|m|h|d)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `--since`: an ISO 8601 time or an age (30s, 10m, 2h, 7d) before now, as the ledger's ISO UTC text. */
export function parseSince(text: string, now: Date = new Date()): string {
  const age = AGE.exec(text.trim());
  if (age) return new Date(now.getTime() - Number(age[1]) * UNIT_MS[age[2] as keyof typeof UNIT_MS]).toISOString();
  const ms = /^\d{4}-\d{2}-\d{2}/.test(text.trim()) ? Date.parse(text.trim()) : NaN;
  if (Number.isNaN(ms)) throw new CliError(`--since: '${printable(text)}' is not a time: give an ISO 8601 time (2026-12-07T10:00:00Z) or an age (30s, 10m, 2h, 7d)`, 2);
  return new Date(ms).toISOString();
}

/** A positive whole number for `--limit`/`--lines`, at most `max`. */
export function parseCount(flag: string, value: unknown, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new CliError(`--${flag}: '${printable(String(value))}' is not allowed: give a whole number from 1 to ${max}`, 2);
  return n;
}
