// Tool results are untrusted input to the model: look for prompt injection and secrets before the
// host reads them, raise alerts, and (when configured) redact in place.
import { createHash } from 'node:crypto';
import type { AlertInput } from '../../shared/alert.js';
import { findPromptInjection, redactPromptInjection } from '../monitor/promptInjection.js';
import { rewriteStrings, textSlots } from './toolResults.js';

export type SecretScanner = (text: string) => { kind: string; excerpt: string }[];

export interface ScanOptions {
  server: string;
  tool: string;
  /** What the call read: the resource URI, or the arguments that name what the tool fetched. */
  subject?: string;
  scanText?: SecretScanner;
  /** Masks secrets in a text; used only when redactSecrets is on. */
  redact?: (text: string) => string;
  redactSecrets?: boolean;
  redactInjection?: boolean;
}

const NAMING_ARGS = ['uri', 'url', 'path', 'file', 'filename', 'query', 'repo', 'id', 'name'];

/**
 * The arguments that say what a call read, for the alert: the naming ones first (uri, url, path…),
 * else the first few string arguments; values shortened. Empty when there are none.
 */
export function describeCallArgs(args: Record<string, unknown> | undefined): string {
  if (!args) return '';
  const strings = Object.entries(args).filter((e): e is [string, string] => typeof e[1] === 'string');
  const naming = strings.filter(([k]) => NAMING_ARGS.includes(k.toLowerCase()));
  const chosen = (naming.length ? naming : strings).slice(0, 3);
  return chosen.map(([k, v]) => `${k}=${JSON.stringify(v.length > 120 ? `${v.slice(0, 117)}...` : v)}`).join(', ');
}

/** Scans the result (mutating it when redaction is on); returns the alerts and whether it was rewritten. */
export function scanResult(result: unknown, o: ScanOptions): { alerts: AlertInput[]; rewritten: boolean } {
  const alerts: AlertInput[] = [];
  const slots = textSlots(result);
  if (slots.length === 0) return { alerts, rewritten: false };
  const injections = new Map<string, string>();
  const secrets = new Map<string, string>();
  for (const slot of slots) {
    const text = slot.get();
    for (const f of findPromptInjection(text)) if (!injections.has(f.pattern)) injections.set(f.pattern, f.excerpt);
    if (o.scanText) for (const f of o.scanText(text)) if (!secrets.has(f.kind)) secrets.set(f.kind, f.excerpt);
  }
  const doRedactInjection = Boolean(o.redactInjection) && injections.size > 0;
  const doRedactSecrets = Boolean(o.redactSecrets && o.redact) && secrets.size > 0;
  if (injections.size > 0) {
    alerts.push({
      severity: 'P1',
      source: 'mcp',
      check: 'prompt_injection',
      message: `result of tool "${o.tool}"${o.subject ? ` (${o.subject})` : ''} on MCP server "${o.server}" looks like a prompt-injection attempt (${[...injections.keys()].join(', ')})${doRedactInjection ? '; the instruction was removed' : ''}`,
      evidence: { server: o.server, tool: o.tool, ...(o.subject ? { arguments: o.subject } : {}), patterns: [...injections.keys()], excerpts: [...injections.values()].map((e) => e.slice(0, 200)) },
    });
  }
  if (secrets.size > 0) {
    alerts.push({
      severity: 'P1',
      source: 'mcp',
      check: 'secret_in_tool_result',
      message: `result of tool "${o.tool}" on MCP server "${o.server}" contains secrets (${[...secrets.keys()].join(', ')})${doRedactSecrets ? '; redacted' : ''}`,
      // The scanner's excerpts are masked; hash them too so repeats can be correlated without the secret.
      evidence: {
        server: o.server,
        tool: o.tool,
        kinds: [...secrets.keys()],
        excerpts: [...secrets.values()].map((e) => ({ masked: e.slice(0, 80), sha256: createHash('sha256').update(e).digest('hex').slice(0, 16) })),
      },
    });
  }
  if (!doRedactInjection && !doRedactSecrets) return { alerts, rewritten: false };
  const fix = (s: string) => {
    let out = s;
    if (doRedactSecrets) out = o.redact!(out);
    if (doRedactInjection) out = redactPromptInjection(out);
    return out;
  };
  for (const slot of slots) slot.set(fix(slot.get()));
  const r = result as Record<string, unknown>;
  if (r.structuredContent !== undefined) r.structuredContent = rewriteStrings(r.structuredContent, fix);
  return { alerts, rewritten: true };
}
