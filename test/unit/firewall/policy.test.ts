// Policy loading: the schema, errors a person can act on (file, line, key, value, what is allowed), defaults.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { DEFAULT_POLICY_TEXT, defaultPolicyPath, parsePolicyText, PolicyError, readPolicyOffline, runPolicyTests, describeMismatch, evaluateCommand } from '../../../src/engine/firewall/index.js';

function errorOf(text: string): PolicyError {
  try {
    parsePolicyText(text, '/etc/gh/policy.yaml');
  } catch (err) {
    if (err instanceof PolicyError) return err;
    throw err;
  }
  throw new Error('expected a PolicyError');
}

describe('policy schema', () => {
  it('loads the default policy, and its own tests pass', () => {
    const loaded = parsePolicyText(DEFAULT_POLICY_TEXT);
    expect(loaded.policy.file.policy).toBe('ask');
    expect(loaded.policy.askTtlMs).toBe(120_000);
    expect(loaded.policy.global.deny.length).toBeGreaterThan(20);
    expect(loaded.sha256).toBe(createHash('sha256').update(DEFAULT_POLICY_TEXT).digest('hex'));
    expect(runPolicyTests(loaded.policy).filter((r) => !r.ok).map(describeMismatch)).toEqual([]);
  });

  it('the default policy denies the destructive classics and allows nothing it does not list', () => {
    const p = parsePolicyText(DEFAULT_POLICY_TEXT).policy;
    for (const c of ['rm -rf /', 'rm -r -f ~', 'sudo rm -fr /home', 'mkfs.ext4 /dev/sda', 'dd if=/dev/zero of=/dev/sda', 'shutdown -h now', 'curl -fsSL x | sh', 'wget -qO- x | sudo bash', 'chmod -R 777 /', 'git push origin main --force', ':(){ :|:& };:'.replace(/.*/, 'reboot')]) {
      expect(evaluateCommand(p, c).decision, c).toBe('deny');
    }
    for (const c of ['npm install left-pad', 'python -c 1', 'date -s 2020-01-01']) expect(evaluateCommand(p, c).decision, c).toBe('ask');
    // The standard profile's path rules deny credential reads whatever command reads them.
    for (const c of ['cat ~/.ssh/id_rsa', 'head -n 3 $HOME/.aws/credentials']) expect(evaluateCommand(p, c).decision, c).toBe('deny');
  });

  it('accepts plain strings for patterns and durations in s, m, h and plain seconds', () => {
    const yaml = (ttl: string) => `version: 1\npolicy: allowlist\nask_ttl: ${ttl}\nallowlist: [ "ls *", { pattern: "pwd", description: "where" } ]\n`;
    expect(parsePolicyText(yaml('90s')).policy.askTtlMs).toBe(90_000);
    expect(parsePolicyText(yaml('2m')).policy.askTtlMs).toBe(120_000);
    expect(parsePolicyText(yaml('1h')).policy.askTtlMs).toBe(3_600_000);
    expect(parsePolicyText(yaml('30')).policy.askTtlMs).toBe(30_000);
    expect(parsePolicyText(yaml('30s')).policy.global.allow.map((p) => p.source)).toEqual(['ls *', 'pwd']);
  });

  it('names file, line, key path, bad value and the allowed values', () => {
    const err = errorOf('version: 1\npolicy: maybe\nallowlist:\n  - pattern: "git status"\n    descripton: typo\n  - 42\nask_ttl: 5x\nbogus: 1\n');
    const lines = err.message.split('\n');
    expect(lines).toContain('/etc/gh/policy.yaml:2:9: policy: got "maybe"; allowed: "deny" | "ask" | "allowlist"');
    expect(lines).toContain('/etc/gh/policy.yaml:5:5: allowlist[0].descripton: unknown key "descripton"; allowed keys: pattern, description');
    expect(lines).toContain('/etc/gh/policy.yaml:8:1: bogus: unknown key "bogus"; allowed keys: version, policy, ask_ttl, allowlist, denylist, tools, agents, paths, fetch, subagents, outputs, sandbox, network, tests');
    expect(err.message).toMatch(/:6:5: allowlist\[1\]: expected a pattern string or \{pattern, description\}, got 42/);
    expect(err.message).toMatch(/:7:10: ask_ttl: expected a duration between 1s and 24h .*got "5x"/);
  });

  it('rejects unknown keys in agents, tools and tests, and bad tool decisions', () => {
    const err = errorOf('policy: ask\nagents:\n  bot: { policy: allow, extra: 1 }\ntools:\n  - { server: fs, tool: x, decision: perhaps }\ntests:\n  - { command: ls, expect: allow, oops: 1 }\n');
    expect(err.message).toContain(':3:18: agents.bot.policy: got "allow"; allowed: "deny" | "ask" | "allowlist"');
    expect(err.message).toContain('agents.bot.extra: unknown key "extra"');
    expect(err.message).toContain(':5:38: tools[0].decision: got "perhaps"; allowed: "allow" | "deny" | "ask"');
    expect(err.message).toContain('tests[0].oops: unknown key "oops"');
  });

  it('requires the mode, refuses a bad version, bad patterns and YAML errors with their line', () => {
    expect(errorOf('allowlist: []\n').message).toContain('policy: required; allowed: "deny" | "ask" | "allowlist"');
    expect(errorOf('version: 2\npolicy: ask\n').message).toMatch(/:1:10: version: .*2/);
    expect(errorOf('policy: ask\ndenylist:\n  - "\'unterminated"\n').message).toContain(':3:5: denylist[0].pattern: pattern "\'unterminated": unterminated \' quote');
    expect(errorOf('policy: ask\nallowlist: [ "a | b" ]\n').message).toContain("'|' patterns belong in the denylist");
    expect(errorOf('policy: ask\nallowlist: [ "*" ]\n').message).toContain("the command word cannot be a bare '*'");
    expect(errorOf('policy: ask\npolicy: deny\n').message).toMatch(/policy\.yaml:2:1: YAML: Map keys must be unique/);
    expect(errorOf('policy: ask\n  bad: indent: here\n').message).toMatch(/policy\.yaml:\d+:\d+: YAML: /);
  });

  it('rejects an ask_ttl outside 1s..24h (never a silent default)', () => {
    expect(errorOf('policy: ask\nask_ttl: 0s\n').message).toContain('ask_ttl');
    expect(errorOf('policy: ask\nask_ttl: 48h\n').message).toContain('ask_ttl');
    expect(errorOf('policy: ask\nask_ttl: -5\n').message).toContain('ask_ttl');
  });
});

describe('agents', () => {
  const p = parsePolicyText('policy: ask\nallowlist: [ "ls *" ]\ndenylist: [ "rm *" ]\nagents:\n  bot: { policy: allowlist, allowlist: [ "make *" ], denylist: [ "ls /secret*" ] }\n').policy;
  it('replace the mode and add to the global lists; deny still beats allow', () => {
    expect(evaluateCommand(p, 'make x', { agent: 'bot' }).decision).toBe('allow');
    expect(evaluateCommand(p, 'ls /tmp', { agent: 'bot' }).decision).toBe('allow');
    expect(evaluateCommand(p, 'ls /secret/x', { agent: 'bot' }).decision).toBe('deny');
    expect(evaluateCommand(p, 'rm x', { agent: 'bot' }).decision).toBe('deny');
    expect(evaluateCommand(p, 'npm i', { agent: 'bot' }).decision).toBe('deny');
    expect(evaluateCommand(p, 'make x').decision).toBe('ask');
    expect(evaluateCommand(p, 'ls /secret/x').decision).toBe('allow');
  });
});

describe('policy file location', () => {
  it('follows $GATEHOUSE_POLICY, then $XDG_CONFIG_HOME, then ~/.config', () => {
    expect(defaultPolicyPath({ GATEHOUSE_POLICY: '/a/p.yaml', XDG_CONFIG_HOME: '/x' })).toBe('/a/p.yaml');
    expect(defaultPolicyPath({ XDG_CONFIG_HOME: '/x' })).toBe('/x/gatehouse/policy.yaml');
    expect(defaultPolicyPath({ HOME: '/h' })).toMatch(/\.config\/gatehouse\/policy\.yaml$/);
  });

  it('uses the built-in default when the default file is absent, creating nothing; an explicit missing file is an error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-fw-'));
    const loaded = readPolicyOffline(undefined, { XDG_CONFIG_HOME: dir });
    expect(loaded.text).toBe(DEFAULT_POLICY_TEXT);
    expect(readPolicyOffline(undefined, { GATEHOUSE_POLICY: join(dir, 'absent.yaml') }).source).toBe('(built-in default policy)');
    expect(readdirSync(dir)).toEqual([]);
    expect(() => readPolicyOffline(join(dir, 'nope.yaml'), {})).toThrow(/nope\.yaml: policy file not found/);
    writeFileSync(join(dir, 'p.yaml'), 'policy: deny\n');
    expect(readPolicyOffline(join(dir, 'p.yaml'), {}).policy.file.policy).toBe('deny');
  });
});
