// Operational logs: pino into logs/ with size rotation (pino-roll), tokens and keys redacted; in headless
// mode also on stdout as readable lines or NDJSON. Never Ink output. Law 11: a log line is read with
// tail or less on a terminal, so every line leaves here with its control characters escaped (pino's
// JSON already escapes C0; streamWrite escapes C1, bidi and line separators; prettyLine escapes all).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import pinoRoll from 'pino-roll';
import { escapeControls, escapeJsonText, terminalSafeJson } from '../../shared/text.js';

export type { Logger };

export const REDACT_PATHS = [
  'token',
  'api_key',
  'apiKey',
  'password',
  'secret',
  'authorization',
  '*.token',
  '*.api_key',
  '*.apiKey',
  '*.password',
  '*.secret',
  '*.authorization',
  'headers.authorization',
  'headers["x-auth-token"]',
  'req.headers.authorization',
  'req.headers["x-auth-token"]',
  '*.headers.authorization',
  '*.headers["x-auth-token"]',
];

export interface LoggerOptions {
  stateDir: string;
  level: string;
  redact: boolean;
  maxFileMb: number;
  maxFiles: number;
  /** Where headless mode echoes lines (null = file only). */
  stdout: 'pretty' | 'json' | null;
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** One readable line per record: `10:41:02 INFO message key=value …`. */
export function prettyLine(json: string): string {
  try {
    const { time, level, msg, pid: _pid, hostname: _h, ...rest } = JSON.parse(json) as Record<string, unknown>;
    const t = typeof time === 'number' ? new Date(time).toISOString().slice(11, 19) : '';
    const extras = Object.entries(rest)
      .map(([k, v]) => `${escapeControls(k, { oneLine: true })}=${typeof v === 'string' ? (/\s/.test(v) ? terminalSafeJson(v) : escapeControls(v)) : terminalSafeJson(v)}`)
      .join(' ');
    return `${t} ${(LEVELS[level as number] ?? String(level)).padEnd(5)} ${escapeControls(String(msg ?? ''), { oneLine: true })}${extras ? ` ${extras}` : ''}\n`;
  } catch {
    const line = escapeControls(json.replace(/\n$/, ''), { oneLine: true });
    return `${line}\n`;
  }
}

/**
 * Headless mode's echo on stdout. Once stdout fails (the reader went away: EPIPE, a closed terminal)
 * the echo stops for good and the log file carries on alone; otherwise every record would raise the
 * same error again, and the error's own log line would raise it once more.
 */
function stdoutEcho(format: 'pretty' | 'json'): Writable {
  let broken = false;
  process.stdout.on('error', () => {
    broken = true;
  });
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (!broken) {
        const text = chunk.toString('utf8');
        if (format === 'json') process.stdout.write(text);
        else for (const line of text.split('\n')) if (line) process.stdout.write(prettyLine(line));
      }
      cb();
    },
  });
}

/** How long info and lower lines wait to be written together (a firewall decision is logged per call). */
export const GATHER_MS = 50;
const GATHER_BYTES = 64 * 1024;

interface LineSink {
  write(text: string): unknown;
  flushSync?(): void;
}

/**
 * Lines of one stream gathered for a moment and written as one: every firewall decision is logged at
 * info, and a write per line (two, with the stdout echo) cost more of the engine's time than deciding.
 * A line above info (warn, error, fatal), or one not in pino's shape, is written at once with those
 * before it; `flushSync` writes what is waiting (the engine's stop, the process's exit).
 */
export class GatheredLines {
  private parts: string[] = [];
  private bytes = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly out: LineSink,
    private readonly delayMs = GATHER_MS,
  ) {}

  write(line: string): void {
    this.parts.push(line);
    this.bytes += line.length;
    // pino writes the level first: {"level":30,... Anything else goes out at once (fail towards writing).
    const low = line.startsWith('{"level":') && (line[9] === '1' || line[9] === '2' || line[9] === '3') && line[10] === '0' && line[11] === ',';
    if (!low || this.bytes >= GATHER_BYTES) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.delayMs).unref();
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.parts.length === 0) return;
    const text = this.parts.length === 1 ? this.parts[0]! : this.parts.join('');
    this.parts = [];
    this.bytes = 0;
    this.out.write(text);
  }

  flushSync(): void {
    this.flush();
    this.out.flushSync?.();
  }
}

/** Every gathered stream of this process, written out when it exits (one listener for all loggers). */
const atExit = new Set<GatheredLines>();
process.once('exit', () => {
  for (const s of atExit) {
    try {
      s.flushSync();
    } catch {
      /* the file or stdout is gone: nothing more can be written */
    }
  }
});

export async function createLogger(opts: LoggerOptions): Promise<Logger> {
  const dir = join(opts.stateDir, 'logs');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = await pinoRoll({ file: join(dir, 'gatehouse'), extension: '.log', size: `${opts.maxFileMb}m`, limit: { count: opts.maxFiles - 1 }, mkdir: true });
  const sinks = [new GatheredLines(file)];
  if (opts.stdout) sinks.push(new GatheredLines(stdoutEcho(opts.stdout)));
  const level = opts.level as pino.Level;
  const out = Object.assign(pino.multistream(sinks.map((stream) => ({ stream, level }))), {
    // logger.flush(cb) (the engine's stop) writes the gathered lines.
    flush(cb: (err?: Error) => void) {
      try {
        for (const s of sinks) s.flushSync();
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
  });
  for (const s of sinks) atExit.add(s);
  return pino(
    {
      level: opts.level,
      base: { pid: process.pid },
      hooks: { streamWrite: escapeJsonText },
      redact: opts.redact ? { paths: REDACT_PATHS, censor: '[redacted]' } : { paths: [] },
    },
    out,
  );
}

/** A logger for tests and one-shot commands: nothing written anywhere. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
