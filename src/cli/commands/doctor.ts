// `gatehouse doctor`: the install (node, SQLite module, shell parser), state dir permissions, stale lock,
// config validity, database integrity, which sensor source runs and why.
import type { CommandModule } from 'yargs';
import { printJson, type GlobalArgs } from '../context.js';

interface Args extends GlobalArgs {
  json: boolean;
}

export const doctorCommand: CommandModule<GlobalArgs, Args> = {
  command: 'doctor',
  describe: 'check the install, state dir, lock, config and database (exit 1 on a problem)',
  builder: (y) => y.option('json', { type: 'boolean', default: false }) as never,
  handler: async (argv) => {
    const [{ runDoctor }, { installChecks }, { sensorsCheck }] = await Promise.all([import('../doctorChecks.js'), import('../installChecks.js'), import('../sensorsDoctor.js')]);
    const checks = [...(await installChecks()), ...runDoctor(argv), await sensorsCheck(argv)];
    if (argv.json) printJson(checks);
    else process.stdout.write(checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'} ${c.id.padEnd(14)} ${c.message}`).join('\n') + '\n');
    if (checks.some((c) => !c.ok)) process.exitCode = 1;
  },
};
