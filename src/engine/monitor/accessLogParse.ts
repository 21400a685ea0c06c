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

// Consecutive lines mostly share their second, and nearly always their day and zone: remember both.
let lastTimeText = '';
let lastTime: number | null = null;
let lastDayKey = '';
let lastDayStart = 0;

/** `22/Nov/2026:09:00:02 +0000` (CLF) or `22/Nov/2026 09:00:02` (werkzeug, taken as UTC). */
export function parseClfTime(s: string): number | null {
  return clfTimeIn(s, 0, s.length);
}

/** The time in `line[from, to)`; the text is copied only when it differs from the previous line's. */
function clfTimeIn(line: string, from: number, to: number): number | null {
  if (to - from === lastTimeText.length && line.startsWith(lastTimeText, from)) return lastTime;
  lastTimeText = line.slice(from, to);
  lastTime = parseClfTimeUncached(lastTimeText);
  return lastTime;
}

/** The value of `n` ASCII digits at `at`, or -1 if any is not a digit. */
function digitsAt(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (!(c >= 0 && c <= 9)) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Epoch ms of the day's midnight in the line's zone, from `22/Nov/2026` and `+0100`; null if malformed. */
function dayStart(s: string): number | null {
  const day = digitsAt(s, 0, 2);
  const mon = MONTHS[s.slice(3, 6)];
  const year = digitsAt(s, 7, 4);
  if (day < 0 || year < 0 || mon === undefined) return null;
  let t = Date.UTC(year, mon, day);
  const sign = s[21] === '-' ? -1 : s[21] === '+' ? 1 : 0;
  const hh = digitsAt(s, 22, 2);
  const mm = digitsAt(s, 24, 2);
  if (sign !== 0 && hh >= 0 && mm >= 0) t -= sign * (hh * 60 + mm) * 60_000;
  return t;
}

function parseClfTimeUncached(s: string): number | null {
  if (s.length < 20) return null;
  const hh = digitsAt(s, 12, 2);
  const mm = digitsAt(s, 15, 2);
  const ss = digitsAt(s, 18, 2);
  if (hh < 0 || mm < 0 || ss < 0) return null;
  const key = s.slice(0, 11) + s.slice(20);
  if (key !== lastDayKey) {
    const start = dayStart(s);
    if (start === null) return null;
    lastDayKey = key;
    lastDayStart = start;
  }
  return lastDayStart + ((hh * 60 + mm) * 60 + ss) * 1000;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Combined, common and werkzeug lines share the CLF prefix; the referer/agent pair is optional. */
export function parseClfLine(line: string): AccessRecord | null {
  const sp = line.indexOf(' ');
  if (sp <= 0) return null;
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
  // Request line `METHOD target HTTP/x`, cut in place: the line is the only string allocated from.
  let method = '';
  let uri: string;
  const m = line.indexOf(' ', q1 + 1);
  if (m < 0 || m >= q2) {
    uri = line.slice(q1 + 1, q2);
  } else {
    method = line.slice(q1 + 1, m);
    const v = line.lastIndexOf(' ', q2 - 1);
    uri = line.slice(m + 1, v > m && line.startsWith('HTTP/', v + 1) ? v : q2);
  }
  const status = (line.charCodeAt(q2 + 2) - 48) * 100 + (line.charCodeAt(q2 + 3) - 48) * 10 + (line.charCodeAt(q2 + 4) - 48);
  let userAgent = '';
  const end = line.charCodeAt(line.length - 1) === 34 ? line : line.trimEnd();
  if (end.charCodeAt(end.length - 1) === 34) {
    const open = end.lastIndexOf(' "', end.length - 2);
    if (open > q2) userAgent = end.slice(open + 2, end.length - 1);
  }
  return { ip: line.slice(0, sp), method, uri, status, userAgent, time: clfTimeIn(line, lb + 1, rb) };
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
