// The arguments `gatehouse exec` and `gatehouse sandbox` share: who runs, for which task, where it may
// write, and the command after `--`.
import type { Argv } from 'yargs';
import { CliError } from './cliError.js';
import type { GlobalArgs } from './context.js';

export interface ContainedArgs extends GlobalArgs {
  agent: string;
  task?: string;
  workspace?: string;
  '--'?: string[];
  _: (string | number)[];
}

export function containedOptions<T>(y: Argv<T>, agentDescribe: string, usage: string): Argv<T> {
  return y
    .option('agent', { type: 'string', default: process.env.GATEHOUSE_AGENT ?? 'default', describe: agentDescribe })
    .option('task', { type: 'string', describe: 'the task it runs for (for "allow for this task")' })
    .option('workspace', { type: 'string', describe: 'the writable directory (default: the current one)' })
    .parserConfiguration({ 'populate--': true })
    .usage(usage) as unknown as Argv<T>;
}

/** The command after `--`, or a usage error showing an example. */
export function commandWords(argv: ContainedArgs, example: string): string[] {
  const words = (argv['--'] ?? argv._.slice(1)).map(String);
  if (!words.length) throw new CliError(`give the command after --, e.g. ${example}`, 2);
  return words;
}
