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
  read?: string[];
  write?: string[];
  delete?: string[];
  fetch?: string[];
  cwd?: string;
}

/** The command is every argument after `--`, joined by single spaces (as the contract says). */
function commandText(argv: FirewallArgs, optional = false): string | null {
  const i = process.argv.indexOf('--');
  const words = i >= 0 ? process.argv.slice(i + 1) : (argv.words ?? []).map(String);
  const text = words.join(' ');
  if (!text.trim()) {
    if (optional) return null;
    throw new CliError("give the command after '--' (or --read/--write/--delete/--fetch), e.g. gatehouse firewall check -- git status", 2);
  }
  return text;
}

type Act = import('../../engine/firewall/index.js').Action;

/** The actions named by --read/--write/--delete/--fetch, plus the command after `--` if any. */
function actionsOf(argv: FirewallArgs): Act[] {
  const list = (v: unknown): string[] => (v === undefined ? [] : (Array.isArray(v) ? v : [v]).map(String));
  const actions: Act[] = [];
  for (const p of list(argv.read)) actions.push({ kind: 'read', path: p });
  for (const p of list(argv.write)) actions.push({ kind: 'write', path: p });
  for (const p of list(argv.delete)) actions.push({ kind: 'delete', path: p });
  for (const u of list(argv.fetch)) actions.push({ kind: 'fetch', url: u });
  const text = commandText(argv, actions.length > 0);
  if (text !== null) actions.unshift({ kind: 'exec', command: text });
  return actions;
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
    .option('read', { type: 'string', array: true, describe: 'a path the agent reads (a native Read)' })
    .option('write', { type: 'string', array: true, describe: 'a path the agent writes (Write/Edit)' })
    .option('delete', { type: 'string', array: true, describe: 'a path the agent deletes' })
    .option('fetch', { type: 'string', array: true, describe: 'a URL the agent fetches (WebFetch)' })
    .option('cwd', { type: 'string', describe: "the agent's working directory (relative paths, workspace rules); default the current directory" })
    .positional('words', { type: 'string', array: true, describe: 'the command, after --' }) as never;

const checkCommand: CommandModule<GlobalArgs, FirewallArgs> = {
  command: 'check [words..]',
  describe: 'decide a command (or --read/--write/--delete/--fetch) offline: allow, deny or ask (exit 0 whatever the decision)',
  builder: (y) => common(y).option('json', { type: 'boolean', default: false, describe: 'print the decision JSON' }) as never,
  handler: async (argv) => {
    const actions = actionsOf(argv);
    const { fw, loaded } = await load(argv);
    const decision = fw.evaluateActions(loaded.policy, actions, { agent: argv.agent ?? null, cwd: argv.cwd ?? process.cwd() });
    if (argv.json) process.stdout.write(JSON.stringify(decision, null, 2) + '\n');
    else process.stdout.write(`${decision.decision}: ${decision.reason}\n`);
  },
};

const explainCommand: CommandModule<GlobalArgs, FirewallArgs> = {
  command: 'explain [words..]',
  describe: 'show how a command is parsed and which rules decide it',
  builder: (y) => common(y) as never,
  handler: async (argv) => {
    const actions = actionsOf(argv);
    const { fw, loaded } = await load(argv);
    const opts = { agent: argv.agent ?? null, cwd: argv.cwd ?? process.cwd() };
    const header = [`policy: ${loaded.source} (sha256 ${loaded.sha256.slice(0, 12)}…)${argv.agent ? `, agent ${argv.agent}` : ''}`];
    for (const a of actions) {
      if (a.kind === 'exec') {
        const j = fw.judgeCommand(loaded.policy, a.command, { ...opts, trace: true });
        process.stdout.write(fw.formatExplain(a.command, j, header));
      }
      const d = fw.evaluateAction(loaded.policy, a, opts);
      const paths = a.kind === 'exec' || a.kind === 'mcp' ? (d.paths ?? []) : d.segments;
      process.stdout.write(`${a.kind === 'exec' ? 'with the paths it touches' : fw.describeAction(a)}:\n`);
      for (const s of paths) process.stdout.write(`  ${s.argv.join(' ')} → ${s.verdict}${s.matched_rule ? ` (${s.matched_rule})` : ''}\n`);
      process.stdout.write(`decision: ${d.decision} (rule: ${d.rule ?? 'none'})\nreason: ${d.reason}\n`);
    }
  },
};

export const firewallCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'firewall <command>',
  describe: 'the command firewall, offline: check or explain a command against the policy',
  builder: (y: Argv<GlobalArgs>) => y.command(checkCommand).command(explainCommand).demandCommand(1, 'name a firewall subcommand: check or explain') as never,
  handler: () => {},
};
