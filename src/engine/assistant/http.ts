// One provider call over fetch with the reliability rules of issue 8: a connect deadline (until the
// response headers), an idle deadline while the stream is silent, a whole-call deadline across retries,
// and retries with exponential backoff + jitter on 429, 5xx and network errors, honouring retry-after.

import type { AssistantError, AssistantLogger } from './types.js';

export const RETRYABLE_STATUS = (status: number) => status === 429 || status === 408 || (status >= 500 && status <= 599);

const RETRY_AFTER_CAP_MS = 30_000;
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 8_000;

/** Parses retry-after (delta seconds or an HTTP date) and OpenAI's retry-after-ms; capped; null if absent or bad. */
export function parseRetryAfter(headers: Headers, now: number = Date.now()): number | null {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.min(Number(ms), RETRY_AFTER_CAP_MS);
  const v = headers.get('retry-after');
  if (v === null) return null;
  const t = v.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.min(Number(t) * 1000, RETRY_AFTER_CAP_MS);
  const date = Date.parse(t);
  if (Number.isNaN(date)) return null;
  return Math.min(Math.max(0, date - now), RETRY_AFTER_CAP_MS);
}

/** Full-jitter exponential backoff: random in [base·2^n / 2, base·2^n], capped. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export const realSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/** Why a call was aborted: set as the AbortController's reason so the catch can name it. */
export class DeadlineReason extends Error {
  constructor(readonly which: 'connect' | 'idle' | 'deadline' | 'cancelled', readonly ms: number) {
    super(which === 'cancelled' ? 'cancelled by the caller' : `${which} timeout after ${ms} ms`);
    this.name = 'DeadlineReason';
  }
}

/** A stream parser's complaint: malformed JSON, a truncated stream, a provider error event. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

export interface CallSpec<T> {
  url: string;
  headers: Record<string, string>;
  body: string;
  requestId: string;
  /** Absolute epoch ms after which nothing more is attempted. */
  deadline: number;
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  maxRetries: number;
  logger: AssistantLogger;
  /** Called before each attempt is sent (the ledger record). */
  onAttempt?: (attempt: number) => void;
  /** Reads a 2xx response; `touch` resets the idle deadline and must be called as data arrives. */
  readBody: (res: Response, touch: () => void) => Promise<T>;
  /** Extracts a readable message from a non-2xx body. */
  errorMessage: (status: number, bodyText: string) => string;
  signal?: AbortSignal;
  fetchImpl?: typeof fetch;
  sleep?: Sleep;
  random?: () => number;
}

export type CallOutcome<T> = { ok: true; value: T; attempts: number } | { ok: false; error: AssistantError };

export async function callWithRetries<T>(spec: CallSpec<T>): Promise<CallOutcome<T>> {
  const fetchImpl = spec.fetchImpl ?? fetch;
  const sleep = spec.sleep ?? realSleep;
  const log = spec.logger;
  const rid = spec.requestId;
  let last: AssistantError = { error: 'internal', message: 'no attempt was made', request_id: rid };

  for (let attempt = 0; attempt <= spec.maxRetries; attempt++) {
    const remaining = spec.deadline - Date.now();
    if (remaining <= 0) {
      return { ok: false, error: { error: 'timeout', message: `deadline passed before attempt ${attempt + 1}; last: ${last.message}`, request_id: rid, attempts: attempt } };
    }
    if (spec.signal?.aborted) return { ok: false, error: { error: 'timeout', message: 'cancelled by the caller', request_id: rid, attempts: attempt } };

    const ctrl = new AbortController();
    const onOuterAbort = () => ctrl.abort(new DeadlineReason('cancelled', 0));
    spec.signal?.addEventListener('abort', onOuterAbort, { once: true });
    const wholeTimer = setTimeout(() => ctrl.abort(new DeadlineReason('deadline', remaining)), remaining);
    let phaseTimer: NodeJS.Timeout | undefined = setTimeout(
      () => ctrl.abort(new DeadlineReason('connect', spec.connectTimeoutMs)),
      Math.min(spec.connectTimeoutMs, remaining),
    );
    const touch = () => {
      clearTimeout(phaseTimer);
      phaseTimer = setTimeout(() => ctrl.abort(new DeadlineReason('idle', spec.idleTimeoutMs)), spec.idleTimeoutMs);
    };
    let retryDelay: number | null = null;
    try {
      spec.onAttempt?.(attempt + 1);
      log.debug({ request_id: rid, attempt: attempt + 1, url: spec.url }, 'assistant request');
      const res = await fetchImpl(spec.url, { method: 'POST', headers: spec.headers, body: spec.body, signal: ctrl.signal });
      touch();
      if (res.ok) {
        let value: T;
        try {
          value = await spec.readBody(res, touch);
        } catch (err) {
          // Once a 2xx stream has begun, tokens may already be shown: a broken stream is not retried.
          if (ctrl.signal.aborted || err instanceof ProtocolError) throw err;
          throw new ProtocolError(`stream broke: ${(err as Error).message}`);
        }
        log.info({ request_id: rid, attempt: attempt + 1, status: res.status }, 'assistant response complete');
        return { ok: true, value, attempts: attempt + 1 };
      }
      const text = await readBounded(res, 64 * 1024);
      const message = spec.errorMessage(res.status, text);
      last = { error: 'http', message: `HTTP ${res.status}: ${message}`, request_id: rid, status: res.status, attempts: attempt + 1 };
      if (!RETRYABLE_STATUS(res.status)) {
        log.warn({ request_id: rid, status: res.status, problem: message }, 'assistant request refused');
        return { ok: false, error: last };
      }
      retryDelay = parseRetryAfter(res.headers) ?? backoffMs(attempt, spec.random);
      log.warn({ request_id: rid, status: res.status, attempt: attempt + 1, retry_in_ms: retryDelay }, 'assistant request failed; will retry');
    } catch (err) {
      const reason = ctrl.signal.aborted ? ctrl.signal.reason : undefined;
      if (reason instanceof DeadlineReason) {
        last = { error: 'timeout', message: reason.message, request_id: rid, attempts: attempt + 1 };
        log.warn({ request_id: rid, attempt: attempt + 1, problem: reason.message }, 'assistant request timed out');
        // A connect timeout is a network failure worth retrying; an idle stream or the whole deadline is not.
        if (reason.which !== 'connect') return { ok: false, error: last };
        retryDelay = backoffMs(attempt, spec.random);
      } else if (err instanceof ProtocolError) {
        last = { error: 'protocol', message: err.message, request_id: rid, attempts: attempt + 1 };
        log.warn({ request_id: rid, attempt: attempt + 1, problem: err.message }, 'assistant response malformed');
        return { ok: false, error: last };
      } else {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        const detail = cause?.code ?? cause?.message ?? (err as Error).message;
        last = { error: 'network', message: `cannot reach ${new URL(spec.url).host}: ${detail}`, request_id: rid, attempts: attempt + 1 };
        log.warn({ request_id: rid, attempt: attempt + 1, problem: detail }, 'assistant request network error; will retry');
        retryDelay = backoffMs(attempt, spec.random);
      }
    } finally {
      clearTimeout(wholeTimer);
      clearTimeout(phaseTimer);
      spec.signal?.removeEventListener('abort', onOuterAbort);
    }
    if (attempt === spec.maxRetries) break;
    const left = spec.deadline - Date.now();
    if ((retryDelay ?? 0) >= left) {
      return { ok: false, error: { ...last, message: `${last.message}; no time left to retry before the deadline` } };
    }
    const waitCtrl = new AbortController();
    const relay = () => waitCtrl.abort();
    spec.signal?.addEventListener('abort', relay, { once: true });
    await sleep(retryDelay ?? 0, waitCtrl.signal);
    spec.signal?.removeEventListener('abort', relay);
  }
  return { ok: false, error: { ...last, message: `${last.message} (gave up after ${spec.maxRetries + 1} attempts)` } };
}

async function readBounded(res: Response, max: number): Promise<string> {
  try {
    const text = await res.text();
    return text.length > max ? text.slice(0, max) : text;
  } catch {
    return '';
  }
}
