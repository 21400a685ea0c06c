// gatehouse command line: yargs with one module per command. The UI is loaded lazily, only when a TUI is wanted.
// A plain `gatehouse status` skips yargs altogether (statusFastPath.ts): it is the command run most often.
import { fastStatusArgs, runStatusFast } from './statusFastPath.js';

const fast = fastStatusArgs(process.argv.slice(2));
if (fast) await runStatusFast(fast);
else await runYargs();

async function runYargs(): Promise<void> {
  const [{ default: yargs }, { hideBin }, { commands }, { VERSION }, { CliError }] = await Promise.all([
    import('yargs'),
    import('yargs/helpers'),
    import('./commands/index.js'),
    import('../shared/version.js'),
    import('./cliError.js'),
  ]);

  const cli = yargs(hideBin(process.argv))
    .scriptName('gatehouse')
    .version(VERSION)
    .option('state-dir', { type: 'string', describe: 'state directory (default $GATEHOUSE_STATE_DIR, $XDG_STATE_HOME/gatehouse)', global: true })
    .option('config', { type: 'string', describe: 'config file (default $GATEHOUSE_CONFIG, $XDG_CONFIG_HOME/gatehouse/config.yaml)', global: true })
    .strict()
    .completion('completion', 'print a shell completion script')
    .help()
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      if (err) {
        process.stderr.write(`gatehouse: ${err.message}\n`);
        process.exit(err instanceof CliError ? err.exitCode : 2);
      }
      process.stderr.write(`gatehouse: ${msg}\nRun 'gatehouse --help' for usage.\n`);
      process.exit(2);
    });

  for (const command of commands) cli.command(command);

  await cli.parseAsync();
}
