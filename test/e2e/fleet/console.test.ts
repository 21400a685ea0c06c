// One console over two real engines (two state dirs) on this machine over unix://, named in fleet.hosts,
// in a real tmux pane (private socket, CI unset): both hosts' asks in one Prompts view with a host
// column, an answer given in the console landing on the second host only; then that engine killed
// (-9) and shown down, never as "nothing pending", and back by itself with capped backoff once it is
// started again on the same state dir. Also: status --tmux over the fleet, and a bad fleet.hosts refused.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cli, configHomeFor, policyPathFor, startEngine, tempStateDir, waitFor, type RunningEngine } from '../../support/engine.js';
import { TmuxServer, hasTmux } from '../../support/tmuxPane.js';

const POLICY = `version: 1
policy: ask
ask_ttl: 300s
allowlist:
  - pattern: "echo *"
`;

function withPolicy(dir: string): string {
  mkdirSync(dirname(policyPathFor(dir)), { recursive: true });
  writeFileSync(policyPathFor(dir), POLICY, { mode: 0o600 });
  return dir;
}

/** A `gatehouse exec` on an engine that waits on an ask; resolves with its exit code. */
function askingExec(stateDir: string, marker: string): { done: Promise<number | null>; proc: ChildProcess } {
  const proc = spawn(process.execPath, [BIN, '--state-dir', stateDir, 'exec', '--', 'touch', marker], { env: { ...process.env, XDG_CONFIG_HOME: configHomeFor(stateDir) }, stdio: 'ignore' });
  return { proc, done: new Promise((r) => proc.on('exit', (code) => r(code))) };
}

let tmux: TmuxServer;
const engines: RunningEngine[] = [];
const procs: ChildProcess[] = [];
let dirA: string;
let dirB: string;
let configFile: string;

beforeAll(async () => {
  dirA = withPolicy(tempStateDir());
  dirB = withPolicy(tempStateDir());
  engines.push(...(await Promise.all([startEngine({ stateDir: dirA }), startEngine({ stateDir: dirB })])));
  configFile = join(tempStateDir(), 'fleet.yaml');
  writeFileSync(configFile, `fleet:\n  hosts:\n    - { name: gw1, url: "unix://${dirA}/gatehouse.sock" }\n    - { name: gw2, url: "unix://${dirB}/gatehouse.sock" }\n`, { mode: 0o600 });
  if (hasTmux) tmux = new TmuxServer();
});
afterAll(async () => {
  tmux?.close();
  for (const p of procs) p.kill('SIGKILL');
  for (const e of engines) await e.stop().catch(() => undefined);
});

describe.skipIf(!hasTmux)('the console over two engines', () => {
  it("shows both hosts' asks, answers one on the second host, and shows it down and back across a kill -9", async () => {
    const markA = join(tmpdir(), `gh-fleet-console-a-${process.pid}`);
    const markB = join(tmpdir(), `gh-fleet-console-b-${process.pid}`);
    const onA = askingExec(dirA, markA);
    procs.push(onA.proc);
    // B's ask comes second, so it expires later and is listed second.
    await waitFor(() => JSON.parse(cli(['pending', '--json'], { stateDir: dirA }).stdout).length === 1, 20_000, 'the ask on gw1');
    const onB = askingExec(dirB, markB);
    procs.push(onB.proc);
    await waitFor(() => JSON.parse(cli(['pending', '--json'], { stateDir: dirB }).stdout).length === 1, 20_000, 'the ask on gw2');

    // --state-dir is the tmux helper's; the hosts are named, so the console goes to them.
    const pane = tmux.console(tempStateDir(), ['--config', configFile, 'attach', '--host', 'gw1', '--host', 'gw2'], {}, { columns: 140, rows: 40 });
    await pane.waitFor((s) => s.includes('fleet 2/2 up') && s.includes('gw1 ● 1 ask') && s.includes('gw2 ● 1 ask'));
    pane.keys('2');
    const both = await pane.waitFor((s) => s.includes(markA) && s.includes(markB));
    expect(both).toMatch(/HOST\s+LEFT/);
    expect(both).toMatch(new RegExp(`gw2\\s+\\d+:\\d+.*touch ${markB}`));
    pane.keys('j');
    await pane.waitFor(new RegExp(`›\\s*gw2.*touch ${markB}`));
    pane.keys('d');
    expect(await onB.done).not.toBe(0);
    expect(existsSync(markB)).toBe(false);
    // The answer landed on gw2 only: gw1's ask is still waiting there.
    await pane.waitFor((s) => s.includes('gw2 ● ok') && s.includes('gw1 ● 1 ask'));
    expect(JSON.parse(cli(['pending', '--json'], { stateDir: dirA }).stdout)).toHaveLength(1);

    // gw2 dies: shown down, gw1's ask still there; never an all clear for gw2.
    await engines[1]!.kill9();
    await pane.waitFor((s) => /gw2 ✗ down/.test(s) && s.includes('fleet 1/2 up') && s.includes('gw2 down: its asks are not shown'));
    expect(pane.screen()).toContain(markA);
    // The status line over the fleet says so too.
    const line = cli(['--config', configFile, 'status', '--tmux']);
    expect(line.stdout.trim()).toBe('gh 1 ask · 1 host down');

    // Started again on the same state dir: back by itself (backoff capped at 8 s), a new ask shown.
    const again = await startEngine({ stateDir: dirB });
    engines.push(again);
    await pane.waitFor((s) => s.includes('fleet 2/2 up') && !s.includes('✗ down'), 20_000);
    const markB2 = `${markB}-2`;
    const onB2 = askingExec(dirB, markB2);
    procs.push(onB2.proc);
    await pane.waitFor((s) => s.includes(markB2), 20_000);

    // Clean up: answer the rest from the shell over the fleet.
    // gw2 came back from a kill -9: it raises its crash alert, summed with the rest.
    expect(cli(['--config', configFile, 'status', '--tmux']).stdout.trim()).toMatch(/^gh 2 ask( · P\d alert)?$/);
    for (const id of JSON.parse(cli(['--config', configFile, 'pending', '--json']).stdout).map((p: { id: string }) => p.id)) {
      expect(cli(['--config', configFile, 'resolve', id, 'deny']).code).toBe(0);
    }
    expect(await onA.done).not.toBe(0);
    expect(await onB2.done).not.toBe(0);
    rmSync(markA, { force: true });
    pane.keys('q');
  });
});

describe('fleet.hosts in the config', () => {
  it('is refused with the key and what is wrong', () => {
    const bad = join(tempStateDir(), 'bad.yaml');
    writeFileSync(bad, 'fleet:\n  hosts:\n    - { name: gw1, url: "http://gw1" }\n    - { name: gw1, url: "ssh://gw2" }\n');
    const r = cli(['--config', bad, 'pending']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/fleet\.hosts\.0\.url/);
    expect(r.stderr).toMatch(/unix:\/\/\/path\/gatehouse\.sock or ssh:\/\//);
    expect(r.stderr).toMatch(/fleet\.hosts\.1\.name.*already the name of hosts\[0\]/);
    const unknown = cli(['--config', configFile, 'pending', '--host', 'gw9']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--host gw9: not a URL .* nor a name in fleet\.hosts \(gw1, gw2\)/);
  });
});
