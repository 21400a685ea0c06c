// `monitor.work_hours` ("07:00-01:00", may cross midnight) in an IANA time zone, via Intl.

export interface WorkHours {
  /** Minutes after local midnight. */
  start: number;
  end: number;
  timeZone: string;
  formatter: Intl.DateTimeFormat;
}

function minutes(hhmm: string): number | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm.trim());
  if (!m) return null;
  const h = Number(m[1]), min = Number(m[2]);
  if (h > 24 || min > 59 || (h === 24 && min !== 0)) return null;
  return h * 60 + min;
}

/** Throws an error naming the key, the value and what is allowed. */
export function parseWorkHours(spec: string, timeZone = 'UTC'): WorkHours {
  const parts = spec.split('-');
  const start = parts.length === 2 ? minutes(parts[0]!) : null;
  const end = parts.length === 2 ? minutes(parts[1]!) : null;
  if (start === null || end === null) {
    throw new Error(`monitor.work_hours: "${spec}" is not a range; use "HH:MM-HH:MM", e.g. "07:00-19:00" or "22:00-06:00" across midnight`);
  }
  let formatter: Intl.DateTimeFormat;
  try {
    formatter = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  } catch {
    throw new Error(`monitor.time_zone: "${timeZone}" is not an IANA time zone (e.g. "Europe/Berlin", "UTC")`);
  }
  return { start, end, timeZone, formatter };
}

/** Local minutes after midnight of `t` in the work-hours zone. */
export function localMinutes(wh: WorkHours, t: number): number {
  let h = 0, m = 0;
  for (const p of wh.formatter.formatToParts(new Date(t))) {
    if (p.type === 'hour') h = Number(p.value) % 24;
    if (p.type === 'minute') m = Number(p.value);
  }
  return h * 60 + m;
}

export function isWorkTime(wh: WorkHours, t: number): boolean {
  if (wh.start === wh.end) return true; // "00:00-24:00" style: always
  const x = localMinutes(wh, t);
  return wh.start < wh.end ? x >= wh.start && x < wh.end : x >= wh.start || x < wh.end;
}

const hhmm = (m: number) => `${String(Math.floor(m / 60) % 24).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

/** "07:00-19:00 Europe/Berlin", for messages. */
export function describeWorkHours(wh: WorkHours): string {
  return `${hhmm(wh.start)}-${hhmm(wh.end)} ${wh.timeZone}`;
}

/** The local "HH:MM" of `t` in the work-hours zone. */
export function localTimeOf(wh: WorkHours, t: number): string {
  return hhmm(localMinutes(wh, t));
}
