// Pure text formatting for the console, the watch pane and the tmux line. No ink or react here:
// `status --tmux` loads this without loading the UI.
import type { Severity } from '../shared/alert.js';
import { SEVERITIES } from '../shared/alert.js';

/** What a table cell shows for no value. ASCII on purpose: ink measures every line with string-width,
 * which takes a fast path only for printable ASCII; one '—' in a row costs that row about 60× more to
 * measure (130 µs vs 2 µs for 120 columns), on every frame. Detail lines keep '—'. */
export const CELL_NONE = '-';

/** Dollars: two decimals, three below one cent so small chat costs do not read as $0.00. */
export function money(usd: number | null | undefined, none = '—'): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return none;
  if (usd > 0 && usd < 0.01) return `$${usd.toFixed(3)}`;
  return `$${usd.toFixed(2)}`;
}

/** A coarse age like 12s, 2m, 3h, 4d (one unit: the list column stays narrow). */
export function age(fromIso: string, nowMs: number): string {
  const t = Date.parse(fromIso);
  if (!Number.isFinite(t)) return '?';
  const s = Math.max(0, Math.floor((nowMs - t) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/** An uptime like 3h12m, 5m07s, 40s, 2d3h: seconds under an hour, so a young engine's clock visibly moves. */
export function uptime(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d${h}h`;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/** Milliseconds as 212 ms, 3.4 s, 2m05s. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** A prompt countdown as m:ss; never negative (an expired ask shows 0:00 until the engine says so). */
export function countdown(expiresIso: string, nowMs: number): string {
  const t = Date.parse(expiresIso);
  if (!Number.isFinite(t)) return '?:??';
  const s = Math.max(0, Math.ceil((t - nowMs) / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** HH:MM:SS in UTC (engine timestamps are UTC; the same text on every console). */
export function clock(iso: string): string {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return '??:??:??';
  return new Date(t).toISOString().slice(11, 19);
}

const PLAIN = /^[\x20-\x7e]*$/;

/** Cut to width with an ellipsis; pads to width when pad is set. Width counts code points. */
export function fit(text: string, width: number, pad = false): string {
  if (width <= 0) return '';
  // Most cells are short printable ASCII: no code-point split needed (tables call this per cell per frame).
  if (text.length <= width && PLAIN.test(text)) return pad ? text.padEnd(width) : text;
  const chars = Array.from(text.replace(/[\r\n\t]+/g, ' '));
  let out: string;
  if (chars.length <= width) out = chars.join('');
  else out = width === 1 ? '…' : chars.slice(0, width - 1).join('') + '…';
  return pad ? out + ' '.repeat(Math.max(0, width - Array.from(out).length)) : out;
}

/** Cut to width and right-align (numbers in table columns). */
export function fitRight(text: string, width: number): string {
  const t = fit(text, width);
  const n = PLAIN.test(t) ? t.length : Array.from(t).length;
  return n >= width ? t : ' '.repeat(width - n) + t;
}

const BARS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;

/** A one-line sparkline of the last `width` values (own code: one glyph per value, scaled to the max). */
export function sparkline(values: readonly number[], width = 12): string {
  const tail = values.slice(-width).map((v) => (Number.isFinite(v) && v > 0 ? v : 0));
  if (tail.length === 0) return '';
  const max = Math.max(...tail);
  if (max <= 0) return BARS[0].repeat(tail.length);
  return tail.map((v) => BARS[Math.min(BARS.length - 1, Math.floor((v / max) * (BARS.length - 1)))]).join('');
}

/** The most severe severity with a non-zero count, or null. */
export function topSeverity(counts: Record<Severity, number>): Severity | null {
  for (const s of SEVERITIES) if ((counts[s] ?? 0) > 0) return s;
  return null;
}

/** The HOST column of a console over several engines: the name of the engine that owns the row. */
export const HOST_WIDTH = 10;
export function hostCell(item: object): string {
  const h = (item as { host?: unknown }).host;
  return typeof h === 'string' ? h : '—';
}
