// Linux audit records → sensor events. A record is one line (`type=SYSCALL msg=audit(SEC.MS:SERIAL):
// key=value …`); one event is the records that share a serial, ended by its PROCTITLE record or
// `type=EOE`. Records of different events may interleave, a line may be cut short (rotation, a
// crash), and auditd's ENRICHED format appends translated fields after a 0x1d separator. Values
// come quoted, as hex (any value with a space, quote or control character), or as (null).
import { programOf, type SensorEvent } from './sensorEvent.js';

export interface AuditRecord {
  type: string;
  at: number;
  serial: string;
  fields: Map<string, string>;
}

const HEADER = /^type=([A-Z_0-9]+) msg=audit\((\d+)\.(\d+):(\d+)\):\s?/;
/** Most records an event may gather before it is closed without its EOE. */
const MAX_RECORDS_PER_EVENT = 64;

export function parseAuditLine(line: string): AuditRecord | null {
  const raw = line.split('\x1d')[0]!;
  const m = HEADER.exec(raw);
  if (!m) return null;
  const fields = new Map<string, string>();
  const body = raw.slice(m[0].length);
  const re = /([A-Za-z0-9_[\]]+)=("[^"]*"|'[^']*'|\S+)/g;
  for (let f = re.exec(body); f; f = re.exec(body)) fields.set(f[1]!, f[2]!);
  return { type: m[1]!, at: Number(m[2]) * 1000 + Number(m[3]), serial: m[4]!, fields };
}

/** An audit value as text: quoted strings unquoted, hex decoded, (null) as null. */
export function auditValue(v: string | undefined): string | null {
  if (v === undefined || v === '(null)' || v === '(none)') return null;
  if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) return v.slice(1, -1);
  if (/^[0-9A-Fa-f]+$/.test(v) && v.length % 2 === 0) return Buffer.from(v, 'hex').toString('utf8');
  return v;
}

/** A SOCKADDR's saddr (hex of struct sockaddr) → address and port, for IPv4 and IPv6. */
export function decodeSockaddr(hex: string): { address: string; port: number } | null {
  if (!/^[0-9A-Fa-f]+$/.test(hex) || hex.length < 8) return null;
  const b = Buffer.from(hex, 'hex');
  const family = b.readUInt16LE(0);
  if (family === 2 && b.length >= 8) return { address: `${b[4]}.${b[5]}.${b[6]}.${b[7]}`, port: b.readUInt16BE(2) };
  if (family === 10 && b.length >= 24) {
    const a = b.subarray(8, 24);
    if (a.subarray(0, 10).every((x) => x === 0) && a[10] === 0xff && a[11] === 0xff) return { address: `::ffff:${a[12]}.${a[13]}.${a[14]}.${a[15]}`, port: b.readUInt16BE(2) };
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(a.readUInt16BE(i).toString(16));
    return { address: groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::'), port: b.readUInt16BE(2) };
  }
  return null;
}

/** System calls by audit arch: which are execs, connects and opens. */
const SYSCALLS: Record<string, { exec: number[]; connect: number[]; open: number[] }> = {
  c000003e: { exec: [59, 322], connect: [42], open: [2, 257, 437] }, // x86_64
  c00000b7: { exec: [221, 281], connect: [203], open: [56, 437] }, // aarch64
};

const O_ACCMODE = 3;

/** One finished event's records → a sensor event, or null when it is not one the sensors use. */
export function toSensorEvent(records: AuditRecord[]): SensorEvent | null {
  const sys = records.find((r) => r.type === 'SYSCALL');
  if (!sys) return null;
  const f = sys.fields;
  if (auditValue(f.get('key')) === null || !(auditValue(f.get('key')) ?? '').startsWith('gatehouse')) return null;
  // A failed call did nothing, except a non-blocking connect: it answers EINPROGRESS (-115) and goes on.
  if (f.get('success') === 'no' && f.get('exit') !== '-115') return null;
  const table = SYSCALLS[f.get('arch') ?? ''];
  const nr = Number(f.get('syscall'));
  const pid = Number(f.get('pid'));
  const ppid = Number(f.get('ppid'));
  if (!table || !Number.isInteger(pid) || !Number.isInteger(ppid)) return null;
  const exe = auditValue(f.get('exe'));
  const comm = auditValue(f.get('comm')) ?? '?';
  const base = { at: sys.at, pid, ppid, source: 'audit' as const, ref: sys.serial, program: programOf(exe, comm) };
  if (table.exec.includes(nr)) {
    const ex = records.find((r) => r.type === 'EXECVE');
    return { ...base, kind: 'exec', argv: ex ? execArgs(ex) : [comm], path: exe, dest: null };
  }
  if (table.connect.includes(nr)) {
    const sa = records.find((r) => r.type === 'SOCKADDR');
    const dest = sa ? decodeSockaddr(sa.fields.get('saddr') ?? '') : null;
    if (!dest) return null; // unix sockets and netlink: not an outbound connection
    return { ...base, kind: 'connect', argv: [], path: null, dest };
  }
  if (table.open.includes(nr)) {
    const paths = records.filter((r) => r.type === 'PATH');
    const named = paths.find((p) => auditValue(p.fields.get('nametype')) !== 'PARENT') ?? paths[0];
    const cwd = auditValue(records.find((r) => r.type === 'CWD')?.fields.get('cwd'));
    let path = auditValue(named?.fields.get('name'));
    if (path && !path.startsWith('/') && cwd) path = `${cwd.replace(/\/$/, '')}/${path}`;
    // a1 (open) or a2 (openat, openat2's how is a pointer: treat as read) carries the flags, in hex.
    const flags = parseInt((nr === 2 ? f.get('a1') : f.get('a2')) ?? '0', 16);
    const write = nr !== 437 && (flags & O_ACCMODE) !== 0;
    return { ...base, kind: 'open', argv: [], path, write, dest: null };
  }
  return null;
}

function execArgs(r: AuditRecord): string[] {
  const argc = Number(r.fields.get('argc') ?? 0);
  const out: string[] = [];
  for (let i = 0; i < Math.min(argc, 4096); i++) {
    const whole = r.fields.get(`a${i}`);
    if (whole !== undefined) {
      out.push(auditValue(whole) ?? '');
      continue;
    }
    // Long arguments come in pieces: a1_len=N a1[0]=hex a1[1]=hex …
    let s = '';
    for (let k = 0; r.fields.has(`a${i}[${k}]`); k++) s += r.fields.get(`a${i}[${k}]`);
    out.push(s ? (auditValue(s) ?? '') : '');
  }
  return out;
}

/**
 * Gathers records into events by serial: an event is finished by its PROCTITLE or EOE, or when it has waited
 * `maxAgeMs` (single-record events and events cut by rotation), or when too many are open at once
 * (the oldest is finished first), so memory stays bounded under any input.
 */
export class AuditAssembler {
  private readonly open = new Map<string, { first: number; records: AuditRecord[] }>();

  constructor(
    private readonly onEvent: (records: AuditRecord[]) => void,
    private readonly maxOpen = 4096,
    private readonly maxAgeMs = 500,
  ) {}

  push(line: string, now = Date.now()): void {
    const r = parseAuditLine(line);
    if (!r) return;
    if (r.type === 'EOE') {
      this.finish(r.serial);
      return;
    }
    let e = this.open.get(r.serial);
    if (!e) {
      if (this.open.size >= this.maxOpen) this.finish(this.open.keys().next().value!);
      e = { first: now, records: [] };
      this.open.set(r.serial, e);
    }
    if (e.records.length < MAX_RECORDS_PER_EVENT) e.records.push(r);
    // PROCTITLE is the last record of a syscall's event; the kernel writes EOE after it only for some
    // events (a connect has none), so the event is complete here.
    if (r.type === 'PROCTITLE') this.finish(r.serial);
  }

  /** Finishes the events that have waited too long for their EOE. */
  sweep(now = Date.now()): void {
    for (const [serial, e] of this.open) if (now - e.first >= this.maxAgeMs) this.finish(serial);
  }

  flush(): void {
    for (const serial of [...this.open.keys()]) this.finish(serial);
  }

  get pending(): number {
    return this.open.size;
  }

  private finish(serial: string): void {
    const e = this.open.get(serial);
    if (!e) return;
    this.open.delete(serial);
    this.onEvent(e.records);
  }
}
