// The engine: one per host and state dir. It owns the store and every decision, and lets the other
// programs in over REST and the Unix socket. Composition only: each part lives in its own module.
import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import type { AlertInput } from '../shared/alert.js';
import { EngineError } from '../shared/errors.js';
import type { EngineEvent } from '../shared/events.js';
import type { EngineStatus } from '../shared/status.js';
import {
  TERMINAL_STATUSES,
  type Constraint,
  type DecidedBy,
  type Task,
  type TaskStatus,
  type TaskSubmit,
} from '../shared/task.js';
import { TaskCompleteSchema, TaskFailSchema, TaskSubmitSchema } from '../shared/taskSchemas.js';
import { VERSION } from '../shared/version.js';
import { AgentRegistry } from './firewall/agents.js';
import { AlertCenter } from './alerts/alerts.js';
import { Approvals } from './approver/approvals.js';
import { AssistantService } from './assistant/assistantService.js';
import { startSyslogExport, type SyslogExporter } from './fleet/syslogExport.js';
import { policySignatureCheck } from './fleet/policySignature.js';
import { ContainService } from './contain/containService.js';
import { loadOrCreateToken } from './doors/apiToken.js';
import { decideByBudget, startOfDay } from './tasks/budgetRules.js';
import { applyPortOverride, loadConfig, type Config } from './config/config.js';
import { EventBus } from './platform/eventBus.js';
import { protectPlaces, defaultPolicyPath } from './firewall/index.js';
import { FirewallGate } from './firewall/firewallGate.js';
import { Ledger } from './store/ledger.js';
import { acquireLock } from './store/lock.js';
import { createLogger, silentLogger, type Logger } from './platform/logger.js';
import type { Door, EngineSurface, ReloadResult } from './doors/engineSurface.js';
import { planReload } from './config/reloadPlan.js';
import { Notifier } from './notify/notifier.js';
import { effectiveNotifyConfig } from './notify/notifyConfig.js';
import { HostBlocklist } from './firewall/hostBlocklist.js';
import { LedgerAnchor } from './store/ledgerAnchor.js';
import { maskSecrets } from './monitor/secrets.js';
import { PolicyGuard } from './firewall/policyGuard.js';
import { SecurityMonitor } from './monitor/securityMonitor.js';
import { SensorService } from './sensors/sensorService.js';
import { PromptDesk } from './firewall/prompts.js';
import { WalSync } from './store/walSync.js';
import { TaskQueue, type Actor } from './tasks/queue.js';
export { localActor } from './tasks/localActor.js';
import type { TaskDecider, TaskDecision } from './tasks/taskDecision.js';
import { DeciderChain } from './tasks/deciderChain.js';
import { clearSentinel, takeSentinel } from './store/sentinel.js';
import { configHome, ensurePrivateDir, statePath } from './store/stateDir.js';
import { installedRoot } from './firewall/ownPlaces.js';
import { ingestOfflineSpool } from './firewall/offlineSpool.js';
import { openStore, type Db } from './store/store.js';

export interface EngineOptions {
  stateDir: string;
  configFlag?: string;
  port?: number;
  demo?: boolean;
  /** Echo logs on stdout (headless), as readable lines or NDJSON. */
  logStdout?: 'pretty' | 'json' | null;
  env?: NodeJS.ProcessEnv;
  /** Quiet logger (tests, in-process console). */
  quiet?: boolean;
}

export type { TaskDecider, TaskDecision } from './tasks/taskDecision.js';

export type { Door } from './doors/engineSurface.js';

export class Engine implements EngineSurface {
  readonly runId = randomBytes(8).toString('hex');
  readonly startedAt = new Date();
  readonly bus: EventBus;
  readonly ledger: Ledger;
  private anchor: LedgerAnchor | null = null;
  readonly queue: TaskQueue;
  readonly alerts: AlertCenter;
  readonly token: string;
  readonly guard: PolicyGuard;
  readonly prompts: PromptDesk;
  readonly agents: AgentRegistry;
  readonly firewall: FirewallGate;
  readonly notifier: Notifier;
  /** Hosts verified rule packs block: the firewall denies them; the egress proxy can ask `blocks(host)`. */
  readonly hostBlocklist = new HostBlocklist();
  readonly contain: ContainService;
  approvals!: Approvals;
  security!: SecurityMonitor;
  sensors!: SensorService;
  assistant!: AssistantService;
  /** The syslog feed of the ledger (config export.syslog); null when not configured. */
  exporter: SyslogExporter | null = null;
  crashedLastRun = false;
  apiAddress: { host: string; port: number } | null = null;
  private readonly deciders: DeciderChain;
  private closers: Array<() => Promise<void>> = [];
  private inflight = new Set<Promise<unknown>>();
  private stopping: Promise<void> | null = null;
  private reloading: Promise<unknown> = Promise.resolve();
  private readonly stoppedResolvers: Array<() => void> = [];
  readonly stopped: Promise<void>;

  private constructor(
    readonly opts: EngineOptions,
    public config: Config,
    readonly configFile: string | null,
    readonly db: Db,
    public logger: Logger,
    private readonly releaseLock: () => void,
  ) {
    this.bus = new EventBus(undefined, (err) => this.logger.error({ err }, 'event listener failed'));
    this.ledger = new Ledger(db);
    this.ledger.redact = maskSecrets;
    this.queue = new TaskQueue(db, this.ledger, this.bus);
    this.alerts = new AlertCenter(db, this.ledger, this.bus, statePath(opts.stateDir, 'alerts'), maskSecrets);
    this.token = loadOrCreateToken(statePath(opts.stateDir, 'apiToken'), opts.env ?? process.env);
    this.deciders = new DeciderChain(
      this,
      (task) => this.budgetDecision(task, 'limits'),
      (task) => this.budgetDecision(task, 'approve'),
    );
    const env = opts.env ?? process.env;
    this.guard = new PolicyGuard(
      config.firewall.policy_file ?? defaultPolicyPath(env),
      statePath(opts.stateDir, 'policyTrusted'),
      {
        lockdown: (reason, { key, fresh }) => {
          this.logger.error({ reason }, 'firewall LOCKDOWN: every decision is deny until the operator trusts the policy');
          this.ledger.append({ actor: 'engine', surface: 'engine', action: 'firewall.lockdown', detail: { key, fresh }, reason });
          this.bus.emit({ type: 'firewall.lockdown', reason });
          // Law 8: lockdown covers what is already open; each distinct tampering is its own P0.
          this.prompts.cancelAll(`firewall in lockdown: ${reason}`);
          this.raiseAlert({ severity: 'P0', source: 'firewall', check: 'policy_tampered', message: `firewall lockdown: ${reason}`, path: this.guard.policyPath, evidence: { distinct: key } });
        },
        trusted: (hash, by, how) => {
          if (how === 'restored') this.ledger.append({ actor: 'engine', surface: 'engine', action: 'firewall.trusted', detail: { by: 'restored', path: this.guard.policyPath }, reason: 'the policy file is the trusted text again', policy_hash: hash });
          else if (how === 'signed') this.ledger.append({ actor: 'engine', surface: 'engine', action: 'policy.trusted_by_key', detail: { key_id: by.slice('key:'.length), path: this.guard.policyPath }, reason: 'signed by a key in policy.trusted_keys', policy_hash: hash });
          else this.ledger.append({ actor: by, surface: how === 'operator' ? 'cli' : 'engine', action: `policy.trust.${how}`, detail: { path: this.guard.policyPath }, policy_hash: hash });
          this.bus.emit(how === 'gatehouse_edit' ? { type: 'policy.changed', policy_hash: hash, by } : { type: 'firewall.trusted', policy_hash: hash, by });
        },
        trustRefused: (by, reason, detail) => {
          this.ledger.append({ actor: by, surface: 'cli', action: 'policy.trust_refused', detail, reason, policy_hash: this.guard.trustedPolicy?.sha256 ?? null });
        },
        warn: (message) => this.raiseAlert({ severity: 'P1', source: 'firewall', check: 'policy_tests_failed', message, path: this.guard.policyPath }),
      },
      statePath(opts.stateDir, 'lockdown'),
      policySignatureCheck(config.policy),
    );
    this.prompts = new PromptDesk(db, this.ledger, this.bus, this.runId, () => this.guard.trustedPolicy?.sha256 ?? null);
    this.agents = new AgentRegistry(db, this.ledger, this.bus);
    // Law 10: the engine's own places are out of every agent's reach, by command, MCP argument or path (one list).
    const places = { stateDir: opts.stateDir, configDir: configHome(env), configFile, policyPath: this.guard.policyPath, installDir: installedRoot(), enginePid: process.pid };
    protectPlaces(places);
    this.firewall = new FirewallGate(db, this.ledger, this.guard, this.prompts, this.agents, logger, places, this.hostBlocklist);
    this.notifier = new Notifier(effectiveNotifyConfig(config.notify, config.approval.slack_webhook_url, env), {
      logger,
      redact: (t) => this.redact(t),
      onDropped: (count, events) =>
        this.raiseAlert({ severity: 'P2', source: 'engine', check: 'notifications_dropped', message: `${count} notification(s) dropped: the queue (notify.queue_size ${this.config.notify.queue_size}) is full; dropped: ${events.join(', ')}`, evidence: { count, events } }),
    });
    this.bus.subscribe((e) => this.notifier.handleEvent(e));
    this.contain = new ContainService(this, logger);
    this.firewall.answerKind('network', (id, answer, actor) => this.contain.gate.answer(id, answer, actor));
    this.stopped = new Promise((r) => this.stoppedResolvers.push(r));
  }

  static async start(opts: EngineOptions, doors: Door[] = []): Promise<Engine> {
    const env = opts.env ?? process.env;
    const { config: loaded, file } = loadConfig(opts.configFlag, env);
    const config = applyPortOverride(loaded, opts.port);
    process.umask(0o077);
    ensurePrivateDir(opts.stateDir);
    const release = await acquireLock(statePath(opts.stateDir, 'lock'));
    let db: Db | null = null;
    let engine: Engine | null = null;
    let servicesStarted = false;
    try {
      const logger = opts.quiet
        ? silentLogger()
        : await createLogger({
            stateDir: opts.stateDir,
            level: config.logging.level,
            redact: config.logging.redact,
            maxFileMb: config.logging.max_file_mb,
            maxFiles: config.logging.max_files,
            stdout: opts.logStdout ?? null,
          });
      db = openStore(opts.stateDir, { synchronous: config.store.synchronous });
      engine = new Engine(opts, config, file, db, logger, release);
      engine.anchorLedger();
      engine.recoverFromCrash();
      ingestOfflineSpool(engine, statePath(opts.stateDir, 'offlineSpool'));
      engine.prompts.cancelStale();
      try {
        engine.guard.start();
      } catch (err) {
        // An invalid policy at first start leaves the firewall in lockdown; the engine still serves.
        engine.logger.error({ err: (err as Error).message }, 'policy could not be trusted');
      }
      engine.agents.start();
      engine.contain.start();
      engine.approvals = new Approvals(engine, logger);
      engine.approvals.start();
      engine.security = new SecurityMonitor(engine, logger);
      await engine.security.start();
      const started = engine;
      engine.sensors = new SensorService(engine, () => [started.guard.policyPath, ...(started.configFile ? [started.configFile] : [])]);
      await engine.sensors.start();
      engine.assistant = new AssistantService(engine, logger);
      engine.assistant.start();
      engine.exporter = startSyslogExport(config.export.syslog, engine.db, opts.stateDir, logger, (t) => started.redact(t), (a) => started.raiseAlert(a));
      servicesStarted = true;
      for (const door of doors) engine.closers.push(await door.open(engine));
      engine.bus.emit({ type: 'engine.started', pid: process.pid });
      engine.logger.info({ run_id: engine.runId, state_dir: opts.stateDir, config: file ?? '(defaults)', version: VERSION }, 'engine started');
      for (const id of engine.queue.idsWithStatus('pending_approval')) engine.scheduleDecision(id);
      return engine;
    } catch (err) {
      // A failed start leaves nothing behind: no sentinel (the next start would report a crash that did
      // not happen), no socket, no lock.
      if (engine && servicesStarted) {
        await engine.stop(`start failed: ${(err as Error).message}`).catch(() => {});
      } else {
        engine?.contain.warm.stop(); // its warm network holders
        db?.close();
        if (engine) clearSentinel(statePath(opts.stateDir, 'sentinel'));
        release();
      }
      throw err;
    }
  }

  private recoverFromCrash(): void {
    const sentinel = statePath(this.opts.stateDir, 'sentinel');
    const { crashed } = takeSentinel(sentinel, { pid: process.pid, run_id: this.runId, started_at: this.startedAt.toISOString() });
    if (!crashed) return;
    this.crashedLastRun = true;
    const actor: Actor = { by: 'engine', surface: 'engine' };
    const ids = this.queue.runningIds();
    for (const id of ids) this.queue.transition(id, 'task.fail', actor, { reason: 'engine crashed', error_message: 'engine crashed while the task was running' });
    this.raiseAlert({
      severity: 'P1',
      source: 'engine',
      check: 'crash_recovered',
      message: `the last engine run (pid ${crashed.pid}, started ${crashed.started_at}) ended without shutting down; ${ids.length} running task(s) marked failed`,
      evidence: { previous_run: crashed.run_id, reconciled: ids },
    });
    this.bus.emit({ type: 'engine.crash_recovered', reconciled: ids.length });
    this.logger.warn({ previous: crashed, reconciled: ids.length }, 'recovered from a crash');
  }

  /** The one redactor for what leaves the host (notifications, syslog, assistant prompts) and ledger reasons. */
  redact(text: string): string {
    return maskSecrets(text);
  }

  /** Anchors the ledger's head outside the DB (docs/security.md, the ledger anchor); a problem found with the old anchors is an alert. */
  private anchorLedger(): void {
    const { anchor, problem, created } = LedgerAnchor.open(this.db, this.opts.stateDir);
    this.anchor = anchor;
    this.ledger.onAppend = () => anchor.touch();
    if (problem) {
      this.ledger.append({ actor: 'engine', surface: 'engine', action: 'ledger.anchor_problem', reason: problem });
      this.raiseAlert({ severity: created ? 'P1' : 'P0', source: 'engine', check: 'ledger_tampered', message: `ledger: ${problem}`, path: statePath(this.opts.stateDir, 'ledgerHead') });
    }
  }

  /** Adds a decider after the budget limits and before budget auto-approval (the approver link uses this). */
  addDecider(decider: TaskDecider): void {
    this.deciders.add(decider);
  }

  /** 'limits': only the rejections (per-type ceiling, daily budget); 'approve': only auto-approval. */
  private budgetDecision(task: Task, part: 'limits' | 'approve'): TaskDecision | null {
    // The spend is only read by the daily budget rule; without one, skip the two sums.
    const spend = this.config.budget.daily_usd === null ? { spent: 0, reserved: 0 } : this.queue.committedCostSince(startOfDay(new Date(), this.config.budget.time_zone));
    const verdict = decideByBudget(task, this.config.budget, spend);
    if (!verdict || verdict.approved !== (part === 'approve')) return null;
    return { ...verdict, constraints: [], decided_by: 'budget' };
  }

  /** Runs the deciders for a task in pending_approval; applies the first decision, if any. */
  scheduleDecision(taskId: string, fresh?: Task): void {
    this.deciders.schedule(taskId, fresh);
  }

  /** No decider answered: the operator decides, and is told. */
  leftToOperator(task: Task): void {
    this.notifier.taskNeedsApproval(task);
  }

  /** Keeps a promise in the set the shutdown drains. */
  track<T>(p: Promise<T>): Promise<T> {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p)).catch(() => {});
    return p;
  }

  // ---- operations shared by every door -------------------------------------------------------

  submitTask(input: TaskSubmit, actor: Actor): Task {
    this.assertRunning();
    const parsed = TaskSubmitSchema.safeParse(input);
    if (!parsed.success) throw new EngineError('invalid task', 'bad_request', parsed.error.issues);
    const task = this.queue.submit(parsed.data, actor);
    this.scheduleDecision(task.task_id, task);
    return task;
  }

  /**
   * submitTask for the doors that answer asynchronously (REST, IPC): submissions that arrive together
   * (in one turn of the event loop, or while the previous commit syncs) share one commit and one fsync.
   * Each is answered once that commit is on disk.
   */
  async submitTaskGrouped(input: TaskSubmit, actor: Actor): Promise<Task> {
    this.assertRunning();
    const parsed = TaskSubmitSchema.safeParse(input);
    if (!parsed.success) throw new EngineError('invalid task', 'bad_request', parsed.error.issues);
    const task = await this.track(this.queue.submitGrouped(parsed.data, actor));
    this.scheduleDecision(task.task_id, task);
    return task;
  }

  approve(id: string, actor: Actor, reason?: string): Task {
    this.assertRunning();
    return this.queue.transition(id, 'task.approve', actor, { reason: reason ?? 'approved by operator', decided_by: 'operator' });
  }

  reject(id: string, actor: Actor, reason?: string): Task {
    this.assertRunning();
    return this.queue.transition(id, 'task.reject', actor, { reason: reason ?? 'rejected by operator', decided_by: 'operator' });
  }

  abort(id: string, actor: Actor, reason?: string): Task {
    this.assertRunning();
    return this.queue.transition(id, 'task.abort', actor, { reason: reason ?? `aborted by ${actor.by}` });
  }

  start(id: string, actor: Actor, logs?: string[]): Task {
    this.assertRunning();
    return this.queue.transition(id, 'task.start', actor, { reason: 'started by the gateway', ...(logs ? { logs } : {}) });
  }

  complete(id: string, actor: Actor, body: unknown): Task {
    this.assertRunning();
    const b = TaskCompleteSchema.safeParse(body ?? {});
    if (!b.success) throw new EngineError('invalid completion report', 'bad_request', b.error.issues);
    return this.queue.transition(id, 'task.complete', actor, {
      reason: 'completed',
      ...(b.data.result !== undefined ? { result: b.data.result } : {}),
      ...(b.data.actual_cost !== undefined ? { actual_cost: b.data.actual_cost } : {}),
      ...(b.data.logs ? { logs: b.data.logs } : {}),
    });
  }

  fail(id: string, actor: Actor, body: unknown): Task {
    this.assertRunning();
    const b = TaskFailSchema.safeParse(body ?? {});
    if (!b.success) throw new EngineError('invalid failure report', 'bad_request', b.error.issues);
    const message = b.data.error_message ?? b.data.error ?? 'failed';
    return this.queue.transition(id, 'task.fail', actor, {
      reason: message,
      error_message: message,
      ...(b.data.actual_cost !== undefined ? { actual_cost: b.data.actual_cost } : {}),
      ...(b.data.logs ? { logs: b.data.logs } : {}),
    });
  }

  abortSignal(id: string): { should_abort: boolean; reason: string | null } {
    const t = this.queue.require(id);
    if (t.status === 'aborted') return { should_abort: true, reason: this.lastReason(id) };
    if (t.status === 'rejected') return { should_abort: true, reason: t.decision_reason ?? 'rejected' };
    return { should_abort: false, reason: null };
  }

  private lastReason(id: string): string | null {
    const d = this.queue.detail(id);
    return d.transitions.at(-1)?.reason ?? null;
  }

  /** Resolves when the task's status differs from `seen` or the wait ends; returns the task. */
  waitForChange(id: string, seen: TaskStatus, ms: number): Promise<Task> {
    const now = this.queue.require(id);
    if (now.status !== seen || ms <= 0 || TERMINAL_STATUSES.includes(now.status)) return Promise.resolve(now);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        off();
        resolve(this.queue.get(id) ?? now);
      };
      const timer = setTimeout(done, ms);
      const off = this.bus.subscribe((e: EngineEvent) => {
        if ((e.type === 'task.transitioned' && e.task.task_id === id) || e.type === 'engine.stopping') done();
      });
    });
  }

  raiseAlert(input: AlertInput) {
    const alert = this.alerts.raise(input);
    this.logger.warn({ alert_id: alert.id, severity: alert.severity, source: alert.source, check: alert.check }, alert.message);
    return alert;
  }

  status(): EngineStatus {
    const counts = this.alerts.openCounts();
    const latest = this.alerts.latest();
    const since = startOfDay(new Date(), this.config.budget.time_zone);
    const today = this.queue.committedCostSince(since);
    const cents = (n: number) => Math.round(n * 100) / 100;
    return {
      version: VERSION,
      pid: process.pid,
      started_at: this.startedAt.toISOString(),
      uptime_ms: Date.now() - this.startedAt.getTime(),
      state_dir: this.opts.stateDir,
      demo: this.opts.demo ?? false,
      api: this.apiAddress,
      approver: this.approvals.status(),
      firewall: {
        mode: this.guard.trustedPolicy?.policy.file.policy ?? 'deny',
        trusted: this.guard.policy !== null,
        lockdown: this.guard.lockdown !== null,
        policy_hash: this.guard.trustedPolicy?.sha256 ?? null,
        lockdown_reason: this.guard.lockdown,
      },
      alerts: counts,
      latest_alert: latest ? { severity: latest.severity, ts: latest.ts, message: latest.message } : null,
      queue: this.queue.status(),
      cost_today_usd: cents(today.spent),
      cost_by_hour: this.queue.costByHour(24),
      prompts_pending: this.prompts.pendingCount,
      agents_alive: this.agents.aliveCount(),
      crashed_last_run: this.crashedLastRun,
      budget: { daily_usd: this.config.budget.daily_usd, committed_today_usd: cents(today.spent + today.reserved), spent_today_usd: cents(today.spent), time_zone: this.config.budget.time_zone },
      notify: this.notifier.stats,
      ...(this.sensors ? { sensors: this.sensors.status() } : {}),
      contain: this.contain.status(),
    };
  }

  /**
   * Re-reads the config file (SIGHUP, `gatehouse reload`): changed live sections are handed to their
   * services, the rest are named under restart_required. An invalid file is refused with its message
   * and the running config stays. Reloads run one at a time.
   */
  reload(actor: Actor): Promise<ReloadResult> {
    const run = this.reloading.then(() => this.reloadNow(actor));
    this.reloading = run.catch(() => {});
    return run;
  }

  private async reloadNow(actor: Actor): Promise<ReloadResult> {
    this.assertRunning();
    const env = this.opts.env ?? process.env;
    let next: Config;
    let file: string | null;
    try {
      const loaded = loadConfig(this.opts.configFlag, env);
      next = applyPortOverride(loaded.config, this.opts.port);
      file = loaded.file;
      effectiveNotifyConfig(next.notify, next.approval.slack_webhook_url, env);
    } catch (err) {
      this.logger.error({ err: (err as Error).message }, 'reload refused; keeping the running config');
      // A refusal (exit 1), not bad input (exit 2): the request was well formed, the file on disk is not.
      throw new EngineError(`reload refused; the running config stays: ${(err as Error).message}`, 'conflict');
    }
    const previous = this.config;
    const plan = planReload(previous, next);
    this.config = { ...next, api: previous.api, store: previous.store, logging: { ...previous.logging, level: next.logging.level } };
    const failed: string[] = [];
    const apply = async (section: string, fn: () => unknown) => {
      if (!plan.sections.has(section)) return;
      try {
        await fn();
      } catch (err) {
        // The section keeps running as it was, and the config says so.
        if (section in previous) this.config = { ...this.config, [section]: previous[section as keyof Config] };
        failed.push(`${section}: ${(err as Error).message}`);
        this.logger.error({ err: (err as Error).message, section }, 'a reloaded section could not be applied');
      }
    };
    await apply('logging', () => (this.logger.level = next.logging.level));
    await apply('notify', () => this.notifier.reconfigure(effectiveNotifyConfig(next.notify, next.approval.slack_webhook_url, env)));
    await apply('approval', async () => {
      this.notifier.reconfigure(effectiveNotifyConfig(next.notify, next.approval.slack_webhook_url, env));
      await this.approvals.reconfigure(next.approval);
    });
    await apply('firewall', () => this.guard.retarget(next.firewall.policy_file ?? defaultPolicyPath(env)));
    await apply('assistant', () => this.assistant.reconfigure());
    await apply('monitor', () => this.security.reconfigure(previous.monitor));
    // `gatehouse packs add|remove` change no key: the packs are looked at on every reload.
    if (!plan.sections.has('monitor')) plan.sections.add('packs');
    await apply('packs', async () => {
      await this.security.refreshPacks();
      this.sensors?.reloadRules();
    });
    const result: ReloadResult = { ok: true, file, changed: plan.changed, applied: plan.applied, restart_required: plan.restart_required, failed, notes: plan.restart_required.map((k) => `${k} takes effect at the next start`) };
    const detail = { file, changed: plan.changed, applied: plan.applied, restart_required: plan.restart_required, failed };
    this.ledger.append({ actor: actor.by, surface: actor.surface, action: 'config.reload', detail });
    this.logger.info(detail, 'config reloaded');
    return result;
  }

  private assertRunning(): void {
    if (this.stopping) throw new EngineError('the engine is shutting down', 'unavailable');
  }

  get isStopping(): boolean {
    return this.stopping !== null;
  }

  /** Stops accepting, finishes writes, then removes the sentinel, socket and lock. Idempotent. */
  stop(reason: string): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopping = (async () => {
      this.logger.info({ reason }, 'engine stopping');
      this.bus.emit({ type: 'engine.stopping', reason });
      this.prompts.cancelAll('the engine is stopping');
      this.agents.stop();
      await this.guard.stop();
      await this.approvals.stop();
      await this.security.stop();
      await this.sensors?.stop();
      this.assistant.stop();
      await this.contain.stop();
      this.notifier.stop();
      this.exporter?.stop();
      for (const close of [...this.closers].reverse()) {
        try {
          await close();
        } catch (err) {
          this.logger.error({ err }, 'closing a door failed');
        }
      }
      await Promise.race([Promise.allSettled([...this.inflight]), new Promise((r) => setTimeout(r, 5_000))]);
      this.firewall.flush();
      await WalSync.of(this.db)?.close();
      await this.anchor?.settled();
      this.anchor?.write();
      this.db.close();
      clearSentinel(statePath(this.opts.stateDir, 'sentinel'));
      try {
        unlinkSync(statePath(this.opts.stateDir, 'socket'));
      } catch {
        /* not there */
      }
      this.releaseLock();
      await new Promise<void>((r) => this.logger.flush(() => r()));
      for (const r of this.stoppedResolvers) r();
    })();
    return this.stopping;
  }
}
