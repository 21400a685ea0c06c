// gatehouse mcp wrap FILE / unwrap FILE: route every stdio server of an MCP host config (Claude
// Desktop, Claude Code) through `gatehouse proxy`, and restore it. A backup FILE.gatehouse-backup is kept.
import { resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { unwrapFile, wrapFile, type ChangeReport } from '../../engine/proxy/mcpConfig.js';
import { CliError } from '../cliError.js';

interface McpArgs {
  file: string;
  agent?: string;
  gatehouse?: string;
  json: boolean;
}

function print(verb: string, file: string, r: ChangeReport, extra: Record<string, unknown>, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify({ file, changed: r.changed, skipped: r.skipped, ...extra })}\n`);
    return;
  }
  if (r.changed.length === 0) process.stdout.write(`${file}: nothing to ${verb}\n`);
  for (const w of r.changed) process.stdout.write(`${verb}ped ${w}\n`);
  for (const s of r.skipped) process.stdout.write(`skipped ${s.where}: ${s.why}\n`);
  if (extra.backup) process.stdout.write(`backup: ${String(extra.backup)}\n`);
  if (extra.restoredFromBackup) process.stdout.write('restored the backup byte for byte\n');
}

const fileArg = (y: Argv) => y.positional('file', { type: 'string', demandOption: true, describe: 'MCP host config (claude_desktop_config.json, ~/.claude.json, .mcp.json)' });

const wrap: CommandModule<object, McpArgs> = {
  command: 'wrap <file>',
  describe: 'route every stdio MCP server in FILE through gatehouse proxy (idempotent, keeps FILE.gatehouse-backup)',
  builder: (y: Argv) =>
    fileArg(y)
      .option('agent', { type: 'string', describe: 'agent name to pass to every proxy' })
      .option('gatehouse', { type: 'string', describe: 'how the host should start gatehouse (default: this gatehouse, by absolute path)' })
      .option('json', { type: 'boolean', default: false }) as unknown as Argv<McpArgs>,
  handler: (argv) => {
    const file = resolve(argv.file);
    const command = argv.gatehouse ?? resolve(process.argv[1] ?? 'gatehouse');
    try {
      const r = wrapFile(file, { gatehouse: { command, args: [] }, ...(argv.agent ? { agent: argv.agent } : {}) });
      print('wrap', file, r, { backup: r.backup }, argv.json);
    } catch (e) {
      throw new CliError(`mcp wrap: ${(e as Error).message}`);
    }
  },
};

const unwrap: CommandModule<object, McpArgs> = {
  command: 'unwrap <file>',
  describe: 'restore every server in FILE that mcp wrap routed through gatehouse',
  builder: (y: Argv) => fileArg(y).option('json', { type: 'boolean', default: false }) as unknown as Argv<McpArgs>,
  handler: (argv) => {
    const file = resolve(argv.file);
    try {
      const r = unwrapFile(file);
      print('unwrap', file, r, { restoredFromBackup: r.restoredFromBackup }, argv.json);
    } catch (e) {
      throw new CliError(`mcp unwrap: ${(e as Error).message}`);
    }
  },
};

export const mcpCommand: CommandModule = {
  command: 'mcp <command>',
  describe: 'MCP host configuration: wrap / unwrap servers through the gatehouse proxy',
  builder: (y: Argv) => y.command(wrap).command(unwrap).demandCommand(1),
  handler: () => undefined,
};
