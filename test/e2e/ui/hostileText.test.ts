// Law 11 at the operator's terminal and in the log (issue 22 gap 8), against a real engine: a task
// description, an ask's command and a provider's error message carrying a pane-title sequence
// (ESC ] 0;… BEL), a clear-screen (ESC [2J), a carriage return, U+202E and U+009B are drawn escaped by
// `gatehouse attach` in a real tmux pane (the pane's title stays its own), and written escaped to the
// engine's log file (the same JSON value, no raw control on disk).
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyPathFor, startEngine, tempStateDir, waitFor, type RunningEngine } from '../../support/engine.js';
import { startLlmServer, type LlmServer } from '../../support/llmServers.js';
import { TmuxServer, hasTmux } from '../../support/tmuxPane.js';

const TITLE = 'PWNED-TITLE';
const HOSTILE = `deploy\u001b]0;${TITLE}\u0007 now\u001b[2J\rdone \u202Egnp.exe \u009b31m`;
// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

let e: RunningEngine;
let llm: LlmServer;
let tmux: TmuxServer | null = null;

beforeAll(async () => {
  llm = await startLlmServer('anthropic', [{ kind: 'status', status: 400, body: JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: `provider says ${HOSTILE}` } }) }]);
  const stateDir = tempStateDir('gh-hostile-text-');
  mkdirSync(dirname(policyPathFor(stateDir)), { recursive: true });
  writeFileSync(policyPathFor(stateDir), 'version: 1\npolicy: ask\nask_ttl: 5m\nallowlist:\n  - pattern: "git status"\n', { mode: 0o600 });
  e = await startEngine({
    stateDir,
    env: { ANTHROPIC_API_KEY: 'test-key-not-secret', ANTHROPIC_BASE_URL: llm.url, OPENAI_API_KEY: '', OPENAI_BASE_URL: '', OPENCLAW_CONFIG_PATH: join(stateDir, 'no-openclaw.json') },
  });
});
afterAll(async () => {
  tmux?.close();
  await e?.stop();
  await llm?.close();
});

describe('hostile text from outside', () => {
  it.skipIf(!hasTmux)('`gatehouse attach` in a real tmux pane shows it escaped and the pane keeps its title', async () => {
    tmux = new TmuxServer();
    const pane = tmux.console(e.stateDir, ['attach']);
    await pane.waitFor(/\[1 Queue \(\d+\)\]/);
    tmux.tmux('select-pane', '-t', pane.name, '-T', 'operator-console');
    const id = (await e.http('POST', '/api/tasks', { task_type: 'chat', description: HOSTILE, estimated_cost: 0.01 })).body.data.task_id as string;
    const shown = await pane.waitFor(`deploy\\u{001b}]0;${TITLE}`);
    expect(shown).toContain(id);
    const ask = await e.http('POST', '/api/firewall/check', { command: `echo ${HOSTILE}`, agent: 'a1' });
    expect(ask.body.data.decision).toBe('ask');
    await pane.waitFor('▲ ASK');
    await pane.waitFor((s) => s.includes('echo deploy\\u{001b}]0;'));
    // Open the task: its detail shows the description and the provider's failed brief.
    pane.type(`/${id}`);
    pane.keys('Enter');
    await pane.waitFor(`filter: ${id}`);
    pane.keys('Enter');
    const detail = await pane.waitFor((s) => /provider says/.test(s));
    expect(detail).toContain('\\u{202e}gnp.exe');
    const title = tmux.tmux('display-message', '-p', '-t', pane.name, '#{pane_title}').trim();
    expect(title).toBe('operator-console');
    expect(title).not.toContain(TITLE);
    expect(pane.screen()).not.toMatch(RAW);
  }, 120_000);

  it('the engine log file has it escaped: no raw control on disk, the same JSON value', async () => {
    await waitFor(() => llm.requests.length > 0, 30_000, 'the assistant to call the provider');
    const logs = join(e.stateDir, 'logs');
    const line = await waitFor(() => {
      for (const f of readdirSync(logs)) {
        const hit = readFileSync(join(logs, f), 'utf8').split('\n').find((l) => l.includes('assistant request refused'));
        if (hit) return hit;
      }
      return null;
    }, 30_000, 'the log line');
    for (const f of readdirSync(logs)) expect(readFileSync(join(logs, f), 'utf8')).not.toMatch(RAW);
    expect(line).toContain('\\u001b]0;');
    expect(line).toContain('\\u202e');
    expect(line).toContain('\\u009b');
    expect(JSON.parse(line).problem).toBe(`invalid_request_error: provider says ${HOSTILE}`);
    // The headless echo (--log-format json here) carries the same escaped line.
    expect(e.output()).not.toMatch(/\u009b|\u202e|\u001b\]/);
  });
});
