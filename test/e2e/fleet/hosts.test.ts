// Several engines from one shell (issue 20 slice 1, DESIGN §13): `--host unix://` over two engines on
// this machine, `--host ssh://` through a real OpenSSH server on 127.0.0.1 (a private sshd on a high
// port, generated host and client keys, the client key forced to `gatehouse dial-stdio`), a host that
// is down never hiding the others, and each answer landing on the engine that owns the prompt.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cli, configHomeFor, policyPathFor, startEngine, tempStateDir, waitFor, type RunningEngine } from '../../support/engine.js';

const POLICY = `version: 1
policy: ask
ask_ttl: 120s
allowlist:
  - pattern: "echo *"
`;

async function engineWithPolicy(): Promise<RunningEngine> {
  const dir = tempStateDir();
  mkdirSync(dirname(policyPathFor(dir)), { recursive: true });
  writeFileSync(policyPathFor(dir), POLICY, { mode: 0o600 });
  return startEngine({ stateDir: dir });
}

const unixUrl = (e: RunningEngine) => `unix://${join(e.stateDir, 'gatehouse.sock')}`;

/** A `gatehouse exec` that waits on an ask; resolves with its exit code. */
function askingExec(e: RunningEngine, marker: string): { done: Promise<number | null>; proc: ChildProcess } {
  const proc = spawn(process.execPath, [BIN, '--state-dir', e.stateDir, 'exec', '--', 'touch', marker], { env: { ...process.env, XDG_CONFIG_HOME: configHomeFor(e.stateDir) }, stdio: 'ignore' });
  return { proc, done: new Promise((r) => proc.on('exit', (code) => r(code))) };
}

describe('gatehouse dial-stdio', () => {
  let e: RunningEngine;
  beforeAll(async () => {
    e = await engineWithPolicy();
  });
  afterAll(async () => {
    await e.stop();
  });

  it('bridges stdin/stdout to the engine socket and exits when stdin closes', () => {
    const r = cli(['dial-stdio'], { stateDir: e.stateDir, input: '{"jsonrpc":"2.0","id":1,"method":"hello","params":{"client":"cli","user":"t"}}\n{"jsonrpc":"2.0","id":2,"method":"status","params":{}}\n', timeoutMs: 10_000 });
    // stdin closes right after the two lines: the bridge may close before the answers; it must exit 0.
    expect(r.code).toBe(0);
  });

  it('answers over a pipe that stays open while the client waits', async () => {
    const p = spawn(process.execPath, [BIN, '--state-dir', e.stateDir, 'dial-stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => p.on('exit', (c) => r(c)));
    p.stdin.write('{"jsonrpc":"2.0","id":1,"method":"hello","params":{"client":"cli","user":"t"}}\n{"jsonrpc":"2.0","id":2,"method":"status","params":{}}\n');
    await waitFor(() => out.split('\n').some((l) => l.includes('"id":2') && l.includes('state_dir')), 10_000, 'the status answer');
    p.stdin.end();
    expect(await exited).toBe(0);
  });

  it('exits 3 with a clear message when no engine runs', () => {
    const r = cli(['dial-stdio'], { stateDir: tempStateDir() });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/no gatehouse engine is running/);
  });
});

describe('--host over two engines (unix://)', () => {
  let a: RunningEngine;
  let b: RunningEngine;
  beforeAll(async () => {
    [a, b] = await Promise.all([engineWithPolicy(), engineWithPolicy()]);
  });
  afterAll(async () => {
    await Promise.all([a.stop(), b.stop()]);
  });

  it('status over both, a host that is down shown as down without hiding the others', () => {
    const gone = `unix://${join(tempStateDir(), 'gatehouse.sock')}`;
    const r = cli(['status', '--json', '--host', unixUrl(a), '--host', gone, '--host', unixUrl(b)]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout);
    expect(rows.map((x: { host: string }) => x.host)).toEqual([unixUrl(a), gone, unixUrl(b)]);
    expect(rows[0].up).toBe(true);
    expect(rows[0].status.state_dir).toBe(a.stateDir);
    expect(rows[1].up).toBe(false);
    expect(rows[1].error).toMatch(/no gatehouse engine/);
    expect(rows[2].status.state_dir).toBe(b.stateDir);
    const human = cli(['status', '--host', unixUrl(a), '--host', gone]);
    expect(human.stdout).toContain(`== ${gone}: down`);
    const allDown = cli(['status', '--host', gone]);
    expect(allDown.code).toBe(3);
  });

  it('pending lists every ask with its host; resolve answers on the engine that owns it', async () => {
    const markA = join(tmpdir(), `gh-fleet-a-${process.pid}`);
    const markB = join(tmpdir(), `gh-fleet-b-${process.pid}`);
    const ea = askingExec(a, markA);
    const eb = askingExec(b, markB);
    const hosts = ['--host', unixUrl(a), '--host', unixUrl(b)];
    const all = await waitFor(() => {
      const list = JSON.parse(cli(['pending', '--json', ...hosts]).stdout) as Array<{ id: string; host: string; command: string }>;
      return list.length === 2 ? list : null;
    }, 20_000, 'two asks over the fleet');
    const onA = all.find((p) => p.host === unixUrl(a))!;
    const onB = all.find((p) => p.host === unixUrl(b))!;
    expect(onA.command).toContain(markA);
    expect(onB.command).toContain(markB);

    // A down host is named on stderr; the asks of the others still come back.
    const gone = `unix://${join(tempStateDir(), 'gatehouse.sock')}`;
    const partial = cli(['pending', '--json', ...hosts, '--host', gone]);
    expect(partial.code).toBe(0);
    expect(JSON.parse(partial.stdout)).toHaveLength(2);
    expect(partial.stderr).toContain(`host ${gone} is down`);

    const denyB = cli(['resolve', onB.id.slice(0, 8), 'deny', '--json', ...hosts]);
    expect(denyB.code).toBe(0);
    expect(JSON.parse(denyB.stdout)).toMatchObject({ id: onB.id, host: unixUrl(b), state: 'denied' });
    const allowA = cli(['resolve', onA.id, 'allow', ...hosts]);
    expect(allowA.code).toBe(0);
    expect(allowA.stdout).toContain(`on ${unixUrl(a)}`);
    expect(await ea.done).toBe(0);
    expect(await eb.done).not.toBe(0);
    expect(existsSync(markB)).toBe(false);
    rmSync(markA, { force: true });
    // Each engine's own view agrees: the answer landed where the prompt was.
    expect(JSON.parse(cli(['pending', '--json'], { stateDir: a.stateDir }).stdout)).toEqual([]);
    const unknown = cli(['resolve', 'ffffffff', 'allow', ...hosts]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no pending prompt 'ffffffff' on 2 reachable host/);
  });

  it('ledger list over hosts filters on each engine: a match older than its newest 1000 records is still found', async () => {
    // The answer of the test above is in b's ledger; 1,100 newer firewall decisions bury it.
    const answered = JSON.parse(cli(['ledger', 'list', '--json', '--kind', 'prompt'], { stateDir: b.stateDir }).stdout.split('\n').filter(Boolean).at(-1)!) as { seq: number; action: string };
    for (let i = 0; i < 1100; i += 50) await Promise.all(Array.from({ length: 50 }, () => b.http('POST', '/api/firewall/check', { command: 'echo buried' })));
    const newest = JSON.parse(cli(['ledger', 'list', '--json', '--limit', '1'], { stateDir: b.stateDir }).stdout) as { seq: number };
    expect(newest.seq - answered.seq).toBeGreaterThan(1000);
    const r = cli(['ledger', 'list', '--json', '--kind', 'prompt', '--host', unixUrl(a), '--host', unixUrl(b)]);
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { host: string; seq: number; action: string });
    expect(rows.every((x) => x.action.startsWith('prompt'))).toBe(true);
    expect(rows.find((x) => x.host === unixUrl(b) && x.seq === answered.seq)?.action).toBe(answered.action);
    expect(rows.some((x) => x.host === unixUrl(a))).toBe(true);
  });

  it('refuses a bad host URL, an ssh host that would be an ssh option, and other schemes', () => {
    for (const bad of ['ssh://-oProxyCommand=touch%20x', 'http://x', 'unix://relative/gatehouse.sock', 'ssh://a b', 'ssh://h:99999']) {
      const r = cli(['status', '--host', bad]);
      expect(r.code, bad).toBe(2);
      expect(r.stderr, bad).toMatch(/--host/);
    }
  });
});

function sshdAvailable(): string | null {
  const bin = ['/usr/sbin/sshd', '/usr/bin/sshd'].find((p) => existsSync(p));
  if (!bin) return null;
  // sshd refuses to start without its privilege separation dir (made by systemd's tmpfiles at boot).
  try {
    if (!existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755 });
  } catch {
    return null;
  }
  return bin;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const SSHD = sshdAvailable();
if (!SSHD) console.warn('SKIPPING the ssh:// fleet tests: no runnable sshd here (apt-get install -y openssh-server; /run/sshd must exist)');

describe.skipIf(!SSHD)('--host ssh:// through a real OpenSSH server on 127.0.0.1', () => {
  let e: RunningEngine;
  let sshd: ChildProcess | null = null;
  let dir: string;
  let port: number;
  let sshLog = '';
  let env: NodeJS.ProcessEnv;
  let url: string;

  beforeAll(async () => {
    e = await engineWithPolicy();
    dir = mkdtempSync(join(tmpdir(), 'gh-sshd-'));
    chmodSync(dir, 0o700);
    const keygen = (file: string) => spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file], { encoding: 'utf8' });
    expect(keygen(join(dir, 'host_key')).status).toBe(0);
    expect(keygen(join(dir, 'client_key')).status).toBe(0);
    const pub = spawnSync('cat', [join(dir, 'client_key.pub')], { encoding: 'utf8' }).stdout.trim();
    // The key may do one thing: the bridge to this engine (the hardening an operator would use too).
    writeFileSync(join(dir, 'authorized_keys'), `restrict,command="${process.execPath} ${BIN} --state-dir ${e.stateDir} dial-stdio" ${pub}\n`, { mode: 0o600 });
    port = await freePort();
    writeFileSync(
      join(dir, 'sshd_config'),
      [`Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${join(dir, 'host_key')}`, `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`, 'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'PubkeyAuthentication yes', 'StrictModes no', 'UsePAM no', `PidFile ${join(dir, 'sshd.pid')}`, 'LogLevel VERBOSE'].join('\n') + '\n',
    );
    const hostPub = spawnSync('cat', [join(dir, 'host_key.pub')], { encoding: 'utf8' }).stdout.trim();
    writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${hostPub}\n`);
    writeFileSync(join(dir, 'ssh_config'), ['Host *', `  IdentityFile ${join(dir, 'client_key')}`, '  IdentitiesOnly yes', `  UserKnownHostsFile ${join(dir, 'known_hosts')}`, '  StrictHostKeyChecking yes', '  LogLevel ERROR'].join('\n') + '\n');
    sshd = spawn(SSHD!, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'pipe', 'pipe'] });
    sshd.stdout!.on('data', (d) => (sshLog += d));
    sshd.stderr!.on('data', (d) => (sshLog += d));
    await waitFor(() => {
      if (sshd!.exitCode !== null) throw new Error(`sshd exited (${sshd!.exitCode}):\n${sshLog}`);
      return /Server listening/.test(sshLog);
    }, 10_000, 'sshd to listen');
    env = { GATEHOUSE_SSH_COMMAND: `ssh -F ${join(dir, 'ssh_config')}` };
    const user = spawnSync('id', ['-un'], { encoding: 'utf8' }).stdout.trim();
    url = `ssh://${user}@127.0.0.1:${port}`;
  });
  afterAll(async () => {
    sshd?.kill('SIGTERM');
    await e.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('status over ssh reaches the engine behind it', () => {
    const r = cli(['status', '--json', '--host', url], { env });
    expect(r.code, `${r.stderr}\n${sshLog}`).toBe(0);
    const [row] = JSON.parse(r.stdout);
    expect(row).toMatchObject({ host: url, up: true });
    expect(row.status.state_dir).toBe(e.stateDir);
  });

  it('pending and resolve over ssh, next to an ssh host that is down', async () => {
    const mark = join(tmpdir(), `gh-fleet-ssh-${process.pid}`);
    const ex = askingExec(e, mark);
    const deadPort = await freePort();
    const dead = `ssh://127.0.0.1:${deadPort}`;
    const list = await waitFor(() => {
      const r = cli(['pending', '--json', '--host', url, '--host', dead], { env });
      const rows = JSON.parse(r.stdout || '[]');
      return rows.length === 1 ? { rows, stderr: r.stderr } : null;
    }, 20_000, 'the ask over ssh');
    expect(list.rows[0].host).toBe(url);
    expect(list.stderr).toContain(`host ${dead} is down`);
    const r = cli(['resolve', list.rows[0].id, 'allow', '--host', dead, '--host', url], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`on ${url}`);
    expect(await ex.done).toBe(0);
    rmSync(mark, { force: true });
  });

  it('an unknown host key fails closed (BatchMode: no prompt, no connection)', () => {
    writeFileSync(join(dir, 'known_hosts'), '');
    const r = cli(['status', '--json', '--host', url], { env });
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)[0]).toMatchObject({ up: false });
    expect(JSON.parse(r.stdout)[0].error).toMatch(/Host key verification failed|host key/i);
  });
});
