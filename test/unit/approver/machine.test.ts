import { describe, it, expect } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { approverLinkMachine, type ApproverLinkEvent } from '../../../src/machines/approverLink.machine.js';

function run(events: ApproverLinkEvent[], input = { fallbackAfter: 3, recoverAfter: 2 }) {
  let [snap] = initialTransition(approverLinkMachine, input);
  const states: string[] = [String(snap.value)];
  for (const e of events) {
    [snap] = transition(approverLinkMachine, snap, e);
    states.push(String(snap.value));
  }
  return { snap, states };
}

const fail = (reason = 'ECONNREFUSED'): ApproverLinkEvent => ({ type: 'approver.failed', reason });
const hfail: ApproverLinkEvent = { type: 'health.failed', reason: 'GET /health answered 503' };

describe('approver link machine', () => {
  it('starts online and stays online on success', () => {
    const { states, snap } = run([{ type: 'approver.ok' }, { type: 'health.ok' }]);
    expect(states).toEqual(['online', 'online', 'online']);
    expect(snap.context.failures).toBe(0);
  });

  it('online → degraded → fallback after the failure threshold, with the reason', () => {
    const { states, snap } = run([fail(), hfail, fail('timeout')]);
    expect(states).toEqual(['online', 'degraded', 'degraded', 'fallback']);
    expect(snap.context.reason).toBe('timeout');
  });

  it('degraded → online on one success, and the count starts over', () => {
    const { states } = run([fail(), { type: 'approver.ok' }, fail(), fail()]);
    expect(states).toEqual(['online', 'degraded', 'online', 'degraded', 'degraded']);
  });

  it('fallback → online only after recoverAfter consecutive successes', () => {
    const { states, snap } = run([fail(), fail(), fail(), { type: 'health.ok' }, hfail, { type: 'health.ok' }, { type: 'health.ok' }]);
    expect(states).toEqual(['online', 'degraded', 'degraded', 'fallback', 'fallback', 'fallback', 'fallback', 'online']);
    expect(snap.context.failures).toBe(0);
  });

  it('a threshold of 1 goes straight to fallback', () => {
    const { states } = run([hfail, { type: 'health.ok' }], { fallbackAfter: 1, recoverAfter: 1 });
    expect(states).toEqual(['online', 'fallback', 'online']);
  });
});
