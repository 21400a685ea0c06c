// What the sensor tests share: the shipped rules made to count loopback connections, a home with a
// credentials file, and a local HTTP server as the agents' destination.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { DEFAULT_SENSOR_RULES_YAML } from '../../src/engine/sensors/sensorRules.js';

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
