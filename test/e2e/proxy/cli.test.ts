// The user's path through the built CLI: `gatehouse mcp wrap` a Claude Desktop config, start a server
// the way the host would (the wrapped command line), and see every tool call governed. No engine runs
// here, so a governed call must fail closed while everything else still works.
import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { EVERYTHING } from '../../support/proxyDecideServer.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const BIN = join(root, 'bin', 'gatehouse.js');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gh-proxy-cli-'));
  if (!existsSync(join(root, 'dist', 'cli', 'commands', 'proxy.js'))) execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = () => ({ ...(process.env as Record<string, string>), GATEHOUSE_STATE_DIR: join(dir, 'state') });

describe('gatehouse mcp wrap / proxy / unwrap', () => {
  it('wraps a config, the wrapped server works and its tool calls fail closed without an engine, unwrap restores it', async () => {
    const file = join(dir, 'claude_desktop_config.json');
    const original = `${JSON.stringify({ mcpServers: { everything: { command: EVERYTHING, env: { EXTRA: 'kept' } } } }, null, 2)}\n`;
    writeFileSync(file, original, { mode: 0o600 });

    const wrapOut = execFileSync(process.execPath, [BIN, 'mcp', 'wrap', file, '--gatehouse', BIN], { env: env(), encoding: 'utf8' });
    expect(wrapOut).toContain('wrapped mcpServers.everything');
    const again = execFileSync(process.execPath, [BIN, 'mcp', 'wrap', file, '--gatehouse', BIN], { env: env(), encoding: 'utf8' });
    expect(again).toContain('nothing to wrap');
    const entry = JSON.parse(readFileSync(file, 'utf8')).mcpServers.everything as { command: string; args: string[]; env: Record<string, string> };
    expect(entry.env).toEqual({ EXTRA: 'kept' });

    // Start it as a host would: command + args + env from the config.
    const transport = new StdioClientTransport({ command: process.execPath, args: [entry.command, ...entry.args], env: { ...env(), ...entry.env }, stderr: 'ignore' });
    const client = new Client({ name: 'desktop', version: '1' });
    await client.connect(transport);
    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name)).toContain('echo');
    const r = await client.callTool({ name: 'echo', arguments: { message: 'should not run' } });
    expect(r.isError).toBe(true);
    expect(JSON.stringify(r.content)).not.toContain('Echo: should not run');
    expect(r.structuredContent).toMatchObject({ decision: 'deny', source: 'fallback' });
    await client.close();
    // Pins were taken on first sight, in the state directory, 0600.
    const pins = join(dir, 'state', 'mcp-pins.json');
    expect(statSync(pins).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(pins, 'utf8')).servers.everything.echo.hash).toMatch(/^[0-9a-f]{64}$/);

    execFileSync(process.execPath, [BIN, 'mcp', 'unwrap', file], { env: env(), encoding: 'utf8' });
    expect(readFileSync(file, 'utf8')).toBe(original);
  });

  it('proxy without a server command is a usage error (exit 2)', () => {
    const r = spawnSync(process.execPath, [BIN, 'proxy', '--server-name', 'x'], { env: env(), encoding: 'utf8', input: '' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/give the server command after "--"/);
  });
});
