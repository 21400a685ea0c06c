// Law 11, registered agents (issue 22 gap 8): a pid is alive only while it is the process that was
// registered. Its start time (/proc/PID/stat field 22) is kept with the agent in the database, so a pid
// recycled while the engine was stopped is caught after a restart; an agent without a pid is gone after
// the TTL unseen, also across a restart. Each end is an `agent.gone` ledger record naming why.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, startEngine, tempStateDir, waitFor } from '../../support/engine.js';

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

function sleeper(): ChildProcess {
  const c = spawn('sleep', ['600'], { stdio: 'ignore' });
  children.push(c);
  return c;
}

function startTime(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
}

function agents(stateDir: string): Array<{ name: string; state: string; pid: number | null }> {
  const r = cli(['agents', 'list', '--json'], { stateDir });
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

function withDb<T>(stateDir: string, fn: (db: Database.Database) => T): T {
  const db = new Database(join(stateDir, 'gatehouse.db'));
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

describe('registered agents are checked across engine restarts', () => {
  it('a recycled pid (start time differs) and an agent without a pid past its TTL are gone after a restart; a live one stays', async () => {
    const stateDir = tempStateDir('gh-agents-');
    const recycled = sleeper();
    const steady = sleeper();
    const e = await startEngine({ stateDir });
    try {
      expect((await e.http('POST', '/api/agents', { name: 'recycled', pid: recycled.pid })).status).toBe(201);
      expect((await e.http('POST', '/api/agents', { name: 'steady', pid: steady.pid })).status).toBe(201);
      expect((await e.http('POST', '/api/agents', { name: 'nopid' })).status).toBe(201);
    } finally {
      await e.stop();
    }
    // The start time is stored with the agent, as /proc has it.
    const rows = withDb(stateDir, (db) => db.prepare('SELECT name, pid, pid_start FROM agents ORDER BY name').all() as Array<{ name: string; pid: number | null; pid_start: string | null }>);
    expect(rows.find((r) => r.name === 'steady')!.pid_start).toBe(startTime(steady.pid!));
    expect(rows.find((r) => r.name === 'nopid')!.pid_start).toBeNull();
    // While the engine is down: `recycled`'s pid now belongs to a process started at another time (the
    // row is what the kernel would show for a reused pid), and `nopid` was last seen 11 minutes ago.
    withDb(stateDir, (db) => {
      db.prepare("UPDATE agents SET pid_start = '1' WHERE name = 'recycled'").run();
      db.prepare("UPDATE agents SET last_seen = ? WHERE name = 'nopid'").run(new Date(Date.now() - 11 * 60_000).toISOString());
    });
    const again = await startEngine({ stateDir });
    try {
      await waitFor(() => {
        const list = agents(stateDir);
        return list.find((a) => a.name === 'recycled')?.state === 'gone' && list.find((a) => a.name === 'nopid')?.state === 'gone';
      }, 20_000, 'recycled and nopid gone');
      expect(agents(stateDir).find((a) => a.name === 'steady')).toMatchObject({ state: 'alive', pid: steady.pid });
      // The live one goes when its process ends.
      steady.kill('SIGKILL');
      await waitFor(() => agents(stateDir).find((a) => a.name === 'steady')?.state === 'gone', 20_000, 'steady gone');
    } finally {
      await again.stop();
    }
    const gone = withDb(stateDir, (db) => db.prepare("SELECT subject, reason FROM ledger WHERE action = 'agent.gone' ORDER BY seq").all() as Array<{ subject: string; reason: string }>);
    expect(gone.find((g) => g.subject === 'recycled')?.reason).toMatch(new RegExp(`pid ${recycled.pid} now belongs to another process`));
    expect(gone.find((g) => g.subject === 'nopid')?.reason).toMatch(/not seen for 10 minutes/);
    expect(gone.find((g) => g.subject === 'steady')?.reason).toMatch(new RegExp(`pid ${steady.pid} exited`));
    expect(cli(['ledger', 'verify'], { stateDir }).code).toBe(0);
  }, 120_000);
});
