// `gatehouse setup <host>`: register the hook with an agent host (see hostSetup.ts).
import type { CommandModule } from 'yargs';
import type { GlobalArgs } from '../context.js';
import type { SetupArgs } from '../hostSetup.js';
import { HOOK_HOSTS } from '../hostNames.js';

export const setupCommand: CommandModule<GlobalArgs, SetupArgs> = {
  command: 'setup <host>',
  describe: `register gatehouse's hook with an agent host (${HOOK_HOSTS.join(', ')}): every tool call decided (docs/agent-hosts.md)`,
  builder: (y) =>
    y
      .positional('host', { choices: HOOK_HOSTS, demandOption: true })
      .option('settings', { type: 'string', describe: "the host's settings file (default its documented user file, e.g. ~/.claude/settings.json, ~/.codex/hooks.json, ~/.cursor/hooks.json)" })
      .option('agent', { type: 'string', describe: 'the agent name the hook reports (default the host name)' })
      .option('check', { type: 'boolean', default: false, describe: 'verify the registration (exit 1 when missing or stale)' })
      .option('remove', { type: 'boolean', default: false, describe: "remove gatehouse's hooks, keeping everything else" })
      .check((a) => {
        if (a.check && a.remove) throw new Error('give --check or --remove, not both');
        return true;
      }) as never,
  handler: async (argv) => (await import('../hostSetup.js')).runSetup(argv),
};
