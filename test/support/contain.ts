// Helpers for the containment tests: whether this kernel lets bubblewrap make namespaces (tests that need
// them are skipped with a loud warning where it refuses), the CLI run as a process with its output, and
// the host's processes by command line (to prove a sandbox left nothing behind).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, createServer as createNetServer, type Server as NetServer } from 'node:net';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import type { WarmNetwork } from '../../src/shared/containPolicy.js';
import { BIN, configHomeFor, policyPathFor, waitFor } from './engine.js';
import { startFakeEngineSocket } from './fakeEngineSocket.js';

export function sandboxUsable(): boolean {
  const r = spawnSync('bwrap', ['--unshare-pid', '--unshare-net', '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--', '/bin/true'], { encoding: 'utf8' });
  const socat = spawnSync('socat', ['-V'], { stdio: 'ignore' });
  if (r.status === 0 && !socat.error) return true;
  console.warn(`\n!!!!!!!! CONTAINMENT TESTS SKIPPED: bubblewrap/socat missing or the kernel refuses namespaces (${r.error?.message ?? r.stderr?.trim() ?? socat.error?.message}) !!!!!!!!\n`);
  return false;
}

export function writePolicy(stateDir: string, text: string): void {
  const p = policyPathFor(stateDir);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text, { mode: 0o600 });
}

export interface CliRun {
  proc: ChildProcess;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** `gatehouse ARGS` as a process in `cwd`, with the test's config home (under `wrap`, e.g. setpriv, when given). */
export function startCli(stateDir: string, args: string[], o: { cwd?: string; env?: NodeJS.ProcessEnv; wrap?: string[] } = {}): CliRun {
  const wrap = o.wrap ?? [];
  const proc = spawn(wrap[0] ?? process.execPath, [...wrap.slice(1), ...(wrap.length ? [process.execPath] : []), BIN, '--state-dir', stateDir, ...args], {
    cwd: o.cwd ?? process.cwd(),
    env: { ...process.env, XDG_CONFIG_HOME: configHomeFor(stateDir), GATEHOUSE_API_TOKEN: '', GATEHOUSE_POLICY: '', ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d) => (stdout += d));
  proc.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((r) => proc.on('close', (code) => r({ code, stdout, stderr })));
  return { proc, done };
}

export function runCli(stateDir: string, args: string[], o: { cwd?: string; env?: NodeJS.ProcessEnv; wrap?: string[] } = {}) {
  return startCli(stateDir, args, o).done;
}

/** A directory outside /tmp (a sandbox has its own /tmp), removed by the caller. */
export function worldDir(): string {
  return mkdtempSync('/var/tmp/gh-contain-world-');
}

/** Pids of host processes whose command line starts with `needle` (a wrapper's own argv merely contains it). */
export function pidsWith(needle: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0').join(' ').startsWith(needle)) out.push(Number(e));
    } catch {
      /* gone */
    }
  }
  return out;
}

/** The warm network holders of an engine on this state dir: the holder shell's pid (in the namespace) -> its
 * network namespace (`net:[N]`). */
export function warmHolders(stateDir: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const pid of pidsWith(`/bin/sh -c echo ready; read -r _ gatehouse-warm-holder ${stateDir}/egress/warm-`)) {
    try {
      out.set(pid, readlinkSync(`/proc/${pid}/ns/net`));
    } catch {
      /* gone */
    }
  }
  return out;
}

/** The commands (comm) of every process in a network namespace (`net:[N]`), as the host sees them. */
export function commsIn(ns: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readlinkSync(`/proc/${e}/ns/net`) === ns) out.push(readFileSync(`/proc/${e}/comm`, 'utf8').trim());
    } catch {
      /* gone, or another user's */
    }
  }
  return out;
}

/** The socket inodes on 127.0.0.1:3128 in the namespace a process is in (/proc/PID/net/tcp): listening
 * (state 0A) by default, 01 for the connections accepted there. */
export function proxyPortListeners(pid: number, state = '0A'): string[] {
  return readFileSync(`/proc/${pid}/net/tcp`, 'utf8')
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[1] === '0100007F:0C38' && f[3] === state)
    .map((f) => f[9]!);
}

/**
 * The warm slots of an engine once their listener children are gone, each checked: in its namespace only
 * bwrap and the holder's shell (no bridge), its one listener on 127.0.0.1:3128 one of the engine's sockets,
 * and none of the engine's sockets listening on that port in the host's namespace (a door for any local
 * process). Returns the holders ([pid, netns]).
 */
export async function expectEngineHeldSlots(stateDir: string, enginePid: number): Promise<Array<[number, string]>> {
  // The listener child of a refill exits once it has handed its socket over.
  await waitFor(() => [...warmHolders(stateDir)].every(([, ns]) => commsIn(ns).sort().join() === 'bwrap,sh'), 10_000, 'the listener children to be gone');
  const ready = [...warmHolders(stateDir)];
  for (const [pid, ns] of ready) {
    expect(commsIn(ns).sort()).toEqual(['bwrap', 'sh']);
    const [listener, ...more] = proxyPortListeners(pid);
    expect(more).toEqual([]);
    expect(socketsOf(enginePid)).toContain(listener);
  }
  const hostListeners = new Set(proxyPortListeners(process.pid));
  expect(socketsOf(enginePid).filter((i) => hostListeners.has(i))).toEqual([]);
  return ready;
}

/** The scripts expectSingleUseSlots runs in `world`: the first sandbox leaves a listener running in its
 * namespace (`listener.sh`) while a second sandbox looks for it (`look.sh`). */
export function writeSingleUseScripts(world: string): void {
  writeFileSync(
    join(world, 'listener.sh'),
    [
      "socat TCP-LISTEN:4777,bind=127.0.0.1,fork,reuseaddr SYSTEM:'echo LEFTOVER' &",
      'for i in $(seq 100); do out=$(socat -T2 - TCP:127.0.0.1:4777 </dev/null 2>/dev/null) && [ -n "$out" ] && break; sleep 0.05; done',
      'echo "self:$out"',
      'readlink /proc/self/ns/net',
      'while [ ! -e second.done ]; do sleep 0.05; done',
      '',
    ].join('\n'),
  );
  writeFileSync(join(world, 'look.sh'), 'readlink /proc/self/ns/net\nsocat -T2 - TCP:127.0.0.1:4777 </dev/null 2>&1 || echo no-listener\n');
}

/**
 * A warm slot is single use: a sandbox that leaves a listener in its namespace (writeSingleUseScripts'
 * `listener.sh` in `world`) is not there for the next run (`look.sh`), and the slot's holder and the engine's listener
 * go when its session ends. `cli` is how the test starts the CLI (its cwd, wrap and env).
 */
export async function expectSingleUseSlots(t: {
  stateDir: string;
  world: string;
  enginePid: number;
  hostNs: string;
  cli: { cwd?: string; env?: NodeJS.ProcessEnv; wrap?: string[] };
  exec(args: string[]): Promise<{ stdout: string }>;
  warmReady(n?: number): Promise<unknown>;
}): Promise<void> {
  await t.warmReady(2);
  const first = startCli(t.stateDir, ['exec', '--', 'sh', 'listener.sh'], t.cli);
  let out1 = '';
  first.proc.stdout!.on('data', (d) => (out1 += d));
  await waitFor(() => /self:LEFTOVER\nnet:\[\d+\]\n/.test(out1), 20_000, 'the first sandbox to listen');
  const ns1 = /net:\[\d+\]/.exec(out1)![0];
  const holder1 = [...warmHolders(t.stateDir)].find(([, ns]) => ns === ns1)![0];
  const [listener1] = proxyPortListeners(holder1);
  expect(socketsOf(t.enginePid)).toContain(listener1);
  await t.warmReady();
  const second = await t.exec(['sh', 'look.sh']);
  const [ns2, seen] = second.stdout.split('\n');
  expect(ns2).toMatch(/^net:\[\d+\]$/);
  expect(ns2).not.toBe(ns1);
  expect(ns2).not.toBe(t.hostNs);
  expect(seen).not.toContain('LEFTOVER');
  writeFileSync(join(t.world, 'second.done'), '');
  expect((await first.done).code).toBe(0);
  await waitFor(() => ![...warmHolders(t.stateDir).values()].includes(ns1), 5_000, "the first slot's holder to be gone");
  // Its session closed: the engine has let go of the slot's listening socket (and the namespace with it).
  await waitFor(() => !socketsOf(t.enginePid).includes(listener1!), 5_000, "the first slot's listener to be closed");
  expect(readdirSync(join(t.stateDir, 'egress')).filter((f) => f.startsWith('warm-'))).toEqual([]);
}

/** The socket inodes a process holds (`socket:[N]` -> N). */
export function socketsOf(pid: number): string[] {
  const out: string[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) out.push(m[1]!);
    } catch {
      /* closed meanwhile */
    }
  }
  return out;
}

/** An HTTP destination on `host` (127.0.0.x) answering `BODY METHOD URL`. */
export function serve(host: string, body: string): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => res.end(`${body} ${req.method} ${req.url}`));
  return new Promise((r) => server.listen(0, host, () => r({ server, port: (server.address() as { port: number }).port })));
}

/** Sends raw bytes to a proxy socket; resolves with what came back when the proxy closes (or after ms). */
export function rawProxy(path: string, bytes: string | Buffer, ms = 5_000): Promise<Buffer> {
  return new Promise((resolve) => {
    const s = connect(path);
    const got: Buffer[] = [];
    const done = () => {
      clearTimeout(t);
      s.destroy();
      resolve(Buffer.concat(got));
    };
    const t = setTimeout(done, ms);
    s.on('data', (d: Buffer) => got.push(d));
    s.on('close', done);
    s.on('error', done);
    s.write(bytes);
  });
}

/** `gatehouse exec` as `as` (a wrap such as setpriv, or [] for this process's user) against a fake engine (its files owned by `owner` when root) whose contain.open names `lie()`
 * as the warm slot; the fake's proxy answers every request 403. What the sandbox saw and what reached the proxy. */
export async function runLiedTo(as: string[], owner: string | null, lie: () => WarmNetwork): Promise<{ ns: string | undefined; body: string | undefined; proxied: string; stderr: string }> {
  const ownDir = mkdtempSync('/var/tmp/gh-warm-lie-');
  if (owner && process.getuid?.() === 0) expect(spawnSync('chown', [owner, ownDir]).status).toBe(0);
  const tmp = process.env.TMPDIR;
  process.env.TMPDIR = ownDir;
  const fake = await startFakeEngineSocket().finally(() => (process.env.TMPDIR = tmp));
  const world = mkdtempSync(join(ownDir, 'world-'));
  const proxyPath = join(fake.stateDir, 'egress.sock');
  let proxied = '';
  const proxy: NetServer = createNetServer((s) => {
    s.on('data', (d) => {
      proxied += d;
      s.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 14\r\nConnection: close\r\n\r\nfake-proxy-403');
    });
    s.on('error', () => {});
  });
  await new Promise<void>((r) => proxy.listen(proxyPath, r));
  fake.onRequest = (req) => {
    if (req.method === 'subscribe') return req.answer({});
    if (req.method === 'firewall.check') return req.answer({ decision: 'allow', source: 'policy', rule: 'test', reason: 'allowed by the test', segments: [], request_id: `d-${req.id}` });
    if (req.method === 'contain.open') {
      expect(req.params.warm).toBe(true);
      const sandbox = { mode: 'on', write: ['.'], deny_read: ['<state dir>'] };
      return req.answer({ id: 'lie', agent: 'default', proxy_socket: proxyPath, engine_socket: null, sandbox, state_dir: fake.stateDir, warm_network: lie() });
    }
    req.answer({});
  };
  try {
    writeFileSync(join(world, 'probe.sh'), 'readlink /proc/self/ns/net\ncurl -sS -m 5 http://example.test/\n');
    if (owner && process.getuid?.() === 0) expect(spawnSync('chown', ['-R', owner, ownDir]).status).toBe(0);
    const r = await runCli(fake.stateDir, ['exec', '--', 'sh', 'probe.sh'], { cwd: world, wrap: as, env: { HOME: world, TMPDIR: ownDir } });
    const [ns, body] = r.stdout.split('\n');
    return { ns, body, proxied, stderr: r.stderr };
  } finally {
    proxy.close();
    await fake.close();
    rmSync(ownDir, { recursive: true, force: true });
  }
}
