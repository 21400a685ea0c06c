// Exponential backoff with jitter, shared by the approver client, the report outbox and the notifier.

export interface BackoffPolicy {
  initial_delay_ms: number;
  backoff_multiplier: number;
  max_delay_ms: number;
}

/**
 * Delay before retry number `attempt` (1 = the first retry). Jitter keeps the wait between half and
 * all of the exponential value so that many callers that failed together do not retry together.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exp = policy.initial_delay_ms * policy.backoff_multiplier ** Math.max(0, attempt - 1);
  const capped = Math.min(policy.max_delay_ms, exp);
  return Math.round(capped * (0.5 + 0.5 * random()));
}

/** Sleeps, waking early (without throwing) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
