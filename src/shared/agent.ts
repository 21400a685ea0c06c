// Agents known to the engine (registered over IPC or REST).
import { z } from 'zod';

export interface Agent {
  name: string;
  pid: number | null;
  profile: string | null;
  state: 'alive' | 'gone';
  registered_at: string;
  last_seen: string;
  decisions: { allow: number; deny: number; ask: number };
  /** Connections through the egress proxy (docs/containment.md). */
  connections?: { allowed: number; blocked: number };
  /** What the host sensors saw the agent's processes do (docs/sensors.md); absent where no sensor data is kept. */
  activity?: AgentActivity;
}

/** One agent with what the sensors learned of it: `gatehouse agents show NAME`. */
export interface AgentDetail {
  agent: Agent;
  baseline: { learning_since: string | null; learned: number };
  /** What was new after the learning window, most recent last, each explained in words. */
  anomalies: Array<{ at: string; item: string; weight: number; explanation: string }>;
}

export interface AgentActivity {
  execs: number;
  files: number;
  connections: number;
  /** Firewall decisions that denied it. */
  blocked: number;
  /** How unusual its recent activity is against its learned baseline (0 = nothing new). */
  anomaly_score: number;
  /** Sensor events in each of the last 30 ten-second periods, oldest first (the console's sparkline). */
  history: number[];
}

export const AgentRegisterSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, . _ - (at most 64)'),
  pid: z.number().int().positive().optional(),
  profile: z.string().max(64).optional(),
});
