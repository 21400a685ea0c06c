// Group commit: many small records that must each be durable before they are acknowledged share one
// transaction (one fsync) per turn of the event loop. Callers await their own record's commit.
import type { Db } from './store.js';

export class GroupCommit<T> {
  private batch: Array<{ item: T; resolve: () => void; reject: (e: Error) => void }> = [];
  private scheduled = false;

  constructor(
    private readonly db: Db,
    private readonly write: (item: T) => void,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.batch.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  flush(): void {
    this.scheduled = false;
    const batch = this.batch;
    this.batch = [];
    if (!batch.length) return;
    try {
      this.db.transaction(() => {
        for (const b of batch) this.write(b.item);
      })();
      for (const b of batch) b.resolve();
    } catch (err) {
      this.onError(err);
      for (const b of batch) b.reject(err as Error);
    }
  }
}
