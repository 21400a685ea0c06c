// The network policy's laws (docs/containment.md), pure: a destination is parsed and canonicalised the way a
// browser parses a URL's host (so 2130706433, 0x7f.1, 127.1 and 0177.0.0.1 are all 127.0.0.1), deny
// beats allow, a glob never reaches an IP literal, and loopback, private, link-local, metadata and other
// special addresses are reached only by a rule that names that address exactly. A name is judged before
// it is resolved (so an unknown name is not even looked up unless a rule or the operator lets it), and
// every address it resolves to is judged again before the proxy connects to it.
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { NetworkSection } from '../../shared/containPolicy.js';

export interface Destination {
  /** Canonical host: a lower-case name without a trailing dot, an IPv4 dotted quad, or an IPv6 address without brackets. */
  host: string;
  port: number;
  /** The host is an IP literal (in whichever form it was written). */
  literal: boolean;
}

export interface CompiledRule {
  text: string;
  /** A name glob (lower case), or null for an address rule. */
  glob: RegExp | null;
  /** The canonical address an address rule names. */
  address: string | null;
  /** A port, '*' for any, or null for the web's ports (80 and 443). */
  port: number | '*' | null;
}

export type NameVerdict = { verdict: 'allow' | 'deny' | 'ask'; rule: string | null; reason: string };

// Two lists: a BlockList checks an IPv4 address against its IPv6 subnets too (as ::ffff:a.b.c.d).
const SPECIAL_V4 = new BlockList();
const SPECIAL_V6 = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24],
  ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) SPECIAL_V4.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 8], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 23], ['2001:db8::', 32], ['2002::', 16],
  ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) SPECIAL_V6.addSubnet(net, bits, 'ipv6');

/** An IPv6 address that carries an IPv4 one (mapped ::ffff:a.b.c.d) → that IPv4 address; else the address. */
export function canonicalAddress(ip: string): string {
  const v6 = ip.startsWith('[') ? ip.slice(1, -1) : ip;
  if (isIPv4(v6)) return v6;
  if (!isIPv6(v6)) return ip;
  const host = new URL(`http://[${v6}]/`).hostname.slice(1, -1); // compressed, lower case
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (mapped) {
    const hi = parseInt(mapped[1]!, 16);
    const lo = parseInt(mapped[2]!, 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return host;
}

/** Loopback, private, link-local (metadata), unspecified, multicast, documentation and other non-public ranges. */
export function isSpecialAddress(ip: string): boolean {
  const a = canonicalAddress(ip);
  return isIPv4(a) ? SPECIAL_V4.check(a, 'ipv4') : isIPv6(a) ? SPECIAL_V6.check(a, 'ipv6') : true;
}

const NAME = /^[a-z0-9_]([a-z0-9_-]{0,62})(\.[a-z0-9_]([a-z0-9_-]{0,62}))*$/;

/** Parses `host` (as a CONNECT target or URL host gives it, brackets for IPv6) and a port. */
export function parseDestination(hostIn: string, port: number): Destination | { error: string } {
  if (!Number.isInteger(port) || port < 1 || port > 65535) return { error: `bad port ${JSON.stringify(String(port).slice(0, 20))}` };
  if (!hostIn || hostIn.length > 255) return { error: 'bad host: empty or longer than 255 characters' };
  if (hostIn.startsWith('[')) {
    if (!hostIn.endsWith(']') || !isIPv6(hostIn.slice(1, -1))) return { error: 'bad host: not an IPv6 address in brackets' };
    return { host: canonicalAddress(hostIn), port, literal: true };
  }
  if (isIPv6(hostIn)) return { host: canonicalAddress(hostIn), port, literal: true };
  // Only name characters reach the URL parser (it would read `a/b` as `a` and `u@h` as `h`).
  if (!/^[A-Za-z0-9._-]+$/.test(hostIn)) return { error: `bad host ${JSON.stringify(hostIn.slice(0, 80))}` };
  let host: string;
  try {
    host = new URL(`http://${hostIn}/`).hostname;
  } catch {
    return { error: `bad host ${JSON.stringify(hostIn.slice(0, 80))}` };
  }
  if (isIPv4(host)) return { host, port, literal: true };
  host = host.replace(/\.$/, '');
  if (!NAME.test(host)) return { error: `bad host ${JSON.stringify(hostIn.slice(0, 80))}` };
  return { host, port, literal: false };
}

export function formatDestination(d: { host: string; port: number }): string {
  return `${isIPv6(d.host) ? `[${d.host}]` : d.host}:${d.port}`;
}

/** Compiles one rule text (validated by the policy schema). */
export function compileRule(text: string): CompiledRule {
  let hostPart = text;
  let port: CompiledRule['port'] = null;
  const m = /^(.*):(\d{1,5}|\*)$/.exec(text);
  if (m && (!text.includes('[') || m[1]!.endsWith(']'))) {
    hostPart = m[1]!;
    port = m[2] === '*' ? '*' : Number(m[2]);
  }
  const bare = hostPart.startsWith('[') ? hostPart.slice(1, -1) : hostPart;
  if (isIPv6(bare) || isIPv4(bare)) return { text, glob: null, address: canonicalAddress(bare), port };
  const lower = hostPart.toLowerCase().replace(/\.$/, '');
  const re = new RegExp(`^${lower.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\-]/g, '\\$&')).join('[a-z0-9_.-]*')}$`);
  return { text, glob: re, address: null, port };
}

function portMatches(rule: CompiledRule, port: number): boolean {
  return rule.port === '*' || (rule.port === null ? port === 80 || port === 443 : rule.port === port);
}

/** A rule naming this address (canonical) exactly, with a port that matches. */
function namesAddress(rules: CompiledRule[], address: string, port: number): CompiledRule | undefined {
  const a = canonicalAddress(address);
  return rules.find((r) => r.address === a && portMatches(r, port));
}

function namesHost(rules: CompiledRule[], host: string, port: number): CompiledRule | undefined {
  return rules.find((r) => r.glob !== null && r.glob.test(host) && portMatches(r, port));
}

export interface CompiledNetwork {
  default: NetworkSection['default'];
  allow: CompiledRule[];
  deny: CompiledRule[];
}

export function compileNetwork(section: NetworkSection): CompiledNetwork {
  return { default: section.default, allow: section.allow.map(compileRule), deny: section.deny.map(compileRule) };
}

/** The verdict on a destination as asked, before any name is resolved. */
export function decideName(net: CompiledNetwork, d: Destination): NameVerdict {
  if (d.literal) {
    const denied = namesAddress(net.deny, d.host, d.port);
    if (denied) return { verdict: 'deny', rule: denied.text, reason: `denied by network rule ${denied.text}` };
    const allowed = namesAddress(net.allow, d.host, d.port);
    if (allowed) return { verdict: 'allow', rule: allowed.text, reason: `allowed by network rule ${allowed.text}` };
    if (isSpecialAddress(d.host)) return { verdict: 'deny', rule: null, reason: `${d.host} is a loopback, private, link-local or reserved address and no rule names it exactly` };
    return defaultVerdict(net, d);
  }
  const denied = namesHost(net.deny, d.host, d.port);
  if (denied) return { verdict: 'deny', rule: denied.text, reason: `denied by network rule ${denied.text}` };
  const allowed = namesHost(net.allow, d.host, d.port);
  if (allowed) return { verdict: 'allow', rule: allowed.text, reason: `allowed by network rule ${allowed.text}` };
  if (net.allow.some((r) => r.glob?.test(d.host)) && net.default !== 'allow')
    return { verdict: net.default, rule: null, reason: `port ${d.port} of ${d.host} is not named by a rule (network.default: ${net.default})` };
  return defaultVerdict(net, d);
}

function defaultVerdict(net: CompiledNetwork, d: Destination): NameVerdict {
  return { verdict: net.default, rule: null, reason: `no network rule names ${formatDestination(d)} (network.default: ${net.default})` };
}

/** Judges an address a name resolved to: denied by an address rule, or special and not named exactly. */
export function checkAddress(net: CompiledNetwork, address: string, port: number): { ok: true } | { ok: false; rule: string | null; reason: string } {
  const denied = namesAddress(net.deny, address, port);
  if (denied) return { ok: false, rule: denied.text, reason: `the name resolves to ${address}, denied by network rule ${denied.text}` };
  if (isSpecialAddress(address) && !namesAddress(net.allow, address, port))
    return { ok: false, rule: null, reason: `the name resolves to ${canonicalAddress(address)}, a loopback, private, link-local or reserved address that no rule names exactly` };
  return { ok: true };
}
