// Inspects one request (target and user agent) for attacks. All matching on the hostile text
// goes through re2js (linear time); a character prefilter lets plain requests skip the signatures.
import { RE2JS } from 're2js';
import { normalizeRequest, type NormalizedRequest } from './requestNormalize.js';
import { SCANNER_AGENTS, SENSITIVE_PATHS, SIGNATURES, type AttackCheck, type Signature } from './attackSignatures.js';

export type RequestCheck = AttackCheck | 'null_byte' | 'crlf_injection' | 'scanner_ua';

export interface RequestHit {
  check: RequestCheck;
  /** Which signature or list entry matched (never the matched text itself). */
  rule: string;
}

interface CompiledCheck {
  check: AttackCheck;
  any: RE2JS;
  each: { name: string; re: RE2JS }[];
}

function escapeLiteral(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, (c) => `\\${c}`);
}

/** Extra signatures (from a verified rule pack) compile alongside the built-in ones. */
export class RequestInspector {
  private readonly checks: CompiledCheck[];
  /** A pack's signatures: the built-in prefilter knows nothing of them, so they always run. */
  private readonly extraChecks: CompiledCheck[];
  private readonly sensitive: RE2JS;
  private readonly sensitiveList: string[];
  private readonly scanners: string[];

  constructor(extra: { signatures?: Signature[]; sensitivePaths?: string[]; scannerAgents?: string[] } = {}) {
    this.checks = compileChecks(SIGNATURES);
    this.extraChecks = compileChecks(extra.signatures ?? []);
    this.sensitiveList = [...SENSITIVE_PATHS, ...(extra.sensitivePaths ?? [])].map((p) => p.toLowerCase());
    this.sensitive = RE2JS.compile(this.sensitiveList.map(escapeLiteral).join('|'));
    this.scanners = [...SCANNER_AGENTS, ...(extra.scannerAgents ?? [])].map((s) => s.toLowerCase());
  }

  inspect(uri: string, userAgent = ''): { hits: RequestHit[]; normalized: NormalizedRequest } {
    const n = normalizeRequest(uri);
    const hits: RequestHit[] = [];
    if (n.nullByte) hits.push({ check: 'null_byte', rule: 'NUL byte after decoding' });
    if (n.crlf) hits.push({ check: 'crlf_injection', rule: 'CR/LF after decoding' });
    const groups = mayBeAttack(n.text) ? [this.checks, this.extraChecks] : [this.extraChecks];
    for (const group of groups) {
      for (const c of group) {
        if (hits.some((h) => h.check === c.check) || !c.any.test(n.text)) continue;
        const named = c.each.find((e) => e.re.test(n.text));
        hits.push({ check: c.check, rule: named?.name ?? c.check });
      }
    }
    if (this.sensitive.test(n.text)) {
      const m = this.sensitive.matcher(n.text);
      hits.push({ check: 'sensitive_file', rule: m.find() ? (m.group() ?? 'sensitive path') : 'sensitive path' });
    }
    if (userAgent) {
      const ua = userAgent.toLowerCase();
      const s = this.scanners.find((x) => ua.includes(x));
      if (s) hits.push({ check: 'scanner_ua', rule: s });
    }
    return { hits, normalized: n };
  }
}

function compileChecks(sigs: Signature[]): CompiledCheck[] {
  const byCheck = new Map<AttackCheck, Signature[]>();
  for (const s of sigs) byCheck.set(s.check, [...(byCheck.get(s.check) ?? []), s]);
  return [...byCheck].map(([check, list]) => ({
    check,
    any: RE2JS.compile(list.map((s) => `(?:${s.pattern})`).join('|')),
    each: list.map((s) => ({ name: s.name, re: RE2JS.compile(s.pattern) })),
  }));
}

// Characters and pairs without which none of the injection signatures can match; '&' and '='
// alone are everywhere in query strings, so they do not count.
const TRIGGER = new Uint8Array(128);
for (const ch of `'"<>;|$(){}[]\`\\@:*!^~,# %`) TRIGGER[ch.charCodeAt(0)] = 1;

function mayBeAttack(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || TRIGGER[c]) return true;
    if (c === 46 && s.charCodeAt(i + 1) === 46) return true; // ..
    if (c === 38 && s.charCodeAt(i + 1) === 38) return true; // &&
  }
  return false;
}
