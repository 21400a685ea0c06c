// Inspects one request (target and user agent) for attacks. All matching on the hostile text
// goes through re2js (linear time).
import { RE2JS, RE2Set } from 're2js';
import { normalizeRequest, type NormalizedRequest } from './requestNormalize.js';
import { SCANNER_AGENTS, SENSITIVE_PATHS, SIGNATURES, type AttackCheck, type Signature } from './attackSignatures.js';

export type RequestCheck = AttackCheck | 'null_byte' | 'crlf_injection' | 'scanner_ua';

export interface RequestHit {
  check: RequestCheck;
  /** Which signature or list entry matched (never the matched text itself). */
  rule: string;
}

type SetEntry = { kind: 'signature'; check: AttackCheck; name: string } | { kind: 'sensitive' };

function escapeLiteral(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, (c) => `\\${c}`);
}

// One RE2 set holds every signature and the sensitive-path list: a single DFA pass per request
// says which of them match, whatever their number.
const SET_MEMORY = 16 * 1024 * 1024;

/** Extra signatures (from a verified rule pack) compile alongside the built-in ones. */
export class RequestInspector {
  private readonly set: RE2Set;
  private readonly entries: SetEntry[] = [];
  private readonly sensitive: RE2JS;
  private readonly scanners: string[];
  // Logs repeat a handful of user agents; remembering the verdict per exact string saves the scan.
  private readonly uaVerdicts = new Map<string, string | null>();

  constructor(extra: { signatures?: Signature[]; sensitivePaths?: string[]; scannerAgents?: string[] } = {}) {
    this.set = new RE2Set(RE2Set.UNANCHORED, 0, SET_MEMORY);
    for (const s of [...SIGNATURES, ...(extra.signatures ?? [])]) {
      this.set.add(s.pattern);
      this.entries.push({ kind: 'signature', check: s.check, name: s.name });
    }
    const literal = [...SENSITIVE_PATHS, ...(extra.sensitivePaths ?? [])].map((p) => escapeLiteral(p.toLowerCase())).join('|');
    this.set.add(literal);
    this.entries.push({ kind: 'sensitive' });
    this.set.compile();
    this.sensitive = RE2JS.compile(literal);
    this.scanners = [...SCANNER_AGENTS, ...(extra.scannerAgents ?? [])].map((s) => s.toLowerCase());
  }

  inspect(uri: string, userAgent = ''): { hits: RequestHit[]; normalized: NormalizedRequest } {
    const n = normalizeRequest(uri);
    const hits: RequestHit[] = [];
    if (n.nullByte) hits.push({ check: 'null_byte', rule: 'NUL byte after decoding' });
    if (n.crlf) hits.push({ check: 'crlf_injection', rule: 'CR/LF after decoding' });
    const matched = this.set.match(n.text);
    // Nearly every request matches nothing: no sort and no set for those.
    if (matched.length > 1) matched.sort((x, y) => x - y);
    const seen = matched.length > 1 ? new Set<string>() : null;
    for (const i of matched) {
      const e = this.entries[i]!;
      if (e.kind === 'sensitive') {
        const m = this.sensitive.matcher(n.text);
        hits.push({ check: 'sensitive_file', rule: m.find() ? (m.group() ?? 'sensitive path') : 'sensitive path' });
      } else if (!seen?.has(e.check)) {
        seen?.add(e.check);
        hits.push({ check: e.check, rule: e.name });
      }
    }
    if (userAgent) {
      let s = this.uaVerdicts.get(userAgent);
      if (s === undefined) {
        const ua = userAgent.toLowerCase();
        s = this.scanners.find((x) => ua.includes(x)) ?? null;
        if (this.uaVerdicts.size >= 4096) this.uaVerdicts.clear();
        this.uaVerdicts.set(userAgent, s);
      }
      if (s) hits.push({ check: 'scanner_ua', rule: s });
    }
    return { hits, normalized: n };
  }
}
