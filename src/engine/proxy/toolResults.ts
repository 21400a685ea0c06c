// What the proxy says to the host on its own: a refused tool call is a normal tools/call result
// with isError (the model reads it and adapts), never a JSON-RPC error, which hosts surface as a
// broken server. The structured part lets hosts and scripts tell a policy decision from a tool failure.
import type { Decision } from '../../shared/firewall.js';

export const DECISION_META_KEY = 'dev.gatehouse/decision';

export interface DenialContext {
  server: string;
  tool: string;
  /** The tool declared an outputSchema: structuredContent would be validated against it, so it goes in _meta only. */
  hasOutputSchema: boolean;
}

function describeSource(d: Decision): string {
  switch (d.source) {
    case 'operator':
      return 'the operator denied it';
    case 'timeout':
      return 'nobody answered the approval prompt in time (expired)';
    case 'lockdown':
      return 'the firewall is in lockdown (policy tampered)';
    case 'fallback':
      return 'the firewall engine is unreachable, so the offline policy decided';
    case 'grant':
      return 'a standing grant decided';
    default:
      return 'the firewall policy decided';
  }
}

export function denialResult(d: Decision, ctx: DenialContext): Record<string, unknown> {
  const lines = [
    `gatehouse blocked this call: tool "${ctx.tool}" on MCP server "${ctx.server}" was not allowed (${describeSource(d)}).`,
    `Rule: ${d.rule ?? 'none (no rule matched)'}`,
    `${d.source === 'operator' ? 'Operator feedback' : 'Reason'}: ${d.reason || 'none given'}`,
    'Do not retry this call or work around it with another tool. Tell the user what you wanted to do and why, or continue without it.',
    `Audit id: ${d.request_id}`,
  ];
  const structured = { decision: d.decision === 'allow' ? 'deny' : d.decision, rule: d.rule, source: d.source, audit_id: d.request_id };
  const result: Record<string, unknown> = {
    content: [{ type: 'text', text: lines.join('\n') }],
    isError: true,
    _meta: { [DECISION_META_KEY]: structured },
  };
  if (!ctx.hasOutputSchema) result.structuredContent = structured;
  return result;
}

/** The engine could not be asked: fail closed, and say so plainly. */
export function unreachableResult(ctx: DenialContext, cause: string): Record<string, unknown> {
  const structured = { decision: 'deny', rule: null, source: 'fallback', audit_id: null };
  const result: Record<string, unknown> = {
    content: [
      {
        type: 'text',
        text:
          `gatehouse blocked this call: tool "${ctx.tool}" on MCP server "${ctx.server}" could not be checked because the gatehouse firewall is unavailable (${cause}). ` +
          'Nothing was run. Do not retry until the user says gatehouse is running again.',
      },
    ],
    isError: true,
    _meta: { [DECISION_META_KEY]: structured },
  };
  if (!ctx.hasOutputSchema) result.structuredContent = structured;
  return result;
}

export interface ResultTextSlot {
  get(): string;
  set(text: string): void;
}

/** Every text an agent would read in a tools/call (or resources/read) result, with a way to rewrite it. */
export function textSlots(result: unknown): ResultTextSlot[] {
  const slots: ResultTextSlot[] = [];
  if (!result || typeof result !== 'object') return slots;
  const r = result as Record<string, unknown>;
  const visit = (items: unknown) => {
    if (!Array.isArray(items)) return;
    for (const item of items) {
      if (!item || typeof item !== 'object') continue;
      const it = item as Record<string, unknown>;
      if (typeof it.text === 'string') slots.push({ get: () => it.text as string, set: (t) => (it.text = t) });
      const res = it.resource as Record<string, unknown> | undefined;
      if (res && typeof res === 'object' && typeof res.text === 'string') slots.push({ get: () => res.text as string, set: (t) => (res.text = t) });
    }
  };
  visit(r.content);
  visit(r.contents);
  if (r.structuredContent !== undefined) {
    // Structured content is scanned as JSON text; redaction rewrites only its string leaves.
    const root = r.structuredContent;
    slots.push({ get: () => JSON.stringify(root), set: () => undefined });
  }
  return slots;
}

/** Apply a text rewrite to every string leaf of a JSON value (for structuredContent). */
export function rewriteStrings(value: unknown, fn: (s: string) => string, depth = 0): unknown {
  if (depth > 32) return value;
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((v) => rewriteStrings(v, fn, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = rewriteStrings(v, fn, depth + 1);
    return out;
  }
  return value;
}
