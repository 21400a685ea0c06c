// The console in a real terminal (tmux): the screen it draws, the keys it takes, and the terminal it leaves
// behind (main screen, cursor visible) after q, ctrl-c twice, SIGTERM and a crash.
import { afterEach, describe, it, expect } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const sessions: string[] = [];

function tmux(...args: string[]): string {
  return execFileSync('tmux', args, { encoding: 'utf8' });
}

function start(mode: string, columns = 120, rows = 40): string {
  const name = `gh-ui-${process.pid}-${sessions.length}`;
  sessions.push(name);
  const cmd = `cd ${root} && node --import tsx test/support/uiFakeConsole.ts ${mode}; echo "RC=$?"; sleep 600`;
  tmux('new-session', '-d', '-s', name, '-x', String(columns), '-y', String(rows), cmd);
  return name;
}

const screen = (name: string) => tmux('capture-pane', '-p', '-t', name);
const paneState = (name: string) => tmux('display-message', '-p', '-t', name, '#{alternate_on} #{cursor_flag}').trim();

async function waitFor(name: string, text: string): Promise<string> {
  for (let i = 0; i < 400; i++) {
    const s = screen(name);
    if (s.includes(text)) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`pane never showed ${JSON.stringify(text)}:\n${screen(name)}`);
}

afterEach(() => {
  for (const s of sessions.splice(0)) spawnSync('tmux', ['kill-session', '-t', s]);
});

describe.skipIf(!hasTmux)('console in a real terminal', () => {
  it('draws in the alternate screen, takes keys, and gives the terminal back on q', async () => {
    const s = start('console');
    await waitFor(s, 'summarise inbox');
    expect(paneState(s)).toBe('1 0'); // alternate screen on, cursor hidden
    tmux('send-keys', '-t', s, 'j', 'Enter');
    await waitFor(s, 'timeline');
    tmux('send-keys', '-t', s, 'Escape');
    await waitFor(s, '[1 Queue (2)]');
    tmux('send-keys', '-t', s, 'q');
    const after = await waitFor(s, 'RC=');
    expect(after).toContain('EXITED CLEANLY');
    expect(after).toContain('RC=0');
    expect(paneState(s)).toBe('0 1');
  }, 60_000);

  it('exits on ctrl-c twice and restores the terminal', async () => {
    const s = start('console');
    await waitFor(s, 'summarise inbox');
    tmux('send-keys', '-t', s, 'C-c');
    await waitFor(s, 'press ctrl-c again to exit');
    tmux('send-keys', '-t', s, 'C-c');
    await waitFor(s, 'EXITED CLEANLY');
    expect(paneState(s)).toBe('0 1');
  }, 60_000);

  it('restores the terminal when the process crashes outside the UI, and shows the error', async () => {
    const s = start('crash');
    const after = await waitFor(s, 'RC=');
    expect(after).toContain('boom outside the UI');
    expect(after).not.toContain('EXITED CLEANLY');
    expect(paneState(s)).toBe('0 1');
  }, 60_000);

  it('the watch pane fits 50×8 and quits on q', async () => {
    const s = start('watch', 50, 8);
    const shown = await waitFor(s, 'pending');
    expect(shown).toContain('gatehouse ● online');
    expect(shown).toContain('⧗ 1 pending  ▶ 1 running');
    tmux('send-keys', '-t', s, 'q');
    await waitFor(s, 'EXITED CLEANLY');
    expect(paneState(s)).toBe('0 1');
  }, 60_000);
});
