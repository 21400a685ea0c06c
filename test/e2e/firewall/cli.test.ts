// The offline firewall commands, run as a user runs them: the built CLI as a process, real policy files.
// Needs `npx tsc -p tsconfig.build.json` first.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = join(root, 'bin/gatehouse.js');
let config: string;

function gh(args: string[], env: Record<string, string> = {}) {
  const { GATEHOUSE_POLICY: _drop, ...rest } = process.env;
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...rest, XDG_CONFIG_HOME: config, NO_COLOR: '1', ...env }, timeout: 20_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function policyFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'gh-fw-cli-'));
  const file = join(dir, 'policy.yaml');
  writeFileSync(file, text);
  return file;
}

beforeAll(() => {
  if (!existsSync(join(root, 'dist/engine/firewall/index.js'))) throw new Error('build first: npx tsc -p tsconfig.build.json');
  config = mkdtempSync(join(tmpdir(), 'gh-fw-xdg-'));
});

describe('gatehouse firewall check', () => {
  it('prints the decision JSON and exits 0 for a deny (built-in default policy)', () => {
    const r = gh(['firewall', 'check', '--json', '--', 'ls', '-la;', 'rm', '-rf', '/']);
    expect(r.code).toBe(0);
    const d = JSON.parse(r.out);
    expect(d).toMatchObject({ decision: 'deny', source: 'policy' });
    expect(d.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(d.segments.map((s: { argv: string[]; verdict: string }) => [s.argv.join(' '), s.verdict])).toEqual([
      ['ls -la', 'allow'],
      ['rm -rf /', 'deny'],
    ]);
    // Offline commands create no files.
    expect(readdirSync(config)).toEqual([]);
  });

  it('joins the words after -- with single spaces and parses them as one command line', () => {
    const allow = JSON.parse(gh(['firewall', 'check', '--json', '--', 'git status && ls']).out);
    expect(allow.decision).toBe('allow');
    const ask = JSON.parse(gh(['firewall', 'check', '--json', '--', 'npm', 'install', 'left-pad']).out);
    expect(ask).toMatchObject({ decision: 'ask', rule: 'policy: ask' });
    expect(ask.reason).toContain('npm install left-pad');
  });

  it('honours --policy and --agent, and $GATEHOUSE_POLICY', () => {
    const file = policyFile('policy: ask\nallowlist: [ "make *" ]\nagents:\n  bot: { policy: allowlist }\n');
    expect(JSON.parse(gh(['firewall', 'check', '--json', '--policy', file, '--', 'make', 'all']).out).decision).toBe('allow');
    expect(JSON.parse(gh(['firewall', 'check', '--json', '--policy', file, '--', 'npm', 'i']).out).decision).toBe('ask');
    expect(JSON.parse(gh(['firewall', 'check', '--json', '--policy', file, '--agent', 'bot', '--', 'npm', 'i']).out).decision).toBe('deny');
    expect(JSON.parse(gh(['firewall', 'check', '--json', '--', 'make', 'all'], { GATEHOUSE_POLICY: file }).out).decision).toBe('allow');
  });

  it('prints one human line without --json', () => {
    const r = gh(['firewall', 'check', '--', 'sudo', 'ls']);
    expect(r.code).toBe(0);
    expect(r.out.trim().split('\n')).toHaveLength(1);
    expect(r.out).toMatch(/^ask: `ls`: sudo is never allowed by a pattern/);
  });

  it('exits 2 on a bad policy, naming file, line and key', () => {
    const file = policyFile('version: 1\npolicy: sometimes\n');
    const r = gh(['firewall', 'check', '--json', '--policy', file, '--', 'ls']);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain(`${file}:2:9: policy: got "sometimes"; allowed: "deny" | "ask" | "allowlist"`);
  });

  it('exits 2 on usage errors: no command, a missing explicit policy file', () => {
    expect(gh(['firewall', 'check', '--json']).code).toBe(2);
    const r = gh(['firewall', 'check', '--policy', '/nonexistent/p.yaml', '--', 'ls']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('/nonexistent/p.yaml: policy file not found');
  });
});

describe('gatehouse firewall explain', () => {
  it('shows the parsed segments, the rules tried and the decision', () => {
    const r = gh(['firewall', 'explain', '--', "nice ls -la | grep x && bash -c 'rm -rf ~/.ssh' && shred f"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('parsed into 4 simple commands');
    expect(r.out).toContain('(unwrapped from nice)');
    expect(r.out).toContain('allowlist "ls *": matches');
    expect(r.out).toMatch(/denylist "shred" matches shred f/);
    // The paths the commands touch, as the path rules judged them (docs/policy.md).
    expect(r.out).toMatch(/delete \/.*\/\.ssh → deny \(paths: ~\/\.ssh\/\*\* delete: deny\)/);
    expect(r.out).toContain('decision: deny');
  });
});

describe('gatehouse policy test', () => {
  it('passes the default policy', () => {
    const r = gh(['policy', 'test']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\(built-in default policy\): (\d+)\/\1 tests pass/);
  });

  it('prints each mismatch and exits 1', () => {
    const file = policyFile('policy: ask\nallowlist: [ "ls *" ]\ntests:\n  - { command: "ls -la", expect: allow }\n  - { command: "ls; npm i", expect: allow }\n  - { command: "pwd", expect: deny, agent: x }\n');
    const r = gh(['policy', 'test', '--policy', file]);
    expect(r.code).toBe(1);
    const lines = r.out.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('MISMATCH'))).toEqual([
      expect.stringContaining('tests[1]: "ls; npm i" expected allow, got ask'),
      expect.stringContaining('tests[2]: "pwd" (agent x) expected deny, got ask'),
    ]);
    expect(lines.at(-1)).toBe(`${file}: 1/3 tests pass`);
  });

  it('exits 2 on an invalid test entry', () => {
    const file = policyFile('policy: ask\ntests:\n  - { command: ls, expect: maybe }\n');
    const r = gh(['policy', 'test', '--policy', file]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(':3:28: tests[0].expect: got "maybe"');
  });
});

describe('modes and program knowledge offline (issue 15)', () => {
  it('policy: deny denies an allowlisted command; allowlist denies what an allowed program runs or writes', () => {
    const deny = policyFile('policy: deny\nallowlist: [ "ls *" ]\n');
    expect(JSON.parse(gh(['firewall', 'check', '--json', '--policy', deny, '--', 'ls']).out)).toMatchObject({ decision: 'deny', rule: 'policy: deny' });
    const allow = policyFile('policy: allowlist\nallowlist: [ "find *", "sort *", "ls *" ]\n');
    expect(JSON.parse(gh(['firewall', 'check', '--json', '--policy', allow, '--', 'find', '.', '-exec', 'ls', '{}', '+']).out).decision).toBe('allow');
    const d = JSON.parse(gh(['firewall', 'check', '--json', '--policy', allow, '--', 'find', '.', '-exec', 'touch', '/tmp/pwned', "';'"]).out);
    expect(d.decision).toBe('deny');
    expect(d.reason).toContain('run by find -exec');
    expect(gh(['firewall', 'check', '--policy', allow, '--', 'sort', '-o', '/etc/passwd', 'x']).out).toMatch(/^deny: .*sort -o/);
  });

  it('explain shows the program entry, the option that decided and the nested command', () => {
    const allow = policyFile('policy: ask\nallowlist: [ "find *", "sort *" ]\n');
    const r = gh(['firewall', 'explain', '--policy', allow, '--', "find . -exec sort -o out {} ';'"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('program entry: find');
    expect(r.out).toContain('find -exec runs sort -o out "{}"');
    expect(r.out).toContain('(unwrapped from find -exec)');
    expect(r.out).toContain('decided by: sort -o');
    expect(r.out).toContain('decision: ask');
  });

  it('policy tests can name the entry and option that decide', () => {
    const file = policyFile('policy: allowlist\nallowlist: [ "sort *", "find *", "grep *" ]\ntests:\n  - { command: "sort -o out in", expect: deny, decided_by: "sort -o" }\n  - { command: "find . -exec grep x {} +", expect: allow, decided_by: "find -exec" }\n  - { command: "sort in", expect: allow, decided_by: "sort -o" }\n');
    const r = gh(['policy', 'test', '--policy', file]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('tests[2]: "sort in" expected allow decided by sort -o, got allow decided by no program entry');
    expect(r.out).toContain('2/3 tests pass');
  });

  it('a 200 kB line and deep nesting are denied with a readable reason, no stack trace', () => {
    // One argument may not exceed 128 kB (Linux MAX_ARG_STRLEN): the 200 kB line comes as four words.
    for (const words of [['ls', ...Array<string>(4).fill('a'.repeat(50_000))], ['echo', '$('.repeat(20_000) + 'ls' + ')'.repeat(20_000)]]) {
      const r = gh(['firewall', 'check', '--json', '--', ...words]);
      expect(r.code).toBe(0);
      expect(r.err).toBe('');
      expect(JSON.parse(r.out).reason).toMatch(/too long to verify|too deeply nested to verify/);
      expect(JSON.parse(r.out).decision).toBe('deny');
    }
  });
});
