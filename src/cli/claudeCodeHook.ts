// The Claude Code hook behind `gatehouse hook claude-code` (DESIGN.md §14). PreToolUse: every tool
// becomes actions (Bash → exec, Read/Glob/Grep → read, Write/Edit/MultiEdit/NotebookEdit → write,
// WebFetch/WebSearch → fetch, Task → agent, mcp__S__T → mcp), decided by the engine; the hook prints
// hookSpecificOutput with permissionDecision allow|deny|ask. PostToolUse: the tool's output is scanned
// for secrets and prompt injection (postToolUse.ts). With the engine unreachable it exits 2 with the
// reason on stderr (Claude Code blocks the call) unless the trusted policy allows the request offline.
import { z } from 'zod';
import type { Decision, NativeAction, ToolCall } from '../shared/firewall.js';
import { CliError } from './cliError.js';
import { stateDirOf, type GlobalArgs } from './context.js';

export const HookInput = z.object({
  hook_event_name: z.string().optional(),
  tool_name: z.string().min(1),
  tool_input: z.record(z.string(), z.unknown()).default({}),
  tool_response: z.unknown().optional(),
  cwd: z.string().optional(),
  session_id: z.string().optional(),
});
export type HookInputT = z.infer<typeof HookInput>;

export async function readStdin(limit = 4 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of process.stdin) {
    size += (c as Buffer).length;
    if (size > limit) throw new CliError(`gatehouse hook: input larger than ${limit} bytes`, 2);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** `mcp__filesystem__read_file` → {server: filesystem, tool: read_file}. */
export function parseMcpToolName(name: string): { server: string; tool: string } | null {
  const m = /^mcp__(.+?)__(.+)$/.exec(name);
  return m ? { server: m[1]!, tool: m[2]! } : null;
}

let host: 'claude-code' | 'gemini-cli' = 'claude-code';

function output(decision: 'allow' | 'deny' | 'ask', reason: string): void {
  if (host === 'gemini-cli') {
    // Gemini CLI's BeforeTool takes allow or deny; an ask says nothing, so Gemini's own confirmation applies.
    process.stdout.write(`${JSON.stringify(decision === 'ask' ? { systemMessage: reason } : { decision, reason })}\n`);
    return;
  }
  process.stdout.write(`${JSON.stringify({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: decision, permissionDecisionReason: reason } })}\n`);
}

function explain(d: Decision): string {
  const rule = d.rule ? ` (rule: ${d.rule})` : '';
  return d.decision === 'deny' ? `gatehouse denied this${rule}: ${d.reason}. Do not retry the same request.` : `gatehouse: ${d.reason}${rule}`;
}

export interface HookArgs extends GlobalArgs {
  agent: string;
  wait: boolean;
  host?: 'claude-code' | 'gemini-cli';
}

type CheckRequest = { command: string } | { tool: ToolCall } | { actions: NativeAction[]; tool_name: string };

export async function runClaudeCodeHook(argv: HookArgs): Promise<void> {
  let input: HookInputT;
  try {
    input = HookInput.parse(JSON.parse(await readStdin()));
  } catch (err) {
    throw new CliError(`gatehouse hook: the hook input is not valid PreToolUse JSON (${err instanceof z.ZodError ? err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : (err as Error).message})`, 2);
  }
  host = argv.host ?? 'claude-code';
  if (input.hook_event_name === 'PostToolUse' || input.hook_event_name === 'AfterTool') return (await import('./postToolUse.js')).runPostToolUse(argv, input);
  const { claudeCodeActions, geminiActions } = await import('../engine/firewall/actions.js');
  const mapped = (host === 'gemini-cli' ? geminiActions : claudeCodeActions)(input.tool_name, input.tool_input, input.cwd ?? null);
  if ('invalid' in mapped) throw new CliError(`gatehouse hook: ${mapped.invalid}`, 2);
  if ('inert' in mapped) return output('allow', `gatehouse: ${input.tool_name} touches nothing outside the session`);
  if ('unknown' in mapped) return output('ask', `gatehouse does not know the tool ${JSON.stringify(input.tool_name)}: it cannot decide it, so the operator is asked`);
  const first = mapped.actions[0]!;
  let req: CheckRequest;
  if (first.kind === 'exec') req = { command: first.command };
  else if (first.kind === 'mcp') req = { tool: first.call };
  else req = { actions: mapped.actions as NativeAction[], tool_name: input.tool_name };
  const stateDir = stateDirOf(argv);
  const { connectTransport } = await import('../client/ipcClient.js');
  let decision: (Decision & { prompt_id?: string }) | null = null;
  try {
    const t = await connectTransport({ stateDir, surface: 'cli' });
    try {
      decision = (await t.call('firewall.check', { ...req, agent: argv.agent, ...(input.cwd ? { cwd: input.cwd } : {}), wait: argv.wait }, argv.wait ? 0 : undefined)) as Decision & { prompt_id?: string };
      if (decision.decision === 'ask' && decision.prompt_id) {
        await t.call('prompts.cancel', { id: decision.prompt_id, reason: "deferred to Claude Code's own permission prompt" }).catch(() => {});
      }
    } finally {
      await t.close();
    }
  } catch (err) {
    const { decideOffline } = await import('./offlinePolicy.js');
    const offline = decideOffline(stateDir, { ...req, agent: argv.agent, ...(input.cwd ? { cwd: input.cwd } : {}) });
    if (offline?.decision === 'allow') return output('allow', `gatehouse (offline, trusted policy): ${offline.reason}`);
    throw new CliError(`gatehouse: the engine is unreachable (${(err as Error).message}); blocked because the trusted policy does not allow this offline`, 2);
  }
  output(decision.decision, explain(decision));
}
