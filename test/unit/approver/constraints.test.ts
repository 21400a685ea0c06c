import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { applyConstraints, limitBreach, UNLIMITED, type ExecutionConfig } from '../../../src/engine/approver/constraints.js';
import { fallbackDecision } from '../../../src/engine/approver/fallbackDecision.js';
import { ApprovalConfigSchema } from '../../../src/engine/approver/approvalConfig.js';
import { CONSTRAINT_TYPES, type Constraint } from '../../../src/shared/task.js';

describe('applyConstraints', () => {
  it('tightens unlimited values and reports what it applied', () => {
    const r = applyConstraints(UNLIMITED, [
      { type: 'cost_limit', value: 2 },
      { type: 'time_limit', value: 60_000 },
      { type: 'resource_factor', value: 0.5 },
      { type: 'parallelism', value: 2.7 },
    ]);
    expect(r.config).toEqual({ cost_limit_usd: 2, time_limit_ms: 60_000, token_limit: null, parallelism: 2, resource_factor: 0.5 });
    expect(r.applied.map((c) => c.type)).toEqual(['cost_limit', 'time_limit', 'resource_factor', 'parallelism']);
    expect(r.ignored).toEqual([]);
  });

  it('ignores a looser constraint and says why', () => {
    const base: ExecutionConfig = { ...UNLIMITED, cost_limit_usd: 1, token_limit: 1000 };
    const r = applyConstraints(base, [
      { type: 'cost_limit', value: 10 },
      { type: 'token_limit', value: 500 },
      { type: 'resource_factor', value: 1.5 },
    ]);
    expect(r.config.cost_limit_usd).toBe(1);
    expect(r.config.token_limit).toBe(500);
    expect(r.config.resource_factor).toBeNull();
    expect(r.ignored.map((i) => i.constraint.type)).toEqual(['cost_limit', 'resource_factor']);
    expect(r.ignored[0]?.why).toContain('not tighter');
  });

  it('never loosens any value (property)', () => {
    const limit = fc.option(fc.double({ min: 0, max: 1e6, noNaN: true }), { nil: null });
    const cfg = fc.record({ cost_limit_usd: limit, time_limit_ms: limit, token_limit: limit, parallelism: limit, resource_factor: limit });
    const constraint = fc.record({ type: fc.constantFrom(...CONSTRAINT_TYPES), value: fc.double({ min: 0, max: 1e6, noNaN: true }) }) as fc.Arbitrary<Constraint>;
    fc.assert(
      fc.property(cfg, fc.array(constraint, { maxLength: 8 }), (base, cs) => {
        const out = applyConstraints(base, cs).config;
        for (const k of Object.keys(base) as (keyof ExecutionConfig)[]) {
          const before = base[k];
          const after = out[k];
          if (before !== null) expect(after).not.toBeNull();
          if (before !== null && after !== null) expect(after).toBeLessThanOrEqual(before);
        }
      }),
    );
  });
});

describe('limitBreach', () => {
  const running = {
    status: 'running' as const,
    start_time: '2026-01-01T00:00:00.000Z',
    actual_cost: null as number | null,
    constraints: [
      { type: 'time_limit' as const, value: 60_000 },
      { type: 'time_limit' as const, value: 30_000 },
      { type: 'cost_limit' as const, value: 2 },
    ],
  };
  const t0 = Date.parse(running.start_time);

  it('names the time limit once passed, using the tightest one', () => {
    expect(limitBreach(running, t0 + 30_000)).toBeNull();
    expect(limitBreach(running, t0 + 30_001)).toContain('time_limit of 30000 ms exceeded');
  });

  it('names the cost limit when the reported cost passes it', () => {
    expect(limitBreach({ ...running, actual_cost: 2 }, t0)).toBeNull();
    expect(limitBreach({ ...running, actual_cost: 2.5 }, t0)).toContain('cost_limit of $2.00 exceeded');
  });

  it('only applies to running tasks', () => {
    expect(limitBreach({ ...running, status: 'completed' }, t0 + 1e9)).toBeNull();
  });
});

describe('fallbackDecision', () => {
  const cfg = ApprovalConfigSchema.parse({});
  const t = { task_id: 'a', task_type: 'workflow', estimated_cost: 4, estimated_duration_ms: 1000 };

  it('approves within strict limits with cost, time and resource constraints', () => {
    const o = fallbackDecision(t, cfg, 'down');
    expect(o).toMatchObject({ approved: true, decided_by: 'fallback', retry_after_seconds: null });
    expect(o.constraints).toEqual([
      expect.objectContaining({ type: 'cost_limit', value: 5 }),
      expect.objectContaining({ type: 'time_limit', value: 300_000 }),
      expect.objectContaining({ type: 'resource_factor', value: 0.5 }),
    ]);
  });

  it('rejects over the per-type limit, the fallback cost limit, or the time limit', () => {
    expect(fallbackDecision({ ...t, task_type: 'chat', estimated_cost: 1.5 }, cfg, 'down')).toMatchObject({ approved: false });
    expect(fallbackDecision({ ...t, task_type: 'batch', estimated_cost: 7 }, cfg, 'down').reason).toContain('fallback limit of $5.00');
    expect(fallbackDecision({ ...t, estimated_duration_ms: 600_000 }, cfg, 'down').reason).toContain('600000 ms');
  });

  it('fallback_strict=false relaxes to the per-type budget', () => {
    const relaxed = { ...cfg, fallback_strict: false };
    const o = fallbackDecision({ ...t, task_type: 'batch', estimated_cost: 7, estimated_duration_ms: 600_000 }, relaxed, 'down');
    expect(o.approved).toBe(true);
    expect(o.constraints).toEqual([expect.objectContaining({ type: 'cost_limit', value: 10 })]);
    expect(fallbackDecision({ ...t, task_type: 'batch', estimated_cost: 11 }, relaxed, 'down').approved).toBe(false);
  });
});
