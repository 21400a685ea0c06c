// The sandbox against a real engine (DESIGN.md §11): `gatehouse exec` runs what the firewall allows inside
// bubblewrap; what a hostile command tries (write outside its workspace, read a masked path, read the
// engine's token, leave children behind, outlive its wrapper or the engine) fails.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, startEngine, tempStateDir, waitFor, type RunningEngine } from '../../support/engine.js';
import { pidsWith, runCli, sandboxUsable, startCli, worldDir, writePolicy } from '../../support/contain.js';

const usable = sandboxUsable();

describe.skipIf(!usable)('gatehouse exec in the sandbox', { timeout: 60_000 }, () => {
  let e: RunningEngine;
  let stateDir: string;
  let root: string;
  let ws: string;
  const exec = (args: string[], env?: NodeJS.ProcessEnv) => runCli(stateDir, ['exec', '--', ...args], { cwd: ws, ...(env ? { env } : {}) });

  beforeAll(async () => {
    stateDir = tempStateDir('gh-contain-');
    root = worldDir();
    ws = join(root, 'ws');
    mkdirSync(join(root, 'secret-dir'), { recursive: true });
    mkdirSync(ws, { recursive: true });
    writeFileSync(join(root, 'secret-dir', 'key'), 'SECRET-IN-DIR\n');
    writeFileSync(join(root, 'secret.txt'), 'SECRET-FILE\n');
    writeFileSync(join(root, 'open.txt'), 'OPEN\n');
    writeFileSync(join(ws, 'fork.sh'), 'sleep 4242 &\necho "child $!"\nexit 0\n');
    writeFileSync(join(ws, 'escape.sh'), `echo out > ${root}/outside.txt; echo ws > ${ws}/inside.txt; \n`);
    writeFileSync(join(ws, 'tmp.sh'), `echo tmp > /tmp/${basename(root)}; cat /tmp/${basename(root)}\n`);
    writePolicy(
      stateDir,
      [
        'version: 1',
        'policy: allowlist',
        'allowlist: ["sh *", "cat *", "sleep *", "echo *", "exit *", "printenv *", "true"]',
        'sandbox:',
        `  deny_read: ["${root}/secret-dir", "${root}/secret.txt", "<state dir>"]`,
        'agents:',
        '  loose: { sandbox: { mode: "off" } }',
        '',
      ].join('\n'),
    );
    e = await startEngine({ stateDir });
  }, 30_000);

  afterAll(async () => {
    await e?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('passes the exit code through and writes only the workspace and a private /tmp', async () => {
    expect((await exec(['sh', '-c', "'exit 7'"])).code).toBe(7);
    const r = await exec(['sh', 'escape.sh']);
    expect(r.stderr).toMatch(/outside\.txt: Read-only file system/);
    const t = await exec(['sh', 'tmp.sh']);
    expect(t.stdout).toBe('tmp\n');
    expect(existsSync(`/tmp/${basename(root)}`)).toBe(false);
    expect(existsSync(join(root, 'outside.txt'))).toBe(false);
    expect(existsSync(join(ws, 'inside.txt'))).toBe(true);
  });

  it('hides the deny_read paths and the state dir; an open path stays readable', async () => {
    const dir = await exec(['cat', `${root}/secret-dir/key`]);
    expect(dir.code).not.toBe(0);
    expect(dir.stdout).not.toContain('SECRET');
    const file = await exec(['cat', `${root}/secret.txt`]);
    expect(file.code).not.toBe(0);
    expect(file.stdout).not.toContain('SECRET');
    const token = await exec(['cat', `${stateDir}/api-token`]);
    expect(token.code).not.toBe(0);
    expect(token.stdout).toBe('');
    expect((await exec(['cat', `${root}/open.txt`])).stdout).toBe('OPEN\n');
  });

  it("scrubs gatehouse's token from the environment and sets the proxy variables", async () => {
    const secrets = { GATEHOUSE_API_TOKEN: 'tok-should-not-leak', APPROVAL_API_KEY: 'key-should-not-leak' };
    // Naming the token is refused before anything runs (law 10, self-protection)...
    const named = await exec(['printenv', 'GATEHOUSE_API_TOKEN'], secrets);
    expect(named.code).not.toBe(0);
    expect(named.stderr).toMatch(/self-protection/);
    // ...and the whole environment inside the sandbox holds neither secret.
    const r = await exec(['printenv'], secrets);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/should-not-leak|GATEHOUSE_API_TOKEN|APPROVAL_API_KEY/);
    expect(r.stdout).toContain('HTTPS_PROXY=http://127.0.0.1:3128');
  });

  it('a process that forks and exits leaves no child behind on the host', async () => {
    const r = await exec(['sh', 'fork.sh']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^child \d+/);
    await waitFor(() => pidsWith('sleep 4242').length === 0, 5_000, 'the orphan to be gone');
  });

  it('SIGKILL of the wrapper takes the sandbox with it', async () => {
    const run = startCli(stateDir, ['exec', '--', 'sleep', '4243'], { cwd: ws });
    await waitFor(() => pidsWith('sleep 4243').length > 0, 20_000, 'the sandboxed sleep');
    run.proc.kill('SIGKILL');
    await run.done;
    await waitFor(() => pidsWith('sleep 4243').length === 0, 5_000, 'the sandbox to die with its wrapper');
  });

  it('without bubblewrap exec refuses with 126 and names the packages', async () => {
    const r = await exec(['true'], { PATH: '/nonexistent' });
    expect(r.code).toBe(126);
    expect(r.stderr).toMatch(/apt-get install bubblewrap socat/);
  });

  it('sandbox.mode off runs unconfined, and the decision says so', async () => {
    const r = await runCli(stateDir, ['exec', '--agent', 'loose', '--', 'sh', 'escape.sh'], { cwd: ws, env: { PATH: `/nonexistent:${process.env.PATH}` } });
    expect(r.code).toBe(0);
    expect(existsSync(join(root, 'outside.txt'))).toBe(true);
    const d = await e.http('POST', '/api/firewall/check', { command: 'true', agent: 'loose' });
    expect(d.body.data.containment).toBe('unconfined');
    const c = await e.http('POST', '/api/firewall/check', { command: 'true' });
    expect(c.body.data.containment).toBe('sandbox');
  });

  it('gatehouse sandbox runs a whole agent: the engine socket reachable inside, nothing else of the state dir', async () => {
    writeFileSync(
      join(ws, 'agent.sh'),
      [
        `ls -a ${stateDir} | tr '\\n' ' '; echo`,
        `cat ${stateDir}/api-token || echo no-token`,
        `"${process.execPath}" "${BIN}" exec -- echo nested-allowed`,
        `"${process.execPath}" "${BIN}" exec -- rm -rf /nothing || echo nested-denied`,
        `echo x > ${root}/agent-outside.txt || echo no-write`,
        'echo "agent=$GATEHOUSE_AGENT"',
        '',
      ].join('\n'),
    );
    const r = await runCli(stateDir, ['sandbox', '--agent', 'coder', '--', 'sh', 'agent.sh'], { cwd: ws, env: { GATEHOUSE_API_TOKEN: 'tok-should-not-leak' } });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    // The door, and the egress dir only when the proxy socket is bound in (the cold path; a warm namespace needs no socket inside).
    const seen = lines[0]!.split(' ').filter((x) => x && x !== '.' && x !== '..');
    expect(seen).toContain('gatehouse.sock');
    expect(seen.filter((x) => x !== 'gatehouse.sock' && x !== 'egress')).toEqual([]);
    expect(r.stdout).toContain('no-token');
    expect(r.stdout).toContain('nested-allowed');
    expect(r.stdout).toContain('nested-denied');
    expect(r.stdout).toContain('no-write');
    expect(r.stdout).toContain('agent=coder');
    expect(existsSync(join(root, 'agent-outside.txt'))).toBe(false);
    const agents = await e.http('GET', '/api/agents');
    expect(JSON.stringify(agents.body)).toContain('coder');
  });

  it('SIGKILL of the engine stops a running sandbox: no unconfined leftover', async () => {
    const run = startCli(stateDir, ['exec', '--', 'sleep', '4244'], { cwd: ws });
    await waitFor(() => pidsWith('sleep 4244').length > 0, 20_000, 'the sandboxed sleep');
    await e.kill9();
    const r = await run.done;
    expect(r.code).toBe(126);
    expect(r.stderr).toMatch(/the engine went away/);
    await waitFor(() => pidsWith('sleep 4244').length === 0, 5_000, 'the sandbox to stop');
  });
});
