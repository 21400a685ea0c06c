// Entry point of the operator console, in-process or attached: the same client interface either way.
import React from 'react';
import { render } from 'ink';
import type { EngineClient } from '../client/engineClient.js';
import { App } from './App.js';
import { makeTheme } from './theme.js';
import { ThemeContext } from './hooks.js';
import { enterTerminal, onEndingSignal } from './terminal.js';
import type { ControllerOptions } from './consoleController.js';

export interface RunConsoleOptions {
  client: EngineClient;
  /** Hide and refuse every action that changes engine state. */
  readonly?: boolean;
  /** Mark the header DEMO (the engine's own status.demo also does). */
  demo?: boolean;
  /** Use the compact layout whatever the terminal size. */
  compact?: boolean;
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
  const stdout = opts.stdout ?? process.stdout;
  const stdin = opts.stdin ?? process.stdin;
  const term = enterTerminal(stdout, stdin);
  const signal = onEndingSignal();
  let instance: ReturnType<typeof render> | null = null;
  try {
    instance = render(
      <ThemeContext.Provider value={makeTheme()}>
        <App
          client={opts.client}
          readonly={opts.readonly ?? false}
          demo={opts.demo ?? false}
          compact={opts.compact ?? false}
          {...(opts.controller ? { controller: opts.controller } : {})}
        />
      </ThemeContext.Provider>,
      { stdout, stdin, exitOnCtrlC: false, patchConsole: stdout === process.stdout },
    );
    await Promise.race([instance.waitUntilExit(), signal.promise]);
  } finally {
    signal.off();
    try {
      instance?.unmount();
    } finally {
      term.restore();
    }
  }
}
