// Law 4a and law 6 as a table: for each program of the catalogue, its safe forms are allowed under its
// pattern and its executing or writing forms are not, under all three modes (programs.table.json).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { evaluateCommand, judgeCommand, parsePolicyText, type Policy } from '../../../src/engine/firewall/index.js';
import { FIREWALL_FIXTURES } from '../../support/firewallPolicies.js';
import { PROGRAMS } from '../../../src/engine/firewall/programs.js';

type Verdict = 'allow' | 'miss' | 'deny';
const table = (JSON.parse(readFileSync(join(FIREWALL_FIXTURES, 'programs.table.json'), 'utf8')) as { cases: [string, Verdict, string?][] }).cases;
const text = readFileSync(join(FIREWALL_FIXTURES, 'programs.yaml'), 'utf8');
const policies: Record<string, Policy> = Object.fromEntries(['allowlist', 'ask', 'deny'].map((m) => [m, parsePolicyText(text.replace(/^policy: .*$/m, `policy: ${m}`)).policy]));

/** Law 6: what a verdict under the allowlist becomes in each mode. */
const expected = (v: Verdict, mode: string): string => (mode === 'deny' || v === 'deny' ? 'deny' : v === 'allow' ? 'allow' : mode === 'ask' ? 'ask' : 'deny');

describe('program table (law 4a) under every mode (law 6)', () => {
  it('has at least 150 cases and covers every program the issue names', () => {
    expect(table.length).toBeGreaterThanOrEqual(150);
    const heads = new Set(table.map(([c]) => c.split(/\s+/)[0]!.replace(/^.*\//, '')));
    for (const p of ['find', 'xargs', 'git', 'tar', 'sed', 'awk', 'sort', 'rg', 'grep', 'less', 'more', 'man', 'vim', 'nano', 'rsync', 'ssh', 'scp', 'tee', 'dd', 'cp', 'mv', 'install', 'ln', 'curl', 'wget', 'npm', 'npx', 'yarn', 'pnpm', 'pip', 'make', 'docker', 'kubectl', 'env', 'timeout', 'nice', 'flock', 'setsid', 'chroot', 'strace', 'watch', 'parallel', 'script', 'sudo', 'doas', 'su']) {
      expect(heads, p).toContain(p);
    }
  });

  for (const mode of ['allowlist', 'ask', 'deny']) {
    it.each(table.map(([c, v, by]) => [`${mode}: ${JSON.stringify(c)} → ${expected(v, mode)}${by ? ` (${by})` : ''}`, c, v, by] as const))('%s', (_n, command, verdict, by) => {
      const d = evaluateCommand(policies[mode]!, command);
      expect(d.decision, d.reason).toBe(expected(verdict, mode));
      expect(d.source).toBe('policy');
      if (by && mode !== 'deny') {
        const j = judgeCommand(policies[mode]!, command);
        expect(j.judged.map((x) => x.decidedBy), d.reason).toContain(by);
      }
    });
  }
});

describe('modes (law 6)', () => {
  const p = (mode: string, extra = '') => parsePolicyText(`policy: ${mode}\nallowlist: [ "ls *", "git status" ]\ndenylist: [ "rm -rf *" ]\ntools:\n  - { server: fs, tool: read_file, decision: allow }\n${extra}`).policy;

  it('deny denies every command, allowlisted ones included, and says so', () => {
    for (const c of ['ls', 'git status', 'ls -la && git status', 'npm i', '']) {
      const d = evaluateCommand(p('deny'), c);
      expect(d.decision, c).toBe('deny');
    }
    expect(evaluateCommand(p('deny'), 'ls')).toMatchObject({ rule: 'policy: deny', reason: expect.stringContaining('denies every command') });
    expect(evaluateCommand(p('deny'), 'ls').segments[0]).toMatchObject({ verdict: 'deny', matched_rule: null });
  });

  it('a deny match is named as the rule in every mode', () => {
    for (const m of ['deny', 'ask', 'allowlist']) expect(evaluateCommand(p(m), 'ls; rm -rf /')).toMatchObject({ decision: 'deny', rule: 'rm -rf *' });
  });

  it('allowlist allows matches and denies the rest; ask asks for the rest', () => {
    expect(evaluateCommand(p('allowlist'), 'ls -la').decision).toBe('allow');
    expect(evaluateCommand(p('allowlist'), 'npm i').decision).toBe('deny');
    expect(evaluateCommand(p('ask'), 'ls -la').decision).toBe('allow');
    expect(evaluateCommand(p('ask'), 'npm i').decision).toBe('ask');
    expect(evaluateCommand(p('ask'), 'ls $(id)').decision).toBe('ask');
    expect(evaluateCommand(p('allowlist'), 'ls $(id)').decision).toBe('deny');
  });

  it('an agent override changes the mode for that agent only', () => {
    const q = p('deny', 'agents:\n  builder: { policy: allowlist }\n  asker: { policy: ask }\n');
    expect(evaluateCommand(q, 'ls', { agent: 'builder' }).decision).toBe('allow');
    expect(evaluateCommand(q, 'npm i', { agent: 'asker' }).decision).toBe('ask');
    expect(evaluateCommand(q, 'ls', { agent: 'other' }).decision).toBe('deny');
    const r = p('allowlist', 'agents:\n  locked: { policy: deny }\n');
    expect(evaluateCommand(r, 'ls', { agent: 'locked' }).decision).toBe('deny');
    expect(evaluateCommand(r, 'ls').decision).toBe('allow');
  });
});

describe('pathological input (law 5 at the limits)', () => {
  const p = parsePolicyText('policy: ask\nallowlist: [ "ls *", "echo *" ]\n').policy;
  const shapes: [string, string][] = [
    ['200 kB line', 'ls ' + 'a'.repeat(200_000)],
    ['nested subshells', '('.repeat(40_000) + 'ls' + ')'.repeat(40_000)],
    ['nested substitutions', 'echo ' + '$('.repeat(30_000) + 'ls' + ')'.repeat(30_000)],
    ['nested arithmetic', 'echo $((' + '('.repeat(30_000) + '1' + ')'.repeat(30_000) + '))'],
    ['nested ifs', 'if true; then '.repeat(5_000) + 'ls; ' + 'fi; '.repeat(5_000)],
    ['nested braces', 'echo ' + '${a:-'.repeat(15_000) + 'x' + '}'.repeat(15_000)],
    ['99 kB of words', 'ls ' + 'a '.repeat(49_000)],
    ['nested backquotes and quotes', 'echo "$(echo "'.repeat(5_000) + 'x' + ')"'.repeat(5_000)],
  ];

  it.each(shapes)('%s is a deny in every mode with a readable reason, never a stack trace', (_n, command) => {
    for (const mode of ['ask', 'allowlist', 'deny']) {
      const d = evaluateCommand(parsePolicyText(`policy: ${mode}\nallowlist: [ "ls *" ]\n`).policy, command);
      expect(d.decision).toBe('deny');
      expect(d.reason).toMatch(/too deeply nested to verify|too long to verify|too many to verify/);
      expect(d.reason).not.toMatch(/Maximum call stack|RangeError|at .*\.ts:\d+/);
    }
  });

  it('ordinary nesting and long lines are still read', () => {
    expect(evaluateCommand(p, 'ls ' + 'a '.repeat(7_000)).decision).toBe('allow');
    expect(evaluateCommand(p, `echo "${'a '.repeat(20_000)}"`).decision).toBe('allow');
    expect(evaluateCommand(p, '{ { { ls; }; }; }').decision).toBe('allow');
    expect(evaluateCommand(p, 'echo "$(ls)"').decision).toBe('ask');
    expect(evaluateCommand(p, "echo '(((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((('").decision).toBe('allow');
  });
});

describe('program entries', () => {
  it('every entry says what it is and every risky option explains itself', () => {
    for (const [name, spec] of Object.entries(PROGRAMS)) {
      expect(spec.about, name).toMatch(/\w/);
      for (const o of spec.options ?? []) expect(o.why, `${name} ${o.names[0]}`).toMatch(/\w/);
    }
  });
});
