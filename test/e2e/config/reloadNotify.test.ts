// Issue 25: what the operator configures is what runs. Reload against a real engine (the CLI as a
// process, the socket), notifications to a real HTTP receiver on loopback that can hang.
import Database from 'better-sqlite3';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, policyPathFor, startEngine, tempStateDir, waitFor, type RunningEngine } from '../../support/engine.js';
import { startSink, type HttpSink } from '../../support/httpSink.js';

let sink: HttpSink;
let engine: RunningEngine | null = null;
beforeEach(async () => {
  sink = await startSink();
});
afterEach(async () => {
  await engine?.stop();
  engine = null;
  await sink.close();
});

const configFileOf = (e: RunningEngine) => e.proc.spawnargs[e.proc.spawnargs.indexOf('--config') + 1]!;
const hooks = (path: string, events: string[]) => `notify:\n  webhooks:\n    - url: ${sink.url(path)}\n      events: [${events.join(', ')}]\n`;

describe('reload applies every changed key or names it', () => {
  it('a new webhook takes effect at once; restart-only keys are named in the reply, the log and the ledger; a bad file is refused verbatim', async () => {
    engine = await startEngine({ config: `${hooks('/old', ['task.needs_approval'])}api:\n  max_wait_seconds: 60\n` });
    const e = engine;
    const file = configFileOf(e);
    writeFileSync(file, `${hooks('/new', ['task.needs_approval'])}api:\n  max_wait_seconds: 30\nlogging:\n  level: debug\n`);
    const r = cli(['reload', '--json'], { stateDir: e.stateDir });
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res.applied).toEqual(expect.arrayContaining(['notify.webhooks', 'logging.level']));
    expect(res.restart_required).toEqual(['api.max_wait_seconds']);
    const human = cli(['reload'], { stateDir: e.stateDir });
    // Applied keys are now the running ones; the restart-only one is still named until a restart.
    expect(human.stdout).not.toMatch(/applied:/);
    expect(human.stdout).toMatch(/restart required: api\.max_wait_seconds/);

    const sub = await e.http('POST', '/api/tasks', { task_type: 'chat', estimated_cost: 0.5 });
    expect(sub.status).toBe(201);
    const hit = await waitFor(() => sink.hits.find((h) => h.body?.event === 'task.needs_approval'), 10_000, 'needs-approval notification');
    expect(hit.path).toBe('/new');
    expect(hit.body.data.task_id).toBe(sub.body.data.task_id);
    expect(sink.hits.some((h) => h.path === '/old')).toBe(false);

    // The log line and the ledger record say what needs a restart.
    expect(e.output()).toMatch(/"restart_required":\["api.max_wait_seconds"\].*"msg":"config reloaded"/);
    const db = new Database(join(e.stateDir, 'gatehouse.db'), { readonly: true });
    const rec = db.prepare("SELECT detail FROM ledger WHERE action = 'config.reload' ORDER BY seq LIMIT 1").get() as { detail: string };
    db.close();
    expect(JSON.parse(rec.detail)).toMatchObject({ restart_required: ['api.max_wait_seconds'], applied: expect.arrayContaining(['notify.webhooks']) });

    // An invalid file: the validation message reaches the CLI, and the running config stays.
    writeFileSync(file, `notify:\n  webhooks:\n    - url: not-a-url\n      events: [task.needs_approval]\n`);
    const bad = cli(['reload'], { stateDir: e.stateDir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/notify\.webhooks\.0\.url/);
    expect(bad.stderr).toContain(file);
    expect(bad.stderr).not.toMatch(/internal error/);
    await e.http('POST', '/api/tasks', { task_type: 'chat', estimated_cost: 0.5 });
    await waitFor(() => sink.hits.filter((h) => h.path === '/new').length === 2, 10_000, 'second notification to the kept target');

    // Counters in status --json and /metrics.
    const st = JSON.parse(cli(['status', '--json'], { stateDir: e.stateDir }).stdout);
    expect(st.notify).toMatchObject({ sent: 2, dropped: 0, failed: 0 });
    const metrics = (await e.http('GET', '/metrics')).body as string;
    expect(metrics).toMatch(/gatehouse_notifications\{outcome="sent"\} 2/);
  });

  it('the legacy approval.slack_webhook_url is used; set beside a different notify URL it is refused naming the right key', async () => {
    engine = await startEngine({ config: `approval:\n  slack_webhook_url: ${sink.url('/legacy')}\n` });
    await engine.http('POST', '/api/tasks', { task_type: 'chat', estimated_cost: 0.5 });
    const hit = await waitFor(() => sink.hits.find((h) => h.path === '/legacy'), 10_000, 'slack post to the legacy URL');
    expect(hit.body.text).toMatch(/waiting for the operator/);
    writeFileSync(configFileOf(engine), `approval:\n  slack_webhook_url: ${sink.url('/legacy')}\nnotify:\n  slack_webhook_url: ${sink.url('/other')}\n`);
    const bad = cli(['reload'], { stateDir: engine.stateDir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/approval\.slack_webhook_url.*notify\.slack_webhook_url/);
  });
});

describe('notifications under a flood', () => {
  it('a hung receiver and a burst of rejections never cost a P0; drops are counted and raise a P2', async () => {
    const stateDir = tempStateDir();
    sink.answer = (h) => (h.body?.event === 'task.rejected' ? 'hang' : 'ok');
    engine = await startEngine({
      stateDir,
      config: `${hooks('/hook', ['task.rejected', 'alert.p0'])}  queue_size: 10\n  concurrency: 1\n  timeout_ms: 60000\nbudget:\n  per_task:\n    chat: 0.01\n`,
    });
    const e = engine;
    await Promise.all(Array.from({ length: 40 }, () => e.http('POST', '/api/tasks', { task_type: 'chat', estimated_cost: 1 })));
    await waitFor(() => sink.hits.some((h) => h.body?.event === 'task.rejected'), 10_000, 'the first rejection to reach the hung receiver');
    // Tamper with the policy outside gatehouse: lockdown raises a P0.
    mkdirSync(dirname(policyPathFor(stateDir)), { recursive: true });
    writeFileSync(policyPathFor(stateDir), 'version: 1\npolicy: allowlist\n# edited behind gatehouse\n');
    const p0 = await waitFor(() => sink.hits.find((h) => h.body?.event === 'alert.p0'), 15_000, 'the P0 to be delivered past the hung rejections');
    expect(p0.body.data.check).toBe('policy_tampered');
    const st = JSON.parse(cli(['status', '--json'], { stateDir }).stdout);
    expect(st.notify.dropped).toBeGreaterThan(0);
    const alerts = (await e.http('GET', '/api/alerts')).body.data as Array<{ check: string; severity: string }>;
    expect(alerts.find((a) => a.check === 'notifications_dropped')?.severity).toBe('P2');
  });
});

describe('the daily budget is shown and reloads', () => {
  it('status --json and the status text carry the limit, the committed total and the zone; a new limit applies at once', async () => {
    engine = await startEngine({ config: 'budget:\n  daily_usd: 10\n  time_zone: Asia/Kolkata\n' });
    const e = engine;
    const id = (await e.http('POST', '/api/tasks', { task_type: 'chat', estimated_cost: 4 })).body.data.task_id;
    expect(cli(['tasks', 'approve', id], { stateDir: e.stateDir }).code).toBe(0);
    const st = JSON.parse(cli(['status', '--json'], { stateDir: e.stateDir }).stdout);
    expect(st.budget).toEqual({ daily_usd: 10, committed_today_usd: 4, spent_today_usd: 0, time_zone: 'Asia/Kolkata' });
    expect(cli(['status'], { stateDir: e.stateDir }).stdout).toMatch(/budget +\$4\.00 committed of \$10\.00 today \(day in Asia\/Kolkata\)/);
    writeFileSync(configFileOf(e), 'budget:\n  daily_usd: 5\n  time_zone: Asia/Kolkata\n');
    expect(JSON.parse(cli(['reload', '--json'], { stateDir: e.stateDir }).stdout).applied).toEqual(['budget.daily_usd']);
    const over = (await e.http('POST', '/api/tasks', { task_type: 'chat', estimated_cost: 2 })).body.data.task_id;
    await waitFor(async () => (await e.http('GET', `/api/tasks/${over}`)).body.data.status === 'rejected', 10_000, 'the new limit to reject');
    writeFileSync(configFileOf(e), 'budget:\n  time_zone: Mars/Olympus\n');
    const bad = cli(['reload'], { stateDir: e.stateDir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/budget\.time_zone.*IANA time zone/);
  });
});
