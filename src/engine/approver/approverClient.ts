// HTTP client for the remote approver (docs/approver.md): bearer auth, a User-Agent with our version,
// a request id on every request and log line, per-attempt timeouts under an overall deadline, and
// retries with backoff on network errors, timeouts and 5xx (never on 4xx: the approver has spoken).
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { VERSION } from '../../shared/version.js';
import {
  AbortSignalResponseSchema,
  ApproveResponseSchema,
  IDEMPOTENCY_HEADER,
  REQUEST_ID_HEADER,
  ReportResponseSchema,
  reportIdempotencyKey,
  type AbortSignalResponse,
  type ApproveRequest,
  type ApproveResponse,
  type ExecutionReport,
} from './approverApi.js';
import { backoffDelay, sleep, type BackoffPolicy } from '../platform/backoff.js';
import { silentLogger, type LinkLogger } from '../platform/linkLogger.js';

export type CallFailureKind = 'network' | 'timeout' | 'http' | 'malformed' | 'rejected_report' | 'deadline';

export class ApproverCallError extends Error {
  constructor(
    readonly kind: CallFailureKind,
    message: string,
    readonly status: number | null = null,
    readonly requestId: string | null = null,
  ) {
    super(message);
    this.name = 'ApproverCallError';
  }
  /** Worth another attempt: the approver may answer differently in a moment. */
  get retryable(): boolean {
    return this.kind === 'network' || this.kind === 'timeout' || (this.kind === 'http' && (this.status ?? 0) >= 500);
  }
}

export interface ApproverClientOptions {
  url: string;
  apiKey: string | null;
  timeoutMs: number;
  retry: BackoffPolicy & { enabled: boolean; max_attempts: number };
  logger?: LinkLogger;
  random?: () => number;
}

export interface CallOptions {
  /** Epoch ms after which no attempt starts and the running one is cut short. */
  deadline?: number;
  /** Overrides the retry policy for this call (1 = a single attempt). */
  maxAttempts?: number;
  signal?: AbortSignal;
}

export class ApproverClient {
  private readonly base: string;
  private readonly log: LinkLogger;
  private readonly userAgent = `gatehouse/${VERSION}`;

  constructor(private readonly opts: ApproverClientOptions) {
    this.base = opts.url.replace(/\/+$/, '');
    this.log = (opts.logger ?? silentLogger).child({ component: 'approver-client' });
  }

  get url(): string {
    return this.base;
  }

  approve(req: ApproveRequest, call: CallOptions = {}): Promise<ApproveResponse> {
    return this.call('approve', 'POST', '/api/approve', req, ApproveResponseSchema, call);
  }

  /** null when the approver does not know the task (404). */
  async abortSignal(taskId: string, call: CallOptions = {}): Promise<AbortSignalResponse | null> {
    try {
      return await this.call('abort-signal', 'GET', `/api/abort-signal/${encodeURIComponent(taskId)}`, undefined, AbortSignalResponseSchema, call);
    } catch (e) {
      if (e instanceof ApproverCallError && e.kind === 'http' && e.status === 404) return null;
      throw e;
    }
  }

  /** Resolves only when the approver acknowledged the report with success: true. */
  async sendReport(report: ExecutionReport, call: CallOptions = {}): Promise<void> {
    const headers = { [IDEMPOTENCY_HEADER]: reportIdempotencyKey(report) };
    const answer = await this.call('execution-report', 'POST', '/api/execution-report', report, ReportResponseSchema, call, headers);
    if (!answer.success) {
      throw new ApproverCallError('rejected_report', `approver refused the report for ${report.task_id}: ${answer.message || 'no message'}`);
    }
  }

  /** One attempt, no retries: true only for a 2xx answer in time. Never throws. */
  async health(call: CallOptions = {}): Promise<{ ok: boolean; reason: string }> {
    const requestId = randomUUID();
    const started = Date.now();
    const attempt = this.attemptSignal(call);
    try {
      const res = await fetch(`${this.base}/health`, { method: 'GET', headers: this.headers(requestId), signal: attempt.signal });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return { ok: true, reason: 'healthy' };
      return { ok: false, reason: `GET /health answered ${res.status}` };
    } catch (e) {
      const err = this.classify(e, 'GET /health', requestId, started);
      return { ok: false, reason: err.message };
    } finally {
      attempt.done();
    }
  }

  private headers(requestId: string, extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = {
      'User-Agent': this.userAgent,
      Accept: 'application/json',
      [REQUEST_ID_HEADER]: requestId,
      ...extra,
    };
    if (this.opts.apiKey) h.Authorization = `Bearer ${this.opts.apiKey}`;
    return h;
  }

  /**
   * One attempt's signal: its timeout (capped by the deadline) or the caller's signal, whichever
   * comes first. A plain controller and timer: AbortSignal.timeout/any cost far more per call.
   */
  private attemptSignal(call: CallOptions): { signal: AbortSignal; done: () => void } {
    const remaining = call.deadline === undefined ? this.opts.timeoutMs : Math.min(this.opts.timeoutMs, call.deadline - Date.now());
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(new DOMException('attempt timed out', 'TimeoutError')), Math.max(1, remaining));
    const outer = call.signal;
    const onAbort = (): void => ctl.abort(outer?.reason);
    if (outer?.aborted) ctl.abort(outer.reason);
    else outer?.addEventListener('abort', onAbort, { once: true });
    return {
      signal: ctl.signal,
      done: () => {
        clearTimeout(timer);
        outer?.removeEventListener('abort', onAbort);
      },
    };
  }

  private classify(e: unknown, what: string, requestId: string, started: number): ApproverCallError {
    if (e instanceof ApproverCallError) return e;
    const name = (e as { name?: string } | null)?.name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      return new ApproverCallError('timeout', `${what} gave no answer within ${Date.now() - started} ms`, null, requestId);
    }
    const cause = (e as { cause?: { code?: string; message?: string } } | null)?.cause;
    const detail = cause?.code ?? cause?.message ?? (e instanceof Error ? e.message : String(e));
    return new ApproverCallError('network', `${what} failed: ${detail}`, null, requestId);
  }

  private async call<S extends z.ZodType>(
    name: string,
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    schema: S,
    call: CallOptions,
    extraHeaders: Record<string, string> = {},
  ): Promise<z.output<S>> {
    const requestId = randomUUID();
    const log = this.log.child({ request_id: requestId, call: name });
    const what = `${method} ${path}`;
    const policy = this.opts.retry;
    const maxAttempts = call.maxAttempts ?? (policy.enabled ? policy.max_attempts : 1);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    let last: ApproverCallError | null = null;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (call.deadline !== undefined && Date.now() >= call.deadline) break;
      if (call.signal?.aborted) break;
      const started = Date.now();
      const signal = this.attemptSignal(call);
      try {
        const headers = this.headers(requestId, extraHeaders);
        if (payload !== undefined) headers['Content-Type'] = 'application/json';
        const res = await fetch(`${this.base}${path}`, { method, headers, body: payload, signal: signal.signal });
        const text = await res.text();
        if (!res.ok) {
          throw new ApproverCallError('http', `${what} answered ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`, res.status, requestId);
        }
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          throw new ApproverCallError('malformed', `${what} answered ${res.status} with a body that is not JSON: ${text.slice(0, 120)}`, res.status, requestId);
        }
        const parsed = schema.safeParse(json);
        if (!parsed.success) {
          const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
          throw new ApproverCallError('malformed', `${what} answered with an unexpected shape: ${issues}`, res.status, requestId);
        }
        if (attempt > 1) log.info({ attempt, ms: Date.now() - started }, 'approver call succeeded after retry');
        return parsed.data as z.output<S>;
      } catch (e) {
        signal.done();
        last = this.classify(e, what, requestId, started);
        const willRetry = last.retryable && attempt < maxAttempts;
        log.warn({ attempt, max_attempts: maxAttempts, kind: last.kind, status: last.status, will_retry: willRetry, err: last.message }, 'approver call failed');
        if (!willRetry) break;
        const delay = backoffDelay(attempt, policy, this.opts.random);
        if (call.deadline !== undefined && Date.now() + delay >= call.deadline) break;
        await sleep(delay, call.signal);
      } finally {
        signal.done();
      }
    }
    throw last ?? new ApproverCallError('deadline', `${what} not attempted: the deadline had passed`, null, requestId);
  }
}
