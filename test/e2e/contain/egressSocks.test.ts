// SOCKS5 through the egress proxy against a real engine (docs/containment.md): sandboxed curl (bwrap, the
// socat bridge, 127.0.0.1:3128 inside) reaches what the network policy allows with --socks5-hostname and
// --socks5, is refused what it does not (reply 0x02, a network.decision record with the reason), and
// carries a bulk download byte-exact through the hand-off to socat. Then hostile input against the real
// proxy socket: malformed greetings, a giant domain, literal tricks, slowloris, 200 at once.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTransport } from '../../../src/client/ipcClient.js';
import type { ContainSession } from '../../../src/shared/containPolicy.js';
import { startEngine, tempStateDir, type RunningEngine } from '../../support/engine.js';
import { rawProxy, runCli, sandboxUsable, serve, worldDir, writePolicy } from '../../support/contain.js';

const usable = sandboxUsable();

const GREETING = Buffer.from([5, 1, 0]);
const portBytes = (p: number) => [p >> 8, p & 255];
/** A SOCKS5 greeting and CONNECT request naming `name` (domain address type) and `port`. */
const byName = (name: string, port: number) => Buffer.concat([GREETING, Buffer.from([5, 1, 0, 3, name.length]), Buffer.from(name, 'latin1'), Buffer.from(portBytes(port))]);
const byIPv4 = (ip: number[], port: number, cmd = 1) => Buffer.concat([GREETING, Buffer.from([5, cmd, 0, 1, ...ip, ...portBytes(port)])]);
/** The reply to a request after the method choice: 05 00, then 05 REP 00 01 0.0.0.0:0. */
const replied = (rep: number) => Buffer.from([5, 0, 5, rep, 0, 1, 0, 0, 0, 0, 0, 0]);

interface Rec {
  action: string;
  reason: string | null;
  detail: Record<string, unknown> & { agent: string; destination: string; decision: string; via?: string };
}

describe.skipIf(!usable)('SOCKS5 through the egress proxy', { timeout: 180_000 }, () => {
  let e: RunningEngine;
  let stateDir: string;
  let world: string;
  let a: { server: Server; port: number };
  let bulk: { server: Server; port: number };
  let other: { server: Server; port: number };
  let v6: { server: Server; port: number };
  const payload = randomBytes(3 * 1024 * 1024 + 17);
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  const exec = (args: string[], agent = 'default') => runCli(stateDir, ['exec', '--agent', agent, '--', ...args], { cwd: world });
  const ledger = async () => {
    const t = await connectTransport({ stateDir, surface: 'cli' });
    try {
      return ((await t.call('ledger.recent', { limit: 1000 })) as Rec[]).filter((r) => r.action === 'network.decision');
    } finally {
      await t.close();
    }
  };

  beforeAll(async () => {
    stateDir = tempStateDir('gh-socks-');
    world = worldDir();
    a = await serve('127.0.0.2', 'hello-A');
    other = await serve('127.0.0.3', 'unnamed-port');
    v6 = await serve('::1', 'hello-v6');
    bulk = await new Promise((r) => {
      const server = createServer((_req, res) => res.end(payload));
      server.listen(0, '127.0.0.2', () => r({ server, port: (server.address() as { port: number }).port }));
    });
    // Scripts hide the proxy address from the firewall's reading of the command (the network laws apply to
    // commands too); what is decided here is the proxy's part.
    writeFileSync(join(world, 'socksh.sh'), `curl -sS --socks5-hostname 127.0.0.1:3128 "$@"\n`);
    writeFileSync(join(world, 'socks.sh'), `curl -sS --socks5 127.0.0.1:3128 "$@"\n`);
    writeFileSync(join(world, 'socksenv.sh'), `curl -sS -x "$GATEHOUSE_SOCKS_PROXY" "$@"\n`);
    // UDP ASSOCIATE from inside, through the bridge: the reply's bytes are printed.
    writeFileSync(
      join(world, 'udpassoc.mjs'),
      `import { connect } from 'node:net';
const s = connect(3128, '127.0.0.1');
let got = Buffer.alloc(0);
s.on('data', (d) => { got = Buffer.concat([got, d]); if (got.length === 2) s.write(Buffer.from([5, 3, 0, 1, 0, 0, 0, 0, 0, 0])); });
s.on('close', () => console.log('reply', [...got].join(',')));
s.on('error', (err) => console.log('error', err.code));
s.write(Buffer.from([5, 1, 0]));
`,
    );
    writePolicy(
      stateDir,
      [
        'version: 1',
        'policy: allowlist',
        'allowlist: ["curl *", "bash *", "node *"]',
        'network:',
        '  default: deny',
        `  allow: ["127.0.0.2:${a.port}", "127.0.0.2:${bulk.port}", "127.0.0.3:1", "[::1]:${v6.port}", "nores.invalid:80"]`,
        '  deny: ["*.blocked.test"]',
        '',
      ].join('\n'),
    );
    e = await startEngine({ stateDir, config: 'sandbox:\n  warm_network: 0\n' });
  }, 30_000);

  afterAll(async () => {
    await e?.stop();
    for (const s of [a, bulk, other, v6]) s?.server.close();
    rmSync(world, { recursive: true, force: true });
  });

  it('an allowed destination is reached with --socks5-hostname, --socks5 and $GATEHOUSE_SOCKS_PROXY', async () => {
    expect((await exec(['bash', 'socksh.sh', `http://127.0.0.2:${a.port}/h`])).stdout).toBe('hello-A GET /h');
    expect((await exec(['bash', 'socks.sh', `http://127.0.0.2:${a.port}/s`])).stdout).toBe('hello-A GET /s');
    expect((await exec(['bash', 'socksenv.sh', `http://127.0.0.2:${a.port}/env`])).stdout).toBe('hello-A GET /env');
    const mine = (await ledger()).filter((r) => r.detail.via === 'socks5' && r.detail.destination === `127.0.0.2:${a.port}`);
    expect(mine.length).toBe(3);
    expect(mine.every((r) => r.detail.decision === 'allow')).toBe(true);
  });

  it('a denied name fails and leaves a network.decision deny with the same fields as CONNECT and the reason', async () => {
    const r = await exec(['bash', 'socksh.sh', 'http://x.blocked.test/secret']);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/SOCKS5/);
    // The same destination through CONNECT, for the shape of its record.
    await exec(['curl', '-sS', '-p', 'http://x.blocked.test/secret']);
    const recs = (await ledger()).filter((x) => x.detail.destination === 'x.blocked.test:80');
    const socks = recs.find((x) => x.detail.via === 'socks5')!;
    const viaConnect = recs.find((x) => x.detail.via === 'connect')!;
    expect(socks).toMatchObject({ reason: 'denied by network rule *.blocked.test', detail: { agent: 'default', decision: 'deny', rule: '*.blocked.test', source: 'policy', address: null } });
    expect(Object.keys(socks.detail).sort()).toEqual(Object.keys(viaConnect.detail).sort());
    expect(socks.detail.command).toBe('bash socksh.sh http://x.blocked.test/secret');
  });

  it('a port the rule does not name fails; so does a name no rule names (not even resolved)', async () => {
    const port = await exec(['bash', 'socks.sh', `http://127.0.0.3:${other.port}/`]);
    expect(port.code).not.toBe(0);
    expect(port.stdout).not.toContain('unnamed-port');
    const unknown = await exec(['bash', 'socksh.sh', 'http://unknown-gh-socks.example/']);
    expect(unknown.code).not.toBe(0);
    const recs = await ledger();
    expect(recs.find((x) => x.detail.destination === `127.0.0.3:${other.port}`)).toMatchObject({ detail: { decision: 'deny', via: 'socks5' } });
    expect(recs.find((x) => x.detail.destination === 'unknown-gh-socks.example:80')).toMatchObject({ detail: { decision: 'deny', via: 'socks5' }, reason: expect.stringMatching(/network\.default: deny/) });
  });

  it('UDP ASSOCIATE from inside the sandbox is refused with 0x07', async () => {
    const r = await exec(['node', 'udpassoc.mjs']);
    expect(r.stdout.trim()).toBe(`reply ${[...replied(7)].join(',')}`);
  });

  it('a bulk download (> 2 MiB, handed to socat past 1 MiB) arrives byte-exact', async () => {
    const r = await exec(['bash', 'socksh.sh', '-o', 'bulk.bin', `http://127.0.0.2:${bulk.port}/bulk`]);
    expect(r.code, r.stderr).toBe(0);
    expect(sha(readFileSync(join(world, 'bulk.bin')))).toBe(sha(payload));
  });

  it('hostile SOCKS input against the real proxy is refused; slow and parallel clients do not stop it', async () => {
    const t = await connectTransport({ stateDir, surface: 'cli' });
    try {
      const s = (await t.call('contain.open', { agent: 'socks-raw', command: 'raw' })) as ContainSession;
      const path = s.proxy_socket!;
      // Greetings: no method, only username/password, a version-4 greeting (not SOCKS5: the HTTP side says 400).
      expect(await rawProxy(path, Buffer.from([5, 0]))).toEqual(Buffer.from([5, 0xff]));
      expect(await rawProxy(path, Buffer.from([5, 1, 2]))).toEqual(Buffer.from([5, 0xff]));
      expect((await rawProxy(path, Buffer.from([4, 1, 0, 80, 127, 0, 0, 2, 0]))).toString('latin1')).toMatch(/^HTTP\/1\.1 400/);
      // Malformed requests: reserved byte, address type, control bytes in a name, BIND.
      expect(await rawProxy(path, Buffer.concat([GREETING, Buffer.from([5, 1, 7, 1, 127, 0, 0, 2, 0, 80])]))).toEqual(replied(1));
      expect(await rawProxy(path, Buffer.concat([GREETING, Buffer.from([5, 1, 0, 9, 127, 0, 0, 2, 0, 80])]))).toEqual(replied(8));
      expect(await rawProxy(path, byName('a\r\nb.test', 80))).toEqual(replied(1));
      expect(await rawProxy(path, byIPv4([127, 0, 0, 2], a.port, 2))).toEqual(replied(7));
      // A giant domain: the longest a request can name, then 64 KiB more: decided (a bad name) and refused.
      expect(await rawProxy(path, Buffer.concat([byName('a'.repeat(255), 443), Buffer.alloc(65_536, 0x61)]))).toEqual(replied(2));
      // Literal tricks as names, and an IPv4-mapped IPv6 address: all the engine's loopback, all refused...
      for (const trick of ['2130706433', '0x7f.1', '127.1', '0177.0.0.1', '0.0.0.0', 'localhost', '[::ffff:127.0.0.1]', '::1']) {
        expect(await rawProxy(path, byName(trick, e.port)), trick).toEqual(replied(2));
      }
      const mapped = Buffer.concat([GREETING, Buffer.from([5, 1, 0, 4, ...Array(10).fill(0), 0xff, 0xff, 127, 0, 0, 1, ...portBytes(e.port)])]);
      expect(await rawProxy(path, mapped)).toEqual(replied(2));
      // ...and decided as CONNECT decides them: to the canonical address.
      const recs = (await ledger()).filter((r) => r.detail.agent === 'socks-raw' && r.detail.destination === `127.0.0.1:${e.port}`);
      expect(recs.length).toBe(6);
      // 127.0.0.2 written in decimal is the address the rule names exactly: allowed.
      const dec = await rawProxy(path, Buffer.concat([byName('2130706434', a.port), Buffer.from('GET /dec HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')]));
      expect(dec.subarray(0, 12)).toEqual(replied(0));
      expect(dec.toString('latin1')).toContain('hello-A GET /dec');
      // A name a rule allows that does not resolve (.invalid never does): host unreachable, and the reason recorded.
      expect(await rawProxy(path, byName('nores.invalid', 80), 10_000)).toEqual(replied(4));
      expect((await ledger()).find((r) => r.detail.destination === 'nores.invalid:80')).toMatchObject({ detail: { decision: 'deny', via: 'socks5' }, reason: expect.stringMatching(/could not be resolved/) });
      // An IPv6 address (address type 4) that a rule names exactly: allowed.
      const loop6 = Buffer.concat([GREETING, Buffer.from([5, 1, 0, 4, ...Array(15).fill(0), 1, ...portBytes(v6.port)])]);
      const six = await rawProxy(path, Buffer.concat([loop6, Buffer.from('GET /v6 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')]));
      expect(six.subarray(0, 12)).toEqual(replied(0));
      expect(six.toString('latin1')).toContain('hello-v6 GET /v6');
      // Slowloris: the greeting, then the request a byte every 500 ms (24 s for all of it): cut off at the
      // head time (10 s) with nothing but the method choice, while others are served.
      const slow = connect(path);
      const slowGot: Buffer[] = [];
      slow.on('data', (d: Buffer) => slowGot.push(d));
      slow.on('error', () => {});
      slow.write(GREETING);
      const rest = [...byName(`slow-${'x'.repeat(35)}.test`, 80).subarray(3)];
      const drip = setInterval(() => slow.writable && rest.length && slow.write(Buffer.from([rest.shift()!])), 500);
      // Cut off: the proxy ends its side (a refusal once the request is whole, or the head time).
      const slowClosed = new Promise<number>((r) => {
        const t0 = Date.now();
        slow.on('end', () => r(Date.now() - t0));
        slow.on('close', () => r(Date.now() - t0));
        // Never cut off: a clear failure below, not a hung test.
        setTimeout(() => r(Number.POSITIVE_INFINITY), 30_000).unref();
      });
      const meanwhile = await rawProxy(path, Buffer.concat([byIPv4([127, 0, 0, 2], a.port), Buffer.from('GET /meanwhile HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')]));
      expect(meanwhile.toString('latin1')).toContain('hello-A GET /meanwhile');
      expect(await slowClosed).toBeLessThan(20_000);
      clearInterval(drip);
      expect(rest.length).toBeGreaterThan(0);
      expect(Buffer.concat(slowGot)).toEqual(Buffer.from([5, 0]));
      // 200 parallel SOCKS connections, allowed and denied: every one is answered.
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          rawProxy(path, i % 2 ? Buffer.concat([byIPv4([127, 0, 0, 2], a.port), Buffer.from(`GET /p${i} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)]) : byIPv4([10, 0, 0, i % 250], 443), 30_000),
        ),
      );
      expect(answers.filter((r) => r.toString('latin1').includes('hello-A')).length).toBe(100);
      expect(answers.filter((r) => r.equals(replied(2))).length).toBe(100);
      expect((await e.http('GET', '/api/queue/status')).status).toBe(200);
    } finally {
      await t.close();
    }
  });
});
