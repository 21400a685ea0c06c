// The egress proxy one sandbox session reaches through its unix socket (bridged into the namespace by
// socat): HTTP CONNECT for tunnels (TLS stays end to end) and plain HTTP with an absolute URL. Node's HTTP
// parser bounds the request head (16 KiB) and its time (slowloris); every connection is decided before
// anything is sent upstream, and goes to the address the decision checked, never to a name looked up
// again. A refusal is a 403 whose body is one line the agent can read.
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { ChildProcess } from 'node:child_process';
import { chmodSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { NetworkDecision } from '../../shared/containPolicy.js';
import { HANDOFF_AFTER, handOff, release } from './tunnelHandoff.js';

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

/** Sends the refusal and closes; a client that keeps its side open is cut off a second later. */
function refuse(socket: Duplex, text: string): void {
  socket.end(text);
  setTimeout(() => socket.destroy(), 1_000).unref();
}

/** `host:port` of a CONNECT line (IPv6 in brackets). */
function connectTarget(url: string | undefined): { host: string; port: number } | null {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[^:/\s[\]@]+):(\d{1,5})$/.exec(url ?? '');
  return m ? { host: m[1]!, port: Number(m[2]) } : null;
}

export function startEgressProxy(path: string, decide: (host: string, port: number) => Promise<NetworkDecision>, logger: Logger, o: EgressProxyOptions = {}): Promise<EgressProxy> {
  const open = new Set<Duplex>();
  /** Tunnels handed to socat: killed when the session ends, like the sockets the engine still holds. */
  const relays = new Set<ChildProcess>();
  const handoffAfter = o.handoffAfter === undefined ? HANDOFF_AFTER : o.handoffAfter;
  let handedOff = 0;
  const track = (s: Duplex) => {
    open.add(s);
    s.once('close', () => open.delete(s));
  };
  const server = createHttpServer({
    maxHeaderSize: 16 * 1024,
    headersTimeout: o.headersTimeoutMs ?? 10_000,
    requestTimeout: 0,
    keepAliveTimeout: 5_000,
    connectionsCheckingInterval: Math.min(1_000, o.headersTimeoutMs ?? 1_000),
  });
  server.maxConnections = o.maxConnections ?? 1024;
  server.on('connection', track);

  server.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => {
    client.on('error', () => client.destroy());
    const target = connectTarget(req.url);
    if (!target) {
      refuse(client, refusal(400, 'Bad Request', `blocked: malformed CONNECT target ${JSON.stringify((req.url ?? '').slice(0, 80))}; expected host:port`));
      return;
    }
    void decide(target.host, target.port).then((d) => {
      if (client.destroyed) return;
      if (d.decision !== 'allow' || !d.address) {
        refuse(client, refusal(403, 'Forbidden', `blocked ${d.destination}: ${d.reason}`));
        return;
      }
      const piped = o.relay === 'pipe';
      const relay: Relay = { frozen: false, after: handoffAfter, onMuch: () => void toSocat() };
      const upstream = piped ? connect({ host: d.address, port: target.port }) : relayFrom(d.address, target.port, client, relay);
      // Both directions stop, what is in flight is written on, and socat takes both sockets; if it cannot, the engine goes on.
      const toSocat = async () => {
        relay.frozen = true;
        upstream.pause();
        client.unpipe(upstream);
        client.pause();
        const r = await handOff(client as Socket, upstream, relays, o.relaySndbuf);
        if (r === 'relayed') {
          handedOff++;
          release(client as Socket, upstream);
        }
        if (r !== 'kept') return;
        relay.frozen = false;
        client.pipe(upstream);
        upstream.resume();
      };
      track(upstream);
      const timer = setTimeout(() => upstream.destroy(new Error('connect timed out')), o.connectTimeoutMs ?? 10_000);
      let connected = false;
      upstream.once('connect', () => {
        connected = true;
        clearTimeout(timer);
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length) upstream.write(head);
        // Downstream (the bulk of a download) is relayed by relayFrom's reads; upstream is a plain pipe.
        if (piped) upstream.pipe(client);
        else upstream.on('end', () => client.end());
        client.pipe(upstream);
      });
      upstream.on('error', (err) => {
        clearTimeout(timer);
        if (!client.destroyed && !connected) refuse(client, refusal(502, 'Bad Gateway', `${d.destination} (${d.address}) did not accept the connection: ${err.message}`));
        else client.destroy();
      });
      client.on('close', () => upstream.destroy());
      // A clean end reaches the client through pipe() after the last byte; destroying here would drop it.
      upstream.on('close', (hadError) => hadError && client.destroy());
    });
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
    void decide(url.hostname, port).then((d) => {
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
        handedOff: () => handedOff,
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

/** Large reads of the upstream are handed to the client as they are; smaller ones are copied out. */
const RELAY_READ = 512 * 1024;
const RELAY_COPY_BELOW = 64 * 1024;

/** A tunnel's relay state: frozen while it is being handed to socat; `onMuch` once `after` bytes went down. */
interface Relay {
  frozen: boolean;
  after: number | null;
  onMuch: () => void;
}

/**
 * The upstream socket of a tunnel, its reads going straight to the client: Node reads into a buffer of
 * ours (up to 512 KiB a read instead of 64 KiB) and the callback writes it on, with no readable-stream
 * machinery per chunk; when the client's buffer is full the upstream pauses until it drains.
 */
function relayFrom(host: string, port: number, client: Duplex, relay: Relay) {
  let buf = Buffer.allocUnsafe(RELAY_READ);
  let down = 0;
  const upstream = connect({
    host,
    port,
    onread: {
      buffer: () => buf,
      callback: (n: number, b: Uint8Array) => {
        let chunk: Buffer;
        if (n < RELAY_COPY_BELOW) chunk = Buffer.from(b.subarray(0, n));
        else {
          chunk = Buffer.from(b.buffer, b.byteOffset, n);
          buf = Buffer.allocUnsafe(RELAY_READ);
        }
        if (!client.destroyed && !client.write(chunk)) {
          upstream.pause();
          client.once('drain', () => relay.frozen || upstream.resume());
        }
        down += n;
        if (relay.after !== null && down >= relay.after && !relay.frozen) {
          relay.after = null; // once: a tunnel that stays with the engine is not offered again
          relay.onMuch();
        }
        return true;
      },
    },
  });
  return upstream;
}

function reply(res: ServerResponse, status: number, reason: string): void {
  const line = `gatehouse: ${oneLine(reason)}`;
  res.shouldKeepAlive = false;
  res.writeHead(status, { 'content-type': 'text/plain', 'x-gatehouse-reason': line, connection: 'close' });
  res.end(`${line}\n`);
}

