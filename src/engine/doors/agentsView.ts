// Agents as the doors show them: the registry's record with what the sensors saw each one do.
import type { Agent } from '../../shared/agent.js';
import type { EngineSurface } from './engineSurface.js';

export function listAgents(engine: Pick<EngineSurface, 'agents' | 'sensors'>): Agent[] {
  return engine.agents.list().map((a) => ({ ...a, activity: { ...engine.sensors.activityOf(a.name), blocked: a.decisions.deny, anomaly_score: engine.sensors.anomalyScore(a.name) } }));
}
