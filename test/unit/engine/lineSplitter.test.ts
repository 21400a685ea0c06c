import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../../src/engine/platform/lineSplitter.js';

describe('LineSplitter', () => {
  it('joins lines split across chunks and strips CR', () => {
    const s = new LineSplitter(100);
    expect(s.push(Buffer.from('ab'))).toEqual([]);
    expect(s.push(Buffer.from('c\r\nde\nf'))).toEqual([
      { line: 'abc', tooLong: false },
      { line: 'de', tooLong: false },
    ]);
    expect(s.push(Buffer.from('\n'))).toEqual([{ line: 'f', tooLong: false }]);
  });
  it('discards an over-long line once and recovers', () => {
    const s = new LineSplitter(8);
    expect(s.push(Buffer.from('0123456789abc'))).toEqual([]);
    expect(s.push(Buffer.from('def\nok\n'))).toEqual([
      { line: '', tooLong: true },
      { line: 'ok', tooLong: false },
    ]);
  });
  it('keeps multi-byte characters split across chunks intact', () => {
    const s = new LineSplitter(100);
    const b = Buffer.from('é\n');
    expect(s.push(b.subarray(0, 1))).toEqual([]);
    expect(s.push(b.subarray(1))).toEqual([{ line: 'é', tooLong: false }]);
  });
});
