// JSON-RPC 2.0 message shapes as the proxy sees them: just enough validation to route a line,
// never a reinterpretation of what passes through (unknown methods and fields are kept as they are).

export type JsonRpcId = string | number;

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

// The envelope is checked by hand rather than with zod: every line in both directions passes here,
// and the relay's overhead is measured against a direct connection (bench/proxy.bench.mjs).
export function classify(value: unknown): ParsedLine {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, code: INVALID_REQUEST, message: 'a JSON-RPC message must be an object', id: null };
  }
  const raw = value as Record<string, unknown>;
  const rawId = raw.id;
  const idOk = typeof rawId === 'string' || (typeof rawId === 'number' && Number.isFinite(rawId));
  const id = idOk ? (rawId as JsonRpcId) : null;
  if (raw.jsonrpc !== '2.0') return invalid('jsonrpc', 'must be "2.0"', id);
  if ('method' in raw) {
    if (typeof raw.method !== 'string') return invalid('method', 'must be a string', id);
    if (rawId !== undefined) {
      if (!idOk) return invalid('id', 'must be a string or a number', null);
      return { ok: true, message: { kind: 'request', id: rawId as JsonRpcId, method: raw.method, params: raw.params, raw } };
    }
    return { ok: true, message: { kind: 'notification', method: raw.method, params: raw.params, raw } };
  }
  if (!idOk && rawId !== null) return invalid('id', 'a response id must be a string, a number or null', null);
  const hasResult = 'result' in raw;
  const hasError = 'error' in raw;
  if (hasResult === hasError) return invalid('result', 'a response has exactly one of result or error', id);
  if (hasError) {
    const e = raw.error as { code?: unknown; message?: unknown } | null;
    if (!e || typeof e !== 'object' || typeof e.code !== 'number' || typeof e.message !== 'string') {
      return invalid('error', 'must be {code: number, message: string}', id);
    }
  }
  return { ok: true, message: { kind: 'response', id, raw, result: raw.result, error: raw.error } };
}

function invalid(key: string, what: string, id: JsonRpcId | null): ParsedLine {
  return { ok: false, code: INVALID_REQUEST, message: `not a valid JSON-RPC 2.0 message: "${key}" ${what}`, id };
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
