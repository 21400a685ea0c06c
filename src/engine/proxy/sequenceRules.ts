// Per-session behaviour rules: calls that are harmless alone but dangerous in order. The classic one
// is reading credentials and then calling something that can reach the network (exfiltration).
// A hit never allows anything by itself: it raises an alert and escalates the call to the operator.
import type { AlertInput } from '../../shared/alert.js';
import type { ToolCall } from '../../shared/firewall.js';

/** Why a call must be asked even if the policy would allow it. The engine turns it into a prompt. */
export interface Escalation {
  check: string;
  reason: string;
}

const CREDENTIAL_PATH = /(?:^|[\s"'=:/\\~])(?:\.ssh(?:[/\\]|$)|\.aws(?:[/\\]|$)|\.gnupg(?:[/\\]|$)|\.kube[/\\]config|\.docker[/\\]config\.json|\.netrc\b|\.npmrc\b|\.pypirc\b|\.git-credentials\b|\.env(?:\.[\w-]+)?$|id_(?:rsa|dsa|ecdsa|ed25519)\b|credentials(?:\.json)?$|\.pem$|\.p12$|gatehouse[/\\]api-token)/i;

const NETWORK_TOOL_NAME = /fetch|http|request|curl|wget|web|url|browse|download|upload|post|send|mail|slack|webhook|discord|telegram|publish|push|tweet|socket|api_call/i;
const URL_IN_ARGS = /\b(?:https?|ftp|wss?):\/\/|\b[a-z0-9-]+(?:\.[a-z0-9-]+)+:\d{2,5}\b/i;

function strings(value: unknown, out: string[] = [], depth = 0): string[] {
  if (depth > 8 || out.length > 200) return out;
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out, depth + 1);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) strings(v, out, depth + 1);
  return out;
}

export function credentialPathIn(call: ToolCall): string | undefined {
  return strings(call.args).find((s) => CREDENTIAL_PATH.test(s));
}

export function isNetworkCapable(call: ToolCall): boolean {
  if (call.annotations?.openWorldHint === true && call.annotations.readOnlyHint !== true) return true;
  if (NETWORK_TOOL_NAME.test(call.tool)) return true;
  return strings(call.args).some((s) => URL_IN_ARGS.test(s));
}

export class SequenceTracker {
  private credentialRead: { tool: string; path: string } | undefined;
  private alerted = false;

  constructor(private readonly server: string) {}

  /** Before deciding a call: an escalation (and the alert to raise) when the sequence rules say so. */
  check(call: ToolCall): { escalation?: Escalation; alert?: AlertInput } {
    if (!this.credentialRead || !isNetworkCapable(call)) return {};
    const read = this.credentialRead;
    const reason = `"${call.tool}" can reach the network and this session earlier read a credentials path (${read.path} via "${read.tool}")`;
    const escalation = { check: 'credentials_then_network', reason };
    // Every such call is escalated; the alert is raised once per session, not per call.
    if (this.alerted) return { escalation };
    this.alerted = true;
    return {
      escalation,
      alert: {
        severity: 'P1',
        source: 'mcp',
        check: 'credentials_then_network',
        message: `possible exfiltration on MCP server "${this.server}": ${reason}`,
        evidence: { server: this.server, tool: call.tool, earlier_tool: read.tool, earlier_path: read.path },
      },
    };
  }

  /** After a call was allowed and forwarded: remember what it touched. */
  record(call: ToolCall): void {
    const path = credentialPathIn(call);
    if (path !== undefined) this.credentialRead = { tool: call.tool, path: path.slice(0, 200) };
  }
}
