// Runs one full-screen ink session (console or watch pane): alternate screen, the tree, and the terminal
// restored on every way out. React and ink are loaded here, lazily, after NODE_ENV is settled: their
// development builds are several times slower, and a caller that set NODE_ENV keeps its choice.
import type { ReactElement } from 'react';
import { enterTerminal, onEndingSignal } from './terminal.js';

export interface SessionIO {
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
}

export async function runSession(io: SessionIO, tree: (modules: { React: typeof import('react') }) => Promise<ReactElement>): Promise<void> {
  if (process.env['NODE_ENV'] === undefined) process.env['NODE_ENV'] = 'production';
  const [React, ink] = await Promise.all([import('react'), import('ink')]);
  const stdout = io.stdout ?? process.stdout;
  const stdin = io.stdin ?? process.stdin;
  const element = await tree({ React: React.default ?? React });
  const term = enterTerminal(stdout, stdin);
  const signal = onEndingSignal();
  let instance: ReturnType<typeof ink.render> | null = null;
  try {
    // Console patching only makes sense on the real stdout (it would fight a test's fake stream).
    instance = ink.render(element, { stdout, stdin, exitOnCtrlC: false, patchConsole: stdout === process.stdout });
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
