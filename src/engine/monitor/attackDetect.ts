// Inspects one request (target and user agent) for attacks. All matching on the hostile text
// goes through re2js (linear time).
import { RE2JS, RE2Set } from 're2js';
import { normalizeRequest, type NormalizedRequest } from './requestNormalize.js';
import { SCANNER_AGENTS, SENSITIVE_PATHS, SIGNATURES, type AttackCheck, type Signature } from './attackSignatures.js';
import { VerdictCache } from './verdictCache.js';

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

/** Request targets remembered with their verdict (per generation; see verdictCache.ts). */
export const DEFAULT_VERDICT_CACHE = 4096;

export interface InspectorOptions {
  signatures?: Signature[];
  sensitivePaths?: string[];
  scannerAgents?: string[];
  /** How many request targets to remember with their verdict; 0 turns it off (user agents are always remembered). */
  verdictCache?: number;
}

interface TargetVerdict {
  hits: readonly RequestHit[];
  normalized: NormalizedRequest;
}

/** Extra signatures (from a verified rule pack) compile alongside the built-in ones. */
export class RequestInspector {
  private readonly set: RE2Set;
  private readonly entries: SetEntry[] = [];
  private readonly sensitive: RE2JS;
  private readonly scanners: string[];
  // Logs repeat their requests and, even more, their user agents: a verdict is a function of the
  // exact text, so it is remembered instead of decoded and matched again.
  private readonly targetVerdicts: VerdictCache<TargetVerdict>;
  private readonly uaVerdicts: VerdictCache<string | null>;

  constructor(extra: InspectorOptions = {}) {
    this.targetVerdicts = new VerdictCache(extra.verdictCache ?? DEFAULT_VERDICT_CACHE);
    this.uaVerdicts = new VerdictCache(DEFAULT_VERDICT_CACHE);
    this.set = new RE2Set(RE2Set.UNANCHORED, 0, SET_MEMORY);
    // The text matched is lower-cased first; a pack's pattern may be written in any case.
    for (const s of [...SIGNATURES, ...(extra.signatures ?? []).map((x) => ({ ...x, pattern: `(?i)${x.pattern}` }))]) {
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

  /**
   * Checks a request target and user agent. `hits` is the caller's to reorder; `normalized` may be
   * shared with other calls for the same target and must not be changed.
   */
  inspect(uri: string, userAgent = ''): { hits: RequestHit[]; normalized: NormalizedRequest } {
    let target = this.targetVerdicts.get(uri);
    if (target === undefined) {
      target = this.inspectTarget(uri);
      this.targetVerdicts.set(uri, target);
    }
    const scanner = userAgent ? this.scannerIn(userAgent) : null;
    const hits = target.hits.length > 0 ? target.hits.slice() : [];
    if (scanner) hits.push({ check: 'scanner_ua', rule: scanner });
    return { hits, normalized: target.normalized };
  }

  private inspectTarget(uri: string): TargetVerdict {
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
    return { hits, normalized: n };
  }

  /** The scanner name a user agent announces, or null. */
  private scannerIn(userAgent: string): string | null {
    let s = this.uaVerdicts.get(userAgent);
    if (s === undefined) {
      const ua = userAgent.toLowerCase();
      s = this.scanners.find((x) => ua.includes(x)) ?? null;
      this.uaVerdicts.set(userAgent, s);
    }
    return s;
  }
}
