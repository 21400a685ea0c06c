// Claude Code PostToolUse (docs/policy.md): the tool's output is scanned per the trusted policy's `outputs:`.
// Secrets: an MCP tool's output is replaced by the redacted one (updatedMCPToolOutput); a native tool's
// cannot be replaced, so the hook blocks with a reason telling the agent not to use them. Injection:
// an alert in the engine and a warning to the agent (alert), or the output blocked (block).
import { existsSync, readFileSync } from 'node:fs';
import type { HookArgs, HookInputT } from './hookInput.js';
import { stateDirOf } from './context.js';

/** The trusted policy's outputs section; the defaults when there is none. Never looser than the policy. */
async function outputsPolicy(stateDir: string): Promise<{ secrets: 'redact' | 'block' | 'off'; injection: 'alert' | 'block' | 'off' }> {
  const fallback = { secrets: 'redact', injection: 'alert' } as const;
  const { statePath } = await import('../engine/store/stateDir.js');
  const trustedFile = statePath(stateDir, 'policyTrusted');
  if (!existsSync(trustedFile)) return fallback;
  try {
    const { parsePolicyText } = await import('../engine/firewall/index.js');
    const trusted = JSON.parse(readFileSync(trustedFile, 'utf8')) as { text: string };
    return parsePolicyText(trusted.text, trustedFile).policy.file.outputs;
  } catch {
    return fallback;
  }
}

export async function runPostToolUse(argv: HookArgs, input: HookInputT): Promise<void> {
  const stateDir = stateDirOf(argv);
  const policy = await outputsPolicy(stateDir);
  const { scanOutput } = await import('../engine/monitor/outputScan.js');
  const mcp = /^mcp__(.+?)__(.+)$/.exec(input.tool_name);
  const what = mcp ? `${mcp[1]}/${mcp[2]}` : input.tool_name;
  const v = scanOutput(input.tool_response, policy, what, argv.agent);
  if (v.alerts.length) {
    // The operator hears about it even when the agent is only warned; an engine that is down does not stop the answer.
    try {
      const { connectTransport } = await import('../client/ipcClient.js');
      const t = await connectTransport({ stateDir, surface: 'cli' });
      try {
        for (const a of v.alerts) await t.call('alerts.raise', a).catch(() => {});
      } finally {
        await t.close();
      }
    } catch {
      process.stderr.write(`gatehouse: ${v.alerts.map((a) => a.message).join('; ')} (the engine is unreachable; alert not recorded)\n`);
    }
  }
  if (v.action === 'pass' && !v.reason) return;
  if (argv.host === 'gemini-cli') {
    // Gemini CLI's AfterTool: deny replaces the result with the reason; tool_output replaces it with text.
    const g: Record<string, unknown> = {};
    if (v.action === 'block') Object.assign(g, { decision: 'deny', reason: `[output withheld by gatehouse: ${v.reason}]` });
    else if (v.action === 'redact') g.hookSpecificOutput = { tool_output: JSON.stringify(v.redacted), additionalContext: `gatehouse: ${v.reason}` };
    else g.hookSpecificOutput = { additionalContext: `gatehouse: ${v.reason}` };
    process.stdout.write(`${JSON.stringify(g)}\n`);
    return;
  }
  const out: Record<string, unknown> = {};
  const specific: Record<string, unknown> = { hookEventName: 'PostToolUse' };
  if (v.action === 'block') {
    out.decision = 'block';
    out.reason = `gatehouse withheld this output: ${v.reason}`;
    if (mcp) specific.updatedMCPToolOutput = `[output withheld by gatehouse: ${v.reason}]`;
  } else if (v.action === 'redact') {
    if (mcp) specific.updatedMCPToolOutput = v.redacted;
    else {
      out.decision = 'block';
      out.reason = `gatehouse: ${v.reason}`;
    }
  }
  if (v.reason) specific.additionalContext = `gatehouse: ${v.reason}`;
  out.hookSpecificOutput = specific;
  process.stdout.write(`${JSON.stringify(out)}\n`);
}
