// One vocabulary of engine events for the console, the socket, the ledger and the logs (docs/ipc.md, Events).
import type { Agent } from './agent.js';
import type { Alert } from './alert.js';
import type { AnswerScope, Prompt } from './firewall.js';
import type { Task, TaskStatus } from './task.js';

export type ApproverLinkState = 'off' | 'online' | 'degraded' | 'fallback';

export type EngineEventBody =
  | { type: 'task.submitted'; task: Task }
  | { type: 'task.transitioned'; task: Task; from: TaskStatus | null; to: TaskStatus; by: string; reason: string | null }
  | { type: 'prompt.opened'; prompt: Prompt }
  | { type: 'prompt.resolved'; prompt: Prompt; decision: 'allow' | 'deny'; scope: AnswerScope; by: string }
  | { type: 'prompt.expired'; prompt: Prompt }
  | { type: 'prompt.cancelled'; prompt: Prompt; reason: string }
  | { type: 'alert.raised'; alert: Alert }
  | { type: 'alert.acked'; alert: Alert }
  | { type: 'approver.link'; state: ApproverLinkState; reason: string | null }
  | { type: 'firewall.lockdown'; reason: string }
  | { type: 'firewall.trusted'; policy_hash: string; by: string }
  | { type: 'policy.changed'; policy_hash: string; by: string }
  | { type: 'agent.registered'; agent: Agent }
  | { type: 'agent.gone'; agent: Agent }
  | { type: 'engine.started'; pid: number }
  | { type: 'engine.crash_recovered'; reconciled: number }
  | { type: 'engine.stopping'; reason: string }
  /** Sent to a subscriber that fell behind: events were dropped, re-read state. */
  | { type: 'gap'; dropped: number };

export type EngineEventType = EngineEventBody['type'];
export type EngineEvent = EngineEventBody & { seq: number; ts: string };

export const TOPICS = ['tasks', 'prompts', 'alerts', 'engine', 'agents'] as const;
export type Topic = (typeof TOPICS)[number];

export function topicOf(type: EngineEventType): Topic {
  if (type.startsWith('task.')) return 'tasks';
  if (type.startsWith('prompt.')) return 'prompts';
  if (type.startsWith('alert.')) return 'alerts';
  if (type.startsWith('agent.')) return 'agents';
  return 'engine';
}
