// Every tool call becomes actions (docs/policy.md): exec (a command), read / write / delete (a path),
// fetch (a URL or a web search), mcp (server/tool/args), agent (a sub-agent). Hosts' tools map here.
import type { ToolCall } from '../../shared/firewall.js';

export const ACTION_KINDS = ['exec', 'read', 'write', 'delete', 'fetch', 'mcp', 'agent'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

export type Action =
  | { kind: 'exec'; command: string }
  | { kind: 'read' | 'write' | 'delete'; path: string; recursive?: boolean }
  | { kind: 'fetch'; url: string }
  | { kind: 'fetch'; query: string }
  | { kind: 'mcp'; call: ToolCall }
  | { kind: 'agent'; description: string };

export { NativeActionSchema, type NativeAction } from '../../shared/firewall.js';

/** The pseudo-server a native tool call is prompted and recorded under (its args are its actions). */
export const NATIVE_SERVER = '(native)';

/** One line for prompts, the ledger and reasons: `read /home/a/.ssh/id_rsa`. */
export function describeAction(a: Action): string {
  switch (a.kind) {
    case 'exec':
      return `exec ${a.command}`;
    case 'read':
    case 'write':
    case 'delete':
      return `${a.kind} ${a.path}`;
    case 'fetch':
      return 'url' in a ? `fetch ${a.url}` : `web search ${JSON.stringify(a.query)}`;
    case 'mcp':
      return `mcp ${a.call.server}/${a.call.tool}`;
    case 'agent':
      return `sub-agent ${JSON.stringify(a.description)}`;
  }
}

/** `mcp__filesystem__read_file` → {server: filesystem, tool: read_file}. */
export function parseMcpToolName(name: string): { server: string; tool: string } | null {
  const m = /^mcp__(.+?)__(.+)$/.exec(name);
  return m ? { server: m[1]!, tool: m[2]! } : null;
}

/** Claude Code's tools that touch nothing outside the conversation: no decision is needed. */
// code.claude.com/docs/en/tools-reference: the task list (TaskCreate/Get/List/Update/Output/Stop), plan mode,
// in-session scheduled prompts (Cron*), tool search and questions to the user.
const INERT_TOOLS = new Set([
  'TodoWrite', 'TodoRead', 'EnterPlanMode', 'ExitPlanMode', 'BashOutput', 'KillShell', 'KillBash', 'ListMcpResourcesTool', 'AskUserQuestion',
  'TaskCreate', 'TaskGet', 'TaskList', 'TaskUpdate', 'TaskOutput', 'TaskStop', 'CronCreate', 'CronDelete', 'CronList', 'ToolSearch',
]);

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

export type MappedCall = { actions: Action[] } | { inert: true } | { unknown: string } | { invalid: string };

/**
 * Claude Code's tool (PreToolUse `tool_name`, `tool_input`) → actions. Bash → exec; Read, Glob, Grep,
 * LS, NotebookRead → read; Write, Edit, MultiEdit, NotebookEdit → write; WebFetch, WebSearch → fetch;
 * Task → agent; mcp__S__T → mcp. A file tool without its path is invalid (the hook refuses it).
 */
export function claudeCodeActions(toolName: string, input: Record<string, unknown>, cwd: string | null): MappedCall {
  const path = (k: string): Action[] | string => {
    const p = str(input[k]);
    return p ? [] : `${toolName} tool_input.${k} is missing`;
  };
  switch (toolName) {
    case 'Bash':
    case 'PowerShell': {
      const command = str(input.command);
      return command ? { actions: [{ kind: 'exec', command }] } : { invalid: `${toolName} tool_input.command is missing` };
    }
    case 'Read':
    case 'Write':
    case 'Edit':
    case 'MultiEdit': {
      const missing = path('file_path');
      if (typeof missing === 'string') return { invalid: missing };
      const kind = toolName === 'Read' ? 'read' : 'write';
      return { actions: [{ kind, path: input.file_path as string }] };
    }
    case 'NotebookRead':
    case 'NotebookEdit': {
      const missing = path('notebook_path');
      if (typeof missing === 'string') return { invalid: missing };
      return { actions: [{ kind: toolName === 'NotebookRead' ? 'read' : 'write', path: input.notebook_path as string }] };
    }
    case 'Glob':
    case 'Grep':
    case 'LS': {
      // The directory searched (default the cwd); a glob that climbs or starts elsewhere is read as well.
      // Glob and Grep walk the tree under the directory: a denied tree inside it denies the search.
      const dir = str(input.path) ?? cwd ?? '.';
      const actions: Action[] = [{ kind: 'read', path: dir, ...(toolName === 'LS' ? {} : { recursive: true }) }];
      const pattern = toolName === 'Glob' ? str(input.pattern) : str(input.glob);
      if (pattern && (pattern.startsWith('/') || pattern.startsWith('~') || pattern.startsWith('$') || pattern.includes('..'))) {
        actions.push({ kind: 'read', path: pattern.startsWith('/') || pattern.startsWith('~') || pattern.startsWith('$') ? pattern : `${dir}/${pattern}` });
      }
      return { actions };
    }
    case 'WebFetch': {
      const url = str(input.url);
      return url ? { actions: [{ kind: 'fetch', url }] } : { invalid: 'WebFetch tool_input.url is missing' };
    }
    case 'WebSearch':
      return { actions: [{ kind: 'fetch', query: typeof input.query === 'string' ? input.query : '' }] };
    case 'Task':
    case 'Agent':
      return { actions: [{ kind: 'agent', description: str(input.description) ?? str(input.subagent_type) ?? 'sub-agent' }] };
    case 'Skill':
      return { actions: [{ kind: 'agent', description: `skill ${str(input.skill) ?? str(input.command) ?? str(input.name) ?? '?'}` }] };
    case 'LSP':
    case 'Artifact': {
      // LSP reads the file it is asked about; Artifact publishes a local file to claude.ai (a read that leaves the host).
      const p = str(input.filePath) ?? str(input.file_path) ?? str(input.path);
      if (p) return { actions: [{ kind: 'read', path: p }] };
      return toolName === 'LSP' ? { actions: [{ kind: 'read', path: cwd ?? '.' }] } : { unknown: toolName };
    }
    case 'EnterWorktree':
    case 'ExitWorktree':
      // A git worktree made (or removed) beside the repository: a write under the session's directory.
      return { actions: [{ kind: 'write', path: cwd ?? '.' }] };
    case 'ReadMcpResourceTool': {
      const server = str(input.server);
      return server ? { actions: [{ kind: 'mcp', call: { server, tool: 'resources/read', args: { uri: input.uri } } }] } : { invalid: 'ReadMcpResourceTool tool_input.server is missing' };
    }
  }
  if (INERT_TOOLS.has(toolName)) return { inert: true };
  const mcp = parseMcpToolName(toolName);
  if (mcp) return { actions: [{ kind: 'mcp', call: { ...mcp, args: input } }] };
  return { unknown: toolName };
}

/**
 * Gemini CLI's tools (BeforeTool `tool_name`, `tool_input`) → actions, as its tools reference names them:
 * run_shell_command → exec; read_file, read_many_files, glob, search_file_content, list_directory → read;
 * write_file, replace → write; web_fetch (URLs in its prompt), google_web_search → fetch; mcp__S__T → mcp.
 */
export function geminiActions(toolName: string, input: Record<string, unknown>, cwd: string | null): MappedCall {
  const p = str(input.absolute_path) ?? str(input.file_path) ?? str(input.path);
  switch (toolName) {
    case 'run_shell_command': {
      const command = str(input.command);
      return command ? { actions: [{ kind: 'exec', command: str(input.directory) ? `cd ${JSON.stringify(input.directory)} && ${command}` : command }] } : { invalid: 'run_shell_command tool_input.command is missing' };
    }
    case 'read_file':
      return p ? { actions: [{ kind: 'read', path: p }] } : { invalid: 'read_file tool_input.absolute_path is missing' };
    case 'write_file':
    case 'replace':
      return p ? { actions: [{ kind: 'write', path: p }] } : { invalid: `${toolName} tool_input.file_path is missing` };
    case 'read_many_files': {
      const paths = Array.isArray(input.paths) ? input.paths.filter((x): x is string => typeof x === 'string').slice(0, 256) : [];
      return { actions: (paths.length ? paths : [cwd ?? '.']).map((x) => ({ kind: 'read' as const, path: x.startsWith('/') || !cwd ? x : `${cwd}/${x}` })) };
    }
    case 'glob':
    case 'search_file_content':
    case 'list_directory':
      return claudeCodeActions('Glob', { pattern: toolName === 'glob' ? input.pattern : undefined, path: p ?? undefined }, cwd);
    case 'web_fetch': {
      const urls: string[] = [...((typeof input.prompt === "string" ? input.prompt.match(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>)]+/gi) : null) ?? [])];
      if (typeof input.url === 'string') urls.push(input.url);
      return urls.length ? { actions: urls.slice(0, 20).map((url) => ({ kind: 'fetch' as const, url })) } : { invalid: 'web_fetch names no URL' };
    }
    case 'google_web_search':
      return { actions: [{ kind: 'fetch', query: typeof input.query === 'string' ? input.query : '' }] };
    case 'save_memory':
    case 'write_todos':
      return { inert: true };
  }
  const mcp = parseMcpToolName(toolName);
  if (mcp) return { actions: [{ kind: 'mcp', call: { ...mcp, args: input } }] };
  return { unknown: toolName };
}

const PATH_KEY = /^(path|paths|file|files|file_?path|file_?paths|filename|source|destination|dest|target|src|dst|dir|directory|root|cwd|notebook_?path|old_?path|new_?path)$/i;
const DELETE_TOOL = /(delete|remove|unlink|rmdir|(^|_)rm(_|$)|trash|purge)/i;
const WRITE_TOOL = /(write|edit|create|move|rename|mkdir|put|save|update|upload|append|patch|insert|replace|copy|set_|chmod|touch)/i;

/** The paths an MCP call names in its arguments, each with the access its tool name suggests. */
export function mcpPathActions(call: ToolCall): Action[] {
  const kind: 'read' | 'write' | 'delete' = DELETE_TOOL.test(call.tool) ? 'delete' : WRITE_TOOL.test(call.tool) ? 'write' : 'read';
  const out: Action[] = [];
  const add = (key: string, v: unknown) => {
    if (typeof v !== 'string' || !v) return;
    // A move/rename removes its source: judged as a write (and a read) of it.
    if (/^(source|src|old_?path)$/i.test(key) && kind === 'write') {
      out.push({ kind: 'read', path: v }, { kind: 'write', path: v });
    } else out.push({ kind, path: v });
  };
  for (const [k, v] of Object.entries(call.args)) {
    if (PATH_KEY.test(k)) {
      if (Array.isArray(v)) for (const e of v.slice(0, 256)) add(k, e);
      else add(k, v);
    } else if (typeof v === 'string' && (v.startsWith('/') || v.startsWith('~/') || v.startsWith('file://')) && !v.includes('\n') && v.length < 4096 && k !== 'content') {
      add(k, v);
    }
  }
  return out;
}
