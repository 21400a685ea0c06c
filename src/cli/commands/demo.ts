// `gatehouse demo`: a throwaway engine, the console and a simulated gateway, so a newcomer sees every
// part move within seconds. Never touches the user's own state dir, config or policy.
import type { CommandModule } from 'yargs';
import { CliError } from '../cliError.js';
import type { GlobalArgs } from '../context.js';

interface Args extends GlobalArgs {
  tui: boolean;
  speed: number;
  duration?: number;
  approver: boolean;
  readonly: boolean;
  port?: number;
}

export const demoCommand: CommandModule<GlobalArgs, Args> = {
  command: 'demo',
  describe: 'run a demo: engine, console and a simulated gateway on a throwaway state dir',
  builder: (y) =>
    y
      .option('tui', { type: 'boolean', default: true, describe: 'open the console (--no-tui: readable log lines instead)' })
      .option('speed', { type: 'number', default: 1, describe: 'play the scenario this many times faster (0.1–20)' })
      .option('duration', { type: 'number', describe: 'stop after this many seconds (default: until q / ctrl-c)' })
      .option('approver', { type: 'boolean', default: true, describe: 'run the demo approver (--no-approver: budget rules and the operator decide)' })
      .option('readonly', { type: 'boolean', default: false, describe: 'console hides dangerous actions' })
      .option('port', { type: 'number', describe: 'REST API port of the demo engine (default: any free port)' })
      .check((a) => {
        if (!(a.speed >= 0.1 && a.speed <= 20)) throw new Error(`--speed ${a.speed} is not allowed: use a number from 0.1 to 20`);
        if (a.duration !== undefined && !(a.duration > 0)) throw new Error(`--duration ${a.duration} is not allowed: use a number of seconds above 0`);
        return true;
      }) as never,
  handler: async (argv) => {
    if (argv.config) process.stderr.write(`gatehouse demo: --config ${argv.config} is ignored; the demo writes its own config into its state dir\n`);
    const { runDemo, DemoStateError } = await import('../../demo/demoRunner.js');
    try {
      await runDemo({
        stateDir: argv['state-dir'],
        tui: argv.tui,
        speed: argv.speed,
        durationS: argv.duration,
        approver: argv.approver,
        readonly: argv.readonly,
        port: argv.port,
      });
    } catch (err) {
      if (err instanceof DemoStateError) throw new CliError(err.message, 2);
      const { StartupError } = await import('../../engine/doors/portHolder.js');
      if (err instanceof StartupError) throw new CliError(err.message, 1);
      throw err;
    }
    process.exit(0);
  },
};
