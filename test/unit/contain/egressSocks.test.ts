// SOCKS5 on the egress proxy's socket (egressProxy.ts): told from HTTP by the first byte, decided by the
// same decide() as CONNECT (with via), answered in SOCKS replies, and bounded in time. A real proxy on a
// unix socket, a real server on loopback, a stub decision.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEgressProxy, type EgressProxy } from '../../../src/engine/contain/egressProxy.js';
import type { EgressVia } from '../../../src/engine/contain/egressTunnel.js';
import type { NetworkDecision } from '../../../src/shared/containPolicy.js';

const GREETING = Buffer.from([5, 1, 0]);
const connectTo = (name: string, port: number) => Buffer.concat([Buffer.from([5, 1, 0, 3, name.length]), Buffer.from(name), Buffer.from([port >> 8, port & 255])]);

/** Writes each chunk (a pause between), resolves with every byte back once the proxy closes (or after ms). */
function talk(path: string, chunks: Array<string | Buffer>, ms = 5_000, gapMs = 20): Promise<{ got: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    const s = connect(path);
    const got: Buffer[] = [];
    let closed = false;
    const done = () => {
      clearTimeout(t);
      s.destroy();
      resolve({ got: Buffer.concat(got), closed });
    };
    const t = setTimeout(done, ms);
    s.on('data', (d) => got.push(d));
    s.on('close', () => {
      closed = true;
      done();
    });
    s.on('error', () => {});
    void (async () => {
      for (const c of chunks) {
        if (s.destroyed) return;
        s.write(c);
        await new Promise((r) => setTimeout(r, gapMs));
      }
    })();
  });
}

describe('SOCKS5 on the egress proxy', () => {
  let dir: string;
  let server: Server;
  let port = 0;
  let closedPort = 0;
  let proxy: EgressProxy;
  const asked: Array<{ host: string; port: number; via: EgressVia }> = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gh-socks-'));
    // Answers each connection with what it was sent, upper-cased, then closes.
    server = createServer((s) => s.on('data', (d) => s.end(d.toString().toUpperCase())));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as { port: number }).port;
    const spare = createServer();
    await new Promise<void>((r) => spare.listen(0, '127.0.0.1', () => r()));
    closedPort = (spare.address() as { port: number }).port;
    await new Promise<void>((r) => spare.close(() => r()));
    const decide = async (host: string, p: number, via: EgressVia): Promise<NetworkDecision> => {
      asked.push({ host, port: p, via });
      const base = { destination: `${host}:${p}`, rule: null, source: 'policy' as const };
      if (host === 'allowed.test') return { ...base, decision: 'allow', address: '127.0.0.1', reason: 'test allow' };
      if (host === 'nowhere.test') return { ...base, decision: 'deny', address: null, reason: 'nowhere.test could not be resolved (ENOTFOUND)', unresolved: true };
      return { ...base, decision: 'deny', address: null, reason: 'test deny' };
    };
    proxy = await startEgressProxy(join(dir, 'p.sock'), decide, pino({ level: 'silent' }), { headersTimeoutMs: 500 });
  });

  afterAll(async () => {
    await proxy.close();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an allowed destination: method 0x00, reply 0x00, then the tunnel both ways; decided with via socks5', async () => {
    const r = await talk(proxy.path, [GREETING, connectTo('allowed.test', port), 'hello']);
    expect(r.got).toEqual(Buffer.concat([Buffer.from([5, 0]), Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]), Buffer.from('HELLO')]));
    expect(asked.at(-1)).toEqual({ host: 'allowed.test', port, via: 'socks5' });
  });

  it('greeting, request and data in one write (pipelined) reach the destination in order', async () => {
    const r = await talk(proxy.path, [Buffer.concat([GREETING, connectTo('allowed.test', port), Buffer.from('early')])]);
    expect(r.got.subarray(12).toString()).toBe('EARLY');
  });

  it('a denied destination gets 0x02 and is closed; an unresolved name 0x04; a closed port 0x05', async () => {
    expect((await talk(proxy.path, [GREETING, connectTo('denied.test', 443)])).got).toEqual(Buffer.from([5, 0, 5, 2, 0, 1, 0, 0, 0, 0, 0, 0]));
    expect((await talk(proxy.path, [GREETING, connectTo('nowhere.test', 443)])).got[3]).toBe(0x04);
    const r = await talk(proxy.path, [GREETING, connectTo('allowed.test', closedPort)]);
    expect(r).toEqual({ got: Buffer.from([5, 0, 5, 5, 0, 1, 0, 0, 0, 0, 0, 0]), closed: true });
  });

  it('UDP ASSOCIATE gets 0x07 and is not decided', async () => {
    const before = asked.length;
    const r = await talk(proxy.path, [GREETING, Buffer.from([5, 3, 0, 1, 0, 0, 0, 0, 0, 0])]);
    expect(r).toEqual({ got: Buffer.from([5, 0, 5, 7, 0, 1, 0, 0, 0, 0, 0, 0]), closed: true });
    expect(asked.length).toBe(before);
  });

  it('HTTP still goes to the HTTP side, even with its first byte sent alone', async () => {
    const r = await talk(proxy.path, ['C', `ONNECT allowed.test:${port} HTTP/1.1\r\n\r\n`, 'split']);
    expect(r.got.toString()).toBe('HTTP/1.1 200 Connection Established\r\n\r\nSPLIT');
    expect(asked.at(-1)).toEqual({ host: 'allowed.test', port, via: 'connect' });
  });

  it('a SOCKS tunnel past 1 MiB is handed to socat like a CONNECT one, and arrives byte-exact', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 5);
    const bulk = createServer((s) => s.end(data));
    await new Promise<void>((r) => bulk.listen(0, '127.0.0.1', () => r()));
    const bulkPort = bulk.address() as { port: number };
    const handing = await startEgressProxy(join(dir, 'h.sock'), async (host, p) => ({ decision: 'allow', destination: `${host}:${p}`, address: '127.0.0.1', rule: null, source: 'policy', reason: 'test' }), pino({ level: 'silent' }), {
      handoffAfter: 1024 * 1024,
    });
    try {
      const r = await talk(handing.path, [Buffer.concat([GREETING, connectTo('bulk.test', bulkPort.port)])], 30_000);
      const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
      expect(r.got.subarray(0, 12)).toEqual(Buffer.from([5, 0, 5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
      expect(sha(r.got.subarray(12))).toBe(sha(data));
      expect(handing.handedOff()).toBe(1);
    } finally {
      await handing.close();
      bulk.close();
    }
  });

  it('a handshake that does not finish in the head time is cut off, as is a connection that sends nothing', async () => {
    // A greeting, then the request a byte at a time, slower than 500 ms in all.
    const drip = [GREETING, ...[...connectTo('allowed.test', port)].map((x) => Buffer.from([x]))];
    const slow = await talk(proxy.path, drip, 10_000, 100);
    expect(slow.closed).toBe(true);
    expect(slow.got).toEqual(Buffer.from([5, 0]));
    expect(await talk(proxy.path, [], 10_000)).toEqual({ got: Buffer.alloc(0), closed: true });
  });
});
