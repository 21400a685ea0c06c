// The console at the default terminal size (80×24) and through an engine restart: help that scrolls to
// its last line, a footer that keeps `? help` and `q quit`, a description with room, messages that fade,
// status filters by prefix, the filter label only on the Queue, reconnecting, and quitting a hosting console.
import { afterEach, describe, it, expect } from 'vitest';
import { App } from '../../../src/ui/App.js';
import { helpLines } from '../../../src/ui/keymap.js';
import { EMPTY_QUEUE, MIN_DESCRIPTION, queueColumns } from '../../../src/ui/QueueView.js';
import { columnWidths } from '../../../src/ui/Table.js';
import { filterHint, parseQueueFilter } from '../../../src/ui/queueFilter.js';
import { uptime } from '../../../src/ui/format.js';
import { clearCiForTerminal } from '../../../src/cli/openConsole.js';
import { FakeEngineClient, T0 } from '../../support/fakeEngineClient.js';
import { renderAt, settle, type Screen } from '../../support/uiRender.js';

let clock = T0 + 60_000;
const now = () => clock;
let screens: Screen[] = [];
afterEach(() => {
  for (const s of screens) s.unmount();
  screens = [];
  clock = T0 + 60_000;
});

type Props = { readonly?: boolean; hosting?: boolean; notice?: string; flashMs?: number };
function open(client: FakeEngineClient, columns = 80, rows = 24, props: Props = {}): Screen {
  const { flashMs, ...rest } = props;
  const s = renderAt(<App client={client} now={now} controller={{ throttleMs: 20, ...(flashMs ? { flashMs } : {}) }} {...rest} />, columns, rows);
  screens.push(s);
  return s;
}

function seeded(): FakeEngineClient {
  const c = new FakeEngineClient();
  c.addTask({ task_id: 't-1', description: 'summarise the whole inbox and draft replies to the urgent ones', estimated_cost: 0.01 });
  c.addTask({ task_id: 't-2', task_type: 'workflow', status: 'running', description: 'deploy marketing site', estimated_cost: 0.4 });
  c.addTask({ task_id: 't-3', task_type: 'batch', status: 'pending_approval', description: 'reindex documents', estimated_cost: 4.5 });
  return c;
}

const lastLine = (f: string) => f.trimEnd().split('\n').at(-1) ?? '';

describe('80×24', () => {
  it('keeps ? help and q quit in the footer of every view', async () => {
    const s = open(seeded());
    await s.waitFor('reindex documents');
    for (const key of ['1', '2', '3', '4', '5']) {
      s.press(key);
      await settle(30);
      expect(lastLine(s.frame())).toMatch(/\? help {2}q quit$/);
    }
    s.press('1');
    await s.waitFor('reindex');
    s.press('\r');
    await s.waitFor('timeline');
    expect(lastLine(s.frame())).toMatch(/\? help {2}q quit$/);
  });

  it('fits the header: zero counts and the sparkline make way, nothing is cut', async () => {
    const s = open(seeded());
    const f = await s.waitFor('reindex');
    const header = f.split('\n')[0]!;
    expect(header).toContain('engine ● 3h13m');
    expect(header).toContain('firewall ask ✓ trusted');
    expect(header).toContain('today $3.42');
    expect(header).not.toContain('…');
    const wide = open(seeded(), 200, 50);
    const w = (await wide.waitFor('reindex')).split('\n')[0]!;
    expect(w).toMatch(/approver ● online .*alerts P0 0 {2}P1 0 {2}P2 0 {2}today \$3\.42 {2}[▁-█]+/);
  });

  it('scrolls the help to its last line with j, PgDn and G, and back with k, PgUp and g', async () => {
    const s = open(seeded());
    await s.waitFor('reindex');
    s.press('?');
    const first = await s.waitFor(/Keys {2}lines 1–\d+ of \d+/);
    const total = helpLines(false).length;
    expect(first).toContain('Everywhere');
    expect(first).not.toContain('! changes engine state');
    expect(lastLine(first)).toContain('j/k scroll');
    s.press('j');
    await s.waitFor(/lines 2–/);
    s.press('\x1b[6~'); // PgDn
    await s.waitFor((f) => !/lines [12]–/.test(f));
    s.press('G');
    const end = await s.waitFor(new RegExp(`lines \\d+–${total} of ${total}`));
    expect(end).toContain('! changes engine state');
    expect(end).toContain('close the help');
    s.press('\x1b[5~'); // PgUp
    await s.waitFor((f) => !f.includes(`–${total} of`));
    s.press('g');
    await s.waitFor(/lines 1–/);
    s.press('k');
    await settle(30);
    expect(s.frame()).toMatch(/lines 1–/);
    s.press('q');
    await s.waitFor('reindex');
  });

  it('gives the description the room left: at least MIN_DESCRIPTION characters at 80 columns', async () => {
    const cols = queueColumns(false, T0, 80);
    expect(columnWidths(cols, 80).at(-1)).toBeGreaterThanOrEqual(MIN_DESCRIPTION);
    expect(cols.map((c) => c.header)).toEqual(['ID', 'STATUS', 'EST', 'AGE', 'DESCRIPTION']);
    expect(queueColumns(false, T0, 200).map((c) => c.header)).toEqual(['ID', 'TYPE', 'STATUS', 'EST', 'ACTUAL', 'AGE', 'DESCRIPTION']);
    const s = open(seeded());
    const f = await s.waitFor('summarise the whole inbox and'); // 29 characters and more
    for (const line of f.split('\n')) expect(Array.from(line).length).toBeLessThanOrEqual(80);
  });

  it('names gatehouse demo and the headless commands when the Queue is empty', async () => {
    expect(EMPTY_QUEUE).toContain('gatehouse demo');
    expect(EMPTY_QUEUE).toContain('gatehouse submit');
    const s = open(new FakeEngineClient());
    const f = await s.waitFor('gatehouse demo');
    expect(f).toContain('no tasks yet');
  });

  it('fades a message after a while', async () => {
    const s = open(seeded(), 80, 24, { flashMs: 150 });
    await s.waitFor('reindex');
    s.press(':frobnicate\r');
    await s.waitFor("unknown command 'frobnicate'");
    await s.waitFor((f) => !f.includes('frobnicate'), 2000);
  });

  it('shows the CI warning on the message line', async () => {
    const env: NodeJS.ProcessEnv = { CI: 'true', CI_JOB_ID: '7', HOME: '/h' };
    const notice = clearCiForTerminal(env, true);
    expect(env).toEqual({ HOME: '/h' });
    expect(notice).toContain('CI, CI_JOB_ID set in the environment: ignored');
    expect(clearCiForTerminal({ CI: 'true' }, false)).toBeNull();
    const s = open(seeded(), 80, 24, { notice: notice! });
    await s.waitFor('CI, CI_JOB_ID set in the environment');
  });

  it('ticks the header uptime between status reads', async () => {
    const s = open(seeded());
    await s.waitFor('engine ● 3h13m');
    clock += 60_000;
    await s.waitFor('engine ● 3h14m', 3000);
    expect(uptime(5 * 60_000 + 7_000)).toBe('5m07s');
  });
});

describe('queue filter by status prefix', () => {
  it('status:pending means pending and pending_approval; the hint lists what a word matches', async () => {
    expect(parseQueueFilter('status:pending')).toEqual({ ok: true, filter: { text: '', status: ['pending', 'pending_approval'] } });
    expect(parseQueueFilter('status:r,comp')).toEqual({ ok: true, filter: { text: '', status: ['running', 'completed', 'rejected'] } });
    expect(filterHint('status:pe')).toBe('→ pending pending_approval');
    expect(filterHint('status:zz')).toContain("no status begins with 'zz': pending pending_approval approved");
    expect(filterHint('')).toContain('status:NAME');
    const s = open(seeded());
    await s.waitFor('reindex');
    s.press('/status:pend');
    const typing = await s.waitFor('→ pending pending_approval');
    expect(typing).toContain('reindex documents');
    s.press('\r');
    const f = await s.waitFor((x) => x.includes('reindex documents') && x.includes('summarise') && !x.includes('deploy marketing'));
    expect(f).toContain('filter: status:pending,pending_approval');
  });

  it('shows the filter label on the Queue only', async () => {
    const s = open(seeded());
    await s.waitFor('reindex');
    s.press('/deploy\r');
    await s.waitFor('filter: deploy');
    s.press('3');
    await s.waitFor('[3 Alerts');
    expect(s.frame()).not.toContain('filter: deploy');
    s.press('1');
    await s.waitFor('filter: deploy');
  });
});

describe('engine restart under an attached console', () => {
  it('says reconnecting, then re-reads everything: an ask raised after the restart appears', async () => {
    const c = seeded();
    const s = open(c);
    await s.waitFor('engine ●');
    c.drop();
    await s.waitFor('reconnecting…');
    c.drop(2);
    await s.waitFor('(try 3)');
    c.addPrompt({ id: 'p-after', command: 'curl https://example.com' }, false);
    c.reconnect();
    await s.waitFor((f) => f.includes('engine ●') && f.includes('curl https://example.com'));
    expect(s.frame()).not.toContain('reconnecting');
  });
});

describe('quitting the console that hosts the engine', () => {
  it('asks first while other consoles are attached; n stays, y quits', async () => {
    const c = seeded();
    c.attached = 2;
    let quit = 0;
    const s = renderAt(<App client={c} now={now} hosting onQuit={() => quit++} controller={{ throttleMs: 20 }} />, 80, 24);
    screens.push(s);
    await s.waitFor('reindex');
    s.press('q');
    await s.waitFor('2 other consoles are attached: quitting stops the engine under them');
    s.press('n');
    await s.waitFor((f) => !f.includes('other consoles'));
    expect(quit).toBe(0);
    s.press('q');
    await s.waitFor('other consoles');
    s.press('y');
    await settle(50);
    expect(quit).toBe(1);
  });

  it('quits at once with nobody attached, and an attached console never asks', async () => {
    const c = seeded();
    let quit = 0;
    const s = renderAt(<App client={c} now={now} hosting onQuit={() => quit++} controller={{ throttleMs: 20 }} />, 80, 24);
    screens.push(s);
    await s.waitFor('reindex');
    s.press('q');
    await settle(50);
    expect(quit).toBe(1);
    const c2 = seeded();
    c2.attached = 3;
    let quit2 = 0;
    const s2 = renderAt(<App client={c2} now={now} onQuit={() => quit2++} controller={{ throttleMs: 20 }} />, 80, 24);
    screens.push(s2);
    await s2.waitFor('reindex');
    s2.press('q');
    await settle(50);
    expect(quit2).toBe(1);
    expect(c2.callsTo('consoles.attached')).toEqual([]);
  });
});
