import { describe, it, expect } from 'vitest';
import { ApprovalConfigSchema, ApprovalEnvError, applyApprovalEnv, loadApprovalConfig } from '../../../src/engine/approver/approvalConfig.js';

describe('approval config', () => {
  it('has strict defaults and is off without an approver', () => {
    const c = ApprovalConfigSchema.parse({});
    expect(c.enabled).toBe(false);
    expect(c.fallback_strict).toBe(true);
    expect(c.fallback).toEqual({ max_cost_usd: 5, max_time_ms: 300_000, resource_factor: 0.5 });
    expect(c.cost_limits.per_task).toMatchObject({ chat: 1, workflow: 5, batch: 10 });
    expect(c.retry_policy.max_attempts).toBe(3);
  });

  it('refuses enabled without a URL, unknown keys and bad values, naming the key', () => {
    const r1 = ApprovalConfigSchema.safeParse({ enabled: true });
    expect(r1.success).toBe(false);
    expect(JSON.stringify(r1.error?.issues)).toContain('assistant_url');
    const r2 = ApprovalConfigSchema.safeParse({ timeout: 5 });
    expect(r2.success).toBe(false);
    const r3 = ApprovalConfigSchema.safeParse({ assistant_url: 'ftp://x' });
    expect(r3.success).toBe(false);
    const r4 = ApprovalConfigSchema.safeParse({ fallback: { resource_factor: 2 } });
    expect(r4.success).toBe(false);
    expect(r4.error?.issues[0]?.path).toEqual(['fallback', 'resource_factor']);
  });

  it('accepts extra per-type cost limits', () => {
    const c = ApprovalConfigSchema.parse({ cost_limits: { per_task: { chat: 0.2, research: 3 } } });
    expect(c.cost_limits.per_task).toMatchObject({ chat: 0.2, workflow: 5, batch: 10, research: 3 });
  });

  it('applies every APPROVAL_* variable', () => {
    const c = loadApprovalConfig(
      {},
      {
        APPROVAL_SYSTEM_URL: 'http://127.0.0.1:9/',
        APPROVAL_API_KEY: 'k1',
        APPROVAL_TIMEOUT: '1500',
        APPROVAL_FALLBACK_STRICT: 'false',
        APPROVAL_ENABLE_RETRIES: '0',
        APPROVAL_MAX_RETRIES: '5',
        APPROVAL_SLACK_WEBHOOK_URL: 'https://hooks.example/x',
      },
    );
    expect(c).toMatchObject({
      enabled: true,
      assistant_url: 'http://127.0.0.1:9/',
      api_key: 'k1',
      timeout_ms: 1500,
      fallback_strict: false,
      slack_webhook_url: 'https://hooks.example/x',
    });
    expect(c.retry_policy).toMatchObject({ enabled: false, max_attempts: 5 });
  });

  it('rejects bad variables naming variable, value and what is allowed, never loosening', () => {
    const base = ApprovalConfigSchema.parse({});
    const bad = {
      APPROVAL_FALLBACK_STRICT: 'maybe',
      APPROVAL_TIMEOUT: '5s',
      APPROVAL_MAX_RETRIES: '99',
      APPROVAL_SYSTEM_URL: 'not a url',
      APPROVAL_API_KEY: 'has space secret',
    };
    let err: unknown;
    try {
      applyApprovalEnv(base, bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApprovalEnvError);
    const msg = (err as Error).message;
    expect(msg).toContain('APPROVAL_FALLBACK_STRICT="maybe"');
    expect(msg).toContain('true or false');
    expect(msg).toContain('APPROVAL_TIMEOUT="5s"');
    expect(msg).toContain('APPROVAL_MAX_RETRIES="99"');
    expect(msg).toContain('from 1 to 10');
    expect(msg).toContain('APPROVAL_SYSTEM_URL="not a url"');
    expect(msg).toContain('APPROVAL_API_KEY');
    expect(msg).not.toContain('has space secret');
    expect((err as ApprovalEnvError).problems).toHaveLength(5);
  });

  it('ignores unset and empty variables', () => {
    const base = ApprovalConfigSchema.parse({ timeout_ms: 777 });
    expect(applyApprovalEnv(base, { APPROVAL_TIMEOUT: '' })).toEqual(base);
  });
});
