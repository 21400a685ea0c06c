// `gatehouse hook <host>`: the hook an agent host runs before (and after) each tool call (see hostHook.ts).
import type { CommandModule } from 'yargs';
import { HOOK_HOSTS, type HookHost } from '../hostNames.js';
import type { GlobalArgs } from '../context.js';

interface Args extends GlobalArgs {
  host: HookHost;
  agent: string;
  wait: boolean;
}

export const hookCommand: CommandModule<GlobalArgs, Args> = {
  command: 'hook <host>',
  describe: 'decide tool calls for an agent host (JSON on stdin, answered in the host\'s format; docs/agent-hosts.md)',
  builder: (y) =>
    y
      .positional('host', { choices: HOOK_HOSTS, demandOption: true })
      // Inside `gatehouse sandbox` GATEHOUSE_AGENT names the sandbox's agent, the only one its engine door serves.
      .option('agent', { type: 'string', describe: 'the agent name in policy and ledger (default: $GATEHOUSE_AGENT, else the host name)' })
      .option('wait', { type: 'boolean', default: false, describe: "wait for a gatehouse operator's answer on ask (keep ask_ttl below the hook timeout) instead of deferring to the host's own prompt" }) as never,
  handler: async (argv) => (await import('../hostHook.js')).runHostHook({ ...argv, agent: argv.agent ?? (process.env.GATEHOUSE_AGENT || argv.host) }),
};
