// One firewall request from evaluation to its end: allowed or denied by the policy, or asked of the
// operator until an answer arrives or the TTL runs out (an unanswered ask is a deny, "expired").
// Pure definition: the engine feeds it the policy's decision and the operator's answer.
import { assign, setup, type SnapshotFrom } from 'xstate';
import type { AnswerScope, Decision } from '../shared/firewall.js';

export interface FirewallDecisionInput {
  requestId: string;
  /** How long an ask waits for an answer, in ms (the policy's ask_ttl). */
  ttlMs: number;
}

export interface FirewallAnswer {
  decision: 'allow' | 'deny';
  scope: AnswerScope;
  by: string;
  reason?: string;
}

export interface FirewallDecisionContext {
  requestId: string;
  ttlMs: number;
  decision: Decision | null;
  answer: FirewallAnswer | null;
  /** Why the request ended without an allow: evaluation error, cancellation, expiry. */
  failure: string | null;
}

export type FirewallDecisionEvent =
  | { type: 'policy.decided'; decision: Decision }
  | { type: 'policy.failed'; error: string }
  | { type: 'operator.answer'; answer: FirewallAnswer }
  | { type: 'prompt.cancel'; reason: string };

export interface FirewallDecisionOutput {
  verdict: 'allow' | 'deny';
  source: 'policy' | 'operator' | 'timeout' | 'cancelled';
  scope: AnswerScope | null;
}

export const firewallDecisionMachine = setup({
  types: {
    input: {} as FirewallDecisionInput,
    context: {} as FirewallDecisionContext,
    events: {} as FirewallDecisionEvent,
  },
  guards: {
    isAllow: ({ event }) => event.type === 'policy.decided' && event.decision.decision === 'allow',
    isAsk: ({ event }) => event.type === 'policy.decided' && event.decision.decision === 'ask',
    answeredAllow: ({ event }) => event.type === 'operator.answer' && event.answer.decision === 'allow',
  },
  actions: {
    recordDecision: assign({ decision: ({ event }) => (event.type === 'policy.decided' ? event.decision : null) }),
    recordAnswer: assign({ answer: ({ event }) => (event.type === 'operator.answer' ? event.answer : null) }),
    recordFailure: assign({
      failure: ({ event }) => (event.type === 'policy.failed' ? `evaluation failed: ${event.error}` : event.type === 'prompt.cancel' ? `cancelled: ${event.reason}` : null),
    }),
    recordExpiry: assign({ failure: ({ context }) => `no answer within ${Math.round(context.ttlMs / 1000)}s` }),
  },
  delays: {
    askTtl: ({ context }) => context.ttlMs,
  },
}).createMachine({
  id: 'firewallDecision',
  initial: 'evaluating',
  context: ({ input }) => ({ requestId: input.requestId, ttlMs: input.ttlMs, decision: null, answer: null, failure: null }),
  states: {
    evaluating: {
      on: {
        'policy.decided': [
          { guard: 'isAllow', target: 'allowed', actions: 'recordDecision' },
          { guard: 'isAsk', target: 'asking', actions: 'recordDecision' },
          // deny, and anything unexpected: fail closed.
          { target: 'denied', actions: 'recordDecision' },
        ],
        'policy.failed': { target: 'denied', actions: 'recordFailure' },
        'prompt.cancel': { target: 'denied', actions: 'recordFailure' },
      },
    },
    allowed: { type: 'final' },
    denied: { type: 'final' },
    asking: {
      after: { askTtl: { target: 'expired', actions: 'recordExpiry' } },
      on: {
        // First answer wins: once answered, later answers find a final state and change nothing.
        'operator.answer': [
          { guard: 'answeredAllow', target: 'answered.allowed', actions: 'recordAnswer' },
          { target: 'answered.denied', actions: 'recordAnswer' },
        ],
        'prompt.cancel': { target: 'cancelled', actions: 'recordFailure' },
      },
    },
    answered: {
      initial: 'denied',
      states: {
        allowed: { type: 'final' },
        denied: { type: 'final' },
      },
      // No transition leaves answered.*: a second answer changes nothing.
    },
    expired: { type: 'final' },
    cancelled: { type: 'final' },
  },
});

type FirewallDecisionSnapshot = SnapshotFrom<typeof firewallDecisionMachine>;

/** The outcome of a request, or null while it is still evaluating or asking. Anything unclear is a deny. */
export function firewallOutcome(snapshot: FirewallDecisionSnapshot): FirewallDecisionOutput | null {
  const { context } = snapshot;
  if (snapshot.matches('evaluating') || snapshot.matches('asking')) return null;
  if (snapshot.matches({ answered: 'allowed' }) && context.answer) return { verdict: 'allow', source: 'operator', scope: context.answer.scope };
  if (snapshot.matches('answered')) return { verdict: 'deny', source: 'operator', scope: context.answer?.scope ?? null };
  if (snapshot.matches('allowed') && context.decision?.decision === 'allow') return { verdict: 'allow', source: 'policy', scope: null };
  if (snapshot.matches('expired')) return { verdict: 'deny', source: 'timeout', scope: null };
  if (snapshot.matches('cancelled')) return { verdict: 'deny', source: 'cancelled', scope: null };
  return { verdict: 'deny', source: 'policy', scope: null };
}
