// `gatehouse alerts`: the engine's alerts from a shell, newest last; with `--host` (or fleet.hosts) every
// host's, each with its host, the hosts that are down named on stderr (docs/fleet.md).
import type { CommandModule } from 'yargs';
import { SEVERITIES, type Alert, type Severity } from '../../shared/alert.js';
import { printJson, printText, withClient, type GlobalArgs } from '../context.js';
import { HOST_OPTION, hostsOf, itemsOf, overHosts } from '../fleet.js';

interface Args extends GlobalArgs {
  severity?: Severity;
  unacked: boolean;
  limit: number;
  json: boolean;
  host?: string[];
}

function line(a: Alert & { host?: string }): string {
  const ack = a.acked_by ? `acked by ${a.acked_by}` : 'open';
  return `${a.host ? `${a.host.padEnd(12)} ` : ''}${a.ts}  ${a.severity}  ${a.source}/${a.check}  ${ack}  ${a.message}${a.count && a.count > 1 ? ` (×${a.count})` : ''}${a.path ? ` ${a.path}` : ''}`;
}

export const alertsCommand: CommandModule<GlobalArgs, Args> = {
  command: 'alerts',
  describe: 'list alerts, oldest first (P0 most severe)',
  builder: (y) =>
    y
      .option('severity', { choices: SEVERITIES, describe: 'only this severity' })
      .option('unacked', { type: 'boolean', default: false, describe: 'only alerts nobody acknowledged' })
      .option('limit', { type: 'number', default: 100, describe: 'the newest N (1-1000) of each host' })
      .option('json', { type: 'boolean', default: false })
      .option('host', HOST_OPTION) as never,
  handler: async (argv) => {
    const query = { limit: Math.max(1, Math.min(1000, Math.trunc(argv.limit))), ...(argv.severity ? { severity: argv.severity } : {}), ...(argv.unacked ? { unacked: true } : {}) };
    const hosts = await hostsOf(argv);
    const alerts: Array<Alert & { host?: string }> =
      hosts.length > 0 ? itemsOf(await overHosts(hosts, (c) => c.alerts.list(query))) : await withClient(argv, (c) => c.alerts.list(query));
    alerts.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
    if (argv.json) return printJson(alerts);
    printText(alerts.length ? `${alerts.map(line).join('\n')}\n` : 'no alerts\n');
  },
};
