// The offline decision spool: one JSON line per client decision made while the engine was down; the
// engine reads it (bad lines counted, never trusted), puts it in the ledger and empties it.
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AlertInput } from '../../../src/shared/alert.js';
import type { LedgerEntry } from '../../../src/engine/store/ledger.js';
import { appendOfflineDecision, ingestOfflineSpool, takeOfflineSpool, type OfflineDecision } from '../../../src/engine/firewall/offlineSpool.js';

const dir = () => mkdtempSync(join(tmpdir(), 'spool-'));
const entry = (over: Partial<OfflineDecision> = {}): OfflineDecision => ({
  ts: new Date().toISOString(),
  surface: 'hook',
  agent: 'claude',
  action: 'claude-code Bash: ls -la',
  decision: 'deny',
  reason: 'firewall in lockdown (offline): policy edited',
  source: 'lockdown',
  policy_sha256: 'a'.repeat(64),
  pid: 4242,
  ...over,
});

function host() {
  const ledger: LedgerEntry[] = [];
  const alerts: AlertInput[] = [];
  return { ledger, alerts, port: { ledger: { append: (e: LedgerEntry) => ledger.push(e) }, raiseAlert: (a: AlertInput) => alerts.push(a), redact: (t: string) => t.replace(/ghp_\w+/g, '[REDACTED]') } };
}

describe('offline decision spool', () => {
  it('appends 0600 lines, reads them back and leaves no spool behind', () => {
    const path = join(dir(), 'offline-decisions.ndjson');
    expect(appendOfflineDecision(path, entry())).toBe(true);
    expect(appendOfflineDecision(path, entry({ surface: 'exec', decision: 'allow', source: 'policy' }))).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const read = takeOfflineSpool(path);
    expect(read.entries.map((e) => e.surface)).toEqual(['hook', 'exec']);
    expect(read).toMatchObject({ bad: 0, dropped: 0, refused: null });
    expect(existsSync(path)).toBe(false);
    expect(existsSync(`${path}.ingesting`)).toBe(false);
    expect(takeOfflineSpool(path).entries).toEqual([]);
  });

  it('reads a spool left aside by a start that died between the rename and the unlink, then the current one', () => {
    const path = join(dir(), 'offline-decisions.ndjson');
    appendOfflineDecision(`${path}.ingesting`, entry({ agent: 'before' }));
    appendOfflineDecision(path, entry({ agent: 'after' }));
    const read = takeOfflineSpool(path);
    expect(read.entries.map((e) => e.agent)).toEqual(['before', 'after']);
    expect(existsSync(`${path}.ingesting`)).toBe(false);
  });

  it('counts and skips bad lines: not JSON, wrong shape, extra keys, a cut last line', () => {
    const path = join(dir(), 'offline-decisions.ndjson');
    appendOfflineDecision(path, entry());
    appendFileSync(path, 'not json\n{"ts":"x"}\n');
    appendFileSync(path, `${JSON.stringify({ ...entry(), extra: 1 })}\n`);
    appendFileSync(path, `${JSON.stringify({ ...entry(), decision: 'maybe' })}\n`);
    appendFileSync(path, JSON.stringify(entry()).slice(0, 40));
    const read = takeOfflineSpool(path);
    expect(read.entries).toHaveLength(1);
    expect(read.bad).toBe(5);
  });

  it('takes no more past the cap and counts the dropped lines', () => {
    const path = join(dir(), 'offline-decisions.ndjson');
    const one = `${JSON.stringify(entry())}\n`.length;
    const cap = one * 2 + 10;
    expect(appendOfflineDecision(path, entry(), cap)).toBe(true);
    expect(appendOfflineDecision(path, entry(), cap)).toBe(true);
    expect(appendOfflineDecision(path, entry(), cap)).toBe(false);
    expect(appendOfflineDecision(path, entry(), cap)).toBe(false);
    expect(statSync(path).size).toBe(one * 2);
    const read = takeOfflineSpool(path, cap);
    expect(read.entries).toHaveLength(2);
    expect(read.dropped).toBe(2);
    expect(existsSync(`${path}.dropped`)).toBe(false);
  });

  it('refuses a symlink or a non-regular file, writing and reading, and leaves the target alone', () => {
    const d = dir();
    const target = join(d, 'target');
    writeFileSync(target, 'precious\n');
    const path = join(d, 'offline-decisions.ndjson');
    symlinkSync(target, path);
    expect(() => appendOfflineDecision(path, entry())).toThrow(/ELOOP|symbolic link/);
    const read = takeOfflineSpool(path);
    expect(read.entries).toEqual([]);
    expect(read.refused).toMatch(/symlink/);
    expect(readFileSync(target, 'utf8')).toBe('precious\n');
    const fifoDir = join(d, 'asdir');
    mkdirSync(fifoDir);
    expect(() => appendOfflineDecision(fifoDir, entry())).toThrow();
  });

  it('ingests into firewall.offline_decision ledger records marked reported_by_client, redacted, with a P2 for lockdown denials', () => {
    const path = join(dir(), 'offline-decisions.ndjson');
    appendOfflineDecision(path, entry({ reason: 'lockdown; token ghp_abcdefABCDEF0123456789' }));
    appendOfflineDecision(path, entry({ decision: 'allow', source: 'policy', surface: 'proxy' }));
    appendFileSync(path, 'garbage\n');
    const h = host();
    const read = ingestOfflineSpool(h.port, path);
    expect(read?.entries).toHaveLength(2);
    expect(h.ledger).toHaveLength(2);
    expect(h.ledger[0]).toMatchObject({ action: 'firewall.offline_decision', actor: 'claude', surface: 'hook', policy_hash: 'a'.repeat(64), detail: { reported_by_client: true, decision: 'deny', source: 'lockdown' } });
    expect(h.ledger[0]!.reason).not.toContain('ghp_');
    expect(h.alerts).toHaveLength(1);
    expect(h.alerts[0]).toMatchObject({ severity: 'P2', check: 'offline_decisions' });
    expect(h.alerts[0]!.message).toMatch(/1 call\(s\) denied in lockdown.*1 invalid line/);
    expect(existsSync(path)).toBe(false);
  });

  it('raises nothing for a spool of allows, and nothing at all when there is no spool', () => {
    const path = join(dir(), 'offline-decisions.ndjson');
    const h = host();
    expect(ingestOfflineSpool(h.port, path)?.entries).toEqual([]);
    appendOfflineDecision(path, entry({ decision: 'allow', source: 'policy' }));
    ingestOfflineSpool(h.port, path);
    expect(h.ledger).toHaveLength(1);
    expect(h.alerts).toEqual([]);
  });
});
