// The agent's door (docs/containment.md, docs/ipc.md): the engine socket a `gatehouse sandbox` agent sees.
// It is a socket of its own, made for one sandbox and bound inside the namespace where gatehouse.sock
// would be, and it takes only what an agent needs: firewall checks (the hook, a nested `gatehouse exec`),
// its own registration, waiting for and cancelling its own prompts, alerts from the PostToolUse hook (only
// the checks that hook raises, no more urgent than it raises them, and a bounded number a minute).
// Everything an operator does (answers, stop, trust, reload, reading the queue, the ledger or other
// agents) is refused naming the door, and the agent is the sandbox's: a request naming another fails.
import { EngineError } from '../../shared/errors.js';
import type { EngineEvent } from '../../shared/events.js';
import { SEVERITIES, type AlertSource, type Severity } from '../../shared/alert.js';
import { OUTPUT_ALERTS } from '../monitor/outputScan.js';
import type { EngineSurface } from './engineSurface.js';

/** Methods the agent's door serves (besides hello, subscribe to its own prompts, unsubscribe and cancel). */
export const AGENT_DOOR_METHODS = ['firewall.check', 'agents.register', 'prompts.cancel', 'alerts.raise'] as const;

/** The connection-level methods it serves. */
export const AGENT_DOOR_BASICS = ['hello', 'subscribe', 'unsubscribe', 'cancel'] as const;

/** Alerts one sandbox's door takes in a minute; the rest of that minute's are refused. */
export const DOOR_ALERTS_PER_MINUTE = 30;

/** One door's alerts in the last minute. `take` says whether one more passes, and whether it is the first refused. */
export class DoorAlertBudget {
  private readonly times: number[] = [];
  private refusing = false;
  constructor(
    private readonly perMinute = DOOR_ALERTS_PER_MINUTE,
    private readonly now: () => number = Date.now,
  ) {}

  take(): 'pass' | 'first_refused' | 'refused' {
    const t = this.now();
    while (this.times.length && this.times[0]! <= t - 60_000) this.times.shift();
    if (this.times.length < this.perMinute) {
      this.times.push(t);
      this.refusing = false;
      return 'pass';
    }
    if (this.refusing) return 'refused';
    this.refusing = true;
    return 'first_refused';
  }
}

/** What a sandbox's door is: its agent, and the alerts it has raised lately. */
export interface AgentDoorState {
  agent: string;
  alerts: DoorAlertBudget;
}

const CHECKS = OUTPUT_ALERTS as Record<string, { severity: Severity; source: AlertSource }>;

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
export function agentDoorParams(engine: Pick<EngineSurface, 'prompts' | 'raiseAlert'>, door: AgentDoorState, method: string, params: unknown): unknown {
  const agent = door.agent;
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
      // Only what the hook itself reports: an agent cannot pose as a host sensor, the policy guard or a P0 page.
      const check = typeof p.check === 'string' && Object.hasOwn(CHECKS, p.check) ? CHECKS[p.check]! : null;
      if (!check) throw refused(agent, `an alert of check ${JSON.stringify(String(p.check).slice(0, 64))}; a sandbox reports only ${Object.keys(CHECKS).join(', ')}`);
      if (p.source !== check.source) throw refused(agent, `an alert of source ${JSON.stringify(String(p.source).slice(0, 64))} for ${String(p.check)}; it is ${check.source}`);
      if (SEVERITIES.indexOf(p.severity as Severity) < SEVERITIES.indexOf(check.severity))
        throw refused(agent, `an alert of severity ${JSON.stringify(String(p.severity).slice(0, 8))} for ${String(p.check)}; at most ${check.severity}`);
      const budget = door.alerts.take();
      if (budget === 'first_refused')
        engine.raiseAlert({ severity: 'P2', source: 'engine', check: 'agent_alert_flood', message: `agent ${agent} raised more than ${DOOR_ALERTS_PER_MINUTE} alerts in a minute through its sandbox's door; the rest of this minute's are refused`, evidence: { agent } });
      if (budget !== 'pass') throw refused(agent, `more than ${DOOR_ALERTS_PER_MINUTE} alerts in a minute`);
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
