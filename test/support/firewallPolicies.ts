// Loads the firewall test policies and decision table from test/support/firewall/.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePolicyText, type Policy } from '../../src/engine/firewall/index.js';

export const FIREWALL_FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'firewall');

export interface TableCase {
  policy: string;
  command: string;
  expect: 'allow' | 'deny' | 'ask';
  agent?: string;
}

const cache = new Map<string, Policy>();

export function fixturePolicy(name: string): Policy {
  let p = cache.get(name);
  if (!p) {
    const file = join(FIREWALL_FIXTURES, `${name}.yaml`);
    p = parsePolicyText(readFileSync(file, 'utf8'), file).policy;
    cache.set(name, p);
  }
  return p;
}

export function decisionTable(): TableCase[] {
  return (JSON.parse(readFileSync(join(FIREWALL_FIXTURES, 'table.json'), 'utf8')) as { cases: TableCase[] }).cases;
}
