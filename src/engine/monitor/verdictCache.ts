// A bounded memo of verdicts keyed by text taken from log lines. Logs repeat the same requests
// and user agents many times; a verdict is a pure function of its key, so remembering it is safe.
// Two generations instead of a full LRU: a lookup costs at most two map probes and nothing is
// reordered, and a key used in the last `capacity` insertions survives a turnover.

/** Keys longer than this are not remembered, so a hostile log cannot fill memory with huge keys. */
export const MAX_CACHED_KEY = 512;

/**
 * A log line is often a slice of a megabyte read chunk, and a slice keeps its whole parent alive;
 * a stored key is therefore copied into a string of its own.
 */
function ownCopy(s: string): string {
  return Buffer.from(s, 'utf16le').toString('utf16le');
}

export class VerdictCache<V> {
  private recent = new Map<string, V>();
  private older = new Map<string, V>();

  /** `capacity` 0 turns the cache off (every lookup misses, nothing is stored). */
  constructor(readonly capacity: number) {
    if (!(capacity >= 0) || !Number.isInteger(capacity)) throw new Error(`verdict cache capacity must be an integer >= 0 (got ${capacity})`);
  }

  get(key: string): V | undefined {
    if (this.capacity === 0) return undefined;
    const v = this.recent.get(key);
    if (v !== undefined || this.older.size === 0) return v;
    const old = this.older.get(key);
    if (old !== undefined) this.set(key, old);
    return old;
  }

  set(key: string, value: V): void {
    if (this.capacity === 0 || key.length > MAX_CACHED_KEY) return;
    if (this.recent.size >= this.capacity) {
      this.older = this.recent;
      this.recent = new Map();
    }
    this.recent.set(ownCopy(key), value);
  }

  /** Entries held (both generations; at most twice the capacity). */
  get size(): number {
    return this.recent.size + this.older.size;
  }
}
