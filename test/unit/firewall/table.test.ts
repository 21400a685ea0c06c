// The decision table: commands × policies with the decision the laws of docs/policy.md require.
import { describe, it, expect } from 'vitest';
import { evaluateCommand } from '../../../src/engine/firewall/index.js';
import { decisionTable, fixturePolicy } from '../../support/firewallPolicies.js';

const table = decisionTable();

describe('firewall decision table', () => {
  it('has at least 150 cases', () => {
    expect(table.length).toBeGreaterThanOrEqual(150);
  });

  it.each(table.map((c) => [`${c.policy}${c.agent ? `/${c.agent}` : ''}: ${JSON.stringify(c.command)} → ${c.expect}`, c] as const))('%s', (_name, c) => {
    const d = evaluateCommand(fixturePolicy(c.policy), c.command, { agent: c.agent ?? null });
    expect({ decision: d.decision, reason: d.reason }).toMatchObject({ decision: c.expect });
    expect(d.source).toBe('policy');
  });
});

describe('decision shape', () => {
  const base = fixturePolicy('base');

  it('names the segment that missed and lists every segment with its verdict', () => {
    const d = evaluateCommand(base, 'git status && npm install');
    expect(d.decision).toBe('ask');
    expect(d.reason).toContain('npm install');
    expect(d.rule).toBe('policy: ask');
    expect(d.segments.map((s) => [s.argv.join(' '), s.verdict, s.matched_rule])).toEqual([
      ['git status', 'allow', 'git status'],
      ['npm install', 'ask', null],
    ]);
  });

  it('gives the deny pattern as the rule of a deny', () => {
    const d = evaluateCommand(base, 'ls; /bin/rm -rf /');
    expect(d).toMatchObject({ decision: 'deny', rule: 'rm -rf *' });
    expect(d.segments[1]).toMatchObject({ argv: ['/bin/rm', '-rf', '/'], verdict: 'deny' });
  });

  it('uses a fresh request id unless one is given', () => {
    const a = evaluateCommand(base, 'ls');
    const b = evaluateCommand(base, 'ls');
    expect(a.request_id).not.toBe(b.request_id);
    expect(evaluateCommand(base, 'ls', { requestId: 'r-1' }).request_id).toBe('r-1');
  });

  it('notes the unwrap chain of a wrapped command', () => {
    const d = evaluateCommand(base, "sudo bash -c 'ls'");
    expect(d.decision).toBe('ask');
    expect(d.segments[0]!.note).toContain('sudo');
  });
});

describe('very long and deeply nested input', () => {
  const base = fixturePolicy('base');

  it('allows a long but plain argument list', () => {
    expect(evaluateCommand(base, 'ls ' + 'a '.repeat(5000)).decision).toBe('allow');
  });

  it('still finds a deny at the end of a long chain', () => {
    expect(evaluateCommand(base, 'ls; '.repeat(3000) + 'rm -rf /').decision).toBe('deny');
  });

  it('denies input over the length limit in every mode, saying why (issue 15: was a miss)', () => {
    const d = evaluateCommand(base, 'ls ' + 'a'.repeat(200_000));
    expect(d.decision).toBe('deny');
    expect(d.reason).toContain('too long to verify');
  });

  it('does not allow deeply nested sh -c', () => {
    let cmd = 'ls';
    for (let i = 0; i < 12; i++) cmd = `sh -c ${"'" + cmd.replace(/'/g, `'\\''`) + "'"}`;
    // 800 kB after twelve rounds of quoting: over the length limit, denied unread (issue 15: was a miss).
    expect(evaluateCommand(base, cmd).decision).toBe('deny');
    cmd = 'ls';
    for (let i = 0; i < 9; i++) cmd = `sh -c ${"'" + cmd.replace(/'/g, `'\\''`) + "'"}`;
    expect(evaluateCommand(base, cmd)).toMatchObject({ decision: 'ask', reason: expect.stringContaining('nested wrappers or shells') });
  });

  it('does not allow deeply nested subshells and still denies inside them', () => {
    expect(evaluateCommand(base, '('.repeat(200) + 'ls' + ')'.repeat(200)).decision).not.toBe('allow');
    expect(evaluateCommand(base, '(('.repeat(50) + 'rm -rf /' + '))'.repeat(50)).decision).not.toBe('allow');
  });
});
