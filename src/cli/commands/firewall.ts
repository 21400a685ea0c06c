// `gatehouse firewall check|explain -- COMMAND`: decide a command offline against the policy file,
// without an engine. The firewall code (and its wasm parser) is loaded only when these run.
import type { Argv, CommandModule } from 'yargs';
import { CliError } from '../cliError.js';
import type { GlobalArgs } from '../context.js';

interface FirewallArgs extends GlobalArgs {
  json?: boolean;
  agent?: string;
  policy?: string;
  words?: string[];
}

/** The command is every argument after `--`, joined by single spaces (as the contract says). */
function commandText(argv: FirewallArgs): string {
  const i = process.argv.indexOf('--');
  const words = i >= 0 ? process.argv.slice(i + 1) : (argv.words ?? []).map(String);
  const text = words.join(' ');
  if (!text.trim()) throw new CliError("give the command after '--', e.g. gatehouse firewall check -- git status", 2);
  return text;
}

async function load(argv: FirewallArgs) {
  const fw = await import('../../engine/firewall/index.js');
  try {
    return { fw, loaded: fw.readPolicyOffline(argv.policy) };
  } catch (err) {
    if (err instanceof fw.PolicyError) throw new CliError(`invalid policy:\n${err.message}`, 2);
    throw err;
  }
}

const common = (y: Argv<GlobalArgs>): Argv<FirewallArgs> =>
  y
    .option('agent', { type: 'string', describe: 'judge as this agent (its overrides apply)' })
    .option('policy', { type: 'string', describe: 'policy file (default $GATEHOUSE_POLICY, $XDG_CONFIG_HOME/gatehouse/policy.yaml)' })
    .positional('words', { type: 'string', array: true, describe: 'the command, after --' }) as never;

const checkCommand: CommandModule<GlobalArgs, FirewallArgs> = {
  command: 'check [words..]',
  describe: 'decide a command offline: allow, deny or ask (exit 0 whatever the decision)',
  builder: (y) => common(y).option('json', { type: 'boolean', default: false, describe: 'print the decision JSON' }) as never,
  handler: async (argv) => {
    const text = commandText(argv);
    const { fw, loaded } = await load(argv);
    const decision = fw.evaluateCommand(loaded.policy, text, { agent: argv.agent ?? null });
    if (argv.json) process.stdout.write(JSON.stringify(decision, null, 2) + '\n');
    else process.stdout.write(`${decision.decision}: ${decision.reason}\n`);
  },
};

const explainCommand: CommandModule<GlobalArgs, FirewallArgs> = {
  command: 'explain [words..]',
  describe: 'show how a command is parsed and which rules decide it',
  builder: (y) => common(y) as never,
  handler: async (argv) => {
    const text = commandText(argv);
    const { fw, loaded } = await load(argv);
    const j = fw.judgeCommand(loaded.policy, text, { agent: argv.agent ?? null, trace: true });
    const header = [`policy: ${loaded.source} (sha256 ${loaded.sha256.slice(0, 12)}…)${argv.agent ? `, agent ${argv.agent}` : ''}`];
    process.stdout.write(fw.formatExplain(text, j, header));
  },
};

export const firewallCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'firewall <command>',
  describe: 'the command firewall, offline: check or explain a command against the policy',
  builder: (y: Argv<GlobalArgs>) => y.command(checkCommand).command(explainCommand).demandCommand(1, 'name a firewall subcommand: check or explain') as never,
  handler: () => {},
};
