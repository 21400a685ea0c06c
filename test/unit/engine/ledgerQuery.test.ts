// The one ledger query every reader uses (`ledger list|tail`, the console's Ledger view): filters by
// action family, actor, time and position, newest or oldest first; and how the CLI prints records
// without letting an agent's text drive the terminal.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ledger } from '../../../src/engine/store/ledger.js';
import { openStore, type Db } from '../../../src/engine/store/store.js';
import { ledgerHead, ledgerRecord, queryLedger } from '../../../src/engine/store/ledgerQuery.js';
import { ledgerBlock, ledgerLine, parseCount, parseSince } from '../../../src/cli/ledgerFormat.js';

function ledgerWith(entries: Array<{ actor: string; action: string; ts: string; detail?: Record<string, unknown>; reason?: string }>): { db: Db; ledger: Ledger } {
  const db = openStore(mkdtempSync(join(tmpdir(), 'gh-lq-')));
  const ledger = new Ledger(db);
  for (const e of entries) ledger.append({ surface: 'cli', ...e });
  return { db, ledger };
}

const sample = [
  { actor: 'claude', action: 'firewall.decide', ts: '2026-12-07T10:00:00.000Z', detail: { decision: 'allow', command: 'ls' } },
  { actor: 'claude', action: 'prompt.open', ts: '2026-12-07T10:00:01.000Z' },
  { actor: 'codex', action: 'firewall.decide', ts: '2026-12-07T10:05:00.000Z', detail: { decision: 'deny', command: 'rm -rf /' } },
  { actor: 'operator', action: 'firewall.lockdown', ts: '2026-12-07T10:06:00.000Z' },
  { actor: 'operator', action: 'firewallx.other', ts: '2026-12-07T10:07:00.000Z' },
  { actor: 'engine', action: 'task.submit', ts: '2026-12-07T10:08:00.000Z' },
];

describe('queryLedger', () => {
  it('returns the newest records first, as the console shows them, and the same as Ledger.recent', () => {
    const { db, ledger } = ledgerWith(sample);
    const seqs = queryLedger(db, { limit: 3 }).map((r) => r.seq);
    expect(seqs).toEqual([6, 5, 4]);
    expect(ledger.recent(3)).toEqual(queryLedger(db, { limit: 3 }));
    expect(queryLedger(db)[5]!.detail).toEqual({ decision: 'allow', command: 'ls' });
  });

  it('matches a kind as an exact action or as a family before a dot, never as a bare prefix or a pattern', () => {
    const { db } = ledgerWith(sample);
    expect(queryLedger(db, { kind: 'firewall' }).map((r) => r.action)).toEqual(['firewall.lockdown', 'firewall.decide', 'firewall.decide']);
    expect(queryLedger(db, { kind: 'firewall.decide' }).map((r) => r.seq)).toEqual([3, 1]);
    expect(queryLedger(db, { kind: 'fire' })).toEqual([]);
    expect(queryLedger(db, { kind: '%' })).toEqual([]);
    expect(queryLedger(db, { kind: 'firewall_decide' })).toEqual([]);
  });

  it('filters by actor and time, and pages after a sequence number oldest first', () => {
    const { db } = ledgerWith(sample);
    expect(queryLedger(db, { agent: 'claude' }).map((r) => r.seq)).toEqual([2, 1]);
    expect(queryLedger(db, { since: '2026-12-07T10:05:00.000Z', kind: 'firewall' }).map((r) => r.seq)).toEqual([4, 3]);
    expect(queryLedger(db, { afterSeq: 2, limit: 2 }, 'oldest').map((r) => r.seq)).toEqual([3, 4]);
    expect(queryLedger(db, { afterSeq: 6 }, 'oldest')).toEqual([]);
  });

  it('reads one record and the head, on a read-only connection too', () => {
    const { db } = ledgerWith(sample);
    const dir = db.name.replace(/\/gatehouse\.db$/, '');
    const ro = openStore(dir, { readonly: true });
    try {
      expect(ledgerHead(ro)).toBe(6);
      expect(ledgerRecord(ro, 3)?.actor).toBe('codex');
      expect(ledgerRecord(ro, 7)).toBeNull();
      expect(() => ro.prepare("INSERT INTO meta (key, value) VALUES ('x', 'y')").run()).toThrow(/readonly/);
    } finally {
      ro.close();
    }
    expect(ledgerHead(ledgerWith([]).db)).toBe(0);
  });
});

describe('ledger text output', () => {
  it('prints the decision, the command and the reason on one line', () => {
    const { db } = ledgerWith([{ actor: 'claude', action: 'firewall.decide', ts: '2026-12-07T10:00:00.000Z', detail: { decision: 'deny', command: 'rm -rf /' }, reason: 'denylist' }]);
    expect(ledgerLine(ledgerRecord(db, 1)!)).toBe('     1  2026-12-07T10:00:00.000Z  firewall.decide     claude/cli        deny rm -rf / — denylist');
  });

  it('shows control characters from an agent escaped, in lines and in show blocks', () => {
    const hostile = 'ls \x1b[2J\x1b]0;owned\x07\r\nfake line\u009b31m';
    const { db } = ledgerWith([{ actor: 'evil\x1b[8m', action: 'firewall.decide', ts: '2026-12-07T10:00:00.000Z', detail: { decision: 'ask', command: hostile }, reason: hostile }]);
    const r = ledgerRecord(db, 1)!;
    for (const text of [ledgerLine(r), ledgerBlock(r)]) {
      // eslint-disable-next-line no-control-regex
      expect(text.replace(/\n/g, '')).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
      expect(text).toContain('\\x1b[2J');
    }
  });

  it('reads --since as an age or an ISO time, and refuses anything else by name', () => {
    const now = new Date('2026-12-07T12:00:00.000Z');
    expect(parseSince('90s', now)).toBe('2026-12-07T11:58:30.000Z');
    expect(parseSince('2h', now)).toBe('2026-12-07T10:00:00.000Z');
    expect(parseSince('7d', now)).toBe('2026-11-30T12:00:00.000Z');
    expect(parseSince('2026-12-07T10:00:00+01:00', now)).toBe('2026-12-07T09:00:00.000Z');
    for (const bad of ['yesterday', '10', '5w', '', 'Dec 7']) expect(() => parseSince(bad, now)).toThrow(/--since: .* is not a time/);
    expect(() => parseCount('limit', 0, 100)).toThrow(/--limit: '0' is not allowed: give a whole number from 1 to 100/);
    expect(() => parseCount('limit', 2.5, 100)).toThrow(/--limit/);
    expect(parseCount('limit', 100, 100)).toBe(100);
  });
});
