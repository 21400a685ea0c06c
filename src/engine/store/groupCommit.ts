// Group commit: many small records that must each be durable before they are acknowledged share one
// transaction (those of one turn of the event loop, or that arrived while the previous commit synced),
// and that transaction's fsync runs off the event loop (WalSync). Callers await their own record's
// durable commit.
import type { Db } from './store.js';
import { WalSync } from './walSync.js';

export class GroupCommit<T> {
  private batch: Array<{ item: T; resolve: () => void; reject: (e: Error) => void }> = [];
  private scheduled = false;
  private readonly run: (batch: Array<{ item: T }>) => void;

  constructor(
    private readonly db: Db,
    write: (item: T) => void,
    private readonly onError: (err: unknown) => void = () => {},
  ) {
    this.run = db.transaction((batch: Array<{ item: T }>) => {
      for (const b of batch) write(b.item);
    });
  }

  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.batch.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => WalSync.whenIdle(this.db, () => this.flush()));
      }
    });
  }

  flush(): void {
    this.scheduled = false;
    const batch = this.batch;
    this.batch = [];
    if (!batch.length) return;
    let durable: Promise<void>;
    try {
      durable = WalSync.commit(this.db, () => this.run(batch)).durable;
    } catch (err) {
      this.onError(err);
      for (const b of batch) b.reject(err as Error);
      return;
    }
    durable.then(
      () => {
        for (const b of batch) b.resolve();
      },
      (err: Error) => {
        for (const b of batch) b.reject(err);
      },
    );
  }
}
