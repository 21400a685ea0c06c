// The access-log audit: a stateful auditor fed one line at a time (the engine feeds tailed lines,
// the CLI feeds a whole file), producing findings that convert to api_audit alerts.
import { createReadStream } from 'node:fs';
import type { AlertInput, Severity } from '../../shared/alert.js';
import { parseAccessLine, type AccessLogFormat } from './accessLogParse.js';
import { RequestInspector, type RequestCheck } from './attackDetect.js';
import { maskedExcerpt } from './evidence.js';
import { RouteMatcher } from './routeGlob.js';

export type AccessCheck = RequestCheck | 'rate_limit' | 'unknown_route_burst';

export interface AccessFinding {
  check: AccessCheck;
  severity: Severity;
  message: string;
  /** 1-based line number in the log. */
  line: number;
  ip: string;
  /** The log file. */
  path: string;
  evidence: { excerpt: string; rule?: string; checks?: string[]; count?: number; window_s?: number };
}

export interface AccessLogAuditOptions {
  path: string;
  format?: AccessLogFormat;
  /** Requests per IP per minute above which a rate finding is raised (default 100). */
  rateLimitPerMinute?: number;
  /** Route globs the API serves; requests outside them count toward an unknown-route burst. */
  knownRoutes?: string[];
  /** Unknown-route requests per IP per minute that make a burst (default 20). */
  unknownRouteBurst?: number;
  /** Clock for lines without a parsable time (tests). */
  now?: () => number;
  /** Shared compiled signatures (e.g. with a rule pack's additions). */
  inspector?: RequestInspector;
}

const WINDOW_MS = 60_000;

// Which check names the line when several fire; earlier is more specific.
const ORDER: RequestCheck[] = ['sqli', 'xss', 'command_injection', 'path_traversal', 'sensitive_file', 'null_byte', 'crlf_injection', 'scanner_ua'];
const SEVERITY: Record<AccessCheck, Severity> = {
  sqli: 'P1', xss: 'P1', command_injection: 'P1', path_traversal: 'P1', sensitive_file: 'P1', null_byte: 'P1',
  crlf_injection: 'P1', scanner_ua: 'P2', rate_limit: 'P2', unknown_route_burst: 'P2',
};
const LABEL: Record<AccessCheck, string> = {
  sqli: 'SQL injection', xss: 'cross-site scripting', command_injection: 'command injection',
  path_traversal: 'path traversal', sensitive_file: 'sensitive file access', null_byte: 'null byte injection',
  crlf_injection: 'CR/LF injection', scanner_ua: 'scanner user agent', rate_limit: 'request rate over limit',
  unknown_route_burst: 'burst of requests to unknown routes',
};

/** Timestamps in a sliding window; `alertedUntil` keeps one finding per window per IP. */
class Window {
  private ts: number[] = [];
  private head = 0;
  alertedUntil = 0;
  add(t: number): number {
    this.ts.push(t);
    while (this.head < this.ts.length && this.ts[this.head]! <= t - WINDOW_MS) this.head++;
    if (this.head > 1024 && this.head * 2 > this.ts.length) {
      this.ts = this.ts.slice(this.head);
      this.head = 0;
    }
    return this.ts.length - this.head;
  }
  last(): number {
    return this.ts[this.ts.length - 1] ?? 0;
  }
}

let sharedInspector: RequestInspector | undefined;

export class AccessLogAuditor {
  readonly path: string;
  private readonly format: AccessLogFormat;
  private readonly rateLimit: number;
  private readonly burst: number;
  private readonly routes: RouteMatcher;
  private readonly now: () => number;
  private readonly inspector: RequestInspector;
  private readonly rate = new Map<string, Window>();
  private readonly unknown = new Map<string, Window>();
  private lineNo = 0;
  readonly stats = { lines: 0, unparsed: 0, findings: 0 };

  constructor(opts: AccessLogAuditOptions) {
    this.path = opts.path;
    this.format = opts.format ?? 'auto';
    this.rateLimit = opts.rateLimitPerMinute ?? 100;
    this.burst = opts.unknownRouteBurst ?? 20;
    if (!(this.rateLimit > 0) || !(this.burst > 0)) {
      throw new Error(`access log ${opts.path}: rate_limit_per_minute and unknown_route_burst must be > 0 (got ${this.rateLimit}, ${this.burst})`);
    }
    this.routes = new RouteMatcher(opts.knownRoutes ?? []);
    this.now = opts.now ?? Date.now;
    this.inspector = opts.inspector ?? (sharedInspector ??= new RequestInspector());
  }

  /** Restart line numbering (the follower calls this when the file is rotated or truncated). */
  resetLineNumbers(): void {
    this.lineNo = 0;
  }

  /** Audits one line; returns its findings (at most one per line for attacks, plus rate findings). */
  feed(rawLine: string): AccessFinding[] {
    const line = ++this.lineNo;
    this.stats.lines++;
    const text = rawLine.charCodeAt(rawLine.length - 1) === 13 ? rawLine.slice(0, -1) : rawLine;
    if (text.length === 0 || (text.charCodeAt(0) <= 32 && text.trim() === '')) return [];
    const rec = parseAccessLine(text, this.format);
    const out: AccessFinding[] = [];
    if (!rec) {
      // An unparsable line is still inspected whole: a malformed line must not hide an attack.
      this.stats.unparsed++;
      const { hits } = this.inspector.inspect(text);
      if (hits.length) out.push(this.attackFinding(hits, line, '', text));
      this.stats.findings += out.length;
      return out;
    }
    const { hits, normalized } = this.inspector.inspect(rec.uri, rec.userAgent);
    const requestLine = () => `${rec.method} ${rec.uri}`;
    if (hits.length) out.push(this.attackFinding(hits, line, rec.ip, requestLine()));
    const t = rec.time ?? this.now();
    const ip = rec.ip || '-';
    const rw = this.windowFor(this.rate, ip);
    const r = rw.add(t);
    if (r > this.rateLimit && t >= rw.alertedUntil) {
      rw.alertedUntil = t + WINDOW_MS;
      out.push(this.finding('rate_limit', line, rec.ip, `${ip} made ${r} requests in 60 s (limit ${this.rateLimit}/min)`, {
        excerpt: maskedExcerpt(requestLine()), count: r, window_s: 60,
      }));
    }
    if (this.routes.globs.length > 0 && !this.routes.known(normalized.path)) {
      const uw = this.windowFor(this.unknown, ip);
      const u = uw.add(t);
      if (u >= this.burst && t >= uw.alertedUntil) {
        uw.alertedUntil = t + WINDOW_MS;
        out.push(this.finding('unknown_route_burst', line, rec.ip, `${ip} requested ${u} unknown routes in 60 s (burst ${this.burst})`, {
          excerpt: maskedExcerpt(requestLine()), count: u, window_s: 60,
        }));
      }
    }
    if (this.stats.lines % 10_000 === 0) this.prune(t);
    this.stats.findings += out.length;
    return out;
  }

  private windowFor(map: Map<string, Window>, ip: string): Window {
    let w = map.get(ip);
    if (!w) map.set(ip, (w = new Window()));
    return w;
  }

  /** Forget IPs idle for a whole window so a long log with many clients stays bounded. */
  private prune(t: number): void {
    for (const map of [this.rate, this.unknown]) {
      for (const [ip, w] of map) if (w.last() <= t - WINDOW_MS && w.alertedUntil <= t) map.delete(ip);
    }
  }

  private attackFinding(hits: { check: RequestCheck; rule: string }[], line: number, ip: string, requestText: string): AccessFinding {
    hits.sort((a, b) => ORDER.indexOf(a.check) - ORDER.indexOf(b.check));
    const top = hits[0]!;
    const severity = hits.some((h) => SEVERITY[h.check] === 'P1') ? 'P1' : SEVERITY[top.check];
    const also = hits.length > 1 ? ` (also ${hits.slice(1).map((h) => LABEL[h.check]).join(', ')})` : '';
    return {
      ...this.finding(top.check, line, ip, `${LABEL[top.check]} from ${ip || 'unknown client'}: ${top.rule}${also}`, {
        excerpt: maskedExcerpt(requestText), rule: top.rule, checks: hits.map((h) => h.check),
      }),
      severity,
    };
  }

  private finding(check: AccessCheck, line: number, ip: string, message: string, evidence: AccessFinding['evidence']): AccessFinding {
    return { check, severity: SEVERITY[check], message: `${message} (${this.path}:${line})`, line, ip, path: this.path, evidence };
  }
}

/** The alert the engine stores for a finding (source api_audit). */
export function accessFindingToAlert(f: AccessFinding): AlertInput {
  return {
    severity: f.severity,
    source: 'api_audit',
    check: f.check,
    message: f.message,
    path: f.path,
    ...(f.ip ? { ip: f.ip } : {}),
    evidence: { ...f.evidence, line: f.line },
  };
}

export interface AuditFileResult {
  findings: AccessFinding[];
  /** Findings beyond `maxFindings` that were counted but not kept. */
  dropped: number;
  stats: AccessLogAuditor['stats'];
}

/** Streams a whole log file through an auditor (the CLI's `gatehouse scan --log FILE`). */
export async function auditAccessLogFile(
  opts: AccessLogAuditOptions & { maxFindings?: number; onFinding?: (f: AccessFinding) => void },
): Promise<AuditFileResult> {
  const auditor = new AccessLogAuditor(opts);
  const max = opts.maxFindings ?? 10_000;
  const findings: AccessFinding[] = [];
  let dropped = 0;
  const take = (line: string) => {
    for (const f of auditor.feed(line)) {
      opts.onFinding?.(f);
      if (findings.length < max) findings.push(f);
      else dropped++;
    }
  };
  let rest = '';
  for await (const chunk of createReadStream(opts.path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const text = rest + (chunk as string);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      take(text.slice(start, nl));
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  if (rest) take(rest);
  return { findings, dropped, stats: auditor.stats };
}
