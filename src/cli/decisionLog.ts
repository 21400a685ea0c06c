// Decisions at info level in the engine's log (stdout when headless, logs/ always): each task transition
// with who decided and why, and each answer to (or expiry of) a firewall prompt. Firewall verdicts are
// logged where they are made (firewallGate). One line per event, fields a log search can filter on.
import type { EngineEvent } from '../shared/events.js';

interface InfoLogger {
  info(fields: Record<string, unknown>, msg: string): void;
}

export function logDecision(logger: InfoLogger, e: EngineEvent): void {
  switch (e.type) {
    case 'task.submitted':
      return logger.info({ task_id: e.task.task_id, task_type: e.task.task_type, estimated_cost: e.task.estimated_cost }, 'task submitted');
    case 'task.transitioned':
      return logger.info({ task_id: e.task.task_id, from: e.from, to: e.to, by: e.by, decided_by: e.task.decided_by, reason: e.reason }, `task ${e.to}`);
    case 'prompt.opened':
      return logger.info({ prompt_id: e.prompt.id, agent: e.prompt.agent, command: e.prompt.command, expires_at: e.prompt.expires_at }, 'prompt opened: waiting for the operator');
    case 'prompt.resolved':
      return logger.info({ prompt_id: e.prompt.id, agent: e.prompt.agent, decision: e.decision, scope: e.scope, by: e.by }, `prompt answered: ${e.decision}`);
    case 'prompt.expired':
      return logger.info({ prompt_id: e.prompt.id, agent: e.prompt.agent }, 'prompt expired: denied');
    case 'prompt.cancelled':
      return logger.info({ prompt_id: e.prompt.id, agent: e.prompt.agent, reason: e.reason }, 'prompt cancelled');
    default:
      return;
  }
}
