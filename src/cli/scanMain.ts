// `gatehouse scan` and `gatehouse audit`: the security monitor's detectors run once. Findings of a scan
// are also handed to the running engine (if any) so they reach every console.
import { existsSync, readFileSync } from 'node:fs';
import type { AlertInput } from '../shared/alert.js';
import { loadConfig } from '../engine/config/config.js';
import { Ledger } from '../engine/store/ledger.js';
import { hostAuditInputFor, runHostAudit, fixHostAudit } from '../engine/monitor/hostAudit.js';
import { SqliteBaselineRepo } from '../engine/monitor/integrityBaseline.js';
import { IntegrityMonitor } from '../engine/monitor/integrityMonitor.js';
import { runMonitorScan, type ScanOnly } from '../engine/monitor/monitorScan.js';
import { statePath } from '../engine/store/stateDir.js';
import { openStore } from '../engine/store/store.js';
import { DocumentError } from '../engine/platform/yamlErrors.js';
import { CliError } from './cliError.js';
import { callEngine, printJson, stateDirOf, type GlobalArgs } from './context.js';

export interface ScanArgs extends GlobalArgs {
  'integrity-only'?: boolean;
  'anomaly-only'?: boolean;
  'api-audit'?: boolean;
  secrets?: boolean;
  permissions?: boolean;
  'init-hashes': boolean;
  log?: string[];
  ack?: string;
  reason?: string;
  json: boolean;
  paths?: string[];
}

function config(argv: GlobalArgs) {
  try {
    return loadConfig(argv.config);
  } catch (err) {
    if (err instanceof DocumentError) throw new CliError(err.message, 2);
    throw err;
  }
}

function apiToken(stateDir: string): string | undefined {
  const f = statePath(stateDir, 'apiToken');
  return process.env.GATEHOUSE_API_TOKEN || (existsSync(f) ? readFileSync(f, 'utf8').trim() : undefined);
}

function line(a: AlertInput): string {
  const where = [a.path, a.ip].filter(Boolean).join(' ');
  return `${a.severity} ${a.source}/${a.check}  ${a.message}${where ? `  (${where})` : ''}`;
}

async function engineRunning(argv: GlobalArgs): Promise<boolean> {
  try {
    await callEngine(argv, 'status');
    return true;
  } catch {
    return false;
  }
}

async function acknowledge(argv: ScanArgs): Promise<void> {
  if (!argv.reason) throw new CliError('--ack needs --reason TEXT (who acknowledged what, and why, goes in the ledger)', 2);
  if (await engineRunning(argv)) {
    await callEngine(argv, 'security.ack', { path: argv.ack, reason: argv.reason });
  } else {
    const { config: cfg } = config(argv);
    const db = openStore(stateDirOf(argv));
    try {
      const mon = new IntegrityMonitor({ specs: cfg.monitor.core_files, repo: new SqliteBaselineRepo(db as never), onFinding: () => {}, scanIntervalMs: 0 });
      const by = process.env.USER ?? 'operator';
      if (!mon.ack(argv.ack!, by, argv.reason)) throw new CliError(`${argv.ack} is not a monitored core file (monitor.core_files)`, 2);
      new Ledger(db).append({ actor: by, surface: 'cli', action: 'integrity.ack', subject: argv.ack!, reason: argv.reason });
    } finally {
      db.close();
    }
  }
  process.stdout.write(`acknowledged ${argv.ack}: the baseline now holds the file as it is\n`);
}

export async function runScan(argv: ScanArgs): Promise<void> {
  if (argv.ack) return acknowledge(argv);
  const only: ScanOnly | undefined = argv['integrity-only'] ? 'integrity' : argv['anomaly-only'] ? 'anomaly' : argv['api-audit'] ? 'api_audit' : argv.secrets ? 'secrets' : argv.permissions ? 'permissions' : undefined;
  const { config: cfg, file } = config(argv);
  const stateDir = stateDirOf(argv);
  const db = openStore(stateDir);
  let report;
  try {
    report = await runMonitorScan({
      config: cfg.monitor,
      repo: new SqliteBaselineRepo(db as never),
      ...(only ? { only } : {}),
      initHashes: argv['init-hashes'],
      ...(argv.log?.length ? { logs: argv.log } : {}),
      ...(argv.paths?.length ? { paths: argv.paths.map(String) } : {}),
      env: process.env,
      expectedEnv: ['APPROVAL_API_KEY', 'GATEHOUSE_API_TOKEN', 'ANTHROPIC_API_KEY', 'OPENAI_API_KEY'],
      audit: hostAuditInputFor({ stateDir, ...(file ? { configPath: file } : {}), config: cfg, ...(apiToken(stateDir) ? { apiToken: apiToken(stateDir)! } : {}), env: process.env, coreFiles: cfg.monitor.core_files.map((c) => c.path) }),
    });
    if (argv['init-hashes']) new Ledger(db).append({ actor: process.env.USER ?? 'operator', surface: 'cli', action: 'integrity.baseline', detail: { notes: report.notes } });
  } finally {
    db.close();
  }
  if (report.alerts.length && (await engineRunning(argv))) {
    for (const a of report.alerts) await callEngine(argv, 'alerts.raise', a).catch(() => {});
  }
  if (argv.json) printJson(report);
  else {
    for (const a of report.alerts) process.stdout.write(`${line(a)}\n`);
    for (const n of report.notes) process.stdout.write(`note: ${n}\n`);
    for (const u of report.unreadable) process.stderr.write(`gatehouse scan: ${u}\n`);
    process.stdout.write(`${report.alerts.length} finding(s); ${report.exitCode ? 'something at P1 or above' : 'nothing at P1 or above'}\n`);
  }
  process.exitCode = report.exitCode;
}

export interface AuditArgs extends GlobalArgs {
  json: boolean;
  fix: boolean;
}

export async function runAudit(argv: AuditArgs): Promise<void> {
  const { config: cfg, file } = config(argv);
  const stateDir = stateDirOf(argv);
  const token = apiToken(stateDir);
  const input = hostAuditInputFor({ stateDir, ...(file ? { configPath: file } : {}), config: cfg, ...(token ? { apiToken: token } : {}), env: process.env, coreFiles: cfg.monitor.core_files.map((c) => c.path) });
  let findings = runHostAudit(input);
  const fixed = argv.fix ? fixHostAudit(findings) : null;
  if (fixed) findings = runHostAudit(input);
  if (argv.json) printJson({ findings, ...(fixed ? { fixed } : {}) });
  else {
    for (const f of findings) process.stdout.write(`${f.severity.padEnd(8)} ${f.id}  ${f.message}\n         fix: ${f.remediation}\n`);
    if (fixed) process.stdout.write(`fixed ${fixed.fixed.length}, could not fix ${fixed.failed.length}\n`);
    process.stdout.write(`${findings.length} finding(s)\n`);
  }
  if (findings.some((f) => f.severity === 'critical')) process.exitCode = 1;
}
