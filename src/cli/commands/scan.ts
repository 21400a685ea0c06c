// `gatehouse scan` and `gatehouse audit` (see scanMain.ts).
import type { CommandModule } from 'yargs';
import type { GlobalArgs } from '../context.js';
import type { AuditArgs, ScanArgs } from '../scanMain.js';

export const scanCommand: CommandModule<GlobalArgs, ScanArgs> = {
  command: 'scan [paths..]',
  describe: 'run the security monitor once (exit 1 when something at P1 or above is found)',
  builder: (y) =>
    y
      .positional('paths', { type: 'string', array: true, describe: 'files or directories to scan for secrets as well' })
      .option('integrity-only', { type: 'boolean', describe: 'only core-file integrity' })
      .option('anomaly-only', { type: 'boolean', describe: 'only size and off-hours anomalies' })
      .option('api-audit', { type: 'boolean', describe: 'only the access-log audit' })
      .option('secrets', { type: 'boolean', describe: 'only secrets (files, environment, key age)' })
      .option('permissions', { type: 'boolean', describe: 'only permissions and exposure' })
      .option('init-hashes', { type: 'boolean', default: false, describe: 'record the core files as the integrity baseline' })
      .option('log', { type: 'string', array: true, describe: 'access log to audit as well' })
      .option('ack', { type: 'string', describe: 'acknowledge a change of this core file (updates the baseline)' })
      .option('reason', { type: 'string', describe: 'why, with --ack' })
      .option('json', { type: 'boolean', default: false })
      .conflicts({ 'integrity-only': ['anomaly-only', 'api-audit', 'secrets', 'permissions'], 'anomaly-only': ['api-audit', 'secrets', 'permissions'], 'api-audit': ['secrets', 'permissions'], secrets: ['permissions'] }) as never,
  handler: async (argv) => (await import('../scanMain.js')).runScan(argv),
};

export const auditCommand: CommandModule<GlobalArgs, AuditArgs> = {
  command: 'audit',
  describe: 'audit the host: permissions, exposure without auth, short tokens, redaction, secrets in config, injection in core files',
  builder: (y) => y.option('json', { type: 'boolean', default: false }).option('fix', { type: 'boolean', default: false, describe: 'tighten permissions (never loosens anything)' }) as never,
  handler: async (argv) => (await import('../scanMain.js')).runAudit(argv),
};
