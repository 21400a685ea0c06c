// The sandbox's own engine door against a real engine and real bubblewrap (DESIGN.md §11, docs/containment.md):
// an agent run with `gatehouse sandbox` reaches an engine socket inside, but it is a door made for that
// sandbox. From inside, answering its own ask, stopping the engine, trusting a policy, reading the
// ledger or acting as another agent all fail; the hook's decision and `gatehouse exec` still work.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cli, startEngine, tempStateDir, waitFor, type RunningEngine } from '../../support/engine.js';
import { pidsWith, sandboxUsable, startCli, worldDir, writePolicy } from '../../support/contain.js';

const usable = sandboxUsable();

// Run inside the sandbox by node: every operator method, and claims of another agent, over the socket.
const RAW = `import { connect } from 'node:net';
const s = connect(process.argv[2]);
let buf = ''; const waiting = new Map(); let n = 0;
s.on('data', (d) => { buf += d; let i; while ((i = buf.indexOf('\\n')) >= 0) { const m = JSON.parse(buf.slice(0, i)); buf = buf.slice(i + 1); waiting.get(m.id)?.(m); } });
const call = (method, params) => new Promise((r) => { const id = ++n; waiting.set(id, r); s.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\\n'); });
const out = {};
for (const [name, method, params] of [
  ['hello', 'hello', { client: 'tui', user: 'operator' }],
  ['check_self', 'firewall.check', { command: 'echo hi' }],
  ['check_other', 'firewall.check', { command: 'echo hi', agent: 'other' }],
  ['register_other', 'agents.register', { name: 'other', pid: 1 }],
  ['list', 'prompts.list', {}],
  ['resolve', 'prompts.resolve', { id: process.argv[3], decision: 'allow', scope: 'always' }],
  ['cancel_other', 'prompts.cancel', { id: process.argv[4] }],
  ['shutdown', 'shutdown', {}],
  ['reload', 'reload', {}],
  ['trust', 'policy.trust', { sha256: '0'.repeat(64) }],
  ['ledger', 'ledger.recent', { limit: 5 }],
  ['status', 'status', {}],
  ['alerts', 'alerts.list', {}],
  ['agents', 'agents.list', {}],
  ['contain', 'contain.open', { agent: 'other', door: true }],
  ['subscribe_tasks', 'subscribe', { topics: ['tasks'] }],
  ['alert_p0', 'alerts.raise', { severity: 'P0', source: 'integrity', check: 'core_file_missing', message: 'forged page' }],
  ['alert_p0_hook', 'alerts.raise', { severity: 'P0', source: 'secrets', check: 'secret_in_tool_output', message: 'forged page' }],
  ['alert_hook', 'alerts.raise', { severity: 'P1', source: 'secrets', check: 'secret_in_tool_output', message: 'door probe' }],
]) { const m = await call(method, params); out[name] = m.error ? 'error:' + m.error.data?.code : (m.result?.decision ?? 'ok'); }
// A flood of the hook's own kind: a minute's worth passes, the rest is refused.
out.flood_passed = 0;
for (let i = 0; i < 40; i++) if (!(await call('alerts.raise', { severity: 'P1', source: 'mcp', check: 'prompt_injection', message: 'flood ' + i })).error) out.flood_passed++;
console.log('RAW ' + JSON.stringify(out));
s.end();
`;

describe.skipIf(!usable)("the sandbox's engine door", { timeout: 180_000 }, () => {
  let e: RunningEngine;
  let stateDir: string;
  let ws: string;

  beforeAll(async () => {
    stateDir = tempStateDir('gh-door-');
    ws = join(worldDir(), 'ws');
    mkdirSync(ws, { recursive: true });
    writePolicy(stateDir, ['version: 1', 'policy: ask', 'ask_ttl: 60s', 'allowlist: ["echo *", "true"]', ''].join('\n'));
    e = await startEngine({ stateDir });
  }, 30_000);

  afterAll(async () => {
    await e?.stop();
    rmSync(join(ws, '..'), { recursive: true, force: true });
  });

  it('refuses from inside what only an operator does, and claims of another agent; the hook and exec still work', async () => {
    // An ask of another agent, opened from outside: the sandbox may not cancel it.
    const other = startCli(stateDir, ['exec', '--agent', 'other', '--', 'make', 'other-thing'], { cwd: ws });
    const otherPrompt = await waitFor(() => (JSON.parse(cli(['pending', '--json'], { stateDir }).stdout) as Array<{ id: string; agent: string }>).find((p) => p.agent === 'other'), 20_000, "the other agent's prompt");
    const G = `"${process.execPath}" "${BIN}"`;
    const hookInput = JSON.stringify({ session_id: 's', transcript_path: '/tmp/t', cwd: ws, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'echo from-hook' } });
    writeFileSync(join(ws, 'raw.mjs'), RAW);
    writeFileSync(
      join(ws, 'door.sh'),
      [
        `${G} exec -- make deploy >ask.out 2>ask.err &`,
        'pid=$!',
        'i=0; while ! grep -q "(prompt " ask.err 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done',
        `id=$(sed -n 's/.*(prompt \\([^,]*\\),.*/\\1/p' ask.err)`,
        'echo "id=$id"',
        `${G} resolve "$id" allow 2>resolve.err; echo "resolve=$?"`,
        `${G} stop 2>stop.err; echo "stop=$?"`,
        `"${process.execPath}" raw.mjs "${join(stateDir, 'gatehouse.sock')}" "$id" "${otherPrompt.id}"`,
        `echo '${hookInput}' | ${G} hook claude-code; echo "hook=$?"`,
        `${G} exec -- echo nested-allowed`,
        'touch tried',
        'wait $pid; echo "exec=$?"',
        '',
      ].join('\n'),
    );
    const run = startCli(stateDir, ['sandbox', '--agent', 'coder', '--', 'sh', 'door.sh'], { cwd: ws });
    await waitFor(() => existsSync(join(ws, 'tried')), 60_000, 'the agent to try the operator methods');
    // The operator answers the agent's ask from outside.
    const own = (JSON.parse(cli(['pending', '--json'], { stateDir }).stdout) as Array<{ id: string; agent: string; command: string }>).find((p) => p.agent === 'coder');
    expect(own?.command).toBe('make deploy');
    expect(cli(['resolve', own!.id, 'deny', '--reason', 'not from inside'], { stateDir }).code).toBe(0);
    const r = await run.done;
    expect(r.stdout).toMatch(/^id=\S+/m);
    expect(r.stdout).toMatch(/^resolve=[1-9]/m);
    expect(readFileSync(join(ws, 'resolve.err'), 'utf8')).toMatch(/engine door \(agent coder\)/);
    expect(r.stdout).toMatch(/^stop=[1-9]/m);
    expect(readFileSync(join(ws, 'stop.err'), 'utf8')).toMatch(/refused on the sandbox's engine door/);
    const raw = JSON.parse(/^RAW (.*)$/m.exec(r.stdout)![1]!) as Record<string, string>;
    expect(raw).toEqual({
      hello: 'ok',
      check_self: 'allow',
      check_other: 'error:forbidden',
      register_other: 'error:forbidden',
      list: 'error:forbidden',
      resolve: 'error:forbidden',
      cancel_other: 'error:forbidden',
      shutdown: 'error:forbidden',
      reload: 'error:forbidden',
      trust: 'error:forbidden',
      ledger: 'error:forbidden',
      status: 'error:forbidden',
      alerts: 'error:forbidden',
      agents: 'error:forbidden',
      contain: 'error:forbidden',
      subscribe_tasks: 'error:forbidden',
      alert_p0: 'error:forbidden',
      alert_p0_hook: 'error:forbidden',
      alert_hook: 'ok',
      flood_passed: 29,
    });
    // What passed is marked as the agent's; nothing forged reached the operator as a page; the flood was said once.
    const alerts = (await e.http('GET', '/api/alerts?limit=1000')).body.data as Array<{ severity: string; check: string; message: string; evidence?: Record<string, unknown> }>;
    expect(alerts.filter((a) => a.message === 'forged page')).toEqual([]);
    expect(alerts.find((a) => a.message === 'door probe')?.evidence).toMatchObject({ raised_by_agent: 'coder' });
    expect(alerts.find((a) => a.message.startsWith('flood '))?.evidence).toMatchObject({ raised_by_agent: 'coder' });
    expect(alerts.filter((a) => a.check === 'agent_alert_flood')).toEqual([expect.objectContaining({ severity: 'P2', evidence: { agent: 'coder' } })]);
    // The hook still decides (as the sandbox's agent), and a nested exec runs.
    expect(r.stdout).toMatch(/"permissionDecision":"allow"/);
    expect(r.stdout).toMatch(/^hook=0/m);
    expect(r.stdout).toContain('nested-allowed');
    // The ask was the operator's to answer: denied by the operator, not allowed by the agent.
    expect(r.stdout).toMatch(/^exec=126/m);
    expect(readFileSync(join(ws, 'ask.err'), 'utf8')).toMatch(/not from inside/);
    // The engine still runs; the other agent's prompt is still pending; nothing was registered as it.
    expect((await e.http('GET', '/api/queue/status')).status).toBe(200);
    const pending = JSON.parse(cli(['pending', '--json'], { stateDir }).stdout) as Array<{ id: string }>;
    expect(pending.map((p) => p.id)).toContain(otherPrompt.id);
    const agents = (await e.http('GET', '/api/agents')).body.data as Array<{ name: string; pid: number | null }>;
    expect(agents.find((a) => a.name === 'other')?.pid ?? null).not.toBe(1);
    cli(['resolve', otherPrompt.id, 'deny'], { stateDir });
    await other.done;
    // The door and the proxy are gone with the sandbox (and the other exec's session with it).
    await waitFor(() => readdirOrEmpty(join(stateDir, 'egress')).length === 0, 5_000, 'the door and proxy sockets to be removed');
  });

  it('SIGKILL of the engine stops a whole sandboxed agent: no unconfined leftover (last: it kills the engine)', async () => {
    const run = startCli(stateDir, ['sandbox', '--agent', 'coder', '--', 'sleep', '4246'], { cwd: ws });
    await waitFor(() => pidsWith('sleep 4246').length > 0, 30_000, 'the sandboxed agent');
    await e.kill9();
    const r = await run.done;
    expect(r.code).toBe(126);
    expect(r.stderr).toMatch(/the engine went away/);
    await waitFor(() => pidsWith('sleep 4246').length === 0, 5_000, 'the sandbox to stop');
  });
});

function readdirOrEmpty(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
