// One EngineClient built over any transport that can call a method and deliver events: the socket
// client and the in-process client differ only in their transport.
import type { Alert } from '../shared/alert.js';
import type { AssistantAnswer, AssistantHistory, AssistantInfo, AssistantStatus } from '../shared/assistant.js';
import type { Agent, AgentDetail } from '../shared/agent.js';
import type { EngineEvent, Topic } from '../shared/events.js';
import type { Decision, Prompt } from '../shared/firewall.js';
import type { LedgerRecord } from '../shared/ledger.js';
import type { EngineStatus } from '../shared/status.js';
import type { Task, TaskDetail, TaskPage } from '../shared/task.js';
import type { EngineClient, PolicyReview } from './engineClient.js';

export interface Transport {
  /**
   * timeoutMs 0 = wait as long as it takes (a firewall check waiting for the operator). An aborted
   * signal ends the wait and, on the socket, cancels that call alone in the engine.
   */
  call(method: string, params?: unknown, timeoutMs?: number, signal?: AbortSignal): Promise<unknown>;
  /** Starts delivering events of these topics; returns a stop function. */
  subscribe(topics: readonly Topic[], onEvent: (event: EngineEvent) => void): () => void;
  close(): Promise<void>;
}

export function clientOver(t: Transport): EngineClient {
  const call = <T>(method: string, params?: unknown, timeoutMs?: number) => t.call(method, params, timeoutMs) as Promise<T>;
  return {
    status: () => call<EngineStatus>('status'),
    tasks: {
      submit: (input) => call<Task>('tasks.submit', input),
      list: (query) => call<TaskPage>('tasks.list', query ?? {}),
      get: (id) => call<TaskDetail>('tasks.get', { id }),
      approve: (id, reason) => call<Task>('tasks.approve', { id, reason }),
      reject: (id, reason) => call<Task>('tasks.reject', { id, reason }),
      abort: (id, reason) => call<Task>('tasks.abort', { id, reason }),
    },
    prompts: {
      list: () => call<Prompt[]>('prompts.list'),
      resolve: (id, answer) => call<Prompt>('prompts.resolve', { id, ...answer }),
    },
    firewall: {
      check: (req) => call<Decision>('firewall.check', req, req.wait ? 0 : undefined),
      trust: (sha256) => call<{ policy_hash: string }>('policy.trust', { sha256 }),
      diff: () => call<PolicyReview>('policy.diff'),
    },
    alerts: {
      list: (query) => call<Alert[]>('alerts.list', query ?? {}),
      ack: (id, reason) => call<Alert>('alerts.ack', { id, reason }),
      raise: (alert) => call<Alert>('alerts.raise', alert),
    },
    agents: {
      list: () => call<Agent[]>('agents.list'),
      show: (name) => call<AgentDetail>('agents.show', { name }),
      resetBaseline: (name) => call<{ ok: true }>('agents.baseline_reset', { name }),
    },
    ledger: {
      recent: (limit, select) => call<LedgerRecord[]>('ledger.recent', { limit: limit ?? 100, ...select }),
    },
    // Model calls have their own deadline (assistant.timeout_ms, up to 10 min); the socket waits for it.
    assistant: {
      status: () => call<AssistantStatus>('assistant.status'),
      brief: (id, opts) => call<AssistantInfo>('assistant.brief', { id, ...opts }, opts?.wait ? 0 : undefined),
      history: (id) => call<AssistantHistory>('assistant.history', { id }),
      ask: (id, question, opts) => call<AssistantAnswer>('assistant.ask', { id, question, ...opts }, 0),
    },
    attachedConsoles: async () => (await call<{ count: number }>('consoles.attached')).count,
    subscribe: (topics, onEvent) => t.subscribe(topics, onEvent),
    close: () => t.close(),
  };
}
