import { describe, it, expect } from 'vitest';
import { LiteralScanner } from '../../../src/engine/monitor/literalScan.js';

function found(scanner: LiteralScanner, text: string): number[] {
  const seen = new Uint8Array(scanner.size);
  const ids: number[] = [];
  scanner.scan(text, seen, ids);
  return ids.sort((a, b) => a - b);
}

describe('literal scanner', () => {
  it('finds every literal present, overlapping and nested ones included', () => {
    const s = new LiteralScanner(['he', 'she', 'his', 'hers', 'ushers']);
    expect(found(s, 'ushers')).toEqual([0, 1, 3, 4]);
    expect(found(s, 'this')).toEqual([2]);
    expect(found(s, 'nothing here')).toEqual([0]);
    expect(found(s, 'xyz')).toEqual([]);
  });

  it('reports each occurrence with the offset just after it', () => {
    const s = new LiteralScanner(['ab', 'b']);
    const hits: [number, number][] = [];
    s.forEach('abxab', (id, end) => hits.push([id, end]));
    expect(hits).toEqual([[0, 2], [1, 2], [0, 5], [1, 5]]);
  });

  it('folds ASCII case only when asked, without moving offsets', () => {
    const folded = new LiteralScanner(['Token'], { foldAsciiCase: true });
    const hits: number[] = [];
    folded.forEach('x API_TOKEN=1', (_id, end) => hits.push(end));
    expect(hits).toEqual([11]);
    expect(found(new LiteralScanner(['token']), 'API_TOKEN')).toEqual([]);
  });

  it('handles literals and text beyond ASCII', () => {
    const s = new LiteralScanner(['ＡＢ', 'é/']);
    expect(found(s, 'xＡＢy')).toEqual([0]);
    expect(found(s, 'café/x')).toEqual([1]);
    expect(found(s, 'caféx/')).toEqual([]);
  });

  it('refuses an empty literal', () => {
    expect(() => new LiteralScanner(['a', ''])).toThrow(/literal 1 is empty/);
  });
});
