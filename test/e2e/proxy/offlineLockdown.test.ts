// `gatehouse proxy --offline-policy` decides without the engine, but never more loosely than the
// engine would (issue 22, law 8 and law 10 offline): while the engine's lockdown marker is in the state
// dir every call is denied naming the lockdown, and a call reaching gatehouse's own files is denied by
// the built-in self-protection rules, whatever the offline policy allows. The real CLI, the real
// server-everything behind it, an MCP SDK client in front, and a real engine to leave the marker.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { describe, expect, it } from 'vitest';
import { BIN, cli, configHomeFor, policyPathFor, startEngine, tempStateDir, waitFor } from '../../support/engine.js';
import { EVERYTHING } from '../../support/proxyDecideServer.js';

const POLICY = 'version: 1\npolicy: ask\nask_ttl: 60s\nallowlist:\n  - pattern: "git status"\n';
const ALLOW_ALL_TOOLS = 'version: 1\npolicy: ask\ntools:\n  - { server: everything, tool: "*", decision: allow }\n';

async function proxyClient(stateDir: string, offlinePolicy: string): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, '--state-dir', stateDir, 'proxy', '--offline-policy', offlinePolicy, '--server-name', 'everything', '--', process.execPath, EVERYTHING],
    env: { ...(process.env as Record<string, string>), XDG_CONFIG_HOME: configHomeFor(stateDir), GATEHOUSE_API_TOKEN: '', GATEHOUSE_POLICY: '' },
    stderr: 'ignore',
  });
  const client = new Client({ name: 'host', version: '1' });
  await client.connect(transport);
  return client;
}

describe('gatehouse proxy --offline-policy', () => {
  it('allows what the offline policy allows with no engine; denies everything while the lockdown marker is present; law 10 holds offline', async () => {
    const stateDir = tempStateDir('gh-proxy-offline-');
    mkdirSync(dirname(policyPathFor(stateDir)), { recursive: true });
    writeFileSync(policyPathFor(stateDir), POLICY, { mode: 0o600 });
    const offline = join(stateDir, '..', `${stateDir.split('/').pop()}-offline.yaml`);
    writeFileSync(offline, ALLOW_ALL_TOOLS, { mode: 0o600 });

    // No engine, no marker: the offline policy decides.
    const before = await proxyClient(stateDir, offline);
    try {
      const ok = await before.callTool({ name: 'echo', arguments: { message: 'hello' } });
      expect(ok.isError).toBeFalsy();
      expect(JSON.stringify(ok.content)).toContain('Echo: hello');
      const token = await before.callTool({ name: 'echo', arguments: { message: `${stateDir}/api-token` } });
      expect(token.isError).toBe(true);
      expect(token.structuredContent).toMatchObject({ decision: 'deny' });
      expect(JSON.stringify(token.content)).toMatch(/protects itself/);
      expect(JSON.stringify(token.content)).not.toContain('Echo:');
    } finally {
      await before.close();
    }
    // Both offline decisions are spooled for the engine (the one writer the hook and exec use too).
    const spool = join(stateDir, 'offline-decisions.ndjson');
    const spooled = readFileSync(spool, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { surface: string; decision: string; source: string });
    expect(spooled.map((l) => [l.surface, l.decision])).toEqual([['proxy', 'allow'], ['proxy', 'deny']]);

    // The engine sees the policy swapped (tampering), enters lockdown and leaves its marker when stopped.
    const e = await startEngine({ stateDir });
    try {
      // …and ingested at its start: two ledger records reported by the client, the spool emptied.
      const listed = cli(['ledger', 'list', '--json', '--kind', 'firewall.offline_decision'], { stateDir }).stdout.trim().split('\n');
      expect(listed).toHaveLength(2);
      expect(listed.join('\n')).toContain('reported_by_client');
      expect(existsSync(spool)).toBe(false);
      const tmp = `${policyPathFor(stateDir)}.swap`;
      writeFileSync(tmp, POLICY.replace('"git status"', '"*"'), { mode: 0o600 });
      renameSync(tmp, policyPathFor(stateDir));
      await waitFor(async () => (await e.http('GET', '/api/firewall/policy')).body.data.lockdown, 15_000, 'lockdown');
    } finally {
      await e.stop();
    }
    expect(existsSync(join(stateDir, 'lockdown.json'))).toBe(true);

    const after = await proxyClient(stateDir, offline);
    try {
      const r = await after.callTool({ name: 'echo', arguments: { message: 'should not run' } });
      expect(r.isError).toBe(true);
      expect(JSON.stringify(r.content)).not.toContain('Echo: should not run');
      expect(r.structuredContent).toMatchObject({ decision: 'deny', source: 'lockdown' });
      expect(JSON.stringify(r.content)).toMatch(/lockdown/);
    } finally {
      await after.close();
    }
    expect(JSON.parse(readFileSync(spool, 'utf8').trim())).toMatchObject({ surface: 'proxy', decision: 'deny', source: 'lockdown' });
  }, 120_000);
});
