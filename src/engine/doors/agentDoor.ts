// The agent's door (docs/containment.md, docs/ipc.md): the engine socket a `gatehouse sandbox` agent sees.
// It is a socket of its own, made for one sandbox and bound inside the namespace where gatehouse.sock
// would be, and it takes only what an agent needs: firewall checks (the hook, a nested `gatehouse exec`),
// its own registration, waiting for and cancelling its own prompts, alerts from the PostToolUse hook.
// Everything an operator does (answers, stop, trust, reload, reading the queue, the ledger or other
// agents) is refused naming the door, and the agent is the sandbox's: a request naming another fails.
import { EngineError } from '../../shared/errors.js';
import type { EngineEvent } from '../../shared/events.js';
import type { EngineSurface } from './engineSurface.js';

/** Methods the agent's door serves (besides hello, subscribe to its own prompts, unsubscribe and cancel). */
export const AGENT_DOOR_METHODS = ['firewall.check', 'agents.register', 'prompts.cancel', 'alerts.raise'] as const;

/** The connection-level methods it serves. */
export const AGENT_DOOR_BASICS = ['hello', 'subscribe', 'unsubscribe', 'cancel'] as const;

function refused(agent: string, why: string): EngineError {
  return new EngineError(`refused on the sandbox's engine door (agent ${agent}): ${why}`, 'forbidden');
}

function asObject(agent: string, method: string, params: unknown): Record<string, unknown> {
  if (params === undefined || params === null) return {};
  if (typeof params !== 'object' || Array.isArray(params)) throw new EngineError(`invalid params for ${method}: expected an object`, 'bad_request');
  return { ...(params as Record<string, unknown>) };
}

/** A request naming an agent names this door's agent, or none (then it is this one). */
function pin(agent: string, p: Record<string, unknown>, key: string): Record<string, unknown> {
  if (p[key] !== undefined && p[key] !== agent) throw refused(agent, `a request for agent ${JSON.stringify(String(p[key]).slice(0, 64))}; this sandbox acts only as ${agent}`);
  p[key] = agent;
  return p;
}

/**
 * The params a method is served with on the agent's door, or a `forbidden` error saying why not. Only the
 * methods listed above pass; the agent each names is pinned to the door's.
 */
export function agentDoorParams(engine: Pick<EngineSurface, 'prompts'>, agent: string, method: string, params: unknown): unknown {
  switch (method) {
    case 'firewall.check':
      return pin(agent, asObject(agent, method, params), 'agent');
    case 'agents.register':
      return pin(agent, asObject(agent, method, params), 'name');
    case 'prompts.cancel': {
      const p = asObject(agent, method, params);
      const prompt = typeof p.id === 'string' ? engine.prompts.find(p.id) : null;
      if (prompt && prompt.agent !== agent) throw refused(agent, `prompt ${p.id} is not this agent's`);
      return p;
    }
    case 'alerts.raise': {
      const p = asObject(agent, method, params);
      const evidence = p.evidence && typeof p.evidence === 'object' && !Array.isArray(p.evidence) ? (p.evidence as Record<string, unknown>) : {};
      // Who raised it stays visible: the operator reads it as the agent's report, not the engine's.
      return { ...p, evidence: { ...evidence, raised_by_agent: agent } };
    }
    default:
      throw refused(agent, `${method} is not served here (an operator's method, or another agent's); the door serves ${[...AGENT_DOOR_BASICS, ...AGENT_DOOR_METHODS].join(', ')}`);
  }
}

/** The events an agent's door passes on: its own prompts' only. */
export function agentSeesEvent(agent: string, e: EngineEvent): boolean {
  return 'prompt' in e && e.prompt.agent === agent;
}
