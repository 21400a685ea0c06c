// What the engine says about the approval assistant to its clients (REST detail, socket, console).
// Type-only re-exports: the assistant's own vocabulary stays in src/engine/assistant/types.ts.
import type { AssistantError, Brief, ChatTurn } from '../engine/assistant/types.js';
import type { StoredMessage } from '../engine/assistant/conversations.js';
import type { AssistantStatus } from '../engine/assistant/assistant.js';

export type { AssistantError, AssistantStatus, Brief, ChatTurn, StoredMessage };

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
