// One redactor for everything that leaves the host (issue 22 gap 9), against a real engine: a GitHub
// token and an Anthropic key in a task's description and in its reject reason never reach the Slack
// webhook, a notify webhook (both real HTTP servers on loopback), the syslog collector (real TCP), the
// LLM provider (the assistant's brief and chat, a loopback stand-in) nor the ledger, which keeps the
// masked reason with the sha256 of the original. Where they went, a `[secret …]` mask stands.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectEngine } from '../../../src/client/ipcClient.js';
import { cli, policyPathFor, startEngine, tempStateDir, waitFor, type RunningEngine } from '../../support/engine.js';
import { startSink, type HttpSink } from '../../support/httpSink.js';
import { startLlmServer, type LlmServer } from '../../support/llmServers.js';
import { fake } from '../../support/monitorSecrets.js';

const GITHUB = fake.github();
const ANTHROPIC = fake.anthropic();
const SECRETS = [GITHUB, ANTHROPIC];
const BRIEF = 'RISK: high\nSUMMARY: Pushes with a credential.\n- a token is in the request';

let e: RunningEngine;
let sink: HttpSink;
let llm: LlmServer;
let syslog: Server;
const syslogSockets = new Set<Socket>();
let syslogBytes = '';

beforeAll(async () => {
  sink = await startSink();
  llm = await startLlmServer('anthropic', [{ kind: 'ok', text: BRIEF }]);
  syslog = createServer((s) => {
    syslogSockets.add(s);
    s.on('data', (d) => (syslogBytes += d.toString('utf8')));
    s.on('close', () => syslogSockets.delete(s));
    s.on('error', () => {});
  });
  await new Promise<void>((r) => syslog.listen(0, '127.0.0.1', () => r()));
  const syslogPort = (syslog.address() as { port: number }).port;
  const stateDir = tempStateDir('gh-redact-');
  mkdirSync(dirname(policyPathFor(stateDir)), { recursive: true });
  writeFileSync(policyPathFor(stateDir), 'version: 1\npolicy: ask\nask_ttl: 60s\nallowlist:\n  - pattern: "git status"\n', { mode: 0o600 });
  e = await startEngine({
    stateDir,
    config: [
      'notify:',
      `  slack_webhook_url: ${sink.url('/slack')}`,
      '  webhooks:',
      `    - url: ${sink.url('/hook')}`,
      '      events: [task.needs_approval, task.rejected]',
      'export:',
      '  syslog:',
      `    url: tcp://127.0.0.1:${syslogPort}`,
      '',
    ].join('\n'),
    env: { ANTHROPIC_API_KEY: 'test-key-not-secret', ANTHROPIC_BASE_URL: llm.url, OPENAI_API_KEY: '', OPENAI_BASE_URL: '', OPENCLAW_CONFIG_PATH: join(stateDir, 'no-openclaw.json') },
  });
});
afterAll(async () => {
  await e?.stop();
  await sink?.close();
  await llm?.close();
  for (const s of syslogSockets) s.destroy();
  await new Promise<void>((r) => (syslog ? syslog.close(() => r()) : r()));
});

function expectClean(what: string, text: string): void {
  for (const s of SECRETS) expect(text.includes(s), `${what} carries a secret`).toBe(false);
}

describe('one redactor for everything that leaves the host', () => {
  it('a GitHub token and an Anthropic key in a description and a reject reason leave the host masked, and the ledger keeps the hash of the original reason', async () => {
    const description = `push the release with ${GITHUB} and brief with ${ANTHROPIC}`;
    const id = (await e.http('POST', '/api/tasks', { task_type: 'workflow', description, estimated_cost: 0.5 })).body.data.task_id as string;
    await waitFor(async () => (await e.http('GET', `/api/queue/task/${id}`)).body.data.assistant.state === 'ready', 30_000, 'the brief');
    const reason = `rejected: it would push with ${GITHUB} and call the API with ${ANTHROPIC}`;
    expect((await e.http('POST', `/api/queue/reject/${id}`, { reason })).status).toBe(200);
    // The operator asks the assistant about it, quoting the reason.
    const client = await connectEngine({ stateDir: e.stateDir, surface: 'cli' });
    try {
      expect(await client.assistant.ask(id, `why was it ${reason}?`)).toMatchObject({ ok: true });
    } finally {
      await client.close();
    }
    await waitFor(() => sink.hits.some((h) => h.path === '/hook' && h.body?.event === 'task.rejected'), 20_000, 'the rejection webhook');
    await waitFor(() => sink.hits.some((h) => h.path === '/slack' && JSON.stringify(h.body).includes('rejected')), 20_000, 'the rejection on Slack');
    await waitFor(() => /task\.reject/.test(syslogBytes), 20_000, 'the rejection in syslog');
    await waitFor(() => llm.requests.length >= 2, 20_000, 'the brief and the chat');

    const slack = JSON.stringify(sink.hits.filter((h) => h.path === '/slack').map((h) => h.body));
    const hooks = JSON.stringify(sink.hits.filter((h) => h.path === '/hook').map((h) => h.body));
    const prompts = llm.requests.map((r) => r.body).join('\n');
    for (const [what, text] of [['Slack', slack], ['the webhook', hooks], ['syslog', syslogBytes], ['the LLM provider', prompts]] as const) {
      expectClean(what, text);
      expect(text, what).toMatch(/\[secret (ghp_|sk-a)/);
    }
    expect(prompts).toContain('push the release with [secret ghp_');
    expect(prompts).toContain('call the API with [secret sk-a');

    const db = new Database(join(e.stateDir, 'gatehouse.db'), { readonly: true });
    try {
      const all = db.prepare('SELECT * FROM ledger').all() as Array<Record<string, unknown>>;
      expectClean('the ledger', JSON.stringify(all));
      const rejected = all.filter((r) => typeof r.reason === 'string' && (r.reason as string).startsWith('rejected: it would push'));
      expect(rejected.length).toBeGreaterThan(0);
      for (const r of rejected) {
        expect(r.reason).toMatch(/\[secret ghp_.*\[secret sk-a/);
        expect(JSON.parse(r.detail as string).reason_sha256).toBe(createHash('sha256').update(reason).digest('hex'));
      }
    } finally {
      db.close();
    }
    expect(cli(['ledger', 'verify'], { stateDir: e.stateDir }).code).toBe(0);
  }, 120_000);
});
