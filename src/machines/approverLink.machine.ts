// The approver link (docs/approver.md): online → degraded → fallback → online, driven only by the
// results of calls and health checks that the link reports to it. Pure: no timers, no I/O.
import { assign, setup } from 'xstate';

export interface ApproverLinkContext {
  /** Consecutive failures since the last success. */
  failures: number;
  /** Consecutive successes while in fallback. */
  successes: number;
  /** Failures (counted from online) that switch decisions to local fallback. */
  fallbackAfter: number;
  /** Healthy results in fallback that bring the link back online. */
  recoverAfter: number;
  /** Why the link is in its current state. */
  reason: string | null;
}

export interface ApproverLinkInput {
  fallbackAfter?: number;
  recoverAfter?: number;
}

export type ApproverLinkEvent =
  | { type: 'approver.ok' }
  | { type: 'approver.failed'; reason: string }
  | { type: 'health.ok' }
  | { type: 'health.failed'; reason: string };

const failedReason = (e: ApproverLinkEvent): string => ('reason' in e ? e.reason : 'failed');

export const approverLinkMachine = setup({
  types: {
    context: {} as ApproverLinkContext,
    events: {} as ApproverLinkEvent,
    input: {} as ApproverLinkInput,
  },
  guards: {
    failureLimitReached: ({ context }) => context.failures + 1 >= context.fallbackAfter,
    recovered: ({ context }) => context.successes + 1 >= context.recoverAfter,
  },
  actions: {
    countFailure: assign({
      failures: ({ context }) => context.failures + 1,
      successes: 0,
      reason: ({ event }) => failedReason(event),
    }),
    countSuccess: assign({ successes: ({ context }) => context.successes + 1 }),
    reset: assign({ failures: 0, successes: 0, reason: null }),
    recoveredReason: assign({ failures: 0, successes: 0, reason: 'approver answered again' }),
  },
}).createMachine({
  id: 'approverLink',
  context: ({ input }) => ({
    failures: 0,
    successes: 0,
    fallbackAfter: Math.max(1, input.fallbackAfter ?? 3),
    recoverAfter: Math.max(1, input.recoverAfter ?? 1),
    reason: null,
  }),
  initial: 'online',
  states: {
    online: {
      on: {
        'approver.ok': { actions: 'reset' },
        'health.ok': { actions: 'reset' },
        'approver.failed': [
          { guard: 'failureLimitReached', target: 'fallback', actions: 'countFailure' },
          { target: 'degraded', actions: 'countFailure' },
        ],
        'health.failed': [
          { guard: 'failureLimitReached', target: 'fallback', actions: 'countFailure' },
          { target: 'degraded', actions: 'countFailure' },
        ],
      },
    },
    degraded: {
      on: {
        'approver.ok': { target: 'online', actions: 'recoveredReason' },
        'health.ok': { target: 'online', actions: 'recoveredReason' },
        'approver.failed': [{ guard: 'failureLimitReached', target: 'fallback', actions: 'countFailure' }, { actions: 'countFailure' }],
        'health.failed': [{ guard: 'failureLimitReached', target: 'fallback', actions: 'countFailure' }, { actions: 'countFailure' }],
      },
    },
    fallback: {
      on: {
        'health.ok': [{ guard: 'recovered', target: 'online', actions: 'recoveredReason' }, { actions: 'countSuccess' }],
        'approver.ok': [{ guard: 'recovered', target: 'online', actions: 'recoveredReason' }, { actions: 'countSuccess' }],
        'health.failed': { actions: 'countFailure' },
        'approver.failed': { actions: 'countFailure' },
      },
    },
  },
});

export type ApproverLinkMachineState = 'online' | 'degraded' | 'fallback';
