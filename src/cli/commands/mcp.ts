// gatehouse mcp wrap FILE / unwrap FILE: route every stdio server of an MCP host config (Claude
// Desktop, Claude Code) through `gatehouse proxy`, and restore it. A backup FILE.gatehouse-backup is kept.
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { unwrapFile, wrapFile, type ChangeReport } from '../../engine/proxy/mcpConfig.js';
import { CliError } from '../cliError.js';
import { resolveConfigPath } from '../../engine/config/config.js';
import { stateDirOf, type GlobalArgs } from '../context.js';

interface McpArgs extends GlobalArgs {
  file: string;
  agent?: string;
  gatehouse?: string;
  json: boolean;
}

function oneLine(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ENOENT') return `${err.path ?? 'the file'} does not exist`;
  if (err.code === 'EACCES' || err.code === 'EPERM') return `${err.path ?? 'the file'} cannot be read or written (permission denied)`;
  return (err.message ?? String(e)).split('\n')[0]!;
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

/** What the host runs: node by absolute path and this script by absolute path (a GUI host's PATH may have no node). */
function gatehouseCommand(flag: string | undefined): { command: string; args: string[] } {
  if (flag) return { command: flag, args: [] };
  const script = process.argv[1] ? realpathSync(resolve(process.argv[1])) : null;
  if (!script) throw new CliError('mcp wrap: cannot tell where this gatehouse script is; pass --gatehouse /absolute/path', 2);
  return { command: process.execPath, args: [script] };
}

const wrap: CommandModule<object, McpArgs> = {
  command: 'wrap <file>',
  describe: 'route every stdio MCP server in FILE through gatehouse proxy (idempotent, keeps FILE.gatehouse-backup)',
  builder: (y: Argv) =>
    fileArg(y)
      .option('agent', { type: 'string', describe: 'agent name to pass to every proxy' })
      .option('gatehouse', { type: 'string', describe: 'how the host should start gatehouse (default: this node and this gatehouse script, by absolute paths)' })
      .option('json', { type: 'boolean', default: false }) as unknown as Argv<McpArgs>,
  // async: a throw from a sync nested handler escapes yargs' failure handling as a stack trace.
  handler: async (argv) => {
    const file = resolve(argv.file);
    const gatehouse = gatehouseCommand(argv.gatehouse);
    // The state dir and config this command acts on are the ones every wrapped server will reach.
    const config = resolveConfigPath(argv.config);
    try {
      const r = wrapFile(file, {
        gatehouse,
        stateDir: stateDirOf(argv),
        ...(config.explicit ? { configPath: config.path } : {}),
        ...(argv.agent ? { agent: argv.agent } : {}),
      });
      print('wrap', file, r, { backup: r.backup }, argv.json);
    } catch (e) {
      throw new CliError(`mcp wrap: ${oneLine(e)}`, 2);
    }
  },
};

const unwrap: CommandModule<object, McpArgs> = {
  command: 'unwrap <file>',
  describe: 'restore every server in FILE that mcp wrap routed through gatehouse',
  builder: (y: Argv) => fileArg(y).option('json', { type: 'boolean', default: false }) as unknown as Argv<McpArgs>,
  // async: a throw from a sync nested handler escapes yargs' failure handling as a stack trace.
  handler: async (argv) => {
    const file = resolve(argv.file);
    try {
      const r = unwrapFile(file);
      print('unwrap', file, r, { restoredFromBackup: r.restoredFromBackup }, argv.json);
    } catch (e) {
      throw new CliError(`mcp unwrap: ${oneLine(e)}`, 2);
    }
  },
};

export const mcpCommand: CommandModule = {
  command: 'mcp <command>',
  describe: 'MCP host configuration: wrap / unwrap servers through the gatehouse proxy',
  builder: (y: Argv) => y.command(wrap).command(unwrap).demandCommand(1),
  handler: () => undefined,
};
