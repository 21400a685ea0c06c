import { describe, it, expect } from 'vitest';
import { parsePolicyText } from '../../../src/engine/firewall/index.js';
import { withOfflinePolicy } from '../../../src/engine/proxy/offlineDecider.js';
import type { DecideContext } from '../../../src/engine/proxy/types.js';
import { decision } from '../../support/proxyFakes.js';

const policy = parsePolicyText(
  `version: 1
policy: ask
tools:
  - { server: fs, tool: "read_*", decision: allow }
  - { server: fs, tool: write_file, decision: deny }
`,
  'test-policy.yaml',
).policy;

const down = async () => {
  throw new Error('no gatehouse engine is running');
};
const ctx = (extra: Partial<DecideContext> = {}): DecideContext => ({ requestId: 1, signal: new AbortController().signal, ...extra });

describe('withOfflinePolicy', () => {
  it('uses the engine when it answers', async () => {
    const d = await withOfflinePolicy(async () => decision({ decision: 'deny', source: 'operator' }), policy, 'p', 'a')({ server: 'fs', tool: 'read_file', args: {} }, ctx());
    expect(d).toMatchObject({ decision: 'deny', source: 'operator' });
  });

  it('allows only what the policy allows outright, marked fallback', async () => {
    const decide = withOfflinePolicy(down, policy, 'test-policy.yaml', 'a');
    const read = await decide({ server: 'fs', tool: 'read_file', args: {} }, ctx());
    expect(read).toMatchObject({ decision: 'allow', source: 'fallback' });
    expect(read.reason).toMatch(/engine unreachable/);
    expect(await decide({ server: 'fs', tool: 'write_file', args: {} }, ctx())).toMatchObject({ decision: 'deny', source: 'fallback' });
  });

  it('turns an ask into a deny, since nobody can be asked', async () => {
    const d = await withOfflinePolicy(down, policy, 'p', 'a')({ server: 'web', tool: 'fetch', args: {} }, ctx());
    expect(d).toMatchObject({ decision: 'deny', source: 'fallback' });
    expect(d.reason).toMatch(/nobody can be asked/);
  });

  it('turns an escalated allow into a deny', async () => {
    const d = await withOfflinePolicy(down, policy, 'p', 'a')({ server: 'fs', tool: 'read_file', args: {} }, ctx({ escalation: { check: 'tool_changed', reason: 'changed' } }));
    expect(d.decision).toBe('deny');
  });

  it('does not decide a cancelled call', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(withOfflinePolicy(down, policy, 'p', 'a')({ server: 'fs', tool: 'read_file', args: {} }, ctx({ signal: ac.signal }))).rejects.toThrow();
  });

  it('a guard comes first: its deny stands (the policy would allow), its null lets the policy decide, and the engine is not consulted by it', async () => {
    const seen: string[] = [];
    const guard = (call: { tool: string }) => {
      seen.push(call.tool);
      return call.tool === 'read_secret' ? decision({ decision: 'deny', source: 'lockdown', reason: 'firewall in lockdown (offline): policy changed' }) : null;
    };
    const decide = withOfflinePolicy(down, policy, 'p', 'a', undefined, guard);
    const denied = await decide({ server: 'fs', tool: 'read_secret', args: {} }, ctx());
    expect(denied).toMatchObject({ decision: 'deny', source: 'lockdown' });
    expect(denied.reason).toMatch(/^firewall in lockdown \(offline\): policy changed; gatehouse engine unreachable/);
    expect(await decide({ server: 'fs', tool: 'read_file', args: {} }, ctx())).toMatchObject({ decision: 'allow', source: 'fallback' });
    const online = await withOfflinePolicy(async () => decision({ decision: 'allow', source: 'operator' }), policy, 'p', 'a', undefined, guard)({ server: 'fs', tool: 'read_secret', args: {} }, ctx());
    expect(online).toMatchObject({ decision: 'allow', source: 'operator' });
    expect(seen).toEqual(['read_secret', 'read_file']);
  });
});
