// The host requests the firewall gates, and how a refusal of each is answered. A tools/call is
// decided as itself; a resources/read is decided as a call of the reserved tool name
// "resources/read" with the resource URI as its `uri` argument, so policy `tools` rules govern both:
//   - { server: docs, tool: resources/read, args: { uri: "file:///srv/docs/**" }, decision: allow }
// A refused tools/call is an isError result (the model reads it); resources/read has no such form,
// so its refusal is a JSON-RPC error naming the rule, with the same decision record in error.data.
import type { Decision, ToolCall } from '../../shared/firewall.js';
import { INVALID_PARAMS, errorLine, resultLine, type JsonRpcId } from './jsonRpc.js';
import { DECISION_META_KEY, denialResult, unreachableResult } from './toolResults.js';

/** The tool name a resources/read is decided as. A server tool of that name is refused outright. */
export const RESOURCE_READ_TOOL = 'resources/read';

/** JSON-RPC error code of a refused resources/read (implementation-defined range; the MCP SDK uses -32000, -32001, -32042). */
export const FIREWALL_REFUSED = -32010;

export type ProgressToken = string | number;

export interface GatedRequest {
  method: 'tools/call' | 'resources/read';
  call: ToolCall;
  progressToken?: ProgressToken;
  /** What the operator and the logs call it: the tool name, or "resources/read <uri>". */
  label: string;
}

export type GatedParse = { ok: true; request: GatedRequest } | { ok: false; line: string };

export function isGatedMethod(method: string): method is GatedRequest['method'] {
  return method === 'tools/call' || method === RESOURCE_READ_TOOL;
}

// Checked by hand rather than with zod: every gated request passes here before its decision, and
// the relay's overhead is measured against a direct connection (bench/proxy.bench.mjs).
/** The params of a gated request, or the error line to answer when they are not valid. */
export function parseGated(id: JsonRpcId, method: GatedRequest['method'], server: string, params: unknown): GatedParse {
  const bad = (path: string, what: string): GatedParse => ({ ok: false, line: errorLine(id, INVALID_PARAMS, `invalid ${method} params at "${path}": ${what}`) });
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return bad('', 'expected an object');
  const p = params as Record<string, unknown>;
  let progressToken: ProgressToken | undefined;
  if (p._meta !== undefined) {
    if (typeof p._meta !== 'object' || p._meta === null || Array.isArray(p._meta)) return bad('_meta', 'expected an object');
    const token = (p._meta as Record<string, unknown>).progressToken;
    if (token !== undefined && typeof token !== 'string' && typeof token !== 'number') return bad('_meta.progressToken', 'expected a string or a number');
    progressToken = token as ProgressToken | undefined;
  }
  const gated = (r: GatedRequest): GatedParse => ({ ok: true, request: progressToken === undefined ? r : { ...r, progressToken } });
  if (method === RESOURCE_READ_TOOL) {
    if (typeof p.uri !== 'string' || p.uri === '') return bad('uri', 'expected a non-empty string');
    return gated({ method, call: { server, tool: RESOURCE_READ_TOOL, args: { uri: p.uri } }, label: `${RESOURCE_READ_TOOL} ${p.uri}` });
  }
  if (typeof p.name !== 'string' || p.name === '') return bad('name', 'expected a non-empty string');
  if (p.arguments !== undefined && (typeof p.arguments !== 'object' || p.arguments === null || Array.isArray(p.arguments))) return bad('arguments', 'expected an object');
  if (p.name === RESOURCE_READ_TOOL) {
    // Decided as it is, the call would borrow the rules written for resource reads.
    return { ok: false, line: errorLine(id, INVALID_PARAMS, `gatehouse refuses a tool named "${RESOURCE_READ_TOOL}": the name is reserved for resource reads in the firewall policy`) };
  }
  return gated({ method, call: { server, tool: p.name, args: (p.arguments as Record<string, unknown> | undefined) ?? {} }, label: p.name });
}

export interface RefusalContext {
  server: string;
  /** The tool declared an outputSchema (tools/call only). */
  hasOutputSchema: boolean;
}

/** The answer to a gated request the firewall did not allow. */
export function refusalLine(id: JsonRpcId, r: GatedRequest, d: Decision, ctx: RefusalContext): string {
  if (r.method === 'tools/call') return resultLine(id, denialResult(d, { server: ctx.server, tool: r.call.tool, hasOutputSchema: ctx.hasOutputSchema }));
  const record = { decision: d.decision === 'allow' ? 'deny' : d.decision, rule: d.rule, source: d.source, audit_id: d.request_id };
  const message =
    `gatehouse blocked resources/read of "${String(r.call.args.uri)}" on MCP server "${ctx.server}" (${d.source}). ` +
    `Rule: ${d.rule ?? 'none (no rule matched)'}. ${d.source === 'operator' ? 'Operator feedback' : 'Reason'}: ${d.reason || 'none given'}. Audit id: ${d.request_id}`;
  return errorLine(id, FIREWALL_REFUSED, message, { [DECISION_META_KEY]: record });
}

/** The answer when the firewall could not be asked at all: refused, never forwarded. */
export function unreachableLine(id: JsonRpcId, r: GatedRequest, cause: string, ctx: RefusalContext): string {
  if (r.method === 'tools/call') return resultLine(id, unreachableResult({ server: ctx.server, tool: r.call.tool, hasOutputSchema: ctx.hasOutputSchema }, cause));
  const record = { decision: 'deny', rule: null, source: 'fallback', audit_id: null };
  const message = `gatehouse blocked resources/read of "${String(r.call.args.uri)}" on MCP server "${ctx.server}": the gatehouse firewall is unavailable (${cause}). Nothing was read.`;
  return errorLine(id, FIREWALL_REFUSED, message, { [DECISION_META_KEY]: record });
}
