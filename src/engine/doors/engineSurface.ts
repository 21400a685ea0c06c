// What the doors (REST, the socket's JSON-RPC, the in-process console client) reach through: the
// engine's operations and the rooms behind them, declared here so that the doors depend on the rooms
// below them and never on the composition root. Engine implements it.
import type { AlertInput, Alert } from '../../shared/alert.js';
import type { EngineStatus } from '../../shared/status.js';
import type { Task, TaskStatus, TaskSubmit } from '../../shared/task.js';
import type { AlertCenter } from '../alerts/alerts.js';
import type { AssistantService } from '../assistant/assistantService.js';
import type { Config } from '../config/config.js';
import type { ContainService } from '../contain/containService.js';
import type { AgentRegistry } from '../firewall/agents.js';
import type { FirewallGate } from '../firewall/firewallGate.js';
import type { PolicyGuard } from '../firewall/policyGuard.js';
import type { PromptDesk } from '../firewall/prompts.js';
import type { SecurityMonitor } from '../monitor/securityMonitor.js';
import type { SensorService } from '../sensors/sensorService.js';
import type { EventBus } from '../platform/eventBus.js';
import type { Logger } from '../platform/logger.js';
import type { Ledger } from '../store/ledger.js';
import type { Actor, TaskQueue } from '../tasks/queue.js';

export interface ReloadResult {
  ok: true;
  file: string | null;
  /** Every key that differs from the running config, dotted. */
  changed: string[];
  /** Changed keys in force now. */
  applied: string[];
  /** Changed keys that keep their running value until the next start. */
  restart_required: string[];
  /** Live sections whose service refused the new settings (the section, then why). */
  failed: string[];
  /** One line per restart-required key, for people. */
  notes: string[];
}

export interface EngineSurface {
  readonly runId: string;
  readonly token: string;
  readonly opts: { readonly stateDir: string };
  readonly config: Config;
  readonly logger: Logger;
  readonly bus: EventBus;
  readonly ledger: Ledger;
  readonly queue: TaskQueue;
  readonly alerts: AlertCenter;
  readonly prompts: PromptDesk;
  readonly agents: AgentRegistry;
  readonly firewall: FirewallGate;
  readonly contain: ContainService;
  readonly guard: PolicyGuard;
  readonly assistant: AssistantService;
  readonly security: SecurityMonitor;
  readonly sensors: SensorService;
  apiAddress: { host: string; port: number } | null;
  readonly isStopping: boolean;
  status(): EngineStatus;
  reload(actor: Actor): Promise<ReloadResult>;
  stop(reason: string): Promise<void>;
  submitTaskGrouped(input: TaskSubmit, actor: Actor): Promise<Task>;
  approve(id: string, actor: Actor, reason?: string): Task;
  reject(id: string, actor: Actor, reason?: string): Task;
  abort(id: string, actor: Actor, reason?: string): Task;
  start(id: string, actor: Actor, logs?: string[]): Task;
  complete(id: string, actor: Actor, body: unknown): Task;
  fail(id: string, actor: Actor, body: unknown): Task;
  abortSignal(id: string): { should_abort: boolean; reason: string | null };
  waitForChange(id: string, seen: TaskStatus, ms: number): Promise<Task>;
  raiseAlert(input: AlertInput): Alert;
}

/** A way in: opened once the engine is ready, it returns its closer. */
export interface Door {
  open(engine: EngineSurface): Promise<() => Promise<void>>;
}
