// gatehouse command line: yargs with one module per command. The UI is loaded lazily, only when a TUI is wanted.
// A plain `gatehouse status` skips yargs altogether (statusFastPath.ts): it is the command run most often.
import { fastStatusArgs, runStatusFast } from './statusFastPath.js';

const fast = fastStatusArgs(process.argv.slice(2));
if (fast) await runStatusFast(fast);
else await runYargs();

async function runYargs(): Promise<void> {
  const [{ default: yargs }, { hideBin }, { commands }, { VERSION }, { CliError }, { suggest }] = await Promise.all([
    import('yargs'),
    import('yargs/helpers'),
    import('./commands/index.js'),
    import('../shared/version.js'),
    import('./cliError.js'),
    import('./suggest.js'),
  ]);

  const cli = yargs(hideBin(process.argv))
    .scriptName('gatehouse')
    .version(VERSION)
    .option('state-dir', { type: 'string', describe: 'state directory (default $GATEHOUSE_STATE_DIR, $XDG_STATE_HOME/gatehouse)', global: true })
    .option('config', { type: 'string', describe: 'config file (default $GATEHOUSE_CONFIG, $XDG_CONFIG_HOME/gatehouse/config.yaml)', global: true })
    .strict()
    .recommendCommands()
    .check((argv) => {
      // yargs turns `--cost abc` into NaN and lets it through: a usage error, named here, before any work.
      for (const [key, value] of Object.entries(argv)) {
        if (typeof value === 'number' && Number.isNaN(value) && !/[A-Z]/.test(key)) throw new Error(`--${key}: not a number`);
      }
      const port = argv['port'];
      if (typeof port === 'number' && !(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new Error(`--port ${port}: use a whole number from 0 to 65535 (0 = any free port)`);
      return true;
    })
    .completion('completion', 'print a shell completion script')
    .help()
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      if (err) {
        process.stderr.write(`gatehouse: ${err.message}\n`);
        process.exit(err instanceof CliError ? err.exitCode : 2);
      }
      // A usage error is one line (yargs' own "did you mean" joined to it) and exit 2.
      let line = msg.split('\n').filter(Boolean).join(' ');
      const unknown = /^Unknown arguments?: ([^\s,]+)/.exec(line);
      const names = commands.map((c) => String(c.command ?? '').split(' ')[0]!).filter((n) => n && n !== '$0');
      const guess = unknown && !unknown[1]!.startsWith('-') ? suggest(unknown[1]!, names) : null;
      if (guess) line = `unknown command '${unknown![1]}': did you mean ${guess}?`;
      else if (/^Did you mean/.test(line)) line = `unknown command: ${line.charAt(0).toLowerCase()}${line.slice(1)}`;
      process.stderr.write(`gatehouse: ${line} (gatehouse --help for usage)\n`);
      process.exit(2);
    });

  for (const command of commands) cli.command(command);

  await cli.parseAsync();
}
