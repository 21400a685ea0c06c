import { describe, it, expect } from 'vitest';
import { runConsole } from '../../../src/ui/runConsole.js';
import { runWatch } from '../../../src/ui/watch.js';
import { WatchPane } from '../../../src/ui/WatchPane.js';
import { ALT_SCREEN_OFF, ALT_SCREEN_ON, CURSOR_SHOW } from '../../../src/ui/terminal.js';
import { FakeEngineClient, T0 } from '../../support/fakeEngineClient.js';
import { FakeStdin, FakeStdout, renderAt, settle } from '../../support/uiRender.js';
import { ClockContext } from '../../../src/ui/hooks.js';

function terminal(columns = 120, rows = 40) {
  const stdout = new FakeStdout(columns, rows);
  const stdin = new FakeStdin();
  const all = () => stdout.frames.join('');
  const waitFor = async (text: string) => {
    for (let i = 0; i < 300 && !all().includes(text); i++) await settle(10);
    if (!all().includes(text)) throw new Error(`never wrote ${JSON.stringify(text)}`);
  };
  return { stdout, stdin, all, waitFor, io: { stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream } };
}

function seeded(): FakeEngineClient {
  const c = new FakeEngineClient();
  c.addTask({ task_id: 't-1', description: 'summarise inbox' });
  return c;
}

/** The terminal is given back: the last thing written shows the cursor and leaves the alternate screen. */
function expectRestored(all: string): void {
  expect(all.startsWith(ALT_SCREEN_ON)).toBe(true);
  expect(all.endsWith(CURSOR_SHOW + ALT_SCREEN_OFF)).toBe(true);
  expect(all.split(ALT_SCREEN_OFF).length).toBe(2); // restored exactly once
}

describe('runConsole terminal hygiene', () => {
  it('enters the alternate screen and restores it when the operator presses q', async () => {
    const t = terminal();
    const done = runConsole({ client: seeded(), ...t.io });
    await t.waitFor('summarise inbox');
    t.stdin.write('q');
    await done;
    expectRestored(t.all());
  });

  it('exits on ctrl-c twice, even when both arrive in one chunk', async () => {
    const t = terminal();
    const c = seeded();
    const done = runConsole({ client: c, ...t.io });
    await t.waitFor('summarise inbox');
    t.stdin.write('\x03');
    await t.waitFor('press ctrl-c again to exit');
    t.stdin.write('\x03');
    await done;
    expectRestored(t.all());

    const t2 = terminal();
    const done2 = runConsole({ client: c, ...t2.io });
    await t2.waitFor('summarise inbox');
    t2.stdin.write('\x03\x03');
    await done2;
    expectRestored(t2.all());
  });

  it('restores the terminal and resolves on SIGTERM', async () => {
    const t = terminal();
    const done = runConsole({ client: seeded(), ...t.io });
    await t.waitFor('summarise inbox');
    process.emit('SIGTERM', 'SIGTERM');
    await done;
    expectRestored(t.all());
    expect(process.listeners('SIGTERM').length).toBeLessThanOrEqual(1); // its listener is gone again
  });

  it('restores the terminal and rethrows when the UI crashes on bad data', async () => {
    const t = terminal();
    const c = seeded();
    c.agentList.push(null as never); // a malformed agent row makes the Agents view throw while rendering
    const done = runConsole({ client: c, ...t.io });
    await t.waitFor('summarise inbox');
    t.stdin.write('4');
    await expect(done).rejects.toThrow();
    expect(t.all().endsWith(CURSOR_SHOW + ALT_SCREEN_OFF)).toBe(true);
  });
});

describe('watch', () => {
  it('fits a 50×8 pane: link, asks, counts, latest alert', async () => {
    const c = seeded();
    c.addTask({ task_id: 't-2', status: 'running' });
    c.addPrompt({ id: 'p-1', task_id: 't-8f31', expires_at: new Date(T0 + 42_000).toISOString() });
    c.addAlert({ id: 'a-1', severity: 'P1', message: 'soul.md changed (S0)', ts: '2026-01-01T10:41:00.000Z' });
    const status = await c.status();
    const prompts = await c.prompts.list();
    const s = renderAt(
      <ClockContext.Provider value={() => T0}>
        <WatchPane data={{ status, prompts, error: null }} compact now={T0} width={50} />
      </ClockContext.Provider>,
      50,
      8,
    );
    const f = await s.waitFor('soul.md');
    const lines = f.split('\n');
    expect(lines[0]).toBe(' gatehouse ● online  ask ✓   P1 1');
    expect(lines[1]).toMatch(/^ ▲ 1 ask {2}t-8f31 rm -rf build && npm run .* 0:42$/);
    expect(lines[2]).toBe(' ⧗ 1 pending  ▶ 1 running  ✓ 0 done');
    expect(lines[3]).toBe(' ! P1 10:41 soul.md changed (S0)');
    expect(lines.length).toBeLessThanOrEqual(8);
    for (const l of lines) expect(Array.from(l).length).toBeLessThanOrEqual(50);
    s.unmount();
  });

  it('updates live and restores the terminal on q', async () => {
    const c = seeded();
    const t = terminal(50, 8);
    const done = runWatch({ client: c, compact: true, ...t.io });
    await t.waitFor('no pending asks');
    c.addPrompt({ id: 'p-1' });
    await t.waitFor('▲ 1 ask');
    t.stdin.write('q');
    await done;
    expectRestored(t.all());
  });

  it('says the engine is unreachable instead of showing stale calm', async () => {
    const c = seeded();
    c.down = true;
    const t = terminal(50, 8);
    const done = runWatch({ client: c, compact: true, ...t.io });
    await t.waitFor('engine unreachable');
    t.stdin.write('q');
    await done;
  });
});
