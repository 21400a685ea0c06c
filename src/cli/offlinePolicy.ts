// The policy a client may use when the engine is unreachable: only the text the operator trusted, and
// only while nothing says the guard is compromised (law 8: offline is never looser than the engine).
// A lockdown marker left by the engine, a policy file that is not the trusted text, or one that cannot
// be trusted (a symlink, not a regular file, not the operator's) makes every offline decision a deny.
import { existsSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { Decision, ToolCall } from '../shared/firewall.js';
import { protectPlaces, defaultPolicyPath, evaluateActions, evaluateExec, evaluateMcp, parsePolicyText, type Action } from '../engine/firewall/index.js';
import { readPolicyFile } from '../engine/firewall/policyFile.js';
import { readLockdownMarker } from '../engine/firewall/policyGuard.js';
import { configHome, statePath } from '../engine/store/stateDir.js';
import { selfProtectCommand, selfProtectTool } from '../engine/firewall/selfProtection.js';
import { installedRoot, type ProtectedPlaces } from '../engine/firewall/ownPlaces.js';
import { resolve } from 'node:path';
import { loadConfig } from '../engine/config/config.js';
import { appendOfflineDecision } from '../engine/firewall/offlineSpool.js';
import { maskSecrets } from '../engine/monitor/secrets.js';

function lockdownDeny(reason: string): Decision {
  return { decision: 'deny', source: 'lockdown', rule: null, reason: `firewall in lockdown (offline): ${reason}`, segments: [], request_id: randomUUID() };
}

/** Where law 10 applies for an offline client: the policy's path comes from the config (a config that cannot be loaded is thrown). */
function offlinePlaces(stateDir: string, configFlag?: string): ProtectedPlaces {
  const policyPath = loadConfig(configFlag).config.firewall.policy_file ?? defaultPolicyPath();
  return { stateDir, configDir: configHome(), configFile: configFlag ? resolve(configFlag) : null, policyPath, installDir: installedRoot() };
}

/**
 * What comes before any offline policy for a tool call (`gatehouse proxy --offline-policy`): the
 * engine's lockdown marker denies everything (law 8), then the built-in self-protection rules (law 10).
 * Read at each call: a lockdown that starts after the proxy did applies to its next call.
 */
export function offlineToolGuard(stateDir: string, configFlag?: string): (call: ToolCall) => Decision | null {
  return (call) => {
    try {
      const marker = readLockdownMarker(statePath(stateDir, 'lockdown'));
      if (marker) return lockdownDeny(marker.reason);
      return selfProtectTool(call, offlinePlaces(stateDir, configFlag));
    } catch (err) {
      return lockdownDeny(`the guard could not be checked: ${(err as Error).message}`);
    }
  };
}

/** The offline decision, or null when no trusted policy is available. Never more permissive than the engine. */
export function decideOffline(stateDir: string, req: { command?: string; tool?: ToolCall; actions?: Action[]; agent: string; cwd?: string }, configFlag?: string): Decision | null {
  const trustedFile = statePath(stateDir, 'policyTrusted');
  if (!existsSync(trustedFile)) return null;
  try {
    const marker = readLockdownMarker(statePath(stateDir, 'lockdown'));
    if (marker) return lockdownDeny(marker.reason);
    let places: ProtectedPlaces;
    try {
      places = offlinePlaces(stateDir, configFlag);
    } catch (err) {
      return lockdownDeny(`the config cannot be loaded to find the policy: ${(err as Error).message}`);
    }
    const policyPath = places.policyPath;
    const trusted = JSON.parse(readFileSync(trustedFile, 'utf8')) as { text: string; sha256: string };
    let current: string;
    try {
      current = readPolicyFile(policyPath).sha256;
    } catch (err) {
      return lockdownDeny((err as Error).message);
    }
    if (current !== trusted.sha256) return lockdownDeny(`${policyPath} is not the trusted text (sha256 ${current.slice(0, 12)}… is not ${String(trusted.sha256).slice(0, 12)}…)`);
    const loaded = parsePolicyText(trusted.text, trustedFile);
    if (loaded.sha256 !== trusted.sha256) return lockdownDeny('the trusted copy does not match its own hash');
    // Law 10 holds offline too: the built-in self-protection rules come before the policy.
    if (req.command !== undefined || req.tool) {
      const guarded = req.command !== undefined ? selfProtectCommand(req.command, places, { cwd: req.cwd ?? process.cwd() }) : selfProtectTool(req.tool!, places);
      if (guarded) return guarded;
    }
    protectPlaces(places);
    const opts = { agent: req.agent, cwd: req.cwd ?? null };
    if (req.command !== undefined) return evaluateExec(loaded.policy, req.command, opts);
    if (req.actions) return evaluateActions(loaded.policy, req.actions, opts);
    return evaluateMcp(loaded.policy, req.tool!, opts);
  } catch {
    return null;
  }
}

/**
 * Records one offline decision in the state dir's spool (the one writer for the hook, `exec` and the
 * proxy), for the engine to put in the ledger at its next start. `ran` is what actually happened (an
 * offline ask is a deny). Never throws: a spool that cannot be written is said on stderr; the decision stands.
 */
export function reportOffline(stateDir: string, surface: 'hook' | 'exec' | 'proxy', agent: string, action: string, offline: Decision | null, ran: boolean, policySha?: string | null): void {
  try {
    let sha: string | null = policySha ?? null;
    if (policySha === undefined) try {
      const s = (JSON.parse(readFileSync(statePath(stateDir, 'policyTrusted'), 'utf8')) as { sha256?: unknown }).sha256;
      if (typeof s === 'string' && /^[0-9a-f]{64}$/.test(s)) sha = s;
    } catch {
      // no trusted policy
    }
    const reason = offline ? offline.reason : 'the engine is unreachable and there is no trusted policy to decide with offline';
    appendOfflineDecision(statePath(stateDir, 'offlineSpool'), {
      ts: new Date().toISOString(),
      surface,
      agent: agent.slice(0, 200),
      action: maskSecrets(action),
      decision: ran ? 'allow' : 'deny',
      reason: maskSecrets(reason),
      source: offline ? offline.source : 'no_trusted_policy',
      policy_sha256: sha,
      pid: process.pid,
    });
  } catch (err) {
    process.stderr.write(`gatehouse: the offline decision could not be recorded for the engine: ${(err as Error).message}\n`);
  }
}
