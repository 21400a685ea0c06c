// Framing fuzz: whatever the chunking, the same lines come out; bad lines are reported, not passed on.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { LineFramer, type FramedLine } from '../../../src/engine/proxy/lineFramer.js';

function feed(framer: LineFramer, data: Buffer, cuts: number[]): FramedLine[] {
  const out: FramedLine[] = [];
  let at = 0;
  for (const c of [...new Set(cuts.map((x) => x % (data.length + 1)))].sort((a, b) => a - b)) {
    out.push(...framer.push(data.subarray(at, c)));
    at = c;
  }
  out.push(...framer.push(data.subarray(at)), ...framer.end());
  return out;
}

/** A framed line: its text, and its bytes as received with their line end (what the relay passes on). */
const line = (text: string, end = '\n') => ({ ok: true, text, raw: Buffer.from(text + end) });

describe('LineFramer', () => {
  it('yields the same lines for any chunking, with LF or CRLF ends', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).filter((s) => !/[\r\n]/.test(s) && s.trim() !== ''), { minLength: 1, maxLength: 20 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 30 }),
        (lines, crlf, cuts) => {
          const data = Buffer.from(lines.map((l) => l + (crlf ? '\r\n' : '\n')).join(''));
          const out = feed(new LineFramer(), data, cuts);
          expect(out).toEqual(lines.map((text) => line(text, crlf ? '\r\n' : '\n')));
        },
      ),
    );
  });

  it('reports invalid UTF-8 on its own line only', () => {
    const data = Buffer.concat([Buffer.from('good one\n'), Buffer.from([0x80, 0x81, 0x0a]), Buffer.from('good two\n')]);
    expect(new LineFramer().push(data)).toEqual([
      line('good one'),
      { ok: false, error: 'invalid_utf8', message: expect.any(String) },
      line('good two'),
    ]);
  });

  it('drops an over-long line once, including the rest of it in later chunks', () => {
    const f = new LineFramer(10);
    const out = [...f.push(Buffer.from('0123456789abc')), ...f.push(Buffer.from('def')), ...f.push(Buffer.from('ghi\nshort\n'))];
    expect(out).toEqual([{ ok: false, error: 'line_too_long', message: expect.stringMatching(/10-byte limit/) }, line('short')]);
  });

  it('accepts a line exactly at the limit', () => {
    expect(new LineFramer(5).push(Buffer.from('12345\n'))).toEqual([line('12345')]);
  });

  it('skips blank lines and keeps a final line without newline at end of stream (passed on with one)', () => {
    const f = new LineFramer();
    expect(f.push(Buffer.from('\n\r\n  \nlast'))).toEqual([]);
    expect(f.end()).toEqual([line('last')]);
  });
});
