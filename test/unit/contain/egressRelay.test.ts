// The egress proxy's tunnel relay (egressProxy.ts): what the destination sends arrives whole and in order,
// large reads and small ones alike, through a reader slower than the sender (backpressure), and the end
// of the upstream ends the tunnel. A real proxy on a unix socket, a real server on loopback.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEgressProxy, type EgressProxy } from '../../../src/engine/contain/egressProxy.js';

const data = Buffer.concat([randomBytes(12 * 1024 * 1024), Buffer.from('small tail')]);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Opens a CONNECT tunnel to 127.0.0.1:port through the proxy (its socket, or a TCP port on 127.0.0.1 whose
 * connections it is given); `onBody` gets what follows the 200 head. */
function tunnel(proxyPath: string | number, port: number, onBody: (s: Socket, d: Buffer) => void): Socket {
  const s = typeof proxyPath === 'number' ? connect(proxyPath, '127.0.0.1') : connect(proxyPath);
  let head = true;
  s.on('data', (d: Buffer) => {
    if (head) {
      const i = d.indexOf('\r\n\r\n');
      expect(d.subarray(0, i).toString()).toBe('HTTP/1.1 200 Connection Established');
      d = d.subarray(i + 4);
      head = false;
    }
    onBody(s, d);
  });
  s.write(`CONNECT 127.0.0.1:${port} HTTP/1.1\r\n\r\n`);
  return s;
}

describe('the tunnel relay', () => {
  let server: Server;
  let port = 0;
  let dir: string;
  const proxies: EgressProxy[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gh-relay-'));
    // Sends its data in writes of varied sizes (large and tiny), then echoes what it gets, then ends.
    server = createServer((s) => {
      s.on('error', () => {});
      let off = 0;
      const sizes = [1, 70_000, 13, 1024 * 1024, 500, 3 * 1024 * 1024];
      let i = 0;
      const pump = () => {
        while (off < data.length) {
          const n = Math.min(sizes[i++ % sizes.length]!, data.length - off);
          const ok = s.write(data.subarray(off, off + n));
          off += n;
          if (!ok) return s.once('drain', pump);
        }
        s.end();
      };
      pump();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as { port: number }).port;
  });

  afterAll(async () => {
    for (const p of proxies) await p.close();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const decide = async () => ({ decision: 'allow' as const, destination: `127.0.0.1:${port}`, address: '127.0.0.1', rule: null, source: 'policy' as const, reason: 'test' });
  const variants = [
    ['read', { relay: 'read', handoffAfter: null }],
    ['pipe', { relay: 'pipe' }],
    ['handed to socat after 1 MiB', { relay: 'read', handoffAfter: 1024 * 1024 }],
  ] as const;
  for (const [name, options] of variants) {
    it(`relays every byte in order through a slow reader (${name})`, async () => {
      const proxy = await startEgressProxy(join(dir, `${name.replace(/\W/g, '')}.sock`), decide, pino({ level: 'silent' }), options);
      proxies.push(proxy);
      const got = await new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = [];
        const s = tunnel(proxy.path, port, (s, d) => {
          chunks.push(d);
          // A slow reader: pauses now and then so the proxy's buffer fills and the upstream must wait.
          if (chunks.length % 20 === 0) {
            s.pause();
            setTimeout(() => s.resume(), 5);
          }
        });
        s.on('error', reject);
        s.on('end', () => resolve(Buffer.concat(chunks)));
      });
      expect(got.length).toBe(data.length);
      expect(sha(got)).toBe(sha(data));
      expect(proxy.handedOff()).toBe(name.startsWith('handed') ? 1 : 0);
    });
  }

  it('takes TCP connections accepted elsewhere (a warm slot’s listener): byte-exact, handed off, within its limit, none once closed', async () => {
    const proxy = await startEgressProxy(join(dir, 'accept.sock'), decide, pino({ level: 'silent' }), { handoffAfter: 1024 * 1024, maxConnections: 1 });
    proxies.push(proxy);
    const listener = createServer((c) => proxy.accept(c));
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', () => r()));
    const lport = (listener.address() as { port: number }).port;
    try {
      const got = await new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = [];
        const s = tunnel(lport, port, (_s, d) => chunks.push(d));
        s.on('error', reject);
        s.on('end', () => resolve(Buffer.concat(chunks)));
      });
      expect(sha(got)).toBe(sha(data));
      expect(proxy.handedOff()).toBe(1);
      // Beyond maxConnections a given connection is closed unanswered, as one the proxy accepted itself would be.
      const answer = (c: Socket) => new Promise<string>((r) => {
        let out = '';
        c.on('data', (d) => (out += d));
        c.on('error', () => r(out));
        c.on('close', () => r(out));
      });
      const held = connect(lport, '127.0.0.1');
      held.on('error', () => {});
      await new Promise((r) => held.once('connect', r));
      await new Promise((r) => setTimeout(r, 50));
      const over = connect(lport, '127.0.0.1');
      over.write(`CONNECT 127.0.0.1:${port} HTTP/1.1\r\n\r\n`);
      expect(await answer(over)).toBe('');
      held.destroy();
      await proxy.close();
      const late = connect(lport, '127.0.0.1');
      late.write(`CONNECT 127.0.0.1:${port} HTTP/1.1\r\n\r\n`);
      expect(await answer(late)).toBe('');
    } finally {
      listener.close();
    }
  });

  it('a handed-off tunnel carries both ways, passes a half-close on, and dies with its session', async () => {
    // Sends 3 MiB, then echoes what it is sent until the client half-closes, then ends.
    const echo = createServer((s) => {
      s.on('error', () => {});
      s.write(data.subarray(0, 3 * 1024 * 1024));
      s.pipe(s);
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
    const echoPort = (echo.address() as { port: number }).port;
    const proxy = await startEgressProxy(join(dir, 'both.sock'), async () => ({ ...(await decide()), destination: `127.0.0.1:${echoPort}` }), pino({ level: 'silent' }), { handoffAfter: 1024 * 1024 });
    proxies.push(proxy);
    const up = randomBytes(5 * 1024 * 1024);
    const got = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let total = 0;
      const s = tunnel(proxy.path, echoPort, (s, d) => {
        chunks.push(d);
        total += d.length;
        // Once the download is past the hand-off, upload and half-close: the echo must come back whole.
        if (total >= 3 * 1024 * 1024 && !s.writableEnded) s.end(up);
      });
      s.on('error', reject);
      s.on('end', () => resolve(Buffer.concat(chunks)));
    });
    expect(proxy.handedOff()).toBe(1);
    expect(sha(got)).toBe(sha(Buffer.concat([data.subarray(0, 3 * 1024 * 1024), up])));

    // A tunnel still open when its session ends is cut: the relay is killed with the proxy.
    const cut = await new Promise<number>((resolve, reject) => {
      let total = 0;
      const s = tunnel(proxy.path, echoPort, (_s, d) => {
        total += d.length;
        if (total >= 3 * 1024 * 1024 && proxy.handedOff() === 2) void proxy.close();
      });
      s.on('error', reject);
      s.on('close', () => resolve(total));
    });
    expect(cut).toBe(3 * 1024 * 1024);
    echo.close();
  });
});
