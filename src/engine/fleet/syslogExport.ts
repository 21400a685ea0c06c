// Streams the ledger (every record, alerts included: an alert is an `alert.raise` record) to a syslog
// collector over TCP, RFC 5424 messages in RFC 6587 octet-counted frames. The ledger itself is the
// disk buffer: records wait there while the collector is down, and the last sent seq is kept in the
// state dir (`syslog.cursor`, 0600), so a restart resumes after it. Delivery is at least once: a
// record written to the socket just before a crash, with its cursor not yet saved, is sent again.
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { hostname } from 'node:os';
import type { LedgerRecord } from '../../shared/ledger.js';
import { backoffDelay } from '../platform/backoff.js';
import type { Logger } from '../platform/logger.js';
import { queryLedger } from '../store/ledgerQuery.js';
import type { Db } from '../store/store.js';
import { writePrivateFileAtomic } from '../store/stateDir.js';
import { join } from 'node:path';
import type { SyslogExportConfig } from './exportConfig.js';
import { formatRecord, frame, type SyslogOrigin } from './syslogFormat.js';

/** What the exporter needs of the engine: the ledger in order, from a seq on. */
export interface ExportLedger {
  recordsAfter(seq: number, limit: number): LedgerRecord[];
}

const BATCH = 1000;
const IDLE_POLL_MS = 200;
const BACKOFF = { initial_delay_ms: 250, backoff_multiplier: 2, max_delay_ms: 10_000 };

export function readCursor(path: string): number {
  try {
    const n = Number(JSON.parse(readFileSync(path, 'utf8')).seq);
    return Number.isInteger(n) && n >= 0 ? n : 0;
  } catch {
    return 0; // no cursor yet (or unreadable): send the whole ledger; duplicates over losses
  }
}

export class SyslogExporter {
  private socket: Socket | null = null;
  private connected = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private attempt = 0;
  private sent: number;
  private readonly origin: SyslogOrigin;
  readonly stats = { sent: 0, connects: 0, failures: 0 };

  constructor(
    private readonly config: SyslogExportConfig,
    private readonly ledger: ExportLedger,
    private readonly cursorPath: string,
    private readonly logger: Logger,
    redact?: (text: string) => string,
  ) {
    this.sent = readCursor(cursorPath);
    this.origin = { facility: config.facility, hostname: hostname(), procid: process.pid, ...(redact ? { redact } : {}) };
  }

  get lastSent(): number {
    return this.sent;
  }

  start(): void {
    this.connect();
  }

  private target(): { host: string; port: number } {
    const rest = this.config.url.slice('tcp://'.length);
    const i = rest.lastIndexOf(':');
    return { host: rest.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(rest.slice(i + 1)) };
  }

  private connect(): void {
    if (this.stopped) return;
    const { host, port } = this.target();
    const s = connect({ host, port });
    this.socket = s;
    s.setNoDelay(true);
    s.on('connect', () => {
      this.connected = true;
      this.attempt = 0;
      this.stats.connects++;
      this.logger.info({ url: this.config.url, from_seq: this.sent + 1 }, 'syslog export connected');
      this.pump();
    });
    s.on('data', () => {}); // a collector says nothing back over plain TCP syslog
    s.on('error', (err) => this.logger.warn({ url: this.config.url, err: err.message }, 'syslog export: collector unreachable'));
    s.on('close', () => {
      this.connected = false;
      if (this.socket === s) this.socket = null;
      if (this.stopped) return;
      this.stats.failures++;
      this.schedule(backoffDelay(++this.attempt, BACKOFF));
    });
  }

  private schedule(ms: number, what: 'pump' | 'connect' = this.connected ? 'pump' : 'connect'): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (what === 'pump' && this.connected) this.pump();
      else if (!this.socket) this.connect();
    }, ms);
  }

  /** Sends the next batch; the cursor moves once the socket has taken the bytes. */
  private pump(): void {
    const s = this.socket;
    if (!s || !this.connected || this.stopped) return;
    const records = this.ledger.recordsAfter(this.sent, BATCH);
    if (records.length === 0) return this.schedule(IDLE_POLL_MS, 'pump');
    const last = records.at(-1)!.seq;
    const bytes = Buffer.concat(records.map((r) => frame(formatRecord(r, this.origin))));
    s.write(bytes, (err) => {
      if (err || this.socket !== s) return; // the close handler reconnects; the cursor stays put
      this.sent = last;
      this.stats.sent += records.length;
      writePrivateFileAtomic(this.cursorPath, `${JSON.stringify({ seq: last })}\n`);
      // A full batch means more is waiting: go on at once; else wait for new records.
      if (records.length === BATCH) setImmediate(() => this.pump());
      else this.schedule(IDLE_POLL_MS, 'pump');
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.socket?.end();
    this.socket?.destroy();
  }
}

/** The exporter over the engine's ledger, started; null when export.syslog is not configured. */
export function startSyslogExport(config: SyslogExportConfig | undefined, db: Db, stateDir: string, logger: Logger, redact: (t: string) => string): SyslogExporter | null {
  if (!config) return null;
  const exporter = new SyslogExporter(config, { recordsAfter: (seq, limit) => queryLedger(db, { afterSeq: seq, limit }, 'oldest') }, join(stateDir, 'syslog.cursor'), logger, redact);
  exporter.start();
  return exporter;
}
