import { describe, it, expect } from 'vitest';
import { appendFileSync, existsSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
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

  it('catches up on rotations that came and went between two polls (numbered, newest first), in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-follow-'));
    const file = join(dir, 'audit.log');
    writeFileSync(file, '');
    const got: string[] = [];
    const resets: string[] = [];
    const f = followLog(file, (l) => got.push(l), { intervalMs: 60_000, onReset: (w) => resets.push(w) });
    // What auditd does on SIGUSR1: shift log.N to log.N+1, log to log.1, begin a new log.
    const rotate = (keep: number) => {
      for (let n = keep - 1; n >= 1; n--) if (existsSync(`${file}.${n}`)) renameSync(`${file}.${n}`, `${file}.${n + 1}`);
      renameSync(file, `${file}.1`);
      writeFileSync(file, '');
    };
    try {
      await f.poll();
      appendFileSync(file, 'held 1\nheld 2\n');
      await f.poll();
      appendFileSync(file, 'held 3\n');
      rotate(5);
      appendFileSync(file, 'second 1\n');
      rotate(5);
      appendFileSync(file, 'third 1\nthird 2\n');
      rotate(5);
      appendFileSync(file, 'current 1\n');
      await f.poll();
      expect(got).toEqual(['held 1', 'held 2', 'held 3', 'second 1', 'third 1', 'third 2', 'current 1']);
      expect(resets).toEqual(['rotated', 'rotated', 'rotated']);
      // The held file deleted by the rotation (num_logs reached): what can be known is read, nothing twice.
      rotate(1);
      rmSync(`${file}.1`);
      rotate(1);
      appendFileSync(file, 'after 1\n');
      await f.poll();
      expect(got.slice(7)).toEqual(['after 1']);
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
