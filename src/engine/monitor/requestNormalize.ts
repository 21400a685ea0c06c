// Turns a logged request target into the canonical text the signatures look at: URL-decoded
// repeatedly (bounded), entities and escapes resolved, SQL comments and whitespace folded, lower case.
// No regexes here: everything is a single linear pass per step.

export interface NormalizedRequest {
  /** Decoded, folded, lower-case text of path and query. */
  text: string;
  /** Decoded path only (no query), lower case, for route and file checks. */
  path: string;
  /** A NUL byte appeared after decoding. */
  nullByte: boolean;
  /** A CR or LF appeared after decoding (header / SMTP injection). */
  crlf: boolean;
}

const MAX_DECODE_ROUNDS = 4;

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** One round of %XX and %uXXXX decoding; malformed escapes are kept as written. */
export function percentDecodeOnce(s: string): string {
  if (s.indexOf('%') < 0) return s;
  let out = '';
  let bytes: number[] = [];
  const flush = () => {
    if (bytes.length === 0) return;
    if (bytes.every((b) => b < 0x80)) {
      for (const b of bytes) out += String.fromCharCode(b);
      bytes = [];
      return;
    }
    const buf = Buffer.from(bytes);
    // Overlong or broken UTF-8 (%c0%ae) becomes latin1 so the bytes stay visible to the checks.
    const utf = buf.toString('utf8');
    out += utf.includes('\ufffd') ? buf.toString('latin1') : utf;
    bytes = [];
  };
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 /* % */) {
      const h1 = hexVal(s.charCodeAt(i + 1));
      const h2 = hexVal(s.charCodeAt(i + 2));
      if (h1 >= 0 && h2 >= 0) {
        bytes.push(h1 * 16 + h2);
        i += 2;
        continue;
      }
      const u = s.charCodeAt(i + 1);
      if (u === 117 || u === 85) {
        const a = hexVal(s.charCodeAt(i + 2)), b = hexVal(s.charCodeAt(i + 3));
        const d = hexVal(s.charCodeAt(i + 4)), e = hexVal(s.charCodeAt(i + 5));
        if (a >= 0 && b >= 0 && d >= 0 && e >= 0) {
          flush();
          out += String.fromCharCode(((a * 16 + b) * 16 + d) * 16 + e);
          i += 5;
          continue;
        }
      }
    }
    flush();
    // Copy the run up to the next '%' in one piece.
    const next = s.indexOf('%', i + 1);
    const stop = next < 0 ? s.length : next;
    out += s.slice(i, stop);
    i = stop - 1;
  }
  flush();
  return out;
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isHexDigit = (c: number) => hexVal(c) >= 0;
const isLetter = (c: number) => (c | 32) >= 97 && (c | 32) <= 122;

const NAMED_ENTITIES: Record<string, string> = {
  lt: '<', gt: '>', quot: '"', apos: "'", amp: '&', colon: ':', lpar: '(', rpar: ')', sol: '/',
  newline: '\n', tab: '\t', semi: ';', comma: ',', period: '.', equals: '=', grave: '`', bsol: '\\',
};

/**
 * The HTML character reference starting at `s[i]` (an `&`): its text and the index of its last
 * character, or null when the `&` starts none (`&page=2`). Numeric references take only digits
 * (`&#97v` is 'a' then 'v'); named ones take letters.
 */
function entityAt(s: string, i: number): { rep: string; last: number } | null {
  let j = i + 1;
  const numeric = s[j] === '#';
  if (numeric) j++;
  const hex = numeric && (s[j] === 'x' || s[j] === 'X');
  if (hex) j++;
  const start = j;
  const ok = numeric ? (hex ? isHexDigit : isDigit) : isLetter;
  while (j < s.length && j - start < 12 && ok(s.charCodeAt(j))) j++;
  const body = s.slice(start, j);
  let rep: string | undefined;
  if (numeric && body) {
    const n = Number.parseInt(body, hex ? 16 : 10);
    if (Number.isFinite(n) && n > 0 && n < 0x110000) rep = String.fromCodePoint(n);
  } else if (!numeric) {
    rep = NAMED_ENTITIES[body.toLowerCase()];
  }
  if (rep === undefined) return null;
  return { rep, last: s[j] === ';' ? j : j - 1 };
}

/** HTML character references (`&#x28;`, `&#40;`, `&lt;`), which browsers decode before script runs. */
export function decodeEntities(s: string): string {
  let amp = s.indexOf('&');
  if (amp < 0) return s;
  let out = s.slice(0, amp);
  for (let i = amp; i < s.length; i++) {
    if (s.charCodeAt(i) !== 38) {
      amp = s.indexOf('&', i);
      const stop = amp < 0 ? s.length : amp;
      out += s.slice(i, stop);
      i = stop - 1;
      continue;
    }
    const e = entityAt(s, i);
    if (e === null) {
      out += '&';
      continue;
    }
    out += e.rep;
    i = e.last;
  }
  return out;
}

/** JavaScript escapes `\x41`, `\u0041`, `\u{41}` used to hide script from filters. */
export function decodeJsEscapes(s: string): string {
  if (s.indexOf('\\') < 0) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    // CSS escapes (`\\0075`): four to six hex digits, so Windows paths (`..\\abc`) stay intact.
    if (c === '\\' && s[i + 1] !== 'x' && s[i + 1] !== 'u') {
      let k = i + 1;
      while (k < s.length && k - i <= 6 && hexVal(s.charCodeAt(k)) >= 0) k++;
      if (k - i - 1 >= 4) {
        const n = Number.parseInt(s.slice(i + 1, k), 16);
        if (n > 0 && n < 0x110000) {
          out += String.fromCodePoint(n);
          i = s[k] === ' ' ? k : k - 1;
          continue;
        }
      }
    }
    if (c === '\\' && (s[i + 1] === 'x' || s[i + 1] === 'u')) {
      if (s[i + 1] === 'x') {
        const a = hexVal(s.charCodeAt(i + 2)), b = hexVal(s.charCodeAt(i + 3));
        if (a >= 0 && b >= 0) {
          out += String.fromCharCode(a * 16 + b);
          i += 3;
          continue;
        }
      } else if (s[i + 2] === '{') {
        const close = s.indexOf('}', i + 3);
        if (close > 0 && close - i <= 10) {
          const n = Number.parseInt(s.slice(i + 3, close), 16);
          if (Number.isFinite(n) && n < 0x110000) {
            out += String.fromCodePoint(n);
            i = close;
            continue;
          }
        }
      } else {
        let n = 0, ok = true;
        for (let k = 2; k < 6; k++) {
          const h = hexVal(s.charCodeAt(i + k));
          if (h < 0) ok = false;
          n = n * 16 + h;
        }
        if (ok) {
          out += String.fromCharCode(n);
          i += 5;
          continue;
        }
      }
    }
    out += c;
  }
  return out;
}

/**
 * SQL comments become a space; MySQL's executable comments keep their body (`/*!50000select*\/`),
 * because the server runs it.
 */
export function foldComments(s: string): string {
  let i = s.indexOf('/*');
  if (i < 0) return s;
  let out = '';
  let from = 0;
  while (i >= 0) {
    out += s.slice(from, i) + ' ';
    const end = s.indexOf('*/', i + 2);
    if (s[i + 2] === '!') {
      let k = i + 3;
      while (k < s.length && s.charCodeAt(k) >= 48 && s.charCodeAt(k) <= 57) k++;
      const stop = end < 0 ? s.length : end;
      out += s.slice(k, stop) + ' ';
    }
    if (end < 0) {
      from = s.length;
      break;
    }
    from = end + 2;
    i = s.indexOf('/*', from);
  }
  return out + s.slice(from);
}

/** Whitespace runs (and control characters) become one space. */
function isFoldedSpace(c: number): boolean {
  return c <= 32 || c === 0xa0 || c === 0x7f || c === 0x2028 || c === 0x2029 || c === 0x3000;
}

export function foldWhitespace(s: string): string {
  let clean = s.length > 0 && !isFoldedSpace(s.charCodeAt(0)) && !isFoldedSpace(s.charCodeAt(s.length - 1));
  for (let i = 1; clean && i < s.length; i++) {
    if (isFoldedSpace(s.charCodeAt(i)) && (s.charCodeAt(i) !== 32 || isFoldedSpace(s.charCodeAt(i - 1)))) clean = false;
  }
  if (clean) return s;
  let out = '';
  let space = false;
  for (let i = 0; i < s.length; i++) {
    if (isFoldedSpace(s.charCodeAt(i))) {
      space = true;
      continue;
    }
    if (space && out.length > 0) out += ' ';
    space = false;
    out += s[i];
  }
  return out;
}

/**
 * Cheap check for anything decoding or folding could change other than letter case: most benign
 * targets skip the work (a query's `&` that starts no character reference does not count).
 */
function needsDecoding(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 || c === 43 || c === 92 || c === 47 && s.charCodeAt(i + 1) === 42 || c <= 32 || c > 126) return true;
    if (c === 38 && entityAt(s, i) !== null) return true;
  }
  return false;
}

export function normalizeRequest(uri: string): NormalizedRequest {
  if (!needsDecoding(uri)) {
    // Every step below would leave this text as it is, except lower-casing.
    const text = uri.toLowerCase();
    const q = text.indexOf('?');
    return { text, path: q < 0 ? text : text.slice(0, q), nullByte: false, crlf: false };
  }
  // '+' is a space only in the encoding the client used, so it is folded before decoding.
  let s = uri.includes('+') ? uri.replaceAll('+', ' ') : uri;
  for (let round = 0; round < MAX_DECODE_ROUNDS; round++) {
    const next = percentDecodeOnce(s);
    if (next === s) break;
    s = next;
  }
  s = decodeJsEscapes(decodeEntities(s));
  const nullByte = s.includes('\0');
  const crlf = s.includes('\r') || s.includes('\n');
  const text = foldWhitespace(foldComments(s)).toLowerCase();
  // The path is cut at the first '?' of the raw target, so an encoded '?' stays in the path.
  const rawQ = uri.indexOf('?');
  let path = rawQ < 0 ? text : percentDecodeOnce(uri.slice(0, rawQ)).toLowerCase();
  if (rawQ >= 0) for (let r = 1; r < MAX_DECODE_ROUNDS && path.includes('%'); r++) path = percentDecodeOnce(path);
  return { text, path, nullByte, crlf };
}
