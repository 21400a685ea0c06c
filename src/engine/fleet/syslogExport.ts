// Streams the ledger (every record, alerts included: an alert is an `alert.raise` record) to a syslog
// collector over TCP or TLS (RFC 5425), RFC 5424 messages in RFC 6587 octet-counted frames. The ledger
// itself is the disk buffer: records wait there while the collector is down, and the last sent seq is
// kept in the state dir (`syslog.cursor`, 0600), so a restart resumes after it.
//
// Delivery is at least once. Syslog over TCP has no acknowledgement: bytes the kernel took may still die
// in a collector that is killed. So when a connection is lost, the cursor goes back to where it stood
// REWIND_MS before the loss and those records are sent again (the `seq` in `ledger@PEN` names a
// duplicate); a record written just before an engine crash, with its cursor not yet saved, is also
// sent again.
//
// TLS verifies the collector's certificate, always: a certificate that does not verify stops the feed
// with an alert (retried at the slowest backoff, so a fixed certificate resumes it) and never falls
// back to plain TCP.
import { readFileSync } from 'node:fs';
import { connect as tcpConnect, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { checkServerIdentity, connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import type { AlertInput } from '../../shared/alert.js';
import type { LedgerRecord } from '../../shared/ledger.js';
import { backoffDelay } from '../platform/backoff.js';
import type { Logger } from '../platform/logger.js';
import { queryLedger } from '../store/ledgerQuery.js';
import type { Db } from '../store/store.js';
import { writePrivateFileAtomic } from '../store/stateDir.js';
import type { SyslogExportConfig } from './exportConfig.js';
import { formatRecord, frame, type SyslogOrigin } from './syslogFormat.js';

/** What the exporter needs of the engine: the ledger in order, from a seq on, and a way to raise an alert. */
export interface ExportLedger {
  recordsAfter(seq: number, limit: number): LedgerRecord[];
}
export type ExportAlert = (alert: AlertInput) => void;

const BATCH = 1000;
const IDLE_POLL_MS = 200;
/** How far back a lost connection rewinds the cursor: what a killed collector may have taken and lost. */
export const REWIND_MS = 5_000;
const BACKOFF = { initial_delay_ms: 250, backoff_multiplier: 2, max_delay_ms: 10_000 };

export function readCursor(path: string): number {
  try {
    const n = Number(JSON.parse(readFileSync(path, 'utf8')).seq);
    return Number.isInteger(n) && n >= 0 ? n : 0;
  } catch {
    return 0; // no cursor yet (or unreadable): send the whole ledger; duplicates over losses
  }
}

/** A TLS failure that is about trust (the certificate, its name, its chain), not about reaching the host. */
export function isTlsTrustError(err: NodeJS.ErrnoException): boolean {
  const code = err.code ?? '';
  return code === 'ERR_TLS_CERT_ALTNAME_INVALID' || /CERT|SIGNATURE|ISSUER|UNABLE_TO_(GET|VERIFY|DECRYPT)|SELF_SIGNED/.test(code);
}

/** The TLS options from `export.syslog.tls`; throws naming the file that cannot be read. */
export function tlsOptions(config: SyslogExportConfig, host: string): ConnectionOptions {
  const read = (key: string, path: string | undefined): Buffer | undefined => {
    if (path === undefined) return undefined;
    try {
      return readFileSync(path);
    } catch (err) {
      throw new Error(`export.syslog.tls.${key} ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  };
  const t = config.tls ?? {};
  const ca = read('ca_file', t.ca_file);
  const cert = read('cert_file', t.cert_file);
  const key = read('key_file', t.key_file);
  const servername = t.server_name ?? (/^[\d.]+$|:/.test(host) ? undefined : host);
  return {
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
    ...(ca ? { ca } : {}),
    ...(cert && key ? { cert, key } : {}),
    ...(servername ? { servername } : {}),
    // With server_name set, the certificate must carry that name even when the URL is an IP address.
    ...(t.server_name ? { checkServerIdentity: (_host: string, peer: Parameters<typeof checkServerIdentity>[1]) => checkServerIdentity(t.server_name!, peer) } : {}),
  };
}


export class SyslogExporter {
  private socket: Socket | null = null;
  private connected = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private attempt = 0;
  private sent: number;
  /** The cursor after each recent batch, with when it moved: what a lost connection rewinds through. */
  private recent: Array<{ seq: number; at: number; before: number }> = [];
  /** The trust failure alerted on since the last good connection (one alert per distinct failure). */
  private alerted: string | null = null;
  private readonly origin: SyslogOrigin;
  readonly stats = { sent: 0, connects: 0, failures: 0, rewound: 0 };

  constructor(
    private readonly config: SyslogExportConfig,
    private readonly ledger: ExportLedger,
    private readonly cursorPath: string,
    private readonly logger: Logger,
    redact?: (text: string) => string,
    private readonly alert: ExportAlert = () => {},
  ) {
    this.sent = readCursor(cursorPath);
    this.origin = { facility: config.facility, hostname: hostname(), procid: process.pid, enterpriseId: config.enterprise_id, ...(redact ? { redact } : {}) };
  }

  get lastSent(): number {
    return this.sent;
  }

  start(): void {
    this.connect();
  }

  private target(): { tls: boolean; host: string; port: number } {
    const tls = this.config.url.startsWith('tls://');
    const rest = this.config.url.slice('tcp://'.length);
    const i = rest.lastIndexOf(':');
    return { tls, host: rest.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(rest.slice(i + 1)) };
  }

  private connect(): void {
    if (this.stopped) return;
    const { tls, host, port } = this.target();
    let s: Socket;
    if (tls) {
      let opts: ConnectionOptions;
      try {
        opts = tlsOptions(this.config, host);
      } catch (err) {
        this.trustFailure((err as Error).message);
        return this.schedule(BACKOFF.max_delay_ms, 'connect');
      }
      s = tlsConnect({ host, port, ...opts });
    } else {
      s = tcpConnect({ host, port });
    }
    this.socket = s;
    s.setNoDelay(true);
    s.on(tls ? 'secureConnect' : 'connect', () => {
      this.connected = true;
      this.attempt = 0;
      this.stats.connects++;
      if (this.alerted) this.logger.info({ url: this.config.url }, 'syslog export: the collector is trusted again');
      this.alerted = null;
      this.logger.info({ url: this.config.url, from_seq: this.sent + 1 }, 'syslog export connected');
      this.pump();
    });
    s.on('data', () => {}); // a collector says nothing back over TCP/TLS syslog
    let trust = false;
    s.on('error', (err: NodeJS.ErrnoException) => {
      if (tls && isTlsTrustError(err)) {
        trust = true;
        this.trustFailure(`the collector's certificate is refused (${err.code}: ${err.message}); the feed is stopped, never sent in the clear`);
      } else this.logger.warn({ url: this.config.url, err: err.message }, 'syslog export: collector unreachable');
    });
    s.on('close', () => {
      const was = this.connected;
      this.connected = false;
      if (this.socket === s) this.socket = null;
      if (this.stopped) return;
      this.stats.failures++;
      if (was) this.rewind();
      this.schedule(trust ? BACKOFF.max_delay_ms : backoffDelay(++this.attempt, BACKOFF), 'connect');
    });
  }

  private trustFailure(message: string): void {
    this.logger.error({ url: this.config.url }, `syslog export: ${message}`);
    if (this.alerted === message) return;
    this.alerted = message;
    this.alert({ severity: 'P1', source: 'engine', check: 'syslog_export_refused', message: `syslog export to ${this.config.url}: ${message}`, evidence: { url: this.config.url } });
  }

  /** A lost connection: what was sent in the last REWIND_MS may not have reached the collector's disk. */
  private rewind(): void {
    const since = Date.now() - REWIND_MS;
    const first = this.recent.find((r) => r.at >= since);
    this.recent = [];
    if (!first || first.before >= this.sent) return;
    this.logger.info({ url: this.config.url, from_seq: first.before + 1, to_seq: this.sent }, 'syslog export: connection lost; sending the last records again');
    this.stats.rewound += this.sent - first.before;
    this.sent = first.before;
    writePrivateFileAtomic(this.cursorPath, `${JSON.stringify({ seq: this.sent })}\n`);
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
      if (err || this.socket !== s || !this.connected) return; // the close handler reconnects; the cursor stays put
      const now = Date.now();
      this.recent.push({ seq: last, at: now, before: this.sent });
      while (this.recent.length && this.recent[0]!.at < now - REWIND_MS) this.recent.shift();
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
export function startSyslogExport(config: SyslogExportConfig | undefined, db: Db, stateDir: string, logger: Logger, redact: (t: string) => string, alert?: ExportAlert): SyslogExporter | null {
  if (!config) return null;
  const exporter = new SyslogExporter(config, { recordsAfter: (seq, limit) => queryLedger(db, { afterSeq: seq, limit }, 'oldest') }, join(stateDir, 'syslog.cursor'), logger, redact, alert);
  exporter.start();
  return exporter;
}
