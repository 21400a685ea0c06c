import { describe, it, expect } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { AccessLogAuditor, accessFindingToAlert, auditAccessLogFile } from '../../../src/engine/monitor/accessLogAuditor.js';
import { combinedLine, clfTime } from '../../support/monitorLogs.js';
import { fake } from '../../support/monitorSecrets.js';

const auditor = () => new AccessLogAuditor({ path: '/var/log/nginx/access.log', format: 'combined' });
const checksOf = (uri: string, ua?: string) => auditor().feed(combinedLine({ uri, ...(ua ? { ua } : {}) })).map((f) => f.check);

describe('access log attacks', () => {
  it.each([
    ['sqli', "/item?id=1'%20OR%20'1'%3D'1"],
    ['sqli', '/item?id=-1+UNION+SELECT+username,password+FROM+users--'],
    ['sqli', '/item?id=1;%20DROP%20TABLE%20users'],
    ['xss', '/search?q=%3Cscript%3Ealert(1)%3C/script%3E'],
    ['xss', '/search?q=%22%3E%3Cimg%20src=x%20onerror=alert(1)%3E'],
    ['path_traversal', '/download?file=..%2F..%2F..%2Fetc%2Fpasswd'],
    ['path_traversal', '/static/..%252f..%252fapp.js'],
    ['sensitive_file', '/home/agent/.ssh/id_ed25519'],
    ['sensitive_file', '/.claude/settings.json'],
    ['sensitive_file', '/.openclaw/config.json'],
    ['sensitive_file', '/.env'],
    ['sensitive_file', '/.git/config'],
    ['command_injection', '/ping?host=127.0.0.1;cat%20/etc/shadow'],
    ['command_injection', '/x?cmd=$(whoami)'],
    ['null_byte', '/img/photo.php%00.jpg'],
  ])('flags %s in %s', (check, uri) => {
    expect(checksOf(uri)[0]).toBe(check);
  });

  it('flags scanner user agents at P2', () => {
    const [f] = auditor().feed(combinedLine({ uri: '/', ua: 'sqlmap/1.8#stable (https://sqlmap.org)' }));
    expect(f).toMatchObject({ check: 'scanner_ua', severity: 'P2' });
  });

  it.each([
    "/search?q=O'Reilly+books",
    '/search?q=select+a+plan',
    '/search?q=union+station',
    '/search?q=%3C3+thanks',
    '/docs/select-statements-explained',
    '/api/search?filter=status%3Acompleted+AND+cost%3E5&sort=-created_at',
    '/search?q=back%60tick%60s+in+markdown',
    '/api/files?path=notes%2F2026-11.md',
  ])('does not flag benign %s', (uri) => {
    expect(checksOf(uri)).toEqual([]);
  });

  it('gives one finding per line naming path, line and ip, as a P1 api_audit alert', () => {
    const a = auditor();
    a.feed(combinedLine({ uri: '/ok' }));
    const [f] = a.feed(combinedLine({ ip: '203.0.113.5', uri: '/x?q=%3Cscript%3Ealert(1)%3C/script%3E%20UNION%20SELECT%201' }));
    expect(f).toMatchObject({ check: 'sqli', severity: 'P1', line: 2, ip: '203.0.113.5', path: '/var/log/nginx/access.log' });
    expect(f!.evidence.checks).toEqual(expect.arrayContaining(['sqli', 'xss']));
    expect(f!.message).toContain('/var/log/nginx/access.log:2');
    expect(accessFindingToAlert(f!)).toMatchObject({ source: 'api_audit', severity: 'P1', check: 'sqli', ip: '203.0.113.5', evidence: { line: 2 } });
  });

  it('still inspects a line it cannot parse', () => {
    const [f] = auditor().feed('garbage <script>alert(1)</script>');
    expect(f).toMatchObject({ check: 'xss', line: 1, ip: '' });
  });

  it('masks secrets carried in the request in its evidence', () => {
    const tok = fake.github();
    const [f] = auditor().feed(combinedLine({ uri: `/x?token=${tok}&q=%3Cscript%3Ealert(1)%3C/script%3E` }));
    expect(f!.check).toBe('xss');
    expect(JSON.stringify(f)).not.toContain(tok);
    expect(f!.evidence.excerpt).toContain('ghp_…sha256:');
  });

  it('shows control characters in evidence as escapes', () => {
    const [f] = auditor().feed(combinedLine({ uri: '/a?x=%3Cscript%3E\x1b[2J' }));
    expect(f!.evidence.excerpt).not.toContain('\x1b');
    expect(f!.evidence.excerpt).toContain('\\x1b');
  });
});

describe('access log rates', () => {
  it('raises one rate finding when an IP passes the limit within 60 s, and none at the limit', () => {
    const a = new AccessLogAuditor({ path: 'a.log', rateLimitPerMinute: 10 });
    const found = [];
    for (let i = 0; i < 10; i++) found.push(...a.feed(combinedLine({ ip: '1.1.1.1', uri: '/ok', time: clfTime(i) })));
    expect(found).toEqual([]);
    for (let i = 10; i < 30; i++) found.push(...a.feed(combinedLine({ ip: '1.1.1.1', uri: '/ok', time: clfTime(i) })));
    expect(found.map((f) => f.check)).toEqual(['rate_limit']);
    expect(found[0]).toMatchObject({ severity: 'P2', line: 11, ip: '1.1.1.1' });
  });

  it('does not count requests spread beyond the window, nor other IPs', () => {
    const a = new AccessLogAuditor({ path: 'a.log', rateLimitPerMinute: 10 });
    const found = [];
    for (let i = 0; i < 40; i++) found.push(...a.feed(combinedLine({ ip: `1.1.1.${i % 4}`, uri: '/ok', time: clfTime(i * 7) })));
    expect(found).toEqual([]);
  });

  it('raises a burst for requests outside known_routes, not for known ones', () => {
    const a = new AccessLogAuditor({ path: 'a.log', knownRoutes: ['/health', '/api/**', '/docs/*'], unknownRouteBurst: 5 });
    const found = [];
    for (let i = 0; i < 20; i++) found.push(...a.feed(combinedLine({ ip: '2.2.2.2', uri: `/api/tasks/${i}?x=1`, time: clfTime(i) })));
    for (let i = 0; i < 20; i++) found.push(...a.feed(combinedLine({ ip: '2.2.2.2', uri: `/docs/page${i}`, time: clfTime(i) })));
    expect(found).toEqual([]);
    for (let i = 0; i < 8; i++) found.push(...a.feed(combinedLine({ ip: '2.2.2.2', uri: `/wp-login${i}.php`, time: clfTime(30 + i) })));
    expect(found.map((f) => [f.check, f.line])).toEqual([['unknown_route_burst', 45]]);
  });

  it('refuses a zero or negative limit', () => {
    expect(() => new AccessLogAuditor({ path: 'a.log', rateLimitPerMinute: 0 })).toThrow(/rate_limit_per_minute/);
  });
});

describe('hostile input', () => {
  it('handles lines built for catastrophic backtracking and still finds the attack', () => {
    const a = auditor();
    const evil = [
      "/x?q='" + ' or'.repeat(20_000) + ' 1=1',
      '/x?q=' + '<'.repeat(30_000) + 'script>',
      '/x?q=' + 'select '.repeat(10_000) + '(',
      '/x?q=' + '%25'.repeat(20_000) + '3Cscript%3E',
      '/x?q=' + '../'.repeat(30_000) + 'etc/passwd',
      '/x?q=' + '&#'.repeat(30_000),
    ];
    const results = evil.map((uri) => a.feed(combinedLine({ uri })).map((f) => f.check));
    expect(results[0]).toContain('sqli');
    expect(results[1]).toContain('xss');
    expect(results[2]).toContain('sqli');
    expect(results[4]).toContain('path_traversal');
    expect(a.stats.lines).toBe(evil.length);
  });
});

describe('whole files', () => {
  it('streams a 200 MB log and reports attacks with their line numbers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-mon-'));
    try {
      const file = join(dir, 'big.log');
      const out = createWriteStream(file);
      const benign = combinedLine({ uri: '/api/queue/status', ip: '10.0.0.1' }) + '\n';
      const lines = Math.ceil(200e6 / benign.length);
      const attackAt = new Set([1, Math.floor(lines / 2), lines]);
      const chunk: string[] = [];
      for (let i = 1; i <= lines; i++) {
        chunk.push(attackAt.has(i) ? combinedLine({ uri: '/a?id=1%20UNION%20SELECT%20password%20FROM%20users', ip: '6.6.6.6' }) + '\n' : benign);
        if (chunk.length === 10_000 || i === lines) {
          if (!out.write(chunk.join(''))) await new Promise<void>((r) => out.once('drain', () => r()));
          chunk.length = 0;
        }
      }
      await new Promise<void>((r) => out.end(r));
      const res = await auditAccessLogFile({ path: file, rateLimitPerMinute: 1e9 });
      expect(res.stats.lines).toBe(lines);
      expect(res.findings.map((f) => f.line)).toEqual([...attackAt]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);

  it('reads a small real log from disk, json format included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-mon-'));
    try {
      const file = join(dir, 'api.log');
      writeFileSync(file, ['{"method":"GET","url":"/health","status":200,"ip":"127.0.0.1","ua":"curl"}', '{"method":"GET","url":"/.aws/credentials","status":404,"ip":"5.5.5.5","ua":"x"}', ''].join('\n'));
      const res = await auditAccessLogFile({ path: file, format: 'json' });
      expect(res.findings.map((f) => [f.check, f.line, f.ip])).toEqual([['sensitive_file', 2, '5.5.5.5']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
