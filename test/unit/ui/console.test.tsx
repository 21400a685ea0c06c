import { afterEach, describe, it, expect } from 'vitest';
import { App } from '../../../src/ui/App.js';
import { FakeEngineClient, T0 } from '../../support/fakeEngineClient.js';
import { renderAt, settle, type Screen } from '../../support/uiRender.js';

const now = () => T0 + 60_000;
let screens: Screen[] = [];
afterEach(() => {
  for (const s of screens) s.unmount();
  screens = [];
});

function open(client: FakeEngineClient, columns = 120, rows = 40, props: { readonly?: boolean; demo?: boolean } = {}): Screen {
  const s = renderAt(<App client={client} now={now} controller={{ throttleMs: 20 }} {...props} />, columns, rows);
  screens.push(s);
  return s;
}

function seeded(): FakeEngineClient {
  const c = new FakeEngineClient();
  c.addTask({ task_id: 't-1', description: 'summarise inbox', estimated_cost: 0.01 });
  c.addTask({ task_id: 't-2', task_type: 'workflow', status: 'running', description: 'deploy marketing site', estimated_cost: 0.4, actual_cost: 0.12 });
  c.addTask({ task_id: 't-3', task_type: 'batch', status: 'pending_approval', description: 'reindex documents', estimated_cost: 4.5 });
  return c;
}

/** The line of the frame that holds the selection marker. */
const selectedLine = (frame: string) => frame.split('\n').find((l) => l.startsWith('›')) ?? '';

describe('console layout', () => {
  it('shows the header, tabs, queue rows with every column and the key hints at 120 columns', async () => {
    const s = open(seeded(), 120, 40);
    const f = await s.waitFor('reindex documents');
    expect(f).toContain('engine ● 3h13m'); // started 3h12m before T0, and the clock is T0 + 1 min
    expect(f).toContain('approver ● online');
    expect(f).toContain('firewall ask ✓ trusted');
    expect(f).toContain('today $3.42');
    expect(f).toMatch(/\[1 Queue \(3\)\]/);
    expect(f).toMatch(/ID\s+TYPE\s+STATUS\s+EST\s+ACTUAL\s+AGE\s+DESCRIPTION/);
    expect(f).toMatch(/t-2\s+workflow\s+running\s+\$0\.40\s+\$0\.12\s+1m\s+deploy marketing site/);
    expect(f).toContain('j/k move  enter detail  a approve  r reject  x abort');
    for (const line of f.split('\n')) expect(Array.from(line).length).toBeLessThanOrEqual(120);
  });

  it('shows real task ids (t- and 12 hex) whole at 120 columns, narrowing the description instead', async () => {
    const c = seeded();
    c.addTask({ task_id: 't-48b950672abc', description: 'a long description '.repeat(8) });
    const s = open(c, 120, 40);
    const f = await s.waitFor('t-48b950672abc');
    expect(f).toMatch(/t-48b950672abc chat\s+pending_approval/);
    expect(f).not.toContain('t-48b950672…');
    for (const line of f.split('\n')) expect(Array.from(line).length).toBeLessThanOrEqual(120);
  });

  it('switches to the compact layout at 50 columns and keeps every line inside the width', async () => {
    const s = open(seeded(), 50, 12);
    const f = await s.waitFor('reindex');
    expect(f).toMatch(/^ gh /m);
    expect(f).not.toContain('TYPE');
    expect(f).toMatch(/t-3\s+pending_approval\s+\$4\.50/);
    for (const line of f.split('\n')) expect(Array.from(line).length).toBeLessThanOrEqual(50);
  });

  it('says the terminal is too small below the floor, and recovers on resize', async () => {
    const s = open(seeded(), 30, 6);
    await s.waitFor('terminal too small (30×6)');
    s.stdout.resize(120, 40);
    await s.waitFor('reindex documents');
  });

  it('marks a demo in the header', async () => {
    const s = open(seeded(), 120, 40, { demo: true });
    expect(await s.waitFor('DEMO')).toMatch(/gatehouse\s+DEMO/);
  });

  it('shows LOCKDOWN in the header and how to end it', async () => {
    const c = seeded();
    c.statusOverride = { firewall: { mode: 'ask', trusted: false, lockdown: true, policy_hash: 'x', lockdown_reason: 'policy.yaml edited outside gatehouse' } };
    const s = open(c);
    const f = await s.waitFor('firewall LOCKDOWN:');
    expect(f).toMatch(/^ gatehouse .*firewall LOCKDOWN/m);
    expect(f).toContain('firewall LOCKDOWN: policy.yaml edited outside gatehouse. Every command is denied until the policy is trusted (:trust)');
  });

  it('shows the engine as unreachable when status fails', async () => {
    const c = seeded();
    c.down = true;
    const s = open(c);
    await s.waitFor('engine ✗ unreachable');
  });

  for (const [columns, rows] of [
    [120, 40],
    [50, 12],
  ] as const) {
    it(`renders every view at ${columns} columns`, async () => {
      const c = seeded();
      c.addAlert({ id: 'a-1', severity: 'P0', message: 'policy tampered', source: 'firewall', check: 'policy_tamper' });
      c.agentList.push({ name: 'build-bot', pid: 77, profile: 'ci', state: 'alive', registered_at: new Date(T0).toISOString(), last_seen: new Date(T0).toISOString(), decisions: { allow: 5, deny: 1, ask: 2 } });
      c.ledgerList.push({ seq: 9, ts: new Date(T0).toISOString(), actor: 'operator', surface: 'tui', action: 'task.approve', subject: 't-3', detail: {}, reason: 'ok', policy_hash: null, prev_hash: 'x', hash: 'y' });
      const s = open(c, columns, rows);
      await s.waitFor('reindex');
      s.press('3');
      await s.waitFor('policy tampered');
      s.press('4');
      await s.waitFor(/build-bot\s+alive/);
      s.press('5');
      await s.waitFor('task.approve');
      s.press('2');
      await s.waitFor('no pending asks');
      for (const line of s.frame().split('\n')) expect(Array.from(line).length).toBeLessThanOrEqual(columns);
      s.press('1\r');
      await s.waitFor('timeline');
      for (const line of s.frame().split('\n')) expect(Array.from(line).length).toBeLessThanOrEqual(columns);
      s.press('\x1b?');
      await s.waitFor(/Keys {2}(\(esc or \? closes\)|lines 1–)/);
      for (const line of s.frame().split('\n')) expect(Array.from(line).length).toBeLessThanOrEqual(columns);
    });
  }
});

describe('keys through the dispatcher', () => {
  it('moves two rows when "jj" arrives in one chunk, and g/G jump', async () => {
    const s = open(seeded());
    await s.waitFor('reindex');
    expect(selectedLine(s.frame())).toContain('t-3');
    s.press('jj');
    await s.waitFor((f) => selectedLine(f).includes('t-1'));
    s.press('g');
    await s.waitFor((f) => selectedLine(f).includes('t-3'));
    s.press('G');
    await s.waitFor((f) => selectedLine(f).includes('t-1'));
    s.press('\x1b[A'); // up arrow
    await s.waitFor((f) => selectedLine(f).includes('t-2'));
  });

  it('"ja" in one chunk moves, then approves the newly selected task', async () => {
    const c = seeded();
    c.addTask({ task_id: 't-4', description: 'newest' });
    const s = open(c);
    await s.waitFor('newest');
    s.press('jj'); // t-4 → t-3 → t-2 ; then t-3 is pending_approval
    s.press('ka');
    await c.waitForCall('tasks.approve');
    expect(c.callsTo('tasks.approve')).toEqual([['t-3', undefined]]);
    await s.waitFor(/t-3\s+batch\s+approved/);
    await s.waitFor('approved t-3');
  });

  it('keeps the selection on the same task when new tasks arrive above it', async () => {
    const c = seeded();
    const s = open(c);
    await s.waitFor('reindex');
    s.press('j');
    await s.waitFor((f) => selectedLine(f).includes('t-2'));
    c.addTask({ task_id: 't-9', description: 'brand new' });
    await s.waitFor('brand new');
    expect(selectedLine(s.frame())).toContain('t-2');
  });

  it('ctrl-c once warns, any other key disarms it', async () => {
    const quits: number[] = [];
    const c = seeded();
    const s = renderAt(<App client={c} now={now} onQuit={() => quits.push(1)} />, 120, 40);
    screens.push(s);
    await s.waitFor('reindex');
    s.press('\x03');
    await s.waitFor('press ctrl-c again to exit');
    s.press('j');
    await s.waitFor((f) => !f.includes('press ctrl-c again'));
    s.press('\x03');
    s.press('\x03');
    await settle();
    expect(quits).toEqual([1]);
  });

  it('q quits at the root but only closes the detail view when one is open', async () => {
    const quits: number[] = [];
    const c = seeded();
    const s = renderAt(<App client={c} now={now} onQuit={() => quits.push(1)} />, 120, 40);
    screens.push(s);
    await s.waitFor('reindex');
    s.press('\r');
    await s.waitFor('timeline');
    s.press('q');
    await s.waitFor('[1 Queue');
    expect(quits).toEqual([]);
    s.press('q');
    await settle();
    expect(quits).toEqual([1]);
  });
});

describe('operator actions', () => {
  it('rejects with a typed reason', async () => {
    const c = seeded();
    const s = open(c);
    await s.waitFor('reindex');
    s.press('r');
    await s.waitFor('reject t-3: reason');
    s.press('over budget');
    await s.waitFor('over budget');
    s.press('\r');
    await c.waitForCall('tasks.reject');
    expect(c.callsTo('tasks.reject')).toEqual([['t-3', 'over budget']]);
    await s.waitFor(/t-3\s+batch\s+rejected/);
  });

  it('aborts only after confirmation, and esc cancels it', async () => {
    const c = seeded();
    const s = open(c);
    await s.waitFor('reindex');
    s.press('j'); // t-2 running
    s.press('x');
    await s.waitFor('Abort t-2?');
    s.press('\x1b');
    await s.waitFor((f) => !f.includes('Abort t-2?'));
    await settle(50);
    expect(c.callsTo('tasks.abort')).toEqual([]);
    s.press('xy');
    await c.waitForCall('tasks.abort');
    expect(c.callsTo('tasks.abort')).toEqual([['t-2', undefined]]);
    await s.waitFor(/t-2\s+workflow\s+aborted/);
  });

  it('shows the engine refusing an illegal action instead of pretending', async () => {
    const c = seeded();
    const s = open(c);
    await s.waitFor('reindex');
    s.press('j'); // t-2 is running: approve is illegal
    s.press('a');
    await s.waitFor('approve failed for t-2: cannot approve task t-2: it is running');
  });

  it('bulk approves the marked rows after confirmation', async () => {
    const c = seeded();
    const s = open(c);
    await s.waitFor('reindex');
    s.press('  '); // mark t-3 and t-2, the cursor moves down each time
    await s.waitFor('marked: 2');
    s.press('a');
    await s.waitFor('Approve 2 marked tasks?');
    s.press('y');
    await s.waitFor('approve failed for t-2');
    expect(c.callsTo('tasks.approve').map((a) => a[0])).toEqual(['t-3', 't-2']);
    expect(s.frame()).not.toContain('marked:');
  });

  it('filters by text and status, and esc clears the filter first', async () => {
    const c = seeded();
    const s = open(c);
    await s.waitFor('reindex');
    s.press('/');
    s.press('status:running');
    s.press('\r');
    await s.waitFor('filter: status:running');
    await s.waitFor((f) => f.includes('deploy marketing site') && !f.includes('reindex'));
    const last = c.callsTo('tasks.list').at(-1)?.[0] as Record<string, unknown>;
    expect(last).toMatchObject({ status: 'running', offset: 0 });
    s.press('\x1b');
    await s.waitFor((f) => f.includes('reindex') && !f.includes('filter:'));
    s.press('/inbox\r');
    await s.waitFor((f) => f.includes('summarise inbox') && !f.includes('reindex'));
    s.press('/\x15status:nope\r'); // ctrl-u clears the prefilled filter
    await s.waitFor("no status begins with 'nope'");
  });

  it('opens a detail view with fields, timeline, constraints and logs', async () => {
    const c = new FakeEngineClient();
    c.addTask({
      task_id: 't-8',
      task_type: 'batch',
      status: 'approved',
      description: 'reindex documents',
      decided_by: 'approver',
      decision_reason: 'Within daily budget limit',
      constraints: [{ type: 'cost_limit', value: 4.5, reason: 'daily limit remaining' }],
      context: { user: 'user123', project: 'barber-crm' },
      logs: ['queued by gateway'],
    });
    const s = open(c);
    await s.waitFor('reindex');
    s.press('\r');
    const f = await s.waitFor('timeline');
    expect(f).toContain('t-8 · batch · approved');
    expect(f).toContain('decided by approver (Within daily budget limit)');
    expect(f).toContain('cost_limit $4.50 (daily limit remaining)');
    expect(f).toMatch(/timeline\s+10:00:00\s+∅ → pending/);
    expect(f).toContain('pending → approved');
    expect(f).toContain('user user123 · project barber-crm');
    expect(f).toContain('queued by gateway');
    s.press('\x1b');
    await s.waitFor('[1 Queue');
  });
});

describe('task detail footer', () => {
  /** The footer: the last non-empty line of the frame. */
  const footer = (frame: string) => frame.trimEnd().split('\n').at(-1) ?? '';

  it('offers only the task actions its status allows, from the keymap', async () => {
    const c = seeded();
    const s = open(c);
    await s.waitFor('reindex');
    s.press('\r'); // t-3, pending_approval: approve, reject and abort all apply
    await s.waitFor((f) => f.includes('timeline') && footer(f).includes('a approve'));
    expect(footer(s.frame())).toMatch(/^ j\/k scroll  c ask assistant  a approve  r reject  x abort  : command/);
    s.press('\x1b');
    await s.waitFor('[1 Queue');
    s.press('j\r'); // t-2, running: only abort
    await s.waitFor((f) => f.includes('t-2 · workflow · running') && footer(f).includes('x abort'));
    expect(footer(s.frame())).not.toMatch(/a approve|r reject/);
    s.press('xy');
    await c.waitForCall('tasks.abort');
    await s.waitFor((f) => f.includes('t-2 · workflow · aborted') && !footer(f).includes('x abort'));
    expect(footer(s.frame())).not.toMatch(/a approve|r reject|x abort/);
    expect(footer(s.frame())).toContain('c ask assistant');
  });

  it('approves from the detail with a, as the footer says', async () => {
    const c = seeded();
    const s = open(c);
    await s.waitFor('reindex');
    s.press('\r');
    await s.waitFor((f) => footer(f).includes('a approve'));
    s.press('a');
    await c.waitForCall('tasks.approve');
    expect(c.callsTo('tasks.approve')).toEqual([['t-3', undefined]]);
    await s.waitFor((f) => f.includes('t-3 · batch · approved') && footer(f).includes('x abort') && !footer(f).includes('a approve'));
  });

  it('hides the task actions under --readonly', async () => {
    const c = seeded();
    const s = open(c, 120, 40, { readonly: true });
    await s.waitFor('reindex');
    s.press('\r');
    const f = await s.waitFor((fr) => fr.includes('t-3 · batch · pending_approval') && footer(fr).includes('c ask assistant'));
    expect(footer(f)).not.toMatch(/approve|reject|abort/);
    s.press('a');
    await settle(50);
    expect(c.callsTo('tasks.approve')).toEqual([]);
  });
});

describe('prompts', () => {
  it('shows a banner over the queue; its answer keys are live only after p, so a stays the queue\'s approve', async () => {
    const c = seeded();
    const s = open(c);
    await s.waitFor('reindex');
    c.addPrompt({ id: 'p-1' });
    const f = await s.waitFor('▲ ASK');
    expect(f).toContain('agent main · task t-1 · cwd /home/op/site');
    expect(f).toContain('expires in 0:00'); // pinned clock: T0+60s, the ask expires at T0+42s
    expect(f).toContain("segment 2 `npm run deploy` matched no rule (policy: ask)");
    expect(f).toContain('p answer ask   2 every ask');
    expect(f).not.toContain('a allow once');
    expect(f).toMatch(/^ p answer ask  j\/k move  enter detail  a approve/m); // the footer offers p first
    // The operator approves a task just as the ask appears: the task is approved, the ask untouched.
    s.press('a');
    await c.waitForCall('tasks.approve');
    expect(c.callsTo('tasks.approve')).toEqual([['t-3', undefined]]);
    expect(c.callsTo('prompts.resolve')).toEqual([]);
    s.press('p');
    const answering = await s.waitFor('▶ ANSWERING');
    expect(answering).toContain('a allow once   t allow for task   A allow always…   d deny   D deny with feedback   enter details   esc leave');
    expect(answering).toMatch(/^ a allow once  t allow for task .* esc leave$/m);
    s.press('j'); // queue keys do nothing while answering, and say why
    await s.waitFor('answering ask p-1: a/t/A/d/D answer it, esc leaves it');
    s.press('t');
    await c.waitForCall('prompts.resolve');
    expect(c.callsTo('prompts.resolve')).toEqual([['p-1', { decision: 'allow', scope: 'task' }]]);
    await s.waitFor((fr) => !fr.includes('▲ ASK') && !fr.includes('ANSWERING'));
    expect(c.callsTo('tasks.approve')).toHaveLength(1);
  });

  it('esc leaves an ask unanswered; enter shows it in the Prompts view', async () => {
    const c = seeded();
    const s = open(c);
    c.addPrompt({ id: 'p-1' });
    c.addPrompt({ id: 'p-2', command: 'make deploy', expires_at: new Date(T0 + 90_000).toISOString(), segments: [{ argv: ['make', 'deploy'], matched_rule: null, verdict: 'ask' }], always_rule: 'make deploy' });
    await s.waitFor('(+1 more: 2)');
    s.press('p');
    await s.waitFor('▶ ANSWERING');
    s.press('\x1b');
    await s.waitFor('▲ ASK');
    s.press('a'); // back to the queue: a approves the task
    await c.waitForCall('tasks.approve');
    expect(c.callsTo('prompts.resolve')).toEqual([]);
    s.press('p\r');
    const f = await s.waitFor('[2 Prompts (2)]');
    expect(selectedLine(f)).toContain('npm run deploy');
    expect(f).not.toContain('▶ ANSWERING');
  });

  it('keeps answering the ask taken up when a sooner one arrives', async () => {
    const c = seeded();
    const s = open(c);
    c.addPrompt({ id: 'p-2', command: 'make deploy', expires_at: new Date(T0 + 90_000).toISOString(), segments: [{ argv: ['make', 'deploy'], matched_rule: null, verdict: 'ask' }] });
    await s.waitFor('make deploy');
    s.press('p');
    await s.waitFor('▶ ANSWERING');
    c.addPrompt({ id: 'p-1' }); // expires sooner: it would lead the banner
    await s.waitFor('(+1 more: 2)');
    expect(s.frame()).toContain('make deploy');
    s.press('d');
    await c.waitForCall('prompts.resolve');
    expect(c.callsTo('prompts.resolve')).toEqual([['p-2', { decision: 'deny', scope: 'once' }]]);
  });

  it('an ask answered elsewhere while answering it: says so, and a does not fall through to the queue', async () => {
    const c = seeded();
    const s = open(c);
    const p = c.addPrompt({ id: 'p-1' });
    await s.waitFor('▲ ASK');
    s.press('p');
    await s.waitFor('▶ ANSWERING');
    p.state = 'allowed';
    c.emit({ type: 'prompt.resolved', prompt: p, decision: 'allow', scope: 'once', by: 'other-console' });
    await s.waitFor('▲ ASK p-1 is no longer pending (answered elsewhere or expired)');
    s.press('a');
    await s.waitFor('ask p-1 is no longer pending (answered elsewhere or expired): esc goes back');
    await settle(50);
    expect(c.callsTo('tasks.approve')).toEqual([]);
    expect(c.callsTo('prompts.resolve')).toEqual([]);
    s.press('\x1b');
    await s.waitFor((f) => !f.includes('▲ ASK'));
    s.press('a');
    await c.waitForCall('tasks.approve');
  });

  it('the compact banner offers p, then the short answers', async () => {
    const c = seeded();
    const s = open(c, 50, 12);
    c.addPrompt({ id: 'p-1' });
    const f = await s.waitFor('▲ main');
    expect(f).toContain(' p answer');
    s.press('p');
    const g = await s.waitFor('▶ main');
    expect(g).toContain('a once t task A always d deny D why');
    for (const line of g.split('\n')) expect(Array.from(line).length).toBeLessThanOrEqual(50);
  });

  it('counts down live', async () => {
    let t = T0;
    const c = seeded();
    const s = renderAt(<App client={c} now={() => t} controller={{ throttleMs: 20 }} />, 120, 40);
    screens.push(s);
    c.addPrompt({ id: 'p-1' });
    await s.waitFor('expires in 0:42');
    t = T0 + 12_000;
    await s.waitFor('expires in 0:30', 3000);
  });

  it('allow always shows the rule it would write, and asks first', async () => {
    const c = seeded();
    const s = open(c);
    c.addPrompt({ id: 'p-1' });
    await s.waitFor('▲ ASK');
    s.press('pA');
    await s.waitFor('Write rule "npm run deploy" into the policy and allow?');
    s.press('y');
    await c.waitForCall('prompts.resolve');
    expect(c.callsTo('prompts.resolve')).toEqual([['p-1', { decision: 'allow', scope: 'always' }]]);
  });

  it('refuses allow always with the reason when no rule can be written', async () => {
    const c = seeded();
    const s = open(c);
    c.addPrompt({ id: 'p-1', command: 'bash -c "curl x | sh"', always_rule: null, always_refusal: 'bash -c runs arbitrary code' });
    await s.waitFor('▲ ASK');
    s.press('pA');
    await s.waitFor('allow always is refused for this ask: bash -c runs arbitrary code');
    expect(c.callsTo('prompts.resolve')).toEqual([]);
  });

  it('denies with feedback typed by the operator', async () => {
    const c = seeded();
    const s = open(c);
    c.addPrompt({ id: 'p-1' });
    await s.waitFor('▲ ASK');
    s.press('pD');
    await s.waitFor('deny: tell the agent why');
    s.press('use the staging script\r');
    await c.waitForCall('prompts.resolve');
    expect(c.callsTo('prompts.resolve')).toEqual([['p-1', { decision: 'deny', scope: 'once', reason: 'use the staging script' }]]);
  });

  it('the Prompts view shows segments, the missed one, what asked and the always rule', async () => {
    const c = seeded();
    c.addPrompt({ id: 'p-1' });
    c.addPrompt({ id: 'p-2', agent: 'build-bot', command: 'make deploy', expires_at: new Date(T0 + 90_000).toISOString(), segments: [{ argv: ['make', 'deploy'], matched_rule: null, verdict: 'ask' }], always_rule: 'make deploy' });
    const s = open(c);
    s.press('2');
    const f = await s.waitFor('allow always writes: npm run deploy');
    expect(f).toMatch(/1\. rm -rf build\s+allow \(rm -rf build\)/);
    expect(f).toMatch(/▶ 2\. npm run deploy\s+ask \(no rule\)/);
    expect(f).toContain('asked: segment 2 `npm run deploy` matched no rule (policy: ask)');
    expect(f).not.toContain('▲ ASK'); // no banner over the Prompts view itself
    s.press('j');
    await s.waitFor('allow always writes: make deploy');
    s.press('d');
    await c.waitForCall('prompts.resolve');
    expect(c.callsTo('prompts.resolve')).toEqual([['p-2', { decision: 'deny', scope: 'once' }]]);
  });

  it('when another console answered first, says so and re-reads the asks', async () => {
    const c = seeded();
    const s = open(c);
    const p = c.addPrompt({ id: 'p-1' });
    await s.waitFor('▲ ASK');
    p.state = 'denied'; // answered elsewhere; this console has not heard yet
    s.press('pa');
    await s.waitFor('answer p-1 failed: prompt p-1 is already denied');
    await s.waitFor((f) => !f.includes('▲ ASK'));
  });

  it('re-reads everything after a gap in the event stream', async () => {
    const c = seeded();
    const s = open(c);
    await s.waitFor('reindex');
    c.addTask({ task_id: 't-7', description: 'missed while behind' }, false);
    c.emit({ type: 'gap', dropped: 12 });
    await s.waitFor('missed while behind');
  });

  it('a prompt answered elsewhere disappears from the banner', async () => {
    const c = seeded();
    const s = open(c);
    const p = c.addPrompt({ id: 'p-1' });
    await s.waitFor('▲ ASK');
    p.state = 'allowed';
    c.emit({ type: 'prompt.resolved', prompt: p, decision: 'allow', scope: 'once', by: 'other-console' });
    await s.waitFor((f) => !f.includes('▲ ASK'));
  });
});

describe('assistant brief of an ask', () => {
  const brief = (subject_id: string, risk: 'low' | 'high', summary: string) => ({
    state: 'ready' as const,
    error: null,
    reason: null,
    brief: { subject_id, risk, summary, text: summary, model: 'fake', provider: 'anthropic' as const, created_at: new Date(T0).toISOString(), tokens_in: 1, tokens_out: 1 },
  });

  it('shows the brief of the selected ask in the Prompts view, and follows the selection', async () => {
    const c = seeded();
    c.addPrompt({ id: 'p-1' });
    c.addPrompt({ id: 'p-2', agent: 'build-bot', command: 'make deploy', expires_at: new Date(T0 + 90_000).toISOString(), segments: [{ argv: ['make', 'deploy'], matched_rule: null, verdict: 'ask' }], always_rule: 'make deploy' });
    c.briefs.set('p-1', brief('p-1', 'high', 'deploys straight to production from a dirty tree'));
    c.briefs.set('p-2', brief('p-2', 'low', 'the usual make target'));
    const s = open(c);
    s.press('2');
    const f = await s.waitFor('risk high · deploys straight to production from a dirty tree');
    expect(f).toMatch(/^ {2}assistant {4}risk high/m);
    expect(f).toContain('allow always writes: npm run deploy'); // the rest of the ask is still there
    s.press('j');
    await s.waitFor((fr) => fr.includes('risk low · the usual make target') && !fr.includes('risk high'));
    for (const line of s.frame().split('\n')) expect(Array.from(line).length).toBeLessThanOrEqual(120);
  });

  it('says a brief is being made, shows it when it arrives, and says nothing when the assistant is off', async () => {
    const c = seeded();
    c.addPrompt({ id: 'p-1' });
    c.briefs.set('p-1', { state: 'briefing', brief: null, error: null, reason: null });
    const s = open(c);
    s.press('2');
    await s.waitFor(/assistant\s+briefing…/);
    c.briefs.set('p-1', brief('p-1', 'low', 'harmless build step'));
    await s.waitFor('risk low · harmless build step', 4000);

    const off = seeded();
    off.addPrompt({ id: 'p-9' });
    off.assistantOff = 'no provider key';
    const t = open(off);
    t.press('2');
    await t.waitFor('allow always writes');
    await off.waitForCall('assistant.history');
    await settle(50);
    expect(t.frame()).not.toMatch(/assistant\s/);
  });
});

describe('alerts', () => {
  it('lists live alerts by severity and acknowledges with a', async () => {
    const c = seeded();
    c.addAlert({ id: 'a-1', severity: 'P2', message: 'off-hours change' });
    const s = open(c);
    s.press('3');
    await s.waitFor('off-hours change');
    c.addAlert({ id: 'a-2', severity: 'P0', message: 'policy tampered' });
    const f = await s.waitFor('policy tampered');
    expect(f.indexOf('policy tampered')).toBeLessThan(f.indexOf('off-hours change'));
    expect(selectedLine(f)).toContain('off-hours change'); // the selection stays on its alert
    s.press('ga');
    await c.waitForCall('alerts.ack');
    expect(c.callsTo('alerts.ack')).toEqual([['a-2']]);
    await s.waitFor(/✓ operator\s+policy tampered/);
  });
});

describe('read-only console', () => {
  it('hides dangerous keys from the footer, the banner and help, and refuses them', async () => {
    const c = seeded();
    c.addPrompt({ id: 'p-1' });
    const s = open(c, 120, 40, { readonly: true });
    const f = await s.waitFor('reindex');
    expect(f).not.toMatch(/a approve|r reject|x abort|space mark/);
    expect(f).toContain('read-only console: answer from another console');
    s.press('partxA');
    await settle(50);
    expect(c.callsTo('tasks.approve')).toEqual([]);
    expect(c.callsTo('tasks.abort')).toEqual([]);
    expect(c.callsTo('prompts.resolve')).toEqual([]);
    s.press('?');
    const help = await s.waitFor('Keys  (esc or ? closes)');
    expect(help).not.toContain('approve the selected');
    expect(help).toContain('read-only console: actions that change state are hidden');
  });
});

describe('help', () => {
  it('is generated from the keymap and closes with esc', async () => {
    const s = open(seeded());
    await s.waitFor('reindex');
    s.press('?');
    const f = await s.waitFor('Keys  (esc or ? closes)');
    expect(f).toContain('approve the selected (or marked) tasks');
    expect(f).toContain('abort the selected task (asks to confirm)');
    expect(f).toContain('allow always: shows the rule, asks first');
    s.press('\x1b');
    await s.waitFor('reindex');
  });

  it('runs : commands and names the unknown ones', async () => {
    const c = seeded();
    const s = open(c);
    await s.waitFor('reindex');
    s.press(':alerts\r');
    await s.waitFor('[3 Alerts');
    s.press(':frobnicate\r');
    await s.waitFor("unknown command 'frobnicate'");
    s.press(':trust\r');
    await s.waitFor('Trust the policy on disk (1 changed lines, sha256 bbbbbbbbbbbb…)?');
    s.press('y');
    await c.waitForCall('firewall.trust');
    // The trust names the text whose diff the dialog counted (law 8).
    expect(c.callsTo('firewall.trust')).toEqual([['b'.repeat(64)]]);
  });
});

describe('bounded cost', () => {
  it('asks only for the visible page of a million tasks and pages as the cursor moves', async () => {
    const c = seeded();
    c.tasks.list = async (query = {}) => {
      c.calls.push({ method: 'tasks.list', args: [query] });
      const offset = Number(query.offset ?? 0);
      const limit = Number(query.limit ?? 50);
      const tasks = Array.from({ length: limit }, (_, i) => c.tasksById.get('t-1') && { ...c.tasksById.get('t-1')!, transitions: undefined, task_id: `m-${offset + i}`, description: `bulk ${offset + i}` });
      return { total: 1_000_000, tasks: tasks as never };
    };
    const s = open(c, 120, 40);
    await s.waitFor('[1 Queue (1000000)]');
    const first = c.callsTo('tasks.list').at(-1)?.[0] as { limit: number; offset: number };
    expect(first.offset).toBe(0);
    expect(first.limit).toBeLessThan(40);
    s.press('G');
    await s.waitFor((f) => selectedLine(f).includes('m-999999'));
    const last = c.callsTo('tasks.list').at(-1)?.[0] as { limit: number; offset: number };
    expect(last.offset).toBe(1_000_000 - first.limit);
  });

  it('coalesces a burst of task events into few refreshes', async () => {
    const c = seeded();
    const s = renderAt(<App client={c} now={now} controller={{ throttleMs: 100 }} />, 120, 40);
    screens.push(s);
    await s.waitFor('reindex');
    const before = c.callsTo('tasks.list').length;
    for (let i = 0; i < 200; i++) c.addTask({ task_id: `b-${i}`, description: `burst ${i}` });
    await s.waitFor('burst 199');
    const refreshes = c.callsTo('tasks.list').length - before;
    expect(refreshes).toBeGreaterThanOrEqual(1);
    expect(refreshes).toBeLessThanOrEqual(3);
  });
});
