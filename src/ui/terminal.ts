// Terminal hygiene for full-screen sessions: the alternate screen on entry, and the terminal given back
// (cursor visible, main screen, cooked mode) on every way out: quit, signal, crash, process exit.
export const ALT_SCREEN_ON = '\x1b[?1049h\x1b[H';
export const ALT_SCREEN_OFF = '\x1b[?1049l';
export const CURSOR_SHOW = '\x1b[?25h';

interface Writable {
  write(chunk: string): boolean;
}
interface MaybeRaw {
  isTTY?: boolean;
  setRawMode?: (mode: boolean) => unknown;
}

export interface TerminalSession {
  /** Idempotent: the first call restores, later calls do nothing. */
  restore(): void;
}

export function enterTerminal(stdout: Writable, stdin: MaybeRaw): TerminalSession {
  let restored = false;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    try {
      if (stdin.isTTY && typeof stdin.setRawMode === 'function') stdin.setRawMode(false);
    } catch {
      // stdin already closed (SSH hang-up): nothing to give back.
    }
    try {
      stdout.write(CURSOR_SHOW + ALT_SCREEN_OFF);
    } catch {
      // stdout gone: nobody left to see the screen.
    }
    process.off('exit', restore);
    process.off('uncaughtExceptionMonitor', restore);
  };
  stdout.write(ALT_SCREEN_ON);
  // 'exit' runs for process.exit() and after an uncaught exception; the monitor runs before the stack
  // trace is printed, so the trace lands on the main screen where the operator can read it.
  process.on('exit', restore);
  process.on('uncaughtExceptionMonitor', restore);
  return { restore };
}

/** Signals that end a session: the caller's normal shutdown runs after the terminal is restored. */
export const ENDING_SIGNALS = ['SIGTERM', 'SIGHUP', 'SIGINT'] as const;

/** Resolves when one of the ending signals arrives; `off` removes the listeners. */
export function onEndingSignal(): { promise: Promise<NodeJS.Signals>; off: () => void } {
  let off = (): void => {};
  const promise = new Promise<NodeJS.Signals>((resolve) => {
    const handlers = ENDING_SIGNALS.map((sig) => {
      const h = () => resolve(sig);
      process.on(sig, h);
      return [sig, h] as const;
    });
    off = () => handlers.forEach(([sig, h]) => process.off(sig, h));
  });
  return { promise, off };
}
