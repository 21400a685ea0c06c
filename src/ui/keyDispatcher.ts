// One key pipeline with priorities: the highest-priority handler that returns true consumes the key.
// Handlers decide from the store's current state, not from what is mounted, so a second key in the
// same chunk ("/x") already sees the dialog the first one opened.
import type { KeyEvent } from './keys.js';

export type KeyHandler = (key: KeyEvent) => boolean;

export const PRIORITY = {
  exit: 100,
  dialog: 90,
  help: 80,
  prompt: 70,
  detail: 60,
  view: 50,
  global: 10,
} as const;

export class KeyDispatcher {
  private handlers: Array<{ priority: number; handler: KeyHandler; order: number }> = [];
  private registered = 0;

  register(priority: number, handler: KeyHandler): () => void {
    const entry = { priority, handler, order: this.registered++ };
    this.handlers.push(entry);
    // Stable: equal priorities run in registration order.
    this.handlers.sort((a, b) => b.priority - a.priority || a.order - b.order);
    return () => {
      this.handlers = this.handlers.filter((h) => h !== entry);
    };
  }

  /** True when some handler consumed the key. */
  dispatch(key: KeyEvent): boolean {
    for (const { handler } of this.handlers.slice()) if (handler(key)) return true;
    return false;
  }
}
