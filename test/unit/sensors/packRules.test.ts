// Sensor rules from signed rule packs: checked with the pack, added beside the shipped rules, each pack's
// path classes its own, and a rule id already taken not used.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signRulePack, verifyRulePack } from '../../../src/engine/monitor/rulePack.js';
import { Correlator } from '../../../src/engine/sensors/correlator.js';
import type { AttributedEvent } from '../../../src/engine/sensors/sensorEvent.js';
import { DEFAULT_SENSOR_RULES, mergeSensorRules } from '../../../src/engine/sensors/sensorRules.js';
import type { SensorRules } from '../../../src/shared/sensorRules.js';

const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();

function verify(body: object) {
  const bytes = Buffer.from(JSON.stringify({ name: 'acme', version: '1', ...body }));
  return verifyRulePack(bytes, signRulePack(bytes, privateKey), pem, 'acme.json');
}

const open = (path: string): AttributedEvent => ({ kind: 'open', at: 1000, pid: 7, ppid: 1, program: 'cat', argv: [], path, write: false, dest: null, source: 'audit', ref: '1', agent: 'bot' });

describe('sensor rules in rule packs', () => {
  it('a pack with sensor_rules verifies; a broken rule refuses the pack naming it', () => {
    const ok = verify({ sensor_rules: { paths: { tokens: ['**/.acme/token'] }, rules: [{ id: 'acme_token', severity: 'P1', message: '{agent} read {path}', steps: [{ event: 'open', path: ['@tokens'] }] }] } });
    expect(ok.pack.sensor_rules?.rules[0]?.within_s).toBe(300);
    expect(() => verify({ sensor_rules: { rules: [{ id: 'x', severity: 'P1', message: 'm', steps: [{ event: 'open', path: ['@credentials'] }] }] } })).toThrow(/acme\.json: sensor_rules\.rules\.0\.steps: rule x: no path class @credentials/);
    expect(() => verify({ sensor_rules: { rules: [{ id: 'x', severity: 'P9', message: 'm', steps: [{ event: 'open' }] }] } })).toThrow(/sensor_rules\.rules\.0\.severity/);
    expect(() => verify({ sensor_rules: { rules: [{ id: 'x', severity: 'P1', message: 'm', steps: [{ event: 'open', exec: true }] }] } })).toThrow(/sensor_rules/);
  });

  it('merges pack rules beside the shipped ones, keeps each pack its own classes, and skips a taken id', () => {
    const pack: SensorRules = {
      paths: { credentials: ['**/.acme/token'] }, // the same class name as a shipped one: the pack's own
      rules: [
        { id: 'acme_token', severity: 'P1', message: '{agent} read the acme token {path}', within_s: 300, steps: [{ event: 'open', path: ['@credentials'] }] },
        { id: 'ssh_read', severity: 'P0', message: 'taken', within_s: 300, steps: [{ event: 'open' }] },
      ],
    };
    const { rules, skipped } = mergeSensorRules(DEFAULT_SENSOR_RULES, [{ pack: 'acme', rules: pack }]);
    expect(rules.rules.length).toBe(DEFAULT_SENSOR_RULES.rules.length + 1);
    expect(rules.paths.credentials).toEqual(DEFAULT_SENSOR_RULES.paths.credentials);
    expect(rules.paths['acme.credentials']).toEqual(['**/.acme/token']);
    expect(skipped).toEqual(['rule pack acme: sensor rule ssh_read is already defined; the pack\'s rule is not used']);
    const c = new Correlator(rules, { agentProgram: () => 'node' });
    expect(c.observe(open('/home/u/.acme/token')).map((a) => [a.check, a.severity, a.message])).toEqual([['acme_token', 'P1', 'bot read the acme token /home/u/.acme/token']]);
    // The shipped credentials class is untouched by the pack's class of the same name.
    expect(c.observe(open('/home/u/.aws/credentials')).map((a) => a.check)).toEqual(['credentials_read']);
  });
});
