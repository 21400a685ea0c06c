// gatehouse proxy [--agent A] [--server-name N] -- SERVER_COMMAND…
// Runs one MCP server behind the firewall for an MCP host (stdio). stdout is the protocol: every
// log line goes to stderr, which hosts keep in their MCP logs.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { ProxyArgs } from '../proxyMain.js';

export const proxyCommand: CommandModule<object, ProxyArgs> = {
  command: 'proxy [server..]',
  describe: 'run an MCP stdio server behind the firewall: gatehouse proxy --server-name N -- COMMAND ARGS…',
  builder: (y: Argv) =>
    y
      .parserConfiguration({ 'populate--': true, 'unknown-options-as-args': false })
      .option('agent', { type: 'string', default: 'default', describe: 'agent name the firewall rules apply to' })
      .option('server-name', { type: 'string', describe: 'server name for the policy tools rules (default: the command name)' })
      .option('redact', { type: 'boolean', default: false, describe: 'redact secrets and prompt injection found in tool results' })
      .option('hide', { type: 'string', array: true, describe: 'tool names to leave out of tools/list' })
      .option('hide-denied', { type: 'boolean', default: false, describe: 'leave out of tools/list the tools the policy denies whatever the arguments' })
      .option('progress-interval', { type: 'number', default: 10, describe: 'seconds between progress notifications while a prompt waits' })
      .option('pins', { type: 'boolean', default: true, describe: 'pin tool descriptions and schemas (alert when they change)' })
      .option('offline-policy', { type: 'string', describe: 'policy file to decide with when the engine is unreachable (asks become denies); default: refuse every call' })
      .option('log-level', { type: 'string', default: 'info', choices: ['debug', 'info', 'warn', 'error', 'silent'] })
      .option('original-args', { type: 'boolean', hidden: true, describe: 'marker written by mcp wrap' }) as unknown as Argv<ProxyArgs>,
  handler: async (argv: ArgumentsCamelCase<ProxyArgs>) => (await import('../proxyMain.js')).runProxyCommand(argv),
};
