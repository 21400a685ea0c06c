// The operator's whole loop in a real terminal against a real engine: `gatehouse attach` in tmux, tasks
// submitted over REST, approved, rejected with a typed reason, a running one aborted after confirming,
// filtered and opened — each checked on the screen and in the engine over the API. Then the terminal
// is given back after q and after ctrl-c twice.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type RunningEngine } from '../../support/engine.js';
import { TmuxServer, hasTmux, taskRow, type Pane } from '../../support/tmuxPane.js';

let e: RunningEngine;
let tmux: TmuxServer;

async function submit(description: string, over: Record<string, unknown> = {}): Promise<string> {
  const r = await e.http('POST', '/api/tasks', { task_type: 'chat', description, estimated_cost: 0.02, ...over });
  expect(r.status).toBe(201);
  return r.body.data.task_id as string;
}

async function task(id: string): Promise<{ status: string; decided_by: string | null; decision_reason: string | null; transitions: Array<{ to: string; by: string; surface: string; reason: string | null }> }> {
  const r = await e.http('GET', `/api/queue/task/${id}`);
  expect(r.status).toBe(200);
  return r.body.data;
}

async function attach(): Promise<Pane> {
  const pane = tmux.console(e.stateDir, ['attach']);
  await pane.waitFor(/\[1 Queue \(\d+\)\]/);
  return pane;
}

/** Types a filter into the Queue and waits until it is the only thing shown. */
async function filterTo(pane: Pane, text: string, id: string): Promise<string> {
  pane.type('/');
  await pane.waitFor('filter (text, status:NAME):');
  pane.type(text);
  pane.keys('Enter');
  return pane.waitFor((s) => s.includes(`filter: ${text}`) && s.includes(id) && /\[1 Queue \(1\)\]/.test(s));
}

beforeAll(async () => {
  if (!hasTmux) return;
  e = await startEngine();
  tmux = new TmuxServer();
});
afterAll(async () => {
  tmux?.close();
  await e?.stop();
});

describe.skipIf(!hasTmux)('attached console, end to end in tmux', () => {
  let pane: Pane | null = null;
  afterEach(() => {
    // A failed test must not leave its console attached for the next one.
    if (pane) pane.keys('C-c', 'C-c');
    pane = null;
  });

  it('approves, rejects with a reason, aborts a running task, filters and opens the detail', async () => {
    const approveId = await submit('e2e summarise inbox');
    const rejectId = await submit('e2e reindex documents', { task_type: 'batch', estimated_cost: 4.5 });
    const abortId = await submit('e2e deploy marketing site', { task_type: 'workflow' });
    expect((await e.http('POST', `/api/queue/approve/${abortId}`, {})).status).toBe(200);
    expect((await e.http('POST', `/api/tasks/${abortId}/start`, {})).body.data.status).toBe('running');

    pane = await attach();
    const first = await pane.waitFor(taskRow(abortId, 'running', 'workflow'));
    // Real ids are shown whole, at 120 columns, in every row.
    for (const id of [approveId, rejectId, abortId]) expect(first).toContain(`${id} `);
    expect(first).toMatch(taskRow(approveId, 'pending_approval'));
    expect(first).toMatch(taskRow(rejectId, 'pending_approval', 'batch'));
    expect(first).toMatch(/^ j\/k move {2}enter detail {2}a approve {2}r reject {2}x abort/m);

    // Approve: filter to the one task, then `a`.
    await filterTo(pane, 'summarise inbox', approveId);
    pane.type('a');
    await pane.waitFor(taskRow(approveId, 'approved'));
    expect(await task(approveId)).toMatchObject({ status: 'approved', decided_by: 'operator' });
    pane.keys('Escape'); // clears the filter
    await pane.waitFor((s) => !s.includes('filter:') && s.includes(rejectId));

    // Reject with a reason typed in.
    await filterTo(pane, 'reindex', rejectId);
    pane.type('r');
    await pane.waitFor(`reject ${rejectId}: reason:`);
    pane.type('over the batch budget');
    pane.keys('Enter');
    await pane.waitFor(taskRow(rejectId, 'rejected', 'batch'));
    expect(await task(rejectId)).toMatchObject({ status: 'rejected', decided_by: 'operator', decision_reason: 'over the batch budget' });

    // The detail view: every field and the timeline, with who rejected it and why.
    pane.keys('Enter');
    const detail = await pane.waitFor('timeline');
    expect(detail).toContain(`${rejectId} · batch · rejected`);
    expect(detail).toContain('e2e reindex documents');
    expect(detail).toMatch(/rejected · decided by operator \(over the batch budget\)/);
    expect(detail).toMatch(/pending_approval → rejected {2}by \S+ \(tui\) · over the batch budget/); // by the OS user at the console
    pane.keys('Escape');
    await pane.waitFor(/\[1 Queue \(1\)\]/);
    pane.keys('Escape');
    await pane.waitFor((s) => !s.includes('filter:'));

    // Abort a running task: filter by status, `x`, and nothing happens until it is confirmed.
    await filterTo(pane, 'status:running', abortId);
    pane.type('x');
    await pane.waitFor(`Abort ${abortId}?  y yes · n no`);
    pane.type('n');
    await pane.waitFor((s) => !s.includes(`Abort ${abortId}?`));
    expect((await task(abortId)).status).toBe('running');
    pane.type('x');
    await pane.waitFor(`Abort ${abortId}?`);
    pane.type('y');
    // The running filter no longer matches the aborted task.
    await pane.waitFor('no task matches the filter');
    const aborted = await task(abortId);
    expect(aborted.status).toBe('aborted');
    expect(aborted.transitions.at(-1)).toMatchObject({ to: 'aborted', surface: 'tui' });
    expect((await e.http('GET', `/api/tasks/${abortId}/abort-signal`)).body.data.should_abort).toBe(true);

    pane.type('q'); // q with a filter in force: still quits (esc is what clears a filter)
    expect(await pane.exitCode()).toBe(0);
    expect(pane.terminalState()).toBe('0 1');
    pane = null;
  }, 240_000);

  it('gives the terminal back after q: main screen, cursor visible', async () => {
    pane = await attach();
    expect(pane.terminalState()).toBe('1 0'); // alternate screen, cursor hidden while it runs
    pane.type('q');
    expect(await pane.exitCode()).toBe(0);
    expect(pane.terminalState()).toBe('0 1');
    expect(pane.screen()).not.toContain('[1 Queue');
    pane = null;
  }, 120_000);

  it('gives the terminal back after ctrl-c twice', async () => {
    pane = await attach();
    expect(pane.terminalState()).toBe('1 0');
    pane.keys('C-c');
    await pane.waitFor('press ctrl-c again to exit');
    expect(pane.terminalState()).toBe('1 0'); // one ctrl-c only arms it
    pane.keys('C-c');
    await pane.exitCode();
    expect(pane.terminalState()).toBe('0 1');
    expect(pane.screen()).not.toContain('[1 Queue');
    pane = null;
  }, 120_000);
});
