// The syslog export against a real TCP collector on loopback (issue 20 slice 2, DESIGN §13): every
// ledger record arrives as an RFC 5424 message in an octet-counted frame, alerts with their severity;
// records made while the collector is down arrive once it is back; an engine restart resumes after the
// last sent record instead of sending the ledger again.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { connectEngine } from '../../../src/client/ipcClient.js';
import { startEngine, tempStateDir, waitFor, type RunningEngine } from '../../support/engine.js';
import { Collector } from '../../support/syslogCollector.js';

const configFor = (port: number) => `export:\n  syslog:\n    url: tcp://127.0.0.1:${port}\n    facility: local3\n`;

describe('export.syslog to a TCP collector', () => {
  const collector = new Collector();
  let e: RunningEngine | null = null;
  const stateDir = tempStateDir();
  afterAll(async () => {
    await e?.stop();
    await collector.stop();
  });

  it('streams every ledger record as RFC 5424, alerts with their severity', async () => {
    await collector.start();
    e = await startEngine({ stateDir, config: configFor(collector.port) });
    const client = await connectEngine({ stateDir });
    try {
      await client.alerts.raise({ severity: 'P0', source: 'engine', check: 'syslog_probe', message: 'probe' } as never);
    } finally {
      await client.close();
    }
    const alert = await waitFor(() => collector.messages.find((m) => / alert\.raise /.test(m) && m.includes('syslog_probe')), 15_000, 'the alert at the collector');
    // local3 (19) * 8 + critical (2) = 154
    expect(alert).toMatch(/^<154>1 \d{4}-\d\d-\d\dT[\d:.]+Z \S+ gatehouse \d+ alert\.raise \[ledger@32473 seq="\d+" /);
    expect(alert).toContain('severity="P0"');
    const seqs = collector.seqs();
    expect(seqs[0]).toBe(1);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1)); // in order, none missing
    expect(collector.errors).toEqual([]);
    const cursor = join(stateDir, 'syslog.cursor');
    await waitFor(() => existsSync(cursor), 5_000, 'the cursor file');
    expect(statSync(cursor).mode & 0o777).toBe(0o600);
  });

  it('keeps records while the collector is down and sends them when it is back', async () => {
    const port = collector.port;
    await collector.stop();
    for (let i = 0; i < 5; i++) await e!.http('POST', '/api/tasks', { task_type: 'chat', description: `while down ${i}` });
    await new Promise((r) => setTimeout(r, 500));
    const restarted = new Collector(port);
    await restarted.start();
    try {
      const db = new Database(join(stateDir, 'gatehouse.db'), { readonly: true, fileMustExist: true });
      const want = (db.prepare('SELECT MAX(seq) AS s FROM ledger').get() as { s: number }).s;
      db.close();
      await waitFor(() => collector.seqs().concat(restarted.seqs()).includes(want) && want > 0, 20_000, `seq ${want} at the collector`);
      const all = new Set([...collector.seqs(), ...restarted.seqs()]);
      for (let s = 1; s <= want; s++) expect(all.has(s), `seq ${s}`).toBe(true);
      expect(restarted.messages.some((m) => m.includes('while down') || / task\./.test(m))).toBe(true);
      expect(restarted.errors).toEqual([]);

      // A restart resumes after the cursor: nothing from the start of the ledger is sent again.
      const sentBefore = JSON.parse(readFileSync(join(stateDir, 'syslog.cursor'), 'utf8')).seq as number;
      await e!.stop();
      const countBefore = restarted.messages.length;
      e = await startEngine({ stateDir, config: configFor(port) });
      await e.http('POST', '/api/tasks', { task_type: 'chat', description: 'after the restart' });
      await waitFor(() => restarted.seqs().slice(countBefore).some((s) => s > sentBefore), 20_000, 'records of the new run');
      const after = restarted.seqs().slice(countBefore);
      expect(Math.min(...after)).toBeGreaterThan(sentBefore);
      expect(after).toEqual(after.map((_, i) => after[0]! + i));
    } finally {
      await e?.stop();
      e = null;
      await restarted.stop();
    }
  });
});
