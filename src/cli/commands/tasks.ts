// `gatehouse submit` and `gatehouse tasks list|show|approve|reject|abort`, through the socket.
import type { Argv, CommandModule } from 'yargs';
import type { Task, TaskDetail, TaskStatus } from '../../shared/task.js';
import { TASK_STATUSES } from '../../shared/task.js';
import { CliError } from '../cliError.js';
import { printJson, printText, withClient, type GlobalArgs } from '../context.js';
import { foundOn, HOST_OPTION, hostsOf, itemsOf, overHosts } from '../fleet.js';

function line(t: Task): string {
  const cost = `$${t.estimated_cost.toFixed(2)}`;
  return `${t.task_id.padEnd(16)} ${t.task_type.padEnd(9)} ${t.status.padEnd(17)} ${cost.padStart(9)}  ${t.description.slice(0, 60)}`;
}

function detail(t: TaskDetail): string {
  const out = [
    `${t.task_id} · ${t.task_type} · ${t.status}${t.decided_by ? ` (decided by ${t.decided_by}${t.decision_reason ? `: ${t.decision_reason}` : ''})` : ''}`,
    `description  ${t.description}`,
    `cost         estimated $${t.estimated_cost.toFixed(2)}, actual ${t.actual_cost === null ? '—' : `$${t.actual_cost.toFixed(4)}`}`,
  ];
  if (t.constraints.length) out.push(`constraints  ${t.constraints.map((c) => `${c.type} ${c.value}${c.reason ? ` (${c.reason})` : ''}`).join(', ')}`);
  if (t.error_message) out.push(`error        ${t.error_message}`);
  out.push('timeline');
  for (const tr of t.transitions) out.push(`  ${tr.at}  ${tr.from ?? '∅'} → ${tr.to}  by ${tr.by} (${tr.surface})${tr.reason ? `: ${tr.reason}` : ''}`);
  return `${out.join('\n')}\n`;
}

interface SubmitArgs extends GlobalArgs {
  type: string;
  description: string;
  cost: number;
  duration?: number;
  id?: string;
  context?: string;
  json: boolean;
}

export const submitCommand: CommandModule<GlobalArgs, SubmitArgs> = {
  command: 'submit',
  describe: 'submit a task for approval',
  builder: (y) =>
    y
      .option('type', { type: 'string', default: 'chat', describe: 'task type (chat, workflow, batch, …)' })
      .option('description', { alias: 'd', type: 'string', default: '', describe: 'what the task does' })
      .option('cost', { type: 'number', default: 0, describe: 'estimated cost in USD' })
      .option('duration', { type: 'number', describe: 'estimated duration in ms' })
      .option('id', { type: 'string', describe: 'task id (default: generated)' })
      .option('context', { type: 'string', describe: 'context as a JSON object' })
      .option('json', { type: 'boolean', default: false }) as never,
  handler: async (argv) => {
    let context: Record<string, unknown> = {};
    if (argv.context) {
      try {
        context = JSON.parse(argv.context) as Record<string, unknown>;
      } catch {
        throw new CliError(`--context: not valid JSON: ${argv.context}`, 2);
      }
    }
    const task = await withClient(argv, (c) =>
      c.tasks.submit({
        task_type: argv.type,
        description: argv.description,
        estimated_cost: argv.cost,
        ...(argv.duration !== undefined ? { estimated_duration_ms: argv.duration } : {}),
        ...(argv.id ? { task_id: argv.id } : {}),
        context,
      }),
    );
    if (argv.json) printJson(task);
    else printText(`${task.task_id} ${task.status}\n`);
  },
};

interface ListArgs extends GlobalArgs {
  host?: string[];
  status?: TaskStatus;
  text?: string;
  limit: number;
  offset: number;
  json: boolean;
}
interface IdArgs extends GlobalArgs {
  host?: string[];
  id: string;
  reason?: string;
  json: boolean;
}

function actionCommand(action: 'approve' | 'reject' | 'abort'): CommandModule<GlobalArgs, IdArgs> {
  return {
    command: `${action} <id>`,
    describe: `${action} a task`,
    builder: (y) => y.positional('id', { type: 'string', demandOption: true }).option('reason', { type: 'string' }).option('json', { type: 'boolean', default: false }) as never,
    handler: async (argv) => {
      const t = await withClient(argv, (c) => c.tasks[action](argv.id, argv.reason));
      if (argv.json) printJson(t);
      else printText(`${t.task_id} ${t.status}\n`);
    },
  };
}

export const tasksCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'tasks <command>',
  describe: 'list, show and act on tasks',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .command<ListArgs>({
        command: 'list',
        describe: 'list tasks, newest first',
        builder: (yy) =>
          yy
            .option('status', { choices: TASK_STATUSES })
            .option('text', { type: 'string', describe: 'filter by text in id, type or description' })
            .option('limit', { type: 'number', default: 50 })
            .option('offset', { type: 'number', default: 0 })
            .option('json', { type: 'boolean', default: false })
            .option('host', HOST_OPTION) as never,
        handler: async (argv) => {
          const query = { ...(argv.status ? { status: argv.status } : {}), ...(argv.text ? { text: argv.text } : {}) };
          const hosts = await hostsOf(argv);
          if (hosts.length > 0) {
            // Each host's newest offset+limit, merged newest first, then the window asked for; the total is the fleet's.
            const results = await overHosts(hosts, async (c) => c.tasks.list({ ...query, offset: 0, limit: Math.min(1000, argv.offset + argv.limit) }));
            const tasks = itemsOf(results.map((r) => (r.up ? { ...r, value: r.value.tasks } : r)))
              .sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0))
              .slice(argv.offset, argv.offset + argv.limit);
            const total = results.reduce((n, r) => n + (r.up ? r.value.total : 0), 0);
            if (argv.json) return printJson({ total, tasks });
            printText(`${tasks.map((t) => `${t.host.padEnd(12)} ${line(t)}`).join('\n')}${tasks.length ? '\n' : ''}${tasks.length} of ${total}\n`);
            return;
          }
          const page = await withClient(argv, (c) => c.tasks.list({ limit: argv.limit, offset: argv.offset, ...query }));
          if (argv.json) return printJson(page);
          printText(`${page.tasks.map(line).join('\n')}${page.tasks.length ? '\n' : ''}${page.tasks.length} of ${page.total}\n`);
        },
      })
      .command<IdArgs>({
        command: 'show <id>',
        describe: 'show one task with its timeline',
        builder: (yy) => yy.positional('id', { type: 'string', demandOption: true }).option('json', { type: 'boolean', default: false }).option('host', HOST_OPTION) as never,
        handler: async (argv) => {
          const hosts = await hostsOf(argv);
          if (hosts.length > 0) {
            const { host, value } = foundOn(`task ${argv.id}`, await overHosts(hosts, (c) => c.tasks.get(argv.id)));
            if (argv.json) printJson({ ...value, host });
            else printText(`host         ${host}\n${detail(value)}`);
            return;
          }
          const t = await withClient(argv, (c) => c.tasks.get(argv.id));
          if (argv.json) printJson(t);
          else printText(detail(t));
        },
      })
      .command(actionCommand('approve'))
      .command(actionCommand('reject'))
      .command(actionCommand('abort'))
      .demandCommand(1, 'name a tasks subcommand') as never,
  handler: () => {},
};
