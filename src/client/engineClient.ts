// The one typed door into the engine. The console, the CLI, the MCP proxy and the exec wrapper use it,
// in-process (engine in the same process) or over the socket: the same calls either way.
import type { Agent, AgentDetail } from '../shared/agent.js';
import type { Alert, AlertInput, AlertQuery } from '../shared/alert.js';
import type { AssistantAnswer, AssistantHistory, AssistantInfo, AssistantStatus } from '../shared/assistant.js';
import type { EngineEvent, Topic } from '../shared/events.js';
import type { Decision, FirewallCheck, Prompt, PromptResolve } from '../shared/firewall.js';
import type { LedgerRecord, LedgerSelect } from '../shared/ledger.js';
import type { HostState } from '../shared/fleet.js';
import type { EngineStatus } from '../shared/status.js';
import type { TaskDetail, Task, TaskListQuery, TaskPage, TaskSubmit } from '../shared/task.js';

/** Whether a long-running client is connected; `attempt` counts failed reconnects since the drop. */
export interface ConnectionState {
  state: 'connected' | 'reconnecting';
  attempt: number;
  /** When this state began (ms since the epoch). */
  since: number;
  /** While reconnecting: why the last try failed (or that the connection dropped). */
  error?: string;
}
export type ConnectionListener = (state: ConnectionState) => void;

/** Who is acting, recorded in transitions and the ledger. */
/** The policy file against the trusted copy; `sha256` names exactly the text `diff` shows (null when the file cannot be trusted). */
export interface PolicyReview {
  diff: string;
  trusted_hash: string | null;
  current_hash: string | null;
  sha256?: string | null;
  refused?: string | null;
}

export interface Actor {
  by: string;
  surface: 'tui' | 'cli' | 'rest' | 'ipc';
}

export interface EngineClient {
  status(): Promise<EngineStatus>;
  tasks: {
    submit(input: TaskSubmit): Promise<Task>;
    list(query?: TaskListQuery): Promise<TaskPage>;
    get(id: string): Promise<TaskDetail>;
    approve(id: string, reason?: string): Promise<Task>;
    reject(id: string, reason?: string): Promise<Task>;
    abort(id: string, reason?: string): Promise<Task>;
  };
  prompts: {
    list(): Promise<Prompt[]>;
    resolve(id: string, answer: PromptResolve): Promise<Prompt>;
  };
  firewall: {
    check(req: FirewallCheck): Promise<Decision>;
    /** Trusts the policy text the operator reviewed, named by its sha256 (refused when the file changed since). */
    trust(sha256: string): Promise<{ policy_hash: string }>;
    diff(): Promise<PolicyReview>;
  };
  alerts: {
    list(query?: AlertQuery): Promise<Alert[]>;
    ack(id: string, reason?: string): Promise<Alert>;
    raise(alert: AlertInput): Promise<Alert>;
  };
  agents: {
    list(): Promise<Agent[]>;
    /** One agent, its baseline and its recent anomalies. */
    show(name: string): Promise<AgentDetail>;
    /** Forgets what the agent's baseline learned and starts learning again (audited). */
    resetBaseline(name: string): Promise<{ ok: true }>;
  };
  ledger: {
    /** The newest records that match (all of them without `select`), newest first. */
    recent(limit?: number, select?: LedgerSelect): Promise<LedgerRecord[]>;
  };
  /** The approval assistant: advisory briefs and chat about a task or prompt (by id). */
  assistant: {
    /** On (provider, model) or off (and why). */
    status(): Promise<AssistantStatus>;
    /** Where the brief stands; with wait, makes one when there is none and waits for it. */
    brief(id: string, opts?: { wait?: boolean; refresh?: boolean; model?: string }): Promise<AssistantInfo>;
    history(id: string): Promise<AssistantHistory>;
    /** A whole answer (not streamed over the socket); a failure comes back as a value. */
    ask(id: string, question: string, opts?: { model?: string }): Promise<AssistantAnswer>;
  };
  /** Live events for the topics; returns the unsubscribe function. */
  subscribe(topics: readonly Topic[], onEvent: (event: EngineEvent) => void): () => void;
  close(): Promise<void>;
  /** Only a reconnecting client has these: its connection now, and a listener for changes. */
  connection?(): ConnectionState;
  onConnection?(listener: ConnectionListener): () => void;
  /** Only a client over several engines (fleetClient.ts) has these: each host, up or down, and its counts. */
  hosts?(): HostState[];
  onHosts?(listener: (hosts: HostState[]) => void): () => void;
  /** Consoles attached to this engine over the socket, other than the caller (a hosting console asks
   * before it stops the engine under them). */
  attachedConsoles?(): Promise<number>;
}

export { EngineError, type EngineErrorCode } from '../shared/errors.js';
