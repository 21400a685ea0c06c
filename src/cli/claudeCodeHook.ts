// The Claude Code hook behind `gatehouse hook claude-code` (docs/policy.md). PreToolUse: every tool
// becomes actions (Bash → exec, Read/Glob/Grep → read, Write/Edit/MultiEdit/NotebookEdit → write,
// WebFetch/WebSearch → fetch, Task → agent, mcp__S__T → mcp), decided by the engine; the hook prints
// hookSpecificOutput with permissionDecision allow|deny|ask. PostToolUse: the tool's output is scanned
// for secrets and prompt injection (postToolUse.ts). With the engine unreachable it exits 2 with the
// reason on stderr (Claude Code blocks the call) unless the trusted policy allows the request offline.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { mayRun, type Decision, type NativeAction, type ToolCall } from '../shared/firewall.js';
import { statePath } from '../engine/store/stateDir.js';
import { CliError } from './cliError.js';
import { stateDirOf } from './context.js';
import { HookInput, type HookArgs, type HookInputT } from './hookInput.js';

export { HookInput, type HookArgs, type HookInputT };


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

/** The connect handshake's limit, and a plain (non-waiting) check's: both far inside a 30 s hook timeout. */
export const HANDSHAKE_MS = 2_000;
export const CHECK_DEADLINE_MS = 10_000;
/** A waiting check may take the ask TTL (the engine then denies as expired) plus this margin. */
export const WAIT_MARGIN_MS = 5_000;

/** The ask TTL of the trusted policy (what the engine applies), or the default 120 s. */
async function askTtlMs(stateDir: string): Promise<number> {
  try {
    const trusted = JSON.parse(readFileSync(statePath(stateDir, 'policyTrusted'), 'utf8')) as { text: string };
    const { parsePolicyText } = await import('../engine/firewall/index.js');
    return parsePolicyText(trusted.text, 'policy.trusted').policy.askTtlMs;
  } catch {
    return 120_000;
  }
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
  // Registered under another event (Stop, Notification…) a tool decision would be ignored: say so.
  if (input.hook_event_name !== undefined && input.hook_event_name !== 'PreToolUse' && input.hook_event_name !== 'BeforeTool') {
    throw new CliError(`gatehouse hook decides PreToolUse (and PostToolUse) events; it was run for ${input.hook_event_name} (register it under hooks.PreToolUse)`, 2);
  }
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
  // Deadlines (issue 22 gap 10): the handshake and a plain check end well inside a 30 s hook timeout;
  // a waiting check ends at the ask TTL plus a margin. Past a deadline the hook blocks the call (exit 2):
  // a hook that Claude Code kills instead would let the tool run.
  const deadlineMs = argv.wait ? (await askTtlMs(stateDir)) + WAIT_MARGIN_MS : CHECK_DEADLINE_MS;
  let t: Awaited<ReturnType<typeof connectTransport>>;
  try {
    t = await connectTransport({ stateDir, surface: 'cli', connectTimeoutMs: HANDSHAKE_MS, handshakeTimeoutMs: HANDSHAKE_MS });
  } catch (err) {
    const { decideOffline } = await import('./offlinePolicy.js');
    const offline = decideOffline(stateDir, { ...req, agent: argv.agent, ...(input.cwd ? { cwd: input.cwd } : {}) }, argv.config);
    if (offline && mayRun(offline)) return output('allow', `gatehouse (offline, trusted policy): ${offline.reason}`);
    throw new CliError(`gatehouse: the engine is unreachable (${(err as Error).message}); blocked because the trusted policy does not allow this offline${offline ? ` (${offline.reason})` : ''}`, 2);
  }
  let decision: Decision & { prompt_id?: string };
  try {
    decision = (await t.call('firewall.check', { ...req, agent: argv.agent, ...(input.cwd ? { cwd: input.cwd } : {}), wait: argv.wait }, deadlineMs)) as Decision & { prompt_id?: string };
    if (decision.decision === 'ask' && decision.prompt_id) {
      await t.call('prompts.cancel', { id: decision.prompt_id, reason: "deferred to Claude Code's own permission prompt" }, HANDSHAKE_MS).catch(() => {});
    }
  } catch (err) {
    // The engine answered the handshake and then did not decide in time: blocked, never an offline allow.
    throw new CliError(`gatehouse: no decision within ${Math.round(deadlineMs / 1000)} s (${(err as Error).message}); blocked`, 2);
  } finally {
    await t.close();
  }
  // Law 8: nothing decided in lockdown runs, whatever the decision says.
  output(decision.decision === 'allow' && !mayRun(decision) ? 'deny' : decision.decision, explain(decision));
}
