// Splits a byte stream into newline-delimited lines (the MCP stdio framing), whatever the chunking.
// Bytes are kept until a whole line arrives so a UTF-8 sequence split across chunks is not corrupted;
// each line is then decoded strictly, so invalid UTF-8 is reported rather than silently replaced.
// A line also keeps its bytes as received (with its line end), so a line that passes through
// unchanged is written on without being encoded again.
import { isUtf8 } from 'node:buffer';

export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

export type FramedLine =
  | { ok: true; text: string; /** The line's bytes as received, ending in "\n" (added when the stream ended without one). */ raw: Buffer }
  | { ok: false; error: 'line_too_long' | 'invalid_utf8'; message: string };

const NEWLINE = 0x0a;
const CR = 0x0d;
const LF = Buffer.from('\n');

export class LineFramer {
  private parts: Buffer[] = [];
  private size = 0;
  /** Set after an over-long line was reported: its remaining bytes are dropped up to the next newline. */
  private discarding = false;

  constructor(private readonly maxLineBytes = DEFAULT_MAX_LINE_BYTES) {}

  /** Feed a chunk; returns the complete lines it finished (possibly none). Blank lines are skipped. */
  push(chunk: Buffer): FramedLine[] {
    const out: FramedLine[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, start);
      if (nl === -1) break;
      this.take(chunk.subarray(start, nl + 1), out, true);
      start = nl + 1;
    }
    if (start < chunk.length) this.take(chunk.subarray(start), out, false);
    return out;
  }

  /** End of stream: a final line without a newline still counts. */
  end(): FramedLine[] {
    const out: FramedLine[] = [];
    if (this.size > 0 && !this.discarding) {
      this.parts.push(LF);
      this.size += 1;
      this.emit(out);
    }
    this.reset();
    return out;
  }

  /** `piece` ends with its newline when `complete`; the limit counts the line without it. */
  private take(piece: Buffer, out: FramedLine[], complete: boolean): void {
    if (this.discarding) {
      if (complete) this.discarding = false;
      return;
    }
    if (this.size + piece.length - (complete ? 1 : 0) > this.maxLineBytes) {
      out.push({
        ok: false,
        error: 'line_too_long',
        message: `line longer than the ${this.maxLineBytes}-byte limit was dropped`,
      });
      this.reset();
      this.discarding = !complete;
      return;
    }
    if (piece.length > 0) {
      this.parts.push(piece);
      this.size += piece.length;
    }
    if (complete) this.emit(out);
  }

  /** The parts hold one whole line ending in "\n". */
  private emit(out: FramedLine[]): void {
    const raw = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.size);
    this.reset();
    const end = raw.length > 1 && raw[raw.length - 2] === CR ? raw.length - 2 : raw.length - 1;
    if (end === 0) return;
    if (!isUtf8(raw)) {
      out.push({ ok: false, error: 'invalid_utf8', message: 'line is not valid UTF-8' });
      return;
    }
    const text = raw.toString('utf8', 0, end);
    if (text.trim() === '') return;
    out.push({ ok: true, text, raw });
  }

  private reset(): void {
    this.parts = [];
    this.size = 0;
  }
}
