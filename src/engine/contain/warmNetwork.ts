// Warm network namespaces (docs/containment.md, "Warm network"): starting socat inside each sandbox costs
// ~10 ms of dynamic loading, so the engine keeps `sandbox.warm_network` network namespaces ready, each
// held by `bwrap --unshare-net … socat TCP-LISTEN:3128 … UNIX-CONNECT:<state>/egress/<slot>.sock` that
// already listens. A sandboxed run with network claims one (its session's proxy then listens on exactly
// that socket) and enters it with nsenter instead of making its own. Slots are single use: the holder is
// killed when the session ends, and a new spare is started at claim time. Needs root (setns into a
// namespace needs CAP_SYS_ADMIN); everywhere else the pool stays empty and runs take the cold path.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { WarmNetwork } from '../../shared/containPolicy.js';
import { bridgeSocat } from './sandbox.js';

/** How long a holder may take to listen before it is given up. */
const READY_MS = 10_000;
/** The spare that replaces a claimed slot starts this much later, so that it does not compete for the CPU with
 * the start of the sandbox it was claimed for (a run arriving meanwhile takes the cold path). */
export const REFILL_DELAY_MS = 100;
/** Holders that failed in a row before the pool stops trying (the kernel or a package refuses). */
const MAX_FAILURES = 3;

export interface WarmSlot extends WarmNetwork {
  id: string;
  /** The unix socket the holder's socat connects to; the session's proxy listens here. */
  socket: string;
  /** Kills the holder and removes its socket (idempotent). */
  release(): void;
}

interface Holder {
  id: string;
  socket: string;
  proc: ChildProcess;
  ready: WarmNetwork | null;
  claimed: boolean;
}

/** The engine's own network namespace inode: a slot with this inode would be no namespace at all. */
export function ownNetnsIno(): number | null {
  try {
    return statSync('/proc/self/ns/net').ino;
  } catch {
    return null;
  }
}

const HOLDER_NAME = 'gatehouse-warm-holder';

/** Pids of holders of an earlier engine on this egress dir that outlived it (killed in bwrap's start-up
 * window, where neither --die-with-parent nor the stdin pipe reaches them yet): their command line names
 * the holder and a socket in `dir`. */
export function orphanHolders(dir: string, ours: ReadonlySet<string> = new Set()): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const argv = readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0');
      const at = argv.indexOf(HOLDER_NAME);
      const socket = at > 0 ? argv[at + 1] : undefined;
      if (socket?.startsWith(`${dir}/warm-`) && !ours.has(socket)) out.push(Number(e));
    } catch {
      /* gone */
    }
  }
  return out;
}

/** The holder's command line: a fresh network namespace (lo up), socat listening on the proxy port. A shell
 * waits on stdin, a pipe from the engine, and ends socat (and with it the namespace) when it closes: bwrap's
 * --die-with-parent misses an engine killed while that bwrap was still starting. */
export function holderArgs(socket: string): string[] {
  const socat = bridgeSocat('$1', true);
  return [
    '--unshare-net', '--die-with-parent', '--unshare-pid', '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--info-fd', '3', '--',
    '/bin/sh', '-c', `${socat} </dev/null & read -r _; kill $! 2>/dev/null`, HOLDER_NAME, socket,
  ];
}

export class WarmNetworkPool {
  private readonly holders = new Map<string, Holder>();
  private failures = 0;
  private stopped = false;
  private disabled: string | null = null;

  constructor(
    private readonly dir: string,
    private readonly size: number,
    private readonly logger: Logger,
    private readonly isRoot: boolean = process.getuid?.() === 0,
    private readonly refillDelayMs = REFILL_DELAY_MS,
  ) {
    if (size <= 0) this.disabled = 'sandbox.warm_network is 0';
    else if (!isRoot) this.disabled = 'the engine does not run as root (entering a namespace needs CAP_SYS_ADMIN)';
  }

  start(): void {
    if (this.disabled) {
      this.logger.debug({ why: this.disabled }, 'warm network namespaces off');
      return;
    }
    this.fill();
    // The engine holds the state dir's lock: a holder on its egress dir that is not ours is an earlier engine's.
    setTimeout(() => {
      for (const pid of orphanHolders(this.dir, new Set([...this.holders.values()].map((h) => h.socket)))) {
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
    const h = [...this.holders.values()].find((x) => x.ready && !x.claimed);
    if (!h || !h.ready) return null;
    h.claimed = true;
    setTimeout(() => this.fill(), this.refillDelayMs).unref();
    return { id: h.id, socket: h.socket, ...h.ready, release: () => this.kill(h) };
  }

  status(): { size: number; ready: number; in_use: number; off: string | null } {
    const hs = [...this.holders.values()];
    return { size: this.disabled ? 0 : this.size, ready: hs.filter((h) => h.ready && !h.claimed).length, in_use: hs.filter((h) => h.claimed).length, off: this.disabled };
  }

  stop(): void {
    this.stopped = true;
    for (const h of this.holders.values()) this.kill(h);
  }

  private fill(): void {
    if (this.stopped || this.disabled) return;
    const spares = [...this.holders.values()].filter((h) => !h.claimed).length;
    for (let i = spares; i < this.size; i++) this.spawnHolder();
  }

  private kill(h: Holder): void {
    this.holders.delete(h.id);
    // bwrap's --die-with-parent takes the namespace's processes with it.
    if (h.proc.exitCode === null && h.proc.signalCode === null) h.proc.kill('SIGKILL');
    rmSync(h.socket, { force: true });
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

  private spawnHolder(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const id = `warm-${randomBytes(8).toString('hex')}`;
    const socket = join(this.dir, `${id}.sock`);
    const proc = spawn('bwrap', holderArgs(socket), { stdio: ['pipe', 'ignore', 'pipe', 'pipe'] });
    const h: Holder = { id, socket, proc, ready: null, claimed: false };
    this.holders.set(id, h);
    let info = '';
    let log = '';
    let listening = false;
    let childPid = 0;
    const timer = setTimeout(() => this.failed(h, 'it did not listen in time'), READY_MS);
    timer.unref();
    const check = () => {
      if (h.ready || !listening || !childPid) return;
      clearTimeout(timer);
      let ino: number;
      try {
        ino = statSync(`/proc/${childPid}/ns/net`).ino;
      } catch (err) {
        return this.failed(h, `its namespace is unreadable: ${(err as Error).message}`);
      }
      if (ino === ownNetnsIno()) return this.failed(h, 'its network namespace is the engine’s own');
      h.ready = { netns_pid: childPid, netns_ino: ino };
      this.failures = 0;
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
    // socat logs every connection on stderr with -d -d: read and drop after its first "listening" line.
    proc.stderr!.on('data', (d: Buffer) => {
      if (listening) return;
      log = (log + d).slice(-4096);
      if (/ listening on /.test(log)) {
        listening = true;
        check();
      }
    });
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
