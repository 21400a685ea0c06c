// Vocabulary of the approval assistant (issue 8): briefs, chat turns and the error values that
// stand in for a failed model call. The assistant is advisory: callers get values, never throws.
import type { Alert } from '../../shared/alert.js';
import type { Decision, Prompt } from '../../shared/firewall.js';
import type { Task } from '../../shared/task.js';
import type { AssistantError, ProviderName } from '../../shared/assistant.js';

// The words the clients see too (briefs, turns, errors, providers) live in src/shared/assistant.ts.
export {
  ASSISTANT_ERROR_CODES,
  PROVIDERS,
  RISKS,
  type AssistantError,
  type AssistantErrorCode,
  type Brief,
  type ChatMessage,
  type ChatTurn,
  type ProviderName,
  type Risk,
} from '../../shared/assistant.js';

/** What a brief is about: a task or an ask awaiting the operator, or a P0/P1 host sensor alert. */
export type Subject = { kind: 'task'; task: Task } | { kind: 'prompt'; prompt: Prompt } | { kind: 'alert'; alert: Alert };

export function subjectId(subject: Subject): string {
  return subject.kind === 'task' ? subject.task.task_id : subject.kind === 'prompt' ? subject.prompt.id : subject.alert.id;
}

/** What the assistant is shown beside the subject: the agent's recent history and the host's open alerts. */
export interface BriefContext {
  recent_decisions?: Array<Decision | Record<string, unknown>>;
  open_alerts?: Alert[];
  /** Free-form extra notes from the engine (e.g. the rule that asked); treated as untrusted data. */
  notes?: string;
}

export type AssistantResult<T> = ({ ok: true } & T) | ({ ok: false } & AssistantError);

export function isAssistantError(v: unknown): v is AssistantError {
  return typeof v === 'object' && v !== null && typeof (v as AssistantError).error === 'string' && 'message' in v;
}

/** Minimal pino-compatible logger: the engine passes its pino child. */
export interface AssistantLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: AssistantLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** What left the host, for the ledger: never the body itself. */
export interface SentRecord {
  request_id: string;
  provider: ProviderName;
  model: string;
  url: string;
  sha256: string;
  bytes: number;
  purpose: 'brief' | 'chat';
  subject_id: string;
  attempt: number;
}
