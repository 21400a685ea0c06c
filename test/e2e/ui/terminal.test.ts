// The console in a real terminal (tmux, on a private server socket: never the developer's own tmux): the
// screen it draws, the keys it takes, and the terminal it leaves behind (main screen, cursor visible) after
// q, ctrl-c twice, SIGTERM and a crash; and at 80×24, 120×40 and 200×50, help read to its last line and a
// footer that keeps `? help` and `q quit`.
import { afterEach, beforeEach, describe, it, expect } from 'vitest';
import { TmuxServer, hasTmux, type Pane } from '../../support/tmuxPane.js';

let tmux: TmuxServer;
beforeEach(() => {
  if (hasTmux) tmux = new TmuxServer();
});
afterEach(() => tmux?.close());

/** The fake console (uiFakeConsole.ts) in a pane of this size, with CI unset as an operator's shell has it. */
function start(mode: string, columns = 120, rows = 40): Pane {
  return tmux.open(`env -u CI node --import tsx test/support/uiFakeConsole.ts ${mode}`, { columns, rows });
}

describe.skipIf(!hasTmux)('console in a real terminal', () => {
  it('draws in the alternate screen, takes keys, and gives the terminal back on q', async () => {
    const s = start('console');
    await s.waitFor('summarise inbox');
    expect(s.terminalState()).toBe('1 0'); // alternate screen on, cursor hidden
    s.keys('j', 'Enter');
    await s.waitFor('timeline');
    s.keys('Escape');
    await s.waitFor('[1 Queue (2)]');
    s.keys('q');
    const after = await s.waitFor('RC=');
    expect(after).toContain('EXITED CLEANLY');
    expect(after).toContain('RC=0');
    expect(s.terminalState()).toBe('0 1');
  }, 60_000);

  it('exits on ctrl-c twice and restores the terminal', async () => {
    const s = start('console');
    await s.waitFor('summarise inbox');
    s.keys('C-c');
    await s.waitFor('press ctrl-c again to exit');
    s.keys('C-c');
    await s.waitFor('EXITED CLEANLY');
    expect(s.terminalState()).toBe('0 1');
  }, 60_000);

  it('restores the terminal when the process crashes outside the UI, and shows the error', async () => {
    const s = start('crash');
    const after = await s.waitFor('RC=');
    expect(after).toContain('boom outside the UI');
    expect(after).not.toContain('EXITED CLEANLY');
    expect(s.terminalState()).toBe('0 1');
  }, 60_000);

  it('the watch pane fits 50×8 and quits on q', async () => {
    const s = start('watch', 50, 8);
    const shown = await s.waitFor('pending');
    expect(shown).toContain('gatehouse ● online');
    expect(shown).toContain('⧗ 1 pending  ▶ 1 running');
    s.keys('q');
    await s.waitFor('EXITED CLEANLY');
    expect(s.terminalState()).toBe('0 1');
  }, 60_000);

  for (const [columns, rows] of [
    [80, 24],
    [120, 40],
    [200, 50],
  ] as const) {
    it(`at ${columns}×${rows}: every footer keeps ? help and q quit, and the help is read to its last line`, async () => {
      const s = start('console', columns, rows);
      await s.waitFor('summarise inbox');
      const footer = (screen: string) => screen.trimEnd().split('\n').at(-1) ?? '';
      for (const view of ['1', '2', '3', '4', '5']) {
        s.keys(view);
        await s.waitFor((x) => /\? help {2}q quit\s*$/.test(footer(x)));
      }
      s.keys('1');
      await s.waitFor('summarise inbox');
      s.keys('?');
      await s.waitFor('Everywhere');
      // PgDn until the last help line shows (at most a few pages at 80×24).
      for (let i = 0; i < 10 && !s.screen().includes('! changes engine state'); i++) {
        s.keys('PageDown');
        await new Promise((r) => setTimeout(r, 150));
      }
      const end = await s.waitFor('! changes engine state');
      expect(end).toContain('close the help');
      for (const line of end.split('\n')) expect(Array.from(line.trimEnd()).length).toBeLessThanOrEqual(columns);
      s.keys('Escape');
      await s.waitFor('summarise inbox');
      s.keys('q');
      expect(await s.exitCode()).toBe(0);
    }, 90_000);
  }
});
