// The approval assistant through a real engine: a loopback server speaking the Anthropic Messages
// wire format stands in for the provider. Pending tasks and firewall asks get a brief under
// `assistant` in their API detail; a planted secret never leaves the host; what was sent is in the
// ledger; a hanging provider never delays a decision; `gatehouse assistant --once` logs briefs; and
// without a key the assistant says it is off and nothing else changes.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectEngine } from '../../../src/client/ipcClient.js';
import { BIN, cli, configHomeFor, policyPathFor, startEngine, tempStateDir, waitFor, type RunningEngine } from '../../support/engine.js';
import { startLlmServer, type LlmServer } from '../../support/llmServers.js';
import { fake } from '../../support/monitorSecrets.js';

const BRIEF = 'RISK: medium\nSUMMARY: Publishes a package to the public registry.\n- irreversible once published';

function policy(ttl: string): string {
  return `version: 1\npolicy: ask\nask_ttl: ${ttl}\nallowlist:\n  - pattern: "git status"\ndenylist:\n  - pattern: "rm -rf *"\n`;
}

async function engineWith(llm: LlmServer | null, o: { ttl?: string; config?: string } = {}): Promise<RunningEngine> {
  const stateDir = tempStateDir('gh-asst-');
  mkdirSync(dirname(policyPathFor(stateDir)), { recursive: true });
  writeFileSync(policyPathFor(stateDir), policy(o.ttl ?? '60s'), { mode: 0o600 });
  return startEngine({
    stateDir,
    env: {
      ANTHROPIC_API_KEY: llm ? 'test-key-not-secret' : '',
      ANTHROPIC_BASE_URL: llm?.url ?? '',
      OPENAI_API_KEY: '',
      OPENAI_BASE_URL: '',
      OPENCLAW_CONFIG_PATH: join(stateDir, 'no-openclaw.json'),
    },
    ...(o.config ? { config: o.config } : {}),
  });
}

/** The CLI as a process, without blocking this process: the provider stand-in lives here and must keep answering. */
function cliAsync(stateDir: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, '--state-dir', stateDir, ...args], { env: { ...process.env, XDG_CONFIG_HOME: configHomeFor(stateDir) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function submit(e: RunningEngine, description: string): Promise<string> {
  const r = await e.http('POST', '/api/tasks', { task_type: 'workflow', description, estimated_cost: 0.5 });
  expect(r.status).toBe(201);
  return r.body.data.task_id;
}

async function ask(e: RunningEngine, command: string): Promise<string> {
  const r = await e.http('POST', '/api/firewall/check', { command, agent: 'a1' });
  expect(r.body.data.decision).toBe('ask');
  return r.body.data.prompt_id;
}

function briefed(e: RunningEngine, path: string) {
  return waitFor(async () => {
    const a = (await e.http('GET', path)).body.data.assistant;
    return a.state === 'ready' || a.state === 'failed' ? a : null;
  }, 20_000, `a brief at ${path}`);
}

describe('assistant with a provider', () => {
  let llm: LlmServer;
  let e: RunningEngine;
  beforeAll(async () => {
    llm = await startLlmServer('anthropic', [{ kind: 'ok', text: BRIEF }]);
    e = await engineWith(llm);
  });
  afterAll(async () => {
    await e.stop();
    await llm.close();
  });

  it('a submitted task gets a brief under assistant in its detail; a planted secret never reaches the provider', async () => {
    const secret = fake.anthropic();
    const id = await submit(e, `rotate the deploy key, new key ${secret}`);
    const a = await briefed(e, `/api/queue/task/${id}`);
    expect(a).toMatchObject({ state: 'ready', error: null, brief: { subject_id: id, risk: 'medium', summary: 'Publishes a package to the public registry.', provider: 'anthropic' } });
    const sent = llm.requests.filter((r) => r.body.includes(id));
    expect(sent.length).toBeGreaterThan(0);
    expect(sent[0]!.path).toBe('/v1/messages');
    expect(sent[0]!.headers['x-api-key']).toBe('test-key-not-secret');
    expect(sent[0]!.body).toContain('rotate the deploy key');
    for (const r of llm.requests) expect(r.body).not.toContain(secret);
    for (const r of llm.requests) expect(r.body).not.toContain(secret.slice(20, 60));
  });

  it('a firewall ask gets a brief under assistant in GET /api/prompts/{id}, and the ledger records what was sent', async () => {
    const id = await ask(e, 'npm publish --access public');
    const a = await briefed(e, `/api/prompts/${id}`);
    expect(a).toMatchObject({ state: 'ready', brief: { subject_id: id, risk: 'medium' } });
    const body = llm.requests.find((r) => r.body.includes('npm publish'))!.body;
    const client = await connectEngine({ stateDir: e.stateDir, surface: 'cli' });
    try {
      const sent = (await client.ledger.recent(200)).filter((r) => r.action === 'assistant.sent' && r.subject === id);
      expect(sent.length).toBeGreaterThan(0);
      expect(sent[0]!.detail).toMatchObject({ sha256: createHash('sha256').update(body).digest('hex'), bytes: Buffer.byteLength(body), purpose: 'brief' });
      // The chat door over the socket: the answer comes back whole and is stored with the prompt.
      const answer = await client.assistant.ask(id, 'what does --access public change?');
      expect(answer).toMatchObject({ ok: true, turn: { subject_id: id, answer: BRIEF } });
      const h = await client.assistant.history(id);
      expect(h.messages.map((m) => [m.role, m.content])).toEqual([
        ['user', 'what does --access public change?'],
        ['assistant', BRIEF],
      ]);
    } finally {
      await client.close();
    }
    await e.http('POST', `/api/prompts/${id}/resolve`, { decision: 'deny', scope: 'once' });
    expect(cli(['ledger', 'verify'], { stateDir: e.stateDir }).code).toBe(0);
  });

  it('an unknown prompt is 404', async () => {
    expect((await e.http('GET', '/api/prompts/nope-123')).status).toBe(404);
  });
});

describe('gatehouse assistant --once', () => {
  it('briefs what is pending without a brief, with --model, logs each brief and exits 0', async () => {
    // The first call fails for good (400, no retries): the background brief fails and --once makes it.
    const llm = await startLlmServer('anthropic', [{ kind: 'status', status: 400 }, { kind: 'ok', text: BRIEF }]);
    const e = await engineWith(llm, { config: 'assistant:\n  max_retries: 0\n' });
    try {
      const id = await submit(e, 'reindex the documents');
      const failed = await briefed(e, `/api/queue/task/${id}`);
      expect(failed).toMatchObject({ state: 'failed', brief: null, error: { error: 'http', status: 400 } });
      const r = await cliAsync(e.stateDir, ['assistant', '--once', '--model', 'claude-test-override']);
      expect(r.stderr).toBe('');
      expect(r.code, r.stdout).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`${id}\\s+task\\s+risk medium\\s+Publishes a package`));
      expect(r.stdout).toMatch(/1 briefed, 0 already briefed, 0 failed/);
      expect(JSON.parse(llm.requests.at(-1)!.body).model).toBe('claude-test-override');
      expect((await e.http('GET', `/api/queue/task/${id}`)).body.data.assistant).toMatchObject({ state: 'ready', brief: { model: 'claude-test-override' } });
      // Run again: nothing left to brief.
      const again = await cliAsync(e.stateDir, ['assistant', '--once', '--json']);
      expect(again.code).toBe(0);
      expect(again.stdout.trim().split('\n').map((l) => JSON.parse(l)).at(-1)).toMatchObject({ event: 'done', briefed: 0, already: 1, failed: 0 });
    } finally {
      await e.stop();
      await llm.close();
    }
  }, 90_000);
});

describe('a hanging provider', () => {
  it('never delays a decision: checks answer, the operator decides, and an ask still expires on its TTL', async () => {
    const llm = await startLlmServer('anthropic', [{ kind: 'hang' }]);
    // The assistant's deadline is far past the TTL and the test's own timeout: waiting on it would fail.
    const e = await engineWith(llm, { ttl: '2s', config: 'assistant:\n  timeout_ms: 300000\n  idle_timeout_ms: 300000\n' });
    try {
      const id = await submit(e, 'sync the calendar');
      await waitFor(() => llm.requests.some((r) => r.body.includes(id)), 15_000, 'the brief request to hang');
      expect((await e.http('GET', `/api/queue/task/${id}`)).body.data.assistant.state).toBe('briefing');
      const allow = await e.http('POST', '/api/firewall/check', { command: 'git status', agent: 'a2' });
      expect(allow.body.data).toMatchObject({ decision: 'allow', source: 'policy' });
      const approved = await e.http('POST', `/api/queue/approve/${id}`, { reason: 'fine' });
      expect(approved.body.data.status).toBe('approved');

      const expiring = await e.http('POST', '/api/firewall/check', { command: 'npm publish', agent: 'a2', wait: true });
      expect(expiring.body.data).toMatchObject({ decision: 'deny', source: 'timeout' });
      const promptId = expiring.body.data.request_id as string;
      // The brief of the expired ask was cancelled with it, not left running.
      const a = await waitFor(async () => {
        const x = (await e.http('GET', `/api/prompts/${promptId}`)).body.data.assistant;
        return x.state !== 'briefing' ? x : null;
      }, 15_000, 'the cancelled brief');
      expect(a).toMatchObject({ state: 'failed', brief: null });
    } finally {
      await e.stop();
      await llm.close();
    }
  }, 60_000);
});

describe('without a provider key', () => {
  it('the assistant is off and says so once; tasks and asks work as before', async () => {
    const e = await engineWith(null);
    try {
      const id = await submit(e, 'answer a budget question');
      const t = (await e.http('GET', `/api/queue/task/${id}`)).body.data;
      expect(t.status).toBe('pending_approval');
      expect(t.assistant).toMatchObject({ state: 'off', brief: null });
      expect(t.assistant.reason).toMatch(/no provider key/);
      const pid = await ask(e, 'npm publish');
      expect((await e.http('GET', `/api/prompts/${pid}`)).body.data.assistant.state).toBe('off');
      expect((await e.http('POST', `/api/queue/approve/${id}`, {})).body.data.status).toBe('approved');
      expect(e.output().match(/"msg":"assistant off"/g)).toHaveLength(1);
      const r = cli(['assistant', '--once'], { stateDir: e.stateDir });
      expect(r.code).toBe(1);
      expect(r.stdout + r.stderr).toMatch(/assistant off: no provider key/);
    } finally {
      await e.stop();
    }
  }, 60_000);
});
