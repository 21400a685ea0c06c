// Firewall asks answered from the console in a real terminal, and two consoles attached to one engine at
// once: the first answer wins and the other console shows it resolved. The requester's HTTP answer and the
// engine's state over the API are checked, not just the screen.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { policyPathFor, startEngine, tempStateDir, waitFor, type RunningEngine } from '../../support/engine.js';
import { TmuxServer, hasTmux, taskRow, type Pane } from '../../support/tmuxPane.js';

const POLICY = `version: 1
policy: ask
ask_ttl: 300s
allowlist:
  - pattern: "git status"
denylist:
  - pattern: "rm -rf *"
`;

let e: RunningEngine;
let tmux: TmuxServer;
let panes: Pane[] = [];

interface CheckAnswer {
  status: number;
  body: { data: { decision: string; source: string; reason: string } };
}

/** An agent asking to run a command and waiting for the verdict, as the gateway does; `settled` says if it came. */
function ask(command: string, agent: string): { answer: Promise<CheckAnswer>; settled: () => boolean } {
  let done = false;
  const answer = e.http('POST', '/api/firewall/check', { command, agent, wait: true }).then((r) => {
    done = true;
    return r as CheckAnswer;
  });
  return { answer, settled: () => done };
}

async function pendingPrompt(command: string): Promise<{ id: string; state: string }> {
  return waitFor(async () => ((await e.http('GET', '/api/prompts')).body.data as Array<{ id: string; command: string; state: string }>).find((p) => p.command === command), 20_000, `a pending ask for ${command}`);
}

async function promptState(id: string): Promise<string> {
  return (await e.http('GET', `/api/prompts/${id}`)).body.data.state as string;
}

async function submit(description: string): Promise<string> {
  const r = await e.http('POST', '/api/tasks', { task_type: 'chat', description, estimated_cost: 0.02 });
  expect(r.status).toBe(201);
  return r.body.data.task_id as string;
}

async function attach(): Promise<Pane> {
  const pane = tmux.console(e.stateDir, ['attach']);
  panes.push(pane);
  await pane.waitFor(/\[1 Queue \(\d+\)\]/);
  return pane;
}

beforeAll(async () => {
  if (!hasTmux) return;
  const stateDir = tempStateDir();
  mkdirSync(dirname(policyPathFor(stateDir)), { recursive: true });
  writeFileSync(policyPathFor(stateDir), POLICY, { mode: 0o600 });
  e = await startEngine({ stateDir });
  tmux = new TmuxServer();
});
afterAll(async () => {
  tmux?.close();
  await e?.stop();
});
afterEach(() => {
  for (const p of panes) p.keys('C-c', 'C-c');
  panes = [];
});

describe.skipIf(!hasTmux)('firewall asks in the console (tmux, real engine)', () => {
  it('a banner ask is answered only after p: allow once, then deny with feedback; a meant for a task approves the task', async () => {
    const taskId = await submit('prompt-test summarise inbox');
    const pane = await attach();
    await pane.waitFor(taskRow(taskId, 'pending_approval'));

    const deploy = ask('npm run deploy', 'e2e-agent');
    const shown = await pane.waitFor((s) => s.includes('▲ ASK  agent e2e-agent') && s.includes('npm run deploy'));
    expect(shown).toContain('p answer ask   2 every ask');
    expect(shown).toMatch(/segment 1 `npm run deploy` .*\(policy: ask\)/);
    const prompt = await pendingPrompt('npm run deploy');

    // The operator presses a for the selected task just as the ask appears: the task is approved, the
    // command is not.
    pane.type('a');
    await pane.waitFor(taskRow(taskId, 'approved'));
    expect((await e.http('GET', `/api/queue/task/${taskId}`)).body.data.status).toBe('approved');
    expect(await promptState(prompt.id)).toBe('pending');
    expect(deploy.settled()).toBe(false);

    pane.type('p');
    await pane.waitFor('▶ ANSWERING  agent e2e-agent');
    pane.type('a');
    const allowed = await deploy.answer;
    expect(allowed.status).toBe(200);
    expect(allowed.body.data).toMatchObject({ decision: 'allow', source: 'operator' });
    await pane.waitFor((s) => !s.includes('▲ ASK') && !s.includes('ANSWERING'));
    expect(await promptState(prompt.id)).not.toBe('pending');

    const make = ask('make deploy', 'e2e-agent');
    await pane.waitFor((s) => s.includes('▲ ASK') && s.includes('make deploy'));
    pane.type('p');
    await pane.waitFor('▶ ANSWERING');
    pane.type('D');
    await pane.waitFor('deny: tell the agent why:');
    pane.type('use the staging script');
    pane.keys('Enter');
    const denied = await make.answer;
    expect(denied.body.data).toMatchObject({ decision: 'deny', source: 'operator' });
    expect(denied.body.data.reason).toMatch(/use the staging script/);
    await pane.waitFor((s) => !s.includes('▲ ASK') && !s.includes('ANSWERING'));
  }, 240_000);

  it('two consoles: the first answer wins, and the other shows it resolved', async () => {
    const taskId = await submit('two-consoles reindex documents');
    const one = await attach();
    const two = await attach();
    await one.waitFor(taskRow(taskId, 'pending_approval'));
    await two.waitFor(taskRow(taskId, 'pending_approval'));
    // Select the task in both consoles by filtering to it.
    for (const pane of [one, two]) {
      pane.type('/two-consoles');
      pane.keys('Enter');
      await pane.waitFor((s) => s.includes('filter: two-consoles') && /\[1 Queue \(1\)\]/.test(s));
    }

    // A task: console one approves; console two sees it approved, and its late reject is refused.
    one.type('a');
    await one.waitFor(taskRow(taskId, 'approved'));
    await two.waitFor(taskRow(taskId, 'approved'));
    two.type('r');
    await two.waitFor(`reject ${taskId}: reason:`);
    two.type('too late');
    two.keys('Enter');
    await two.waitFor(new RegExp(`reject failed for ${taskId}: .*approved`));
    expect((await e.http('GET', `/api/queue/task/${taskId}`)).body.data).toMatchObject({ status: 'approved', decided_by: 'operator' });

    // An ask: both consoles take it up; console one denies; console two says it is no longer pending and
    // its allow changes nothing.
    const curl = ask('make publish', 'two-consoles');
    for (const pane of [one, two]) {
      await pane.waitFor((s) => s.includes('▲ ASK  agent two-consoles'));
      pane.type('p');
      await pane.waitFor('▶ ANSWERING  agent two-consoles');
    }
    const prompt = await pendingPrompt('make publish');
    one.type('d');
    const answer = await curl.answer;
    expect(answer.body.data).toMatchObject({ decision: 'deny', source: 'operator' });
    await one.waitFor((s) => !s.includes('▲ ASK') && !s.includes('ANSWERING'));
    await two.waitFor(`▲ ASK ${prompt.id} is no longer pending (answered elsewhere or expired)`);
    two.type('a');
    await two.waitFor(`ask ${prompt.id} is no longer pending (answered elsewhere or expired): esc goes back`);
    expect(await promptState(prompt.id)).toBe('denied');
    two.keys('Escape');
    await two.waitFor((s) => !s.includes('▲ ASK'));
  }, 240_000);
});
