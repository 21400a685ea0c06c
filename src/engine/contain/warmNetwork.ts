// Warm network namespaces (docs/containment.md, "Warm network"): starting socat inside each sandbox costs
// ~10 ms of dynamic loading, so the engine keeps `sandbox.warm_network` network namespaces ready, each
// held by `bwrap --unshare-net … sh` with the proxy port 127.0.0.1:3128 listening in it, a socket the
// engine itself holds (warmListener.ts). A sandboxed run with network claims one (its session's proxy then
// takes that socket's connections) and enters it with nsenter instead of making its own. Slots are single
// use: the holder is killed and the socket closed when the session ends, and a new spare is started. setns into a network namespace
// needs CAP_SYS_ADMIN over it: an engine running as root has it; one that is not holds each namespace in a
// user namespace of its own (`--unshare-user`), whose owner (its uid) has every capability there, so a
// wrapper of that uid enters the user namespace and then the network namespace. Where the kernel refuses
// unprivileged user namespaces, or a probe entering the first holder fails, the pool stays off and runs
// take the cold path.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Logger } from 'pino';
import type { WarmNetwork } from '../../shared/containPolicy.js';
import type { Socket } from 'node:net';
import { listenInSlot, SlotListener } from './warmListener.js';

/** How long a holder may take to listen before it is given up. */
const READY_MS = 10_000;
/** The spare that replaces a claimed slot starts this much later, so that it does not compete for the CPU with
 * the start of the sandbox it was claimed for (a run arriving meanwhile takes the cold path). */
export const REFILL_DELAY_MS = 100;
/** Holders that failed in a row before the pool stops trying (the kernel or a package refuses). */
const MAX_FAILURES = 3;

export interface WarmSlot extends WarmNetwork {
  id: string;
  /** Gives the connections to the proxy port in the namespace to `accept` (the session's proxy). */
  attach(accept: (s: Socket) => void): void;
  /** Kills the holder and closes its listening socket (idempotent). */
  release(): void;
}

interface Holder {
  id: string;
  /** `<egress dir>/warm-ID`: names the holder in its command line (no file). */
  tag: string;
  proc: ChildProcess;
  ready: WarmNetwork | null;
  listener: SlotListener | null;
  claimed: boolean;
}

/** The engine's own namespace inode (`net`, `user`): a slot with this inode would be no namespace at all. */
export function ownNsIno(kind: 'net' | 'user' = 'net'): number | null {
  try {
    return statSync(`/proc/self/ns/${kind}`).ino;
  } catch {
    return null;
  }
}

/** How the engine holds its namespaces: `root` (a run as root enters the network namespace), `userns` (not root:
 * each holder in a user namespace of the engine's uid, which a run of that uid enters first). */
export type WarmMode = 'root' | 'userns';

/** What decides the mode: the uid, the kernel's user namespace settings, whether nsenter is on PATH. */
export interface WarmHostFacts {
  uid: number | undefined;
  /** A /proc/sys file's contents, or null when it does not exist. */
  sysctl(path: string): string | null;
  hasNsenter: boolean;
}

function realFacts(): WarmHostFacts {
  return {
    uid: process.getuid?.(),
    sysctl: (p) => {
      try {
        return readFileSync(p, 'utf8').trim();
      } catch {
        return null;
      }
    },
    hasNsenter: (process.env.PATH ?? '').split(delimiter).some((d) => d !== '' && existsSync(join(d, 'nsenter'))),
  };
}

/** The pool's mode here, or why there can be none: root; else unprivileged user namespaces (max_user_namespaces
 * above 0, Debian's unprivileged_userns_clone not 0) and nsenter, which the probe at the first holder then tries. */
export function warmMode(f: WarmHostFacts = realFacts()): WarmMode | { off: string } {
  if (f.uid === 0) return 'root';
  const max = f.sysctl('/proc/sys/user/max_user_namespaces');
  if (max === null || !(Number(max) > 0)) return { off: `the engine does not run as root and the kernel allows no unprivileged user namespaces (/proc/sys/user/max_user_namespaces is ${max ?? 'missing'})` };
  const clone = f.sysctl('/proc/sys/kernel/unprivileged_userns_clone');
  if (clone !== null && clone !== '1') return { off: `the engine does not run as root and the kernel allows no unprivileged user namespaces (/proc/sys/kernel/unprivileged_userns_clone is ${clone})` };
  if (!f.hasNsenter) return { off: 'the engine does not run as root and nsenter (util-linux) is not on PATH' };
  return 'userns';
}

export const HOLDER_NAME = 'gatehouse-warm-holder';

/** Processes of holders on this egress dir, by the tag their command line names (bwrap's processes keep
 * their command line; so does the first process in the namespace, a clone of bwrap). */
function holderProcs(dir: string): Array<{ pid: number; tag: string }> {
  const out: Array<{ pid: number; tag: string }> = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const argv = readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0');
      const at = argv.indexOf(HOLDER_NAME);
      const tag = at > 0 ? argv[at + 1] : undefined;
      if (tag?.startsWith(`${dir}/warm-`)) out.push({ pid: Number(e), tag });
    } catch {
      /* gone */
    }
  }
  return out;
}

/** Pids of holders of an earlier engine on this egress dir that outlived it (killed in bwrap's start-up
 * window, where neither --die-with-parent nor the stdin pipe reaches them yet): their command line names
 * the holder and a tag in `dir`. */
export function orphanHolders(dir: string, ours: ReadonlySet<string> = new Set()): number[] {
  return holderProcs(dir).filter((p) => !ours.has(p.tag)).map((p) => p.pid);
}

/** Kills every process left of the holders of these tags. bwrap's first process in the namespace waits
 * for its parent's go-ahead before it sets its parent-death signal and runs the holder's shell: a bwrap
 * killed in that window leaves it waiting for ever (the stdin pipe is never read). Once the kill is sent,
 * the dying bwrap can make no new process, so one look after it finds them all. */
export function killStrays(dir: string, tags: ReadonlySet<string>): number {
  let n = 0;
  for (const p of holderProcs(dir)) {
    if (!tags.has(p.tag)) continue;
    try {
      process.kill(p.pid, 'SIGKILL');
      n++;
    } catch {
      /* gone meanwhile */
    }
  }
  return n;
}

/** The holder's command line: a fresh network namespace (lo up) held by a shell that says `ready` once it runs
 * and waits on stdin, a pipe from the engine, ending when it closes: bwrap's --die-with-parent misses an
 * engine killed while that bwrap was still starting. The proxy port in it is the engine's (warmListener.ts). Not root (`userns`), the
 * namespace belongs to a new user namespace that maps only the engine's uid, and bwrap's process is in it:
 * `--dev /dev` would make bwrap map root first and nest a second user namespace (for devpts), which the
 * network namespace would not belong to, so only /dev/null is bound in. */
export function holderArgs(tag: string, mode: WarmMode = 'root'): string[] {
  const dev = mode === 'userns' ? ['--unshare-user', '--dev-bind', '/dev/null', '/dev/null'] : ['--dev', '/dev'];
  return [
    '--unshare-net', '--die-with-parent', '--unshare-pid', '--ro-bind', '/', '/', ...dev, '--proc', '/proc', '--info-fd', '3', '--',
    '/bin/sh', '-c', 'echo ready; read -r _', HOLDER_NAME, tag,
  ];
}

/** The probe of the `userns` mode, run once on the first holder before it counts as ready: what a run does
 * (nsenter into its user and network namespaces, then a bwrap sandbox of its own in them). */
export function probeArgs(pid: number): string[] {
  return [
    `--user=/proc/${pid}/ns/user`, `--net=/proc/${pid}/ns/net`, '--preserve-credentials', '--',
    'bwrap', '--die-with-parent', '--unshare-pid', '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--', '/bin/true',
  ];
}

export class WarmNetworkPool {
  private readonly holders = new Map<string, Holder>();
  private failures = 0;
  private stopped = false;
  private disabled: string | null = null;
  private readonly mode: WarmMode = 'root';
  /** `userns`: entering a holder is tried once, on the first (failing turns the pool off); holders that are up
   * meanwhile wait for its outcome here. */
  private probe: 'untried' | 'running' | 'ok' = 'untried';
  private readonly awaitingProbe = new Map<Holder, WarmNetwork>();

  constructor(
    private readonly dir: string,
    private readonly size: number,
    private readonly logger: Logger,
    how: WarmMode | { off: string } = warmMode(),
    private readonly refillDelayMs = REFILL_DELAY_MS,
  ) {
    if (size <= 0) this.disabled = 'sandbox.warm_network is 0';
    else if (typeof how === 'object') this.disabled = how.off;
    else this.mode = how;
    if (this.mode === 'root') this.probe = 'ok';
  }

  start(): void {
    if (this.disabled) {
      this.logger.debug({ why: this.disabled }, 'warm network namespaces off');
      return;
    }
    this.fill();
    // The engine holds the state dir's lock: a holder on its egress dir that is not ours is an earlier engine's.
    setTimeout(() => {
      for (const pid of orphanHolders(this.dir, new Set([...this.holders.values()].map((h) => h.tag)))) {
        try {
          process.kill(pid, 'SIGKILL');
          this.logger.warn({ pid }, 'killed a warm network holder an earlier engine left behind');
        } catch {
          /* gone meanwhile */
        }
      }
    }, 0).unref();
  }

  /** A ready spare, or null (none ready yet: the run takes the cold path, it does not wait). */
  claim(): WarmSlot | null {
    const h = [...this.holders.values()].find((x) => x.ready && x.listener && !x.claimed);
    if (!h || !h.ready || !h.listener) return null;
    h.claimed = true;
    setTimeout(() => this.fill(), this.refillDelayMs).unref();
    const listener = h.listener;
    return { id: h.id, ...h.ready, attach: (accept) => listener.attach(accept), release: () => this.kill(h) };
  }

  status(): { size: number; ready: number; in_use: number; off: string | null; mode: WarmMode | null } {
    const hs = [...this.holders.values()];
    return { size: this.disabled ? 0 : this.size, ready: hs.filter((h) => h.ready && !h.claimed).length, in_use: hs.filter((h) => h.claimed).length, off: this.disabled, mode: this.disabled ? null : this.mode };
  }

  stop(): void {
    this.stopped = true;
    const starting = new Set<string>();
    for (const h of [...this.holders.values()]) if (this.kill(h, false)) starting.add(h.tag);
    if (starting.size) killStrays(this.dir, starting);
  }

  private fill(): void {
    if (this.stopped || this.disabled) return;
    const spares = [...this.holders.values()].filter((h) => !h.claimed).length;
    for (let i = spares; i < this.size; i++) this.spawnHolder();
  }

  /** Kills a holder; one that was still starting (bwrap may not have let its namespace's first process go on)
   * is looked for by its command line too, unless `sweep` is false (the caller sweeps once for several).
   * Returns whether it was still starting. */
  private kill(h: Holder, sweep = true): boolean {
    this.holders.delete(h.id);
    this.awaitingProbe.delete(h);
    const starting = h.ready === null;
    // bwrap's --die-with-parent takes the namespace's processes with it, once they run.
    if (h.proc.exitCode === null && h.proc.signalCode === null) h.proc.kill('SIGKILL');
    if (starting && sweep) killStrays(this.dir, new Set([h.tag]));
    h.listener?.close();
    h.listener = null;
    return starting;
  }

  private failed(h: Holder, why: string): void {
    if (this.holders.get(h.id) !== h) return; // already released or reported
    const wasReady = h.ready !== null;
    this.kill(h);
    if (this.stopped || h.claimed) return;
    if (!wasReady) this.failures++;
    if (this.failures >= MAX_FAILURES) {
      this.disabled = `the holder failed ${MAX_FAILURES} times in a row (last: ${why})`;
      this.logger.warn({ why: this.disabled }, 'warm network namespaces off: sandboxed runs start their own');
      return;
    }
    this.logger.debug({ why }, 'warm network holder gone; starting another');
    setTimeout(() => this.fill(), wasReady ? 0 : 200 * this.failures).unref();
  }

  private isReady(h: Holder, ready: WarmNetwork): void {
    if (this.holders.get(h.id) !== h) return;
    h.ready = ready;
    this.failures = 0;
  }

  /** `userns`: entering a holder's namespaces was refused; the pool goes off. */
  private refused(why: string): void {
    this.disabled = `the engine does not run as root and entering a holder's user and network namespaces failed (${why})`;
    this.logger.warn({ why: this.disabled }, 'warm network namespaces off: sandboxed runs start their own');
    for (const h of [...this.holders.values()]) this.kill(h);
  }

  /** `userns`: enters the first holder as a run would; if the kernel or an LSM refuses, the pool goes off. */
  private probeEntry(pid: number): void {
    this.probe = 'running';
    const p = spawn('nsenter', probeArgs(pid), { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr!.on('data', (d: Buffer) => (err = (err + d).slice(-1000)));
    let settled = false;
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      done(false, `nsenter did not finish in ${READY_MS / 1000} s`);
    }, READY_MS);
    timer.unref();
    const done = (ok: boolean, why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (this.stopped) return;
      const waiting = [...this.awaitingProbe];
      this.awaitingProbe.clear();
      if (ok) {
        this.probe = 'ok';
        this.logger.debug('warm network namespaces: a run of this uid can enter a holder’s user namespace');
        for (const [h, ready] of waiting) this.isReady(h, ready);
        return;
      }
      this.refused(why);
    };
    p.on('error', (e) => done(false, e.message));
    p.on('exit', (code, signal) => done(code === 0, `nsenter exited ${signal ?? code}: ${err.trim().split('\n').at(-1) ?? ''}`));
  }

  private spawnHolder(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const id = `warm-${randomBytes(8).toString('hex')}`;
    const tag = join(this.dir, id);
    const proc = spawn('bwrap', holderArgs(tag, this.mode), { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
    const h: Holder = { id, tag, proc, ready: null, listener: null, claimed: false };
    this.holders.set(id, h);
    let info = '';
    let log = '';
    let running = false;
    let childPid = 0;
    const timer = setTimeout(() => this.failed(h, 'its namespace and listener were not ready in time'), READY_MS);
    timer.unref();
    const check = () => {
      if (h.ready || h.listener || !running || !childPid) return;
      let ino: number;
      try {
        ino = statSync(`/proc/${childPid}/ns/net`).ino;
      } catch (err) {
        return this.failed(h, `its namespace is unreadable: ${(err as Error).message}`);
      }
      if (ino === ownNsIno('net')) return this.failed(h, 'its network namespace is the engine’s own');
      let ready: WarmNetwork = { netns_pid: childPid, netns_ino: ino };
      if (this.mode === 'userns') {
        let user: number;
        try {
          user = statSync(`/proc/${childPid}/ns/user`).ino;
        } catch (err) {
          return this.failed(h, `its user namespace is unreadable: ${(err as Error).message}`);
        }
        if (user === ownNsIno('user')) return this.failed(h, 'its user namespace is the engine’s own');
        ready = { ...ready, userns_ino: user };
      }
      const slot = ready;
      // The proxy port in the namespace, the engine's own socket (warmListener.ts); a slot without it is not ready.
      listenInSlot({ pid: childPid, netns_ino: ino, userns: this.mode === 'userns' }).then(
        (server) => {
          if (this.holders.get(h.id) !== h) return void server.close();
          clearTimeout(timer);
          h.listener = new SlotListener(server);
          if (this.probe === 'ok') return this.isReady(h, slot);
          this.awaitingProbe.set(h, slot);
          if (this.probe === 'untried') this.probeEntry(slot.netns_pid);
        },
        (err: Error) => {
          clearTimeout(timer);
          // `userns`: the first entry into a holder is the listener's; one refused before any succeeded is the kernel's.
          if (this.mode === 'userns' && this.probe === 'untried' && this.holders.get(h.id) === h) return this.refused(err.message);
          this.failed(h, `its listener did not start (${err.message})`);
        },
      );
    };
    const infoPipe = proc.stdio[3] as NodeJS.ReadableStream;
    infoPipe.on('data', (d: Buffer) => {
      info += d;
      const m = /"child-pid":\s*(\d+)/.exec(info);
      if (m && !childPid) {
        childPid = Number(m[1]);
        check();
      }
    });
    // The shell in the namespace says `ready` once bwrap has set it up (a user namespace's uid map included).
    let said = '';
    proc.stdout!.on('data', (d: Buffer) => {
      said = (said + d).slice(-64);
      if (running || !/ready/.test(said)) return;
      running = true;
      check();
    });
    proc.stderr!.on('data', (d: Buffer) => (log = (log + d).slice(-4096)));
    proc.on('error', (err) => {
      clearTimeout(timer);
      this.failed(h, err.message);
    });
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      this.failed(h, `it exited (${signal ?? code}): ${log.trim().split('\n').at(-1) ?? ''}`);
    });
  }
}
