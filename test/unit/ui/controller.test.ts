import { describe, it, expect } from 'vitest';
import { ConsoleController } from '../../../src/ui/consoleController.js';
import { createStore, initialState } from '../../../src/ui/consoleState.js';
import { FakeEngineClient } from '../../support/fakeEngineClient.js';

const until = async (check: () => boolean, what: string) => {
  for (let i = 0; i < 300; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`never happened: ${what}`);
};

describe('console controller', () => {
  it('loads every part once at start and follows live events', async () => {
    const c = new FakeEngineClient();
    c.addTask({ task_id: 't-1' });
    const store = createStore(initialState(10));
    const ctl = new ConsoleController(c, store, { throttleMs: 10 });
    await ctl.start();
    expect(store.getState().queue.rows.map((t) => t.task_id)).toEqual(['t-1']);
    expect(c.callsTo('subscribe')).toEqual([[['tasks', 'prompts', 'alerts', 'engine', 'agents']]]);
    c.addTask({ task_id: 't-2' });
    await until(() => store.getState().queue.total === 2, 'the new task is listed');
    ctl.stop();
    c.addTask({ task_id: 't-3' });
    await new Promise((r) => setTimeout(r, 50));
    expect(store.getState().queue.total).toBe(2); // stopped: no more reads
  });

  it('does not re-read hidden lists on every event, and reads them when their view opens', async () => {
    const c = new FakeEngineClient();
    const store = createStore(initialState(10));
    const ctl = new ConsoleController(c, store, { throttleMs: 10 });
    await ctl.start();
    const ledgerReads = () => c.callsTo('ledger.recent').length;
    const startReads = ledgerReads();
    for (let i = 0; i < 50; i++) c.addTask({ task_id: `b-${i}` });
    await until(() => store.getState().queue.total === 50, 'the burst is listed');
    expect(ledgerReads()).toBe(startReads);
    c.ledgerList.push({ seq: 1, ts: '', actor: 'op', surface: 'tui', action: 'task.approve', subject: 'b-1', detail: {}, reason: null, policy_hash: null, prev_hash: '', hash: 'h1' });
    store.dispatch({ type: 'view', view: 'ledger' });
    ctl.viewChanged();
    await until(() => store.getState().ledger.length === 1, 'the ledger is read when its view opens');
    ctl.stop();
  });

  it('reads the status at most once per statusMinMs under a flood of events', async () => {
    const c = new FakeEngineClient();
    const store = createStore(initialState(10));
    const ctl = new ConsoleController(c, store, { throttleMs: 5, statusMinMs: 60_000 });
    await ctl.start();
    const before = c.callsTo('status').length;
    for (let i = 0; i < 30; i++) {
      c.addTask({ task_id: `f-${i}` });
      await new Promise((r) => setTimeout(r, 2));
    }
    await until(() => store.getState().queue.total === 30, 'the flood is listed');
    expect(c.callsTo('status').length).toBe(before);
    ctl.stop();
  });

  it('while events keep coming, refreshes wait for the busy window; the operator\'s own action does not', async () => {
    const c = new FakeEngineClient();
    c.addTask({ task_id: 't-1', status: 'pending_approval' });
    const store = createStore(initialState(10));
    const ctl = new ConsoleController(c, store, { throttleMs: 5, busyThrottleMs: 60_000 });
    await ctl.start();
    c.addTask({ task_id: 'e-1' }); // after a quiet spell: refreshed within the short window
    await until(() => store.getState().queue.total === 2, 'the first event is listed');
    const reads = c.callsTo('tasks.list').length;
    for (let i = 0; i < 10; i++) c.addTask({ task_id: `f-${i}` }); // the flood goes on: one busy window
    await new Promise((r) => setTimeout(r, 50));
    expect(c.callsTo('tasks.list').length).toBe(reads);
    expect(store.getState().queue.total).toBe(2);
    await ctl.taskAction('approve', ['t-1']); // brings the refresh forward
    await until(() => store.getState().queue.total === 12, 'the operator sees the result of the action');
    ctl.stop();
  });

  it('a burst of alerts lands in the ring buffer and reaches the screen in one refresh, not one per alert', async () => {
    const c = new FakeEngineClient();
    const store = createStore(initialState(10));
    const ctl = new ConsoleController(c, store, { throttleMs: 10, busyThrottleMs: 1000, alertCapacity: 50 });
    await ctl.start();
    let updates = 0;
    let seen = store.getState().alerts;
    store.subscribe(() => {
      if (store.getState().alerts !== seen) updates++;
      seen = store.getState().alerts;
    });
    // Twelve turns of the event loop with ten alerts each, as they would arrive from the engine.
    for (let turn = 0; turn < 12; turn++) {
      for (let k = 0; k < 10; k++) c.addAlert({ id: `a-${turn * 10 + k}`, severity: 'P2', message: `probe ${turn * 10 + k}` });
      await new Promise((r) => setImmediate(r));
    }
    await until(() => store.getState().alerts.at(-1)?.id === 'a-119', 'the whole burst is shown');
    expect(store.getState().alerts).toHaveLength(50); // bounded: the newest 50
    expect(updates).toBeLessThanOrEqual(2); // the first refresh, then the rest of the burst together
    ctl.stop();
  });

  it('reports every failed task of a bulk action by id, and the ones that worked', async () => {
    const c = new FakeEngineClient();
    c.addTask({ task_id: 'ok-1' });
    c.addTask({ task_id: 'run-1', status: 'running' });
    const store = createStore(initialState(10));
    const ctl = new ConsoleController(c, store, { throttleMs: 10 });
    await ctl.taskAction('approve', ['ok-1', 'run-1', 'gone-1']);
    const flash = store.getState().flash;
    expect(flash?.tone).toBe('error');
    expect(flash?.text).toBe('approved 1; approve failed for run-1: cannot approve task run-1: it is running; gone-1: unknown task gone-1');
    ctl.stop();
  });
});
