// The approval assistant's public surface for the engine and the CLI (issue 8).
export { Assistant, type AssistantOptions, type AssistantStatus, type CallOptions, type ChatOptions } from './assistant.js';
export {
  AssistantConfigSchema,
  resolveAssistantConfig,
  defaultOpenClawPath,
  type AssistantConfig,
  type AssistantConfigInput,
  type AssistantOff,
  type ResolvedAssistant,
  type ResolveOptions,
} from './config.js';
export {
  MemoryConversationStore,
  SqliteConversationStore,
  type ConversationStore,
  type SqliteDatabase,
  type StoredMessage,
} from './conversations.js';
export { processPending, pollPending, type ProcessPendingOptions, type ProcessPendingResult } from './processPending.js';
export { priceFor, estimateCostUsd } from './prices.js';
export * from './types.js';
