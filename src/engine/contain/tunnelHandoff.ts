// A tunnel that has carried a lot is handed to socat: both of its sockets are passed to a
// `socat FD:0 FD:1` relay, which copies in 256 KiB reads and writes with no JavaScript per chunk, off
// the engine's thread. The decision was made and recorded before the first byte; nothing after it is
// judged, so the relay changes only who copies. It dies with the engine (setpriv's parent-death
// signal), and the proxy kills it when its session ends. Where socat cannot start, the engine's own
// relay simply goes on.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Socket } from 'node:net';

/**
 * After how many bytes downstream a tunnel is handed to socat. Below it the spawn (a few ms, during which
 * the tunnel waits) costs more than it saves; measured on 100 MB (BENCHMARKS.md): after 8 MiB 0.73× the
 * direct rate, after 2 MiB 0.80×, after 512 KiB 0.83×.
 */
export const HANDOFF_AFTER = 1024 * 1024;
/**
 * The send buffer socat asks for on the client's unix socket (the downstream it writes). The default
 * (net.core.wmem_default, 208 KiB on Debian) makes socat and the reader take turns every couple of
 * writes; the kernel caps the request at net.core.wmem_max. null: the kernel's default.
 */
export const RELAY_SNDBUF = 4 * 1024 * 1024;
/** Most tunnels relayed by socat at once (each is a process); beyond it the engine relays. */
export const MAX_RELAYS = 64;
/** How long socat keeps relaying one direction after the other has ended (a half-closed tunnel). */
const HALF_CLOSED_S = 300;

let found: boolean | null = null;

/** Whether setpriv and socat are on PATH (looked up once: a relay that fails after the engine let go would lose the tunnel). */
function relayInstalled(): boolean {
  const dirs = (process.env.PATH ?? '/usr/bin:/bin').split(delimiter).filter(Boolean);
  const has = (name: string) => dirs.some((d) => existsSync(join(d, name)));
  return (found ??= has('setpriv') && has('socat'));
}

/** Resolves once nothing the engine wrote to the socket is still waiting in Node (it is in the kernel). */
function flushed(s: Socket): Promise<void> {
  if (s.writableLength === 0 || s.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      s.off('drain', done);
      s.off('close', done);
      resolve();
    };
    s.on('drain', done);
    s.on('close', done);
  });
}

/**
 * What became of a tunnel offered to socat: `relayed` (the engine lets go of its sockets), `kept` (the
 * engine goes on relaying: socat missing, too many relays, a side ended meanwhile) or `lost` (socat did
 * not start after its sockets were made blocking: the engine cannot relay them any more, so the tunnel
 * is closed; a client retries).
 */
export type HandOffResult = 'relayed' | 'kept' | 'lost';

/**
 * Hands a quiet tunnel to socat. The caller has stopped reading both sockets (upstream paused, the
 * client unpiped and paused); what the client had already sent the engine is written upstream first,
 * both write queues are drained to the kernel, and only then does socat take over, so no byte is
 * reordered or lost.
 */
export async function handOff(client: Socket, upstream: Socket, relays: Set<ChildProcess>, sndbuf: number | null = RELAY_SNDBUF): Promise<HandOffResult> {
  if (!relayInstalled() || relays.size >= MAX_RELAYS) return 'kept';
  for (let chunk = client.read() as Buffer | null; chunk !== null; chunk = client.read() as Buffer | null) upstream.write(chunk);
  await Promise.all([flushed(client), flushed(upstream)]);
  if (client.destroyed || upstream.destroyed || client.readableEnded || upstream.readableEnded || client.writableEnded || upstream.writableEnded) return 'kept';
  // The sockets become socat's fds 0 and 1: the child's stdio is made blocking (a non-blocking unix
  // socket makes socat's large writes come back short and it crawls). shut-down: a FIN passes on as a FIN.
  const relay = spawn('setpriv', ['--pdeathsig', 'KILL', '--', 'socat', '-b', '262144', '-t', String(HALF_CLOSED_S), `FD:0,shut-down${sndbuf ? `,sndbuf=${sndbuf}` : ''}`, 'FD:1,shut-down'], {
    stdio: [client, upstream, 'ignore'],
  });
  const started = await new Promise<boolean>((resolve) => {
    relay.once('spawn', () => resolve(true));
    relay.once('error', () => resolve(false));
  });
  if (!started) {
    client.destroy();
    upstream.destroy();
    return 'lost';
  }
  relays.add(relay);
  relay.once('exit', () => relays.delete(relay));
  return 'relayed';
}

/**
 * Lets go of the engine's copies of a handed-off tunnel's sockets: destroy() closes a descriptor, it
 * never shuts the connection down, so socat's copies stay open (the proxy's own close handlers run and
 * find only these copies to close).
 */
export function release(...sockets: Socket[]): void {
  for (const s of sockets) {
    s.on('error', () => undefined);
    s.destroy();
  }
}
