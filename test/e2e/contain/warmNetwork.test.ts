// Warm network namespaces against a real engine (docs/containment.md, "Warm network"): a sandboxed run with
// network enters a namespace the engine prepared (the proxy port in it already listening, a socket the engine
// holds itself: no bridge process) instead of making its own. It
// must be as confined as the cold path: only the proxy out, its own namespace per run (single use), no
// descriptor of the namespace inside, holders gone with their session and with the engine, and a slot
// that fails the wrapper's check (a forged or stale pid) is not entered: the run goes cold, still confined.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTransport } from '../../../src/client/ipcClient.js';
import { openWarmNetns } from '../../../src/cli/warmNetns.js';
import { HOLDER_NAME, holderArgs, killStrays, orphanHolders, WarmNetworkPool } from '../../../src/engine/contain/warmNetwork.js';
import { listenInSlot } from '../../../src/engine/contain/warmListener.js';
import { silentLogger } from '../../../src/engine/platform/logger.js';
import type { ContainSession } from '../../../src/shared/containPolicy.js';
import { startEngine, tempStateDir, waitFor, type RunningEngine } from '../../support/engine.js';
import { expectEngineHeldSlots, expectSingleUseSlots, runLiedTo, writeSingleUseScripts, pidsWith, proxyPortListeners, runCli, sandboxUsable, serve, socketsOf, startCli, warmHolders, worldDir, writePolicy } from '../../support/contain.js';

const usable = sandboxUsable() && process.getuid?.() === 0;
if (!usable) console.warn('\n!!!!!!!! WARM NETWORK TESTS SKIPPED: they need root, bubblewrap and socat !!!!!!!!\n');
const HOST_NS = readlinkSync('/proc/self/ns/net');

const holders = warmHolders;

describe.skipIf(!usable)('warm network namespaces', { timeout: 90_000 }, () => {
  let e: RunningEngine;
  let stateDir: string;
  let world: string;
  let a: { server: Server; port: number };
  let hostOnly: { server: Server; port: number };
  /** 8 MiB of random bytes, the first 2 MiB at once and the rest once a socat relay holds a connection accepted
   * on a warm slot's proxy port (the tunnel was handed off), or after 10 s without. */
  const BIG = randomBytes(8 * 1024 * 1024);
  let big: { server: Server; port: number; relayed: string[] };
  const exec = (args: string[], agent = 'default') => runCli(stateDir, ['exec', '--agent', agent, '--', ...args], { cwd: world });
  async function warmReady(n = 1): Promise<void> {
    const t = await connectTransport({ stateDir, surface: 'cli' });
    try {
      await waitFor(async () => ((await t.call('contain.status')) as { warm_network: { ready: number } }).warm_network.ready >= n, 20_000, `${n} warm namespace(s) ready`);
    } finally {
      await t.close();
    }
  }

  beforeAll(async () => {
    stateDir = tempStateDir('gh-warm-');
    world = worldDir();
    a = await serve('127.0.0.2', 'hello-A');
    hostOnly = await serve('127.0.0.1', 'HOST-LOOPBACK');
    const bigServer = createHttpServer((_req, res) => {
      res.writeHead(200, { 'content-length': BIG.length });
      res.write(BIG.subarray(0, 2 * 1024 * 1024));
      const t0 = Date.now();
      const look = () => {
        const accepted = new Set([...holders(stateDir).keys()].flatMap((pid) => proxyPortListeners(pid, '01')));
        const relay = pidsWith('socat -b 262144 -t 300 FD:0').find((pid) => socketsOf(pid).some((i) => accepted.has(i)));
        if (relay) big.relayed.push(readFileSync(`/proc/${relay}/cmdline`, 'utf8').split('\0').join(' '));
        if (relay || Date.now() - t0 > 10_000) return void res.end(BIG.subarray(2 * 1024 * 1024));
        setTimeout(look, 20);
      };
      look();
    });
    big = await new Promise((r) => bigServer.listen(0, '127.0.0.2', () => r({ server: bigServer, port: (bigServer.address() as { port: number }).port, relayed: [] })));
    writeFileSync(join(world, 'download.sh'), `readlink /proc/self/ns/net\ncurl -sS -p http://127.0.0.2:${big.port}/big | sha256sum\n`);
    // Scripts hide their addresses from the firewall's reading of the command: only the namespace stops them.
    writeFileSync(join(world, 'probe.sh'), 'readlink /proc/self/ns/net\ncurl -sS -w " %{http_code}" "$@"\n');
    writeFileSync(
      join(world, 'around.sh'),
      [
        `curl -sS -m 5 http://127.0.0.1:${hostOnly.port}/ || echo proxied-refused`,
        `curl -sS -m 5 --noproxy '*' http://127.0.0.1:${hostOnly.port}/ || echo direct-failed`,
        `curl -sS -m 5 --noproxy '*' http://127.0.0.2:${a.port}/ || echo direct2-failed`,
        `(echo x > /dev/tcp/127.0.0.2/${a.port}) 2>/dev/null && echo TCP-CONNECTED || echo devtcp-failed`,
        '',
      ].join('\n'),
    );
    writeFileSync(join(world, 'inside.sh'), 'readlink /proc/self/ns/net\nls -l /proc/self/fd/\ncat /proc/[0-9]*/comm | sort -u | tr "\\n" " "\necho\n');
    writeSingleUseScripts(world);
    writePolicy(
      stateDir,
      ['version: 1', 'policy: allowlist', 'allowlist: ["curl *", "sh *", "sleep *"]', 'network:', '  default: deny', `  allow: ["127.0.0.2:${a.port}", "127.0.0.2:${big.port}"]`, ''].join('\n'),
    );
    e = await startEngine({ stateDir, config: 'sandbox:\n  warm_network: 2\n' });
  }, 30_000);

  afterAll(async () => {
    await e?.stop();
    a?.server.close();
    hostOnly?.server.close();
    big?.server.close();
    rmSync(world, { recursive: true, force: true });
  });

  it('a warm sandbox reaches an allowed destination through the proxy and is refused a denied one, in the ledger', async () => {
    await warmReady();
    const before = new Set(holders(stateDir).values());
    expect(before.size).toBeGreaterThanOrEqual(1);
    expect(before.has(HOST_NS)).toBe(false);
    const ok = await exec(['sh', 'probe.sh', `http://127.0.0.2:${a.port}/x`], 'warm-agent');
    const [ns, body] = ok.stdout.split('\n');
    expect(before.has(ns!), `${ns} is a warm namespace`).toBe(true);
    expect(body).toBe('hello-A GET /x 200');
    await warmReady();
    const denied = await exec(['sh', 'probe.sh', `http://127.0.0.2:${hostOnly.port}/`], 'warm-agent');
    expect(denied.stdout).toMatch(/gatehouse: blocked 127\.0\.0\.2:\d+: .*no rule names it exactly.* 403$/s);
    const t = await connectTransport({ stateDir, surface: 'cli' });
    try {
      const ledger = (await t.call('ledger.recent', { limit: 200 })) as Array<{ action: string; detail: { agent?: string; decision?: string; warm_network?: boolean } }>;
      const mine = ledger.filter((r) => r.action === 'network.decision' && r.detail.agent === 'warm-agent');
      expect(mine.map((r) => r.detail.decision).sort()).toEqual(['allow', 'deny']);
      expect(ledger.filter((r) => r.action === 'sandbox.open' && r.detail.agent === 'warm-agent').every((r) => r.detail.warm_network === true)).toBe(true);
    } finally {
      await t.close();
    }
  });

  it('gatehouse sandbox (a whole agent) enters a warm namespace too, with its engine door and no proxy socket inside', async () => {
    await warmReady();
    const before = new Set(holders(stateDir).values());
    writeFileSync(join(world, 'agent.sh'), `sh probe.sh http://127.0.0.2:${a.port}/agent\necho\nls ${stateDir}\n`);
    const r = await runCli(stateDir, ['sandbox', '--agent', 'whole', '--', 'sh', 'agent.sh'], { cwd: world });
    const [ns, body, ...listing] = r.stdout.trim().split('\n');
    expect(before.has(ns!), `${ns} is a warm namespace`).toBe(true);
    expect(body).toBe('hello-A GET /agent 200');
    expect(listing).toEqual(['gatehouse.sock']);
  });

  it('a download through a warm slot is byte-exact, and handed to a socat relay that holds the connection accepted in the namespace', async () => {
    await warmReady();
    const before = new Set(holders(stateDir).values());
    const r = await exec(['sh', 'download.sh']);
    const [ns, sum] = r.stdout.split('\n');
    expect(before.has(ns!), `${ns} is a warm namespace`).toBe(true);
    expect(sum).toBe(`${createHash('sha256').update(BIG).digest('hex')}  -`);
    expect(big.relayed).toHaveLength(1);
  });

  it("cannot reach the host's loopback or anything else but through the proxy", async () => {
    await warmReady();
    const r = await exec(['sh', 'around.sh']);
    expect(r.stdout).not.toMatch(/HOST-LOOPBACK|hello-A|TCP-CONNECTED/);
    expect(r.stdout).toMatch(/gatehouse: blocked 127\.0\.0\.1:\d+/);
    for (const w of ['direct-failed', 'direct2-failed', 'devtcp-failed']) expect(r.stdout).toContain(w);
  });

  it('holds no descriptor of the namespace, and no bridge runs in it: the proxy port is the engine’s own socket', async () => {
    await warmReady(2);
    const ready = await expectEngineHeldSlots(stateDir, e.proc.pid!);
    const r = await exec(['sh', 'inside.sh']);
    const [netns, ...rest] = r.stdout.split('\n');
    expect(new Set(ready.map(([, ns]) => ns)).has(netns!)).toBe(true);
    const fds = rest.filter((l) => / -> /.test(l));
    expect(fds.length).toBeGreaterThanOrEqual(3);
    for (const l of fds) expect(l).not.toMatch(/net:\[|\/ns\//);
    expect(rest.join('\n')).not.toMatch(/\bsocat\b|\bnode\b/);
  });

  it('is single use: a listener left in one sandbox is not there for the next; the slot dies with its session', () =>
    expectSingleUseSlots({ stateDir, world, enginePid: e.proc.pid!, hostNs: HOST_NS, cli: { cwd: world }, exec, warmReady }));

  it('a slot that fails the check is not entered: a stale holder, a forged pid of the host', async () => {
    await warmReady();
    const t = await connectTransport({ stateDir, surface: 'cli' });
    try {
      const s = (await t.call('contain.open', { agent: 'stale', command: 'x', warm: true })) as ContainSession;
      expect(s.warm_network).toBeTruthy();
      const live = openWarmNetns(s.warm_network);
      expect(live).not.toBeNull();
      live!.close();
      expect(openWarmNetns({ ...s.warm_network!, netns_ino: s.warm_network!.netns_ino + 1 })).toBeNull();
      // The holder dies between the claim and the run (and its pid may be reused): the check refuses it.
      process.kill(s.warm_network!.netns_pid, 'SIGKILL');
      await waitFor(() => openWarmNetns(s.warm_network) === null, 5_000, 'the stale slot to be refused');
    } finally {
      await t.close();
    }
    expect(openWarmNetns({ netns_pid: process.pid, netns_ino: statSync('/proc/self/ns/net').ino })).toBeNull();
  });

  it('SIGKILL of the engine while a warm sandbox runs: its holders go, the sandbox stops', async () => {
    await warmReady();
    const run = startCli(stateDir, ['exec', '--', 'sleep', '4246'], { cwd: world });
    await waitFor(() => pidsWith('sleep 4246').length > 0, 20_000, 'the sandboxed sleep');
    const [sleeper] = pidsWith('sleep 4246');
    const ns = readlinkSync(`/proc/${sleeper}/ns/net`);
    expect([...holders(stateDir).values()]).toContain(ns);
    await e.kill9();
    const r = await run.done;
    expect(r.code).toBe(126);
    expect(r.stderr).toMatch(/the engine went away/);
    await waitFor(() => holders(stateDir).size === 0, 5_000, 'every holder to be gone');
    await waitFor(() => pidsWith('sleep 4246').length === 0, 5_000, 'the sandbox to stop');
  });
});

describe.skipIf(!usable)('a holder', { timeout: 30_000 }, () => {
  it('ends, namespace with it, when the pipe from its engine closes (an engine killed while the holder starts)', async () => {
    const dir = tempStateDir('gh-holder-');
    const p = spawn('bwrap', holderArgs(join(dir, 'egress', 'warm-test')), { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
    let said = '';
    p.stdout!.on('data', (d) => (said += d));
    const exited = new Promise((r) => p.on('exit', r));
    await waitFor(() => /ready/.test(said), 10_000, 'the holder to run');
    expect(holders(dir).size).toBe(1);
    p.stdin!.end();
    await exited;
    await waitFor(() => holders(dir).size === 0, 5_000, "the holder's shell to be gone");
    rmSync(dir, { recursive: true, force: true });
  });

  it("gives no listener for a slot when the child did not listen in the slot's namespace (an nsenter that did not enter)", async () => {
    const dir = tempStateDir('gh-listener-');
    const p = spawn('bwrap', holderArgs(join(dir, 'egress', 'warm-test')), { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
    let info = '';
    p.stdio[3]!.on('data', (d) => (info += d));
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    // Drops its options and runs the command where it is: the host's network namespace.
    writeFileSync(join(bin, 'nsenter'), '#!/bin/sh\nwhile [ "$1" != "--" ]; do shift; done\nshift\nexec "$@"\n', { mode: 0o755 });
    const path = process.env.PATH;
    try {
      const pid = Number((await waitFor(() => /"child-pid":\s*(\d+)/.exec(info), 10_000, "the holder's pid"))[1]);
      const ns = { pid, netns_ino: statSync(`/proc/${pid}/ns/net`).ino, userns: false };
      process.env.PATH = `${bin}:${path}`;
      await expect(listenInSlot(ns)).rejects.toThrow(/not in the slot’s network namespace|EADDRINUSE/);
      process.env.PATH = path;
      // The real nsenter: the socket is in the slot's namespace, and the engine (here, this process) holds it.
      const server = await listenInSlot(ns);
      expect(socketsOf(process.pid)).toContain(proxyPortListeners(pid)[0]);
      server.close();
    } finally {
      process.env.PATH = path;
      p.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an engine kills the holders an earlier one left on its state dir (killed while they started), and keeps its own', async () => {
    const dir = tempStateDir('gh-orphan-');
    const orphan = spawn('bwrap', holderArgs(join(dir, 'egress', 'warm-orphan')), { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
    let said = '';
    orphan.stdout!.on('data', (d) => (said += d));
    await waitFor(() => /ready/.test(said), 10_000, 'the orphan to run');
    const tags = () => [...holders(dir).keys()].map((pid) => /warm-[\w]+/.exec(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))?.[0]);
    const eng = await startEngine({ stateDir: dir });
    try {
      await waitFor(() => orphan.exitCode !== null || orphan.signalCode !== null, 10_000, 'the orphan to be killed');
      await waitFor(() => !tags().includes('warm-orphan') && tags().length === 1, 10_000, "only the engine's own holder");
    } finally {
      await eng.stop();
      orphan.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the sweep for what a holder killed in its start-up left', () => {
  it('a holder the pool kills while bwrap is still starting leaves nothing asleep while the engine lives on', async () => {
    // bwrap's first process in the namespace waits for its parent's go-ahead before it sets its parent-death
    // signal; a parent killed in that window used to leave it waiting until the next engine's sweep. The
    // window is a few milliseconds wide, so a stand-in bwrap (first on PATH) stays in it: its child keeps the
    // command line and waits, the parent never lets it go on.
    const dir = tempStateDir('gh-startkill-');
    const egress = join(dir, 'egress');
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    // The child blocks opening a FIFO nobody writes (as the real one blocks on an eventfd), not on the pipe.
    const fifo = join(dir, 'never');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    writeFileSync(join(bin, 'bwrap'), `#!/bin/sh\nsh -c 'read _ <${fifo}' "$@" &\nexec sleep 600\n`, { mode: 0o755 });
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    const pool = new WarmNetworkPool(egress, 1, silentLogger(), 'root');
    try {
      pool.start();
      // The stand-in's own shell names the holder too until it execs sleep: wait for the waiting child alone.
      const [waiting] = await waitFor(() => {
        const found = orphanHolders(egress);
        try {
          return found.length === 1 && readFileSync(`/proc/${found[0]}/cmdline`, 'utf8').includes(fifo) ? found : null;
        } catch {
          return null; // gone meanwhile (the shell's exec)
        }
      }, 5_000, "the stand-in's waiting first process");
      // The pool's own sweep at start (an earlier engine's holders) has run and kept it: it is this pool's.
      await new Promise((r) => setTimeout(r, 200));
      expect(orphanHolders(egress)).toEqual([waiting]);
      pool.stop();
      await waitFor(() => !existsSync(`/proc/${waiting}`) || readFileSync(`/proc/${waiting}/stat`, 'utf8').split(' ')[2] === 'Z', 5_000, 'the waiting process to be killed');
      expect(orphanHolders(egress)).toEqual([]);
    } finally {
      process.env.PATH = path;
      pool.stop();
      for (const pid of orphanHolders(egress)) process.kill(pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("kills the processes whose command line names the holder's tag, and no other holder's", async () => {
    const dir = tempStateDir('gh-strays-');
    const egress = join(dir, 'egress');
    // Stand-ins for bwrap's first process in a namespace, stuck before it runs the holder's shell: same command line.
    const stray = (name: string) => spawn('sh', ['-c', 'read _', HOLDER_NAME, join(egress, name)], { stdio: ['pipe', 'ignore', 'ignore'] });
    const [a, b, c] = [stray('warm-a'), stray('warm-a'), stray('warm-b')];
    const gone = (p: ReturnType<typeof spawn>) => new Promise((r) => p.once('exit', r));
    try {
      await waitFor(() => orphanHolders(egress).length === 3, 5_000, 'the stand-ins');
      expect(killStrays(egress, new Set([join(egress, 'warm-a')]))).toBe(2);
      await Promise.all([gone(a), gone(b)]);
      expect(c.exitCode).toBeNull();
      expect(orphanHolders(egress)).toEqual([c.pid]);
    } finally {
      for (const p of [a, b, c]) p.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!usable)('a lying engine', { timeout: 60_000 }, () => {
  it("naming the host's own namespace gets a cold sandbox with a namespace of its own, bridged to the proxy", async () => {
    const r = await runLiedTo([], null, () => ({ netns_pid: process.pid, netns_ino: statSync('/proc/self/ns/net').ino }));
    expect(r.ns, r.stderr).toMatch(/^net:\[\d+\]$/);
    expect(r.ns).not.toBe(HOST_NS);
    expect(r.body).toBe('fake-proxy-403');
    expect(r.proxied).toMatch(/^GET http:\/\/example\.test\//);
  });
});
