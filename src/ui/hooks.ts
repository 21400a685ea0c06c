// React hooks shared by the console and the watch pane: the store, the terminal size, a clock.
import { createContext, useContext, useEffect, useReducer, useRef, useState, useSyncExternalStore } from 'react';
import { useStdout } from 'ink';
import type { ConsoleState, Store } from './consoleState.js';
import { makeTheme, type Theme } from './theme.js';

export const StoreContext = createContext<Store | null>(null);
export const ThemeContext = createContext<Theme>(makeTheme());
/** Milliseconds since the epoch; a context so tests can pin the clock. */
export const ClockContext = createContext<() => number>(() => Date.now());

export function useConsole<T>(select: (s: ConsoleState) => T): T {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useConsole needs a StoreContext provider');
  return useSyncExternalStore(store.subscribe, () => select(store.getState()));
}

export function useTheme(): Theme {
  return useContext(ThemeContext);
}

export interface Size {
  columns: number;
  rows: number;
}

/** The terminal size, following resizes. */
export function useTerminalSize(): Size {
  const { stdout } = useStdout();
  const read = (): Size => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stdout]);
  return size;
}

/**
 * The time a render shows (read as it renders). While `active`, re-renders when nothing else has for
 * `everyMs`: under a flood of live refreshes the screen is redrawn anyway, and a tick on top would only
 * add frames in the engine's process.
 */
export function useNow(everyMs: number, active = true): number {
  const clock = useContext(ClockContext);
  const [, tick] = useReducer((n: number) => n + 1, 0);
  const now = clock();
  const shown = useRef(now);
  useEffect(() => {
    shown.current = now;
  });
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => {
      if (clock() - shown.current >= everyMs) tick();
    }, Math.max(50, Math.floor(everyMs / 4)));
    return () => clearInterval(t);
  }, [everyMs, active, clock]);
  return now;
}
