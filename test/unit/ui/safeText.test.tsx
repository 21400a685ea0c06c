// Law 11 in the console (issue 22 gap 8): text from outside (task descriptions, reasons, commands, agent
// and tool names, alert messages) is drawn with its control characters escaped, through the one <Text>
// every component uses (src/ui/SafeText.tsx). Rendered with ink-testing-library: a frame is what the
// terminal would be sent, so a raw ESC, CR, U+202E or U+009B in it would reach the terminal.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import React from 'react';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../../src/ui/App.js';
import { Text } from '../../../src/ui/SafeText.js';
import { FakeEngineClient, T0 } from '../../support/fakeEngineClient.js';
import { REPO } from '../../support/engine.js';

const HOSTILE = 'fix\u001b]0;PWNED\u0007 it\u001b[2J\rnow \u202Egnp.exe \u009b31m';
// Anything that would act on a terminal: C0 but newline, DEL and C1, bidi overrides/isolates.
// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

let unmounts: Array<() => void> = [];
afterEach(() => {
  for (const u of unmounts) u();
  unmounts = [];
});

async function frameWith(lastFrame: () => string | undefined, want: string | RegExp): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const f = lastFrame() ?? '';
    if (typeof want === 'string' ? f.includes(want) : want.test(f)) return f;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`the frame never showed ${String(want)}:\n${lastFrame()}`);
}

describe('SafeText: the console\'s one text boundary', () => {
  it('no console component takes Text from ink directly', () => {
    const dir = join(REPO, 'src/ui');
    const offenders = readdirSync(dir)
      .filter((f) => /\.tsx?$/.test(f) && f !== 'SafeText.tsx')
      .filter((f) => /import\s*\{[^}]*\bText\b[^}]*\}\s*from\s*'ink'/.test(readFileSync(join(dir, f), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('escapes one string child, a list of children, and leaves nested elements to their own Text', () => {
    const r = render(
      <Text>
        {HOSTILE}
        {' | '}
        <Text bold>{'\u001b[31mred'}</Text>
        {7}
      </Text>,
    );
    unmounts.push(r.unmount);
    const f = r.lastFrame() ?? '';
    expect(f).not.toMatch(RAW);
    expect(f).toContain('fix\\u{001b}]0;PWNED\\u{0007} it\\u{001b}[2J\\u{000d}now \\u{202e}gnp.exe \\u{009b}31m | \\u{001b}[31mred7');
  });
});

describe('the console draws hostile text escaped', () => {
  it('task description, ask command/reason/agent/tool, alert message and agent name', async () => {
    const c = new FakeEngineClient();
    c.addTask({ task_id: 't-1', description: HOSTILE, estimated_cost: 0.01 });
    c.addAlert({ id: 'a-1', severity: 'P1', message: `alert ${HOSTILE}`, source: 'firewall', check: 'x' });
    c.agentList.push({ name: `bot${'\u001b]2;AGENT\u0007'}`, pid: 7, profile: null, state: 'alive', registered_at: new Date(T0).toISOString(), last_seen: new Date(T0).toISOString(), decisions: { allow: 0, deny: 0, ask: 0 } });
    const r = render(<App client={c} now={() => T0 + 60_000} controller={{ throttleMs: 20 }} />);
    unmounts.push(r.unmount);
    const queue = await frameWith(r.lastFrame, 'fix\\u{001b}]0;PWNED');
    expect(queue).not.toMatch(RAW);
    c.addPrompt({ id: 'p-1', agent: `a\u001b[2J`, command: `echo ${HOSTILE}`, reason: `why ${HOSTILE}`, segments: [] });
    const banner = await frameWith(r.lastFrame, '▲ ASK');
    expect(banner).not.toMatch(RAW);
    expect(banner).toContain('\\u{202e}gnp.exe');
    r.stdin.write('3');
    const alerts = await frameWith(r.lastFrame, 'alert fix');
    expect(alerts).not.toMatch(RAW);
    r.stdin.write('4');
    const agents = await frameWith(r.lastFrame, 'bot\\u{001b}]2;AGENT');
    expect(agents).not.toMatch(RAW);
    r.stdin.write('2');
    const prompts = await frameWith(r.lastFrame, /echo fix/);
    expect(prompts).not.toMatch(RAW);
    for (const f of r.frames) expect(f).not.toMatch(/\u001b\]|\u001b\[2J|\u009b|\u202e/);
  });
});
