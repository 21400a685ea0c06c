// Offline decisions reach the ledger (issue 22: "every attack fails with a clear reason and a ledger
// record"): with the engine stopped in lockdown, the real `gatehouse hook claude-code` and `gatehouse
// exec` deny and write the offline decision spool; the engine, started again, ingests it as
// `firewall.offline_decision` records marked reported_by_client, raises a P2 and empties the spool.
// A spool an attacker swapped for a symlink is refused, never followed, and never loosens a decision.
import { existsSync, lstatSync, mkdirSync, readFileSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, policyPathFor, startEngine, tempStateDir, waitFor, type RunningEngine } from '../../support/engine.js';

const POLICY = `version: 1
policy: ask
ask_ttl: 60s
allowlist:
  - pattern: "echo *"
`;
const EVIL = POLICY.replace('  - pattern: "echo *"\n', '  - pattern: "echo *"\n  - pattern: "curl *"\n');
const TOKEN = 'ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tV9wX1yZ3aB5c';

function swapIn(stateDir: string, text: string): void {
  const tmp = `${policyPathFor(stateDir)}.swap`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, policyPathFor(stateDir));
}

/** An engine that went into lockdown (the policy edited) and was then stopped: the marker stays on disk. */
async function lockedDownAndStopped(): Promise<string> {
  const dir = tempStateDir();
  mkdirSync(dirname(policyPathFor(dir)), { recursive: true });
  writeFileSync(policyPathFor(dir), POLICY, { mode: 0o600 });
  const e: RunningEngine = await startEngine({ stateDir: dir });
  try {
    swapIn(dir, EVIL);
    await waitFor(async () => (await e.http('GET', '/api/firewall/policy')).body.data.lockdown, 15_000, 'lockdown');
  } finally {
    await e.stop();
  }
  expect(existsSync(join(dir, 'lockdown.json'))).toBe(true);
  return dir;
}

describe('offline decision spool (issue 22)', () => {
  it('hook and exec denials made offline in lockdown reach the ledger at the next start, redacted, with a P2', async () => {
    const dir = await lockedDownAndStopped();
    const spool = join(dir, 'offline-decisions.ndjson');
    const hook = cli(['hook', 'claude-code'], { stateDir: dir, input: JSON.stringify({ tool_name: 'Bash', tool_input: { command: `echo ${TOKEN}` } }) });
    expect(hook.code).toBe(2);
    expect(hook.stderr).toMatch(/lockdown/);
    const exec = cli(['exec', '--agent', 'bot', '--', 'echo', 'hi'], { stateDir: dir });
    expect(exec.code).toBe(126);
    expect(exec.stderr).toMatch(/lockdown/);
    // The spool: two lines, 0600, the token masked before it was written.
    expect(statSync(spool).mode & 0o777).toBe(0o600);
    const text = readFileSync(spool, 'utf8');
    expect(text.trim().split('\n')).toHaveLength(2);
    expect(text).not.toContain(TOKEN);
    // A forged line an agent appended is counted and skipped, never a record.
    writeFileSync(spool, '{"forged": true}\n', { flag: 'a' });

    const e = await startEngine({ stateDir: dir });
    try {
      const list = cli(['ledger', 'list', '--json', '--kind', 'firewall.offline_decision'], { stateDir: dir });
      expect(list.code).toBe(0);
      const records = list.stdout.trim().split('\n').map((l) => JSON.parse(l) as { surface: string; actor: string; reason: string; detail: unknown });
      expect(records).toHaveLength(2);
      const details = records.map((r) => (typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail) as Record<string, unknown>);
      expect(records.map((r) => r.surface).sort()).toEqual(['exec', 'hook']);
      for (const [i, r] of records.entries()) {
        expect(r.reason).toMatch(/lockdown/);
        expect(details[i]).toMatchObject({ reported_by_client: true, decision: 'deny', source: 'lockdown' });
      }
      expect(records.find((r) => r.surface === 'exec')!.actor).toBe('bot');
      expect(list.stdout).not.toContain(TOKEN);
      const alerts = (await e.http('GET', '/api/alerts')).body.data as Array<{ severity: string; check: string; message: string }>;
      const p2 = alerts.find((a) => a.check === 'offline_decisions');
      expect(p2?.severity).toBe('P2');
      expect(p2?.message).toMatch(/2 call\(s\) denied in lockdown.*1 invalid line/);
      expect(existsSync(spool)).toBe(false);
      expect(cli(['ledger', 'verify'], { stateDir: dir }).code).toBe(0);
    } finally {
      await e.stop();
    }
  });

  it('a spool swapped for a symlink is not followed: the hook still denies, the target is untouched, the engine says so', async () => {
    const dir = await lockedDownAndStopped();
    const spool = join(dir, 'offline-decisions.ndjson');
    const target = join(dir, 'precious.txt');
    writeFileSync(target, 'precious\n', { mode: 0o600 });
    symlinkSync(target, spool);
    const hook = cli(['hook', 'claude-code'], { stateDir: dir, input: JSON.stringify({ tool_name: 'Bash', tool_input: { command: 'echo hi' } }) });
    expect(hook.code).toBe(2);
    expect(hook.stderr).toMatch(/lockdown/);
    expect(hook.stderr).toMatch(/could not be recorded/);
    expect(readFileSync(target, 'utf8')).toBe('precious\n');
    const e = await startEngine({ stateDir: dir });
    try {
      const alerts = (await e.http('GET', '/api/alerts')).body.data as Array<{ check: string; message: string }>;
      expect(alerts.find((a) => a.check === 'offline_decisions')?.message).toMatch(/symlink/);
      expect(() => lstatSync(spool)).toThrow();
      expect(readFileSync(target, 'utf8')).toBe('precious\n');
    } finally {
      await e.stop();
    }
  });
});
