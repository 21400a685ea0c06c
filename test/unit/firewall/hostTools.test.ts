// Each agent host's tools → actions (docs/agent-hosts.md), and each host's reading of its hook input and
// its answers: the documented deny format, and a block that the host cannot read as an allow.
import { describe, expect, it } from 'vitest';
import * as mappers from '../../../src/engine/firewall/index.js';
import { claudeCodeActions, clineActions, codexActions, copilotActions, cursorActions, patchActions, windsurfActions } from '../../../src/engine/firewall/index.js';
import { HOSTS, HOOK_HOSTS } from '../../../src/cli/agentHosts.js';

describe('Claude Code: every tool of code.claude.com/docs/en/tools-reference is decided or known inert', () => {
  const table: [string, Record<string, unknown>, unknown][] = [
    ['Bash', { command: 'ls' }, { actions: [{ kind: 'exec', command: 'ls' }] }],
    ['PowerShell', { command: 'Get-ChildItem' }, { actions: [{ kind: 'exec', command: 'Get-ChildItem' }] }],
    ['Read', { file_path: '/h/.ssh/id_rsa' }, { actions: [{ kind: 'read', path: '/h/.ssh/id_rsa' }] }],
    ['Write', { file_path: '/h/.bashrc', content: '' }, { actions: [{ kind: 'write', path: '/h/.bashrc' }] }],
    ['Edit', { file_path: '/w/a.ts' }, { actions: [{ kind: 'write', path: '/w/a.ts' }] }],
    ['MultiEdit', { file_path: '/w/a.ts', edits: [] }, { actions: [{ kind: 'write', path: '/w/a.ts' }] }],
    ['NotebookEdit', { notebook_path: '/w/n.ipynb' }, { actions: [{ kind: 'write', path: '/w/n.ipynb' }] }],
    ['Glob', { pattern: '~/.ssh/*' }, { actions: [{ kind: 'read', path: '/w', recursive: true }, { kind: 'read', path: '~/.ssh/*' }] }],
    ['Grep', { pattern: 'x', path: '/h/.aws' }, { actions: [{ kind: 'read', path: '/h/.aws', recursive: true }] }],
    ['WebFetch', { url: 'http://169.254.169.254/' }, { actions: [{ kind: 'fetch', url: 'http://169.254.169.254/' }] }],
    ['WebSearch', { query: 'q' }, { actions: [{ kind: 'fetch', query: 'q' }] }],
    ['Agent', { description: 'explore' }, { actions: [{ kind: 'agent', description: 'explore' }] }],
    ['Task', { description: 'explore' }, { actions: [{ kind: 'agent', description: 'explore' }] }],
    ['Skill', { skill: 'pdf' }, { actions: [{ kind: 'agent', description: 'skill pdf' }] }],
    ['LSP', { filePath: '/h/.netrc', operation: 'hover' }, { actions: [{ kind: 'read', path: '/h/.netrc' }] }],
    ['Artifact', { file_path: '/h/.aws/credentials' }, { actions: [{ kind: 'read', path: '/h/.aws/credentials' }] }],
    ['EnterWorktree', {}, { actions: [{ kind: 'write', path: '/w' }] }],
    ['ReadMcpResourceTool', { server: 'fs', uri: 'file:///etc/shadow' }, { actions: [{ kind: 'mcp', call: { server: 'fs', tool: 'resources/read', args: { uri: 'file:///etc/shadow' } } }] }],
    ['mcp__filesystem__read_file', { path: '/x' }, { actions: [{ kind: 'mcp', call: { server: 'filesystem', tool: 'read_file', args: { path: '/x' } } }] }],
  ];
  it.each(table)('%s', (tool, input, want) => expect(claudeCodeActions(tool, input, '/w')).toEqual(want));

  it('knows the tools that touch nothing outside the session', () => {
    for (const t of ['TodoWrite', 'TaskCreate', 'TaskGet', 'TaskList', 'TaskUpdate', 'TaskOutput', 'TaskStop', 'CronCreate', 'CronDelete', 'CronList', 'EnterPlanMode', 'ExitPlanMode', 'AskUserQuestion', 'ToolSearch', 'ListMcpResourcesTool']) {
      expect(claudeCodeActions(t, {}, '/w'), t).toEqual({ inert: true });
    }
  });

  it('an Artifact naming no file, and a tool it has never heard of, are not guessed', () => {
    expect(claudeCodeActions('Artifact', {}, '/w')).toEqual({ unknown: 'Artifact' });
    expect(claudeCodeActions('FutureTool', {}, '/w')).toEqual({ unknown: 'FutureTool' });
  });
});

describe('Codex', () => {
  it('maps Bash, apply_patch (every file its patch names), spawn_agent and MCP tools', () => {
    expect(codexActions('Bash', { command: 'cat ~/.ssh/id_rsa' }, '/w')).toEqual({ actions: [{ kind: 'exec', command: 'cat ~/.ssh/id_rsa' }] });
    expect(codexActions('Bash', { command: ['bash', '-lc', "echo 'a b'"] }, '/w')).toEqual({ actions: [{ kind: 'exec', command: `bash -lc 'echo '\\''a b'\\'''` }] });
    const patch = '*** Begin Patch\n*** Update File: src/a.ts\n@@\n-a\n+b\n*** Add File: /home/u/.bashrc\n+curl x|sh\n*** Delete File: old.ts\n*** Update File: b.ts\n*** Move to: ../../.ssh/authorized_keys\n*** End Patch';
    expect(codexActions('apply_patch', { command: patch }, '/w')).toEqual({
      actions: [
        { kind: 'write', path: '/w/src/a.ts' },
        { kind: 'write', path: '/home/u/.bashrc' },
        { kind: 'delete', path: '/w/old.ts' },
        { kind: 'write', path: '/w/b.ts' },
        { kind: 'write', path: '/w/../../.ssh/authorized_keys' },
      ],
    });
    expect(codexActions('spawn_agent', { message: 'review' }, '/w')).toEqual({ actions: [{ kind: 'agent', description: 'review' }] });
    expect(codexActions('mcp__gh__get_file', { path: 'x' }, '/w')).toEqual({ actions: [{ kind: 'mcp', call: { server: 'gh', tool: 'get_file', args: { path: 'x' } } }] });
  });

  it('refuses what cannot be judged', () => {
    expect(codexActions('Bash', {}, '/w')).toHaveProperty('invalid');
    expect(codexActions('apply_patch', { command: 'no headers here' }, '/w')).toHaveProperty('invalid');
    expect(patchActions(Array.from({ length: 70 }, (_, i) => `*** Add File: f${i}`).join('\n'), '/w')).toMatch(/more than 64/);
    expect(codexActions('view_image', {}, '/w')).toEqual({ unknown: 'view_image' });
  });
});

describe('Cursor', () => {
  it('maps each event to its one kind of call', () => {
    expect(cursorActions('beforeShellExecution', { command: 'npm test', cwd: '/w' })).toEqual({ actions: [{ kind: 'exec', command: 'npm test' }] });
    expect(cursorActions('beforeReadFile', { file_path: '/w/.env', content: 'X=1' })).toEqual({ actions: [{ kind: 'read', path: '/w/.env' }] });
    expect(cursorActions('beforeMCPExecution', { tool_name: 'query', tool_input: '{"sql":"select 1"}', command: 'npx -y @acme/db-mcp' })).toEqual({
      actions: [{ kind: 'mcp', call: { server: 'db-mcp', tool: 'query', args: { sql: 'select 1' } } }],
    });
    expect(cursorActions('beforeMCPExecution', { tool_name: 'q', tool_input: { a: 1 }, url: 'http://localhost:3000/mcp' })).toEqual({
      actions: [{ kind: 'mcp', call: { server: 'localhost:3000', tool: 'q', args: { a: 1 } } }],
    });
    expect(cursorActions('beforeMCPExecution', { tool_name: 'q', tool_input: '{nope' })).toHaveProperty('invalid');
    expect(cursorActions('beforeReadFile', {})).toHaveProperty('invalid');
  });
});

describe('Copilot CLI', () => {
  it('maps its documented tool names', () => {
    expect(copilotActions('bash', { command: 'rm -rf dist', description: 'clean' }, '/w')).toEqual({ actions: [{ kind: 'exec', command: 'rm -rf dist' }] });
    expect(copilotActions('view', { path: '/h/.ssh/id_ed25519' }, '/w')).toEqual({ actions: [{ kind: 'read', path: '/h/.ssh/id_ed25519' }] });
    expect(copilotActions('edit', { path: 'src/a.ts' }, '/w')).toEqual({ actions: [{ kind: 'write', path: '/w/src/a.ts' }] });
    expect(copilotActions('create', { path: '/h/.bashrc', file_text: 'x' }, '/w')).toEqual({ actions: [{ kind: 'write', path: '/h/.bashrc' }] });
    expect(copilotActions('grep', { pattern: 'k', path: '/h/.aws' }, '/w')).toEqual({ actions: [{ kind: 'read', path: '/h/.aws', recursive: true }] });
    expect(copilotActions('web_fetch', { url: 'http://169.254.169.254/' }, '/w')).toEqual({ actions: [{ kind: 'fetch', url: 'http://169.254.169.254/' }] });
    expect(copilotActions('task', { description: 'x' }, '/w')).toEqual({ actions: [{ kind: 'agent', description: 'x' }] });
    expect(copilotActions('ask_user', {}, '/w')).toEqual({ inert: true });
    expect(copilotActions('view', {}, '/w')).toHaveProperty('invalid');
    expect(copilotActions('github-mcp-server-get_file', {}, '/w')).toEqual({ unknown: 'github-mcp-server-get_file' });
  });
});

describe('Windsurf', () => {
  it('maps its pre-hooks', () => {
    expect(windsurfActions('pre_run_command', { command_line: 'go test ./...', cwd: '/w' })).toEqual({ actions: [{ kind: 'exec', command: 'go test ./...' }] });
    expect(windsurfActions('pre_read_code', { file_path: '/h/.netrc' })).toEqual({ actions: [{ kind: 'read', path: '/h/.netrc' }] });
    expect(windsurfActions('pre_write_code', { file_path: '/h/.profile', edits: [] })).toEqual({ actions: [{ kind: 'write', path: '/h/.profile' }] });
    expect(windsurfActions('pre_mcp_tool_use', { mcp_server_name: 'fs', mcp_tool_name: 'read', mcp_tool_arguments: { path: '/x' } })).toEqual({ actions: [{ kind: 'mcp', call: { server: 'fs', tool: 'read', args: { path: '/x' } } }] });
    expect(windsurfActions('pre_run_command', {})).toHaveProperty('invalid');
  });
});

describe('Cline', () => {
  it('maps its tools, relative paths against the workspace root', () => {
    expect(clineActions('execute_command', { command: 'npm test', requires_approval: 'false' }, '/w')).toEqual({ actions: [{ kind: 'exec', command: 'npm test' }] });
    expect(clineActions('read_file', { path: '../.ssh/id_rsa' }, '/w')).toEqual({ actions: [{ kind: 'read', path: '/w/../.ssh/id_rsa' }] });
    expect(clineActions('search_files', { path: '.', regex: 'x' }, '/w')).toEqual({ actions: [{ kind: 'read', path: '/w/.', recursive: true }] });
    expect(clineActions('write_to_file', { path: '/h/.bashrc', content: 'x' }, '/w')).toEqual({ actions: [{ kind: 'write', path: '/h/.bashrc' }] });
    expect(clineActions('replace_in_file', { path: 'src/a.ts', diff: '' }, '/w')).toEqual({ actions: [{ kind: 'write', path: '/w/src/a.ts' }] });
    expect(clineActions('web_fetch', { url: 'http://169.254.169.254/' }, '/w')).toEqual({ actions: [{ kind: 'fetch', url: 'http://169.254.169.254/' }] });
    expect(clineActions('browser_action', { action: 'launch', url: 'http://localhost:3000' }, '/w')).toEqual({ actions: [{ kind: 'fetch', url: 'http://localhost:3000' }] });
    expect(clineActions('browser_action', { action: 'click', coordinate: '1,2' }, '/w')).toEqual({ inert: true });
    expect(clineActions('use_mcp_tool', { server_name: 'fs', tool_name: 'read_file', arguments: '{"path":"/etc/shadow"}' }, '/w')).toEqual({ actions: [{ kind: 'mcp', call: { server: 'fs', tool: 'read_file', args: { path: '/etc/shadow' } } }] });
    expect(clineActions('use_mcp_tool', { server_name: 'fs', tool_name: 'x', arguments: '{bad' }, '/w')).toHaveProperty('invalid');
    expect(clineActions('attempt_completion', { result: 'done' }, '/w')).toEqual({ inert: true });
    expect(clineActions('read_file', {}, '/w')).toHaveProperty('invalid');
    expect(clineActions('some_new_tool', {}, '/w')).toEqual({ unknown: 'some_new_tool' });
  });
});

describe("each host's input and answers", () => {
  const reason = 'gatehouse denied this: a credential file';
  it('reads each documented input into a call', () => {
    const cases: [string, unknown, string, unknown][] = [
      ['claude-code', { hook_event_name: 'PreToolUse', tool_name: 'Read', tool_input: { file_path: '/a' }, cwd: '/w' }, 'Read', { actions: [{ kind: 'read', path: '/a' }] }],
      ['codex', { hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'ls' }, cwd: '/w', model: 'm', turn_id: 't' }, 'Bash', { actions: [{ kind: 'exec', command: 'ls' }] }],
      ['cursor', { hook_event_name: 'beforeReadFile', file_path: '/a', content: '', workspace_roots: ['/w'] }, 'Read', { actions: [{ kind: 'read', path: '/a' }] }],
      ['copilot-cli', { timestamp: 1, cwd: '/w', toolName: 'view', toolArgs: '{"path":"/a"}' }, 'view', { actions: [{ kind: 'read', path: '/a' }] }],
      ['copilot-cli', { hook_event_name: 'PreToolUse', cwd: '/w', tool_name: 'view', tool_input: { path: '/a' } }, 'view', { actions: [{ kind: 'read', path: '/a' }] }],
      ['windsurf', { agent_action_name: 'pre_read_code', trajectory_id: 't', tool_info: { file_path: '/a' } }, 'read_code', { actions: [{ kind: 'read', path: '/a' }] }],
      ['cline', { clineVersion: '3', hookName: 'PreToolUse', taskId: 't', workspaceRoots: ['/w'], preToolUse: { tool: 'read_file', parameters: { path: 'a' } } }, 'read_file', { actions: [{ kind: 'read', path: '/w/a' }] }],
    ];
    for (const [host, raw, tool, want] of cases) {
      const call = HOSTS[host as keyof typeof HOSTS].parse(raw);
      expect(call.toolName, host).toBe(tool);
      expect(call.map(mappers), host).toEqual(want);
    }
    expect(HOSTS.cursor.parse({ hook_event_name: 'beforeReadFile', file_path: '/a', workspace_roots: ['/w'] }).cwd).toBe('/w');
  });

  it('refuses input it cannot read, naming what is wrong', () => {
    expect(() => HOSTS['claude-code'].parse({ tool_input: {} })).toThrow(/tool_name/);
    expect(() => HOSTS['claude-code'].parse({ hook_event_name: 'Stop', tool_name: 'x' })).toThrow(/register it under hooks.PreToolUse/);
    expect(() => HOSTS.cursor.parse({ hook_event_name: 'afterFileEdit' })).toThrow(/beforeShellExecution/);
    expect(() => HOSTS['copilot-cli'].parse({ toolName: 'bash', toolArgs: '{oops' })).toThrow(/toolArgs is not JSON/);
    expect(() => HOSTS['copilot-cli'].parse({ toolName: 'bash', toolResult: {} })).toThrow(/preToolUse/);
    expect(() => HOSTS.windsurf.parse({ agent_action_name: 'post_write_code', tool_info: {} })).toThrow(/pre_run_command/);
  });

  it("answers a deny in each host's documented format", () => {
    const call = (host: string, raw: unknown) => HOSTS[host as keyof typeof HOSTS].parse(raw);
    expect(JSON.parse(HOSTS['claude-code'].answer('deny', reason, call('claude-code', { tool_name: 'Read' })).stdout!)).toEqual({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: reason } });
    expect(JSON.parse(HOSTS.codex.answer('deny', reason, call('codex', { tool_name: 'Bash' })).stdout!).hookSpecificOutput.permissionDecision).toBe('deny');
    expect(JSON.parse(HOSTS.cursor.answer('deny', reason, call('cursor', { hook_event_name: 'beforeShellExecution', command: 'x' })).stdout!)).toEqual({ permission: 'deny', user_message: reason, agent_message: reason });
    expect(JSON.parse(HOSTS.cursor.answer('deny', reason, call('cursor', { hook_event_name: 'beforeReadFile', file_path: '/a' })).stdout!)).toEqual({ permission: 'deny' });
    expect(JSON.parse(HOSTS['copilot-cli'].answer('deny', reason, call('copilot-cli', { toolName: 'bash' })).stdout!)).toEqual({ permissionDecision: 'deny', permissionDecisionReason: reason });
    expect(JSON.parse(HOSTS.cline.answer('deny', reason, call('cline', { preToolUse: { tool: 'read_file' } })).stdout!)).toEqual({ cancel: true, errorMessage: reason });
    const w = HOSTS.windsurf.answer('deny', reason, call('windsurf', { agent_action_name: 'pre_run_command', tool_info: {} }));
    expect(w.exitCode).toBe(2);
    expect(w.stderr).toContain(reason);
  });

  it('answers allow and ask as each host can take them', () => {
    const codex = HOSTS.codex.parse({ tool_name: 'Bash' });
    // Codex refuses allow without updatedInput and ask as invalid output: it gets silence (its own approvals apply).
    expect(HOSTS.codex.answer('allow', 'ok', codex)).toEqual({ stdout: '', exitCode: 0 });
    expect(JSON.parse(HOSTS.codex.answer('ask', 'why', codex).stdout!)).toEqual({ systemMessage: 'why' });
    const ws = HOSTS.windsurf.parse({ agent_action_name: 'pre_run_command', tool_info: { command_line: 'x' } });
    expect(HOSTS.windsurf.answer('allow', 'ok', ws)).toEqual({ exitCode: 0 });
    expect(HOSTS.windsurf.answer('ask', 'why', ws).exitCode).toBe(2);
    const cur = HOSTS.cursor.parse({ hook_event_name: 'beforeReadFile', file_path: '/a' });
    expect(JSON.parse(HOSTS.cursor.answer('ask', 'why', cur).stdout!)).toEqual({ permission: 'deny' });
  });

  it('blocks on failure in a way each host reads as a block, never as no opinion', () => {
    for (const host of HOOK_HOSTS) {
      const r = HOSTS[host].block('the engine is unreachable');
      if (host === 'copilot-cli') {
        // Copilot CLI skips a failing hook: the block must be a deny on stdout with exit 0.
        expect(r.exitCode).toBe(0);
        expect(JSON.parse(r.stdout!).permissionDecision).toBe('deny');
      } else if (host === 'cline') {
        // Cline honours its JSON whatever the exit code and runs the tool when a hook fails without it.
        expect(JSON.parse(r.stdout!).cancel).toBe(true);
      } else {
        expect(r.exitCode, host).toBe(2);
        expect(r.stderr, host).toMatch(/engine is unreachable/);
      }
    }
    expect(JSON.parse(HOSTS.cursor.block('x').stdout!).permission).toBe('deny');
  });
});
