// Version 4 of the schema must upgrade a database written by earlier engines in place: every task and
// transition kept (now in its task's row, in the order they happened, still readable as rows through a
// view), the counts derived from the rows, and the queue's reads still served by an index.
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/engine/platform/eventBus.js';
import { Ledger } from '../../../src/engine/store/ledger.js';
import { MIGRATIONS } from '../../../src/engine/store/migrations.js';
import { TaskQueue } from '../../../src/engine/tasks/queue.js';
import { migrate, openStore } from '../../../src/engine/store/store.js';

const actor = { by: 'tester', surface: 'cli' as const };

/** A state dir holding a database as a version-3 engine left it: two tasks, interleaved transitions. */
function version3StateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gh-mig-'));
  const db = new Database(join(dir, 'gatehouse.db'));
  db.pragma('journal_mode = WAL');
  expect(migrate(db, MIGRATIONS.filter((m) => m.version <= 3))).toBe(3);
  const task = db.prepare(
    `INSERT INTO tasks (task_id, task_type, description, status, estimated_cost, created_at, updated_at) VALUES (?, 'chat', '', ?, 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`,
  );
  const tr = db.prepare("INSERT INTO task_transitions (task_id, from_status, to_status, by, surface, reason, at) VALUES (?, ?, ?, 'old', 'rest', ?, '2026-01-01T00:00:00.000Z')");
  task.run('a', 'approved');
  task.run('b', 'pending_approval');
  tr.run('a', null, 'pending', 'submitted');
  tr.run('b', null, 'pending', 'submitted');
  tr.run('a', 'pending', 'pending_approval', 'awaiting approval');
  tr.run('b', 'pending', 'pending_approval', 'awaiting approval');
  tr.run('a', 'pending_approval', 'approved', 'ok');
  db.exec("INSERT INTO task_counts VALUES ('approved', 1), ('pending_approval', 1)");
  db.close();
  return dir;
}

describe('schema version 4', () => {
  it('upgrades a version-3 database in place', () => {
    const db = openStore(version3StateDir());
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(Math.max(...MIGRATIONS.map((m) => m.version)));
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const kinds = Object.fromEntries((db.prepare('SELECT name, type FROM sqlite_schema').all() as Array<{ name: string; type: string }>).map((r) => [r.name, r.type]));
      expect(kinds).toMatchObject({ tasks: 'table', tasks_status: 'index', task_transitions: 'view', spend: 'table' });
      expect(kinds).not.toHaveProperty('task_counts');
      expect(kinds).not.toHaveProperty('tasks_created');
      expect(db.prepare("SELECT count(*) AS n FROM sqlite_sequence WHERE name = 'task_transitions'").get()).toEqual({ n: 0 });
      expect(db.prepare("SELECT seq, from_status, to_status, by, surface, reason FROM task_transitions WHERE task_id = 'a' ORDER BY seq").all()).toEqual([
        { seq: 1, from_status: null, to_status: 'pending', by: 'old', surface: 'rest', reason: 'submitted' },
        { seq: 2, from_status: 'pending', to_status: 'pending_approval', by: 'old', surface: 'rest', reason: 'awaiting approval' },
        { seq: 3, from_status: 'pending_approval', to_status: 'approved', by: 'old', surface: 'rest', reason: 'ok' },
      ]);

      const queue = new TaskQueue(db, new Ledger(db), new EventBus());
      expect(queue.detail('a').transitions.map((t) => [t.seq, t.from, t.to, t.by, t.reason])).toEqual([
        [1, null, 'pending', 'old', 'submitted'],
        [2, 'pending', 'pending_approval', 'old', 'awaiting approval'],
        [3, 'pending_approval', 'approved', 'old', 'ok'],
      ]);
      expect(queue.detail('b').transitions.map((t) => t.seq)).toEqual([1, 2]);
      expect(queue.status()).toMatchObject({ total_tasks: 2, pending_approval: 1, by_status: { approved: 1 } });

      // The engine goes on writing to the upgraded tables.
      queue.transition('a', 'task.start', actor);
      expect(queue.detail('a').transitions.at(-1)).toMatchObject({ seq: 4, from: 'approved', to: 'running', by: 'tester' });
      const c = queue.submit({ task_type: 'chat' }, actor);
      expect(queue.detail(c.task_id).transitions.map((t) => t.seq)).toEqual([1, 2]);
      expect(queue.status()).toMatchObject({ total_tasks: 3, pending_approval: 2, running: 1 });
      expect(db.prepare("SELECT count(*) AS n FROM task_transitions WHERE task_id = 'a'").get()).toEqual({ n: 4 });
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  });

  it('serves the queue listings and a task lookup from an index', () => {
    const db = openStore(mkdtempSync(join(tmpdir(), 'gh-mig-')));
    try {
      const plan = (sql: string, ...params: unknown[]) =>
        (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail).join('; ');
      expect(plan('SELECT * FROM tasks WHERE status = ? ORDER BY rowid DESC LIMIT 50', 'running')).toMatch(/USING INDEX tasks_status/);
      expect(plan('SELECT * FROM tasks WHERE status = ? ORDER BY rowid DESC LIMIT 50', 'running')).not.toMatch(/TEMP B-TREE/);
      expect(plan('SELECT * FROM tasks ORDER BY rowid DESC LIMIT 50')).not.toMatch(/TEMP B-TREE/);
      expect(plan('SELECT * FROM tasks WHERE task_id = ?', 'x')).toMatch(/USING INDEX sqlite_autoindex_tasks_1/);
      expect(plan('SELECT status, count(*) AS n FROM tasks GROUP BY status')).toMatch(/COVERING INDEX tasks_status/);
    } finally {
      db.close();
    }
  });
});
