// RFC 5424 syslog messages for ledger records, and RFC 6587 octet-counted framing for TCP.
// A record becomes: <PRI>1 TIMESTAMP HOSTNAME gatehouse PROCID MSGID [ledger@PEN ...][detail@PEN ...] BOM MSG
// where MSGID is the record's kind (its action), severity comes from the record's P0-P3 (an alert)
// and structured data carries its fields. The SD-IDs are private names (RFC 5424 §7.2.2), not
// IANA-registered ones; PEN defaults to 32473, the enterprise number RFC 5612 reserves for
// documentation, a placeholder the operator overrides with `export.syslog.enterprise_id`.
import type { LedgerRecord } from '../../shared/ledger.js';
import { DOCUMENTATION_PEN, FACILITIES } from './exportConfig.js';

const FACILITY_CODE: Record<(typeof FACILITIES)[number], number> = {
  user: 1, daemon: 3, auth: 4, authpriv: 10,
  local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
};

/** P0 critical, P1 error, P2 warning, P3 notice; a record with no severity is informational. */
export function severityOf(record: LedgerRecord): number {
  const s = record.detail['severity'];
  return s === 'P0' ? 2 : s === 'P1' ? 3 : s === 'P2' ? 4 : s === 'P3' ? 5 : 6;
}

/** PRINTUSASCII (33-126) only, at most `max` characters; empty becomes the NILVALUE. */
function header(text: string, max: number): string {
  const clean = text.replace(/[^\x21-\x7e]/g, '_').slice(0, max);
  return clean || '-';
}

/** SD-NAME: printable ASCII except '=', ' ', ']', '"'; at most 32 characters. */
function sdName(name: string): string {
  return name.replace(/[^\x21-\x7e]|[=\]"]/g, '_').slice(0, 32) || '_';
}

/** PARAM-VALUE: UTF-8 with '"', '\' and ']' escaped (RFC 5424 §6.3.3). */
function sdValue(value: unknown, redact: (t: string) => string): string {
  const text = redact(typeof value === 'string' ? value : JSON.stringify(value) ?? 'null');
  return text.replace(/[\\"\]]/g, (c) => `\\${c}`);
}

function element(id: string, params: Array<[string, unknown]>, redact: (t: string) => string): string {
  const ps = params.filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => ` ${sdName(k)}="${sdValue(v, redact)}"`);
  return `[${id}${ps.join('')}]`;
}

export interface SyslogOrigin {
  facility: (typeof FACILITIES)[number];
  hostname: string;
  procid: number | string;
  /** The private enterprise number of the SD-IDs (default 32473, the documentation PEN). */
  enterpriseId?: number;
  /** Masks secrets in what leaves the host (the engine's one redactor). */
  redact?: (text: string) => string;
}

export function formatRecord(record: LedgerRecord, origin: SyslogOrigin): string {
  const redact = origin.redact ?? ((t: string) => t);
  const pri = FACILITY_CODE[origin.facility] * 8 + severityOf(record);
  const pen = origin.enterpriseId ?? DOCUMENTATION_PEN;
  const sd =
    element(`ledger@${pen}`, [
      ['seq', record.seq],
      ['actor', record.actor],
      ['surface', record.surface],
      ['subject', record.subject],
      ['reason', record.reason],
      ['policy_hash', record.policy_hash],
      ['hash', record.hash],
    ], redact) + (Object.keys(record.detail).length ? element(`detail@${pen}`, Object.entries(record.detail), redact) : '');
  const msg = redact([record.action, record.subject, record.reason].filter(Boolean).join(' '));
  return `<${pri}>1 ${header(record.ts, 64)} ${header(origin.hostname, 255)} gatehouse ${header(String(origin.procid), 128)} ${header(record.action, 32)} ${sd} \uFEFF${msg}`;
}

/** RFC 6587 §3.4.1 octet counting: MSG-LEN (bytes, not characters) SP SYSLOG-MSG. */
export function frame(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}
