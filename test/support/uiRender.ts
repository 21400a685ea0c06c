// Renders an ink tree into a fake terminal of a chosen size (ink-testing-library's is fixed at 100 columns),
// and waits for what the screen shows. Frames are plain text: ink writes no colour to a non-TTY stream.
import { EventEmitter } from 'node:events';
import { render as inkRender, type Instance } from 'ink';
import type { ReactElement } from 'react';

export class FakeStdout extends EventEmitter {
  frames: string[] = [];
  isTTY = true;
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write = (frame: string): boolean => {
    this.frames.push(frame);
    return true;
  };
  lastFrame = (): string => this.frames.at(-1) ?? '';
  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
}

export class FakeStdin extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  write = (data: string): void => {
    this.data = data;
    this.emit('readable');
    this.emit('data', data);
  };
  read = (): string | null => {
    const d = this.data;
    this.data = null;
    return d;
  };
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

export interface Screen {
  stdout: FakeStdout;
  stdin: FakeStdin;
  instance: Instance;
  frame(): string;
  /** Resolves when the last frame satisfies the check; rejects with the frame after `ms`. */
  waitFor(check: string | RegExp | ((frame: string) => boolean), ms?: number): Promise<string>;
  /** Types keys as one chunk (several characters arrive together, as from a fast typist or a paste). */
  press(keys: string): void;
  unmount(): void;
}

export function renderAt(tree: ReactElement, columns: number, rows: number): Screen {
  const stdout = new FakeStdout(columns, rows);
  const stdin = new FakeStdin();
  const stderr = new FakeStdout(columns, rows);
  const instance = inkRender(tree, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  const frame = () => stdout.lastFrame();
  return {
    stdout,
    stdin,
    instance,
    frame,
    async waitFor(check, ms = 3000) {
      const ok = (f: string) => (typeof check === 'string' ? f.includes(check) : check instanceof RegExp ? check.test(f) : check(f));
      const deadline = Date.now() + ms;
      while (Date.now() < deadline) {
        if (ok(frame())) return frame();
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`screen never showed ${String(check)}; last frame:\n${frame()}`);
    },
    press(keys) {
      stdin.write(keys);
    },
    unmount() {
      instance.unmount();
      instance.cleanup();
    },
  };
}

/** Lets pending promises and one macrotask run (the fake client answers on the microtask queue). */
export const settle = (ms = 20): Promise<void> => new Promise((r) => setTimeout(r, ms));
