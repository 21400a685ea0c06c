// Finds secrets in text (provider rules, then generic assignments to secret-looking names) and
// masks them. Evidence is never the raw value: the first 4 characters and a sha256 prefix.
// All patterns are RE2 (re2js), so scanning hostile text stays linear.
import { createHash } from 'node:crypto';
import { RE2JS, type Matcher } from 're2js';
import type { Severity } from '../../shared/alert.js';
import { SECRET_RULES, type SecretRule } from './secretRules.js';
import { LiteralScanner } from './literalScan.js';
import { allowlistFor, isMadeOfWords } from './secretAllowlists.js';

export interface SecretFinding {
  rule: string;
  provider: string;
  /** P0 live provider secret, P1 generic or unverifiable secret, P2 test-mode key. */
  severity: Severity;
  /** 1-based line of the secret's first character. */
  line: number;
  /** Offsets of the secret in the scanned text (UTF-16 units), for masking. */
  start: number;
  end: number;
  /** `ghp_…sha256:1a2b3c4d5e6f`: safe to show, store and compare. */
  masked: string;
}

interface Compiled {
  rule: SecretRule;
  re: RE2JS;
  generic: boolean;
}

// Names that say "this holds a secret". `key` alone is common in code, so it gets a stricter check.
const NAME = `[A-Za-z0-9_\\-$]*(?i:token|secret|passw(?:or)?d|pwd|passphrase|api[_.\\-]?key|apikey|access[_.\\-]?key|private[_.\\-]?key|client[_.\\-]?secret|signing[_.\\-]?key|encryption[_.\\-]?key|auth|credentials?|key|pass)[A-Za-z0-9_\\-]*`;
const GENERIC_RULES: SecretRule[] = [
  {
    id: 'generic-assignment', provider: 'generic', minEntropy: 2.5,
    keywords: ['token', 'secret', 'passw', 'pwd', 'key', 'auth', 'credential', 'pass'],
    // name, an optional type (`var x string =`), an operator, then the value (quoted or bare).
    pattern: `(${NAME})["'\`\\]]?(?:[ \\t]+[A-Za-z][A-Za-z0-9]*)?[ \\t]*(?:(?:=|:=|::=|:::=|\\?=|:|=>|\\.=|\\|\\|=|>|\\()[ \\t\\r\\n]*["'\`]?|,[ \\t]*["'\`])([^\\s"'\`<>,;\\\\(){}\\[\\]]{8,})`,
  },
  {
    id: 'authorization-header', provider: 'generic', minEntropy: 3, keywords: ['bearer', 'basic', 'authorization'],
    pattern: `(?i:bearer|basic|authorization:[ \\t]*token)[ \\t]+([A-Za-z0-9._~+/\\-]{12,}=*)`,
  },
  {
    id: 'curl-user', provider: 'generic', minEntropy: 2.5, keywords: ['-u', '--user'],
    pattern: `(?:^|\\s)(?:-u|--user)[ \\t]+["']?[^\\s:"']{1,64}:([^\\s"'\\[\\]]{6,128})`,
  },
];

const ALL: Compiled[] = [
  ...SECRET_RULES.map((rule) => ({ rule, re: RE2JS.compile(rule.pattern), generic: false })),
  ...GENERIC_RULES.map((rule) => ({ rule, re: RE2JS.compile(rule.pattern), generic: true })),
];

/** Shannon entropy in bits per character. */
export function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

// For generic matches: names that hold keys which are not secrets (public keys, ids, sizes…).
const BENIGN_NAME = /csrf|key[_.-]?vault|xsrf|nonce|authenticity|nonmatch|invalid|fake|dummy|example|sample|mock|placeholder|public[_.-]?token|(public|primary|foreign|sort|partition|unique|composite|idempotency|cache|lookup|row|column|field|dict|map|hash|index|kms)[_.-]?key|key(word|board|stroke|frame|note|chain|ring|pad|space|up|down|press|map|set|code|name|path|file|id|type|size|length|len|count|index|field|alias|pair|spec|ref|store)|(id|ids|size|length|len|type|name|names|url|uri|path|file|endpoint|format|version|pair|count|index|mode|prefix|suffix|header|param|field|policy|rotation|expiry|expires|ttl|timeout|enabled|required|length|generator|provider|manager|service|factory|class|event|handler|listener|callback|fn|func)$|tokeniz|^(sort|order)|passthrough|passage|compass|bypass|password_?(hash|policy|reset|confirm|field|label|min|max)/;
const IDENTIFIER_PATH = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+(\(\))?$/;

// A generic value that starts like a provider token but failed that provider's rule is malformed.
const PROVIDER_PREFIXES = [...SECRET_RULES.flatMap((r) => r.keywords).filter((k) => k.length >= 4 && /[_\-.]/.test(k)), 'dapi'];
const PROVIDER_SHAPES = SECRET_RULES.flatMap((r) => (r.shape ? [RE2JS.compile(r.shape)] : []));

/** Letters and digits only, lower case: `SN_id_Gost28147` and `id-gost28147` compare equal. */
function alnum(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function genericValueOk(name: string, value: string): boolean {
  const n = name.toLowerCase();
  if (BENIGN_NAME.test(n)) return false;
  const lv = value.toLowerCase();
  if (PROVIDER_PREFIXES.some((p) => lv.startsWith(p)) || PROVIDER_SHAPES.some((re) => re.matches(value))) return false;
  const digits = value.replace(/\D/g, '').length;
  if (IDENTIFIER_PATH.test(value) && digits / value.length < 0.15) return false;
  // Host names are configuration, not secrets (`auth_host: login.example.org`).
  if (/^[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,6}$/.test(value)) return false;
  // A value that repeats its own name (`apikey = myapikey123`) is a label, not a secret.
  for (const w of n.split(/[^a-z]+/)) if (w.length >= 6 && lv.includes(w) && lv.length - w.length < 12) return false;
  if (n.length >= 6 && lv.includes(n)) return false;
  // A constant whose value spells its own name (`KEY_MESHING = "key-meshing"`) is a label.
  const av = alnum(value);
  if (av.length >= 8 && alnum(name).includes(av)) return false;
  // Package coordinates end in a version (`io.jsonwebtoken:jjwt-jackson-0.11.2`).
  if (/^[A-Za-z][A-Za-z0-9]*(?:[-_.][A-Za-z][A-Za-z0-9]*)*[-@:]v?\d+(?:\.\d+){1,3}$/.test(value)) return false;
  // Hex encoders write one case; hex digits in both cases were typed, not generated.
  if (/^[0-9a-fA-F]{16,}$/.test(value) && /[a-f]/.test(value) && /[A-F]/.test(value)) return false;
  // A value ending in ':' is the next YAML key, not this one's value.
  if (value.endsWith(':')) return false;
  const isPassword = /passw|pwd|pass$|passphrase/.test(n);
  if (!isPassword && value.length < 12) return false;
  // `clm68203:AgencyIdentificationCodeContentType` names something; a passphrase may look alike.
  if (!isPassword && isMadeOfWords(value)) return false;
  if (digits === value.length && value.length < 12) return false;
  // Paths and URLs; credentials inside a URL are the url-credentials rule's business.
  if (/^([a-z][a-z0-9+.-]{1,20}:\/\/|\/|\.\/|~\/|file:)/i.test(value)) return false;
  if (/^(true|false|null|none|nil|undefined|string|number|bool|boolean|int|object|required|optional)$/i.test(value)) return false;
  // `key` alone is everywhere in code: demand a long, random-looking value.
  const onlyKey = !/token|secret|passw|pwd|passphrase|auth|credential|api.?key|access.?key|private.?key/.test(n);
  const hasDigit = digits > 0;
  if (onlyKey && (value.length < 16 || !hasDigit || entropy(value) < 3.5)) return false;
  // Identifiers made of words (`DOC_Vector_5_32`, `APIOrganizationExist`) are not secrets.
  if (!hasDigit && value.length < 24) return false;
  return true;
}

export function maskValue(value: string): string {
  const digest = createHash('sha256').update(value).digest('hex').slice(0, 12);
  return `${value.slice(0, 4)}…sha256:${digest}`;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function lineOf(starts: number[], offset: number): number {
  let lo = 0, hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

// Rules that need to see across lines run on the whole text; the rest run line by line, and only
// on lines holding one of their keywords, which keeps big files with few secrets fast.
const MULTILINE = new Set(['private-key']);

/** Records the match `m` holds (offsets relative to `from`) unless a check says it is no secret. */
function accept(c: Compiled, m: Matcher, from: number, out: SecretFinding[], starts: number[]): void {
  const g = c.rule.id === 'generic-assignment' || c.rule.id === 'url-credentials' ? 2 : 1;
  const value = m.group(g);
  if (!value) return;
  const start = m.start(g) + from;
  const end = m.end(g) + from;
  if (start < from) return;
  if (allowlistFor(value) !== null) return;
  if (c.rule.minEntropy !== undefined && entropy(value) < c.rule.minEntropy) return;
  if (c.rule.id === 'generic-assignment' && !genericValueOk(m.group(1) ?? '', value)) return;
  // `postgres://postgres:postgres@…`: a default, not a leaked password.
  if (c.rule.id === 'url-credentials' && m.group(1) === value) return;
  const test = c.rule.testWhen !== undefined && value.includes(c.rule.testWhen);
  out.push({
    rule: c.rule.id,
    provider: c.rule.provider,
    severity: c.generic || c.rule.id === 'jwt' || c.rule.id === 'url-credentials' ? 'P1' : test ? 'P2' : 'P0',
    line: lineOf(starts, start),
    start,
    end,
    masked: maskValue(value),
  });
}

function scanRange(c: Compiled, text: string, from: number, to: number, out: SecretFinding[], starts: number[]): void {
  const slice = from === 0 && to === text.length ? text : text.slice(from, to);
  if (!c.re.test(slice)) return;
  const m = c.re.matcher(slice);
  let pos = 0;
  while (pos <= slice.length && m.find(pos)) {
    pos = Math.max(m.end(), m.start() + 1);
    accept(c, m, from, out, starts);
  }
}

// An assignment is looked for within this many characters of its name, which bounds the work per
// name on hostile text (a longer value is reported by its first part).
const NAMED_WINDOW = 1024;

function isNameChar(c: number): boolean {
  return (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 122) || c === 95 || c === 45 || c === 36;
}

/**
 * generic-assignment starts with the name holding the keyword, so instead of searching each line
 * it is tried once, anchored, where each such name starts (the search kept many regex threads alive
 * at every character, which made it the scanner's main cost).
 */
function scanNames(c: Compiled, text: string, keywordStarts: number[], out: SecretFinding[], starts: number[]): void {
  // Where the last attempt began and where its match ended: a name inside a match was consumed by
  // it, as a search resuming after the match would have.
  let last = -1;
  let consumed = 0;
  for (const k of keywordStarts) {
    if (k < consumed) continue;
    let a = k;
    while (a > consumed && isNameChar(text.charCodeAt(a - 1))) a--;
    if (a === last) continue;
    last = a;
    const line = lineOf(starts, a) - 1;
    // The next line comes along: a value may sit under its name (`<apiToken>\n  value`).
    const stop = Math.min(line + 2 < starts.length ? starts[line + 2]! - 1 : text.length, a + NAMED_WINDOW);
    const m = c.re.matcher(text.slice(a, stop));
    if (!m.lookingAt()) continue;
    consumed = a + m.end();
    accept(c, m, a, out, starts);
  }
}

// One pass over the text finds every rule keyword (ASCII case folded, so offsets stay those of
// `text`); a rule then runs only on the lines where one of its keywords occurred.
const KEYWORDS = [...new Set(ALL.flatMap((c) => c.rule.keywords))];
const KEYWORD_SCANNER = new LiteralScanner(KEYWORDS, { foldAsciiCase: true });
const NAMED_RULE = ALL.findIndex((c) => c.rule.id === 'generic-assignment');
const RULES_OF_KEYWORD: number[][] = KEYWORDS.map((k) => ALL.flatMap((c, i) => (c.rule.keywords.includes(k) ? [i] : [])));

/** Every secret in `text`, in order, overlapping matches resolved to the first and longest. */
export function findSecrets(text: string): SecretFinding[] {
  if (text.length < 8) return [];
  // Lines holding a keyword, per rule (the last line recorded first, to skip repeats cheaply).
  const linesOf: (number[] | undefined)[] = new Array(ALL.length);
  const nameHits: number[] = [];
  let starts: number[] | null = null;
  KEYWORD_SCANNER.forEach(text, (id, end) => {
    starts ??= lineStarts(text);
    const at = end - KEYWORDS[id]!.length;
    const line = lineOf(starts, at) - 1;
    for (const r of RULES_OF_KEYWORD[id]!) {
      if (r === NAMED_RULE) nameHits.push(at);
      const lines = (linesOf[r] ??= []);
      if (lines[lines.length - 1] !== line) lines.push(line);
    }
  });
  if (starts === null) return [];
  const lineStart: number[] = starts;
  const raw: SecretFinding[] = [];
  for (let r = 0; r < ALL.length; r++) {
    const lines = linesOf[r];
    if (!lines) continue;
    const c = ALL[r]!;
    if (r === NAMED_RULE) {
      scanNames(c, text, nameHits, raw, lineStart);
      continue;
    }
    if (MULTILINE.has(c.rule.id) || lineStart.length === 1) {
      scanRange(c, text, 0, text.length, raw, lineStart);
      continue;
    }
    for (const i of lines) {
      const a = lineStart[i]!;
      // The next line comes along: a value may sit under its name (`<apiToken>\n  value`).
      const next = i + 2 < lineStart.length ? lineStart[i + 2]! - 1 : text.length;
      scanRange(c, text, a, next, raw, lineStart);
    }
  }
  // Provider rules were added first: on overlap, keep the earlier-found (more specific) one.
  const kept: SecretFinding[] = [];
  for (const f of raw) {
    if (kept.some((k) => f.start < k.end && k.start < f.end)) continue;
    kept.push(f);
  }
  return kept.sort((a, b) => a.start - b.start);
}

/** `text` with every secret replaced by its masked form; for logs, alerts, proxies and chat. */
export function maskSecrets(text: string): string {
  const found = findSecrets(text);
  if (found.length === 0) return text;
  let out = '';
  let at = 0;
  for (const f of found) {
    out += text.slice(at, f.start) + `[secret ${f.masked}]`;
    at = f.end;
  }
  return out + text.slice(at);
}
