// The whole path with real parts: an MCP SDK client → `gatehouse proxy` (built CLI) → server-everything,
// decisions from a real headless engine over its socket, prompts answered as an operator would.
import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { connectEngine } from '../../../src/client/ipcClient.js';
import type { EngineClient } from '../../../src/client/engineClient.js';
import type { Prompt } from '../../../src/shared/firewall.js';
import { EVERYTHING } from '../../support/proxyDecideServer.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const BIN = join(root, 'bin', 'gatehouse.js');
const dir = mkdtempSync(join(tmpdir(), 'gh-proxy-engine-'));
const stateDir = join(dir, 'state');
const env = { ...(process.env as Record<string, string>), XDG_CONFIG_HOME: join(dir, 'config'), GATEHOUSE_STATE_DIR: stateDir };
let engine: ChildProcess;
let operator: EngineClient;

async function until<T>(probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  mkdirSync(join(dir, 'config', 'gatehouse'), { recursive: true });
  writeFileSync(
    join(dir, 'config', 'gatehouse', 'policy.yaml'),
    [
      'version: 1',
      'policy: ask',
      'ask_ttl: 60s',
      'tools:',
      '  - { server: everything, tool: echo, decision: allow }',
      '  - { server: everything, tool: get-env, decision: deny }',
      '  - { server: everything, tool: resources/read, args: { uri: "demo://resource/dynamic/text/*" }, decision: allow }',
      '  - { server: everything, tool: resources/read, args: { uri: "demo://resource/static/**" }, decision: deny }',
      '',
    ].join('\n'),
  );
  await startEngine();
});

async function startEngine(): Promise<void> {
  engine = spawn(process.execPath, [BIN, 'run', '--no-tui', '--port', '0'], { env, stdio: 'ignore' });
  await until(() => (existsSync(join(stateDir, 'gatehouse.sock')) ? true : undefined));
  operator = await until(() => connectEngine({ stateDir }).catch(() => undefined));
}

async function stopEngine(): Promise<void> {
  await operator?.close();
  if (engine && engine.exitCode === null) {
    const gone = new Promise((r) => engine.on('exit', r));
    engine.kill('SIGTERM');
    await gone;
  }
}

afterAll(async () => {
  await stopEngine();
  rmSync(dir, { recursive: true, force: true });
});

async function session(): Promise<Client> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, 'proxy', '--server-name', 'everything', '--', process.execPath, EVERYTHING, 'stdio'], env, stderr: 'ignore' });
  const client = new Client({ name: 'host', version: '1' });
  await client.connect(transport);
  await client.listTools();
  return client;
}

const text = (r: unknown) => (r as { content: { text?: string }[] }).content[0]?.text ?? '';
const pendingFor = (tool: string) => async (): Promise<Prompt | undefined> => (await operator.prompts.list()).find((p) => p.tool?.tool === tool && p.state === 'pending');

describe('proxy with the real engine', () => {
  it('policy allow runs the tool; policy deny is an isError result recorded in the ledger', async () => {
    const c = await session();
    expect(text(await c.callTool({ name: 'echo', arguments: { message: 'ok' } }))).toBe('Echo: ok');
    const denied = await c.callTool({ name: 'get-env', arguments: {} });
    expect(denied.isError).toBe(true);
    const audit = (denied.structuredContent as { audit_id: string }).audit_id;
    const ledger = await operator.ledger.recent(200);
    expect(ledger.find((r) => r.subject === audit)).toMatchObject({ action: 'firewall.decide' });
    await c.close();
  });

  it('ask then approve by the operator', async () => {
    const c = await session();
    const pending = c.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } });
    const prompt = await until(pendingFor('get-sum'));
    expect(prompt.tool).toMatchObject({ server: 'everything', tool: 'get-sum', args: { a: 2, b: 3 } });
    await operator.prompts.resolve(prompt.id, { decision: 'allow', scope: 'once' });
    expect(text(await pending)).toContain('5');
    await c.close();
  });

  it('ask then deny with feedback', async () => {
    const c = await session();
    const pending = c.callTool({ name: 'get-tiny-image', arguments: {} });
    const prompt = await until(pendingFor('get-tiny-image'));
    await operator.prompts.resolve(prompt.id, { decision: 'deny', scope: 'once', reason: 'no images in this session' });
    const r = await pending;
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/Operator feedback: .*no images in this session/);
    await c.close();
  });

  it("a host's cancel while waiting cancels the operator's prompt", async () => {
    const c = await session();
    const ac = new AbortController();
    const pending = c.callTool({ name: 'get-annotated-message', arguments: { messageType: 'success' } }, undefined, { signal: ac.signal });
    const prompt = await until(pendingFor('get-annotated-message'));
    ac.abort('user pressed esc');
    await expect(pending).rejects.toThrow();
    await until(async () => ((await operator.prompts.list()).some((p) => p.id === prompt.id && p.state === 'pending') ? undefined : true));
    await c.close();
  });

  it('resources/read: allowed by a uri rule, denied as a JSON-RPC error naming the rule, asked otherwise', async () => {
    const c = await session();
    const ok = await c.readResource({ uri: 'demo://resource/dynamic/text/1' });
    expect((ok.contents[0] as { text?: string }).text).toMatch(/^Resource 1: This is a plaintext resource/);

    const refused = await c.readResource({ uri: 'demo://resource/static/document/features.md' }).then(
      () => undefined,
      (e: { code?: number; message: string; data?: Record<string, { audit_id: string }> }) => e,
    );
    expect(refused?.code).toBe(-32010);
    expect(refused?.message).toMatch(/blocked resources\/read of "demo:\/\/resource\/static\/document\/features\.md".*Rule: tools: everything\/resources\/read args .*static/);
    const audit = refused!.data!['dev.gatehouse/decision']!.audit_id;
    const ledger = await operator.ledger.recent(200);
    expect(ledger.find((r) => r.subject === audit)).toMatchObject({ action: 'firewall.decide', detail: { decision: 'deny', tool: 'everything/resources/read' } });

    const pending = c.readResource({ uri: 'demo://resource/dynamic/blob/2' });
    const prompt = await until(pendingFor('resources/read'));
    expect(prompt.tool).toMatchObject({ server: 'everything', tool: 'resources/read', args: { uri: 'demo://resource/dynamic/blob/2' } });
    await operator.prompts.resolve(prompt.id, { decision: 'allow', scope: 'once' });
    expect((await pending).contents[0]).toMatchObject({ uri: 'demo://resource/dynamic/blob/2' });
    await c.close();
  });

  it('resources/read allowed always: the rule pins that URI, so it reads again unasked and another URI is still asked', async () => {
    const c = await session();
    const first = c.readResource({ uri: 'demo://resource/dynamic/blob/3' });
    const prompt = await until(pendingFor('resources/read'));
    expect(prompt.always_rule).toMatch(/everything\/resources\/read args \{"uri":"demo:\/\/resource\/dynamic\/blob\/3"\}/);
    await operator.prompts.resolve(prompt.id, { decision: 'allow', scope: 'always' });
    expect((await first).contents[0]).toMatchObject({ uri: 'demo://resource/dynamic/blob/3' });
    expect((await c.readResource({ uri: 'demo://resource/dynamic/blob/3' })).contents[0]).toMatchObject({ uri: 'demo://resource/dynamic/blob/3' });
    const other = c.readResource({ uri: 'demo://resource/dynamic/blob/4' });
    const asked = await until(pendingFor('resources/read'));
    expect(asked.tool?.args).toEqual({ uri: 'demo://resource/dynamic/blob/4' });
    await operator.prompts.resolve(asked.id, { decision: 'deny', scope: 'once' });
    await expect(other).rejects.toMatchObject({ code: -32010 });
    await c.close();
  });

  // Last: it restarts the engine the other tests share.
  it('a session outlives engine restarts: a kept connection the engine closed is not used; a call while it is down is refused', async () => {
    const c = await session();
    expect(text(await c.callTool({ name: 'echo', arguments: { message: 'before' } }))).toBe('Echo: before');
    // Restarted between two calls: the connection kept from the first is gone and must not be used.
    await stopEngine();
    await startEngine();
    expect(text(await c.callTool({ name: 'echo', arguments: { message: 'after' } }))).toBe('Echo: after');
    // Down during a call: refused, never forwarded; decided again once it is back.
    await stopEngine();
    const refused = await c.callTool({ name: 'echo', arguments: { message: 'while down' } });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toMatch(/firewall is unavailable/);
    await startEngine();
    expect(text(await c.callTool({ name: 'echo', arguments: { message: 'back' } }))).toBe('Echo: back');
    const ledger = await operator.ledger.recent(20);
    expect(ledger.some((r) => r.action === 'firewall.decide' && (r.detail as { tool?: string }).tool === 'everything/echo')).toBe(true);
    await c.close();
  });
});
