// The agent hosts `gatehouse hook <host>` speaks to (docs/agent-hosts.md): one table per host saying how
// to read the JSON the host writes on the hook's stdin, which tool actions it names, and how to answer
// in the host's own documented format — including how to block when gatehouse cannot decide (engine
// down, bad input, timeout), since a host that reads an error as "no opinion" would run the call.
import { z } from 'zod';
import type { MappedCall } from '../engine/firewall/actions.js';
import { HookInput } from './hookInput.js';

import type { HookHost } from './hostNames.js';

export { HOOK_HOSTS, type HookHost } from './hostNames.js';

/** What the hook prints and how it exits. */
export interface Reply {
  stdout?: string;
  stderr?: string;
  exitCode: number;
}

/** One tool call as the host described it, read into gatehouse's terms. */
export interface HostCall {
  phase: 'pre' | 'post';
  /** The host's name for the tool (for prompts, the ledger and reasons). */
  toolName: string;
  toolInput: Record<string, unknown>;
  toolResponse?: unknown;
  cwd: string | null;
  map: (mappers: Mappers) => MappedCall;
}

type Mappers = typeof import('../engine/firewall/index.js');

export interface HostIO {
  /** The host's stdin JSON → a call; throws with a message naming what is wrong. */
  parse(raw: unknown): HostCall;
  /** The host's answer for a decision. */
  answer(decision: 'allow' | 'deny' | 'ask', reason: string, call: HostCall): Reply;
  /** The host's way to block when gatehouse cannot decide: never a silence the host reads as allow. */
  block(reason: string): Reply;
}

const json = (v: unknown): string => `${JSON.stringify(v)}\n`;
const exit2 = (reason: string): Reply => ({ stderr: `gatehouse: ${reason}\n`, exitCode: 2 });
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const zodMessage = (err: unknown): string => (err instanceof z.ZodError ? err.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ') : (err as Error).message);

/** Claude Code, Gemini CLI and Codex share the PreToolUse/PostToolUse input (`tool_name`, `tool_input`). */
function claudeLikeParse(pre: string[], post: string[], mapper: 'claudeCodeActions' | 'geminiActions' | 'codexActions') {
  return (raw: unknown): HostCall => {
    let input: z.infer<typeof HookInput>;
    try {
      input = HookInput.parse(raw);
    } catch (err) {
      throw new Error(`the hook input is not valid PreToolUse JSON (${zodMessage(err)})`);
    }
    const ev = input.hook_event_name;
    const phase = ev === undefined || pre.includes(ev) ? 'pre' : post.includes(ev) ? 'post' : null;
    // Registered under another event (Stop, Notification…) a tool decision would be ignored: say so.
    if (!phase) throw new Error(`gatehouse hook decides ${pre[0]} (and ${post[0]}) events; it was run for ${ev} (register it under hooks.${pre[0]})`);
    const cwd = input.cwd ?? null;
    return { phase, toolName: input.tool_name, toolInput: input.tool_input, toolResponse: input.tool_response, cwd, map: (m) => m[mapper](input.tool_name, input.tool_input, cwd) };
  };
}

const claudeAnswer = (decision: 'allow' | 'deny' | 'ask', reason: string): Reply => ({
  stdout: json({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: decision, permissionDecisionReason: reason } }),
  exitCode: 0,
});

/** Cursor's events, each one kind of call, and the name it is recorded under. */
const CURSOR_EVENTS: Record<string, (i: Record<string, unknown>) => string> = {
  beforeShellExecution: () => 'Shell',
  beforeReadFile: () => 'Read',
  beforeMCPExecution: (i) => `mcp ${typeof i.tool_name === 'string' ? i.tool_name : '?'}`,
};

const WINDSURF_EVENTS: Record<string, string> = { pre_run_command: 'run_command', pre_read_code: 'read_code', pre_write_code: 'write_code', pre_mcp_tool_use: 'mcp_tool_use' };

export const HOSTS: Record<HookHost, HostIO> = {
  // code.claude.com/docs/en/hooks: hookSpecificOutput.permissionDecision allow|deny|ask; exit 2 blocks with stderr.
  'claude-code': {
    parse: claudeLikeParse(['PreToolUse'], ['PostToolUse'], 'claudeCodeActions'),
    answer: claudeAnswer,
    block: exit2,
  },
  // geminicli.com/docs/hooks/reference: {decision: allow|deny, reason}; exit 2 blocks. An ask says nothing,
  // so Gemini's own confirmation applies.
  'gemini-cli': {
    parse: claudeLikeParse(['BeforeTool'], ['AfterTool'], 'geminiActions'),
    answer: (decision, reason) => ({ stdout: json(decision === 'ask' ? { systemMessage: reason } : { decision, reason }), exitCode: 0 }),
    block: exit2,
  },
  // github.com/openai/codex codex-rs/hooks (output_parser.rs, pre_tool_use.rs): only permissionDecision deny
  // (with a reason) is accepted; allow without updatedInput and ask are refused as invalid output, which
  // Codex treats as a failed hook, so allow and ask print nothing (Codex's own approval policy applies).
  // Exit 2 with a reason on stderr blocks; any other failure lets the call run, so errors exit 2.
  codex: {
    parse: claudeLikeParse(['PreToolUse'], ['PostToolUse'], 'codexActions'),
    answer: (decision, reason) =>
      decision === 'deny' ? claudeAnswer('deny', reason) : { stdout: decision === 'ask' ? json({ systemMessage: reason }) : '', exitCode: 0 },
    block: exit2,
  },
  // Cursor hooks.json version 1 (cursor.com/docs/agent/hooks): stdin carries hook_event_name and the event's
  // fields; the answer is {permission: allow|deny|ask, user_message, agent_message} (beforeReadFile takes
  // permission alone). A failure answers deny and exits 2; setup also sets failClosed.
  cursor: {
    parse(raw) {
      const input = obj(raw);
      const ev = typeof input.hook_event_name === 'string' ? input.hook_event_name : '';
      const name = CURSOR_EVENTS[ev];
      if (!name) throw new Error(`gatehouse hook cursor decides ${Object.keys(CURSOR_EVENTS).join(', ')}; it was run for ${JSON.stringify(ev || '(no hook_event_name)')}`);
      const roots = Array.isArray(input.workspace_roots) ? input.workspace_roots.filter((r): r is string => typeof r === 'string') : [];
      const cwd = typeof input.cwd === 'string' && input.cwd ? input.cwd : (roots[0] ?? null);
      return { phase: 'pre', toolName: name(input), toolInput: input, cwd, map: (m) => m.cursorActions(ev, input) };
    },
    answer: (decision, reason, call) =>
      call.toolName === 'Read'
        ? { stdout: json({ permission: decision === 'ask' ? 'deny' : decision }), exitCode: 0 }
        : { stdout: json({ permission: decision, user_message: reason, agent_message: reason }), exitCode: 0 },
    block: (reason) => ({ stdout: json({ permission: 'deny', user_message: `gatehouse: ${reason}`, agent_message: `gatehouse: ${reason}` }), stderr: `gatehouse: ${reason}\n`, exitCode: 2 }),
  },
  // GitHub Copilot CLI (docs.github.com/en/copilot/reference/copilot-cli-reference/cli-hooks-reference):
  // preToolUse stdin {toolName, toolArgs (a JSON string), cwd} (or, registered as PreToolUse, snake_case
  // tool_name/tool_input); stdout {permissionDecision, permissionDecisionReason}. "Hook failures (non-zero
  // exit codes or timeouts) are logged and skipped": a failure must print deny and exit 0.
  'copilot-cli': {
    parse(raw) {
      const input = obj(raw);
      const toolName = typeof input.toolName === 'string' ? input.toolName : typeof input.tool_name === 'string' ? input.tool_name : '';
      if (!toolName) throw new Error('the hook input names no tool (toolName)');
      const ev = input.hook_event_name;
      if ((ev !== undefined && ev !== 'PreToolUse' && ev !== 'preToolUse') || 'toolResult' in input || 'tool_result' in input) {
        throw new Error(`gatehouse hook copilot-cli decides preToolUse; it was run for ${String(ev ?? 'postToolUse')}`);
      }
      let args: unknown = input.toolArgs ?? input.tool_input ?? {};
      if (typeof args === 'string') {
        try {
          args = JSON.parse(args || '{}');
        } catch {
          throw new Error('toolArgs is not JSON');
        }
      }
      const toolInput = obj(args);
      const cwd = typeof input.cwd === 'string' && input.cwd ? input.cwd : null;
      return { phase: 'pre', toolName, toolInput, cwd, map: (m) => m.copilotActions(toolName, toolInput, cwd) };
    },
    answer: (decision, reason) => ({ stdout: json({ permissionDecision: decision, permissionDecisionReason: reason }), exitCode: 0 }),
    block: (reason) => ({ stdout: json({ permissionDecision: 'deny', permissionDecisionReason: `gatehouse: ${reason}` }), stderr: `gatehouse: ${reason}\n`, exitCode: 0 }),
  },
  // Windsurf Cascade hooks (docs.windsurf.com/windsurf/cascade/hooks): stdin {agent_action_name, tool_info};
  // a pre-hook blocks by exiting 2 (its stderr shown); any other exit lets the action run. Cascade has no
  // ask: without --wait an ask blocks, telling the operator how to allow it.
  windsurf: {
    parse(raw) {
      const input = obj(raw);
      const ev = typeof input.agent_action_name === 'string' ? input.agent_action_name : '';
      if (!WINDSURF_EVENTS[ev]) throw new Error(`gatehouse hook windsurf decides ${Object.keys(WINDSURF_EVENTS).join(', ')}; it was run for ${JSON.stringify(ev || '(no agent_action_name)')}`);
      const info = obj(input.tool_info);
      const cwd = typeof info.cwd === 'string' && info.cwd ? info.cwd : null;
      return { phase: 'pre', toolName: WINDSURF_EVENTS[ev]!, toolInput: info, cwd, map: (m) => m.windsurfActions(ev, info) };
    },
    answer: (decision, reason) =>
      decision === 'allow' ? { exitCode: 0 } : exit2(decision === 'ask' ? `${reason} — Windsurf cannot ask, so this is blocked (answer it in the gatehouse console with \`gatehouse hook windsurf --wait\`, or allow it in the policy)` : reason),
    block: exit2,
  },
  // Cline (github.com/cline/cline src/core/hooks/hook-factory.ts, templates.ts; docs.cline.bot/customization/hooks):
  // stdin {taskId, preToolUse: {tool, parameters}, workspaceRoots…}; stdout {cancel, errorMessage}, honoured
  // whatever the exit code; a hook that fails without that JSON lets the tool run, so a failure prints it.
  // An ask goes to Cline's own approval (cancel: false).
  cline: {
    parse(raw) {
      const input = obj(raw);
      if (input.hookName !== undefined && input.hookName !== 'PreToolUse') throw new Error(`gatehouse hook cline decides PreToolUse; it was run for ${String(input.hookName)}`);
      const pre = obj(input.preToolUse);
      const tool = typeof pre.tool === 'string' ? pre.tool : typeof pre.toolName === 'string' ? pre.toolName : '';
      if (!tool) throw new Error('the hook input names no tool (preToolUse.tool)');
      const params = obj(pre.parameters);
      const roots = Array.isArray(input.workspaceRoots) ? input.workspaceRoots.filter((r): r is string => typeof r === 'string') : [];
      const cwd = roots[0] ?? null;
      return { phase: 'pre', toolName: tool, toolInput: params, cwd, map: (m) => m.clineActions(tool, params, cwd) };
    },
    answer: (decision, reason) => ({ stdout: json(decision === 'deny' ? { cancel: true, errorMessage: reason } : { cancel: false, ...(decision === 'ask' ? { contextModification: reason } : {}) }), exitCode: 0 }),
    block: (reason) => ({ stdout: json({ cancel: true, errorMessage: `gatehouse: ${reason}` }), stderr: `gatehouse: ${reason}\n`, exitCode: 0 }),
  },
};
