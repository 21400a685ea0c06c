// Agents as the doors show them: the registry's record with what the sensors saw each one do.
import type { Agent, AgentDetail } from '../../shared/agent.js';
import { EngineError } from '../../shared/errors.js';
import type { EngineSurface } from './engineSurface.js';

type Source = Pick<EngineSurface, 'agents' | 'sensors'>;

function withActivity(engine: Source, a: Agent): Agent {
  return { ...a, activity: { ...engine.sensors.activityOf(a.name), blocked: a.decisions.deny, anomaly_score: engine.sensors.anomalyScore(a.name) } };
}

export function listAgents(engine: Source): Agent[] {
  return engine.agents.list().map((a) => withActivity(engine, a));
}

export function showAgent(engine: Source, name: string): AgentDetail {
  const a = engine.agents.list().find((x) => x.name === name);
  if (!a) throw new EngineError(`no agent ${name}`, 'not_found');
  return {
    agent: withActivity(engine, a),
    baseline: engine.sensors.baselineOf(name),
    anomalies: engine.sensors.recentAnomalies(name).map((x) => ({ at: new Date(x.at).toISOString(), item: x.item, weight: x.weight, explanation: x.explanation })),
  };
}
