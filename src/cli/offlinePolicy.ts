// The policy a client may use when the engine is unreachable: only the text the operator trusted.
// A policy file that differs from the trusted copy is not used (fail closed).
import { existsSync, readFileSync } from 'node:fs';
import type { Decision, ToolCall } from '../shared/firewall.js';
import { addProtectedRoots, evaluateActions, evaluateExec, evaluateMcp, parsePolicyText, type Action } from '../engine/firewall/index.js';
import { statePath } from '../engine/stateDir.js';

/** The offline decision, or null when no trusted policy is available. Never more permissive than the engine. */
export function decideOffline(stateDir: string, req: { command?: string; tool?: ToolCall; actions?: Action[]; agent: string; cwd?: string }): Decision | null {
  const trustedFile = statePath(stateDir, 'policyTrusted');
  if (!existsSync(trustedFile)) return null;
  try {
    const trusted = JSON.parse(readFileSync(trustedFile, 'utf8')) as { text: string };
    const loaded = parsePolicyText(trusted.text, trustedFile);
    addProtectedRoots([stateDir]);
    const opts = { agent: req.agent, cwd: req.cwd ?? null };
    if (req.command !== undefined) return evaluateExec(loaded.policy, req.command, opts);
    if (req.actions) return evaluateActions(loaded.policy, req.actions, opts);
    return evaluateMcp(loaded.policy, req.tool!, opts);
  } catch {
    return null;
  }
}
