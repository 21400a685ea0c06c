// A real rsyslogd (Debian `rsyslog`) as the syslog collector for tests: its own config in a temp dir
// (imtcp on a loopback port, omfile writing what its RFC 5424 parser read, Direct queues so a message
// taken is written before the next is read), in the foreground (-n) with its own pid file. Tests stop
// it (or kill -9 it) by the pid they started.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RSYSLOGD = ['/usr/sbin/rsyslogd', '/sbin/rsyslogd'].find((p) => existsSync(p)) ?? null;

export function hasRsyslog(): boolean {
  return RSYSLOGD !== null && spawnSync(RSYSLOGD, ['-v'], { encoding: 'utf8' }).status === 0;
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** One parsed line: what rsyslog's RFC 5424 parser made of a message. */
export interface Received {
  severity: number;
  app: string;
  msgid: string;
  sd: string;
  msg: string;
  seq: number;
}

export class Rsyslog {
  readonly dir = mkdtempSync(join(tmpdir(), 'gh-rsyslog-'));
  readonly out = join(this.dir, 'out.log');
  private proc: ChildProcess | null = null;
  private log = '';
  constructor(readonly port: number) {
    writeFileSync(
      join(this.dir, 'rsyslog.conf'),
      `global(workDirectory="${this.dir}")
module(load="imtcp")
main_queue(queue.type="Direct")
template(name="parsed" type="string" string="%syslogseverity%<|>%app-name%<|>%msgid%<|>%structured-data%<|>%msg%\\n")
ruleset(name="gatehouse" queue.type="Direct") {
  action(type="omfile" file="${this.out}" template="parsed" flushOnTXEnd="on" asyncWriting="off")
}
input(type="imtcp" port="${port}" address="127.0.0.1" ruleset="gatehouse")
`,
    );
  }

  /** Starts rsyslogd and waits until it accepts connections on the port. */
  async start(): Promise<void> {
    this.proc = spawn(RSYSLOGD!, ['-n', '-f', join(this.dir, 'rsyslog.conf'), '-i', join(this.dir, 'rsyslogd.pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stdout!.on('data', (d) => (this.log += d));
    this.proc.stderr!.on('data', (d) => (this.log += d));
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (this.proc.exitCode !== null) throw new Error(`rsyslogd exited (${this.proc.exitCode}): ${this.log}`);
      if (await accepts(this.port)) return;
      if (Date.now() > deadline) throw new Error(`rsyslogd did not listen on ${this.port}: ${this.log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SIGKILL: the collector dies mid-stream, with whatever it had taken. */
  async kill9(): Promise<void> {
    await this.signal('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  private async signal(sig: NodeJS.Signals): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill(sig);
    await exited;
    this.proc = null;
  }

  received(): Received[] {
    if (!existsSync(this.out)) return [];
    return readFileSync(this.out, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [severity, app, msgid, sd, ...msg] = line.split('<|>');
        return { severity: Number(severity), app: app!, msgid: msgid!, sd: sd!, msg: msg.join('<|>'), seq: Number(/ seq="(\d+)"/.exec(sd!)?.[1]) };
      });
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect({ host: '127.0.0.1', port });
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}
