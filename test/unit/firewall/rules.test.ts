// Patterns, MCP tool rules, "allow always" rules and policy edits that keep comments.
import { describe, it, expect } from 'vitest';
import { addAllowRule, alwaysRuleFor, alwaysRulesFor, evaluateCommand, evaluateTool, parsePolicyText, PolicyError } from '../../../src/engine/firewall/index.js';
import { allowMatches, compilePattern, denyMatches, globWord, quotePatternWord } from '../../../src/engine/firewall/patterns.js';

const words = (p: string) => compilePattern(p).stages[0]!;
const allow = (p: string, argv: string[]) => allowMatches(words(p), argv, argv.map(() => false));

describe('patterns (law 3)', () => {
  it('a whole-word * matches any remaining words, including none', () => {
    expect(allow('npm test *', ['npm', 'test'])).toBe(true);
    expect(allow('npm test *', ['npm', 'test', '--watch', 'x'])).toBe(true);
    expect(allow('npm test *', ['npm', 'testx'])).toBe(false);
    expect(allow('git * --dry-run', ['git', 'push', 'origin', '--dry-run'])).toBe(true);
    expect(allow('git * --dry-run', ['git', 'push', '--dry-run', 'x'])).toBe(false);
  });

  it('a * inside a word globs within that word only', () => {
    expect(allow('cat *.txt', ['cat', 'a.txt'])).toBe(true);
    expect(allow('cat *.txt', ['cat', 'a.txt', 'b.txt'])).toBe(false);
    expect(allow('cat *.txt', ['cat', 'a.txt.sh'])).toBe(false);
    expect(globWord(['a', 'b', 'c'], 'aXbYc')).toBe(true);
    expect(globWord(['a', 'b', 'c'], 'ac')).toBe(false);
    expect(globWord(['ab', 'ba'], 'aba')).toBe(false);
  });

  it('allow matches argv[0] as written; deny by basename and as a prefix', () => {
    expect(allow('ls *', ['/tmp/evil/ls'])).toBe(false);
    expect(denyMatches(words('rm -rf *'), ['/bin/rm', '-rf', '/'])).toBe(true);
    expect(denyMatches(words('dd if=*'), ['dd', 'if=/dev/zero', 'of=/dev/sda'])).toBe(true);
    expect(denyMatches(words('/usr/bin/shutdown'), ['shutdown', '-h'])).toBe(true);
    expect(denyMatches(words('rm -rf *'), ['rm', '-r', '/'])).toBe(false);
  });

  it('a dynamic word (expands at run time) is only covered by a whole-word *', () => {
    expect(allowMatches(words('git status'), ['git', '$X'], [false, true])).toBe(false);
    expect(allowMatches(words('cat *.txt'), ['cat', '$F.txt'], [false, true])).toBe(false);
    expect(allowMatches(words('echo *'), ['echo', '$HOME'], [false, true])).toBe(true);
  });

  it('quoted * in a pattern is literal, and quotePatternWord round-trips any word', () => {
    expect(allow("echo '*'", ['echo', '*'])).toBe(true);
    expect(allow("echo '*'", ['echo', 'x'])).toBe(false);
    for (const w of ['plain', 'a b', "it's", '*', 'a*b', '$HOME', '"q"', '|', 'back\\slash', '']) {
      if (w === '') continue;
      expect(words(`cmd ${quotePatternWord(w)}`)).toEqual([{ kind: 'lit', text: 'cmd' }, { kind: 'lit', text: w }]);
    }
  });
});

describe('MCP tool rules', () => {
  const p = parsePolicyText(`policy: ask
tools:
  - { server: filesystem, tool: "read_*", decision: allow }
  - { server: filesystem, tool: write_file, args: { path: "/etc/**" }, decision: deny }
  - { server: filesystem, tool: write_file, args: { path: "/tmp/**" }, decision: allow }
  - { server: "*", tool: "*", annotations: { destructiveHint: true }, decision: ask }
  - { server: "*", tool: "*", args: { path: "**/.ssh/**" }, decision: deny }
agents:
  strict: { policy: allowlist }
`).policy;
  const call = (server: string, tool: string, args: Record<string, unknown> = {}, annotations?: { destructiveHint?: boolean }) => ({ server, tool, args, ...(annotations ? { annotations } : {}) });

  it('server/tool globs, argument globs; deny rules beat allow', () => {
    expect(evaluateTool(p, call('filesystem', 'read_file', { path: '/tmp/a' })).decision).toBe('allow');
    expect(evaluateTool(p, call('filesystem', 'write_file', { path: '/etc/passwd' })).decision).toBe('deny');
    expect(evaluateTool(p, call('filesystem', 'write_file', { path: '/tmp/x/y' })).decision).toBe('allow');
    expect(evaluateTool(p, call('filesystem', 'read_file', { path: '/home/u/.ssh/id_rsa' })).decision).toBe('deny');
    expect(evaluateTool(p, call('other', 'write_file', { path: '/tmp/x' }))).toMatchObject({ decision: 'ask', rule: 'policy: ask' });
  });

  it('normalises paths: /tmp/../etc is not under /tmp for allow, and is /etc for deny', () => {
    expect(evaluateTool(p, call('filesystem', 'write_file', { path: '/tmp/../etc/passwd' })).decision).toBe('deny');
    expect(evaluateTool(p, call('filesystem', 'write_file', { path: 'x/../../etc/passwd' })).decision).toBe('ask');
  });

  it('an argument the rule names but the call lacks does not match; arrays: allow needs all, deny any', () => {
    expect(evaluateTool(p, call('filesystem', 'write_file', {})).decision).toBe('ask');
    expect(evaluateTool(p, call('filesystem', 'write_file', { path: ['/tmp/a', '/tmp/b'] })).decision).toBe('allow');
    expect(evaluateTool(p, call('filesystem', 'write_file', { path: ['/tmp/a', '/etc/b'] })).decision).toBe('deny');
  });

  it('annotation rules, and a miss follows the agent mode', () => {
    expect(evaluateTool(p, call('x', 'drop', {}, { destructiveHint: true })).decision).toBe('ask');
    expect(evaluateTool(p, call('x', 'drop', {}), { agent: 'strict' }).decision).toBe('deny');
  });
});

describe('allow always', () => {
  const p = parsePolicyText('policy: ask\nallowlist: [ "git status" ]\ndenylist: [ "rm -rf *" ]\n').policy;

  it('writes the exact words, quoted so the pattern reads them back literally', () => {
    expect(alwaysRuleFor('npm install')).toBe('npm install');
    expect(alwaysRuleFor("grep 'a b' *.txt")).toBeNull(); // unquoted glob: expands at run time
    expect(alwaysRuleFor("grep 'a*b' file")).toBe("grep 'a*b' file");
    expect(alwaysRuleFor('nice -n 5 make test')).toBe('make test');
    const rule = alwaysRuleFor(`echo "it's here"`)!;
    const q = parsePolicyText(`policy: ask\nallowlist: [ ${JSON.stringify(rule)} ]\n`).policy;
    expect(evaluateCommand(q, `echo "it's here"`).decision).toBe('allow');
    expect(evaluateCommand(q, `echo "it's here" extra`).decision).toBe('ask');
  });

  it('is refused for shells, interpreters, sudo & co and anything not statically verifiable', () => {
    for (const c of ['bash -c "ls"', 'sh script.sh', 'source x.sh', '. x.sh', 'python3 x.py', 'node -e 1', 'sudo ls', 'eval ls', 'env -S "ls"', 'ls $(id)', 'ls > f', 'FOO=1 ls', 'ls "unterminated', '(ls)', 'rm -rf /']) {
      expect(alwaysRuleFor(c, p), c).toBeNull();
    }
  });

  it('never writes a rule that allows an option that runs or writes, or a program that runs another (law 4a)', () => {
    for (const c of ['sort -o out in', 'sed -i s/a/b/ f', "sed 's/a/b/e' f", 'git -c core.pager=id log', 'git log --output=x', 'git myalias', 'tar -xzf a.tgz', 'curl -o x https://a', 'make SHELL=/bin/sh', 'find . -delete', 'find . -exec ls {} \\;', 'xargs grep x', 'ssh host ls', 'rsync -e ssh a b/', 'npx cowsay', 'sort $X', 'nice sort -o x y']) {
      expect(alwaysRuleFor(c, p), c).toBeNull();
    }
    // A path the program writes by nature is written exactly as asked: the rule names it.
    expect(alwaysRuleFor('tee build.log', p)).toBe('tee build.log');
    expect(alwaysRuleFor('git log --oneline -5', p)).toBe('git log --oneline -5');
    expect(alwaysRuleFor('sort -u names.txt', p)).toBe('sort -u names.txt');
  });

  it('skips what the policy already allows; several missing commands give several rules', () => {
    expect(alwaysRuleFor('git status && npm ci', p)).toBe('npm ci');
    expect(alwaysRulesFor('npm ci && make', p)).toEqual(['npm ci', 'make']);
    expect(alwaysRuleFor('npm ci && make', p)).toBeNull();
  });
});

describe('addAllowRule', () => {
  const text = `# my policy, keep this comment
version: 1
policy: ask   # ask on a miss
allowlist:
  - pattern: "git status"   # read only
denylist: []
`;

  it('appends to the allowlist and keeps comments', () => {
    const out = addAllowRule(text, 'npm ci', { description: 'added by operator' });
    expect(out).toContain('# my policy, keep this comment');
    expect(out).toContain('# ask on a miss');
    expect(out).toContain('# read only');
    const p = parsePolicyText(out).policy;
    expect(p.global.allow.map((x) => x.source)).toEqual(['git status', 'npm ci']);
    expect(evaluateCommand(p, 'npm ci').decision).toBe('allow');
    expect(addAllowRule(out, 'npm ci')).toBe(out);
  });

  it('creates the list or the agent entry when absent', () => {
    const out = addAllowRule('policy: ask\n', "echo 'a b'", { agent: 'bot' });
    const p = parsePolicyText(out).policy;
    expect(evaluateCommand(p, "echo 'a b'", { agent: 'bot' }).decision).toBe('allow');
    expect(evaluateCommand(p, "echo 'a b'").decision).toBe('ask');
    expect(parsePolicyText(addAllowRule('policy: ask\n', 'ls')).policy.global.allow[0]!.source).toBe('ls');
  });

  it('refuses to edit an invalid policy or write an invalid pattern', () => {
    expect(() => addAllowRule('policy: nope\n', 'ls')).toThrow(PolicyError);
    expect(() => addAllowRule(text, "'unterminated")).toThrow(/unterminated/);
  });
});
