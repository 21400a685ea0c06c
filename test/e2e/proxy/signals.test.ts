// Signals sent to the proxy reach the server; the proxy then ends through its own exit path.
import { describe, it, expect, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVERYTHING, runnerArgs } from '../../support/proxyDecideServer.js';

const dir = mkdtempSync(join(tmpdir(), 'gh-proxy-sig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('signal forwarding', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('%s to the proxy stops the server and the proxy', async (sig) => {
    const files = { childPid: join(dir, `${sig}.pid`), exitCode: join(dir, `${sig}.code`) };
    const proc = spawn(process.execPath, runnerArgs(), {
      env: { ...process.env, PROXY_RUNNER_CONFIG: JSON.stringify({ url: 'http://127.0.0.1:9', command: process.execPath, args: [EVERYTHING, 'stdio'], serverName: 'everything', childPidFile: files.childPid, exitCodeFile: files.exitCode }) },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    let out = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
    proc.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } })}\n`);
    while (!out.includes('"id":1')) await new Promise((r) => setTimeout(r, 25));
    const childPid = Number(readFileSync(files.childPid, 'utf8'));
    const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
    proc.kill(sig);
    const code = await exited;
    // The proxy survived the signal itself (it forwards it) and exited after the server did, with its own code.
    expect(existsSync(files.exitCode)).toBe(true);
    expect(code).toBe(Number(readFileSync(files.exitCode, 'utf8')));
    expect(() => process.kill(childPid, 0)).toThrow();
  });
});
