// Vocabulary of the approval assistant (issue 8): briefs, chat turns and the error values that
// stand in for a failed model call. The assistant is advisory: callers get values, never throws.
import type { Alert } from '../../shared/alert.js';
import type { Decision, Prompt } from '../../shared/firewall.js';
import type { Task } from '../../shared/task.js';

export const PROVIDERS = ['anthropic', 'openai', 'openai-compatible'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

export const RISKS = ['low', 'medium', 'high', 'unknown'] as const;
export type Risk = (typeof RISKS)[number];

export type Subject = { kind: 'task'; task: Task } | { kind: 'prompt'; prompt: Prompt };

export function subjectId(subject: Subject): string {
  return subject.kind === 'task' ? subject.task.task_id : subject.prompt.id;
}

/** What the assistant is shown beside the subject: the agent's recent history and the host's open alerts. */
export interface BriefContext {
  recent_decisions?: Array<Decision | Record<string, unknown>>;
  open_alerts?: Alert[];
  /** Free-form extra notes from the engine (e.g. the rule that asked); treated as untrusted data. */
  notes?: string;
}

export interface Brief {
  subject_id: string;
  risk: Risk;
  summary: string;
  text: string;
  model: string;
  provider: ProviderName;
  created_at: string;
  tokens_in: number;
  tokens_out: number;
}

export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string;
}

export interface ChatTurn {
  subject_id: string;
  question: string;
  answer: string;
  model: string;
  provider: ProviderName;
  created_at: string;
  tokens_in: number;
  tokens_out: number;
}

export const ASSISTANT_ERROR_CODES = [
  'off', // not configured / no key
  'budget', // daily token or cost budget exhausted
  'timeout', // a deadline fired (connect, idle stream or whole call)
  'http', // the provider answered with a non-retryable status, or retries ran out
  'network', // could not reach the provider
  'protocol', // malformed JSON, truncated stream, unexpected shape
  'internal', // a bug on our side, caught so it never reaches a decision path
] as const;
export type AssistantErrorCode = (typeof ASSISTANT_ERROR_CODES)[number];

/** A failed assistant call, returned as a value. */
export interface AssistantError {
  error: AssistantErrorCode;
  message: string;
  request_id: string | null;
  /** HTTP status of the last attempt, when there was one. */
  status?: number;
  attempts?: number;
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
