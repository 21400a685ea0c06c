// Boundary hygiene (docs/security.md, boundary hygiene): one validator for names that arrive from outside and one escaper
// for free text on its way to an operator's terminal, a log line or a notification. Control characters
// (C0 but newline and tab, DEL, C1 including U+009B CSI, bidi overrides and isolates, line/paragraph
// separators) are shown as `\u{…}` escapes: what the operator reads is what was sent, and it cannot
// move the cursor, retitle a tmux pane or reorder what an ask shows.

/** Agent and other names: letters, digits, dot, underscore, dash; 1 to 64 of them. */
export const NAME_RE = /^[A-Za-z0-9._-]{1,64}$/;

export function isValidName(name: unknown): name is string {
  return typeof name === 'string' && NAME_RE.test(name);
}

/** The reason a name is refused, or null when it is valid. */
export function nameProblem(name: unknown, what = 'name'): string | null {
  if (typeof name !== 'string') return `${what} must be a string`;
  if (NAME_RE.test(name)) return null;
  return `${what} ${JSON.stringify(escapeControls(name.slice(0, 80)))} is not allowed: use 1-64 of A-Z a-z 0-9 . _ -`;
}

// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Free text with every control character escaped (newline and tab kept unless `oneLine`). */
export function escapeControls(text: string, opts: { oneLine?: boolean } = {}): string {
  const out = text.replace(CONTROLS, (c) => `\\u{${c.charCodeAt(0).toString(16).padStart(4, '0')}}`);
  return opts.oneLine ? out.replace(/\n/g, '\\n').replace(/\t/g, '\\t') : out;
}

/**
 * JSON for a terminal: JSON.stringify leaves C1 controls (U+009B is a CSI on many terminals), bidi
 * controls and U+2028/2029 raw; they are written as \uXXXX escapes, which is the same JSON value.
 */
export function terminalSafeJson(value: unknown, space?: number): string {
  return escapeJsonText(JSON.stringify(value, null, space));
}

/**
 * Serialized JSON (a log line, a --json answer) with the controls JSON.stringify leaves raw written as
 * \uXXXX escapes. Outside strings JSON has none of them, so the result is the same JSON value.
 */
export function escapeJsonText(json: string): string {
  return json.replace(/[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
