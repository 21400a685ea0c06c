// `gatehouse setup <host>`: register the hook with an agent host (see hostSetup.ts).
import type { CommandModule } from 'yargs';
import type { GlobalArgs } from '../context.js';
import type { SetupArgs } from '../hostSetup.js';

export const setupCommand: CommandModule<GlobalArgs, SetupArgs> = {
  command: 'setup <host>',
  describe: 'register gatehouse with an agent host (claude-code, gemini-cli): hooks before and after every tool call',
  builder: (y) =>
    y
      .positional('host', { choices: ['claude-code', 'gemini-cli'] as const, demandOption: true })
      .option('settings', { type: 'string', describe: 'the settings file (default ~/.claude/settings.json, ~/.gemini/settings.json)' })
      .option('agent', { type: 'string', describe: 'the agent name the hook reports (default the host name)' })
      .option('check', { type: 'boolean', default: false, describe: 'verify the registration (exit 1 when missing or stale)' })
      .option('remove', { type: 'boolean', default: false, describe: "remove gatehouse's hooks, keeping everything else" })
      .check((a) => {
        if (a.check && a.remove) throw new Error('give --check or --remove, not both');
        return true;
      }) as never,
  handler: async (argv) => (await import('../hostSetup.js')).runSetup(argv),
};
