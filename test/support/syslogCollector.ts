// A syslog collector for tests: parses RFC 6587 octet-counted frames strictly (a bad frame is an error
// the test sees), over plain TCP or, given TLS options, RFC 5425 TLS (node:tls, a real handshake).
// Also: throwaway certificates made with the real `openssl` (a CA, certificates it signs).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';

export class Collector {
  messages: string[] = [];
  errors: string[] = [];
  /** TLS handshakes that failed at this collector (the sender refused us, or we refused it). */
  tlsErrors: string[] = [];
  private server: Server | null = null;
  private sockets = new Set<Socket>();
  constructor(
    public port = 0,
    private readonly tls?: TlsOptions,
  ) {}

  private onSocket(s: Socket): void {
    this.sockets.add(s);
    let buf = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const sp = buf.indexOf(0x20);
        if (sp < 0) break;
        const head = buf.subarray(0, sp).toString('ascii');
        if (!/^[1-9]\d*$/.test(head)) {
          this.errors.push(`bad MSG-LEN ${JSON.stringify(head.slice(0, 20))}`);
          s.destroy();
          return;
        }
        const len = Number(head);
        if (buf.length < sp + 1 + len) break;
        this.messages.push(buf.subarray(sp + 1, sp + 1 + len).toString('utf8'));
        buf = buf.subarray(sp + 1 + len);
      }
    });
    s.on('close', () => this.sockets.delete(s));
    s.on('error', () => {});
  }

  async start(): Promise<void> {
    if (this.tls) {
      const server = createTlsServer(this.tls, (s) => this.onSocket(s));
      server.on('tlsClientError', (err: NodeJS.ErrnoException) => this.tlsErrors.push(err.code ?? err.message));
      this.server = server;
    } else {
      this.server = createServer((s) => this.onSocket(s));
    }
    await new Promise<void>((r) => this.server!.listen(this.port, '127.0.0.1', () => r()));
    this.port = (this.server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    this.server = null;
  }

  seqs(): number[] {
    return this.messages.map((m) => Number(/ seq="(\d+)"/.exec(m)?.[1]));
  }
}

export const hasOpenssl = (): boolean => spawnSync('openssl', ['version'], { encoding: 'utf8' }).status === 0;

export interface TestPki {
  dir: string;
  /** Paths of PEM files: the CA, and certificates it signs (`collector` for 127.0.0.1 and collector.test). */
  caCert: string;
  cert(name: string, opts?: { san?: string; ca?: 'main' | 'rogue'; client?: boolean }): { cert: string; key: string };
}

/** A CA (and a rogue CA nobody trusts) made with openssl in a temp dir. */
export function makePki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'gh-pki-'));
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const ca of ['main', 'rogue']) {
    ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', `/CN=gatehouse test ${ca} CA`, '-keyout', `${ca}-ca.key`, '-out', `${ca}-ca.pem`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign');
  }
  return {
    dir,
    caCert: join(dir, 'main-ca.pem'),
    cert(name, opts = {}) {
      const ca = opts.ca ?? 'main';
      const san = opts.san ?? 'IP:127.0.0.1,DNS:collector.test';
      writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\nextendedKeyUsage=${opts.client ? 'clientAuth' : 'serverAuth'}\n`);
      ssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
      ssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}-ca.pem`, '-CAkey', `${ca}-ca.key`, '-CAcreateserial', '-days', '2', '-out', `${name}.pem`, '-extfile', `${name}.ext`);
      return { cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`) };
    },
  };
}
