// `gatehouse status [--json] [--tmux]`: the engine's summary; exit 3 when no engine runs. Never loads ink.
import type { CommandModule } from 'yargs';
import type { EngineStatus } from '../../shared/status.js';
import { CliError } from '../cliError.js';
import { EXIT_ACCESS, EXIT_NO_ENGINE, printJson, withClient, type GlobalArgs } from '../context.js';
import { formatStatus } from '../formatStatus.js';
import { HOST_OPTION, hostsOf, overHosts } from '../fleet.js';

interface Args extends GlobalArgs {
  json: boolean;
  tmux: boolean;
  host?: string[];
}

export const statusCommand: CommandModule<GlobalArgs, Args> = {
  command: 'status',
  describe: 'show the engine status (exit 3 when no engine runs)',
  builder: (y) =>
    y
      .option('json', { type: 'boolean', default: false, describe: 'print JSON' })
      .option('tmux', { type: 'boolean', default: false, describe: "one short line for tmux's status-right" })
      .option('host', HOST_OPTION) as never,
  handler: async (argv) => {
    const hosts = await hostsOf(argv);
    if (hosts.length > 0) {
      const results = await overHosts(hosts, (c) => c.status(), argv.tmux ? 5000 : undefined);
      if (argv.tmux) {
        // One line for the fleet: the sum of the hosts that answered, and how many did not (never hidden).
        const { tmuxFleetLine } = await import('../../ui/tmuxLine.js');
        const { sumStatus } = await import('../../shared/fleet.js');
        const sum = sumStatus(results.flatMap((r) => (r.up ? [r.value] : [])));
        process.stdout.write(`${tmuxFleetLine(sum, results.filter((r) => !r.up).length)}\n`);
        if (!sum) process.exitCode = 3;
        return;
      }
      if (argv.json) printJson(results.map((r) => (r.up ? { host: r.host, up: true, status: r.value } : r)));
      else process.stdout.write(results.map((r) => `== ${r.host}: ${r.up ? `up\n${formatStatus(r.value)}` : `down (${r.error})\n`}`).join('\n'));
      if (results.every((r) => !r.up)) process.exitCode = 3;
      return;
    }
    let status: EngineStatus;
    try {
      status = await withClient(argv, (c) => c.status(), 5000);
    } catch (err) {
      if (argv.tmux && err instanceof CliError && (err.exitCode === EXIT_NO_ENGINE || err.exitCode === EXIT_ACCESS)) {
        // The status line is never blank, and never a stack of text: one short word of what is wrong.
        process.stdout.write(`${err.exitCode === EXIT_ACCESS ? 'gh ✗ no access' : (await import('../../ui/tmuxLine.js')).tmuxOfflineLine()}\n`);
        process.exitCode = err.exitCode;
        return;
      }
      throw err;
    }
    if (argv.json) printJson(status);
    else if (argv.tmux) process.stdout.write(`${(await import('../../ui/tmuxLine.js')).tmuxStatusLine(status)}\n`);
    else process.stdout.write(formatStatus(status));
  },
};
