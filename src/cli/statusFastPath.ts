// `gatehouse status` runs from tmux status lines and scripts many times a minute, and loading yargs
// alone costs more than the rest of the command. The plain forms of `status` (its own flags and the
// global --state-dir/--config, nothing else) are recognised here and run without yargs; anything
// else — help, completion, an unknown or repeated flag, a negation — goes to yargs as before, so
// no behaviour or help text differs.
import { CliError } from './cliError.js';

export interface FastStatusArgs {
  'state-dir'?: string;
  stateDir?: string;
  config?: string;
  json: boolean;
  tmux: boolean;
}

const VALUED = new Set(['--state-dir', '--config']);
const FLAGS = new Set(['--json', '--tmux']);

/** The parsed arguments when they are a plain `status` invocation; null sends them to yargs. */
export function fastStatusArgs(args: readonly string[]): FastStatusArgs | null {
  const out: FastStatusArgs = { json: false, tmux: false };
  const seen = new Set<string>();
  let command = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === 'status' && !command) {
      command = true;
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    if (seen.has(name)) return null;
    seen.add(name);
    if (FLAGS.has(name) && eq < 0) {
      out[name === '--json' ? 'json' : 'tmux'] = true;
    } else if (VALUED.has(name)) {
      const value = eq > 0 ? a.slice(eq + 1) : args[++i];
      if (value === undefined || value === '' || value.startsWith('-')) return null;
      if (name === '--config') out.config = value;
      else out['state-dir'] = out.stateDir = value;
    } else {
      return null;
    }
  }
  return command ? out : null;
}

/** Runs the status command as yargs would, with the same failure output and exit codes. */
export async function runStatusFast(argv: FastStatusArgs): Promise<void> {
  const { statusCommand } = await import('./commands/status.js');
  try {
    await statusCommand.handler(argv as never);
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    process.stderr.write(`gatehouse: ${e.message}\n`);
    process.exit(e instanceof CliError ? e.exitCode : 2);
  }
}
