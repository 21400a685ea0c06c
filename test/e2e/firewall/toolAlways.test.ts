// "Allow always" for an MCP tool call through a running engine: the prompt shows the rule, `resolve
// --scope always` writes it into the asking agent's own section, and the same call is then allowed by
// the policy without asking; the file stays 0600 and trusted (no lockdown), and the ledger has the rule.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePolicyText } from '../../../src/engine/firewall/index.js';
import { cli, policyPathFor, startEngine, tempStateDir, waitFor, type RunningEngine } from '../../support/engine.js';

const POLICY = `version: 1
policy: ask
ask_ttl: 60s
tools:
  - { server: filesystem, tool: "read_*", decision: allow }
`;

let e: RunningEngine;
let stateDir: string;

const pendingFor = (tool: string) => () =>
  (JSON.parse(cli(['pending', '--json'], { stateDir }).stdout) as { id: string; tool: { tool: string } | null; always_rule: string | null }[]).find((p) => p.tool?.tool === tool);

beforeAll(async () => {
  stateDir = tempStateDir();
  mkdirSync(dirname(policyPathFor(stateDir)), { recursive: true });
  writeFileSync(policyPathFor(stateDir), POLICY, { mode: 0o600 });
  e = await startEngine({ stateDir });
});
afterAll(async () => {
  await e.stop();
});

describe('allow always for a tool call', () => {
  it('writes the shown rule into the agent’s section; the same call is then allowed by the policy', async () => {
    const call = { server: 'github', tool: 'create_issue', args: { repo: 'o/r', title: 'flaky test' } };
    const waiting = e.http('POST', '/api/firewall/check', { tool: call, agent: 'triage-bot', wait: true });
    const prompt = await waitFor(pendingFor('create_issue'), 10_000, 'the tool prompt');
    expect(prompt.always_rule).toBe('tools: github/create_issue args {"repo":"o/r","title":"flaky test"} → allow');
    expect(cli(['pending'], { stateDir }).stdout).toContain(`allow always would write: ${prompt.always_rule}`);

    const r = cli(['resolve', prompt.id, 'allow', '--scope', 'always'], { stateDir });
    expect(r.code).toBe(0);
    expect((await waiting).body.data).toMatchObject({ decision: 'allow', source: 'operator' });

    const again = await e.http('POST', '/api/firewall/check', { tool: call, agent: 'triage-bot' });
    expect(again.body.data).toMatchObject({ decision: 'allow', source: 'policy', rule: prompt.always_rule });
    expect(again.body.data.prompt_id).toBeUndefined();
    // Narrow: another title, or another agent, still asks.
    const other = await e.http('POST', '/api/firewall/check', { tool: { ...call, args: { ...call.args, title: 'x' } }, agent: 'triage-bot' });
    expect(other.body.data.decision).toBe('ask');
    const otherAgent = await e.http('POST', '/api/firewall/check', { tool: call, agent: 'build-bot' });
    expect(otherAgent.body.data.decision).toBe('ask');

    // Written through gatehouse: 0600, trusted as written, the same text verify compares against.
    const path = policyPathFor(stateDir);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const written = parsePolicyText(readFileSync(path, 'utf8')).policy.file;
    expect(written.agents['triage-bot']!.tools).toEqual([{ ...call, decision: 'allow', description: expect.stringMatching(/^allowed always by /) }]);
    expect(written.tools).toHaveLength(1);
    expect(cli(['policy', 'verify'], { stateDir }).code).toBe(0);
    expect(JSON.parse(cli(['status', '--json'], { stateDir }).stdout).firewall).toMatchObject({ trusted: true, lockdown: false });

    expect(cli(['ledger', 'verify'], { stateDir }).code).toBe(0);
    const db = new Database(join(stateDir, 'gatehouse.db'), { readonly: true });
    try {
      const row = db.prepare("SELECT detail FROM ledger WHERE action = 'policy.rule_added' AND subject = ?").get(prompt.id) as { detail: string } | undefined;
      expect(JSON.parse(row!.detail)).toMatchObject({ kind: 'tool', rule: prompt.always_rule, agent: 'triage-bot', added: true, section: 'agents.triage-bot.tools' });
    } finally {
      db.close();
    }
  });

  it('is refused, with the reason, for a call a rule cannot pin; the prompt stays answerable', async () => {
    const waiting = e.http('POST', '/api/firewall/check', { tool: { server: 'fs', tool: 'move', args: { paths: ['/a', '/b'] } }, agent: 'triage-bot', wait: true });
    const prompt = await waitFor(pendingFor('move'), 10_000, 'the tool prompt');
    expect(prompt.always_rule).toBeNull();
    const r = cli(['resolve', prompt.id, 'allow', '--scope', 'always'], { stateDir });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/allow always is refused for this tool call: argument paths is a list/);
    cli(['resolve', prompt.id, 'deny'], { stateDir });
    expect((await waiting).body.data.decision).toBe('deny');
  });
});
