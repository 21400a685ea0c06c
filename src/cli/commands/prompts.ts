// `gatehouse pending` and `gatehouse resolve`: the operator's prompts from a shell.
import type { CommandModule } from 'yargs';
import type { Prompt } from '../../shared/firewall.js';
import { printJson, printText, withClient, type GlobalArgs } from '../context.js';
import { CliError } from '../cliError.js';
import { HOST_OPTION, hostsOf, overHosts, reportDown, type NamedHost } from '../fleet.js';

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
  host?: string[];
}

export const pendingCommand: CommandModule<GlobalArgs, PendingArgs> = {
  command: 'pending',
  describe: 'list firewall prompts waiting for an answer',
  builder: (y) => y.option('json', { type: 'boolean', default: false }).option('host', HOST_OPTION) as never,
  handler: async (argv) => {
    const hosts = await hostsOf(argv);
    if (hosts.length > 0) {
      // Every ask of every host that answered, each carrying its host; the hosts that are down on stderr.
      const results = await overHosts(hosts, (c) => c.prompts.list());
      const all = results.flatMap((r) => (r.up ? r.value.map((p) => ({ ...p, host: r.host })) : []));
      reportDown(results);
      if (argv.json) return printJson(all);
      printText(all.length ? `${all.map((p) => `[${p.host}] ${describe(p)}`).join('\n\n')}\n` : 'no prompts waiting\n');
      return;
    }
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
  host?: string[];
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
      .option('json', { type: 'boolean', default: false })
      .option('host', HOST_OPTION) as never,
  handler: async (argv) => {
    const hosts = await hostsOf(argv);
    if (hosts.length > 0) return resolveOnFleet(argv, hosts);
    const p = await withClient(argv, async (c) => {
      const id = resolvePromptId(argv.id, (await c.prompts.list()).map((x) => x.id));
      return c.prompts.resolve(id, { decision: argv.decision, scope: argv.scope, ...(argv.reason ? { reason: argv.reason } : {}) });
    });
    if (argv.json) printJson(p);
    else printText(`${p.id} ${p.state}${p.scope ? ` (${p.scope})` : ''}\n`);
  },
};

/**
 * `resolve --host ...`: the prompt is found among the pending asks of every host (id or unique
 * prefix) and the answer goes to the one engine that owns it. Ambiguous or unknown ids are refused;
 * a host that is down is named, since the prompt may be waiting there.
 */
async function resolveOnFleet(argv: ResolveArgs, hosts: NamedHost[]): Promise<void> {
  const lists = await overHosts(hosts, (c) => c.prompts.list());
  const owners = lists.flatMap((r) => (r.up ? r.value.filter((p) => p.id === argv.id).map(() => r.host) : []));
  const matches = owners.length ? owners.map((host) => ({ host, id: argv.id })) : lists.flatMap((r) => (r.up ? r.value.filter((p) => p.id.startsWith(argv.id)).map((p) => ({ host: r.host, id: p.id })) : []));
  const down = lists.filter((r) => !r.up).map((r) => r.host);
  if (matches.length > 1) throw new CliError(`prompt id '${argv.id}' matches ${matches.length} pending prompts (${matches.map((m) => `${m.id} on ${m.host}`).join(', ')}): give more characters`, 2);
  if (matches.length === 0) {
    reportDown(lists);
    throw new CliError(`no pending prompt '${argv.id}' on ${lists.length - down.length} reachable host(s)${down.length ? ` (down: ${down.join(', ')})` : ''}`, down.length === lists.length ? 3 : 1);
  }
  const target = matches[0]!;
  const host = hosts.find((h) => h.name === target.host)!;
  const [answer] = await overHosts([host], (c) => c.prompts.resolve(target.id, { decision: argv.decision, scope: argv.scope, ...(argv.reason ? { reason: argv.reason } : {}) }));
  if (!answer!.up) throw new CliError(`${target.host}: ${answer!.error}`, answer!.refused ? 1 : 3);
  const p = { ...answer!.value, host: target.host };
  if (argv.json) printJson(p);
  else printText(`${p.id} ${p.state}${p.scope ? ` (${p.scope})` : ''} on ${p.host}\n`);
}
