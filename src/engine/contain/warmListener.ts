// The proxy port inside a warm network namespace, held by the engine itself (docs/containment.md, "Warm
// network"): a listening socket stays in the network namespace it was made in, whoever holds it. So when a
// slot's holder is up, a small Node child is started in its namespace (nsenter; in `userns` mode into its
// user namespace first), listens on 127.0.0.1:3128 there and hands the listening socket to the engine over
// its IPC channel (child_process handle passing), then exits. The engine accepts the sandbox's connections
// itself and gives them to the session's proxy: no bridge process in the namespace, no fork per connection,
// one relay fewer on every byte. The socket dies with the engine (its only holder once the child exits)
// and is closed when the slot is released.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Server, Socket } from 'node:net';
import { PROXY_PORT } from './sandbox.js';

/** How long the child may take to hand over its socket. */
const LISTEN_MS = 10_000;

/** The child: listen in the namespace it was started in, report that namespace's inode with the handle,
 * exit once it is sent; it ends too if the engine goes (its channel closes) or nothing happens in time. */
const CHILD = `
const net = require('node:net');
const fs = require('node:fs');
const fail = (why) => { try { process.send({ error: why }, () => process.exit(1)); } catch { process.exit(1); } };
process.on('disconnect', () => process.exit(1));
setTimeout(() => process.exit(1), ${LISTEN_MS}).unref();
const srv = net.createServer();
srv.on('error', (e) => fail(e.message));
srv.listen({ port: ${PROXY_PORT}, host: '127.0.0.1', backlog: 511 }, () => {
  process.send({ netns_ino: fs.statSync('/proc/self/ns/net').ino }, srv, (err) => process.exit(err ? 1 : 0));
});
`;

/** Whether the holder's namespace lists a socket listening on 127.0.0.1:PROXY_PORT (/proc/PID/net/tcp is the
 * table of the network namespace PID is in). */
function listensIn(pid: number): boolean {
  const local = `0100007F:${PROXY_PORT.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync(`/proc/${pid}/net/tcp`, 'utf8')
    .split('\n')
    .some((l) => {
      const f = l.trim().split(/\s+/);
      return f[1] === local && f[3] === '0A';
    });
}

export interface SlotNamespace {
  /** A process in the slot's namespaces (the holder's). */
  pid: number;
  netns_ino: number;
  /** `userns` mode: the child enters the holder's user namespace first, keeping the engine's uid. */
  userns: boolean;
}

/**
 * Starts the child in the slot's namespace and resolves with the listening socket it handed over, or rejects
 * (nsenter or node failed, the socket is in another namespace than the slot's, nothing came in time). The
 * server accepts nothing until `onConnection` is set by its caller: connections it has no use for are closed.
 */
export function listenInSlot(ns: SlotNamespace): Promise<Server> {
  const enter = [...(ns.userns ? [`--user=/proc/${ns.pid}/ns/user`] : []), `--net=/proc/${ns.pid}/ns/net`, ...(ns.userns ? ['--preserve-credentials'] : [])];
  const child = spawn('nsenter', [...enter, '--', process.execPath, '-e', CHILD], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d).slice(-1000)));
  return new Promise<Server>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => done(new Error(`the listener in the namespace did not start in ${LISTEN_MS / 1000} s`)), LISTEN_MS);
    timer.unref();
    const done = (e: Error | null, server?: Server) => {
      if (settled) return void server?.close();
      settled = true;
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      if (e || !server) {
        server?.close();
        return reject(e ?? new Error('no listener'));
      }
      resolve(server);
    };
    child.on('message', (m: { netns_ino?: number; error?: string }, handle: unknown) => {
      const server = handle as Server | undefined;
      if (!server || typeof m?.netns_ino !== 'number') return done(new Error(`the listener in the namespace failed: ${m?.error ?? 'no socket handed over'}`), server);
      // What the child says of its namespace, and the holder's table, both: a socket on the host would be a door
      // into this session's proxy for any local process.
      let inSlot = false;
      try {
        inSlot = m.netns_ino === ns.netns_ino && listensIn(ns.pid);
      } catch {
        /* the holder went */
      }
      if (!inSlot) return done(new Error('the listener is not in the slot’s network namespace'), server);
      server.on('error', () => undefined);
      done(null, server);
    });
    child.on('error', (e) => done(e));
    // 'close': the process has exited and its channel is read to the end (a handle sent before exit has come).
    child.on('close', (code, signal) => done(new Error(`nsenter exited ${signal ?? code}: ${err.trim().split('\n').at(-1) ?? ''}`)));
  });
}

/** The slot's listener, closed with the slot: connections go to `accept` once it is set, are closed before. */
export class SlotListener {
  private accept: ((s: Socket) => void) | null = null;

  constructor(readonly server: Server) {
    server.on('connection', (s: Socket) => {
      if (this.accept) this.accept(s);
      else s.destroy();
    });
  }

  attach(accept: (s: Socket) => void): void {
    this.accept = accept;
  }

  close(): void {
    this.accept = null;
    this.server.close();
  }
}
