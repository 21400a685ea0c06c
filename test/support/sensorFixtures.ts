// What the sensor tests share: the shipped rules made to count loopback connections, a home with a
// credentials file, a local HTTP server as the agents' destination, and the sensors' alerts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { DEFAULT_SENSOR_RULES_YAML } from '../../src/engine/sensors/sensorRules.js';
import type { RunningEngine } from './engine.js';

// The shipped rule counts only connections that leave the host; this machine reaches nothing but
// loopback, so the test's rules file is the shipped one with that one filter dropped.
export const LOOPBACK_RULES = DEFAULT_SENSOR_RULES_YAML.replace('- { event: connect, remote: true }', '- { event: connect }');

/** `DIR/home` with `.aws/credentials` in it. */
export function fakeHome(dir: string): string {
  const home = join(dir, 'home');
  mkdirSync(join(home, '.aws'), { recursive: true });
  writeFileSync(join(home, '.aws', 'credentials'), '[default]\naws_access_key_id = AKIAEXAMPLEEXAMPLE00\n');
  return home;
}

/** A local HTTP server answering `ok`, on 127.0.0.1. */
export async function startDestination(): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as { port: number }).port, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** One destination for a whole test file: started before its tests, closed after them. */
export function destinationForFile(): { readonly port: number } {
  let server: Awaited<ReturnType<typeof startDestination>> | null = null;
  beforeAll(async () => {
    server = await startDestination();
  });
  afterAll(() => server?.close());
  return {
    get port() {
      if (!server) throw new Error('the destination starts in beforeAll');
      return server.port;
    },
  };
}

/** A sensor alert as `GET /api/alerts` returns it. */
export interface SensorAlert {
  id: string;
  source: string;
  check: string;
  severity: string;
  message: string;
  acked_at?: string;
  evidence?: { agent?: string; pids?: number[] };
}

/** The sensors' alerts among the engine's latest 500. */
export async function sensorAlerts(e: RunningEngine): Promise<SensorAlert[]> {
  const r = await e.http('GET', '/api/alerts?limit=500');
  return (r.body.data as SensorAlert[]).filter((a) => a.source === 'sensors');
}
