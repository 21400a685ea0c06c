// The tools of agent hosts other than Claude Code and Gemini CLI (docs/agent-hosts.md), each host's
// tool names and arguments → actions, one table per host. Every host's source is named beside its
// table; a tool a host does not document is `unknown` (the hook answers it as that host's ask).
import type { Action, MappedCall } from './actions.js';
import { claudeCodeActions, parseMcpToolName } from './actions.js';

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
const abs = (p: string, cwd: string | null): string => (p.startsWith('/') || p.startsWith('~') || p.startsWith('$') || !cwd ? p : `${cwd}/${p}`);

/** An argv array as one shell line, each word quoted where the shell would read it otherwise. */
function argvLine(argv: unknown[]): string | null {
  if (!argv.length || argv.some((w) => typeof w !== 'string')) return null;
  return (argv as string[]).map((w) => (/^[A-Za-z0-9_./=:,@%+-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/**
 * The files an apply_patch envelope touches (Codex's patch format: `*** Add File: P`, `*** Update File: P`,
 * `*** Delete File: P`, `*** Move to: P`). A patch naming no file is invalid: nothing can be judged.
 */
export function patchActions(patch: string, cwd: string | null): Action[] | string {
  const out: Action[] = [];
  for (const line of patch.split('\n').slice(0, 100_000)) {
    const m = /^\*\*\* (Add File|Update File|Delete File|Move to): (.+?)\s*$/.exec(line);
    if (!m) continue;
    const path = abs(m[2]!, cwd);
    out.push(m[1] === 'Delete File' ? { kind: 'delete', path } : { kind: 'write', path });
    if (out.length > 64) return 'apply_patch names more than 64 files';
  }
  return out.length ? out : 'apply_patch names no file (no "*** Add File:", "*** Update File:", "*** Delete File:" line)';
}

/**
 * OpenAI Codex CLI (PreToolUse `tool_name`, `tool_input`; github.com/openai/codex codex-rs/hooks):
 * Bash → exec (`tool_input.command`); apply_patch → write/delete of each file its patch names;
 * spawn_agent → agent; mcp__S__T → mcp. Other tools Codex runs without a hook.
 */
export function codexActions(toolName: string, input: Record<string, unknown>, cwd: string | null): MappedCall {
  switch (toolName) {
    case 'Bash': {
      const command = Array.isArray(input.command) ? argvLine(input.command) : str(input.command);
      return command ? { actions: [{ kind: 'exec', command }] } : { invalid: 'Bash tool_input.command is missing' };
    }
    case 'apply_patch': {
      const patch = str(input.command) ?? str(input.patch) ?? str(input.input);
      if (!patch) return { invalid: 'apply_patch tool_input.command (the patch) is missing' };
      const actions = patchActions(patch, cwd);
      return typeof actions === 'string' ? { invalid: actions } : { actions };
    }
    case 'spawn_agent':
      return { actions: [{ kind: 'agent', description: str(input.message) ?? str(input.description) ?? str(input.agent_type) ?? 'sub-agent' }] };
  }
  const mcp = parseMcpToolName(toolName);
  if (mcp) return { actions: [{ kind: 'mcp', call: { ...mcp, args: input } }] };
  return { unknown: toolName };
}

/**
 * Cursor (hooks.json, version 1): each hook event is one kind of call. beforeShellExecution → exec
 * (`command`, `cwd`); beforeReadFile → read (`file_path`); beforeMCPExecution → mcp (`tool_name`,
 * `tool_input` as an object or a JSON string; the server named by its `url` or `command`).
 */
export function cursorActions(event: string, input: Record<string, unknown>): MappedCall {
  switch (event) {
    case 'beforeShellExecution': {
      const command = str(input.command);
      return command ? { actions: [{ kind: 'exec', command }] } : { invalid: 'beforeShellExecution: command is missing' };
    }
    case 'beforeReadFile': {
      const p = str(input.file_path);
      return p ? { actions: [{ kind: 'read', path: p }] } : { invalid: 'beforeReadFile: file_path is missing' };
    }
    case 'beforeMCPExecution': {
      const tool = str(input.tool_name);
      if (!tool) return { invalid: 'beforeMCPExecution: tool_name is missing' };
      let args: unknown = input.tool_input ?? {};
      if (typeof args === 'string') {
        try {
          args = JSON.parse(args || '{}');
        } catch {
          return { invalid: 'beforeMCPExecution: tool_input is not JSON' };
        }
      }
      if (!args || typeof args !== 'object' || Array.isArray(args)) return { invalid: 'beforeMCPExecution: tool_input is not an object' };
      return { actions: [{ kind: 'mcp', call: { server: cursorServer(input), tool, args: args as Record<string, unknown> } }] };
    }
  }
  return { unknown: event };
}

/** Cursor names an MCP call's tool but not its server: the server is named after its URL's host or its command. */
function cursorServer(input: Record<string, unknown>): string {
  const url = str(input.url);
  if (url) {
    try {
      return new URL(url).host || 'mcp';
    } catch {
      return 'mcp';
    }
  }
  const cmd = str(input.command);
  const word = cmd?.trim().split(/\s+/).find((w) => !/^(npx|uvx|node|python3?|bunx|-y|--yes)$/.test(w));
  return (word?.split('/').pop() ?? 'mcp').slice(0, 200) || 'mcp';
}

/**
 * GitHub Copilot CLI (preToolUse `toolName`, `toolArgs` as a JSON string; docs.github.com copilot
 * cli-hooks-reference, hooks-configuration): bash, powershell → exec; view → read; create, edit → write;
 * glob, grep → read of the searched directory; web_fetch → fetch; task → agent; ask_user → nothing outside.
 */
export function copilotActions(toolName: string, input: Record<string, unknown>, cwd: string | null): MappedCall {
  const p = str(input.path) ?? str(input.file_path);
  switch (toolName) {
    case 'bash':
    case 'powershell': {
      const command = str(input.command);
      return command ? { actions: [{ kind: 'exec', command }] } : { invalid: `${toolName} toolArgs.command is missing` };
    }
    case 'view':
      return p ? { actions: [{ kind: 'read', path: abs(p, cwd) }] } : { invalid: 'view toolArgs.path is missing' };
    case 'create':
    case 'edit':
      return p ? { actions: [{ kind: 'write', path: abs(p, cwd) }] } : { invalid: `${toolName} toolArgs.path is missing` };
    case 'glob':
    case 'grep':
      return claudeCodeActions(toolName === 'glob' ? 'Glob' : 'Grep', { path: p ? abs(p, cwd) : undefined, pattern: input.pattern, glob: input.glob }, cwd);
    case 'web_fetch': {
      const url = str(input.url);
      return url ? { actions: [{ kind: 'fetch', url }] } : { invalid: 'web_fetch toolArgs.url is missing' };
    }
    case 'task':
      return { actions: [{ kind: 'agent', description: str(input.description) ?? str(input.prompt) ?? 'sub-agent' }] };
    case 'ask_user':
      return { inert: true };
  }
  return { unknown: toolName };
}

/**
 * Windsurf Cascade (hooks.json; docs.windsurf.com/windsurf/cascade/hooks): `agent_action_name` is the
 * event, `tool_info` its details. pre_run_command → exec (`command_line`, `cwd`); pre_read_code → read
 * (`file_path`); pre_write_code → write (`file_path`); pre_mcp_tool_use → mcp (`mcp_server_name`,
 * `mcp_tool_name`, `mcp_tool_arguments`).
 */
export function windsurfActions(event: string, info: Record<string, unknown>): MappedCall {
  switch (event) {
    case 'pre_run_command': {
      const command = str(info.command_line);
      return command ? { actions: [{ kind: 'exec', command }] } : { invalid: 'pre_run_command: tool_info.command_line is missing' };
    }
    case 'pre_read_code':
    case 'pre_write_code': {
      const p = str(info.file_path);
      if (!p) return { invalid: `${event}: tool_info.file_path is missing` };
      return { actions: [{ kind: event === 'pre_read_code' ? 'read' : 'write', path: p }] };
    }
    case 'pre_mcp_tool_use': {
      const server = str(info.mcp_server_name);
      const tool = str(info.mcp_tool_name);
      if (!server || !tool) return { invalid: 'pre_mcp_tool_use: tool_info.mcp_server_name or mcp_tool_name is missing' };
      const a = info.mcp_tool_arguments;
      const args = a && typeof a === 'object' && !Array.isArray(a) ? (a as Record<string, unknown>) : {};
      return { actions: [{ kind: 'mcp', call: { server, tool, args } }] };
    }
  }
  return { unknown: event };
}

/**
 * Cline (PreToolUse hook script; github.com/cline/cline src/core/hooks, docs.cline.bot/customization/hooks):
 * stdin `preToolUse: {tool, parameters}`. execute_command → exec; read_file, list_files, search_files,
 * list_code_definition_names → read; write_to_file, replace_in_file → write; web_fetch, browser_action
 * with a URL → fetch; use_mcp_tool, access_mcp_resource → mcp; new_task → agent; the conversation's own
 * tools (ask_followup_question, attempt_completion, plan_mode_respond…) touch nothing outside it.
 */
export function clineActions(tool: string, p: Record<string, unknown>, cwd: string | null): MappedCall {
  const path = str(p.path);
  switch (tool) {
    case 'execute_command': {
      const command = str(p.command);
      return command ? { actions: [{ kind: 'exec', command }] } : { invalid: 'execute_command parameters.command is missing' };
    }
    case 'read_file':
    case 'list_code_definition_names':
      return path ? { actions: [{ kind: 'read', path: abs(path, cwd) }] } : { invalid: `${tool} parameters.path is missing` };
    case 'list_files':
    case 'search_files':
      return path ? { actions: [{ kind: 'read', path: abs(path, cwd), ...(tool === 'search_files' || p.recursive === true || p.recursive === 'true' ? { recursive: true } : {}) }] } : { invalid: `${tool} parameters.path is missing` };
    case 'write_to_file':
    case 'replace_in_file':
      return path ? { actions: [{ kind: 'write', path: abs(path, cwd) }] } : { invalid: `${tool} parameters.path is missing` };
    case 'web_fetch':
    case 'browser_action': {
      const url = str(p.url);
      if (url) return { actions: [{ kind: 'fetch', url }] };
      return tool === 'web_fetch' ? { invalid: 'web_fetch parameters.url is missing' } : { inert: true };
    }
    case 'use_mcp_tool':
    case 'access_mcp_resource': {
      const server = str(p.server_name);
      if (!server) return { invalid: `${tool} parameters.server_name is missing` };
      if (tool === 'access_mcp_resource') return { actions: [{ kind: 'mcp', call: { server, tool: 'resources/read', args: { uri: p.uri } } }] };
      const name = str(p.tool_name);
      if (!name) return { invalid: 'use_mcp_tool parameters.tool_name is missing' };
      let args: unknown = p.arguments ?? {};
      if (typeof args === 'string') {
        try {
          args = JSON.parse(args || '{}');
        } catch {
          return { invalid: 'use_mcp_tool parameters.arguments is not JSON' };
        }
      }
      return { actions: [{ kind: 'mcp', call: { server, tool: name, args: args && typeof args === 'object' && !Array.isArray(args) ? (args as Record<string, unknown>) : {} } }] };
    }
    case 'new_task':
      return { actions: [{ kind: 'agent', description: str(p.context) ?? 'new task' }] };
    case 'ask_followup_question':
    case 'attempt_completion':
    case 'plan_mode_respond':
    case 'focus_chain':
    case 'load_mcp_documentation':
      return { inert: true };
  }
  return { unknown: tool };
}
