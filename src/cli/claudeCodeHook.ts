// The Claude Code PreToolUse hook behind `gatehouse hook claude-code`. Reads the hook JSON on stdin, decides Bash
// commands and MCP tool calls (mcp__SERVER__TOOL) with the engine, prints hookSpecificOutput with
// permissionDecision allow|deny|ask. Other tools get no opinion (exit 0, no output). With the engine
// unreachable it exits 2 with the reason on stderr (Claude Code blocks the call) unless the trusted
// policy allows the request offline.
import { z } from 'zod';
import type { Decision, ToolCall } from '../shared/firewall.js';
import { CliError } from './cliError.js';
import { stateDirOf, type GlobalArgs } from './context.js';

const HookInput = z.object({
  hook_event_name: z.string().optional(),
  tool_name: z.string().min(1),
  tool_input: z.record(z.string(), z.unknown()).default({}),
  cwd: z.string().optional(),
  session_id: z.string().optional(),
});

async function readStdin(limit = 4 * 1024 * 1024): Promise<string> {
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

function output(decision: 'allow' | 'deny' | 'ask', reason: string): void {
  process.stdout.write(`${JSON.stringify({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: decision, permissionDecisionReason: reason } })}\n`);
}

function explain(d: Decision): string {
  const rule = d.rule ? ` (rule: ${d.rule})` : '';
  return d.decision === 'deny' ? `gatehouse denied this${rule}: ${d.reason}. Do not retry the same request.` : `gatehouse: ${d.reason}${rule}`;
}

export interface HookArgs extends GlobalArgs {
  agent: string;
  wait: boolean;
}

export async function runClaudeCodeHook(argv: HookArgs): Promise<void> {
  let input: z.infer<typeof HookInput>;
  try {
    input = HookInput.parse(JSON.parse(await readStdin()));
  } catch (err) {
    throw new CliError(`gatehouse hook: the hook input is not valid PreToolUse JSON (${err instanceof z.ZodError ? err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : (err as Error).message})`, 2);
  }
  // Registered under another event (PostToolUse, Stop…) a PreToolUse answer would be ignored: say so.
  if (input.hook_event_name !== undefined && input.hook_event_name !== 'PreToolUse') {
    throw new CliError(`gatehouse hook claude-code decides PreToolUse events; it was run for ${input.hook_event_name} (register it under hooks.PreToolUse)`, 2);
  }
  let req: { command: string } | { tool: ToolCall };
  if (input.tool_name === 'Bash') {
    const command = input.tool_input.command;
    if (typeof command !== 'string') throw new CliError('gatehouse hook: Bash tool_input.command is missing', 2);
    req = { command };
  } else {
    const mcp = parseMcpToolName(input.tool_name);
    if (!mcp) return; // not a shell command or an MCP tool: no opinion
    req = { tool: { ...mcp, args: input.tool_input } };
  }
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
    const offline = decideOffline(stateDir, { ...req, agent: argv.agent });
    if (offline?.decision === 'allow') return output('allow', `gatehouse (offline, trusted policy): ${offline.reason}`);
    throw new CliError(`gatehouse: the engine is unreachable (${(err as Error).message}); blocked because the trusted policy does not allow this offline`, 2);
  }
  output(decision.decision, explain(decision));
}
