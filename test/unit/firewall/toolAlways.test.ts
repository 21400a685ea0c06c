// "Allow always" for MCP tool calls: the narrowest tools rule, where it is refused, and the policy edit.
import { describe, it, expect } from 'vitest';
import { addToolRule, alwaysToolRule, evaluateTool, parsePolicyText, PolicyError } from '../../../src/engine/firewall/index.js';

const POLICY = `# operator's note: keep me
version: 1
policy: ask
tools:
  - { server: filesystem, tool: "read_*", decision: allow }
  - { server: filesystem, tool: write_file, args: { path: "/etc/**" }, decision: deny }
  - { server: shell, tool: run, decision: ask }
agents: {}
`;
const policy = parsePolicyText(POLICY).policy;
const call = (server: string, tool: string, args: Record<string, unknown> = {}) => ({ server, tool, args });

describe('allow always for tool calls: the rule', () => {
  it('pins the server, the tool and every argument to the value asked for', () => {
    const made = alwaysToolRule(call('github', 'create_issue', { title: 'x', repo: 'o/r', draft: false, n: 3 }), policy, 'a1');
    expect(made).toEqual({
      rule: { server: 'github', tool: 'create_issue', args: { draft: false, n: 3, repo: 'o/r', title: 'x' }, decision: 'allow' },
      text: 'tools: github/create_issue args {"draft":false,"n":3,"repo":"o/r","title":"x"} → allow',
    });
  });

  it('the written rule allows that call and not the same tool with another value', () => {
    const made = alwaysToolRule(call('filesystem', 'write_file', { path: '/home/u/a.txt' }), policy, 'a1');
    if (!('rule' in made)) throw new Error(made.refused);
    const after = parsePolicyText(addToolRule(POLICY, made.rule, { agent: 'a1' })).policy;
    expect(evaluateTool(after, call('filesystem', 'write_file', { path: '/home/u/a.txt' }), { agent: 'a1' })).toMatchObject({ decision: 'allow', rule: made.text });
    expect(evaluateTool(after, call('filesystem', 'write_file', { path: '/home/u/b.txt' }), { agent: 'a1' }).decision).toBe('ask');
    // Arguments the call did not send stay free, as in any tools rule.
    expect(evaluateTool(after, call('filesystem', 'write_file', { path: '/home/u/a.txt', mode: 'append' }), { agent: 'a1' }).decision).toBe('allow');
    // Only the asking agent's own section gets it.
    expect(evaluateTool(after, call('filesystem', 'write_file', { path: '/home/u/a.txt' }), { agent: 'a2' }).decision).toBe('ask');
  });

  it('is refused where a rule would be wider than the call or could not allow it', () => {
    const refused = (c: ReturnType<typeof call>) => {
      const made = alwaysToolRule(c, policy, 'a1');
      return 'refused' in made ? made.refused : null;
    };
    expect(refused(call('*', 'x'))).toMatch(/wildcard/);
    expect(refused(call('github', 'create_*'))).toMatch(/wildcard/);
    expect(refused(call('fs', 'find', { pattern: '*.ts' }))).toMatch(/'\*'/);
    expect(refused(call('fs', 'write', { body: 'x'.repeat(600) }))).toMatch(/too long/);
    expect(refused(call('fs', 'write', { paths: ['/a', '/b'] }))).toMatch(/a list/);
    expect(refused(call('fs', 'write', { opts: { recursive: true } }))).toMatch(/an object/);
    expect(refused(call('filesystem', 'write_file', { path: '/etc/passwd' }))).toMatch(/deny rule/);
    expect(refused(call('shell', 'run', { cmd: 'ls' }))).toMatch(/would not allow/);
    expect(refused(call('filesystem', 'read_file', { path: '/tmp/x' }))).toMatch(/already allows/);
  });
});

describe('addToolRule', () => {
  it('appends to the agent’s own tools, keeps comments and layout, and is idempotent', () => {
    const rule = { server: 'github', tool: 'create_issue', args: { title: 'x' }, decision: 'allow' as const };
    const once = addToolRule(POLICY, rule, { agent: 'build-bot', description: 'allowed always by op' });
    expect(once).toMatch(/^# operator's note: keep me$/m);
    expect(once).toContain('  - { server: filesystem, tool: "read_*", decision: allow }');
    const parsed = parsePolicyText(once).policy;
    expect(parsed.file.agents['build-bot']!.tools).toEqual([{ ...rule, description: 'allowed always by op' }]);
    expect(parsed.file.tools).toHaveLength(3);
    expect(addToolRule(once, rule, { agent: 'build-bot', description: 'again' })).toBe(once);
  });

  it('writes to the global tools for the default agent, creating the list when absent', () => {
    const text = addToolRule('version: 1\npolicy: allowlist\n', { server: 's', tool: 't', decision: 'allow' });
    expect(parsePolicyText(text).policy.file.tools).toEqual([{ server: 's', tool: 't', decision: 'allow' }]);
  });

  it('refuses to edit a policy that does not load', () => {
    expect(() => addToolRule('version: 1\npolicy: maybe\n', { server: 's', tool: 't', decision: 'allow' })).toThrow(PolicyError);
    expect(() => addToolRule('version: 1\npolicy: ask\ntools: 3\n', { server: 's', tool: 't', decision: 'allow' })).toThrow(PolicyError);
  });
});
