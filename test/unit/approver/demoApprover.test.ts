import { afterEach, describe, it, expect } from 'vitest';
import { ApproverLink } from '../../../src/engine/approver/approverLink.js';
import { startDemoApprover, type DemoApprover, type DemoPhase } from '../../../src/engine/approver/demoApprover.js';
import { linkConfig, task, waitFor } from '../../support/approverFixtures.js';

let demo: DemoApprover | null = null;
let link: ApproverLink | null = null;
afterEach(async () => {
  link?.stop();
  await demo?.stop();
});

describe('demo approver', () => {
  it('takes the link through answering, slow, failing, down and back', async () => {
    const phases: DemoPhase[] = [];
    const hour = 3_600_000;
    demo = await startDemoApprover({
      script: [
        { phase: 'answering', ms: hour },
        { phase: 'slow', ms: hour },
        { phase: 'failing', ms: hour },
        { phase: 'down', ms: hour },
      ],
      slowMs: 30_000,
      onPhase: (p) => phases.push(p),
    });
    link = new ApproverLink({ config: linkConfig(demo.url, { timeout_ms: 1_000, fallback_after_failures: 3 }) });
    const states: string[] = [];
    link.on('state', (s) => states.push(s));
    link.start();

    expect(await link.decide(task({ estimated_cost: 2 }))).toMatchObject({ approved: true, decided_by: 'approver' });
    expect(await link.decide(task({ estimated_cost: 9 }))).toMatchObject({ approved: false, decided_by: 'approver', retry_after_seconds: 300 });

    await demo.advance(); // slow
    expect((await link.decide(task())).decided_by).toBe('fallback');
    await demo.advance(); // failing
    await waitFor(() => link!.state === 'fallback', 'fallback while failing');
    await demo.advance(); // down
    expect((await link.decide(task())).decided_by).toBe('fallback');
    await demo.advance(); // answering again, same port
    await waitFor(() => link!.state === 'online', 'online again');
    expect((await link.decide(task({ estimated_cost: 1 }))).decided_by).toBe('approver');
    expect(phases).toEqual(['answering', 'slow', 'failing', 'down', 'answering']);
    expect(states[0]).toBe('degraded');
    expect(states).toContain('fallback');
    expect(states.at(-1)).toBe('online');

    await link.sendReport({ task_id: 'd1', status: 'completed', actual_cost: 1, start_time: null, end_time: null, logs: [], error_message: null, duration_ms: null });
    expect([...demo.reports.keys()]).toEqual(['d1:completed']);
  });
});
