// Finds which of many literal strings occur in a text in one pass (Aho–Corasick), so a caller can
// skip every regex whose required literals are absent. Linear in the text whatever the input.

const ASCII = 128;

export interface LiteralScanOptions {
  /** Match A–Z as a–z (the literals are folded too). Only ASCII folds, so offsets never move. */
  foldAsciiCase?: boolean;
}

function foldAscii(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += c >= 65 && c <= 90 ? String.fromCharCode(c + 32) : s[i];
  }
  return out;
}

export class LiteralScanner {
  /** How many literals were given; ids are their indexes. */
  readonly size: number;
  private readonly fold: boolean;
  // Complete transition table for ASCII characters (state * 128 + code); other characters walk the
  // trie edges and failure links, which only matters for non-ASCII text.
  private readonly asciiNext: Int32Array;
  private readonly wideEdges: Map<number, number>[];
  private readonly fail: Int32Array;
  // Literal ids ending at each state, failure-link outputs included: outIds[outStart[s]..outStart[s+1]).
  private readonly outStart: Int32Array;
  private readonly outIds: Int32Array;

  constructor(literals: readonly string[], opts: LiteralScanOptions = {}) {
    this.size = literals.length;
    this.fold = opts.foldAsciiCase ?? false;
    const edges: Map<number, number>[] = [new Map()];
    const own: number[][] = [[]];
    literals.forEach((raw, id) => {
      if (raw.length === 0) throw new Error(`LiteralScanner: literal ${id} is empty`);
      const word = this.fold ? foldAscii(raw) : raw;
      let s = 0;
      for (let i = 0; i < word.length; i++) {
        const c = word.charCodeAt(i);
        let t = edges[s]!.get(c);
        if (t === undefined) {
          t = edges.length;
          edges.push(new Map());
          own.push([]);
          edges[s]!.set(c, t);
        }
        s = t;
      }
      own[s]!.push(id);
    });
    const n = edges.length;
    const fail = new Int32Array(n);
    const asciiNext = new Int32Array(n * ASCII);
    const outputs: number[][] = own.map((o) => [...o]);
    // Breadth-first, so a state's failure target is complete before the state itself.
    const queue: number[] = [];
    for (const [c, t] of edges[0]!) {
      queue.push(t);
      if (c < ASCII) asciiNext[c] = t;
    }
    for (let qi = 0; qi < queue.length; qi++) {
      const s = queue[qi]!;
      outputs[s]!.push(...outputs[fail[s]!]!);
      const base = s * ASCII;
      const failBase = fail[s]! * ASCII;
      for (let c = 0; c < ASCII; c++) asciiNext[base + c] = asciiNext[failBase + c]!;
      for (const [c, t] of edges[s]!) {
        fail[t] = this.stepFrom(edges, fail, asciiNext, fail[s]!, c);
        if (c < ASCII) asciiNext[base + c] = t;
        queue.push(t);
      }
    }
    this.asciiNext = asciiNext;
    this.wideEdges = edges;
    this.fail = fail;
    this.outStart = new Int32Array(n + 1);
    for (let s = 0; s < n; s++) this.outStart[s + 1] = this.outStart[s]! + outputs[s]!.length;
    this.outIds = new Int32Array(this.outStart[n]!);
    for (let s = 0; s < n; s++) this.outIds.set(outputs[s]!, this.outStart[s]!);
  }

  private stepFrom(edges: Map<number, number>[], fail: Int32Array, asciiNext: Int32Array, s: number, c: number): number {
    if (c < ASCII) return asciiNext[s * ASCII + c]!;
    for (;;) {
      const t = edges[s]!.get(c);
      if (t !== undefined) return t;
      if (s === 0) return 0;
      s = fail[s]!;
    }
  }

  /**
   * Sets `seen[id] = 1` for every literal occurring in `text[from, to)`, and appends to `found` the
   * ids it newly marks; returns how many occurrences there were (0: none of the literals is there).
   */
  scan(text: string, seen: Uint8Array, found?: number[], from = 0, to = text.length): number {
    const next = this.asciiNext;
    const outStart = this.outStart;
    const outIds = this.outIds;
    const fold = this.fold;
    let hits = 0;
    let s = 0;
    for (let i = from; i < to; i++) {
      let c = text.charCodeAt(i);
      if (c < ASCII) {
        if (fold && c >= 65 && c <= 90) c += 32;
        s = next[s * ASCII + c]!;
      } else {
        s = this.stepFrom(this.wideEdges, this.fail, next, s, c);
      }
      const a = outStart[s]!, b = outStart[s + 1]!;
      if (a !== b) {
        hits += b - a;
        for (let k = a; k < b; k++) {
          const id = outIds[k]!;
          if (seen[id] === 0) {
            seen[id] = 1;
            found?.push(id);
          }
        }
      }
    }
    return hits;
  }

  /** Calls `onHit(id, end)` for every occurrence, `end` being the index just after it. */
  forEach(text: string, onHit: (id: number, end: number) => void, from = 0, to = text.length): void {
    const next = this.asciiNext;
    let s = 0;
    for (let i = from; i < to; i++) {
      let c = text.charCodeAt(i);
      if (c < ASCII) {
        if (this.fold && c >= 65 && c <= 90) c += 32;
        s = next[s * ASCII + c]!;
      } else {
        s = this.stepFrom(this.wideEdges, this.fail, next, s, c);
      }
      for (let k = this.outStart[s]!; k < this.outStart[s + 1]!; k++) onHit(this.outIds[k]!, i + 1);
    }
  }
}
