// SOCKS5 (RFC 1928) as the egress proxy speaks it, pure: the client's greeting and its request read
// incrementally from whatever chunks the socket gives, with every length bounded by the format (a
// greeting is at most 257 bytes, a request at most 262), so nothing is buffered beyond one of each.
// Only "no authentication" (method 0x00) and the CONNECT command are accepted; BIND and UDP ASSOCIATE
// are refused (0x07). The destination is handed on as text, exactly as a CONNECT line would give it
// (`[v6]` in brackets, a domain name as sent), so the same parser and laws decide it (networkPolicy.ts).

/** Reply codes (RFC 1928 §6). */
export const SOCKS_REPLY = {
  succeeded: 0x00,
  generalFailure: 0x01,
  notAllowed: 0x02,
  networkUnreachable: 0x03,
  hostUnreachable: 0x04,
  connectionRefused: 0x05,
  ttlExpired: 0x06,
  commandNotSupported: 0x07,
  addressTypeNotSupported: 0x08,
} as const;

export type SocksReplyCode = (typeof SOCKS_REPLY)[keyof typeof SOCKS_REPLY];

const VERSION = 0x05;
const NO_AUTH = 0x00;
const NO_ACCEPTABLE_METHOD = Buffer.from([VERSION, 0xff]);
const METHOD_CHOSEN = Buffer.from([VERSION, NO_AUTH]);
const COMMANDS: Record<number, string> = { 1: 'CONNECT', 2: 'BIND', 3: 'UDP ASSOCIATE' };

/**
 * A reply to the request: VER REP RSV ATYP BND.ADDR BND.PORT. The bound address is always 0.0.0.0:0
 * (clients ignore it for CONNECT; the engine's own address is nothing the sandbox needs to learn).
 */
export function socksReply(code: SocksReplyCode): Buffer {
  return Buffer.from([VERSION, code, 0x00, 0x01, 0, 0, 0, 0, 0, 0]);
}

/** The reply for an upstream connection that failed (connect errors by errno; a timeout is 0x06). */
export function socksReplyForError(err: NodeJS.ErrnoException): SocksReplyCode {
  switch (err.code) {
    case 'ECONNREFUSED':
      return SOCKS_REPLY.connectionRefused;
    case 'EHOSTUNREACH':
    case 'EHOSTDOWN':
      return SOCKS_REPLY.hostUnreachable;
    case 'ENETUNREACH':
    case 'ENETDOWN':
      return SOCKS_REPLY.networkUnreachable;
    case 'ETIMEDOUT':
      return SOCKS_REPLY.ttlExpired;
    default:
      return SOCKS_REPLY.generalFailure;
  }
}

/** What a chunk of the handshake came to. `send` is what to write to the client first (may be null). */
export type SocksStep =
  | { step: 'more'; send: Buffer | null }
  | { step: 'connect'; send: Buffer | null; host: string; port: number; rest: Buffer }
  | { step: 'refused'; send: Buffer | null; reason: string };

type Parsed<T> = { more: true } | { error: string; reply: Buffer | null } | ({ used: number } & T);

/** The greeting: VER NMETHODS METHODS… (RFC 1928 §3). */
function parseGreeting(b: Buffer): Parsed<object> {
  if (b.length < 1) return { more: true };
  if (b[0] !== VERSION) return { error: `not SOCKS version 5 (version byte ${b[0]})`, reply: null };
  if (b.length < 2) return { more: true };
  const n = b[1]!;
  if (n === 0) return { error: 'the SOCKS greeting offers no method', reply: NO_ACCEPTABLE_METHOD };
  if (b.length < 2 + n) return { more: true };
  if (!b.subarray(2, 2 + n).includes(NO_AUTH)) return { error: 'the SOCKS greeting does not offer method 0x00 (no authentication), the only one accepted', reply: NO_ACCEPTABLE_METHOD };
  return { used: 2 + n };
}

/** The request: VER CMD RSV ATYP DST.ADDR DST.PORT (RFC 1928 §4), each byte checked as soon as it is there. */
function parseRequest(b: Buffer): Parsed<{ host: string; port: number }> {
  const refuse = (code: SocksReplyCode, error: string) => ({ error, reply: socksReply(code) });
  if (b.length >= 1 && b[0] !== VERSION) return refuse(SOCKS_REPLY.generalFailure, `malformed SOCKS request: version byte ${b[0]}`);
  if (b.length >= 2 && b[1] !== 1) return refuse(SOCKS_REPLY.commandNotSupported, `SOCKS command ${COMMANDS[b[1]!] ?? `0x${b[1]!.toString(16)}`} is not supported (only CONNECT)`);
  if (b.length >= 3 && b[2] !== 0) return refuse(SOCKS_REPLY.generalFailure, 'malformed SOCKS request: the reserved byte is not 0');
  if (b.length < 4) return { more: true };
  let at = 4;
  let len: number;
  switch (b[3]) {
    case 0x01:
      len = 4;
      break;
    case 0x04:
      len = 16;
      break;
    case 0x03:
      if (b.length < 5) return { more: true };
      len = b[4]!;
      at = 5;
      if (len === 0) return refuse(SOCKS_REPLY.generalFailure, 'malformed SOCKS request: an empty domain name');
      break;
    default:
      return refuse(SOCKS_REPLY.addressTypeNotSupported, `SOCKS address type 0x${b[3]!.toString(16)} is not supported`);
  }
  // A domain's bytes are checked as they come: a name is printable ASCII (IDNs are sent as punycode).
  const seen = b.subarray(at, Math.min(b.length, at + len));
  if (b[3] === 0x03 && seen.some((c) => c < 0x21 || c > 0x7e)) return refuse(SOCKS_REPLY.generalFailure, 'malformed SOCKS request: a domain name with bytes that are not printable ASCII');
  if (b.length < at + len + 2) return { more: true };
  const addr = b.subarray(at, at + len);
  const host =
    b[3] === 0x01 ? [...addr].join('.') : b[3] === 0x04 ? `[${Array.from({ length: 8 }, (_, i) => addr.readUInt16BE(i * 2).toString(16)).join(':')}]` : addr.toString('latin1');
  return { used: at + len + 2, host, port: b.readUInt16BE(at + len) };
}

/**
 * One connection's handshake: push each chunk the client sends; the answer says what to write back and
 * whether the request is complete (`connect`, with any bytes the client sent after it in `rest`),
 * refused (write `send`, then close) or still incomplete. Nothing is kept after `connect` or `refused`.
 */
export class SocksHandshake {
  private buf: Buffer = Buffer.alloc(0);
  private phase: 'greeting' | 'request' | 'over' = 'greeting';

  push(chunk: Buffer): SocksStep {
    if (this.phase === 'over') throw new Error('the SOCKS handshake is over');
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    let send: Buffer | null = null;
    if (this.phase === 'greeting') {
      const g = parseGreeting(this.buf);
      if ('more' in g) return { step: 'more', send: null };
      if ('error' in g) return this.over({ step: 'refused', send: g.reply, reason: g.error });
      send = METHOD_CHOSEN;
      this.buf = this.buf.subarray(g.used);
      this.phase = 'request';
    }
    const r = parseRequest(this.buf);
    if ('more' in r) return { step: 'more', send };
    if ('error' in r) return this.over({ step: 'refused', send: join(send, r.reply), reason: r.error });
    return this.over({ step: 'connect', send, host: r.host, port: r.port, rest: this.buf.subarray(r.used) });
  }

  private over(s: SocksStep): SocksStep {
    this.phase = 'over';
    this.buf = Buffer.alloc(0);
    return s;
  }
}

function join(a: Buffer | null, b: Buffer | null): Buffer | null {
  return a && b ? Buffer.concat([a, b]) : (a ?? b);
}
