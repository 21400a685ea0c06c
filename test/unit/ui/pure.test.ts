import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { age, countdown, duration, fit, money, sparkline, uptime } from '../../../src/ui/format.js';
import { tmuxOfflineLine, tmuxStatusLine } from '../../../src/ui/tmuxLine.js';
import { keyEvents } from '../../../src/ui/keys.js';
import { KeyDispatcher, PRIORITY } from '../../../src/ui/keyDispatcher.js';
import { KEYMAP, commandFor, footerHints, helpLines, taskActions } from '../../../src/ui/keymap.js';
import { parseQueueFilter } from '../../../src/ui/queueFilter.js';
import { RingBuffer } from '../../../src/ui/ringBuffer.js';
import { layoutFor } from '../../../src/ui/layout.js';
import { makeTheme } from '../../../src/ui/theme.js';
import { createStore, initialState, queueQuery, reduce } from '../../../src/ui/consoleState.js';
import { FakeEngineClient, makeTask } from '../../support/fakeEngineClient.js';
import type { Key } from 'ink';

const here = dirname(fileURLToPath(import.meta.url));
const uiDir = resolve(here, '../../../src/ui');

const noKey: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
  super: false, hyper: false, capsLock: false, numLock: false,
} as Key;

describe('format', () => {
  it('formats money, ages, uptimes, durations and countdowns', () => {
    expect(money(3.42)).toBe('$3.42');
    expect(money(0.008)).toBe('$0.008');
    expect(money(0)).toBe('$0.00');
    expect(money(null)).toBe('—');
    expect(age('2026-01-01T10:00:00Z', Date.parse('2026-01-01T10:02:30Z'))).toBe('2m');
    expect(age('not a date', 0)).toBe('?');
    expect(uptime((3 * 3600 + 12 * 60) * 1000)).toBe('3h12m');
    expect(uptime(40_000)).toBe('40s');
    expect(duration(212)).toBe('212 ms');
    expect(duration(125_000)).toBe('2m05s');
    expect(countdown('2026-01-01T10:00:42Z', Date.parse('2026-01-01T10:00:00Z'))).toBe('0:42');
    expect(countdown('2026-01-01T10:00:00Z', Date.parse('2026-01-01T10:05:00Z'))).toBe('0:00');
  });

  it('cuts to width with an ellipsis and pads when asked', () => {
    expect(fit('abcdef', 4)).toBe('abc…');
    expect(fit('ab', 4, true)).toBe('ab  ');
    expect(fit('line\nbreak', 20)).toBe('line break');
  });

  it('draws a sparkline scaled to its maximum', () => {
    expect(sparkline([0, 1, 2, 4, 8])).toBe('▁▁▂▄█');
    expect(sparkline([0, 0])).toBe('▁▁');
    expect(sparkline([])).toBe('');
  });
});

describe('tmux status line', () => {
  const status = () => {
    const s = {
      approver: { state: 'online', url: null, pending_review: 0 },
      firewall: { mode: 'ask', trusted: true, lockdown: false, policy_hash: null, lockdown_reason: null },
      alerts: { P0: 0, P1: 2, P2: 5, P3: 1 },
      queue: { pending_approval: 3, running: 2 },
      prompts_pending: 1,
    };
    return s as unknown as Parameters<typeof tmuxStatusLine>[0];
  };

  it('prints asks, pending, running and the worst alert in words', () => {
    expect(tmuxStatusLine(status())).toBe('gh 1 ask · 3 pending · 2 running · P1 alert');
  });

  it('says ok when nothing needs a human (not a bare glyph)', () => {
    const s = status();
    s.prompts_pending = 0;
    s.queue.pending_approval = 0;
    s.queue.running = 0;
    s.alerts = { P0: 0, P1: 0, P2: 0, P3: 0 };
    s.approver.state = 'off';
    expect(tmuxStatusLine(s)).toBe('gh ok');
  });

  it('spells out fallback and LOCKDOWN and leaves out zero counts', () => {
    const s = status();
    s.approver.state = 'fallback';
    s.firewall.lockdown = true;
    s.prompts_pending = 0;
    s.queue.pending_approval = 0;
    s.alerts = { P0: 1, P1: 0, P2: 0, P3: 0 };
    expect(tmuxStatusLine(s)).toBe('gh LOCKDOWN · approver fallback · 2 running · P0 alert');
    expect(tmuxOfflineLine()).toContain('✗');
  });

  it('tmuxLine.ts and what it imports load neither ink nor react', () => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const src = readFileSync(file, 'utf8');
      for (const m of src.matchAll(/^import\s[^'"]*['"]([^'"]+)['"]/gm)) {
        const spec = m[1]!;
        expect(spec, `${file} imports ${spec}`).not.toMatch(/^(ink|react)(\/|$)/);
        if (spec.startsWith('.')) visit(join(dirname(file), spec.replace(/\.js$/, '.ts')));
      }
    };
    visit(join(uiDir, 'tmuxLine.ts'));
    expect(seen.size).toBeGreaterThan(1);
  });
});

describe('key events', () => {
  it('splits plain characters arriving in one chunk', () => {
    expect(keyEvents('jj', noKey).map((k) => k.name)).toEqual(['j', 'j']);
    expect(keyEvents('ja', noKey).map((k) => k.name)).toEqual(['j', 'a']);
    expect(keyEvents('j\r', noKey).map((k) => k.name)).toEqual(['j', 'enter']);
    expect(keyEvents(' x', noKey).map((k) => k.name)).toEqual(['space', 'x']);
    expect(keyEvents('\x03\x03', noKey).map((k) => k.name)).toEqual(['ctrl+c', 'ctrl+c']);
  });

  it('reads special keys from ink’s key flags', () => {
    expect(keyEvents('', { ...noKey, downArrow: true })).toEqual([{ name: 'down', text: '' }]);
    expect(keyEvents('', { ...noKey, tab: true, shift: true })[0]?.name).toBe('shift+tab');
    expect(keyEvents('c', { ...noKey, ctrl: true })[0]?.name).toBe('ctrl+c');
    expect(keyEvents('x', { ...noKey, meta: true })).toEqual([]);
  });
});

describe('key dispatcher', () => {
  it('offers each key to the highest priority first and stops at the handler that consumes it', () => {
    const d = new KeyDispatcher();
    const log: string[] = [];
    d.register(PRIORITY.view, (k) => (log.push(`view:${k.name}`), true));
    const offDialog = d.register(PRIORITY.dialog, (k) => (log.push(`dialog:${k.name}`), k.name !== 'j'));
    expect(d.dispatch({ name: 'x', text: 'x' })).toBe(true);
    expect(d.dispatch({ name: 'j', text: 'j' })).toBe(true);
    offDialog();
    d.dispatch({ name: 'k', text: 'k' });
    expect(log).toEqual(['dialog:x', 'dialog:j', 'view:j', 'view:k']);
  });
});

describe('keymap', () => {
  it('binds each key once per scope', () => {
    const seen = new Set<string>();
    for (const b of KEYMAP) for (const k of b.keys) {
      const id = `${b.scope}:${k}`;
      expect(seen.has(id), `${id} bound twice`).toBe(false);
      seen.add(id);
    }
  });

  it('hides dangerous commands when read-only, in lookups, hints and help', () => {
    expect(commandFor('a', 'queue', false)).toBe('task.approve');
    expect(commandFor('a', 'queue', true)).toBeNull();
    expect(commandFor('j', 'list', true)).toBe('move.down');
    expect(footerHints(['list', 'queue', 'global'], false, 200)).toContain('a approve');
    expect(footerHints(['list', 'queue', 'global'], true, 200)).not.toContain('approve');
    const help = helpLines(false).join('\n');
    for (const b of KEYMAP) expect(help).toContain(b.description);
    const ro = helpLines(true).join('\n');
    for (const b of KEYMAP.filter((x) => 'dangerous' in x && x.dangerous)) expect(ro).not.toContain(b.description);
  });

  it('offers in a task detail only the actions its status allows, none when read-only or unknown', () => {
    const hints = (status: Parameters<typeof taskActions>[0], readonly = false) => footerHints(['detail', 'global'], readonly, 200, taskActions(status, readonly));
    expect(hints('pending_approval')).toMatch(/^j\/k scroll {2}c ask assistant {2}a approve {2}r reject {2}x abort {2}: command/);
    expect(hints('running')).toMatch(/c ask assistant {2}x abort {2}: command/);
    expect(hints('completed')).not.toMatch(/approve|reject|abort/);
    expect(hints(null)).not.toMatch(/approve|reject|abort/);
    expect(hints('pending_approval', true)).not.toMatch(/approve|reject|abort/);
  });

  it('truncates the footer at a whole hint', () => {
    const hints = footerHints(['list', 'queue', 'global'], false, 40);
    expect(hints.length).toBeLessThanOrEqual(40);
    expect(hints).toBe('j/k move  enter detail  ? help  q quit');
  });
});

describe('queue filter', () => {
  it('parses text and status, and names a bad status with what is allowed', () => {
    expect(parseQueueFilter('status:running deploy site')).toEqual({ ok: true, filter: { text: 'deploy site', status: ['running'] } });
    const bad = parseQueueFilter('status:done');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toContain("no status begins with 'done' (statuses: pending, pending_approval");
  });
});

describe('ring buffer', () => {
  it('keeps only the newest items', () => {
    const r = new RingBuffer<number>(3);
    r.push(1, 2, 3, 4);
    expect(r.toArray()).toEqual([2, 3, 4]);
    expect(r.replace((x) => x === 3, 30)).toBe(true);
    expect(r.toArray()).toEqual([2, 30, 4]);
    expect(() => new RingBuffer(0)).toThrow(/positive integer, got 0/);
  });
});

describe('layout and theme', () => {
  it('goes compact below 60×12 and too small below 40×8', () => {
    expect(layoutFor(120, 40, false, false)).toMatchObject({ compact: false, tooSmall: false });
    expect(layoutFor(59, 40, false, false).compact).toBe(true);
    expect(layoutFor(120, 11, false, false).compact).toBe(true);
    expect(layoutFor(39, 20, false, false).tooSmall).toBe(true);
    expect(layoutFor(120, 40, false, true).pageSize).toBeLessThan(layoutFor(120, 40, false, false).pageSize);
  });

  it('drops every colour under NO_COLOR', () => {
    const plain = makeTheme({ NO_COLOR: '1' });
    expect(plain.colored).toBe(false);
    expect(Object.values(plain.status).every((c) => c === undefined)).toBe(true);
    expect(Object.values(plain.severity).every((c) => c === undefined)).toBe(true);
    expect(makeTheme({}).status.failed).toBe('red');
    expect(makeTheme({ NO_COLOR: '' }).colored).toBe(true);
  });
});

describe('console state', () => {
  const page = (ids: string[], offset = 0, total = ids.length) => ({ offset, rows: ids.map((id) => makeTask({ task_id: id })), total });

  it('keeps the selection on the task id when rows reorder', () => {
    let s = initialState(5);
    s = reduce(s, { type: 'queue.page', key: queueQuery(s.queue).key, ...page(['a', 'b', 'c']) });
    s = reduce(s, { type: 'queue.move', to: 'delta', delta: 1 });
    expect(s.queue.selectedId).toBe('b');
    s = reduce(s, { type: 'queue.page', key: queueQuery(s.queue).key, ...page(['x', 'y', 'a', 'b', 'c']) });
    expect(s.queue.selectedId).toBe('b');
    expect(s.queue.cursor).toBe(3);
  });

  it('ignores an answer for a page it no longer shows', () => {
    let s = initialState(2);
    s = reduce(s, { type: 'queue.page', key: queueQuery(s.queue).key, ...page(['a', 'b'], 0, 10) });
    const staleKey = queueQuery(s.queue).key;
    s = reduce(s, { type: 'queue.move', to: 'delta', delta: 2 }); // scrolls the window to offset 1
    expect(s.queue.offset).toBe(1);
    const after = reduce(s, { type: 'queue.page', key: staleKey, ...page(['zz', 'yy'], 0, 10) });
    expect(after).toBe(s);
  });

  it('setting the filter already in force keeps the page (enter after live filtering)', () => {
    let s = initialState(5);
    s = reduce(s, { type: 'queue.filter', filter: { text: '', status: ['running'] } });
    s = reduce(s, { type: 'queue.page', key: queueQuery(s.queue).key, ...page(['a']) });
    expect(reduce(s, { type: 'queue.filter', filter: { text: '', status: ['running'] } })).toBe(s);
    const other = reduce(s, { type: 'queue.filter', filter: { text: 'x', status: ['running'] } });
    expect(other.queue).toMatchObject({ rows: [], loaded: false });
  });

  it('pulls the window back when tasks went away', () => {
    let s = initialState(2);
    s = reduce(s, { type: 'queue.page', key: queueQuery(s.queue).key, ...page(['a', 'b'], 0, 10) });
    s = reduce(s, { type: 'queue.move', to: 'bottom' });
    expect(s.queue.offset).toBe(8);
    s = reduce(s, { type: 'queue.page', key: queueQuery(s.queue).key, ...page([], 8, 3) });
    expect(s.queue).toMatchObject({ offset: 1, cursor: 2, total: 3 });
  });

  it('a store notifies subscribers once per burst of actions, and not at all when nothing changed', async () => {
    const store = createStore(initialState());
    let n = 0;
    store.subscribe(() => n++);
    store.dispatch({ type: 'queue.pageSize', pageSize: 20 }); // unchanged
    await Promise.resolve();
    expect(n).toBe(0);
    store.dispatch({ type: 'help', open: true });
    store.dispatch({ type: 'view', view: 'alerts' });
    expect(store.getState().view).toBe('alerts'); // state itself is updated at once
    await Promise.resolve();
    expect(n).toBe(1);
  });

  it('the fake client used by these tests refuses illegal transitions like the engine', async () => {
    const c = new FakeEngineClient();
    c.addTask({ task_id: 't-1', status: 'running' });
    await expect(c.tasks.approve('t-1')).rejects.toThrow('cannot approve task t-1: it is running');
  });
});
