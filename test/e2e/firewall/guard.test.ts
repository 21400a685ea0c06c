// The guard under attack (issue 22, DESIGN §7 law 8): trust binds to the reviewed text by hash, a file
// swapped in while the operator reads the diff is refused, lockdown covers open prompts and refuses
// answers, restoring the trusted text lifts lockdown by itself, each tampering is its own P0, a symlink
// is never trusted, and offline decisions deny while the engine's lockdown marker is on disk.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cli, configHomeFor, policyPathFor, startEngine, tempStateDir, waitFor, type RunningEngine } from '../../support/engine.js';
import { hasTmux, TmuxServer } from '../../support/tmuxPane.js';

const POLICY = `version: 1
policy: ask
ask_ttl: 60s
allowlist:
  - pattern: "echo *"
  - pattern: "git status"
denylist:
  - pattern: "rm -rf *"
`;
const EVIL = POLICY.replace('  - pattern: "git status"\n', '  - pattern: "git status"\n  - pattern: "curl *"\n  - pattern: "bash *"\n');
const ONE_LINE = POLICY.replace('  - pattern: "git status"\n', '  - pattern: "git status"\n  - pattern: "make *"\n');

function ledgerRows(stateDir: string, action: string): Array<{ seq: number; actor: string; detail: string; reason: string | null }> {
  const db = new Database(join(stateDir, 'gatehouse.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT seq, actor, detail, reason FROM ledger WHERE action = ? ORDER BY seq').all(action) as never;
  } finally {
    db.close();
  }
}

function status(stateDir: string) {
  return JSON.parse(cli(['status', '--json'], { stateDir }).stdout).firewall as { lockdown: boolean; lockdown_reason: string | null; policy_hash: string };
}

/** Replaces the policy the way an attacker would: a new file renamed over it (atomic, a new inode). */
function swapIn(stateDir: string, text: string): void {
  const tmp = `${policyPathFor(stateDir)}.swap`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, policyPathFor(stateDir));
}

async function freshEngine(): Promise<RunningEngine> {
  const dir = tempStateDir();
  mkdirSync(dirname(policyPathFor(dir)), { recursive: true });
  writeFileSync(policyPathFor(dir), POLICY, { mode: 0o600 });
  return startEngine({ stateDir: dir });
}

async function lockedDown(e: RunningEngine, what = 'lockdown'): Promise<void> {
  await waitFor(async () => (await e.http('GET', '/api/firewall/policy')).body.data.lockdown, 15_000, what);
}

describe('gap 1: trust binds to the text reviewed (by sha256)', () => {
  let e: RunningEngine;
  beforeAll(async () => {
    e = await freshEngine();
  });
  afterAll(async () => {
    await e.stop();
  });

  it('REST: a trust naming the reviewed hash is refused with 409 once the file was swapped; no hash is a 400', async () => {
    swapIn(e.stateDir, ONE_LINE);
    await lockedDown(e);
    const review = (await e.http('GET', '/api/firewall/policy')).body.data;
    expect(review.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(review.diff).toMatch(/\+ {2}- pattern: "make \*"/);
    swapIn(e.stateDir, EVIL); // between the review and the answer
    const t = await e.http('POST', '/api/firewall/policy/trust', { sha256: review.sha256 });
    expect(t.status).toBe(409);
    expect(t.body.error).toMatch(new RegExp(`not trusted: the policy file now hashes to sha256 [0-9a-f]{64}, not ${review.sha256}`));
    expect((await e.http('POST', '/api/firewall/policy/trust', {})).status).toBe(400);
    expect((await e.http('POST', '/api/firewall/check', { command: 'curl http://evil.example' })).body.data).toMatchObject({ decision: 'deny', source: 'lockdown' });
    expect(ledgerRows(e.stateDir, 'policy.trust_refused').length).toBeGreaterThanOrEqual(1);
    // Trusting the text actually on disk, by its hash, works (and is what the operator now reviews).
    const again = (await e.http('GET', '/api/firewall/policy')).body.data;
    const ok = await e.http('POST', '/api/firewall/policy/trust', { sha256: again.sha256 });
    expect(ok.status).toBe(200);
    expect(ok.body.data.policy_hash).toBe(again.sha256);
    expect((await e.http('POST', '/api/firewall/check', { command: 'bash x.sh' })).body.data.decision).toBe('allow');
    swapIn(e.stateDir, POLICY);
    await lockedDown(e, 'lockdown after reverting to the older text');
    const back = (await e.http('GET', '/api/firewall/policy')).body.data;
    expect((await e.http('POST', '/api/firewall/policy/trust', { sha256: back.sha256 })).status).toBe(200);
  });

  it.skipIf(!hasTmux)('CLI: the file renamed over the policy while `policy trust` waits for "y" is refused', async () => {
    swapIn(e.stateDir, ONE_LINE);
    await lockedDown(e);
    const tmux = new TmuxServer();
    try {
      const pane = tmux.open(
        `XDG_CONFIG_HOME='${configHomeFor(e.stateDir)}' '${process.execPath}' '${BIN}' --state-dir '${e.stateDir}' policy trust`,
      );
      const screen = await pane.waitFor('[y/N]');
      expect(screen).toMatch(/\+ {2}- pattern: "make \*"/);
      const shown = /the text above has sha256 ([0-9a-f]{64})/.exec(screen.replace(/\n/g, ''))?.[1];
      expect(shown).toBeDefined();
      swapIn(e.stateDir, EVIL); // deterministic: after the diff is on screen, before the answer
      pane.type('y');
      pane.keys('Enter');
      expect(await pane.exitCode()).toBe(1);
      expect(pane.screen().replace(/\n/g, '')).toMatch(/not trusted: the policy file now hashes to sha256/);
    } finally {
      tmux.close();
    }
    expect(status(e.stateDir).lockdown).toBe(true);
    expect((await e.http('POST', '/api/firewall/check', { command: 'curl http://evil.example' })).body.data).toMatchObject({ decision: 'deny', source: 'lockdown' });
    // --yes trusts the text whose diff it printed; --sha256 refuses any other text.
    const wrong = cli(['policy', 'trust', '--yes', '--sha256', 'a'.repeat(64)], { stateDir: e.stateDir });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/not trusted/);
    swapIn(e.stateDir, POLICY);
    await waitFor(() => !status(e.stateDir).lockdown, 15_000, 'restored');
  });
});

describe('gaps 2-3: lockdown covers open prompts, and restoring the trusted text lifts it', () => {
  let e: RunningEngine;
  beforeAll(async () => {
    e = await freshEngine();
  });
  afterAll(async () => {
    await e.stop();
  });

  it('a waiting exec is denied when lockdown starts; its answer is refused; the command never runs', async () => {
    const marker = join(e.stateDir, '..', `${e.stateDir.split('/').pop()}-ran`);
    const exec = new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const p = spawn(process.execPath, [BIN, '--state-dir', e.stateDir, 'exec', '--', 'touch', marker], { env: { ...process.env, XDG_CONFIG_HOME: configHomeFor(e.stateDir) } });
      let stderr = '';
      p.stderr.on('data', (d) => (stderr += d));
      p.on('exit', (code) => resolve({ code, stderr }));
    });
    const prompt = await waitFor(() => JSON.parse(cli(['pending', '--json'], { stateDir: e.stateDir }).stdout)[0], 15_000, 'a pending prompt');
    swapIn(e.stateDir, EVIL);
    const r = await exec;
    expect(r.code).toBe(126);
    expect(r.stderr).toMatch(/denied by lockdown/);
    const answer = cli(['resolve', prompt.id, 'allow'], { stateDir: e.stateDir });
    expect(answer.code).not.toBe(0);
    expect(answer.stderr).toMatch(/cancelled|lockdown/);
    expect(existsSync(marker)).toBe(false);
    expect(ledgerRows(e.stateDir, 'prompt.cancel').some((row) => /lockdown/.test(row.reason ?? ''))).toBe(true);
  });

  it('each distinct tampering is its own P0 and the reason is the current one', async () => {
    await lockedDown(e);
    const first = status(e.stateDir).lockdown_reason!;
    swapIn(e.stateDir, ONE_LINE);
    await waitFor(() => status(e.stateDir).lockdown_reason !== first, 15_000, 'a new lockdown reason');
    const reason = status(e.stateDir).lockdown_reason!;
    const { createHash } = await import('node:crypto');
    expect(reason).toContain(createHash('sha256').update(ONE_LINE).digest('hex').slice(0, 12));
    const p0 = (await e.http('GET', '/api/alerts?severity=P0')).body.data.filter((a: { check: string }) => a.check === 'policy_tampered');
    expect(p0.length).toBe(2);
  });

  it('the file restored to the trusted text lifts lockdown by itself (firewall.trusted {by: restored})', async () => {
    swapIn(e.stateDir, POLICY);
    await waitFor(() => !status(e.stateDir).lockdown, 15_000, 'lockdown lifted');
    const restored = ledgerRows(e.stateDir, 'firewall.trusted');
    expect(JSON.parse(restored.at(-1)!.detail)).toMatchObject({ by: 'restored' });
    expect((await e.http('POST', '/api/firewall/check', { command: 'git status' })).body.data).toMatchObject({ decision: 'allow', source: 'policy' });
    expect(existsSync(join(e.stateDir, 'lockdown.json'))).toBe(false);
    expect(cli(['ledger', 'verify'], { stateDir: e.stateDir }).code).toBe(0);
  });
});

describe('gap 4: a symlink swapped in is never trusted', () => {
  it('a symlink to the trusted text, or to a looser policy, stays lockdown and `policy trust --yes` refuses it', async () => {
    const e = await freshEngine();
    try {
      const target = `${policyPathFor(e.stateDir)}.target`;
      writeFileSync(target, POLICY, { mode: 0o600 }); // even the trusted text, behind a link
      rmSync(policyPathFor(e.stateDir));
      symlinkSync(target, policyPathFor(e.stateDir));
      await lockedDown(e);
      expect(status(e.stateDir).lockdown_reason).toMatch(/symlink/);
      writeFileSync(target, EVIL, { mode: 0o600 });
      const t = cli(['policy', 'trust', '--yes'], { stateDir: e.stateDir });
      expect(t.code).toBe(1);
      expect(t.stderr).toMatch(/symlink/);
      const review = (await e.http('GET', '/api/firewall/policy')).body.data;
      expect(review.sha256).toBeNull();
      const { createHash } = await import('node:crypto');
      const forced = await e.http('POST', '/api/firewall/policy/trust', { sha256: createHash('sha256').update(EVIL).digest('hex') });
      expect(forced.status).toBe(409);
      expect(forced.body.error).toMatch(/symlink/);
      expect((await e.http('POST', '/api/firewall/check', { command: 'curl x' })).body.data).toMatchObject({ decision: 'deny', source: 'lockdown' });
    } finally {
      await e.stop();
    }
  });
});

describe('gap 6: offline decisions are never looser than the engine', () => {
  it('with the engine stopped in lockdown the hook and exec deny, even after the file is restored, until the engine sees it', async () => {
    const e = await freshEngine();
    const hookInput = JSON.stringify({ tool_name: 'Bash', tool_input: { command: 'echo hi' } });
    try {
      swapIn(e.stateDir, EVIL);
      await lockedDown(e);
    } finally {
      await e.stop();
    }
    expect(existsSync(join(e.stateDir, 'lockdown.json'))).toBe(true);
    const hook = cli(['hook', 'claude-code'], { stateDir: e.stateDir, input: hookInput });
    expect(hook.code).toBe(2);
    expect(hook.stderr).toMatch(/lockdown/);
    swapIn(e.stateDir, POLICY); // restored offline: the marker still denies
    const again = cli(['hook', 'claude-code'], { stateDir: e.stateDir, input: hookInput });
    expect(again.code).toBe(2);
    const exec = cli(['exec', '--', 'echo', 'hi'], { stateDir: e.stateDir });
    expect(exec.code).toBe(126);
    expect(exec.stderr).toMatch(/lockdown/);
    // The engine, started again, sees the trusted text: the lockdown lifts and the marker goes.
    const x = await startEngine({ stateDir: e.stateDir });
    try {
      await waitFor(() => !existsSync(join(e.stateDir, 'lockdown.json')), 15_000, 'the marker removed');
      expect(status(e.stateDir).lockdown).toBe(false);
    } finally {
      await x.stop();
    }
    const ok = cli(['hook', 'claude-code'], { stateDir: e.stateDir, input: hookInput });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).hookSpecificOutput.permissionDecision).toBe('allow');
    // An edited file with no engine and no marker: offline denies too.
    swapIn(e.stateDir, EVIL);
    const edited = cli(['hook', 'claude-code'], { stateDir: e.stateDir, input: JSON.stringify({ tool_name: 'Bash', tool_input: { command: 'curl x' } }) });
    expect(edited.code).toBe(2);
    expect(edited.stderr).toMatch(/not the trusted text/);
    expect(readFileSync(policyPathFor(e.stateDir), 'utf8')).toBe(EVIL);
  });
});

describe('gap 7: the guard guards itself (law 10), whatever the policy allows', () => {
  it('a permissive allowlist still denies reading the token, editing the policy, answering, stopping and killing the engine', async () => {
    const dir = tempStateDir();
    mkdirSync(dirname(policyPathFor(dir)), { recursive: true });
    const permissive = `version: 1\npolicy: allowlist\nallowlist:\n${['cat *', 'gatehouse *', 'kill *', 'pkill *', 'sqlite3 *', 'cp *', 'tee *', 'sed *', 'echo *', 'ls *', 'env *', 'curl *'].map((p) => `  - pattern: "${p}"\n`).join('')}`;
    writeFileSync(policyPathFor(dir), permissive, { mode: 0o600 });
    const e = await startEngine({ stateDir: dir });
    try {
      const policy = policyPathFor(dir);
      const attacks = [
        `cat ${dir}/api-token`,
        `cat '${dir}'/api-tok*`,
        `env cat ${dir}/api-token`,
        `bash -c 'cat ${dir}/api-token'`,
        `sqlite3 ${dir}/gatehouse.db "DELETE FROM ledger"`,
        `cp /tmp/evil.yaml ${policy}`,
        `echo '- pattern: "*"' | tee -a ${policy}`,
        `sed -i 's/allowlist/ask/' ${policy}`,
        `echo x >> ${policy}`,
        'gatehouse resolve abc allow',
        'gatehouse stop',
        'gatehouse policy trust --yes',
        `kill -9 ${e.proc.pid}`,
        'kill $(pgrep -f gatehouse)',
        'pkill -f gatehouse',
        'pkill node',
      ];
      for (const command of attacks) {
        const d = (await e.http('POST', '/api/firewall/check', { command, agent: 'a1' })).body.data;
        expect(d, command).toMatchObject({ decision: 'deny', rule: 'self-protection' });
      }
      expect((await e.http('POST', '/api/firewall/check', { command: 'gatehouse status --json', agent: 'a1' })).body.data.decision).toBe('allow');
      expect((await e.http('POST', '/api/firewall/check', { command: 'cat README.md', agent: 'a1' })).body.data.decision).toBe('allow');
      const read = await e.http('POST', '/api/firewall/check', { tool: { server: 'filesystem', tool: 'read_text_file', args: { path: `${dir}/api-token` } }, agent: 'a1' });
      expect(read.body.data).toMatchObject({ decision: 'deny', rule: 'self-protection' });
      // Through exec, as an agent would: nothing of the token is printed.
      const r = cli(['exec', '--agent', 'a1', '--', 'cat', `${dir}/api-token`], { stateDir: dir });
      expect(r.code).toBe(126);
      expect(r.stdout).not.toContain(e.token);
      expect(r.stderr).toMatch(/protects itself/);
      const db = new Database(join(dir, 'gatehouse.db'), { readonly: true });
      try {
        const n = (db.prepare("SELECT COUNT(*) AS n FROM ledger WHERE action = 'firewall.decide' AND json_extract(detail, '$.rule') = 'self-protection'").get() as { n: number }).n;
        expect(n).toBeGreaterThanOrEqual(attacks.length + 2);
      } finally {
        db.close();
      }
      expect(e.proc.exitCode).toBeNull();
    } finally {
      await e.stop();
    }
  });
});

describe('gap 10: the hook has deadlines of its own', () => {
  it('an engine that stalls after the handshake: `hook claude-code --wait` blocks (exit 2) at the ask TTL plus a margin, and a plain check too', async () => {
    const dir = tempStateDir();
    mkdirSync(dirname(policyPathFor(dir)), { recursive: true });
    writeFileSync(policyPathFor(dir), POLICY.replace('ask_ttl: 60s', 'ask_ttl: 1s'), { mode: 0o600 });
    const e = await startEngine({ stateDir: dir });
    const input = JSON.stringify({ tool_name: 'Bash', tool_input: { command: 'npm publish' } });
    try {
      // --wait: the engine takes the check (a prompt opens), then stops answering altogether.
      const waited = new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const p = spawn(process.execPath, [BIN, '--state-dir', dir, 'hook', 'claude-code', '--wait'], { env: { ...process.env, XDG_CONFIG_HOME: configHomeFor(dir) } });
        let stderr = '';
        p.stderr.on('data', (d) => (stderr += d));
        p.on('exit', (code) => resolve({ code, stderr }));
        p.stdin.end(input);
      });
      await waitFor(async () => (await e.http('GET', '/api/prompts')).body.data.length > 0, 15_000, 'the prompt');
      e.proc.kill('SIGSTOP');
      const w = await waited;
      expect(w.code).toBe(2);
      expect(w.stderr).toMatch(/no decision within 6 s.*blocked/);
      // A plain check against the stopped engine: the handshake times out (2 s), and offline the ask is not an allow.
      const plain = cli(['hook', 'claude-code'], { stateDir: dir, input, timeoutMs: 30_000 });
      expect(plain.code).toBe(2);
      expect(plain.stderr).toMatch(/within 2000 ms.*blocked/);
    } finally {
      e.proc.kill('SIGCONT');
      await e.stop();
    }
  });
});
