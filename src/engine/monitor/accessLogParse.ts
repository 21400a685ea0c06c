// Parses one access-log line (combined, common, werkzeug, JSON) into the fields the audit needs.
// Hand-written scanning instead of a regex: lines are hostile input and this runs per line.
export type AccessLogFormat = 'combined' | 'common' | 'json' | 'auto';

export interface AccessRecord {
  ip: string;
  method: string;
  /** Request target as logged (still URL-encoded). */
  uri: string;
  status: number | null;
  userAgent: string;
  /** Epoch ms from the line, or null when the line carries no parsable time. */
  time: number | null;
}

const MONTHS: Record<string, number> = {
  Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11,
};

// Consecutive lines mostly share their second: remember the last one parsed.
let lastTimeText = '';
let lastTime: number | null = null;

/** `22/Nov/2026:09:00:02 +0000` (CLF) or `22/Nov/2026 09:00:02` (werkzeug, taken as UTC). */
export function parseClfTime(s: string): number | null {
  if (s === lastTimeText) return lastTime;
  lastTime = parseClfTimeUncached(s);
  lastTimeText = s;
  return lastTime;
}

function parseClfTimeUncached(s: string): number | null {
  if (s.length < 20) return null;
  const day = Number(s.slice(0, 2));
  const mon = MONTHS[s.slice(3, 6)];
  const year = Number(s.slice(7, 11));
  const hh = Number(s.slice(12, 14));
  const mm = Number(s.slice(15, 17));
  const ss = Number(s.slice(18, 20));
  if (mon === undefined || [day, year, hh, mm, ss].some((n) => !Number.isFinite(n))) return null;
  let t = Date.UTC(year, mon, day, hh, mm, ss);
  const tz = s.slice(21, 26);
  if (/^[+-]\d{4}$/.test(tz)) {
    const sign = tz[0] === '-' ? -1 : 1;
    t -= sign * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(3, 5))) * 60_000;
  }
  return t;
}

function splitRequestLine(req: string): { method: string; uri: string } {
  const first = req.indexOf(' ');
  if (first < 0) return { method: '', uri: req };
  const method = req.slice(0, first);
  let rest = req.slice(first + 1);
  const last = rest.lastIndexOf(' ');
  if (last >= 0 && rest.startsWith('HTTP/', last + 1)) rest = rest.slice(0, last);
  return { method, uri: rest };
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Combined, common and werkzeug lines share the CLF prefix; the referer/agent pair is optional. */
export function parseClfLine(line: string): AccessRecord | null {
  const sp = line.indexOf(' ');
  if (sp <= 0) return null;
  const ip = line.slice(0, sp);
  const lb = line.indexOf('[', sp);
  if (lb < 0) return null;
  const rb = line.indexOf(']', lb);
  if (rb < 0) return null;
  const q1 = line.indexOf('"', rb);
  if (q1 < 0) return null;
  // The request ends at the quote followed by a space and a 3-digit status; an attacker's quote
  // inside the request does not fool this unless it also forges the status.
  let q2 = -1;
  for (let i = line.indexOf('" ', q1 + 1); i >= 0; i = line.indexOf('" ', i + 1)) {
    if (isDigit(line.charCodeAt(i + 2)) && isDigit(line.charCodeAt(i + 3)) && isDigit(line.charCodeAt(i + 4))) {
      q2 = i;
      break;
    }
  }
  if (q2 < 0) return null;
  const { method, uri } = splitRequestLine(line.slice(q1 + 1, q2));
  const status = Number(line.slice(q2 + 2, q2 + 5));
  let userAgent = '';
  const end = line.trimEnd();
  if (end.endsWith('"')) {
    const open = end.lastIndexOf(' "', end.length - 2);
    if (open > q2) userAgent = end.slice(open + 2, end.length - 1);
  }
  return { ip, method, uri, status, userAgent, time: parseClfTime(line.slice(lb + 1, rb)) };
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

/** The JSON shape `{method, url|uri|path, status, ip, ua}`, and pino/fastify `{req:{…}, res:{…}}`. */
export function parseJsonLine(line: string): AccessRecord | null {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return null;
  }
  if (!o || typeof o !== 'object') return null;
  const r = o as Record<string, unknown>;
  const req = (r.req && typeof r.req === 'object' ? r.req : {}) as Record<string, unknown>;
  const res = (r.res && typeof r.res === 'object' ? r.res : {}) as Record<string, unknown>;
  const headers = (req.headers && typeof req.headers === 'object' ? req.headers : {}) as Record<string, unknown>;
  const uri = str(r.url ?? r.uri ?? r.path ?? r.request_uri ?? req.url);
  if (!uri) return null;
  const statusRaw = r.status ?? r.statusCode ?? res.statusCode;
  const status = typeof statusRaw === 'number' ? statusRaw : Number.isFinite(Number(statusRaw)) ? Number(statusRaw) : null;
  const t = r.time ?? r.ts ?? r.timestamp ?? r['@timestamp'];
  const time = typeof t === 'number' ? t : typeof t === 'string' && !Number.isNaN(Date.parse(t)) ? Date.parse(t) : null;
  return {
    ip: str(r.ip ?? r.remote_addr ?? r.client_ip ?? r.remoteAddress ?? req.remoteAddress),
    method: str(r.method ?? req.method),
    uri,
    status,
    userAgent: str(r.ua ?? r.user_agent ?? r.userAgent ?? r.http_user_agent ?? headers['user-agent']),
    time,
  };
}

export function parseAccessLine(line: string, format: AccessLogFormat = 'auto'): AccessRecord | null {
  if (format === 'json') return parseJsonLine(line);
  if (format === 'auto' && line.trimStart().startsWith('{')) return parseJsonLine(line);
  return parseClfLine(line);
}
