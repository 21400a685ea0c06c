// `gatehouse agents list [--json]`: the agents the engine knows, alive or gone (law 11: a registered pid
// is checked, with its start time; an agent without one is gone after ten minutes unseen).
import type { Argv, CommandModule } from 'yargs';
import type { Agent } from '../../shared/agent.js';
import { printJson, printText, withClient, type GlobalArgs } from '../context.js';

interface ListArgs extends GlobalArgs {
  json: boolean;
}

function line(a: Agent): string {
  const d = a.decisions;
  return `${a.name.padEnd(24)} ${a.state.padEnd(5)} ${(a.pid === null ? '-' : String(a.pid)).padStart(7)}  allow ${d.allow} deny ${d.deny} ask ${d.ask}  last seen ${a.last_seen}`;
}

export const agentsCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'agents <command>',
  describe: 'the agents the engine knows',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .command<ListArgs>({
        command: 'list',
        describe: 'list agents: name, alive or gone, pid, decisions',
        builder: (yy) => yy.option('json', { type: 'boolean', default: false }) as never,
        handler: async (argv) => {
          const agents = await withClient(argv, (c) => c.agents.list());
          if (argv.json) return printJson(agents);
          printText(agents.length ? `${agents.map(line).join('\n')}\n` : 'no agents\n');
        },
      })
      .demandCommand(1, 'name an agents subcommand') as never,
  handler: () => {},
};
