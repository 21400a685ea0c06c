import { describe, it, expect } from 'vitest';
import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { followLog } from '../../../src/engine/monitor/logFollower.js';
import { AccessLogAuditor } from '../../../src/engine/monitor/accessLogAuditor.js';
import { combinedLine } from '../../support/monitorLogs.js';

describe('log follower', () => {
  it('reads appended lines, survives rename+recreate and truncation, and stops', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-follow-'));
    const file = join(dir, 'access.log');
    writeFileSync(file, 'old line before start\n');
    const got: string[] = [];
    const resets: string[] = [];
    // A long interval: the test drives polls itself so nothing depends on timing.
    const f = followLog(file, (l) => got.push(l), { intervalMs: 60_000, onReset: (w) => resets.push(w) });
    try {
      await f.poll();
      appendFileSync(file, 'a1\na2\npart');
      await f.poll();
      expect(got).toEqual(['a1', 'a2']);
      appendFileSync(file, 'ial\n');
      renameSync(file, file + '.1');
      appendFileSync(file + '.1', 'late write to old file\n');
      await f.poll(); // the name is missing: old handle drained
      writeFileSync(file, 'b1\n');
      await f.poll();
      expect(got).toEqual(['a1', 'a2', 'partial', 'late write to old file', 'b1']);
      expect(resets).toEqual(['rotated']);
      truncateSync(file, 0);
      await f.poll();
      appendFileSync(file, 'c1\n');
      await f.poll();
      expect(got.at(-1)).toBe('c1');
      expect(resets).toEqual(['rotated', 'truncated']);
    } finally {
      await f.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('feeds an auditor across a rotation mid-tail, with line numbers restarting', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-follow-'));
    const file = join(dir, 'access.log');
    writeFileSync(file, '');
    const auditor = new AccessLogAuditor({ path: file });
    const findings: { line: number; check: string }[] = [];
    const f = followLog(file, (l) => findings.push(...auditor.feed(l)), { intervalMs: 60_000, onReset: () => auditor.resetLineNumbers() });
    try {
      await f.poll();
      appendFileSync(file, combinedLine({ uri: '/ok' }) + '\n' + combinedLine({ uri: '/.ssh/id_rsa' }) + '\n');
      await f.poll();
      renameSync(file, file + '.1');
      writeFileSync(file, combinedLine({ uri: '/x?q=%3Cscript%3E' }) + '\n');
      await f.poll();
      expect(findings.map((x) => [x.check, x.line])).toEqual([['sensitive_file', 2], ['xss', 1]]);
    } finally {
      await f.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('access log watch (the engine loop)', () => {
  it('follows every configured log and reports findings with their log path', async () => {
    const { watchAccessLogs } = await import('../../../src/engine/monitor/accessLogWatch.js');
    const dir = mkdtempSync(join(tmpdir(), 'gh-watch-'));
    const a = join(dir, 'a.log');
    const b = join(dir, 'b.log');
    writeFileSync(a, '');
    writeFileSync(b, '');
    const got: [string, string, number][] = [];
    const w = watchAccessLogs({
      logs: [{ path: a, format: 'combined' }, { path: b, format: 'json' }],
      onFinding: (f) => got.push([f.path, f.check, f.line]),
      intervalMs: 60_000,
    });
    try {
      await w.poll();
      appendFileSync(a, combinedLine({ uri: '/ok' }) + '\n' + combinedLine({ uri: '/.openclaw/agents.json' }) + '\n');
      appendFileSync(b, '{"method":"GET","url":"/x?c=;cat%20/etc/passwd","status":200,"ip":"7.7.7.7","ua":"x"}\n');
      await w.poll();
      expect(got.sort()).toEqual([[a, 'sensitive_file', 2], [b, 'command_injection', 1]]);
    } finally {
      await w.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
