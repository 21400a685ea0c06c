// `gatehouse pending` and `gatehouse resolve`: the operator's prompts from a shell.
import type { CommandModule } from 'yargs';
import type { Prompt } from '../../shared/firewall.js';
import { printJson, printText, withClient, type GlobalArgs } from '../context.js';
import { CliError } from '../cliError.js';

/**
 * The pending prompt an id or a unique prefix of one names (`pending` and the console show 8 characters).
 * An exact id is used as given, pending or not, so the engine can say it was already answered.
 */
export function resolvePromptId(given: string, pending: readonly string[]): string {
  if (pending.includes(given)) return given;
  const matches = pending.filter((id) => id.startsWith(given));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) throw new CliError(`prompt id prefix '${given}' matches ${matches.length} pending prompts (${matches.join(', ')}): give more characters`, 2);
  return given;
}

function describe(p: Prompt): string {
  const left = Math.max(0, Math.round((Date.parse(p.expires_at) - Date.now()) / 1000));
  const what = p.command ?? (p.tool ? `${p.tool.server}/${p.tool.tool} ${JSON.stringify(p.tool.args)}` : '?');
  const missed = p.segments.filter((s) => s.verdict !== 'allow').map((s) => s.argv.join(' '));
  return [
    `${p.id}  agent ${p.agent}${p.task_id ? ` · task ${p.task_id}` : ''}${p.cwd ? ` · cwd ${p.cwd}` : ''}  expires in ${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`,
    `  ${what}`,
    `  ${p.reason}${missed.length ? ` [missed: ${missed.join(' | ')}]` : ''}`,
    `  allow always would write: ${p.always_rule ?? '(refused for this request)'}`,
  ].join('\n');
}

interface PendingArgs extends GlobalArgs {
  json: boolean;
}

export const pendingCommand: CommandModule<GlobalArgs, PendingArgs> = {
  command: 'pending',
  describe: 'list firewall prompts waiting for an answer',
  builder: (y) => y.option('json', { type: 'boolean', default: false }) as never,
  handler: async (argv) => {
    const prompts = await withClient(argv, (c) => c.prompts.list());
    if (argv.json) return printJson(prompts);
    printText(prompts.length ? `${prompts.map(describe).join('\n\n')}\n` : 'no prompts waiting\n');
  },
};

interface ResolveArgs extends GlobalArgs {
  id: string;
  decision: 'allow' | 'deny';
  scope: 'once' | 'task' | 'always';
  reason?: string;
  json: boolean;
}

export const resolveCommand: CommandModule<GlobalArgs, ResolveArgs> = {
  command: 'resolve <id> <decision>',
  describe: 'answer a prompt: allow or deny (first answer wins)',
  builder: (y) =>
    y
      .positional('id', { type: 'string', demandOption: true })
      .positional('decision', { choices: ['allow', 'deny'] as const, demandOption: true })
      .option('scope', { choices: ['once', 'task', 'always'] as const, default: 'once' as const, describe: 'once, for this task, or always (writes the narrowest rule)' })
      .option('reason', { type: 'string', describe: 'feedback the agent sees with a deny' })
      .option('json', { type: 'boolean', default: false }) as never,
  handler: async (argv) => {
    const p = await withClient(argv, async (c) => {
      const id = resolvePromptId(argv.id, (await c.prompts.list()).map((x) => x.id));
      return c.prompts.resolve(id, { decision: argv.decision, scope: argv.scope, ...(argv.reason ? { reason: argv.reason } : {}) });
    });
    if (argv.json) printJson(p);
    else printText(`${p.id} ${p.state}${p.scope ? ` (${p.scope})` : ''}\n`);
  },
};
