// Alerts (docs/rest-api.md): stored in the DB (the truth) and appended to alerts.jsonl. The same open finding
// raised again is aggregated into the open alert (count, last_ts) instead of a new one.
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, writeSync } from 'node:fs';
import type { Alert, AlertInput, AlertQuery, Severity } from '../../shared/alert.js';
import { AlertQuerySchema, SEVERITIES } from '../../shared/alert.js';
import { EngineError } from '../../shared/errors.js';
import type { EventBus } from '../platform/eventBus.js';
import type { Ledger } from '../store/ledger.js';
import { openPrivateAppend } from '../store/stateDir.js';
import type { Db } from '../store/store.js';

interface AlertRow {
  id: string;
  ts: string;
  severity: Severity;
  source: Alert['source'];
  check_id: string;
  message: string;
  path: string | null;
  ip: string | null;
  evidence: string | null;
  count: number;
  last_ts: string;
  acked_by: string | null;
  acked_at: string | null;
}

function toAlert(r: AlertRow): Alert {
  const a: Alert = { id: r.id, ts: r.ts, severity: r.severity, source: r.source, check: r.check_id, message: r.message };
  if (r.path) a.path = r.path;
  if (r.ip) a.ip = r.ip;
  if (r.evidence) a.evidence = JSON.parse(r.evidence) as Record<string, unknown>;
  if (r.count > 1) a.count = r.count;
  if (r.acked_by) a.acked_by = r.acked_by;
  if (r.acked_at) a.acked_at = r.acked_at;
  return a;
}

/** What makes two alerts the same finding. `evidence.distinct` (a string) separates findings on the same path, e.g. each tampered policy hash. */
export function fingerprintOf(a: AlertInput): string {
  const distinct = typeof a.evidence?.distinct === 'string' ? a.evidence.distinct : null;
  return createHash('sha256').update(JSON.stringify([a.source, a.check, a.path ?? null, a.ip ?? null, a.severity, ...(distinct ? [distinct] : [])])).digest('hex').slice(0, 32);
}

export class AlertCenter {
  constructor(
    private readonly db: Db,
    private readonly ledger: Ledger,
    private readonly bus: EventBus,
    private readonly jsonlPath: string,
    private readonly redact: (text: string) => string = (t) => t,
    private readonly now: () => Date = () => new Date(),
  ) {}

  raise(input: AlertInput): Alert {
    const clean: AlertInput = {
      ...input,
      message: this.redact(input.message),
      ...(input.evidence ? { evidence: JSON.parse(this.redact(JSON.stringify(input.evidence))) as Record<string, unknown> } : {}),
    };
    const fp = fingerprintOf(clean);
    const ts = this.now().toISOString();
    const alert = this.db.transaction((): { alert: Alert; fresh: boolean } => {
      const open = this.db.prepare('SELECT * FROM alerts WHERE fingerprint = ? AND acked_at IS NULL ORDER BY ts DESC LIMIT 1').get(fp) as AlertRow | undefined;
      if (open) {
        this.db.prepare('UPDATE alerts SET count = count + 1, last_ts = ?, message = ? WHERE id = ?').run(ts, clean.message, open.id);
        return { alert: toAlert({ ...open, count: open.count + 1, last_ts: ts, message: clean.message }), fresh: false };
      }
      const id = `a-${randomBytes(6).toString('hex')}`;
      this.db
        .prepare(
          'INSERT INTO alerts (id, ts, severity, source, check_id, message, path, ip, evidence, fingerprint, last_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(id, ts, clean.severity, clean.source, clean.check, clean.message, clean.path ?? null, clean.ip ?? null, clean.evidence ? JSON.stringify(clean.evidence) : null, fp, ts);
      this.ledger.append({ actor: 'engine', surface: 'engine', action: 'alert.raise', subject: id, detail: { severity: clean.severity, source: clean.source, check: clean.check } });
      return { alert: toAlert(this.db.prepare('SELECT * FROM alerts WHERE id = ?').get(id) as AlertRow), fresh: true };
    })();
    this.appendJsonl(alert.alert, alert.fresh ? 'raised' : 'repeated');
    this.bus.emit({ type: 'alert.raised', alert: alert.alert });
    return alert.alert;
  }

  ack(id: string, by: string, surface: string, reason?: string): Alert {
    const row = this.db.prepare('SELECT * FROM alerts WHERE id = ?').get(id) as AlertRow | undefined;
    if (!row) throw new EngineError(`no alert ${id}`, 'not_found');
    if (row.acked_at) return toAlert(row);
    const at = this.now().toISOString();
    this.db.transaction(() => {
      this.db.prepare('UPDATE alerts SET acked_by = ?, acked_at = ?, ack_reason = ? WHERE id = ?').run(by, at, reason ?? null, id);
      this.ledger.append({ actor: by, surface, action: 'alert.ack', subject: id, reason: reason ?? null });
    })();
    const alert = toAlert({ ...row, acked_by: by, acked_at: at });
    this.appendJsonl(alert, 'acked');
    this.bus.emit({ type: 'alert.acked', alert });
    return alert;
  }

  list(query: AlertQuery = {}): Alert[] {
    const q = AlertQuerySchema.parse(query);
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.since) {
      where.push('last_ts >= ?');
      params.push(q.since);
    }
    if (q.severity) {
      // "severity=P1" means P1 and worse.
      where.push(`severity IN (${SEVERITIES.slice(0, SEVERITIES.indexOf(q.severity) + 1).map(() => '?').join(',')})`);
      params.push(...SEVERITIES.slice(0, SEVERITIES.indexOf(q.severity) + 1));
    }
    if (q.unacked) where.push('acked_at IS NULL');
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    return (this.db.prepare(`SELECT * FROM alerts ${w} ORDER BY last_ts DESC LIMIT ?`).all(...params, q.limit) as AlertRow[]).map(toAlert);
  }

  openCounts(): Record<Severity, number> {
    const counts = { P0: 0, P1: 0, P2: 0, P3: 0 } as Record<Severity, number>;
    for (const r of this.db.prepare('SELECT severity, count(*) AS n FROM alerts WHERE acked_at IS NULL GROUP BY severity').all() as Array<{ severity: Severity; n: number }>) {
      counts[r.severity] = r.n;
    }
    return counts;
  }

  latest(): Alert | null {
    const r = this.db.prepare('SELECT * FROM alerts WHERE acked_at IS NULL ORDER BY last_ts DESC LIMIT 1').get() as AlertRow | undefined;
    return r ? toAlert(r) : null;
  }

  private appendJsonl(alert: Alert, event: string): void {
    try {
      const fd = openPrivateAppend(this.jsonlPath);
      try {
        writeSync(fd, `${JSON.stringify({ event, ...alert })}\n`);
      } finally {
        closeSync(fd);
      }
    } catch {
      // The DB holds the alert; a failing JSONL mirror must not stop the engine.
    }
  }
}
