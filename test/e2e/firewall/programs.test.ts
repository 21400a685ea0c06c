// Law 6 and law 4a through the doors an agent uses: REST check, `gatehouse exec` (which really runs what
// is allowed) and the Claude Code hook, against a real engine. A hostile agent tries to run or write
// through a program the policy allows; nothing it tries may run.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, policyPathFor, startEngine, tempStateDir, type RunningEngine } from '../../support/engine.js';

// Exec is off for everyone but the builder, whose allowlist names programs that can run or write.
const POLICY = `version: 1
policy: deny
ask_ttl: 60s
allowlist:
  - pattern: "ls *"
  - pattern: "git status"
tools:
  - { server: filesystem, tool: "read_*", decision: allow }
agents:
  builder:
    policy: allowlist
    allowlist: [ "find *", "xargs *", "sort *", "sed *", "tar *", "ls *", "cat *", "echo *", "git *" ]
`;

let e: RunningEngine;
let stateDir: string;
let work: string;

beforeAll(async () => {
  stateDir = tempStateDir();
  work = mkdtempSync(join(tmpdir(), 'gh-fw-prog-'));
  writeFileSync(join(work, 'names.txt'), 'b\na\n');
  const policy = policyPathFor(stateDir);
  mkdirSync(dirname(policy), { recursive: true });
  writeFileSync(policy, POLICY, { mode: 0o600 });
  e = await startEngine({ stateDir });
});
afterAll(async () => {
  await e.stop();
});

const check = async (command: string, agent = 'a1') => (await e.http('POST', '/api/firewall/check', { command, agent })).body.data;
// exec runs in the sandbox, whose /tmp is private: the test's files are visible only as its workspace.
const exec = (agent: string, command: string) => cli(['exec', '--agent', agent, '--workspace', work, '--', command], { stateDir });

describe('policy: deny (law 6)', () => {
  it('status shows the mode; an allowlisted command is denied; tool rules still apply', async () => {
    expect(JSON.parse(cli(['status', '--json'], { stateDir }).stdout).firewall).toMatchObject({ mode: 'deny' });
    expect(cli(['status'], { stateDir }).stdout).toMatch(/deny/);
    expect(await check('ls -la')).toMatchObject({ decision: 'deny', rule: 'policy: deny' });
    expect(await check('git status')).toMatchObject({ decision: 'deny' });
    const read = await e.http('POST', '/api/firewall/check', { tool: { server: 'filesystem', tool: 'read_file', args: { path: '/tmp/a' } }, agent: 'a1' });
    expect(read.body.data.decision).toBe('allow');
    const write = await e.http('POST', '/api/firewall/check', { tool: { server: 'filesystem', tool: 'write_file', args: { path: '/tmp/a' } }, agent: 'a1' });
    expect(write.body.data.decision).toBe('deny');
  });

  it('exec runs nothing and the hook denies', () => {
    const marker = join(work, 'ran-under-deny');
    const r = exec('a1', `ls ${work} && ls ${work} > /dev/null`);
    expect(r.code).toBe(126);
    expect(r.stderr).toContain('policy: deny');
    expect(existsSync(marker)).toBe(false);
    const hook = cli(['hook', 'claude-code'], { stateDir, input: JSON.stringify({ session_id: 's', transcript_path: '/tmp/t', cwd: work, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'ls' } }) });
    expect(JSON.parse(hook.stdout).hookSpecificOutput.permissionDecision).toBe('deny');
  });
});

describe('no bypass through an allowed program (law 4a)', () => {
  it('safe forms of the allowed programs run', () => {
    const r = exec('builder', `find ${work} -name names.txt -exec cat {} \\; && sort -u ${work}/names.txt`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('a\nb');
  });

  it.each([
    ['find -exec of a program not allowed', (p: string) => `find ${work} -name names.txt -exec touch ${p} \\;`],
    ['find -exec through sh -c', (p: string) => `find ${work} -name names.txt -exec sh -c 'touch ${p}' \\;`],
    ['xargs with a program not allowed', (p: string) => `echo ${p} | xargs touch`],
    ['xargs with no command', (p: string) => `echo touch ${p} | xargs`],
    ['sort -o', (p: string) => `sort -o ${p} ${work}/names.txt`],
    ['sort --output abbreviated', (p: string) => `sort --out=${p} ${work}/names.txt`],
    ['sed -i', (p: string) => `cp ${work}/names.txt ${p} ; sed -i s/a/b/ ${p}`],
    ['sed w command', (p: string) => `sed -n 'w ${p}' ${work}/names.txt`],
    ['sed e command', (p: string) => `sed '1e touch ${p}' ${work}/names.txt`],
    ['tar --to-command', (p: string) => `tar -cf ${work}/a.tar -C ${work} names.txt ; tar --to-command='touch ${p}' -xf ${work}/a.tar`],
    ['git log --output', (p: string) => `git log --output=${p}`],
    ['git -c alias', (p: string) => `git -c alias.x='!touch ${p}' x`],
  ])('%s is denied and does not run', async (_name, make) => {
    const pwned = join(work, `pwned-${Math.random().toString(36).slice(2)}`);
    const command = make(pwned);
    const d = await check(command, 'builder');
    expect(d.decision, d.reason).toBe('deny');
    const r = exec('builder', command);
    expect(r.code).toBe(126);
    expect(existsSync(pwned)).toBe(false);
  });

  it('the decision names the program entry and option that decided', async () => {
    const d = await check(`sort -o ${work}/x ${work}/names.txt`, 'builder');
    expect(d.reason).toContain('sort -o');
    expect(d.reason).toContain('does not name it');
    const n = await check(`find ${work} -exec touch ${work}/x \\;`, 'builder');
    expect(n.reason).toContain('run by find -exec');
  });
});
