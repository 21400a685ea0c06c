// The CLI as a process, against a real engine where it needs one.
import Database from 'better-sqlite3';
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, startEngine, tempStateDir, waitFor } from '../../support/engine.js';

describe('cli without an engine', () => {
  it('status exits 3 and says no engine runs', () => {
    const r = cli(['status'], { stateDir: tempStateDir() });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/no gatehouse engine is running/);
  });

  it('status --tmux prints a short line and exits 3', () => {
    const r = cli(['status', '--tmux'], { stateDir: tempStateDir() });
    expect(r.code).toBe(3);
    expect(r.stdout.trim().length).toBeLessThan(20);
  });

  it('an invalid config is refused with the key, the value and what is allowed', () => {
    const dir = tempStateDir();
    const cfg = join(dir, '..', `${dir.split('/').pop()}.yaml`);
    writeFileSync(cfg, 'api:\n  port: 99999\nstore:\n  synchronous: SOMETIMES\n');
    const r = cli(['--config', cfg, 'run', '--no-tui'], { stateDir: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/line 2: api\.port: 99999/);
    expect(r.stderr).toMatch(/store\.synchronous: "SOMETIMES".*FULL/);
  });

  it('doctor reports a loose state dir', () => {
    const dir = tempStateDir();
    chmodSync(dir, 0o777);
    const r = cli(['doctor'], { stateDir: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL state_dir .* has mode 777/);
  });

  it('--help works on every command', () => {
    for (const c of [[], ['run'], ['status'], ['tasks', 'list'], ['ledger', 'verify'], ['doctor'], ['submit']]) {
      const r = cli([...c, '--help']);
      expect(r.code, c.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/gatehouse/);
    }
  });
});

describe('cli with an engine', () => {
  it('submit, list, show, approve, reject, abort; budget rules decide from config', async () => {
    const e = await startEngine({ config: 'budget:\n  per_task: { batch: 5 }\n  auto_approve_below_usd: 0.05\n' });
    const d = { stateDir: e.stateDir };
    try {
      const small = cli(['submit', '--type', 'chat', '--cost', '0.01', '-d', 'tiny', '--json'], d);
      expect(small.code).toBe(0);
      const id = JSON.parse(small.stdout).task_id;
      await waitFor(() => JSON.parse(cli(['tasks', 'show', id, '--json'], d).stdout).status === 'approved', 5000, 'budget approval');
      expect(JSON.parse(cli(['tasks', 'show', id, '--json'], d).stdout)).toMatchObject({ decided_by: 'budget' });

      const big = JSON.parse(cli(['submit', '--type', 'batch', '--cost', '60', '--json'], d).stdout).task_id;
      await waitFor(() => JSON.parse(cli(['tasks', 'show', big, '--json'], d).stdout).status === 'rejected', 5000, 'budget rejection');
      expect(cli(['tasks', 'show', big], d).stdout).toMatch(/exceeds the batch limit \$5\.00/);

      const mid = JSON.parse(cli(['submit', '--type', 'workflow', '--cost', '1', '--json'], d).stdout).task_id;
      await new Promise((r) => setTimeout(r, 200));
      expect(JSON.parse(cli(['tasks', 'show', mid, '--json'], d).stdout).status).toBe('pending_approval');
      expect(cli(['tasks', 'reject', mid, '--reason', 'not now'], d).stdout).toMatch(/rejected/);
      const again = cli(['tasks', 'approve', mid], d);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/is rejected; cannot approve/);

      const list = cli(['tasks', 'list', '--status', 'rejected'], d);
      expect(list.stdout).toMatch(/2 of 2/);
      const st = JSON.parse(cli(['status', '--json'], d).stdout);
      expect(st.queue.by_status).toMatchObject({ approved: 1, rejected: 2 });
      expect(cli(['status', '--tmux'], d).code).toBe(0);
    } finally {
      expect(cli(['stop'], { stateDir: e.stateDir }).stdout).toMatch(/stopped/);
      await waitFor(() => e.proc.exitCode !== null, 10_000, 'engine exit');
      expect(e.proc.exitCode).toBe(0);
    }
  });

  it('ledger verify passes, then names the first record an edit broke', async () => {
    const e = await startEngine();
    // One record per submission: ten of them put record 7 in the middle of the chain.
    for (let i = 0; i < 10; i++) cli(['submit', '--cost', String(i)], { stateDir: e.stateDir });
    await e.stop();
    expect(cli(['ledger', 'verify'], { stateDir: e.stateDir }).stdout).toMatch(/ledger ok: \d+ records/);
    const db = new Database(join(e.stateDir, 'gatehouse.db'));
    const original = (db.prepare('SELECT reason FROM ledger WHERE seq = 4').get() as { reason: string | null }).reason;
    db.prepare("UPDATE ledger SET reason = 'forged' WHERE seq = 4").run();
    db.close();
    const r = cli(['ledger', 'verify'], { stateDir: e.stateDir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/BROKEN at record 4: record 4 was edited/);
    const db2 = new Database(join(e.stateDir, 'gatehouse.db'));
    db2.prepare('UPDATE ledger SET reason = ? WHERE seq = 4').run(original);
    db2.prepare('DELETE FROM ledger WHERE seq = 7').run();
    db2.close();
    expect(cli(['ledger', 'verify'], { stateDir: e.stateDir }).stdout).toMatch(/record 7 is missing/);
  });

  it('SIGHUP and `reload` re-read the config; an invalid file keeps the running one', async () => {
    const e = await startEngine({ config: 'budget:\n  auto_approve_below_usd: 1\n' });
    const cfgArg = e.proc.spawnargs[e.proc.spawnargs.indexOf('--config') + 1]!;
    try {
      writeFileSync(cfgArg, 'budget:\n  auto_approve_below_usd: 0\n');
      expect(cli(['--config', cfgArg, 'reload'], { stateDir: e.stateDir }).code).toBe(0);
      const id = JSON.parse(cli(['submit', '--cost', '0.5', '--json'], { stateDir: e.stateDir }).stdout).task_id;
      await new Promise((r) => setTimeout(r, 200));
      expect(JSON.parse(cli(['tasks', 'show', id, '--json'], { stateDir: e.stateDir }).stdout).status).toBe('pending_approval');
      writeFileSync(cfgArg, 'budget: [oops\n');
      const bad = cli(['reload'], { stateDir: e.stateDir });
      expect(bad.code).toBe(1);
      e.proc.kill('SIGHUP');
      await new Promise((r) => setTimeout(r, 200));
      expect((await e.http('GET', '/api/queue/status')).status).toBe(200);
    } finally {
      await e.stop();
    }
  });

  it('state files are 0600 in a 0700 dir', async () => {
    const dir = tempStateDir();
    mkdirSync(join(dir, 'inner'));
    const e = await startEngine({ stateDir: join(dir, 'inner') });
    try {
      expect(statSync(e.stateDir).mode & 0o777).toBe(0o700);
      for (const f of ['gatehouse.db', 'api-token', 'gatehouse.lock', 'sentinel.json', 'gatehouse.sock']) {
        expect(statSync(join(e.stateDir, f)).mode & 0o777, f).toBe(0o600);
      }
    } finally {
      await e.stop();
    }
  });
});
