// The CLI at its edges, as a process: a mistyped command gets a suggestion, every usage error is one line
// and exit 2, a busy port is named with its holder and leaves nothing behind, access errors say who cannot
// read what, `exec` says it waits for the operator, `resolve` takes an id prefix, `status --tmux` reads as
// words, and a headless engine logs its decisions at info.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, cli, configHomeFor, startEngine, tempStateDir, waitFor, type RunningEngine } from '../../support/engine.js';

const engines: RunningEngine[] = [];
afterAll(async () => {
  for (const e of engines) await e.stop();
});

const oneLine = (s: string) => s.trim().split('\n').length === 1;

describe('usage errors', () => {
  it('suggests the command a typo meant, on one line, exit 2', () => {
    const r = cli(['stauts'], { stateDir: tempStateDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'stauts': did you mean status?");
    expect(oneLine(r.stderr)).toBe(true);
    const sub = cli(['tasks', 'lst'], { stateDir: tempStateDir() });
    expect(sub.code).toBe(2);
    expect(sub.stderr).toContain('did you mean list?');
  });

  it('submit --cost abc and run --port 99999 are one line and exit 2, before any work', () => {
    const dir = tempStateDir();
    const cost = cli(['submit', '--cost', 'abc'], { stateDir: dir });
    expect(cost.code).toBe(2);
    expect(cost.stderr.trim()).toBe('gatehouse: --cost: not a number');
    const port = cli(['run', '--no-tui', '--port', '99999'], { stateDir: dir });
    expect(port.code).toBe(2);
    expect(oneLine(port.stderr)).toBe(true);
    expect(port.stderr).toContain('--port 99999: use a whole number from 0 to 65535');
    expect(existsSync(join(dir, 'gatehouse.lock'))).toBe(false);
  });
});

describe('a busy port', () => {
  it('names the port, who holds it and what to change; leaves no sentinel or socket; the next start reports no crash', async () => {
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const dir = tempStateDir();
    try {
      const r = cli(['run', '--no-tui', '--port', String(port)], { stateDir: dir, timeoutMs: 30_000 });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`cannot listen on 127.0.0.1:${port}: the port is in use by pid ${process.pid}`);
      expect(r.stderr).toContain('--port N');
      expect(r.stderr).toContain('api.port');
      expect(r.stderr).not.toContain('EADDRINUSE');
      for (const f of ['sentinel.json', 'gatehouse.sock', 'gatehouse.lock']) expect(existsSync(join(dir, f)), f).toBe(false);
    } finally {
      server.close();
    }
    const e = await startEngine({ stateDir: dir });
    engines.push(e);
    const st = JSON.parse(cli(['status', '--json'], { stateDir: dir }).stdout);
    expect(st.crashed_last_run).toBe(false);
    const alerts = await e.http('GET', '/api/alerts');
    expect(alerts.body.data.map((a: { check: string }) => a.check)).not.toContain('crash_recovered');
    await e.stop();
  }, 60_000);
});

// Runs the CLI as user nobody (the tests run as root here; elsewhere they are skipped).
const asRoot = process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0;
function cliAs(args: string[], stateDir: string) {
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, '--state-dir', stateDir, ...args], {
    encoding: 'utf8',
    env: { ...process.env, XDG_CONFIG_HOME: configHomeFor(stateDir), HOME: '/nonexistent' },
    timeout: 20_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('access errors tell the truth', () => {
  it.skipIf(!asRoot)('status, doctor and run as a user who cannot read the state dir say so', async () => {
    const e = await startEngine();
    engines.push(e);
    const status = cliAs(['status'], e.stateDir);
    expect(status.code).toBe(4);
    expect(status.stderr).toContain(`cannot read the state dir ${e.stateDir} as user nobody`);
    expect(status.stderr).not.toContain('no gatehouse engine is running');
    expect(cliAs(['status', '--tmux'], e.stateDir).stdout.trim()).toBe('gh ✗ no access');
    const doctor = cliAs(['doctor'], e.stateDir);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(/FAIL state_dir +cannot read the state dir .* as user nobody/);
    const run = cliAs(['run', '--no-tui', '--port', '0'], e.stateDir);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('cannot read the state dir');
    expect(run.stderr).not.toMatch(/EACCES|EEXIST/);
    // The engine that runs is untouched.
    expect(cli(['status'], { stateDir: e.stateDir }).code).toBe(0);
    await e.stop();
  }, 60_000);

  it('a regular file given as the state dir is diagnosed as one, not as a mode problem', () => {
    const file = join(tempStateDir(), 'not-a-dir');
    writeFileSync(file, 'x');
    const doctor = cli(['doctor'], { stateDir: file });
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toContain(`the state dir ${file} is a regular file, not a directory`);
    expect(doctor.stdout).not.toContain('has mode');
    const run = cli(['run', '--no-tui', '--port', '0'], { stateDir: file });
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('is a regular file, not a directory');
    const status = cli(['status'], { stateDir: file });
    expect(status.code).toBe(4);
    expect(status.stderr).toContain('is a regular file');
  });
});

describe('with an engine', () => {
  it('exec says it waits for the operator; resolve takes the 8-character prefix; a second answer is one readable line', async () => {
    const e = await startEngine();
    engines.push(e);
    const d = { stateDir: e.stateDir };
    const exec = spawn(process.execPath, [BIN, '--state-dir', e.stateDir, 'exec', '--', 'curl', 'https://example.com/exec-waits'], {
      env: { ...process.env, XDG_CONFIG_HOME: configHomeFor(e.stateDir) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    exec.stderr.on('data', (c) => (stderr += c));
    const exited = new Promise<number | null>((r) => exec.once('exit', (c) => r(c)));
    const m = await waitFor(() => /waiting for the operator \(prompt (\S+), expires in (\d+) s\)/.exec(stderr), 20_000, 'the waiting line');
    const id = m[1]!;
    expect(Number(m[2])).toBeGreaterThan(0);
    const prefix = id.slice(0, 8);
    const r = cli(['resolve', prefix, 'deny', '--reason', 'not from here'], d);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(id);
    expect(await exited).toBe(126);
    const again = cli(['resolve', id, 'allow'], d);
    expect(again.code).toBe(1);
    expect(oneLine(again.stderr)).toBe(true);
    expect(again.stderr).not.toMatch(/[{}]/);
    // Decisions at info on the headless engine's stdout.
    await waitFor(() => /firewall decision/.test(e.output()) && /prompt answered: deny/.test(e.output()), 10_000, 'decision log lines');
    // Several statuses in one list (the console's status:pend), over REST and the socket.
    cli(['submit', '-d', 'waits for a decision', '--cost', '3'], d);
    const both = await e.http('GET', '/api/queue/tasks?status=pending&status=pending_approval');
    expect(both.status).toBe(200);
    expect(both.body.data.tasks.map((t: { status: string }) => t.status)).toContain('pending_approval');
    expect((await e.http('GET', '/api/queue/tasks?status=pending&status=nope')).status).toBe(400);
    const tmux = cli(['status', '--tmux'], d);
    expect(tmux.code).toBe(0);
    expect(tmux.stdout.trim()).toMatch(/^gh (ok|.*(ask|pending|running|alert))/);
    await e.stop();
  }, 60_000);
});
