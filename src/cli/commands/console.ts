// `gatehouse` (no command): open the console, attached to the engine already running for this state
// dir, or starting one in this process. `gatehouse attach`: attach only. `gatehouse watch`: a small pane.
import type { CommandModule } from 'yargs';
import { existsSync } from 'node:fs';
import { inspectLock } from '../../engine/store/lock.js';
import { statePath } from '../../engine/store/stateDir.js';
import { stateDirOf, toCliError, type GlobalArgs } from '../context.js';
import { HOST_OPTION, hostsOf } from '../fleet.js';

interface ConsoleArgs extends GlobalArgs {
  host?: string[];
  readonly: boolean;
  compact: boolean;
  port?: number;
}

function engineRunning(argv: GlobalArgs): boolean {
  const dir = stateDirOf(argv);
  return existsSync(statePath(dir, 'socket')) && (inspectLock(statePath(dir, 'lock'))?.alive ?? false);
}

async function attach(argv: ConsoleArgs, watch: boolean, fleet = true): Promise<void> {
  let client;
  const hosts = fleet ? await hostsOf(argv) : [];
  if (hosts.length > 0) {
    // Several engines in one console: each host reconnects on its own; one that is down shows as down.
    const { connectFleet } = await import('../../client/fleetClient.js');
    client = await connectFleet(hosts, { surface: 'tui' });
  } else {
    try {
      // A console outlives engine restarts: it reconnects with backoff and re-reads what it shows.
      const { connectReconnecting } = await import('../../client/reconnectingClient.js');
      client = await connectReconnecting({ stateDir: stateDirOf(argv), surface: 'tui' });
    } catch (err) {
      throw toCliError(err, stateDirOf(argv));
    }
  }
  try {
    const { openConsole } = await import('../openConsole.js');
    await openConsole({ client, readonly: argv.readonly, demo: false, compact: argv.compact, watch });
  } finally {
    await client.close();
  }
  process.exit(0);
}

const withConsoleOptions = (y: import('yargs').Argv<GlobalArgs>) =>
  y
    .option('readonly', { type: 'boolean', default: false, describe: 'hide dangerous actions (approve, reject, abort, trust)' })
    .option('compact', { type: 'boolean', default: false, describe: 'compact layout for a small tmux pane' });
const consoleOptions = (y: import('yargs').Argv<GlobalArgs>) => withConsoleOptions(y).option('host', HOST_OPTION) as never;

export const defaultCommand: CommandModule<GlobalArgs, ConsoleArgs> = {
  command: '$0',
  describe: 'open the console (attach to the running engine, or start one here)',
  builder: (y) => withConsoleOptions(y).option('port', { type: 'number', describe: 'REST API port when an engine starts here (default api.port, 18790; 0 = any free port)' }) as never,
  handler: async (argv) => {
    if (engineRunning(argv)) return attach(argv, false, false);
    const { runEngineProcess } = await import('../engineProcess.js');
    await runEngineProcess({ argv, tui: true, port: argv.port, logFormat: 'pretty', demo: false, readonly: argv.readonly });
  },
};

export const attachCommand: CommandModule<GlobalArgs, ConsoleArgs> = {
  command: 'attach',
  describe: 'open the console on the engine running for this state dir',
  builder: consoleOptions,
  handler: (argv) => attach(argv, false),
};

export const watchCommand: CommandModule<GlobalArgs, ConsoleArgs> = {
  command: 'watch',
  describe: 'a small live pane for tmux: asks, pending and running tasks, fallback, latest alert',
  builder: consoleOptions,
  handler: (argv) => attach(argv, true),
};
