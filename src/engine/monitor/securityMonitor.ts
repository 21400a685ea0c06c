// The security monitor as the engine runs it (issue 7): core-file integrity (watch + periodic scan),
// access logs followed across rotation, key age, and the host audit on every scan period, all raising
// graded alerts. The same detectors run once from `gatehouse scan`.
import type { Logger } from 'pino';
import type { Alert } from '../../shared/alert.js';
import { EngineError } from '../../shared/errors.js';
import type { AlertInput } from '../../shared/alert.js';
import type { AlertCenter } from '../alerts/alerts.js';
import type { Db } from '../store/db.js';
import type { Ledger } from '../store/ledger.js';
import type { MonitorConfig } from './monitorConfig.js';
import { accessFindingToAlert } from './accessLogAuditor.js';
import { watchAccessLogs, type AccessLogWatch } from './accessLogWatch.js';
import { auditFindingToAlert } from './monitorScan.js';
import { hostAuditInputFor, runHostAudit, type AuditFinding } from './hostAudit.js';
import { SqliteBaselineRepo } from './integrityBaseline.js';
import { integrityFindingToAlert } from './integrityCompare.js';
import { IntegrityMonitor } from './integrityMonitor.js';
import { checkKeyAges, secretToAlert } from './secretsScan.js';
import { parseWorkHours } from './workHours.js';
import { RequestInspector } from './attackDetect.js';
import { installedPacks, loadPacks, type LoadedPacks } from './rulePackStore.js';
import type { SensorRules } from '../../shared/sensorRules.js';
import type { HostBlocklist } from '../firewall/hostBlocklist.js';

export interface SecurityStatus {
  alerts: Record<'P0' | 'P1' | 'P2' | 'P3', number>;
  latest: Alert[];
  integrity: { files: number; baselined: number; last_scan: string | null };
  access_logs: string[];
  audit: { last_run: string | null; findings: AuditFinding[] };
  packs: { verified: Array<{ name: string; version: string; path: string }>; refused: Array<{ path: string; reason: string }> };
}

/** What the monitor needs of the engine: its settings (the audit reads the API and logging ones), store, alerts, ledger. */
export interface MonitorHost {
  readonly opts: { env?: NodeJS.ProcessEnv; stateDir: string };
  readonly config: Parameters<typeof hostAuditInputFor>[0]['config'] & { monitor: MonitorConfig };
  readonly configFile: string | null;
  readonly token: string;
  readonly db: Db;
  readonly alerts: Pick<AlertCenter, 'list' | 'ack' | 'openCounts'>;
  readonly ledger: Pick<Ledger, 'append'>;
  /** Where the packs' blocked hosts go (the firewall's list). */
  readonly hostBlocklist?: Pick<HostBlocklist, 'replace'>;
  raiseAlert(input: AlertInput): unknown;
}

export class SecurityMonitor {
  private integrity: IntegrityMonitor | null = null;
  private logs: AccessLogWatch | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastScan: string | null = null;
  private lastAudit: { at: string; findings: AuditFinding[] } | null = null;
  private readonly repo: SqliteBaselineRepo;
  private packs: LoadedPacks = { verified: [], refused: [], fingerprint: '' };

  constructor(
    private readonly engine: MonitorHost,
    private readonly logger: Logger,
  ) {
    this.repo = new SqliteBaselineRepo(engine.db as never);
  }

  /**
   * A reload with a changed `monitor` section: the watchers, the log followers and the scan period are
   * rebuilt from the new settings. Core files added by the reload get their baseline recorded now.
   */
  async reconfigure(previous: MonitorConfig): Promise<void> {
    await this.stop();
    const before = new Set(previous.core_files.map((s) => s.path));
    const added = this.engine.config.monitor.core_files.filter((s) => !before.has(s.path));
    await this.start(added.map((s) => s.path));
  }

  private loadPacks(): LoadedPacks {
    const cfg = this.engine.config.monitor;
    return loadPacks([...cfg.rules.packs, ...installedPacks(this.engine.opts.stateDir)], cfg.rules.public_key);
  }

  /** The verified packs' correlation rules, for the host sensors. */
  sensorRulePacks(): Array<{ pack: string; rules: SensorRules }> {
    return this.packs.verified.flatMap((v) => (v.pack.sensor_rules ? [{ pack: v.pack.name, rules: v.pack.sensor_rules }] : []));
  }

  /** A reload: packs added, removed or changed since the last load rebuild the monitor. */
  async refreshPacks(): Promise<void> {
    if (this.loadPacks().fingerprint === this.packs.fingerprint) return;
    await this.stop();
    await this.start();
  }

  /** Verified packs feed the live access-log audit and the firewall's host list; a refused one is a P1. */
  private applyPacks(): RequestInspector | undefined {
    this.packs = this.loadPacks();
    for (const r of this.packs.refused) {
      this.engine.raiseAlert({ severity: 'P1', source: 'integrity', check: 'rule_pack_refused', message: `rule pack refused: ${r.reason}`, path: r.path });
    }
    this.engine.hostBlocklist?.replace(this.packs.verified.flatMap((v) => v.pack.blocked_hosts.map((host) => ({ host, source: v.pack.name }))));
    for (const v of this.packs.verified) this.logger.info({ pack: v.pack.name, version: v.pack.version, path: v.path }, 'rule pack verified and loaded');
    const signatures = this.packs.verified.flatMap((v) => v.signatures);
    const sensitivePaths = this.packs.verified.flatMap((v) => v.pack.sensitive_paths);
    return signatures.length || sensitivePaths.length ? new RequestInspector({ signatures, sensitivePaths }) : undefined;
  }

  async start(addedPaths: string[] = []): Promise<void> {
    const cfg = this.engine.config.monitor;
    const inspector = this.applyPacks();
    if (cfg.core_files.length) {
      this.integrity = new IntegrityMonitor({
        specs: cfg.core_files,
        repo: this.repo,
        onFinding: (f) => this.engine.raiseAlert(integrityFindingToAlert(f)),
        onRepeat: (f) => this.engine.raiseAlert(integrityFindingToAlert(f)),
        onError: (err, path) => this.logger.warn({ err: err.message, path }, 'integrity check failed'),
        ...(cfg.work_hours ? { workHours: parseWorkHours(cfg.work_hours, cfg.time_zone) } : {}),
        debounceMs: cfg.debounce_ms,
        maxFiles: cfg.max_watched_files,
        onNotice: (message, path) => this.engine.raiseAlert({ severity: 'P2', source: 'integrity', check: 'watch_limit', message, path }),
        scanIntervalMs: cfg.scan_interval_seconds * 1000,
      });
      // First run with nothing recorded: the files as found are the baseline (and the ledger says so).
      const known = new Set(this.repo.list().map((e) => e.path));
      if (cfg.core_files.every((s) => !known.has(s.path))) {
        const r = this.integrity.initBaseline('engine');
        this.engine.ledger.append({ actor: 'engine', surface: 'engine', action: 'integrity.baseline', detail: { recorded: r.recorded, missing: r.missing } });
      } else if (addedPaths.some((p) => !known.has(p))) {
        const r = this.integrity.initBaseline('reload', addedPaths.filter((p) => !known.has(p)));
        this.engine.ledger.append({ actor: 'engine', surface: 'engine', action: 'integrity.baseline', detail: { recorded: r.recorded, missing: r.missing } });
      }
      await this.integrity.start();
      this.lastScan = new Date().toISOString();
    }
    if (cfg.access_logs.length) {
      this.logs = watchAccessLogs({
        logs: cfg.access_logs,
        audit: { rateLimitPerMinute: cfg.rate_limit_per_minute, knownRoutes: cfg.known_routes, unknownRouteBurst: cfg.unknown_route_burst, ...(inspector ? { inspector } : {}) },
        onFinding: (f) => this.engine.raiseAlert(accessFindingToAlert(f)),
        onError: (err, path) => this.logger.warn({ err: err.message, path }, 'access log follow failed'),
      });
    }
    this.periodic();
    this.timer = setInterval(() => this.periodic(), cfg.scan_interval_seconds * 1000);
    this.timer.unref();
  }

  /** Key age and the host audit (permissions, exposure, tokens, redaction, secrets in config). */
  periodic(): void {
    const cfg = this.engine.config.monitor;
    try {
      for (const f of checkKeyAges(cfg.keys, Date.now(), cfg.key_max_age_days)) this.engine.raiseAlert(secretToAlert(f));
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'key age check failed');
    }
    try {
      const findings = runHostAudit(
        hostAuditInputFor({
          stateDir: this.engine.opts.stateDir,
          ...(this.engine.configFile ? { configPath: this.engine.configFile } : {}),
          config: this.engine.config,
          apiToken: this.engine.token,
          env: this.engine.opts.env ?? process.env,
          coreFiles: cfg.core_files.map((c) => c.path),
        }),
      );
      this.lastAudit = { at: new Date().toISOString(), findings };
      for (const f of findings) if (f.severity !== 'info') this.engine.raiseAlert(auditFindingToAlert(f));
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'host audit failed');
    }
  }

  /** The operator acknowledges a change: the baseline takes the file as it is now. */
  ack(path: string, by: string, reason: string): { path: string; acknowledged: boolean } {
    if (!this.integrity) throw new EngineError('no core files are monitored (monitor.core_files is empty)', 'bad_request');
    const entry = this.integrity.ack(path, by, reason);
    if (!entry) throw new EngineError(`${path} is not a monitored core file`, 'not_found');
    this.engine.ledger.append({ actor: by, surface: 'engine', action: 'integrity.ack', subject: path, reason });
    for (const a of this.engine.alerts.list({ unacked: true, limit: 1000 })) if (a.source === 'integrity' && a.path === path) this.engine.alerts.ack(a.id, by, 'engine', reason);
    return { path, acknowledged: true };
  }

  scanNow(): number {
    const n = this.integrity?.scanAll().length ?? 0;
    this.lastScan = new Date().toISOString();
    void this.logs?.poll();
    this.periodic();
    return n;
  }

  status(): SecurityStatus {
    return {
      alerts: this.engine.alerts.openCounts(),
      latest: this.engine.alerts.list({ unacked: true, limit: 10 }),
      integrity: { files: this.engine.config.monitor.core_files.length, baselined: this.repo.list().length, last_scan: this.lastScan },
      access_logs: this.engine.config.monitor.access_logs.map((l) => l.path),
      audit: { last_run: this.lastAudit?.at ?? null, findings: this.lastAudit?.findings ?? [] },
      packs: { verified: this.packs.verified.map((v) => ({ name: v.pack.name, version: v.pack.version, path: v.path })), refused: this.packs.refused },
    };
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.integrity?.stop();
    await this.logs?.stop();
    this.integrity = null;
    this.logs = null;
  }
}
