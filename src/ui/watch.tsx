// `gatehouse watch [--compact]`: a small live pane for a tmux split. No static react/ink import (see session.ts).
import type { EngineClient } from '../client/engineClient.js';
import { runSession } from './session.js';

export interface RunWatchOptions {
  client: EngineClient;
  compact?: boolean;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
}

/** Runs the watch pane until q, ctrl-c or an ending signal; the terminal is restored on every path. */
export async function runWatch(opts: RunWatchOptions): Promise<void> {
  await runSession(opts, async ({ React }) => {
    const [{ WatchApp }, { ThemeContext, ClockContext }, { makeTheme }] = await Promise.all([import('./WatchPane.js'), import('./hooks.js'), import('./theme.js')]);
    return React.createElement(
      ThemeContext.Provider,
      { value: makeTheme() },
      React.createElement(ClockContext.Provider, { value: () => Date.now() }, React.createElement(WatchApp, { client: opts.client, compact: opts.compact ?? false })),
    );
  });
}
