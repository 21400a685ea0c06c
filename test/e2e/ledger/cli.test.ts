// `gatehouse ledger list|show|tail` as a process, against a real engine's database: a decision made
// through the socket is there a moment later while the engine runs (a read-only WAL reader beside
// the writer) and after it stopped; a reader never writes, and refuses a database it should not trust.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, renameSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LedgerRecord } from '../../../src/shared/ledger.js';
import { BIN, cli, configHomeFor, startEngine, tempStateDir, waitFor } from '../../support/engine.js';

function records(stdout: string): LedgerRecord[] {
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as LedgerRecord);
}

describe('ledger from a shell', () => {
  it('lists a firewall decision made a moment before, while the engine runs and after it stopped', async () => {
    const engine = await startEngine();
    try {
      const decided = cli(['exec', '--agent', 'claude', '--', 'ls', '/'], { stateDir: engine.stateDir });
      expect(decided.code).toBe(0);
      const made = Date.now();
      const r = cli(['ledger', 'list', '--json', '--kind', 'firewall', '--agent', 'claude', '--since', '1m'], { stateDir: engine.stateDir });
      expect(r.code, r.stderr).toBe(0);
      const [rec, ...more] = records(r.stdout);
      expect(more).toEqual([]);
      expect(rec).toMatchObject({ action: 'firewall.decide', actor: 'claude', surface: 'cli', detail: { decision: 'allow', command: 'ls /' } });
      expect(made - Date.parse(rec!.ts)).toBeLessThan(60_000);

      const show = cli(['ledger', 'show', String(rec!.seq)], { stateDir: engine.stateDir });
      expect(show.code).toBe(0);
      expect(show.stdout).toMatch(/^action {7}firewall\.decide$/m);
      expect(show.stdout).toContain(`hash         ${rec!.hash}`);
    } finally {
      expect(await engine.stop()).toBe(0);
    }
    const after = cli(['ledger', 'list', '--json'], { stateDir: engine.stateDir });
    expect(after.code, after.stderr).toBe(0);
    const all = records(after.stdout);
    expect(all.map((r) => r.action)).toContain('firewall.decide');
    expect(all.map((r) => r.seq)).toEqual(all.map((_, i) => i + 1)); // oldest first, none missing
    const text = cli(['ledger', 'list', '--kind', 'firewall.decide', '--limit', '1'], { stateDir: engine.stateDir });
    expect(text.stdout).toMatch(/^ +\d+ {2}\S+Z {2}firewall\.decide +claude\/cli +allow ls \/ — /m);
  });

  it('tail -f prints each new record as the engine commits it, and stops cleanly on SIGTERM', async () => {
    const engine = await startEngine();
    const tail = spawn(process.execPath, [BIN, '--state-dir', engine.stateDir, 'ledger', 'tail', '-f', '--json', '-n', '1', '--kind', 'firewall.decide'], {
      env: { ...process.env, XDG_CONFIG_HOME: configHomeFor(engine.stateDir) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    tail.stdout.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => tail.once('exit', (code) => r(code)));
    try {
      await new Promise((r) => setTimeout(r, 700)); // the follower has read its starting point
      for (const cmd of ['ls', 'pwd']) expect(cli(['exec', '--agent', 'codex', '--', cmd], { stateDir: engine.stateDir }).code).toBe(0);
      const seen = await waitFor(() => (records(out).length >= 2 ? records(out) : null), 10_000, 'two followed records');
      expect(seen.map((r) => r.detail.command)).toEqual(['ls', 'pwd']);
    } finally {
      tail.kill('SIGTERM');
      expect(await exited).toBe(0);
      await engine.stop();
    }
  });

  it('a reader leaves the state dir as it found it, and refuses a symlinked database', async () => {
    const engine = await startEngine();
    await engine.stop();
    const before = readdirSync(engine.stateDir).sort();
    for (const args of [['list'], ['tail', '-n', '3'], ['show', '1'], ['verify']]) expect(cli(['ledger', ...args], { stateDir: engine.stateDir }).code).toBe(0);
    // SQLite's own -wal/-shm for a WAL reader may appear, at the database's mode; nothing else.
    const added = readdirSync(engine.stateDir).filter((f) => !before.includes(f));
    expect(added.filter((f) => !/^gatehouse\.db-(wal|shm)$/.test(f))).toEqual([]);
    for (const f of added) expect(statSync(join(engine.stateDir, f)).mode & 0o777).toBe(0o600);
    expect(cli(['ledger', 'verify'], { stateDir: engine.stateDir }).stdout).toMatch(/^ledger ok: \d+ records/);

    const elsewhere = join(tempStateDir(), 'planted.db');
    renameSync(join(engine.stateDir, 'gatehouse.db'), elsewhere);
    symlinkSync(elsewhere, join(engine.stateDir, 'gatehouse.db'));
    const r = cli(['ledger', 'list'], { stateDir: engine.stateDir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/gatehouse\.db is a symlink/);
  });

  it('bad arguments exit 2 with one line that names them', () => {
    const dir = tempStateDir();
    const none = cli(['ledger', 'list'], { stateDir: dir });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no gatehouse database at .*gatehouse\.db/);
    expect(existsSync(join(dir, 'gatehouse.db'))).toBe(false);
    for (const [args, msg] of [
      [['list', '--since', 'last tuesday'], /--since: 'last tuesday' is not a time/],
      [['list', '--limit', '0'], /--limit: '0' is not allowed/],
      [['show', 'abc'], /'abc' is not a record number/],
    ] as const) {
      const r = cli(['ledger', ...args], { stateDir: dir });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
  });
});
