// The simulated gateway's door into the engine: plain HTTP on loopback with the bearer token from the
// state dir, exactly what a real gateway sends. Unwraps {success, data}; anything else is an error
// that says which call failed and why.

export class RestError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'RestError';
  }
}

export interface GatewayRest {
  call<T = unknown>(method: 'GET' | 'POST', path: string, body?: unknown, opts?: { actor?: string }): Promise<T>;
}

export function gatewayRest(baseUrl: string, token: string, signal: AbortSignal, defaultActor: string): GatewayRest {
  return {
    async call<T>(method: 'GET' | 'POST', path: string, body?: unknown, opts: { actor?: string } = {}): Promise<T> {
      const res = await fetch(baseUrl + path, {
        method,
        signal,
        headers: {
          authorization: `Bearer ${token}`,
          'x-gatehouse-actor': opts.actor ?? defaultActor,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      let parsed: { success?: boolean; data?: unknown; error?: string } = {};
      try {
        parsed = JSON.parse(text) as typeof parsed;
      } catch {
        throw new RestError(`${method} ${path}: HTTP ${res.status}, body is not JSON`, res.status);
      }
      if (!res.ok || parsed.success !== true) throw new RestError(`${method} ${path}: HTTP ${res.status} ${parsed.error ?? ''}`.trim(), res.status);
      return parsed.data as T;
    },
  };
}
