// The egress proxy against a real engine (DESIGN.md §11): sandboxed curl and node reach only what the
// network policy allows, through the proxy; every way around it fails and the engine keeps serving.
// Destinations are HTTP servers on 127.0.0.x (named exactly by the policy, as special addresses must be).
import { createSocket } from 'node:dgram';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTransport } from '../../../src/client/ipcClient.js';
import type { ContainSession } from '../../../src/shared/containPolicy.js';
import { parsePolicyText } from '../../../src/engine/firewall/index.js';
import { cli, policyPathFor, startEngine, tempStateDir, waitFor, type RunningEngine } from '../../support/engine.js';
import { rawProxy, runCli, sandboxUsable, serve, startCli, worldDir, writePolicy } from '../../support/contain.js';

const usable = sandboxUsable();

/** Sends raw bytes to a proxy socket; what came back when the proxy closes (or after ms), as text. */
const raw = async (path: string, bytes: string | Buffer, ms = 5_000) => (await rawProxy(path, bytes, ms)).toString('latin1');

describe.skipIf(!usable)('the egress proxy', { timeout: 180_000 }, () => {
  let e: RunningEngine;
  let stateDir: string;
  let world: string;
  let a: { server: Server; port: number };
  let local: { server: Server; port: number };
  let udpGot = 0;
  const udp = createSocket('udp4');
  let udpPort = 0;
  const exec = (args: string[], agent = 'default') => runCli(stateDir, ['exec', '--agent', agent, '--', ...args], { cwd: world });

  beforeAll(async () => {
    stateDir = tempStateDir('gh-egress-');
    world = worldDir();
    a = await serve('127.0.0.2', 'hello-A');
    local = await serve('127.0.0.1', 'LOOPBACK');
    udp.on('message', () => udpGot++);
    await new Promise<void>((r) => udp.bind(0, '127.0.0.2', () => r()));
    udpPort = udp.address().port;
    // A script hides its URL from the firewall's reading of the command: only the proxy is left to stop it.
    writeFileSync(join(world, 'fetch.sh'), `curl -sS -w '%{http_code}' "$@"\n`);
    writeFileSync(join(world, 'devtcp.sh'), `echo hi > /dev/tcp/127.0.0.2/${a.port} && echo CONNECTED\n`);
    writeFileSync(
      join(world, 'udp.mjs'),
      `import { createSocket } from 'node:dgram'; import { lookup } from 'node:dns/promises';
const s = createSocket('udp4');
s.send('x', ${'${udpPort}'}, '127.0.0.2', (err) => { console.log('udp', err ? err.code : 'sent'); s.close(); });
try { await lookup('unknown-gh-test.example'); console.log('dns resolved'); } catch (e) { console.log('dns', e.code); }
try { const r = await fetch('http://127.0.0.2:${'${a.port}'}/direct'); console.log('fetch', r.status); } catch (e) { console.log('fetch failed'); }
`.replaceAll('${udpPort}', String(udpPort)).replaceAll('${a.port}', String(a.port)),
    );
    mkdirSync(world, { recursive: true });
    writePolicy(
      stateDir,
      [
        'version: 1',
        'policy: allowlist',
        'ask_ttl: 60s',
        'allowlist: ["curl *", "bash *", "node *"]',
        'network:',
        '  default: deny',
        `  allow: ["127.0.0.2:${a.port}", "localhost:${local.port}"]`,
        '  deny: ["*.blocked.test"]',
        'agents:',
        '  asker: { network: { default: ask } }',
        '',
      ].join('\n'),
    );
    // The cold path (socat started inside each sandbox) stays tested here; warmNetwork.test.ts has the warm one.
    e = await startEngine({ stateDir, config: 'sandbox:\n  warm_network: 0\n' });
  }, 30_000);

  afterAll(async () => {
    await e?.stop();
    a?.server.close();
    local?.server.close();
    udp.close();
    rmSync(world, { recursive: true, force: true });
  });

  it('an allowed destination is reached through the proxy, as plain HTTP and through CONNECT', async () => {
    const plain = await exec(['curl', '-sS', `http://127.0.0.2:${a.port}/x`]);
    expect(plain.stdout).toBe('hello-A GET /x');
    const tunnel = await exec(['curl', '-sS', '-p', `http://127.0.0.2:${a.port}/t`]);
    expect(tunnel.stdout).toBe('hello-A GET /t');
  });

  it('the ways around the proxy fail: --noproxy, /dev/tcp, UDP, DNS, fetch without the proxy', async () => {
    const noproxy = await exec(['curl', '-sS', '--noproxy', "'*'", `http://127.0.0.2:${a.port}/`]);
    expect(noproxy.code).not.toBe(0);
    expect(noproxy.stdout).toBe('');
    const tcp = await exec(['bash', 'devtcp.sh']);
    expect(tcp.stdout).not.toContain('CONNECTED');
    const n = await exec(['node', 'udp.mjs']);
    expect(n.stdout).not.toMatch(/dns resolved|fetch 200/);
    expect(n.stdout).toMatch(/dns E/);
    await new Promise((r) => setTimeout(r, 200));
    expect(udpGot).toBe(0);
  });

  it('the engine and other loopback services are out of reach in every spelling of their address', async () => {
    for (const host of ['127.0.0.1', '2130706433', '0x7f000001', '127.1', '0177.0.0.1', '0.0.0.0', 'localhost', '[::ffff:127.0.0.1]', '[::1]']) {
      // Written in the command, the firewall denies it before it runs (the network laws apply to commands)...
      const direct = await exec(['curl', '-sS', `http://${host}:${e.port}/api/queue/status`]);
      expect(direct.code, host).not.toBe(0);
      expect(direct.stdout, host).toBe('');
      expect(direct.stderr, host).toMatch(/network law: internal addresses/);
      // ...and hidden in a script, the proxy refuses it.
      const r = await exec(['bash', 'fetch.sh', `http://${host}:${e.port}/api/queue/status`]);
      expect(r.stdout, host).toMatch(/^gatehouse: blocked .*403$/s);
    }
    // A name the policy allows, but it resolves to loopback: no rule names that address.
    const named = await exec(['curl', '-sS', `http://localhost:${local.port}/`]);
    expect(named.stdout).toMatch(/resolves to 127\.0\.0\.1/);
    expect(named.stdout).not.toContain('LOOPBACK');
    // A port the rule does not name, by CONNECT.
    const port = await exec(['bash', 'fetch.sh', '-p', `http://127.0.0.2:${local.port}/`]);
    expect(port.code).not.toBe(0);
    expect(port.stderr).toMatch(/403/);
    const denied = await exec(['curl', '-sS', 'http://x.blocked.test/']);
    expect(denied.stdout).toMatch(/denied by network rule \*\.blocked\.test/);
  });

  it('bad proxy input gets a one-line refusal; slow and parallel clients do not stop it', async () => {
    const t = await connectTransport({ stateDir, surface: 'cli' });
    try {
      const s = (await t.call('contain.open', { agent: 'raw-client', command: 'raw' })) as ContainSession;
      const path = s.proxy_socket!;
      expect(await raw(path, `CONNECT ${'a'.repeat(20_000)}:443 HTTP/1.1\r\n\r\n`)).toMatch(/^HTTP\/1\.1 431/);
      expect(await raw(path, 'CONNECT nonsense HTTP/1.1\r\nHost: x\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 .*malformed CONNECT target/s);
      expect(await raw(path, '\x16\x03\x01garbage\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
      expect(await raw(path, `CONNECT 127.0.0.2:${local.port} HTTP/1.1\r\n\r\n`)).toMatch(/^HTTP\/1\.1 403 .*no rule names it exactly/s);
      // Slowloris: a head that never ends is cut off, while others are served meanwhile.
      const slow = connect(path);
      slow.write('GET http://127.0.0.2/ HTTP/1.1\r\nX-a: 1\r\n');
      const drip = setInterval(() => slow.writable && slow.write('X-b: 1\r\n'), 500);
      const slowClosed = new Promise<number>((r) => {
        const t0 = Date.now();
        slow.on('close', () => r(Date.now() - t0));
        slow.on('error', () => {});
      });
      expect(await raw(path, `GET http://127.0.0.2:${a.port}/meanwhile HTTP/1.1\r\nHost: x\r\n\r\n`)).toContain('hello-A GET /meanwhile');
      expect(await slowClosed).toBeLessThan(30_000);
      clearInterval(drip);
      // 200 parallel connections, allowed and denied: every one is answered.
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, i) => raw(path, i % 2 ? `GET http://127.0.0.2:${a.port}/p${i} HTTP/1.1\r\nHost: x\r\n\r\n` : `CONNECT 10.0.0.${i % 250}:443 HTTP/1.1\r\n\r\n`, 30_000)),
      );
      expect(answers.filter((r) => r.includes('hello-A')).length).toBe(100);
      expect(answers.filter((r) => r.startsWith('HTTP/1.1 403')).length).toBe(100);
      const status = await e.http('GET', '/api/queue/status');
      expect(status.status).toBe(200);
      const agents = (await t.call('agents.list')) as Array<{ name: string; connections: { allowed: number; blocked: number } }>;
      expect(agents.find((x) => x.name === 'raw-client')!.connections.allowed).toBeGreaterThanOrEqual(101);
      const ledger = (await t.call('ledger.recent', { limit: 1000 })) as Array<{ action: string; detail: { agent: string; destination: string; decision: string } }>;
      expect(ledger.filter((r) => r.action === 'network.decision' && r.detail.agent === 'raw-client' && r.detail.decision === 'deny').length).toBeGreaterThanOrEqual(100);
    } finally {
      await t.close();
    }
  });

  it('an ask is a network prompt; "allow always" writes host:port for the agent', async () => {
    // The global address rule still holds for this agent; a name no rule names is asked.
    const run = startCli(stateDir, ['exec', '--agent', 'asker', '--', 'curl', '-sS', '-p', `http://127.0.0.2:${a.port}/asked`], { cwd: world });
    const run2 = startCli(stateDir, ['exec', '--agent', 'asker', '--', 'curl', '-sS', '-m', '60', 'http://example.test/'], { cwd: world });
    const prompt = await waitFor(() => (JSON.parse(cli(['pending', '--json'], { stateDir }).stdout) as Array<{ kind: string; id: string }>).find((p) => p.kind === 'network'), 30_000, 'a network prompt');
    expect(prompt).toMatchObject({ kind: 'network', agent: 'asker', destination: 'example.test:80', command: 'curl -sS -m 60 http://example.test/' });
    const r = cli(['resolve', prompt.id, 'allow', '--scope', 'always'], { stateDir });
    expect(r.code).toBe(0);
    expect(parsePolicyText(readFileSync(policyPathFor(stateDir), 'utf8')).policy.file.agents.asker!.network!.allow).toEqual(['example.test:80']);
    const done = await run2.done;
    // Allowed by the operator, then resolved once: example.test has no address here, and the proxy says so.
    expect(done.stdout).toMatch(/could not be resolved/);
    expect((await run.done).stdout).toBe('hello-A GET /asked');
  });
});
