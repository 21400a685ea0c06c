// `gatehouse setup <host>` (docs/policy.md): the registration is idempotent, keeps the host's other
// settings, can be checked and removed, and the command it registers is the real hook: the host runs
// it (here through `sh -c`, as Claude Code and Gemini CLI do) and a real engine decides.
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, startEngine, tempStateDir, type RunningEngine } from '../../support/engine.js';
import { runAsHost } from '../../support/hookHost.js';

let e: RunningEngine;
let stateDir: string;
let dir: string;

beforeAll(async () => {
  stateDir = tempStateDir();
  dir = join(stateDir, '..', `hostcfg-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  e = await startEngine({ stateDir });
});
afterAll(async () => {
  await e.stop();
});


describe('gatehouse setup claude-code', () => {
  it('registers PreToolUse and PostToolUse for every tool, keeps other settings, and is idempotent', () => {
    const settings = join(dir, 'settings.json');
    writeFileSync(settings, JSON.stringify({ model: 'opus', hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: '/usr/local/bin/other-hook' }] }] } }));
    const first = cli(['setup', 'claude-code', '--settings', settings], { stateDir });
    expect(first.code).toBe(0);
    const s = JSON.parse(readFileSync(settings, 'utf8'));
    expect(s.model).toBe('opus');
    for (const ev of ['PreToolUse', 'PostToolUse']) {
      const ours = s.hooks[ev][0];
      expect(ours.matcher).toBe('*');
      expect(ours.hooks[0].timeout).toBe(30);
      expect(ours.hooks[0].command).toContain(`'${process.execPath}'`);
      expect(ours.hooks[0].command).toMatch(/'\/[^']*\/bin\/gatehouse\.js' --state-dir '\/[^']*' hook claude-code/);
    }
    expect(s.hooks.PreToolUse[1].hooks[0].command).toBe('/usr/local/bin/other-hook');
    const again = cli(['setup', 'claude-code', '--settings', settings], { stateDir });
    expect(again.stdout).toMatch(/nothing changed/);
    expect(JSON.parse(readFileSync(settings, 'utf8'))).toEqual(s);
    expect(cli(['setup', 'claude-code', '--settings', settings, '--check'], { stateDir }).code).toBe(0);
  });

  it('the registered command is the real hook: a credential read is denied, the workspace read allowed', () => {
    const settings = join(dir, 'settings.json');
    const command = JSON.parse(readFileSync(settings, 'utf8')).hooks.PreToolUse[0].hooks[0].command as string;
    const base = { session_id: 's', transcript_path: '/tmp/t', cwd: dir, hook_event_name: 'PreToolUse' };
    const deny = runAsHost(command, { ...base, tool_name: 'Read', tool_input: { file_path: join(homedir(), '.ssh', 'id_rsa') } });
    expect(JSON.parse(deny.stdout).hookSpecificOutput.permissionDecision).toBe('deny');
    const allow = runAsHost(command, { ...base, tool_name: 'Read', tool_input: { file_path: join(dir, 'notes.md') } });
    expect(JSON.parse(allow.stdout).hookSpecificOutput.permissionDecision).toBe('allow');
  });

  it('--check fails on a stale or missing registration; --remove takes only what setup added', () => {
    const settings = join(dir, 'settings.json');
    const s = JSON.parse(readFileSync(settings, 'utf8'));
    s.hooks.PostToolUse = [];
    writeFileSync(settings, JSON.stringify(s));
    const check = cli(['setup', 'claude-code', '--settings', settings, '--check'], { stateDir });
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/PostToolUse: no gatehouse hook/);
    expect(cli(['setup', 'claude-code', '--settings', settings, '--check'], { stateDir: tempStateDir() }).stdout).toMatch(/not the current one/);
    expect(cli(['setup', 'claude-code', '--settings', settings, '--remove'], { stateDir }).code).toBe(0);
    const after = JSON.parse(readFileSync(settings, 'utf8'));
    expect(after).toEqual({ model: 'opus', hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: '/usr/local/bin/other-hook' }] }] } });
  });

  it('refuses a symlinked or broken settings file', () => {
    const real = join(dir, 'real.json');
    writeFileSync(real, '{}');
    const link = join(dir, 'link.json');
    symlinkSync(real, link);
    const r = cli(['setup', 'claude-code', '--settings', link], { stateDir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/symlink/);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ not json');
    expect(cli(['setup', 'claude-code', '--settings', broken], { stateDir }).stderr).toMatch(/not valid JSON/);
    expect(readFileSync(broken, 'utf8')).toBe('{ not json');
  });
});

describe('gatehouse setup gemini-cli', () => {
  it('registers BeforeTool and AfterTool; the command decides Gemini tool calls', () => {
    const settings = join(dir, 'gemini.json');
    expect(cli(['setup', 'gemini-cli', '--settings', settings], { stateDir }).code).toBe(0);
    const s = JSON.parse(readFileSync(settings, 'utf8'));
    expect(s.hooks.BeforeTool[0]).toMatchObject({ matcher: '.*', hooks: [{ type: 'command', name: 'gatehouse', timeout: 30_000 }] });
    expect(s.hooks.AfterTool[0].hooks[0].command).toMatch(/hook gemini-cli --agent 'gemini-cli'/);
    const command = s.hooks.BeforeTool[0].hooks[0].command as string;
    const base = { session_id: 's', transcript_path: '/tmp/t', cwd: dir, hook_event_name: 'BeforeTool', timestamp: new Date().toISOString() };
    const deny = runAsHost(command, { ...base, tool_name: 'run_shell_command', tool_input: { command: 'cat ~/.aws/credentials' } });
    expect(JSON.parse(deny.stdout)).toMatchObject({ decision: 'deny' });
    const fetch = runAsHost(command, { ...base, tool_name: 'web_fetch', tool_input: { prompt: 'summarise http://169.254.169.254/latest/meta-data/' } });
    expect(JSON.parse(fetch.stdout)).toMatchObject({ decision: 'deny' });
    const allow = runAsHost(command, { ...base, tool_name: 'read_file', tool_input: { absolute_path: join(dir, 'a.ts') } });
    expect(JSON.parse(allow.stdout)).toMatchObject({ decision: 'allow' });
  });
});
