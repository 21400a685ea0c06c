// Issue 22 gaps 8 and 9 against a real engine: text from outside reaches the operator's terminal with
// its control characters escaped (CLI text and --json), and a secret in a reject reason is masked in
// the ledger (with the original's hash kept) and in the webhook that leaves the host.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, startEngine, waitFor, type RunningEngine } from '../../support/engine.js';

const TOKEN = `ghp_${'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8'}`;
let e: RunningEngine;
let hook: Server;
const received: Array<Record<string, any>> = [];

beforeAll(async () => {
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.end('{}');
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
  const port = (hook.address() as { port: number }).port;
  e = await startEngine({ config: `notify:\n  webhooks:\n    - url: http://127.0.0.1:${port}/hook\n      events: [task.rejected]\n` });
});
afterAll(async () => {
  await e.stop();
  hook.close();
});

describe('boundary hygiene (law 11)', () => {
  it('control characters in a task description are escaped in `tasks list`, `tasks show` and --json', async () => {
    const evil = 'fix\u001b]0;pwned\u0007 it\u001b[2J\rnow \u202Egnp.exe \u009b31m';
    const id = (await e.http('POST', '/api/tasks', { task_type: 'chat', description: evil })).body.data.task_id;
    const list = cli(['tasks', 'list'], { stateDir: e.stateDir });
    const show = cli(['tasks', 'show', id], { stateDir: e.stateDir });
    const json = cli(['tasks', 'show', id, '--json'], { stateDir: e.stateDir });
    for (const out of [list.stdout, show.stdout, json.stdout]) {
      expect(out).not.toMatch(/[\u001b\u0007\r\u202e\u009b]/);
    }
    expect(show.stdout).toContain('fix\\u{001b}]0;pwned\\u{0007} it\\u{001b}[2J\\u{000d}now \\u{202e}gnp.exe \\u{009b}31m');
    expect(JSON.parse(json.stdout).description).toBe(evil); // the same JSON value, escaped
  });
});

describe('one redactor (gap 9)', () => {
  it('a GitHub token in a reject reason is masked in the ledger (hash of the original kept) and in the webhook', async () => {
    const id = (await e.http('POST', '/api/tasks', { task_type: 'chat', description: 'x' })).body.data.task_id;
    const reason = `rejected: it would push with ${TOKEN} to the repo`;
    expect((await e.http('POST', `/api/queue/reject/${id}`, { reason })).status).toBe(200);
    await waitFor(() => received.length > 0, 15_000, 'the webhook');
    expect(JSON.stringify(received)).not.toContain(TOKEN);
    expect(JSON.stringify(received)).toMatch(/\[secret /);
    const db = new Database(join(e.stateDir, 'gatehouse.db'), { readonly: true });
    try {
      const rows = db.prepare("SELECT reason, detail FROM ledger WHERE reason LIKE '%would push%'").all() as Array<{ reason: string; detail: string }>;
      expect(rows.length).toBeGreaterThan(0);
      for (const r of rows) {
        expect(r.reason).not.toContain(TOKEN);
        expect(JSON.parse(r.detail).reason_sha256).toBe(createHash('sha256').update(reason).digest('hex'));
      }
    } finally {
      db.close();
    }
    expect(cli(['ledger', 'verify'], { stateDir: e.stateDir }).code).toBe(0);
  });
});

describe('agents are checked (law 11)', () => {
  it('a pid that is not running is refused; a live pid registers; `agents list --json` shows it; bad names are refused', async () => {
    const dead = await e.http('POST', '/api/agents', { name: 'ghost', pid: 999999 });
    expect(dead.status).toBe(400);
    expect(dead.body.error).toMatch(/pid 999999 is not a running process/);
    expect((await e.http('POST', '/api/agents', { name: 'builder', pid: e.proc.pid })).status).toBe(201);
    const list = cli(['agents', 'list', '--json'], { stateDir: e.stateDir });
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).find((a: { name: string }) => a.name === 'builder')).toMatchObject({ state: 'alive', pid: e.proc.pid });
    expect(cli(['agents', 'list'], { stateDir: e.stateDir }).stdout).toMatch(/^builder\s+alive/m);
    const badName = await e.http('POST', '/api/firewall/check', { command: 'ls', agent: 'x\u001b]0;pwn\u0007' });
    expect(badName.status).toBe(400);
  });
});
