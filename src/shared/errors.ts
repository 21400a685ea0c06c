// An error with a class that every door maps the same way: REST status, JSON-RPC code, CLI exit.
export type EngineErrorCode = 'bad_request' | 'not_found' | 'conflict' | 'unavailable' | 'internal' | 'forbidden';

export class EngineError extends Error {
  constructor(
    message: string,
    readonly code: EngineErrorCode,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

export const HTTP_STATUS: Record<EngineErrorCode, number> = {
  bad_request: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unavailable: 503,
  internal: 500,
};

/** JSON-RPC 2.0: -32600..-32603 are protocol errors; application errors use -32000..-32099. */
export const RPC_CODE: Record<EngineErrorCode, number> = {
  bad_request: -32602,
  not_found: -32004,
  conflict: -32009,
  forbidden: -32003,
  unavailable: -32001,
  internal: -32603,
};

export function codeFromRpc(code: number): EngineErrorCode {
  const found = (Object.entries(RPC_CODE) as [EngineErrorCode, number][]).find(([, c]) => c === code);
  return found ? found[0] : code === -32600 || code === -32700 || code === -32601 ? 'bad_request' : 'internal';
}
