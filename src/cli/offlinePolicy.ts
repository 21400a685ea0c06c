// The policy a client may use when the engine is unreachable: only the text the operator trusted.
// A policy file that differs from the trusted copy is not used (fail closed).
import { existsSync, readFileSync } from 'node:fs';
import type { Decision, ToolCall } from '../shared/firewall.js';
import { evaluateCommand, evaluateTool, parsePolicyText } from '../engine/firewall/index.js';
import { statePath } from '../engine/store/stateDir.js';

/** The offline decision, or null when no trusted policy is available. Never more permissive than the engine. */
export function decideOffline(stateDir: string, req: { command?: string; tool?: ToolCall; agent: string }): Decision | null {
  const trustedFile = statePath(stateDir, 'policyTrusted');
  if (!existsSync(trustedFile)) return null;
  try {
    const trusted = JSON.parse(readFileSync(trustedFile, 'utf8')) as { text: string };
    const loaded = parsePolicyText(trusted.text, trustedFile);
    return req.command !== undefined ? evaluateCommand(loaded.policy, req.command, { agent: req.agent }) : evaluateTool(loaded.policy, req.tool!, { agent: req.agent });
  } catch {
    return null;
  }
}
