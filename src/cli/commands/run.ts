// `gatehouse run [--no-tui]`: start the engine for this state dir (headless: log lines or NDJSON on stdout).
import type { CommandModule } from 'yargs';
import type { GlobalArgs } from '../context.js';

interface Args extends GlobalArgs {
  tui: boolean;
  port?: number;
  'log-format': 'pretty' | 'json';
  demo: boolean;
  readonly: boolean;
}

export const runCommand: CommandModule<GlobalArgs, Args> = {
  command: 'run',
  describe: 'start the engine (with the console unless --no-tui)',
  builder: (y) =>
    y
      .option('tui', { type: 'boolean', default: true, describe: 'open the console in this process (--no-tui: headless, for systemd and CI)' })
      .option('port', { type: 'number', describe: 'REST API port (default 18790; 0 = any free port)' })
      .option('log-format', { choices: ['pretty', 'json'] as const, default: 'pretty' as const, describe: 'headless stdout format' })
      .option('demo', { type: 'boolean', default: false, describe: 'simulate a gateway driving the API' })
      .option('readonly', { type: 'boolean', default: false, describe: 'console hides dangerous actions' }) as never,
  handler: async (argv) => {
    const { runEngineProcess } = await import('../engineProcess.js');
    await runEngineProcess({
      argv,
      tui: argv.tui,
      port: argv.port,
      logFormat: argv['log-format'],
      demo: argv.demo,
      readonly: argv.readonly,
    });
  },
};
