// What the engine says about the approval assistant to its clients (REST detail, socket, console).
// The vocabulary both sides use (briefs, chat turns, errors, providers); the assistant's inner words
// stay in src/engine/assistant/types.ts.

export const PROVIDERS = ['anthropic', 'openai', 'openai-compatible'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

export const RISKS = ['low', 'medium', 'high', 'unknown'] as const;
export type Risk = (typeof RISKS)[number];

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

export interface StoredMessage extends ChatMessage {
  subject_id: string;
  seq: number;
  created_at: string;
  model: string | null;
  provider: ProviderName | null;
  tokens: number;
}


export type AssistantStatus = { enabled: true; provider: string; model: string; base_url: string } | { enabled: false; reason: string };

/** Where the brief of one task or prompt stands; carried under `assistant` in API details. */
export interface AssistantInfo {
  /** off: no provider (reason says why); none: not asked for; briefing: a call is under way. */
  state: 'off' | 'none' | 'briefing' | 'ready' | 'failed';
  brief: Brief | null;
  /** The last failure, when state is failed. */
  error: AssistantError | null;
  /** Why the assistant is off, when it is. */
  reason: string | null;
}

export interface AssistantHistory {
  info: AssistantInfo;
  messages: StoredMessage[];
}

/** A chat answer, or the failure as a value (the assistant is advisory: failures never throw). */
export type AssistantAnswer = { ok: true; turn: ChatTurn } | { ok: false; error: AssistantError };
