// Law 11 in the log (issue 22 gap 8): a log line leaves the logger with every control character escaped,
// in the file (JSON: the same value, C1/bidi/line separators as \uXXXX) and in the readable echo.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, prettyLine } from '../../../src/engine/platform/logger.js';
import { escapeJsonText } from '../../../src/shared/text.js';

const HOSTILE = 'x\u001b]0;PWNED\u0007 \u001b[2J\r\u202Eevil\u009b31m\u2028end';
// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2028\u2029\u2066-\u2069]/;

describe('log lines are escaped at the logger', () => {
  it('the log file holds the same JSON value with no raw control character', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'gh-log-'));
    const log = await createLogger({ stateDir, level: 'info', redact: true, maxFileMb: 1, maxFiles: 2, stdout: null });
    log.warn({ agent: HOSTILE, nested: { why: HOSTILE } }, `refused ${HOSTILE}`);
    await new Promise<void>((r) => log.flush(() => r()));
    const read = () => readdirSync(join(stateDir, 'logs')).map((f) => readFileSync(join(stateDir, 'logs', f), 'utf8')).join('');
    await waitUntil(() => read().includes('refused'));
    const all = read();
    const line = all.split('\n').find((l) => l.includes('refused'))!;
    expect(all).not.toMatch(RAW);
    const parsed = JSON.parse(line);
    expect(parsed.msg).toBe(`refused ${HOSTILE}`);
    expect(parsed.agent).toBe(HOSTILE);
    expect(parsed.nested.why).toBe(HOSTILE);
  });

  it('the readable echo (prettyLine) escapes the message, keys and values, and a line that is not JSON', () => {
    const json = escapeJsonText(JSON.stringify({ level: 40, time: 0, msg: `m ${HOSTILE}`, [`k${HOSTILE}`]: HOSTILE, plain: 'a\u001b[2Jb', n: { v: HOSTILE } }));
    const out = prettyLine(json);
    expect(out.endsWith('\n')).toBe(true);
    expect(out.slice(0, -1)).not.toMatch(RAW);
    expect(out).toContain('m x\\u{001b}]0;PWNED\\u{0007} \\u{001b}[2J\\u{000d}\\u{202e}evil\\u{009b}31m\\u{2028}end');
    expect(out).toContain('plain=a\\u{001b}[2Jb');
    expect(prettyLine(`not json ${HOSTILE}`).slice(0, -1)).not.toMatch(RAW);
  });
});

async function waitUntil(fn: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !fn(); i++) await new Promise((r) => setTimeout(r, 10));
}
