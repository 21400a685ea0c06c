// `gatehouse agents list|show|baseline reset`: the agents the engine knows, alive or gone (law 11: a
// registered pid is checked, with its start time; an agent without one is gone after ten minutes
// unseen), and what the host sensors learned of each (docs/sensors.md).
import type { Argv, CommandModule } from 'yargs';
import type { Agent, AgentDetail } from '../../shared/agent.js';
import { escapeControls } from '../../shared/text.js';
import { printJson, printText, withClient, type GlobalArgs } from '../context.js';
import { HOST_OPTION, hostsOf, itemsOf, overHosts } from '../fleet.js';

interface ListArgs extends GlobalArgs {
  json: boolean;
  host?: string[];
}

interface NameArgs extends ListArgs {
  name: string;
}

function detail(d: AgentDetail): string {
  const a = d.agent;
  const act = a.activity;
  const out = [
    `${a.name}: ${a.state}, pid ${a.pid ?? '-'}, last seen ${a.last_seen}`,
    `decisions: allow ${a.decisions.allow}, deny ${a.decisions.deny}, ask ${a.decisions.ask}`,
    act ? `activity: ${act.execs} execs, ${act.files} files, ${act.connections} connections, ${act.blocked} blocked, anomaly score ${act.anomaly_score}` : 'activity: (no sensor data)',
    d.baseline.learning_since ? `baseline: learning since ${d.baseline.learning_since}, ${d.baseline.learned} things known` : 'baseline: nothing learned yet',
    d.anomalies.length ? `recent anomalies:\n${d.anomalies.map((x) => `  ${x.at}  +${x.weight}  ${x.explanation}`).join('\n')}` : 'recent anomalies: none',
  ];
  return `${out.map((l) => escapeControls(l)).join('\n')}\n`;
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
        builder: (yy) => yy.option('json', { type: 'boolean', default: false }).option('host', HOST_OPTION) as never,
        handler: async (argv) => {
          const hosts = await hostsOf(argv);
          if (hosts.length > 0) {
            const all = itemsOf(await overHosts(hosts, (c) => c.agents.list()));
            if (argv.json) return printJson(all);
            printText(all.length ? `${all.map((a) => `${a.host.padEnd(12)} ${line(a)}`).join('\n')}\n` : 'no agents\n');
            return;
          }
          const agents = await withClient(argv, (c) => c.agents.list());
          if (argv.json) return printJson(agents);
          printText(agents.length ? `${agents.map(line).join('\n')}\n` : 'no agents\n');
        },
      })
      .command<NameArgs>({
        command: 'show <name>',
        describe: "one agent: decisions, what its processes did, its baseline and recent anomalies",
        builder: (yy) => yy.positional('name', { type: 'string', demandOption: true }).option('json', { type: 'boolean', default: false }) as never,
        handler: async (argv) => {
          const d = await withClient(argv, (c) => c.agents.show(argv.name));
          if (argv.json) return printJson(d);
          printText(detail(d));
        },
      })
      .command({
        command: 'baseline <command>',
        describe: "an agent's learned baseline",
        builder: (yb) =>
          yb
            .command<NameArgs>({
              command: 'reset <name>',
              describe: 'forget what the baseline learned and learn again from now (recorded in the ledger)',
              builder: (yy) => yy.positional('name', { type: 'string', demandOption: true }).option('json', { type: 'boolean', default: false }) as never,
              handler: async (argv) => {
                const r = await withClient(argv, (c) => c.agents.resetBaseline(argv.name));
                if (argv.json) return printJson(r);
                printText(`baseline of ${escapeControls(argv.name)} reset: learning again from now\n`);
              },
            })
            .demandCommand(1, 'name a baseline subcommand: reset') as never,
        handler: () => {},
      })
      .demandCommand(1, 'name an agents subcommand: list, show or baseline') as never,
  handler: () => {},
};
