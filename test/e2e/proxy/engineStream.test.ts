// `gatehouse proxy` (built CLI) → server-everything, its decisions from a stand-in engine socket that
// answers when the test says: calls share one pipelined connection, a quick decision is not held behind
// a slow one, a cancelled call cancels its own check, and a connection lost mid-call fails closed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { EVERYTHING } from '../../support/proxyDecideServer.js';
import { startFakeEngineSocket, until, type FakeEngineSocket, type FakeRequest } from '../../support/fakeEngineSocket.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const BIN = join(root, 'bin', 'gatehouse.js');
if (!existsSync(join(root, 'dist', 'cli', 'proxyMain.js'))) execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root });

const allow = (r: FakeRequest) => r.answer({ decision: 'allow', source: 'policy', rule: 'test', reason: 'allowed by the test', segments: [], request_id: `d-${r.id}` });

let fake: FakeEngineSocket;
let client: Client;
beforeEach(async () => {
  fake = await startFakeEngineSocket();
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, '--state-dir', fake.stateDir, 'proxy', '--server-name', 'everything', '--no-pins', '--', process.execPath, EVERYTHING, 'stdio'],
    env: { ...(process.env as Record<string, string>), XDG_CONFIG_HOME: join(fake.stateDir, 'config') },
    stderr: 'ignore',
  });
  client = new Client({ name: 'host', version: '1' });
  await client.connect(transport);
});
afterEach(async () => {
  await client.close();
  await fake.close();
});

const checks = () => fake.requests.filter((r) => r.method === 'firewall.check');
const echo = (message: string, signal?: AbortSignal) => client.callTool({ name: 'echo', arguments: { message } }, undefined, signal ? { signal } : {});
const text = (r: Awaited<ReturnType<typeof echo>>) => JSON.stringify(r.content);

describe('gatehouse proxy over one engine connection', () => {
  it('sends concurrent checks on one connection and forwards each call when its own decision comes', async () => {
    const slow = echo('slow');
    const quick = echo('quick');
    const [first, second] = await until(() => checks().length === 2 && checks(), 'two checks');
    expect(fake.connections).toHaveLength(1);
    expect([first!.params.tool.args.message, second!.params.tool.args.message].sort()).toEqual(['quick', 'slow']);
    const [slowReq, quickReq] = first!.params.tool.args.message === 'slow' ? [first!, second!] : [second!, first!];
    allow(quickReq);
    expect(text(await quick)).toContain('Echo: quick');
    allow(slowReq);
    expect(text(await slow)).toContain('Echo: slow');
    expect(fake.connections).toHaveLength(1);
  });

  it('a call the host cancels cancels its own check in the engine; the connection stays for the next call', async () => {
    const ac = new AbortController();
    const cancelled = echo('never', ac.signal);
    const [req] = await until(() => checks().length === 1 && checks(), 'the check');
    ac.abort();
    await expect(cancelled).rejects.toThrow();
    await until(() => fake.notifications.find((n) => n.method === 'cancel'), 'the cancel');
    expect(fake.notifications.find((n) => n.method === 'cancel')!.params).toEqual({ id: req!.id });
    fake.onRequest = (r) => r.method === 'firewall.check' && allow(r);
    expect(text(await echo('next'))).toContain('Echo: next');
    expect(fake.connections).toHaveLength(1);
  });

  it('fails closed when the engine drops the connection mid-call: refused, never forwarded', async () => {
    const lost = echo('must not run');
    const [req] = await until(() => checks().length === 1 && checks(), 'the check');
    req!.socket.destroy();
    const r = await lost;
    expect(r.isError).toBe(true);
    expect(text(r)).not.toContain('Echo: must not run');
    expect(r.structuredContent).toMatchObject({ decision: 'deny', source: 'fallback' });
    // The next call connects again.
    fake.onRequest = (x) => x.method === 'firewall.check' && allow(x);
    expect(text(await echo('after'))).toContain('Echo: after');
    expect(fake.connections).toHaveLength(2);
  });
});
