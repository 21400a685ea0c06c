// The seam between the MCP proxy and whoever runs it (the CLI, tests, the engine): every outside
// service is an injected function, so the relay itself has no idea how decisions are made.
import type { Readable, Writable } from 'node:stream';
import type { AlertInput } from '../../shared/alert.js';
import type { Decision, ToolCall } from '../../shared/firewall.js';
import type { JsonRpcId } from './jsonRpc.js';
import type { PinStore } from './pinStore.js';
import type { SecretScanner } from './responseScanner.js';
import type { Escalation } from './sequenceRules.js';

export interface ProxyLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const silentLogger: ProxyLogger = { debug() {}, info() {}, warn() {}, error() {} };

export interface DecideContext {
  /** The host's JSON-RPC id of the tools/call. */
  requestId: JsonRpcId;
  /** Aborted when the host cancels the call, the host goes away or the server dies: stop waiting. */
  signal: AbortSignal;
  /** Call when the decision is waiting on a person (an ask): the proxy starts keeping the host informed. */
  onWaiting?: () => void;
  /**
   * Set when the proxy itself wants this call asked even if the policy allows it (sequence rules, a
   * changed tool). The decider must turn it into a prompt; an allow that did not come from the
   * operator is refused by the proxy anyway (fail closed).
   */
  escalation?: Escalation;
}

export type DecideFn = (call: ToolCall, ctx: DecideContext) => Promise<Decision>;

export interface ProxyOptions {
  command: string;
  args: string[];
  /** The child's environment; default the whole of process.env (servers need their keys). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Host side: the MCP host writes here (our stdin) and reads `output` (our stdout). */
  input: Readable;
  output: Writable;
  serverName: string;
  agent: string;
  decide: DecideFn;
  onAlert: (alert: AlertInput) => void;
  /** Secret finder for tool results (the monitor's findSecrets). */
  scanText?: SecretScanner;
  /** Secret masker (the monitor's maskSecrets), used when redactSecrets is on. */
  redact?: (text: string) => string;
  redactSecrets?: boolean;
  redactInjection?: boolean;
  pins?: PinStore;
  /** Tools to leave out of tools/list (e.g. those the policy denies outright). Calls to them are still decided. */
  hideTool?: (name: string, annotations?: ToolCall['annotations']) => boolean;
  logger?: ProxyLogger;
  maxLineBytes?: number;
  /** How often to send progress to the host while a decision waits (when it gave a progressToken). */
  progressIntervalMs?: number;
  /** After host EOF: how long the server gets to exit on its own before SIGTERM (and again before SIGKILL). */
  shutdownGraceMs?: number;
  /** Forward SIGINT/SIGTERM/SIGHUP received by this process to the server (the CLI sets this). */
  forwardSignals?: boolean;
  onSpawn?: (pid: number) => void;
}

export interface ProxyResult {
  exitCode: number;
}
