// The firewall against a running engine: REST check, exec, prompts answered by `resolve`, TTL expiry,
// tamper lockdown, and the Claude Code hook fed the JSON Claude Code sends.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cli, configHomeFor, policyPathFor, startEngine, tempStateDir, waitFor, type RunningEngine } from '../../support/engine.js';

const POLICY = `version: 1
policy: ask
ask_ttl: 60s
allowlist:
  - pattern: "echo *"
  - pattern: "git status"
denylist:
  - pattern: "rm -rf *"
tools:
  - { server: filesystem, tool: "read_*", decision: allow }
  - { server: filesystem, tool: write_file, args: { path: "/etc/**" }, decision: deny }
`;

let e: RunningEngine;
let stateDir: string;

function runExec(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, '--state-dir', stateDir, 'exec', ...args], { env: { ...process.env, XDG_CONFIG_HOME: configHomeFor(stateDir) } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  stateDir = tempStateDir();
  const policy = policyPathFor(stateDir);
  mkdirSync(dirname(policy), { recursive: true });
  writeFileSync(policy, POLICY, { mode: 0o600 });
  e = await startEngine({ stateDir });
});
afterAll(async () => {
  await e.stop();
});

describe('firewall end to end', () => {
  it('the policy found at first start is trusted as found, and the ledger says so', () => {
    const verify = cli(['ledger', 'verify', '--json'], { stateDir });
    expect(JSON.parse(verify.stdout).ok).toBe(true);
    expect(JSON.parse(cli(['status', '--json'], { stateDir }).stdout).firewall).toMatchObject({ mode: 'ask', trusted: true, lockdown: false });
  });

  it('REST check: allow, deny (chain with a denied segment), tool rules', async () => {
    const allow = await e.http('POST', '/api/firewall/check', { command: 'git status', agent: 'a1' });
    expect(allow.body.data).toMatchObject({ decision: 'allow', source: 'policy' });
    const deny = await e.http('POST', '/api/firewall/check', { command: 'echo hi && rm -rf /', agent: 'a1' });
    expect(deny.body.data).toMatchObject({ decision: 'deny', rule: 'rm -rf *' });
    expect(deny.body.data.segments).toHaveLength(2);
    const tool = await e.http('POST', '/api/firewall/check', { tool: { server: 'filesystem', tool: 'write_file', args: { path: '/etc/passwd' } } });
    expect(tool.body.data.decision).toBe('deny');
    const read = await e.http('POST', '/api/firewall/check', { tool: { server: 'filesystem', tool: 'read_text_file', args: { path: '/tmp/x' } } });
    expect(read.body.data.decision).toBe('allow');
    const bad = await e.http('POST', '/api/firewall/check', { command: 'ls', tool: { server: 'x', tool: 'y' } });
    expect(bad.status).toBe(400);
  });

  it('exec runs exactly the allowed text and refuses a denied one with 126', async () => {
    const ok = await runExec(['--agent', 'a1', '--', 'echo', 'hello', 'gatehouse']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe('hello gatehouse\n');
    const no = await runExec(['--', 'rm', '-rf', '/tmp/nothing-here']);
    expect(no.code).toBe(126);
    expect(no.stderr).toMatch(/denied by policy \(rm -rf \*\)/);
  });

  it('an ask waits for the operator: exec proceeds after `resolve ... allow`', async () => {
    const running = runExec(['--agent', 'a1', '--task', 't-9', '--', 'echo', 'approved-by-operator;', 'true']);
    const prompt = await waitFor(() => JSON.parse(cli(['pending', '--json'], { stateDir }).stdout)[0], 10_000, 'a pending prompt');
    expect(prompt).toMatchObject({ agent: 'a1', task_id: 't-9', command: 'echo approved-by-operator; true' });
    expect(prompt.segments.find((s: { verdict: string }) => s.verdict === 'ask').argv).toEqual(['true']);
    const r = cli(['resolve', prompt.id, 'allow', '--scope', 'task'], { stateDir });
    expect(r.stdout).toMatch(/allowed \(task\)/);
    const done = await running;
    expect(done.code).toBe(0);
    expect(done.stdout).toBe('approved-by-operator\n');
    // A second answer loses: the first one won.
    const late = cli(['resolve', prompt.id, 'deny'], { stateDir });
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(/already allowed/);
    // The task grant covers the same command for the same task, and nothing else.
    const again = await e.http('POST', '/api/firewall/check', { command: 'echo approved-by-operator; true', agent: 'a1', task_id: 't-9' });
    expect(again.body.data).toMatchObject({ decision: 'allow', source: 'grant' });
    const other = await e.http('POST', '/api/firewall/check', { command: 'echo approved-by-operator; true', agent: 'a1', task_id: 't-10' });
    expect(other.body.data.decision).toBe('ask');
  });

  it('deny with feedback reaches the requester', async () => {
    const running = e.http('POST', '/api/firewall/check', { command: 'make deploy', agent: 'a2', wait: true });
    const prompt = await waitFor(() => JSON.parse(cli(['pending', '--json'], { stateDir }).stdout).find((p: { command: string }) => p.command === 'make deploy'), 10_000, 'prompt');
    cli(['resolve', prompt.id, 'deny', '--reason', 'use the staging target'], { stateDir });
    const r = await running;
    expect(r.body.data).toMatchObject({ decision: 'deny', source: 'operator' });
    expect(r.body.data.reason).toMatch(/use the staging target/);
  });

  it('the Claude Code hook decides Bash, MCP and native tool calls', () => {
    const hook = (input: unknown) => cli(['hook', 'claude-code'], { stateDir, input: JSON.stringify(input) });
    const base = { session_id: 's1', transcript_path: '/tmp/t.jsonl', cwd: '/tmp', hook_event_name: 'PreToolUse' };
    const allow = hook({ ...base, tool_name: 'Bash', tool_input: { command: 'git status', description: 'status' } });
    expect(JSON.parse(allow.stdout).hookSpecificOutput).toMatchObject({ hookEventName: 'PreToolUse', permissionDecision: 'allow' });
    const deny = hook({ ...base, tool_name: 'Bash', tool_input: { command: 'rm -rf ~' } });
    expect(JSON.parse(deny.stdout).hookSpecificOutput.permissionDecision).toBe('deny');
    expect(JSON.parse(deny.stdout).hookSpecificOutput.permissionDecisionReason).toMatch(/Do not retry/);
    const ask = hook({ ...base, tool_name: 'Bash', tool_input: { command: 'curl https://example.com' } });
    expect(JSON.parse(ask.stdout).hookSpecificOutput.permissionDecision).toBe('ask');
    const mcp = hook({ ...base, tool_name: 'mcp__filesystem__write_file', tool_input: { path: '/etc/hosts', content: 'x' } });
    expect(JSON.parse(mcp.stdout).hookSpecificOutput.permissionDecision).toBe('deny');
    // A native tool is decided too: this policy has no paths rules, so a read is a miss (asked).
    const read = hook({ ...base, tool_name: 'Read', tool_input: { file_path: '/tmp/x' } });
    expect(JSON.parse(read.stdout).hookSpecificOutput.permissionDecision).toBe('ask');
    const broken = cli(['hook', 'claude-code'], { stateDir, input: '{not json' });
    expect(broken.code).toBe(2);
    // The asks the hook deferred to Claude Code are not left waiting in gatehouse.
    expect(JSON.parse(cli(['pending', '--json'], { stateDir }).stdout).filter((p: { agent: string }) => p.agent === 'claude-code')).toEqual([]);
  });

  it('an edit outside gatehouse is lockdown: every decision deny, a P0 alert', async () => {
    appendFileSync(policyPathFor(stateDir), '\n  - pattern: "curl *"\n');
    await waitFor(async () => (await e.http('GET', '/api/security/status').catch(() => null), JSON.parse(cli(['status', '--json'], { stateDir }).stdout).firewall.lockdown), 10_000, 'lockdown');
    const d = await e.http('POST', '/api/firewall/check', { command: 'git status' });
    expect(d.body.data).toMatchObject({ decision: 'deny', source: 'lockdown' });
    const alerts = await e.http('GET', '/api/alerts?severity=P0');
    expect(alerts.body.data[0]).toMatchObject({ severity: 'P0', source: 'firewall', check: 'policy_tampered' });
    expect(readFileSync(policyPathFor(stateDir), 'utf8')).toMatch(/curl/);
  });
});

describe('ask expiry', () => {
  it('no answer by the TTL is a deny recorded as expired (source timeout)', async () => {
    const dir = tempStateDir();
    mkdirSync(dirname(policyPathFor(dir)), { recursive: true });
    writeFileSync(policyPathFor(dir), POLICY.replace('ask_ttl: 60s', 'ask_ttl: 2s'), { mode: 0o600 });
    const x = await startEngine({ stateDir: dir });
    try {
      const t0 = Date.now();
      const r = await x.http('POST', '/api/firewall/check', { command: 'npm publish', agent: 'a3', wait: true });
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1900);
      expect(r.body.data).toMatchObject({ decision: 'deny', source: 'timeout' });
      expect(r.body.data.reason).toMatch(/expired/);
      expect((await x.http('GET', '/api/prompts')).body.data).toEqual([]);
      const ledger = cli(['ledger', 'verify'], { stateDir: dir });
      expect(ledger.code).toBe(0);
    } finally {
      await x.stop();
    }
  });
});

describe('hook with no engine', () => {
  it('exits 2 with the reason unless the trusted policy allows offline', () => {
    const dir = tempStateDir();
    const r = cli(['hook', 'claude-code'], { stateDir: dir, input: JSON.stringify({ tool_name: 'Bash', tool_input: { command: 'ls' } }) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/engine is unreachable/);
  });
});

describe('policy review', () => {
  it('policy verify and diff show the outside edit; policy trust --yes ends the lockdown', async () => {
    const dir = tempStateDir();
    mkdirSync(dirname(policyPathFor(dir)), { recursive: true });
    writeFileSync(policyPathFor(dir), POLICY, { mode: 0o600 });
    const x = await startEngine({ stateDir: dir });
    try {
      expect(cli(['policy', 'verify'], { stateDir: dir }).code).toBe(0);
      writeFileSync(policyPathFor(dir), POLICY.replace('  - pattern: "git status"\n', '  - pattern: "git status"\n  - pattern: "make *"\n'));
      await waitFor(() => JSON.parse(cli(['status', '--json'], { stateDir: dir }).stdout).firewall.lockdown, 10_000, 'lockdown');
      const verify = cli(['policy', 'verify'], { stateDir: dir });
      expect(verify.code).toBe(1);
      expect(verify.stdout).toMatch(/CHANGED outside gatehouse/);
      expect(cli(['policy', 'diff'], { stateDir: dir }).stdout).toMatch(/^\+ {2}- pattern: "make \*"$/m);
      const refused = cli(['policy', 'trust'], { stateDir: dir });
      expect(refused.code).toBe(2);
      const trusted = cli(['policy', 'trust', '--yes'], { stateDir: dir });
      expect(trusted.stderr + trusted.stdout).toMatch(/trusted: sha256/);
      const d = await x.http('POST', '/api/firewall/check', { command: 'make all' });
      expect(d.body.data).toMatchObject({ decision: 'allow', source: 'policy' });
      expect(cli(['ledger', 'verify'], { stateDir: dir }).code).toBe(0);
    } finally {
      await x.stop();
    }
  });
});
