// The firewall decision statechart, driven with pure transitions (no actors, no clocks).
import { describe, it, expect } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { firewallDecisionMachine, firewallOutcome, type FirewallDecisionEvent } from '../../../src/machines/firewallDecision.machine.js';
import type { Decision, Verdict } from '../../../src/shared/firewall.js';

const decision = (v: Verdict): Decision => ({ decision: v, source: 'policy', rule: null, reason: 'r', segments: [], request_id: 'req-1' });
const input = { requestId: 'req-1', ttlMs: 120_000 };

function run(...events: FirewallDecisionEvent[]) {
  let [snap, actions] = initialTransition(firewallDecisionMachine, input);
  for (const e of events) [snap, actions] = transition(firewallDecisionMachine, snap, e);
  return { snap, actions };
}

describe('firewallDecision machine', () => {
  it('starts evaluating with no outcome', () => {
    const { snap } = run();
    expect(snap.value).toBe('evaluating');
    expect(firewallOutcome(snap)).toBeNull();
  });

  it('policy allow and deny end at once', () => {
    expect(run({ type: 'policy.decided', decision: decision('allow') }).snap.value).toBe('allowed');
    expect(firewallOutcome(run({ type: 'policy.decided', decision: decision('allow') }).snap)).toEqual({ verdict: 'allow', source: 'policy', scope: null });
    const denied = run({ type: 'policy.decided', decision: decision('deny') }).snap;
    expect(denied.value).toBe('denied');
    expect(denied.status).toBe('done');
    expect(firewallOutcome(denied)).toEqual({ verdict: 'deny', source: 'policy', scope: null });
  });

  it('an evaluation failure or a cancel while evaluating is a deny', () => {
    const failed = run({ type: 'policy.failed', error: 'boom' }).snap;
    expect(failed.value).toBe('denied');
    expect(failed.context.failure).toContain('boom');
    expect(firewallOutcome(failed)?.verdict).toBe('deny');
  });

  it('an ask schedules the TTL timer from the input', () => {
    const { snap, actions } = run({ type: 'policy.decided', decision: decision('ask') });
    expect(snap.value).toBe('asking');
    expect(firewallOutcome(snap)).toBeNull();
    const timer = actions.find((a) => a.type === 'xstate.raise') as { params?: { delay?: number } } | undefined;
    expect(timer?.params?.delay).toBe(120_000);
  });

  it('the first answer wins; a second answer changes nothing', () => {
    const { snap } = run(
      { type: 'policy.decided', decision: decision('ask') },
      { type: 'operator.answer', answer: { decision: 'allow', scope: 'task', by: 'alice' } },
      { type: 'operator.answer', answer: { decision: 'deny', scope: 'once', by: 'bob' } },
    );
    expect(snap.value).toEqual({ answered: 'allowed' });
    expect(snap.context.answer?.by).toBe('alice');
    expect(firewallOutcome(snap)).toEqual({ verdict: 'allow', source: 'operator', scope: 'task' });
  });

  it('a deny answer is answered.denied', () => {
    const { snap } = run({ type: 'policy.decided', decision: decision('ask') }, { type: 'operator.answer', answer: { decision: 'deny', scope: 'once', by: 'alice', reason: 'no' } });
    expect(snap.value).toEqual({ answered: 'denied' });
    expect(firewallOutcome(snap)).toEqual({ verdict: 'deny', source: 'operator', scope: 'once' });
  });

  it('no answer by the TTL is a deny recorded as expired (timeout)', () => {
    const asking = run({ type: 'policy.decided', decision: decision('ask') }).snap;
    const [expired] = transition(firewallDecisionMachine, asking, { type: 'xstate.after.askTtl.firewallDecision.asking' } as never);
    expect(expired.value).toBe('expired');
    expect(expired.context.failure).toBe('no answer within 120s');
    expect(firewallOutcome(expired)).toEqual({ verdict: 'deny', source: 'timeout', scope: null });
    // A late answer after expiry is ignored.
    const [late] = transition(firewallDecisionMachine, expired, { type: 'operator.answer', answer: { decision: 'allow', scope: 'once', by: 'x' } });
    expect(late.value).toBe('expired');
  });

  it('a prompt cancelled (engine restart, shutdown) is a deny', () => {
    const { snap } = run({ type: 'policy.decided', decision: decision('ask') }, { type: 'prompt.cancel', reason: 'engine restarted' });
    expect(snap.value).toBe('cancelled');
    expect(firewallOutcome(snap)).toEqual({ verdict: 'deny', source: 'cancelled', scope: null });
  });
});
