// The egress proxy one sandbox session reaches through its unix socket (bridged into the namespace by
// socat): HTTP CONNECT for tunnels (TLS stays end to end), plain HTTP with an absolute URL, and SOCKS5
// (CONNECT, no authentication), told apart by the first byte (0x05 is SOCKS5). Node's HTTP parser bounds
// an HTTP request head (16 KiB) and its time (slowloris); a SOCKS handshake is bounded by its format and
// the same time. Every connection is decided before anything is sent upstream, and goes to the address
// the decision checked, never to a name looked up again (egressTunnel.ts). A refusal is a 403 whose body
// is one line the agent can read, or SOCKS reply 0x02; the reason is in the `network.decision` record.
import type { ChildProcess } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { refuse, Tunnels, type EgressDecide, type TunnelAnswers } from './egressTunnel.js';
import { SOCKS_REPLY, SocksHandshake, socksReply, socksReplyForError } from './socksHandshake.js';
import { HANDOFF_AFTER, RELAY_SNDBUF } from './tunnelHandoff.js';

export interface EgressProxyOptions {
  /** How long a client may take to send its request head. */
  headersTimeoutMs?: number;
  connectTimeoutMs?: number;
  maxConnections?: number;
  /** How a tunnel's downstream is relayed: our own reads (default) or stream pipe() (the bench's baseline). */
  relay?: 'read' | 'pipe';
  /** Bytes downstream after which a tunnel is handed to a socat relay (tunnelHandoff.ts); null: never. */
  handoffAfter?: number | null;
  /** The send buffer the relay asks for on the client's socket (tunnelHandoff.ts RELAY_SNDBUF); null: the kernel's default. */
  relaySndbuf?: number | null;
}

export interface EgressProxy {
  path: string;
  close(): Promise<void>;
  /** Tunnels handed to a socat relay so far (tunnelHandoff.ts). */
  handedOff(): number;
  /** Takes a connection accepted elsewhere (a warm slot's listener, warmListener.ts) as if it came to `path`. */
  accept(socket: Socket): void;
}

const HOP_HEADERS = new Set(['proxy-connection', 'proxy-authorization', 'connection', 'keep-alive', 'te', 'trailer', 'upgrade']);

/** One printable line (the reason goes into a header and a body an agent reads). */
function oneLine(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?').slice(0, 300);
}

function refusal(status: number, title: string, reason: string): string {
  const line = `gatehouse: ${oneLine(reason)}`;
  return `HTTP/1.1 ${status} ${title}\r\nContent-Type: text/plain\r\nX-Gatehouse-Reason: ${line}\r\nContent-Length: ${line.length + 1}\r\nConnection: close\r\n\r\n${line}\n`;
}

/** `host:port` of a CONNECT line (IPv6 in brackets). */
function connectTarget(url: string | undefined): { host: string; port: number } | null {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[^:/\s[\]@]+):(\d{1,5})$/.exec(url ?? '');
  return m ? { host: m[1]!, port: Number(m[2]) } : null;
}

/** How each protocol answers a tunnel's client. */
const HTTP_ANSWERS: TunnelAnswers = {
  established: 'HTTP/1.1 200 Connection Established\r\n\r\n',
  refused: (d) => refusal(403, 'Forbidden', `blocked ${d.destination}: ${d.reason}`),
  failed: (d, err) => refusal(502, 'Bad Gateway', `${d.destination} (${d.address}) did not accept the connection: ${err.message}`),
};
const SOCKS_ANSWERS: TunnelAnswers = {
  established: socksReply(SOCKS_REPLY.succeeded),
  // A name that could not be resolved is unreachable (0x04); every other refusal is the ruleset's (0x02).
  refused: (d) => socksReply(d.unresolved ? SOCKS_REPLY.hostUnreachable : SOCKS_REPLY.notAllowed),
  failed: (_d, err) => socksReply(socksReplyForError(err)),
};

export function startEgressProxy(path: string, decide: EgressDecide, logger: Logger, o: EgressProxyOptions = {}): Promise<EgressProxy> {
  const open = new Set<Duplex>();
  /** Connections given by accept() that are still open. */
  let taken = 0;
  const relays = new Set<ChildProcess>();
  const headersTimeoutMs = o.headersTimeoutMs ?? 10_000;
  const track = (s: Duplex) => {
    open.add(s);
    s.once('close', () => open.delete(s));
  };
  const tunnels = new Tunnels({
    decide,
    track,
    relays,
    connectTimeoutMs: o.connectTimeoutMs ?? 10_000,
    relay: o.relay ?? 'read',
    handoffAfter: o.handoffAfter === undefined ? HANDOFF_AFTER : o.handoffAfter,
    relaySndbuf: o.relaySndbuf === undefined ? RELAY_SNDBUF : o.relaySndbuf,
  });
  const server = createHttpServer({
    maxHeaderSize: 16 * 1024,
    headersTimeout: headersTimeoutMs,
    requestTimeout: 0,
    keepAliveTimeout: 5_000,
    connectionsCheckingInterval: Math.min(1_000, headersTimeoutMs),
  });
  server.maxConnections = o.maxConnections ?? 1024;
  // The HTTP server's own connection handler gets a connection only once its first byte says HTTP.
  const httpConnection = server.listeners('connection') as Array<(s: Socket) => void>;
  server.removeAllListeners('connection');
  server.on('connection', (socket: Socket) => {
    track(socket);
    // Until the HTTP server attaches its own, a socket error must not go unheard (it would throw).
    socket.on('error', () => socket.destroy());
    // The first byte is awaited as long as an HTTP head may take; a SOCKS handshake has the same time in all.
    const timer = setTimeout(() => socket.destroy(), headersTimeoutMs).unref();
    socket.once('close', () => clearTimeout(timer));
    socket.once('data', (first: Buffer) => {
      socket.pause();
      if (first[0] === 0x05) return socks(socket, first, timer);
      clearTimeout(timer);
      socket.unshift(first);
      for (const f of httpConnection) f.call(server, socket);
      socket.resume();
    });
  });

  /** A SOCKS5 handshake, then the tunnel: the request's destination is decided like a CONNECT line's. */
  function socks(client: Socket, first: Buffer, timer: NodeJS.Timeout): void {
    const handshake = new SocksHandshake();
    let over = false;
    const onData = (chunk: Buffer) => {
      const step = handshake.push(chunk);
      if (step.step === 'more') return void (step.send && client.write(step.send));
      over = true;
      clearTimeout(timer);
      client.off('data', onData);
      client.pause();
      if (step.step === 'refused') {
        logger.debug({ path, reason: step.reason }, 'SOCKS request refused');
        return step.send ? refuse(client, step.send) : void client.destroy();
      }
      if (step.send) client.write(step.send);
      tunnels.open(client, step.host, step.port, step.rest, 'socks5', SOCKS_ANSWERS);
    };
    onData(first);
    if (over) return;
    client.on('data', onData);
    client.resume();
  }

  server.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => {
    client.on('error', () => client.destroy());
    const target = connectTarget(req.url);
    if (!target) {
      refuse(client, refusal(400, 'Bad Request', `blocked: malformed CONNECT target ${JSON.stringify((req.url ?? '').slice(0, 80))}; expected host:port`));
      return;
    }
    tunnels.open(client, target.host, target.port, head, 'connect', HTTP_ANSWERS);
  });

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      return reply(res, 400, `blocked: a proxy request needs an absolute http:// URL, got ${JSON.stringify((req.url ?? '').slice(0, 80))}`);
    }
    if (url.protocol !== 'http:') return reply(res, 400, `blocked: only http:// goes through as plain HTTP; use CONNECT for ${url.protocol}`);
    const port = url.port ? Number(url.port) : 80;
    req.pause();
    void decide(url.hostname, port, 'http').then((d) => {
      if (res.destroyed) return;
      if (d.decision !== 'allow' || !d.address) return reply(res, 403, `blocked ${d.destination}: ${d.reason}`);
      const headers: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_HEADERS.has(k)) headers[k] = v;
      headers.host = url.host;
      headers.connection = 'close';
      const up = httpRequest({ host: d.address, port, method: req.method, path: `${url.pathname}${url.search}`, headers, agent: false, setHost: false, timeout: o.connectTimeoutMs ?? 10_000 });
      up.on('response', (ur) => {
        // One request per proxy connection: a second one on it would not be decided.
        res.shouldKeepAlive = false;
        res.writeHead(ur.statusCode ?? 502, ur.statusMessage, { ...(Object.fromEntries(Object.entries(ur.headers).filter(([k]) => !HOP_HEADERS.has(k))) as Record<string, string>), connection: 'close' });
        ur.pipe(res);
      });
      up.on('timeout', () => up.destroy(new Error('timed out')));
      up.on('error', (err) => {
        if (!res.headersSent) reply(res, 502, `${d.destination} (${d.address}) failed: ${err.message}`);
        else res.destroy();
      });
      res.on('close', () => up.destroy());
      req.pipe(up);
      req.resume();
    });
  });

  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable) return socket.destroy();
    const [status, title, why] =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'blocked: the request head is larger than 16 KiB']
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'Request Timeout', 'blocked: the request head did not arrive in time']
          : [400, 'Bad Request', `blocked: malformed proxy request (${err.code ?? err.message})`];
    refuse(socket, refusal(status, title, why));
  });
  server.on('error', (err) => logger.error({ err, path }, 'egress proxy error'));

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      try {
        chmodSync(path, 0o600);
      } catch {
        /* the umask made it private already */
      }
      resolve({
        path,
        handedOff: () => tunnels.handedOff,
        accept: (socket: Socket) => {
          // The server's own limit counts only what it accepted itself: these have the same limit.
          if (!server.listening || taken >= server.maxConnections) return void socket.destroy();
          taken++;
          socket.once('close', () => taken--);
          server.emit('connection', socket);
        },
        close: () =>
          new Promise<void>((r) => {
            for (const s of open) s.destroy();
            for (const c of relays) c.kill('SIGKILL');
            server.close(() => r());
          }),
      });
    });
  });
}

function reply(res: ServerResponse, status: number, reason: string): void {
  const line = `gatehouse: ${oneLine(reason)}`;
  res.shouldKeepAlive = false;
  res.writeHead(status, { 'content-type': 'text/plain', 'x-gatehouse-reason': line, connection: 'close' });
  res.end(`${line}\n`);
}

