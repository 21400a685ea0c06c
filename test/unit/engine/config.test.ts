import { describe, expect, it } from 'vitest';
import { parseConfigText, ConfigSchema } from '../../../src/engine/config/config.js';
import { decideByBudget, startOfDay } from '../../../src/engine/tasks/budgetRules.js';

describe('config', () => {
  it('defaults with no file at all: loopback, port 18790, FULL sync', () => {
    const c = ConfigSchema.parse({});
    expect(c.api).toMatchObject({ host: '127.0.0.1', port: 18790 });
    expect(c.store.synchronous).toBe('FULL');
    expect(c.logging.redact).toBe(true);
  });

  it('expands ${VAR} and ${VAR:-default}', () => {
    const c = parseConfigText('api:\n  host: ${HOST}\n  port: 1${P:-8790}\n', 'c.yaml', { HOST: '127.0.0.2' });
    expect(c.api.host).toBe('127.0.0.2');
  });

  it('an unset variable is an error naming the key and the variable', () => {
    expect(() => parseConfigText('api:\n  host: ${NOPE}\n', 'c.yaml', {})).toThrow(/api\.host: \$\{NOPE\} is not set/);
  });

  it('names file, line, key, value and what is allowed', () => {
    expect(() => parseConfigText('logging:\n  level: loud\n', '/etc/gh.yaml', {})).toThrow(/\/etc\/gh\.yaml: line 2: logging\.level: "loud" is not valid \(allowed: "trace"/);
  });

  it('unknown keys are errors, not ignored', () => {
    expect(() => parseConfigText('api:\n  prot: 1\n', 'c.yaml', {})).toThrow(/api: unknown key "prot"/);
  });

  it('YAML syntax errors carry a line', () => {
    expect(() => parseConfigText('api: [\n', 'c.yaml', {})).toThrow(/c\.yaml: line \d+/);
  });

  it('JSON is accepted', () => {
    expect(parseConfigText('{"api": {"port": 1234}}', 'c.json', {}).api.port).toBe(1234);
  });
});

describe('budget rules', () => {
  const budget = ConfigSchema.parse({ budget: { daily_usd: 10, per_task: { batch: 5 }, auto_approve_below_usd: 0.1 } }).budget;
  it.each([
    [{ task_type: 'batch', estimated_cost: 6 }, { spent: 0, reserved: 0 }, false, /batch limit/],
    [{ task_type: 'chat', estimated_cost: 3 }, { spent: 6, reserved: 2 }, false, /daily budget/],
    [{ task_type: 'chat', estimated_cost: 0.05 }, { spent: 0, reserved: 0 }, true, /auto-approve/],
  ] as const)('%o with %o → approved=%s', (task, spend, approved, reason) => {
    const v = decideByBudget(task, budget, spend);
    expect(v?.approved).toBe(approved);
    expect(v?.reason).toMatch(reason);
  });
  it('leaves the rest to the operator', () => {
    expect(decideByBudget({ task_type: 'chat', estimated_cost: 1 }, budget, { spent: 0, reserved: 0 })).toBeNull();
  });
  it('start of day honours the time zone', () => {
    const now = new Date('2026-11-22T03:30:00Z');
    expect(startOfDay(now, 'UTC').toISOString()).toBe('2026-11-22T00:00:00.000Z');
    expect(startOfDay(now, 'America/New_York').toISOString()).toBe('2026-11-21T05:00:00.000Z');
  });
  it('start of day: half-hour zones and both DST changes (issue 25)', () => {
    // 05:40 in Kolkata (+05:30): the day began at 18:30 UTC, not at an hour boundary.
    expect(startOfDay(new Date('2026-03-10T00:10:00Z'), 'Asia/Kolkata').toISOString()).toBe('2026-03-09T18:30:00.000Z');
    // New York springs forward at 02:00 on 2026-03-08: at noon EDT the day began at midnight EST.
    expect(startOfDay(new Date('2026-03-08T16:00:00Z'), 'America/New_York').toISOString()).toBe('2026-03-08T05:00:00.000Z');
    // ...and falls back on 2026-11-01: at noon EST the day began at midnight EDT.
    expect(startOfDay(new Date('2026-11-01T17:00:00Z'), 'America/New_York').toISOString()).toBe('2026-11-01T04:00:00.000Z');
    // Just after midnight on the day after the change.
    expect(startOfDay(new Date('2026-03-09T04:00:30Z'), 'America/New_York').toISOString()).toBe('2026-03-09T04:00:00.000Z');
    // Santiago skips midnight when it springs forward (2026-09-06 00:00 → 01:00): the day starts at 01:00 local.
    expect(startOfDay(new Date('2026-09-06T15:00:00Z'), 'America/Santiago').toISOString()).toBe('2026-09-06T04:00:00.000Z');
  });
});
