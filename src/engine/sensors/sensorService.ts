// The sensors as the engine runs them: a source (audit, else /proc), the process tree that says
// which agent did what, the correlator that turns sequences into alerts, and per-agent activity.
import { readFileSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Agent } from '../../shared/agent.js';
import type { AlertInput } from '../../shared/alert.js';
import type { EngineEvent } from '../../shared/events.js';
import type { Db } from '../store/db.js';
import type { Ledger } from '../store/ledger.js';
import { Baseline, type Anomaly } from './baseline.js';
import { AuditSource, auditStatus } from './auditSource.js';
import { Correlator } from './correlator.js';
import { readExe, readProcStat } from './procStat.js';
import { ProcSource } from './procSource.js';
import { ProcessTree } from './processTree.js';
import { programOf, type AttributedEvent, type SensorEvent } from './sensorEvent.js';
import { DEFAULT_SENSOR_RULES, mergeSensorRules, parseSensorRules, type SensorRules } from './sensorRules.js';
import type { SensorsConfig } from './sensorsConfig.js';

export interface AgentActivity {
  execs: number;
  files: number;
  connections: number;
  /** Events in each of the last HISTORY_BUCKETS periods of HISTORY_BUCKET_MS, oldest first (the console's sparkline). */
  history: number[];
}

export const HISTORY_BUCKETS = 30;
export const HISTORY_BUCKET_MS = 10_000;

export interface SensorsStatus {
  enabled: boolean;
  source: 'audit' | 'proc' | null;
  /** Why the source is what it is (audit refused, or off). */
  reason: string | null;
  events: number;
  unattributed: number;
  alerts: number;
  /** The audit source: auditd restarts or lost rules it recovered from; records the kernel lost since start. */
  audit?: { recoveries: number; kernel_lost: number; rules: number };
  /** Processes the tree knows (bounded). */
  processes: number;
}

/** What the sensors need of the engine: their settings, the registered agents, alerts, the ledger, events. */
export interface SensorHost {
  readonly config: { sensors: SensorsConfig };
  readonly db: Db;
  readonly agents: { list(): Agent[] };
  readonly ledger: Pick<Ledger, 'append'>;
  readonly bus: { subscribe(fn: (e: EngineEvent) => void): () => void };
  readonly logger: { info(o: object, m?: string): void; warn(o: object, m?: string): void };
  raiseAlert(input: AlertInput): unknown;
  /** Correlation rules from verified rule packs (the monitor loads and verifies them). */
  readonly security?: { sensorRulePacks(): Array<{ pack: string; rules: SensorRules }> };
}

/** Credentials and persistence places under every home directory on the host, for audit's watches. */
export function defaultWatchPaths(): string[] {
  const homes = new Set<string>([homedir()]);
  try {
    for (const h of readdirSync('/home')) homes.add(join('/home', h));
  } catch {
    /* no /home */
  }
  const rel = ['.ssh', '.aws', '.config/gcloud', '.azure', '.kube', '.docker', '.netrc', '.git-credentials', '.npmrc', '.pypirc', '.bashrc', '.profile', '.zshrc'];
  return [...[...homes].flatMap((h) => rel.map((r) => join(h, r))), '/etc/shadow', '/etc/cron.d', '/var/spool/cron'];
}

export class SensorService {
  private readonly tree = new ProcessTree((pid) => readProcStat(pid));
  private correlator: Correlator;
  private audit: AuditSource | null = null;
  private proc: ProcSource | null = null;
  private readonly activity = new Map<string, { execs: number; files: number; connections: number; bucket: number; history: number[] }>();
  private readonly agentPrograms = new Map<string, string | null>();
  private off: (() => void) | null = null;
  private readonly baseline: Baseline;
  /** pid → program of the last exec seen, for parent→child pairs. */
  private readonly programs = new Map<number, string>();
  private readonly alertedScore = new Map<string, number>();
  private readonly state: Omit<SensorsStatus, 'processes' | 'audit'> = { enabled: false, source: null, reason: 'sensors.enabled is false', events: 0, unattributed: 0, alerts: 0 };

  constructor(
    private readonly host: SensorHost,
    private readonly extraWatch: () => string[] = () => [],
  ) {
    this.correlator = this.makeCorrelator();
    this.baseline = new Baseline(host.db, host.config.sensors.learn_hours * 3_600_000);
  }

  private makeCorrelator(): Correlator {
    const file = this.host.config.sensors.rules_file;
    const base = file ? parseSensorRules(readFileSync(file, 'utf8'), file) : DEFAULT_SENSOR_RULES;
    const packs = this.host.security?.sensorRulePacks() ?? [];
    const { rules, skipped } = mergeSensorRules(base, packs);
    for (const why of skipped) this.host.logger.warn({ component: 'sensors' }, why);
    if (packs.length) this.host.logger.info({ component: 'sensors', packs: packs.map((p) => p.pack), rules: rules.rules.length }, 'sensor rules from rule packs loaded');
    return new Correlator(rules, { agentProgram: (a) => this.agentPrograms.get(a) ?? null });
  }

  /** The rule packs changed (a reload): the correlator is rebuilt with them; partial sequences start over. */
  reloadRules(): void {
    this.correlator = this.makeCorrelator();
  }

  async start(): Promise<void> {
    const cfg = this.host.config.sensors;
    if (!cfg.enabled) return;
    this.state.enabled = true;
    this.refreshAgents();
    this.off = this.host.bus.subscribe((e) => {
      // A gone agent's processes that live on keep their agent: its partial sequences are kept to their window.
      if (e.type === 'agent.registered' || e.type === 'agent.gone') this.refreshAgents();
    });
    let source: 'audit' | 'proc' = cfg.source === 'proc' ? 'proc' : 'audit';
    if (source === 'proc') this.state.reason = 'sensors.source is proc';
    if (source === 'audit') {
      const st = await auditStatus(cfg.audit_log);
      if (!st.usable) {
        if (cfg.source === 'audit') this.host.raiseAlert({ severity: 'P2', source: 'sensors', check: 'audit_unavailable', message: `sensors: audit was asked for but cannot run (${st.reason}); using /proc polling` });
        this.state.reason = `audit not usable: ${st.reason}`;
        source = 'proc';
      }
    }
    this.state.source = source;
    if (source === 'audit') {
      this.state.reason = 'auditd runs and gatehouse is root';
      this.audit = new AuditSource({
        auditLog: cfg.audit_log,
        watchPaths: [...defaultWatchPaths(), ...cfg.watch_paths, ...this.extraWatch()],
        onEvent: (e) => this.onEvent(e),
        onError: (message) => this.host.logger.warn({ component: 'sensors' }, message),
        onRecovered: (why) => {
          this.host.logger.warn({ component: 'sensors' }, `audit source recovered: ${why}`);
          this.host.raiseAlert({ severity: 'P2', source: 'sensors', check: 'audit_recovered', message: `sensors: ${why}; records written while auditd was down may be missing` });
        },
      });
      await this.audit.start();
    }
    // With audit, the sweep only teaches the tree its parents (interesting is false for every pid).
    this.proc = new ProcSource({
      tree: this.tree,
      interesting: source === 'proc' ? (pid) => this.tree.agentOf(pid) !== null : () => false,
      onEvent: (e) => this.onEvent(e),
      intervalMs: source === 'proc' ? cfg.poll_interval_ms : Math.max(1000, cfg.poll_interval_ms),
    });
    this.proc.start();
    this.host.logger.info({ component: 'sensors', source, reason: this.state.reason }, 'sensors started');
  }

  async stop(): Promise<void> {
    this.off?.();
    this.proc?.stop();
    await this.audit?.stop();
    this.baseline.flush();
  }

  status(): SensorsStatus {
    const audit = this.audit ? { recoveries: this.audit.counts.recoveries, kernel_lost: this.audit.counts.kernel_lost, rules: this.audit.counts.rules } : undefined;
    return { ...this.state, ...(audit ? { audit } : {}), processes: this.tree.size };
  }

  /** Checks auditd and the rules now (tests; the source also does it every 2 s). */
  async checkAudit(): Promise<void> {
    await this.audit?.checkHealth();
  }

  anomalyScore(agent: string): number {
    return this.baseline.score(agent);
  }

  baselineOf(agent: string): { learning_since: string | null; learned: number } {
    return this.baseline.summary(agent);
  }

  recentAnomalies(agent: string): Anomaly[] {
    return this.baseline.recentAnomalies(agent);
  }

  resetBaseline(agent: string, by: string): void {
    this.baseline.reset(agent);
    this.alertedScore.delete(agent);
    this.host.ledger.append({ actor: by, surface: 'cli', action: 'sensors.baseline_reset', subject: agent });
  }

  activityOf(agent: string, now = Date.now()): AgentActivity {
    const a = this.activity.get(agent);
    if (!a) return { execs: 0, files: 0, connections: 0, history: new Array<number>(HISTORY_BUCKETS).fill(0) };
    this.roll(a, now);
    return { execs: a.execs, files: a.files, connections: a.connections, history: [...a.history] };
  }

  /** Moves an agent's history to the bucket of `now`, emptying the periods that passed. */
  private roll(a: { bucket: number; history: number[] }, now: number): void {
    const bucket = Math.floor(now / HISTORY_BUCKET_MS);
    const passed = Math.min(HISTORY_BUCKETS, bucket - a.bucket);
    if (passed <= 0) return;
    a.history.splice(0, passed);
    for (let i = 0; i < passed; i++) a.history.push(0);
    a.bucket = bucket;
  }

  private refreshAgents(): void {
    const roots = new Map<number, string>();
    for (const a of this.host.agents.list()) {
      if (a.state !== 'alive' || !a.pid) continue;
      roots.set(a.pid, a.name);
      if (!this.agentPrograms.has(a.name) || this.agentPrograms.get(a.name) === null) {
        const st = readProcStat(a.pid);
        this.agentPrograms.set(a.name, st ? programOf(readExe(a.pid), st.comm) : null);
      }
    }
    this.tree.setRoots(roots);
  }

  /** A P2 when an agent's score crosses the threshold (again only after it fell back below). */
  private scoreAlert(agent: string, fresh: Anomaly[], now: number): void {
    const score = this.baseline.score(agent, now);
    const threshold = this.host.config.sensors.anomaly_alert_score;
    const before = this.alertedScore.get(agent) ?? 0;
    this.alertedScore.set(agent, score);
    if (score < threshold || before >= threshold) return;
    const why = this.baseline.recentAnomalies(agent).filter((a) => now - a.at <= 3_600_000).map((a) => a.explanation);
    this.state.alerts++;
    this.host.raiseAlert({
      severity: 'P2',
      source: 'sensors',
      check: 'anomaly',
      message: `${agent} is doing new things (score ${score}): ${fresh.map((a) => a.explanation).join('; ')}`,
      evidence: { agent, score, explanations: why.slice(-10) },
    });
  }

  /** One event from a source: attributed, counted, correlated. */
  onEvent(e: SensorEvent): void {
    this.state.events++;
    if (e.kind === 'exec') this.tree.learn(e.pid, e.ppid);
    const agent = this.tree.agentOf(e.pid) ?? (e.kind === 'exec' ? null : this.tree.agentOf(e.ppid));
    if (!agent) {
      this.state.unattributed++;
      return;
    }
    let a = this.activity.get(agent);
    if (!a) this.activity.set(agent, (a = { execs: 0, files: 0, connections: 0, bucket: Math.floor(Date.now() / HISTORY_BUCKET_MS), history: new Array<number>(HISTORY_BUCKETS).fill(0) }));
    this.roll(a, Date.now());
    a.history[HISTORY_BUCKETS - 1]!++;
    if (e.kind === 'exec') a.execs++;
    else if (e.kind === 'open') a.files++;
    else a.connections++;
    const ae: AttributedEvent = { ...e, agent };
    const parent = this.programs.get(e.ppid) ?? null;
    if (e.kind === 'exec') {
      if (this.programs.size > 65_536) this.programs.clear();
      this.programs.set(e.pid, e.program);
    }
    const fresh = this.baseline.observe(ae, parent);
    if (fresh.length) this.scoreAlert(agent, fresh, e.at);
    for (const alert of this.correlator.observe(ae)) {
      this.state.alerts++;
      this.host.raiseAlert(alert);
    }
  }
}
