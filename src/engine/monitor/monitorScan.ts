// `gatehouse scan`: every detector once, as alerts, with the exit code the contract asks for
// (0 when nothing at or above P1, 1 otherwise). The engine runs the same detectors continuously.
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import type { AlertInput, Severity } from '../../shared/alert.js';
import { severityRank } from '../../shared/alert.js';
import { accessFindingToAlert, auditAccessLogFile } from './accessLogAuditor.js';
import { RequestInspector } from './attackDetect.js';
import type { BaselineRepo } from './integrityBaseline.js';
import { integrityFindingToAlert } from './integrityCompare.js';
import { IntegrityMonitor } from './integrityMonitor.js';
import type { MonitorConfig } from './monitorConfig.js';
import { runHostAudit, type AuditFinding, type HostAuditInput } from './hostAudit.js';
import { loadRulePack } from './rulePack.js';
import { checkKeyAges, scanDirectoryForSecrets, scanEnvironmentForSecrets, scanFileForSecrets, secretToAlert } from './secretsScan.js';
import { parseWorkHours } from './workHours.js';
import type { Signature } from './attackSignatures.js';

export type ScanOnly = 'integrity' | 'anomaly' | 'api_audit' | 'secrets' | 'permissions';

export interface ScanRequest {
  config: MonitorConfig;
  repo: BaselineRepo;
  only?: ScanOnly;
  /** `--init-hashes`: record the baseline instead of comparing. */
  initHashes?: boolean;
  /** `--log FILE`: access logs audited in addition to the configured ones. */
  logs?: string[];
  /** `PATH…`: files or directories scanned for secrets in addition to the configured ones. */
  paths?: string[];
  /** The environment to check for secrets, and the variables expected to hold one. */
  env?: Record<string, string | undefined>;
  expectedEnv?: string[];
  /** Host audit input for the permissions part (state dir, config files, binding…). */
  audit?: HostAuditInput;
  now?: () => number;
}

export interface ScanReport {
  alerts: AlertInput[];
  /** 2 when an input the scan was asked to read (--log, PATH) is missing or unreadable; else 1 at P1 or above. */
  exitCode: 0 | 1 | 2;
  /** The inputs given on the command line that could not be read, with why. */
  unreadable: string[];
  /** Human notes: baselines recorded, files skipped, packs refused. */
  notes: string[];
}

/** Host-audit findings as alerts: exposure without auth is P0 (network), critical P1, warn P2, info P3. */
export function auditFindingToAlert(f: AuditFinding): AlertInput {
  const severity: Severity = f.id === 'api.exposed_without_auth' ? 'P0' : f.severity === 'critical' ? 'P1' : f.severity === 'warn' ? 'P2' : 'P3';
  const source = f.id.startsWith('api.') ? 'network' : f.id === 'config.secret' ? 'secrets' : f.id.startsWith('injection.') ? 'integrity' : 'permissions';
  return {
    severity, source, check: f.id, message: `${f.message} — ${f.remediation}`,
    ...(f.path ? { path: f.path } : {}),
    evidence: { ...(f.evidence ?? {}), audit_severity: f.severity },
  };
}

/** Rule-pack signatures for the access-log audit; refused packs become notes (and are not used). */
export function loadPackSignatures(config: MonitorConfig, notes: string[]): { signatures: Signature[]; sensitivePaths: string[] } {
  const signatures: Signature[] = [];
  const sensitivePaths: string[] = [];
  for (const p of config.rules.packs) {
    try {
      const v = loadRulePack(p, config.rules.public_key);
      signatures.push(...v.signatures);
      sensitivePaths.push(...v.pack.sensitive_paths);
      notes.push(`rule pack ${v.pack.name} ${v.pack.version} verified`);
    } catch (err) {
      notes.push(`rule pack refused: ${(err as Error).message}`);
    }
  }
  return { signatures, sensitivePaths };
}

/** Why `path` cannot be read, or null when it can. */
function unreadableReason(path: string): string | null {
  try {
    statSync(path);
    accessSync(path, constants.R_OK);
    return null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'does not exist' : code === 'EACCES' || code === 'EPERM' ? 'cannot be read (permission denied)' : `cannot be read (${code ?? (err as Error).message})`;
  }
}

export async function runMonitorScan(req: ScanRequest): Promise<ScanReport> {
  const { config } = req;
  const alerts: AlertInput[] = [];
  const notes: string[] = [];
  // What the operator named is checked first: a typo in a cron job must not look like a clean scan.
  const unreadable: string[] = [];
  for (const p of [...(req.logs ?? []), ...(req.paths ?? [])]) {
    const why = unreadableReason(p);
    if (why) unreadable.push(`${p}: ${why}`);
  }
  const want = (k: ScanOnly) => !req.only || req.only === k;

  if (want('integrity') || want('anomaly') || req.initHashes) {
    const workHours = config.work_hours ? parseWorkHours(config.work_hours, config.time_zone) : undefined;
    const mon = new IntegrityMonitor({
      specs: config.core_files, repo: req.repo, onFinding: () => {}, scanIntervalMs: 0, maxFiles: config.max_watched_files,
      onNotice: (message) => notes.push(message),
      ...(workHours ? { workHours } : {}), ...(req.now ? { now: req.now } : {}),
    });
    if (req.initHashes) {
      const r = mon.initBaseline('cli');
      notes.push(`baseline recorded for ${r.recorded.length} path(s)`);
      for (const m of r.missing) {
        notes.push(`not found, no baseline: ${m}`);
        alerts.push({ severity: 'P1', source: 'integrity', check: 'core_file_missing', message: `watched path missing at --init-hashes: ${m}`, path: m });
      }
    } else {
      for (const f of mon.scanAll()) {
        if (req.only === 'anomaly' && f.source !== 'anomaly') continue;
        if (req.only === 'integrity' && f.source !== 'integrity') continue;
        alerts.push(integrityFindingToAlert(f));
      }
    }
  }

  if (want('api_audit')) {
    const packs = loadPackSignatures(config, notes);
    const inspector = packs.signatures.length || packs.sensitivePaths.length ? new RequestInspector(packs) : undefined;
    const logs = [...config.access_logs, ...(req.logs ?? []).map((path) => ({ path, format: 'combined' as const }))];
    for (const log of logs) {
      if (!existsSync(log.path)) {
        notes.push(`access log not found: ${log.path}`);
        continue;
      }
      const res = await auditAccessLogFile({
        path: log.path, format: req.logs?.includes(log.path) ? 'auto' : log.format,
        rateLimitPerMinute: config.rate_limit_per_minute, unknownRouteBurst: config.unknown_route_burst,
        knownRoutes: config.known_routes, ...(inspector ? { inspector } : {}),
      });
      alerts.push(...res.findings.map(accessFindingToAlert));
      if (res.dropped) notes.push(`${log.path}: ${res.dropped} more findings not listed`);
      if (res.stats.unparsed) notes.push(`${log.path}: ${res.stats.unparsed} line(s) not in ${log.format} format (inspected whole)`);
    }
  }

  if (want('secrets')) {
    for (const p of [...config.secrets.paths, ...(req.paths ?? [])]) {
      let isDir = false;
      try {
        isDir = statSync(p).isDirectory();
      } catch {
        notes.push(`secrets: not found: ${p}`);
        continue;
      }
      const r = isDir ? scanDirectoryForSecrets(p, { maxBytes: config.secrets.max_file_bytes }) : { ...scanFileForSecrets(p, { maxBytes: config.secrets.max_file_bytes }), files: 1 };
      alerts.push(...r.findings.map(secretToAlert));
      const skipped = 'skipped' in r ? (Array.isArray(r.skipped) ? r.skipped : r.skipped ? [r.skipped] : []) : [];
      for (const s of skipped) notes.push(`secrets: skipped ${s.path} (${s.reason})`);
    }
    if (req.env) alerts.push(...scanEnvironmentForSecrets(req.env, req.expectedEnv).map(secretToAlert));
    alerts.push(...checkKeyAges(config.keys, req.now?.() ?? Date.now(), config.key_max_age_days).map(secretToAlert));
  }

  if (want('permissions') && req.audit) {
    alerts.push(...runHostAudit(req.audit).map(auditFindingToAlert));
  }

  const worst = alerts.reduce((m, a) => Math.min(m, severityRank(a.severity)), Infinity);
  return { alerts, exitCode: unreadable.length ? 2 : worst <= severityRank('P1') ? 1 : 0, unreadable, notes };
}
