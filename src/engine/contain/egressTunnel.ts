// One tunnel through the egress proxy, whichever protocol asked for it (an HTTP CONNECT line or a SOCKS5
// request): decide → connect to the address the decision checked, never to a name looked up again →
// answer the client in its own protocol → relay (handed to socat after HANDOFF_AFTER) → close both sides
// together. Only the answers differ between the protocols; they are passed in.
import { connect, type Socket } from 'node:net';
import type { ChildProcess } from 'node:child_process';
import type { Duplex } from 'node:stream';
import type { NetworkDecision } from '../../shared/containPolicy.js';
import { handOff, release } from './tunnelHandoff.js';

/** Which protocol asked (the `via` of a `network.decision` record). */
export type EgressVia = 'connect' | 'http' | 'socks5';

export type EgressDecide = (host: string, port: number, via: EgressVia) => Promise<NetworkDecision>;

/** How a protocol answers its client: bytes written before the relay starts, or before the client is closed. */
export interface TunnelAnswers {
  established: string | Buffer;
  refused(d: NetworkDecision): string | Buffer;
  failed(d: NetworkDecision, err: NodeJS.ErrnoException): string | Buffer;
}

export interface TunnelOptions {
  decide: EgressDecide;
  /** Registers a socket the session closes when it ends. */
  track(s: Duplex): void;
  /** Tunnels handed to socat: killed when the session ends. */
  relays: Set<ChildProcess>;
  connectTimeoutMs: number;
  /** How a tunnel's downstream is relayed: our own reads, or stream pipe() (the bench's baseline). */
  relay: 'read' | 'pipe';
  /** Bytes downstream after which a tunnel is handed to socat; null: never. */
  handoffAfter: number | null;
  /** The send buffer the relay asks for on the client's socket (tunnelHandoff.ts RELAY_SNDBUF); null: the kernel's default. */
  relaySndbuf: number | null;
}

/** Sends the refusal and closes; a client that keeps its side open is cut off a second later. */
export function refuse(socket: Duplex, text: string | Buffer): void {
  socket.end(text);
  setTimeout(() => socket.destroy(), 1_000).unref();
}

export class Tunnels {
  /** Tunnels handed to a socat relay so far. */
  handedOff = 0;

  constructor(private readonly o: TunnelOptions) {}

  /** Decides `host:port` and, if allowed, joins the client to it; `head` is what the client sent past its request. */
  open(client: Duplex, host: string, port: number, head: Buffer, via: EgressVia, answers: TunnelAnswers): void {
    void this.o.decide(host, port, via).then((d) => {
      if (client.destroyed) return;
      if (d.decision !== 'allow' || !d.address) return refuse(client, answers.refused(d));
      this.join(client, d, d.address, port, head, answers);
    });
  }

  private join(client: Duplex, d: NetworkDecision, address: string, port: number, head: Buffer, answers: TunnelAnswers): void {
    const piped = this.o.relay === 'pipe';
    const relay: Relay = { frozen: false, after: this.o.handoffAfter, onMuch: () => void toSocat() };
    const upstream = piped ? connect({ host: address, port }) : relayFrom(address, port, client, relay);
    // Both directions stop, what is in flight is written on, and socat takes both sockets; if it cannot, the engine goes on.
    const toSocat = async () => {
      relay.frozen = true;
      upstream.pause();
      client.unpipe(upstream);
      client.pause();
      const r = await handOff(client as Socket, upstream, this.o.relays, this.o.relaySndbuf);
      if (r === 'relayed') {
        this.handedOff++;
        release(client as Socket, upstream);
      }
      if (r !== 'kept') return;
      relay.frozen = false;
      client.pipe(upstream);
      upstream.resume();
    };
    this.o.track(upstream);
    const timer = setTimeout(() => upstream.destroy(Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' })), this.o.connectTimeoutMs);
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      clearTimeout(timer);
      client.write(answers.established);
      if (head.length) upstream.write(head);
      // Downstream (the bulk of a download) is relayed by relayFrom's reads; upstream is a plain pipe.
      if (piped) upstream.pipe(client);
      else upstream.on('end', () => client.end());
      client.pipe(upstream);
    });
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (!client.destroyed && !connected) refuse(client, answers.failed(d, err));
      else client.destroy();
    });
    client.on('close', () => upstream.destroy());
    // A clean end reaches the client through pipe() after the last byte; destroying here would drop it.
    upstream.on('close', (hadError) => hadError && client.destroy());
  }
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
