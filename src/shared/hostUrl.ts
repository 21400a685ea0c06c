// Host URLs (docs/fleet.md): `unix:///path/gatehouse.sock` or `ssh://[user@]host[:port]`, parsed once here for
// `--host` and for `fleet.hosts` in the config, so both refuse the same things with the same words.
import { EngineError } from './errors.js';

export type HostEndpoint =
  | { kind: 'unix'; url: string; socket: string }
  | { kind: 'ssh'; url: string; host: string; user?: string; port?: number };

const SSH_NAME = /^[A-Za-z0-9._-]+$/;

/** Parses a `--host` URL; a bad one is a usage error naming what is wrong. */
export function parseHostUrl(raw: string): HostEndpoint {
  const given = raw.trim();
  if (given.startsWith('unix://')) {
    const path = given.slice('unix://'.length);
    if (!path.startsWith('/')) throw new EngineError(`host ${given}: a unix URL needs an absolute socket path (unix:///path/gatehouse.sock)`, 'bad_request');
    if (!path.endsWith('/gatehouse.sock')) throw new EngineError(`host ${given}: the socket path must end in gatehouse.sock`, 'bad_request');
    return { kind: 'unix', url: given, socket: path };
  }
  if (given.startsWith('ssh://')) {
    const m = /^ssh:\/\/(?:([^@/]+)@)?([^:/@]+)(?::(\d+))?\/?$/.exec(given);
    if (!m) throw new EngineError(`host ${given}: use ssh://[user@]host[:port]`, 'bad_request');
    const [, user, host, port] = m;
    // A name starting with '-' would be read by ssh as an option (ProxyCommand=...): refused outright.
    if (!SSH_NAME.test(host!) || host!.startsWith('-')) throw new EngineError(`host ${given}: '${host}' is not a host name`, 'bad_request');
    if (user?.includes(':')) throw new EngineError(`host ${given}: no password in the URL (gatehouse never handles one): use ssh keys or ssh-agent`, 'bad_request');
    if (user !== undefined && (!SSH_NAME.test(user) || user.startsWith('-'))) throw new EngineError(`host ${given}: '${user}' is not a user name`, 'bad_request');
    const portNumber = port === undefined ? undefined : Number(port);
    if (portNumber !== undefined && !(portNumber >= 1 && portNumber <= 65535)) throw new EngineError(`host ${given}: port ${port} is not 1-65535`, 'bad_request');
    return { kind: 'ssh', url: given, host: host!, ...(user ? { user } : {}), ...(portNumber ? { port: portNumber } : {}) };
  }
  throw new EngineError(`host ${given}: use unix:///path/gatehouse.sock or ssh://[user@]host[:port]`, 'bad_request');
}
