// Warm network namespaces when neither the engine nor the wrapper is root (docs/containment.md, "Warm
// network"): each holder's namespace belongs to a user namespace of the engine's uid, which a wrapper of that
// uid enters first. Run here as `nobody` (setpriv; directly when the tests themselves are not root): the same
// walls as the cold path and as root (only the proxy out, single use, the run's own uid, a read-only root,
// the state dir hidden, its own PID namespace), a slot that fails the check (forged, stale, another uid's)
// goes cold and never runs in the host's namespaces, and an engine killed outright takes its holders along.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTransport } from '../../../src/client/ipcClient.js';
import type { ContainSession } from '../../../src/shared/containPolicy.js';
import { holderArgs } from '../../../src/engine/contain/warmNetwork.js';
import { REPO, configHomeFor, startEngine, tempStateDir, waitFor, type RunningEngine } from '../../support/engine.js';
import { expectEngineHeldSlots, expectSingleUseSlots, runLiedTo, writeSingleUseScripts, pidsWith, runCli, sandboxUsable, serve, startCli, warmHolders, worldDir, writePolicy } from '../../support/contain.js';

const ROOT = process.getuid?.() === 0;
/** The tests' non-root user: nobody, switched to with setpriv when the tests run as root. */
const AS = ROOT ? ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'] : [];
/** Another non-root uid, for a wrapper that is not the engine's. */
const OTHER = ['setpriv', '--reuid=daemon', '--regid=daemon', '--clear-groups'];
const userns = (() => {
  try {
    return Number(readFileSync('/proc/sys/user/max_user_namespaces', 'utf8')) > 0;
  } catch {
    return false;
  }
})();
const hasTool = (t: string) => spawnSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' }).status === 0;
const usable = userns && hasTool('nsenter') && (!ROOT || (hasTool('setpriv') && spawnSync('id', ['-u', 'nobody'], { stdio: 'ignore' }).status === 0)) && sandboxUsable();
if (!usable) console.warn('\n!!!!!!!! NON-ROOT WARM NETWORK TESTS SKIPPED: they need unprivileged user namespaces, nsenter, bubblewrap and socat (and setpriv with a nobody user when run as root) !!!!!!!!\n');
const HOST_NS = readlinkSync('/proc/self/ns/net');

/** Hands a path (recursively) to the tests' non-root user. */
function giveAway(...paths: string[]): void {
  if (ROOT) for (const p of paths) expect(spawnSync('chown', ['-R', 'nobody:nogroup', p]).status).toBe(0);
}

// The run's temp root is root's (0700): this file's temp dirs (state dirs, the fake engine's) go under one the
// non-root user owns, which its engines and CLIs also get as TMPDIR; removed at the end.
const BASE = usable ? mkdtempSync('/var/tmp/gh-warm-user-') : '';
if (usable) {
  giveAway(BASE);
  process.env.TMPDIR = BASE;
}
afterAll(() => {
  if (BASE) rmSync(BASE, { recursive: true, force: true });
});

describe.skipIf(!usable)('warm network namespaces, not root', { timeout: 90_000 }, () => {
  let e: RunningEngine;
  let stateDir: string;
  let world: string;
  let home: string;
  let a: { server: Server; port: number };
  let hostOnly: { server: Server; port: number };
  let env: NodeJS.ProcessEnv;
  let checkScript = '';
  const exec = (args: string[], agent = 'default') => runCli(stateDir, ['exec', '--agent', agent, '--', ...args], { cwd: world, wrap: AS, env });
  async function call(method: string, params?: unknown): Promise<any> {
    const t = await connectTransport({ stateDir, surface: 'cli' });
    try {
      return await t.call(method, params);
    } finally {
      await t.close();
    }
  }
  const warmReady = (n = 1) => waitFor(async () => (await call('contain.status')).warm_network.ready >= n, 20_000, `${n} warm namespace(s) ready`);

  beforeAll(async () => {
    stateDir = tempStateDir('gh-warm-user-');
    world = worldDir();
    home = mkdtempSync(join(BASE, 'home-'));
    env = { HOME: home };
    a = await serve('127.0.0.2', 'hello-A');
    hostOnly = await serve('127.0.0.1', 'HOST-LOOPBACK');
    writeFileSync(join(world, 'probe.sh'), 'readlink /proc/self/ns/net\ncurl -sS -w " %{http_code}" "$@"\n');
    writeFileSync(
      join(world, 'around.sh'),
      [
        `curl -sS -m 5 --noproxy '*' http://127.0.0.1:${hostOnly.port}/ || echo direct-failed`,
        `curl -sS -m 5 --noproxy '*' http://127.0.0.2:${a.port}/ || echo direct2-failed`,
        `(echo x > /dev/tcp/127.0.0.2/${a.port}) 2>/dev/null && echo TCP-CONNECTED || echo devtcp-failed`,
        '',
      ].join('\n'),
    );
    // What the sandbox is: namespaces, uid, what it holds, what it can write and see.
    writeFileSync(
      join(world, 'inside.sh'),
      [
        'readlink /proc/self/ns/net',
        'readlink /proc/self/ns/user',
        'id -u',
        'cat /proc/1/comm',
        'touch /usr/gh-warm-write 2>/dev/null && echo ROOT-WRITABLE || echo root-read-only',
        `ls -A ${stateDir} | tr "\\n" " "; echo "|"`,
        'ls -l /proc/self/fd/ | grep -c -e "net:\\[" -e "user:\\[" -e "/ns/"',
        'cat /proc/[0-9]*/comm | sort -u | tr "\\n" " "',
        '',
      ].join('\n'),
    );
    writeSingleUseScripts(world);
    // The wrapper's check as a process of some uid: which slots it would enter.
    checkScript = [
        `import { statSync } from 'node:fs';`,
        `import { openWarmNetns } from ${JSON.stringify(join(REPO, 'dist/cli/warmNetns.js'))};`,
        'const w = JSON.parse(process.argv[1]);',
        'const own = (k) => statSync(`/proc/self/ns/${k}`).ino;',
        "const enters = (x) => { const n = openWarmNetns(x, undefined, process.pid, 'userns'); n?.close(); return n !== null; };",
        'console.log(JSON.stringify({ live: enters(w), net: enters({ ...w, netns_ino: w.netns_ino + 1 }), user: enters({ ...w, userns_ino: w.userns_ino + 1 }),',
        '  noUser: enters({ netns_pid: w.netns_pid, netns_ino: w.netns_ino }), own: enters({ netns_pid: process.pid, netns_ino: own("net"), userns_ino: own("user") }) }));',
      ].join('\n');
    writePolicy(
      stateDir,
      ['version: 1', 'policy: allowlist', 'allowlist: ["curl *", "sh *", "sleep *"]', 'network:', '  default: deny', `  allow: ["127.0.0.2:${a.port}"]`, ''].join('\n'),
    );
    giveAway(stateDir, configHomeFor(stateDir), world, home);
    e = await startEngine({ stateDir, config: 'sandbox:\n  warm_network: 2\n', wrap: AS, env });
  }, 30_000);

  afterAll(async () => {
    await e?.stop();
    a?.server.close();
    hostOnly?.server.close();
    if (world) rmSync(world, { recursive: true, force: true });
  });

  it('the pool is on in user namespaces; a warm run reaches an allowed destination through the proxy and is refused a denied one', async () => {
    await warmReady();
    expect((await call('contain.status')).warm_network).toMatchObject({ size: 2, off: null, mode: 'userns' });
    const before = new Set(warmHolders(stateDir).values());
    expect(before.has(HOST_NS)).toBe(false);
    const ok = await exec(['sh', 'probe.sh', `http://127.0.0.2:${a.port}/x`], 'warm-user');
    const [ns, body] = ok.stdout.split('\n');
    expect(before.has(ns!), `${ns} is a warm namespace (${ok.stderr})`).toBe(true);
    expect(body).toBe('hello-A GET /x 200');
    await warmReady();
    const denied = await exec(['sh', 'probe.sh', `http://127.0.0.2:${hostOnly.port}/`], 'warm-user');
    expect(denied.stdout).toMatch(/gatehouse: blocked 127\.0\.0\.2:\d+: .* 403$/s);
    const ledger = (await call('ledger.recent', { limit: 200 })) as Array<{ action: string; detail: { agent?: string; decision?: string; warm_network?: boolean } }>;
    expect(ledger.filter((r) => r.action === 'network.decision' && r.detail.agent === 'warm-user').map((r) => r.detail.decision).sort()).toEqual(['allow', 'deny']);
    const opens = ledger.filter((r) => r.action === 'sandbox.open' && r.detail.agent === 'warm-user');
    expect(opens.length).toBe(2);
    expect(opens.every((r) => r.detail.warm_network === true)).toBe(true);
  });

  it("is the same sandbox: the run's own uid, a read-only root, the state dir hidden, its own PID namespace, no namespace descriptor", async () => {
    await warmReady(2);
    const ready = await expectEngineHeldSlots(stateDir, e.proc.pid!);
    const ns = new Set(ready.map(([, n]) => n));
    const r = await exec(['sh', 'inside.sh']);
    const [net, user, uid, init, ro, state, nsFds, comms] = r.stdout.split('\n');
    expect(ns.has(net!), r.stderr).toBe(true);
    expect(user).not.toBe(readlinkSync('/proc/self/ns/user'));
    expect(uid).toBe(ROOT ? '65534' : String(process.getuid?.()));
    expect(init).toBe('bwrap');
    expect(ro).toBe('root-read-only');
    expect(state).toBe('|');
    expect(nsFds).toBe('0');
    expect(comms).not.toMatch(/\bsocat\b|\bnode\b/);
    expect(existsSync('/usr/gh-warm-write')).toBe(false);
  });

  it('gatehouse sandbox (a whole agent) enters a warm namespace too, with its engine door and no proxy socket inside', async () => {
    await warmReady();
    const before = new Set(warmHolders(stateDir).values());
    writeFileSync(join(world, 'agent.sh'), `sh probe.sh http://127.0.0.2:${a.port}/agent\necho\nls ${stateDir}\n`);
    giveAway(join(world, 'agent.sh'));
    const r = await runCli(stateDir, ['sandbox', '--agent', 'whole', '--', 'sh', 'agent.sh'], { cwd: world, wrap: AS, env });
    const [ns, body, ...listing] = r.stdout.trim().split('\n');
    expect(before.has(ns!), `${ns} is a warm namespace (${r.stderr})`).toBe(true);
    expect(body).toBe('hello-A GET /agent 200');
    expect(listing).toEqual(['gatehouse.sock']);
  });

  it("cannot reach the host's loopback or anything else but through the proxy", async () => {
    await warmReady();
    const r = await exec(['sh', 'around.sh']);
    expect(r.stdout).not.toMatch(/HOST-LOOPBACK|hello-A|TCP-CONNECTED/);
    for (const w of ['direct-failed', 'direct2-failed', 'devtcp-failed']) expect(r.stdout).toContain(w);
  });

  it('is single use: a listener left in one sandbox is not there for the next; the slot dies with its session', () =>
    expectSingleUseSlots({ stateDir, world, enginePid: e.proc.pid!, hostNs: HOST_NS, cli: { cwd: world, wrap: AS, env }, exec, warmReady }));

  it("a slot that fails the check is not entered: forged inodes, no user namespace, the wrapper's own, another uid's, a stale holder", async () => {
    await warmReady();
    const t = await connectTransport({ stateDir, surface: 'cli' });
    try {
      const s = (await t.call('contain.open', { agent: 'stale', command: 'x', warm: true })) as ContainSession;
      const w = s.warm_network!;
      expect(w.userns_ino).toBeGreaterThan(0);
      expect(w.userns_ino).not.toBe(statSync('/proc/self/ns/user').ino);
      const check = (as: string[]) => {
        const r = spawnSync(as[0] ?? process.execPath, [...as.slice(1), ...(as.length ? [process.execPath] : []), '--input-type=module', '-e', checkScript, JSON.stringify(w)], { encoding: 'utf8' });
        return JSON.parse(r.stdout || `{"error": ${JSON.stringify(r.stderr)}}`);
      };
      expect(check(AS)).toEqual({ live: true, net: false, user: false, noUser: false, own: false });
      // A wrapper of another uid may not open the holder's namespaces at all (it goes cold).
      if (ROOT) expect(check(OTHER)).toEqual({ live: false, net: false, user: false, noUser: false, own: false });
      process.kill(w.netns_pid, 'SIGKILL');
      await waitFor(() => check(AS).live === false, 5_000, 'the stale slot to be refused');
    } finally {
      await t.close();
    }
  });

  it('SIGKILL of the engine while a warm sandbox runs: its holders go, the sandbox stops', async () => {
    await warmReady();
    const run = startCli(stateDir, ['exec', '--', 'sleep', '4247'], { cwd: world, wrap: AS, env });
    await waitFor(() => pidsWith('sleep 4247').length > 0, 20_000, 'the sandboxed sleep');
    const [sleeper] = pidsWith('sleep 4247');
    expect([...warmHolders(stateDir).values()]).toContain(readlinkSync(`/proc/${sleeper}/ns/net`));
    await e.kill9();
    const r = await run.done;
    expect(r.code).toBe(126);
    expect(r.stderr).toMatch(/the engine went away/);
    await waitFor(() => warmHolders(stateDir).size === 0, 5_000, 'every holder to be gone');
    await waitFor(() => pidsWith('sleep 4247').length === 0, 5_000, 'the sandbox to stop');
  });
});

describe.skipIf(!usable)('the probe at pool start, not root', { timeout: 60_000 }, () => {
  it('a kernel or module that refuses the entry turns the pool off, says why, and runs go cold', async () => {
    const stateDir = tempStateDir('gh-warm-probe-');
    const world = worldDir();
    const home = mkdtempSync(join(BASE, 'home-'));
    // An nsenter that fails as a refusing kernel makes it fail (the probe runs the first one on PATH).
    const bin = mkdtempSync(join(BASE, 'bin-'));
    writeFileSync(join(bin, 'nsenter'), "#!/bin/sh\necho \"nsenter: reassociate to namespace 'ns/user' failed: Operation not permitted\" >&2\nexit 1\n", { mode: 0o755 });
    writeFileSync(join(world, 'probe.sh'), 'readlink /proc/self/ns/net\n');
    writePolicy(stateDir, ['version: 1', 'policy: allowlist', 'allowlist: ["sh *"]', 'network:', '  default: deny', ''].join('\n'));
    giveAway(stateDir, configHomeFor(stateDir), home, bin, world);
    const env = { HOME: home, PATH: `${bin}:${process.env.PATH}` };
    const eng = await startEngine({ stateDir, wrap: AS, env });
    try {
      const status = async () => {
        const t = await connectTransport({ stateDir, surface: 'cli' });
        try {
          return ((await t.call('contain.status')) as { warm_network: { off: string | null; ready: number; size: number; mode: string | null } }).warm_network;
        } finally {
          await t.close();
        }
      };
      const off = await waitFor(async () => (await status()).off, 20_000, 'the pool to go off');
      expect(off).toMatch(/not run as root and entering a holder's user and network namespaces failed \(nsenter exited 1: nsenter: reassociate to namespace 'ns\/user' failed: Operation not permitted\)/);
      expect(await status()).toMatchObject({ size: 0, ready: 0, mode: null });
      await waitFor(() => warmHolders(stateDir).size === 0, 5_000, 'no holder left');
      const r = await runCli(stateDir, ['exec', '--', 'sh', 'probe.sh'], { cwd: world, wrap: AS, env });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim()).toMatch(/^net:\[\d+\]$/);
      expect(r.stdout.trim()).not.toBe(HOST_NS);
    } finally {
      await eng.stop();
      rmSync(world, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!usable || !ROOT)('a root wrapper and an engine that is not root', { timeout: 60_000 }, () => {
  it("enters the holder's network namespace alone (as root it may), bridged to the proxy", async () => {
    const stateDir = tempStateDir('gh-warm-mixed-');
    const world = worldDir();
    const home = mkdtempSync(join(BASE, 'home-'));
    const a = await serve('127.0.0.2', 'hello-mixed');
    writeFileSync(join(world, 'probe.sh'), 'readlink /proc/self/ns/net\nid -u\ncurl -sS "$@"\n');
    writePolicy(stateDir, ['version: 1', 'policy: allowlist', 'allowlist: ["sh *"]', 'network:', '  default: deny', `  allow: ["127.0.0.2:${a.port}"]`, ''].join('\n'));
    giveAway(stateDir, configHomeFor(stateDir), home);
    const eng = await startEngine({ stateDir, wrap: AS, env: { HOME: home } });
    try {
      await waitFor(async () => {
        const t = await connectTransport({ stateDir, surface: 'cli' });
        try {
          return ((await t.call('contain.status')) as { warm_network: { ready: number } }).warm_network.ready >= 1;
        } finally {
          await t.close();
        }
      }, 20_000, 'a warm namespace');
      const before = new Set(warmHolders(stateDir).values());
      const r = await runCli(stateDir, ['exec', '--', 'sh', 'probe.sh', `http://127.0.0.2:${a.port}/m`], { cwd: world });
      const [ns, uid, body] = r.stdout.split('\n');
      expect(before.has(ns!), r.stderr).toBe(true);
      expect(uid).toBe('0');
      expect(body).toBe('hello-mixed GET /m');
    } finally {
      await eng.stop();
      a.server.close();
      rmSync(world, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!usable)('a lying engine, or a slot of another uid, to a wrapper that is not root', { timeout: 60_000 }, () => {
  it("naming the wrapper's own user and network namespaces gets a cold sandbox with a namespace of its own, bridged to the proxy", async () => {
    // A process of the wrapper's uid in the host's namespaces: its user and network namespace are named.
    const host = spawn(AS[0] ?? 'sleep', [...AS.slice(1), ...(AS.length ? ['sleep'] : []), '300'], { stdio: 'ignore' });
    try {
      const r = await runLiedTo(AS, 'nobody:nogroup', () => ({ netns_pid: host.pid!, netns_ino: statSync(`/proc/${host.pid}/ns/net`).ino, userns_ino: statSync(`/proc/${host.pid}/ns/user`).ino }));
      expect(r.ns, r.stderr).toMatch(/^net:\[\d+\]$/);
      expect(r.ns).not.toBe(HOST_NS);
      expect(r.body).toBe('fake-proxy-403');
      expect(r.proxied).toMatch(/^GET http:\/\/example\.test\//);
    } finally {
      host.kill('SIGKILL');
    }
  });

  it.skipIf(!ROOT)("a real holder of another uid (the engine's) is not entered by this wrapper: cold, a namespace of its own", async () => {
    // A holder as nobody's engine makes it; the wrapper runs as daemon.
    const dir = mkdtempSync(join(BASE, 'holder-'));
    giveAway(dir);
    const holder = spawn(AS[0]!, [...AS.slice(1), 'bwrap', ...holderArgs(join(dir, 'warm-x'), 'userns')], { stdio: ['pipe', 'ignore', 'pipe', 'pipe'] });
    let info = '';
    holder.stdio[3]!.on('data', (d) => (info += d));
    holder.stderr!.on('data', () => {});
    try {
      const pid = Number((await waitFor(() => /"child-pid":\s*(\d+)/.exec(info), 10_000, "the holder's pid"))[1]);
      const slot = { netns_pid: pid, netns_ino: statSync(`/proc/${pid}/ns/net`).ino, userns_ino: statSync(`/proc/${pid}/ns/user`).ino };
      const holderNs = readlinkSync(`/proc/${pid}/ns/net`);
      const r = await runLiedTo(OTHER, 'daemon:daemon', () => slot);
      expect(r.ns, r.stderr).toMatch(/^net:\[\d+\]$/);
      expect(r.ns).not.toBe(HOST_NS);
      expect(r.ns).not.toBe(holderNs);
      expect(r.body).toBe('fake-proxy-403');
    } finally {
      holder.kill('SIGKILL');
    }
  });
});
