// Entry point of the operator console, in-process or attached: the same client interface either way.
// No static react/ink import here (see session.ts).
import type { EngineClient } from '../client/engineClient.js';
import type { ControllerOptions } from './consoleController.js';
import { runSession } from './session.js';

export interface RunConsoleOptions {
  client: EngineClient;
  /** Hide and refuse every action that changes engine state. */
  readonly?: boolean;
  /** Mark the header DEMO (the engine's own status.demo also does). */
  demo?: boolean;
  /** Use the compact layout whatever the terminal size. */
  compact?: boolean;
  /** The engine runs in this process and stops when the console quits. */
  hosting?: boolean;
  /** A warning for the message line at start (e.g. CI was set and ignored). */
  notice?: string;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  /** For tests and benchmarks: refresh throttle and status polling. */
  controller?: ControllerOptions;
}

/**
 * Runs the console until the operator quits (q at the root, ctrl-c twice, :quit) or SIGTERM/SIGHUP/SIGINT
 * arrives. The terminal is restored on every path; a crash inside the UI is rethrown after restoring.
 * The client is not closed: it belongs to the caller.
 */
export async function runConsole(opts: RunConsoleOptions): Promise<void> {
  await runSession(opts, async ({ React }) => {
    const [{ App }, { ThemeContext }, { makeTheme }] = await Promise.all([import('./App.js'), import('./hooks.js'), import('./theme.js')]);
    return React.createElement(
      ThemeContext.Provider,
      { value: makeTheme() },
      React.createElement(App, {
        client: opts.client,
        readonly: opts.readonly ?? false,
        demo: opts.demo ?? false,
        compact: opts.compact ?? false,
        hosting: opts.hosting ?? false,
        ...(opts.notice ? { notice: opts.notice } : {}),
        ...(opts.controller ? { controller: opts.controller } : {}),
      }),
    );
  });
}
