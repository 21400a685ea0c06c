// A fixed-capacity buffer for live streams (alerts, ledger): memory stays bounded however long the console runs.
export class RingBuffer<T> {
  private items: T[] = [];
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`RingBuffer capacity must be a positive integer, got ${capacity}`);
  }

  push(...values: T[]): void {
    this.items.push(...values);
    if (this.items.length > this.capacity) this.items.splice(0, this.items.length - this.capacity);
  }

  /** Replace the item the predicate finds (e.g. an alert that was acknowledged); false when absent. */
  replace(pred: (item: T) => boolean, value: T): boolean {
    const i = this.items.findIndex(pred);
    if (i < 0) return false;
    this.items[i] = value;
    return true;
  }

  reset(values: readonly T[]): void {
    this.items = values.slice(-this.capacity);
  }

  /** Oldest first. A copy, so React sees a new array. */
  toArray(): T[] {
    return this.items.slice();
  }

  get size(): number {
    return this.items.length;
  }
}
