// The SOCKS5 handshake parser (socksHandshake.ts): every well-formed request whole, pipelined and split
// byte by byte; every malformed form refused with the reply RFC 1928 gives it, as soon as the bad byte is
// there; nothing buffered beyond the format's bounds.
import { describe, expect, it } from 'vitest';
import { SOCKS_REPLY, SocksHandshake, socksReply, socksReplyForError, type SocksStep } from '../../../src/engine/contain/socksHandshake.js';

const GREETING = Buffer.from([5, 1, 0]);
const CHOSEN = Buffer.from([5, 0]);
const b = (...x: Array<number | string | number[] | Buffer>) =>
  Buffer.concat(x.map((v) => (typeof v === 'string' ? Buffer.from(v, 'latin1') : typeof v === 'number' ? Buffer.from([v]) : Buffer.from(v))));
const port = (p: number) => [p >> 8, p & 255];
const req = (atyp: number, addr: Buffer | number[], p = 443, cmd = 1) => b(5, cmd, 0, atyp, Buffer.isBuffer(addr) ? [...addr] : addr, port(p));
const domain = (name: string, p = 443) => req(3, b(name.length, name), p);

/** Pushes the chunks one after another; returns every step. */
function feed(...chunks: Buffer[]): SocksStep[] {
  const h = new SocksHandshake();
  return chunks.map((c) => h.push(c));
}

/** The last step after sending `bytes` in one chunk, and again one byte at a time (must agree). */
function both(bytes: Buffer): SocksStep {
  const whole = feed(bytes).at(-1)!;
  const h = new SocksHandshake();
  const sent: Buffer[] = [];
  let last: SocksStep = { step: 'more', send: null };
  for (const byte of bytes) {
    last = h.push(Buffer.from([byte]));
    if (last.send) sent.push(last.send);
    if (last.step !== 'more') break;
  }
  expect({ ...last, send: Buffer.concat(sent) }).toEqual({ ...whole, send: whole.send ?? Buffer.alloc(0) });
  return whole;
}

describe('the SOCKS5 handshake', () => {
  it('reads a CONNECT to an IPv4 address, a domain name and an IPv6 address', () => {
    expect(both(b(GREETING, req(1, [127, 0, 0, 2], 8080)))).toEqual({ step: 'connect', send: CHOSEN, host: '127.0.0.2', port: 8080, rest: Buffer.alloc(0) });
    expect(both(b(GREETING, domain('example.test', 443)))).toMatchObject({ step: 'connect', host: 'example.test', port: 443 });
    const v6 = Buffer.alloc(16);
    v6[15] = 1;
    expect(both(b(GREETING, req(4, v6, 80)))).toMatchObject({ step: 'connect', host: '[0:0:0:0:0:0:0:1]', port: 80 });
    const mapped = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1]);
    expect(both(b(GREETING, req(4, mapped, 80)))).toMatchObject({ host: '[0:0:0:0:0:ffff:7f00:1]' });
  });

  it('answers the greeting at once, and the request when it comes', () => {
    const [g, r] = feed(GREETING, domain('a.test'));
    expect(g).toEqual({ step: 'more', send: CHOSEN });
    expect(r).toEqual({ step: 'connect', send: null, host: 'a.test', port: 443, rest: Buffer.alloc(0) });
  });

  it('passes on what the client sent after the request (pipelined early data), and only that', () => {
    const s = feed(b(GREETING, domain('a.test'), 'GET / HTTP/1.1\r\n'))[0]!;
    expect(s).toMatchObject({ step: 'connect', rest: Buffer.from('GET / HTTP/1.1\r\n') });
  });

  it('hands literal tricks written as names on as written, for the shared parser to canonicalise', () => {
    for (const name of ['2130706433', '0x7f.1', '127.1', '0.0.0.0', '[::ffff:127.0.0.1]', '::1', 'localhost']) expect(both(b(GREETING, domain(name, 80)))).toMatchObject({ step: 'connect', host: name });
  });

  it('a greeting without method 0x00, or with none, gets 0xFF', () => {
    expect(both(b(5, 2, 1, 2))).toEqual({ step: 'refused', send: Buffer.from([5, 0xff]), reason: expect.stringMatching(/does not offer method 0x00/) });
    expect(both(b(5, 0))).toMatchObject({ step: 'refused', send: Buffer.from([5, 0xff]), reason: expect.stringMatching(/no method/) });
    // 0x00 among others is accepted.
    expect(both(b(5, 3, 2, 1, 0, domain('a.test')))).toMatchObject({ step: 'connect', send: CHOSEN });
  });

  it('another version is refused without a reply (not SOCKS5)', () => {
    expect(feed(b(4, 1, 0, 80, 127, 0, 0, 1, 0))[0]).toEqual({ step: 'refused', send: null, reason: expect.stringMatching(/not SOCKS version 5/) });
  });

  it('BIND, UDP ASSOCIATE and unknown commands get 0x07', () => {
    for (const [cmd, name] of [[2, 'BIND'], [3, 'UDP ASSOCIATE'], [9, '0x9']] as const) {
      const s = both(b(GREETING, req(1, [127, 0, 0, 2], 80, cmd)));
      expect(s).toEqual({ step: 'refused', send: b(CHOSEN, socksReply(SOCKS_REPLY.commandNotSupported)), reason: expect.stringContaining(name) });
    }
  });

  it('an unknown address type gets 0x08', () => {
    expect(both(b(GREETING, 5, 1, 0, 2, [1, 2, 3, 4], port(80)))).toMatchObject({ step: 'refused', send: b(CHOSEN, socksReply(SOCKS_REPLY.addressTypeNotSupported)) });
  });

  it('malformed requests get 0x01: wrong version, reserved byte set, an empty or unprintable domain', () => {
    const general = b(CHOSEN, socksReply(SOCKS_REPLY.generalFailure));
    expect(both(b(GREETING, 4, 1, 0, 1, [1, 2, 3, 4], port(80)))).toMatchObject({ step: 'refused', send: general, reason: expect.stringMatching(/version byte 4/) });
    expect(both(b(GREETING, 5, 1, 1, 1, [1, 2, 3, 4], port(80)))).toMatchObject({ step: 'refused', send: general, reason: expect.stringMatching(/reserved byte/) });
    expect(both(b(GREETING, 5, 1, 0, 3, 0, port(80)))).toMatchObject({ step: 'refused', send: general, reason: expect.stringMatching(/empty domain/) });
    for (const bad of ['a b.test', 'a\0.test', 'a\r\n.test', 'é.test', 'a\x7f.test']) {
      expect(both(b(GREETING, domain(bad))), JSON.stringify(bad)).toMatchObject({ step: 'refused', send: general, reason: expect.stringMatching(/not printable ASCII/) });
    }
  });

  it('refuses a bad byte as soon as it arrives, before the rest of the request', () => {
    const h = new SocksHandshake();
    expect(h.push(GREETING)).toMatchObject({ step: 'more' });
    expect(h.push(b(5, 2))).toMatchObject({ step: 'refused' });
    const h2 = new SocksHandshake();
    h2.push(GREETING);
    // A domain length of 255 announced, then a control byte: refused without waiting for the 255.
    expect(h2.push(b(5, 1, 0, 3, 255, 'abc\n'))).toMatchObject({ step: 'refused', reason: expect.stringMatching(/not printable/) });
  });

  it('waits for an incomplete greeting or request and never holds more than one of each', () => {
    const h = new SocksHandshake();
    expect(h.push(b(5, 255))).toEqual({ step: 'more', send: null });
    expect(h.push(Buffer.alloc(254, 1))).toEqual({ step: 'more', send: null });
    expect(h.push(b(0))).toEqual({ step: 'more', send: CHOSEN });
    // The longest request: a 255-byte name, announced and then sent in two halves.
    expect(h.push(b(5, 1, 0, 3, 255, 'a'.repeat(200)))).toEqual({ step: 'more', send: null });
    const last = h.push(b('a'.repeat(55), port(1)));
    expect(last).toMatchObject({ step: 'connect', host: 'a'.repeat(255), port: 1 });
    expect(() => h.push(b(0))).toThrow(/over/);
  });

  it('maps connect failures to reply codes', () => {
    const e = (code: string) => Object.assign(new Error(code), { code });
    expect(socksReplyForError(e('ECONNREFUSED'))).toBe(0x05);
    expect(socksReplyForError(e('EHOSTUNREACH'))).toBe(0x04);
    expect(socksReplyForError(e('ENETUNREACH'))).toBe(0x03);
    expect(socksReplyForError(e('ETIMEDOUT'))).toBe(0x06);
    expect(socksReplyForError(e('EWHATEVER'))).toBe(0x01);
    expect(socksReply(SOCKS_REPLY.notAllowed)).toEqual(Buffer.from([5, 2, 0, 1, 0, 0, 0, 0, 0, 0]));
  });
});

describe('a SOCKS destination and the shared canonicalisation', () => {
  it('an IPv4-mapped IPv6 address, and every literal trick written as a name, come to the address CONNECT gets', async () => {
    const { parseDestination } = await import('../../../src/engine/contain/networkPolicy.js');
    const mapped = feed(b(GREETING, req(4, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1], 80)))[0] as { host: string };
    expect(parseDestination(mapped.host, 80)).toEqual({ host: '127.0.0.1', port: 80, literal: true });
    for (const name of ['2130706433', '0x7f.1', '127.1', '0177.0.0.1', '[::ffff:127.0.0.1]']) {
      const s = feed(b(GREETING, domain(name, 80)))[0] as { host: string };
      expect(parseDestination(s.host, 80), name).toEqual({ host: '127.0.0.1', port: 80, literal: true });
    }
  });
});
