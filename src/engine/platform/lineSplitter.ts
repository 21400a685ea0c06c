// Splits a byte stream into lines (LF or CRLF) across chunk boundaries, with a cap on line length so a
// hostile peer cannot make us buffer without bound. Decodes each whole line as UTF-8 (invalid bytes
// become U+FFFD; JSON parsing then decides).
export interface SplitItem {
  line: string;
  tooLong: boolean;
}

export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private discarding = false;

  constructor(private readonly maxLine: number) {}

  push(chunk: Buffer): SplitItem[] {
    const out: SplitItem[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl === -1) break;
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
      if (this.discarding) {
        this.discarding = false;
        this.parts = [];
        this.size = 0;
        out.push({ line: '', tooLong: true });
        continue;
      }
      const whole = this.parts.length ? Buffer.concat([...this.parts, piece]) : piece;
      this.parts = [];
      this.size = 0;
      if (whole.length > this.maxLine) {
        out.push({ line: '', tooLong: true });
        continue;
      }
      const end = whole.length > 0 && whole[whole.length - 1] === 13 ? whole.length - 1 : whole.length;
      out.push({ line: whole.subarray(0, end).toString('utf8'), tooLong: false });
    }
    if (start < chunk.length && !this.discarding) {
      const rest = chunk.subarray(start);
      this.size += rest.length;
      if (this.size > this.maxLine) {
        this.discarding = true;
        this.parts = [];
        this.size = 0;
      } else {
        this.parts.push(Buffer.from(rest));
      }
    }
    return out;
  }
}
