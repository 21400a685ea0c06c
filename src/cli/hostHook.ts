// The hook behind `gatehouse hook <host>` (docs/agent-hosts.md): one runner for every agent host. The
// host's table (agentHosts.ts) reads its stdin JSON into a call and the call into actions (exec, read,
// write, delete, fetch, mcp, agent); the engine decides; the table answers in the host's own format.
// Post-tool events are scanned for secrets and prompt injection (postToolUse.ts). Anything that stops a
// decision (bad input, the engine unreachable without an offline allow, no answer in time) blocks the
// call the way the host documents blocking: never a silence or an error the host would read as allow.
import { readFileSync } from 'node:fs';
import { mayRun, type Decision, type NativeAction, type ToolCall } from '../shared/firewall.js';
import { statePath } from '../engine/store/stateDir.js';
import { HOSTS, type HookHost, type HostCall, type Reply } from './agentHosts.js';
import { stateDirOf } from './context.js';
import { HookInput, type HookArgs, type HookInputT } from './hookInput.js';

export { HookInput, type HookArgs, type HookInputT };

class Blocked extends Error {}

export async function readStdin(limit = 4 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of process.stdin) {
    size += (c as Buffer).length;
    if (size > limit) throw new Blocked(`hook input larger than ${limit} bytes`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
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

function emit(r: Reply): void {
  if (r.stdout) process.stdout.write(r.stdout);
  if (r.stderr) process.stderr.write(r.stderr);
  process.exitCode = r.exitCode;
}

export async function runHostHook(argv: HookArgs): Promise<void> {
  const hostName: HookHost = argv.host ?? 'claude-code';
  const host = HOSTS[hostName];
  let call: HostCall;
  try {
    let raw: unknown;
    try {
      raw = JSON.parse(await readStdin());
    } catch (err) {
      throw new Blocked(`the hook input is not JSON (${(err as Error).message})`);
    }
    try {
      call = host.parse(raw);
    } catch (err) {
      throw new Blocked((err as Error).message);
    }
    if (call.phase === 'post') {
      const post = { tool_name: call.toolName, tool_input: call.toolInput, tool_response: call.toolResponse, hook_event_name: 'PostToolUse' } as HookInputT;
      return await (await import('./postToolUse.js')).runPostToolUse(argv, post);
    }
    return emit(await decide(argv, hostName, call));
  } catch (err) {
    // Every failure blocks, in the host's own way of blocking; then the process ends at once (as it did
    // with an error), whatever a half-closed socket to a stalled engine still holds open.
    const r = host.block((err as Error).message);
    emit(r);
    process.exit(r.exitCode);
  }
}

/** Kept for callers of the Claude Code hook by its first name. */
export const runClaudeCodeHook = runHostHook;

async function decide(argv: HookArgs, hostName: HookHost, call: HostCall): Promise<Reply> {
  const host = HOSTS[hostName];
  const mapped = call.map(await import('../engine/firewall/index.js'));
  if ('invalid' in mapped) throw new Blocked(mapped.invalid);
  if ('inert' in mapped) return host.answer('allow', `gatehouse: ${call.toolName} touches nothing outside the session`, call);
  if ('unknown' in mapped) return host.answer('ask', `gatehouse does not know the tool ${JSON.stringify(call.toolName)}: it cannot decide it, so the operator is asked`, call);
  const first = mapped.actions[0]!;
  let req: CheckRequest;
  if (first.kind === 'exec') req = { command: first.command };
  else if (first.kind === 'mcp') req = { tool: first.call };
  else req = { actions: mapped.actions as NativeAction[], tool_name: call.toolName };
  const stateDir = stateDirOf(argv);
  const cwd = call.cwd ? { cwd: call.cwd } : {};
  const { connectTransport } = await import('../client/ipcClient.js');
  // Deadlines (issue 22 gap 10): the handshake and a plain check end well inside a 30 s hook timeout;
  // a waiting check ends at the ask TTL plus a margin. Past a deadline the hook blocks the call:
  // a hook that the host kills instead would, with most hosts, let the tool run.
  const deadlineMs = argv.wait ? (await askTtlMs(stateDir)) + WAIT_MARGIN_MS : CHECK_DEADLINE_MS;
  let t: Awaited<ReturnType<typeof connectTransport>>;
  try {
    t = await connectTransport({ stateDir, surface: 'cli', connectTimeoutMs: HANDSHAKE_MS, handshakeTimeoutMs: HANDSHAKE_MS });
  } catch (err) {
    const { decideOffline, reportOffline } = await import('./offlinePolicy.js');
    const offline = decideOffline(stateDir, { ...req, agent: argv.agent, ...cwd }, argv.config);
    reportOffline(stateDir, 'hook', argv.agent, `${hostName} ${call.toolName}: ${first.kind === 'exec' ? first.command : JSON.stringify(call.toolInput ?? {}).slice(0, 500)}`, offline, !!offline && mayRun(offline));
    if (offline && mayRun(offline)) return host.answer('allow', `gatehouse (offline, trusted policy): ${offline.reason}`, call);
    throw new Blocked(`the engine is unreachable (${(err as Error).message}); blocked because the trusted policy does not allow this offline${offline ? ` (${offline.reason})` : ''}`);
  }
  let decision: Decision & { prompt_id?: string };
  try {
    decision = (await t.call('firewall.check', { ...req, agent: argv.agent, ...cwd, wait: argv.wait }, deadlineMs)) as Decision & { prompt_id?: string };
    if (decision.decision === 'ask' && decision.prompt_id) {
      await t.call('prompts.cancel', { id: decision.prompt_id, reason: `deferred to ${hostName}'s own permission handling` }, HANDSHAKE_MS).catch(() => {});
    }
  } catch (err) {
    // The engine answered the handshake and then did not decide in time: blocked, never an offline allow.
    throw new Blocked(`no decision within ${Math.round(deadlineMs / 1000)} s (${(err as Error).message}); blocked`);
  } finally {
    await t.close();
  }
  // Law 8: nothing decided in lockdown runs, whatever the decision says.
  return host.answer(decision.decision === 'allow' && !mayRun(decision) ? 'deny' : decision.decision, explain(decision), call);
}
