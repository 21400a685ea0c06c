// Reaching an engine by host URL (README "Several hosts"): `unix:///path/gatehouse.sock` is that socket;
// `ssh://[user@]host[:port]` runs `ssh -o BatchMode=yes host gatehouse dial-stdio` and speaks the
// same JSON-RPC lines over ssh's stdin/stdout, as `docker -H ssh://` does. ssh brings its own keys,
// agent and known_hosts; BatchMode means it never asks for a password or a host key confirmation,
// so gatehouse never handles either.
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { dirname } from 'node:path';
import { EngineError } from '../shared/errors.js';
import type { EngineClient } from './engineClient.js';
import type { HostEndpoint } from '../shared/hostUrl.js';
import { connectTransport, rpcLines, type ConnectOptions } from './ipcClient.js';
import { clientOver, type Transport } from './rpcClient.js';
import type { EndSignal } from './reconnectingClient.js';

export { parseHostUrl, type HostEndpoint } from '../shared/hostUrl.js';

/**
 * The ssh command line. `GATEHOUSE_SSH_COMMAND` replaces `ssh` (split on spaces, no shell; like
 * GIT_SSH_COMMAND), for a config file (`ssh -F FILE`) or an identity.
 */
export function sshArgv(e: Extract<HostEndpoint, { kind: 'ssh' }>, env: NodeJS.ProcessEnv = process.env): string[] {
  const base = (env['GATEHOUSE_SSH_COMMAND'] ?? '').split(' ').filter(Boolean);
  return [
    ...(base.length ? base : ['ssh']),
    '-o', 'BatchMode=yes',
    '-o', 'ConnectTimeout=10',
    ...(e.user ? ['-l', e.user] : []),
    ...(e.port ? ['-p', String(e.port)] : []),
    '--',
    e.host,
    'gatehouse', 'dial-stdio',
  ];
}

/** The last line ssh (or the remote dial-stdio) wrote on stderr, printable and short: why it failed. */
function lastLine(text: string): string {
  const lines = text.replace(/[^\x20-\x7e\n]/g, '?').split('\n').map((l) => l.trim()).filter(Boolean);
  return (lines.at(-1) ?? '').slice(0, 300);
}

/** A transport and a way to hear that it ended (`close`), which the reconnecting client listens for. */
export type HostTransport = Transport & { socket: EndSignal };

async function sshTransport(e: Extract<HostEndpoint, { kind: 'ssh' }>, opts: Omit<ConnectOptions, 'stateDir'>): Promise<HostTransport> {
  const [cmd, ...args] = sshArgv(e);
  const child = spawn(cmd!, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const rpc = rpcLines();
  let stderr = '';
  let ended = false;
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-4096)));
  child.stdout.on('data', (d: Buffer) => rpc.onBytes(d));
  child.stdin.on('error', () => {}); // a write after ssh exited: the close below fails the calls
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const ends = new EventEmitter();
  void exited.then(() => ends.emit('close'));
  let spawnError = '';
  child.once('error', (err) => (spawnError = err.message));
  const t = await rpc.start(
    {
      write: (text) => void (child.stdin.writable && child.stdin.write(text)),
      destroy: () => {
        if (ended) return;
        ended = true;
        child.stdin.end();
        // dial-stdio exits when its stdin closes; ssh is ended if it lingers.
        const timer = setTimeout(() => child.kill('SIGTERM'), 2000);
        timer.unref();
        void exited.then(() => clearTimeout(timer));
      },
      get destroyed() {
        return ended || child.exitCode !== null;
      },
      onEnd(cb) {
        void exited.then(() => {
          ended = true;
          const why = spawnError || lastLine(stderr) || `ssh exited with code ${child.exitCode}`;
          cb(`${e.url}: ${why}`);
        });
      },
    },
    { handshakeTimeoutMs: 15_000, ...opts },
  );
  return { ...t, socket: ends };
}

/** A transport to the engine a host URL names. */
export async function connectHost(e: HostEndpoint, opts: Omit<ConnectOptions, 'stateDir'> = {}): Promise<HostTransport> {
  if (e.kind === 'unix') {
    if (!e.socket.endsWith('/gatehouse.sock')) throw new EngineError(`${e.url}: not a gatehouse socket`, 'bad_request');
    return connectTransport({ ...opts, stateDir: dirname(e.socket) });
  }
  return sshTransport(e, opts);
}

export async function connectHostClient(e: HostEndpoint, opts: Omit<ConnectOptions, 'stateDir'> = {}): Promise<EngineClient> {
  return clientOver(await connectHost(e, opts));
}
