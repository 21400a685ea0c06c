// JSON-RPC 2.0 message shapes as the proxy sees them: just enough validation to route a line,
// never a reinterpretation of what passes through (unknown methods and fields are kept as they are).
import { z } from 'zod';

export type JsonRpcId = string | number;

const IdSchema = z.union([z.string(), z.number()]);

const RequestSchema = z.object({ jsonrpc: z.literal('2.0'), id: IdSchema, method: z.string(), params: z.unknown().optional() });
const NotificationSchema = z.object({ jsonrpc: z.literal('2.0'), method: z.string(), params: z.unknown().optional() });
const ResponseSchema = z
  .object({
    jsonrpc: z.literal('2.0'),
    id: z.union([IdSchema, z.null()]),
    result: z.unknown().optional(),
    error: z.object({ code: z.number(), message: z.string(), data: z.unknown().optional() }).optional(),
  })
  .refine((m) => ('result' in m) !== ('error' in m), { message: 'a response has exactly one of result or error' });

export type RpcMessage =
  | { kind: 'request'; id: JsonRpcId; method: string; params: unknown; raw: Record<string, unknown> }
  | { kind: 'notification'; method: string; params: unknown; raw: Record<string, unknown> }
  | { kind: 'response'; id: JsonRpcId | null; raw: Record<string, unknown>; result?: unknown; error?: unknown }
  | { kind: 'batch'; items: unknown[] };

export type ParsedLine =
  | { ok: true; message: RpcMessage }
  | { ok: false; code: number; message: string; id: JsonRpcId | null };

export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
export const INVALID_PARAMS = -32602;
export const INTERNAL_ERROR = -32603;

/** Classify one line. A line that is JSON but not JSON-RPC keeps its id (when it has a usable one) for the error answer. */
export function parseLine(text: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, code: PARSE_ERROR, message: `not JSON: ${(e as Error).message}`, id: null };
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return { ok: false, code: INVALID_REQUEST, message: 'empty batch', id: null };
    return { ok: true, message: { kind: 'batch', items: value } };
  }
  return classify(value);
}

export function classify(value: unknown): ParsedLine {
  if (typeof value !== 'object' || value === null) {
    return { ok: false, code: INVALID_REQUEST, message: 'a JSON-RPC message must be an object', id: null };
  }
  const raw = value as Record<string, unknown>;
  const id = typeof raw.id === 'string' || typeof raw.id === 'number' ? raw.id : null;
  if ('method' in raw) {
    if ('id' in raw && raw.id !== undefined) {
      const r = RequestSchema.safeParse(raw);
      if (!r.success) return invalid(r.error, id);
      return { ok: true, message: { kind: 'request', id: r.data.id, method: r.data.method, params: r.data.params, raw } };
    }
    const n = NotificationSchema.safeParse(raw);
    if (!n.success) return invalid(n.error, null);
    return { ok: true, message: { kind: 'notification', method: n.data.method, params: n.data.params, raw } };
  }
  const s = ResponseSchema.safeParse(raw);
  if (!s.success) return invalid(s.error, id);
  return { ok: true, message: { kind: 'response', id: s.data.id, raw, result: raw.result, error: raw.error } };
}

function invalid(error: z.ZodError, id: JsonRpcId | null): ParsedLine {
  const issue = error.issues[0];
  const where = issue && issue.path.length ? ` at "${issue.path.join('.')}"` : '';
  return { ok: false, code: INVALID_REQUEST, message: `not a valid JSON-RPC 2.0 message${where}: ${issue?.message ?? 'invalid'}`, id };
}

export function errorLine(id: JsonRpcId | null, code: number, message: string, data?: unknown): string {
  const error: Record<string, unknown> = { code, message };
  if (data !== undefined) error.data = data;
  return JSON.stringify({ jsonrpc: '2.0', id, error });
}

export function resultLine(id: JsonRpcId, result: unknown): string {
  return JSON.stringify({ jsonrpc: '2.0', id, result });
}

export function notificationLine(method: string, params: unknown): string {
  return JSON.stringify({ jsonrpc: '2.0', method, params });
}

/** Map key for an id: 1 and "1" are different requests. */
export function idKey(id: JsonRpcId): string {
  return typeof id === 'number' ? `n:${id}` : `s:${id}`;
}
