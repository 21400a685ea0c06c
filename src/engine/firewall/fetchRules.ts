// Fetch rules (docs/policy.md) under the network laws of §11: deny beats allow; loopback, private,
// link-local and metadata addresses are denied unless a rule names that address exactly (no glob
// reaches them); only http and https. The URL is parsed as a browser would (WHATWG), so
// `http://2130706433/`, `http://0x7f000001/` and `http://127.1/` are all seen as 127.0.0.1.
import { isIP } from 'node:net';
import type { Verdict } from '../../shared/firewall.js';
import { globWord } from './patterns.js';
import type { FetchRules } from './policySchema.js';

export interface FetchVerdict {
  verdict: Verdict | null;
  rule: string;
  note: string;
}

const DOTTED_QUAD = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

function v4(host: string): number[] | null {
  // The regex first: most hosts are names, and isIP tries IPv6's slower grammar before saying no.
  if (!DOTTED_QUAD.test(host) || isIP(host) !== 4) return null;
  return host.split('.').map(Number);
}

/** Loopback, private, link-local, CGNAT, unspecified or cloud-metadata: an address inside the host or its network. */
export function isInternalAddress(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  const a = v4(h);
  if (a) {
    const [x, y] = a as [number, number];
    return x === 127 || x === 10 || x === 0 || (x === 172 && y >= 16 && y <= 31) || (x === 192 && y === 168) || (x === 169 && y === 254) || (x === 100 && y >= 64 && y <= 127);
  }
  if (h.includes(':') && isIP(h) === 6) {
    if (h === '::1' || h === '::') return true;
    if (/^f[cd][0-9a-f]{2}:/.test(h)) return true; // fc00::/7 (includes the AWS metadata fd00:ec2::254)
    if (/^fe[89ab][0-9a-f]:/.test(h)) return true; // fe80::/10
    const mapped = /^::ffff:(.+)$/.exec(h);
    if (mapped) {
      const tail = mapped[1]!;
      if (isIP(tail) === 4) return isInternalAddress(tail);
      const m = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(tail);
      if (m) {
        const n = (parseInt(m[1]!, 16) << 16) | parseInt(m[2]!, 16);
        return isInternalAddress(`${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`);
      }
    }
    return false;
  }
  // Names that mean the host itself or a metadata service.
  return h === 'localhost' || h.endsWith('.localhost') || h === 'metadata' || h === 'metadata.google.internal' || h.endsWith('.internal') || h === 'instance-data' || h === 'instance-data.ec2.internal';
}

function hostMatches(glob: string, host: string, port: string): boolean {
  const g = glob.toLowerCase();
  const [gh, gp] = g.startsWith('[') ? [g.slice(0, g.indexOf(']') + 1), g.slice(g.indexOf(']') + 2) || null] : (g.split(':') as [string, string | undefined]);
  if (gp && gp !== port) return false;
  const parts = gh!.split('*');
  if (globWord(parts, host)) return true;
  // `*.github.com` also names github.com itself.
  return gh!.startsWith('*.') && host === gh!.slice(2);
}

function exactly(glob: string, host: string, port: string): boolean {
  const g = glob.toLowerCase();
  return g === host || g === `${host}:${port}`;
}

/** Judges a URL against the fetch rules. A null verdict = no rule names it (the caller decides what a miss means). */
export function judgeFetch(rules: FetchRules, raw: string): FetchVerdict {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { verdict: 'deny', rule: 'fetch: (not a URL)', note: `${JSON.stringify(raw.slice(0, 80))} is not a URL` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { verdict: 'deny', rule: 'fetch: http and https only', note: `scheme ${url.protocol} is not fetched` };
  if (url.username || url.password) return { verdict: 'deny', rule: 'fetch: no credentials in URLs', note: 'the URL carries credentials' };
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  for (const d of rules.deny) if (hostMatches(d, host, port)) return { verdict: 'deny', rule: `fetch.deny: ${d}`, note: `${host} matches fetch.deny ${JSON.stringify(d)}` };
  if (isInternalAddress(host)) {
    const named = rules.allow.find((a) => exactly(a, host, port));
    if (named) return { verdict: 'allow', rule: `fetch.allow: ${named}`, note: `${host} is named exactly by fetch.allow` };
    return { verdict: 'deny', rule: 'network law: internal addresses', note: `${host} is a loopback, private, link-local or metadata address; only a rule naming it exactly allows it` };
  }
  const allow = rules.allow.find((a) => hostMatches(a, host, port));
  if (allow) return { verdict: 'allow', rule: `fetch.allow: ${allow}`, note: `${host} matches fetch.allow ${JSON.stringify(allow)}` };
  if (rules.default) return { verdict: rules.default, rule: `fetch.default: ${rules.default}`, note: `${host} matches no fetch rule` };
  return { verdict: null, rule: '', note: `${host} matches no fetch rule` };
}
