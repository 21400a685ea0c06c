// Words a program reads from its input (docs/firewall-parser.md, `$INPUT`) through the real hook and a real
// engine: under a custom policy that allows `xargs *` and `cat *`, an agent piping a credential's path
// into `xargs cat` is not let through as if it read a workspace file. The path cannot be known before the
// command runs, so the path rules give no allow: ask under `policy: ask`, deny under `policy: allowlist`.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, startEngine, tempStateDir, type RunningEngine } from '../../support/engine.js';
import { writePolicy } from '../../support/contain.js';

const policy = (mode: string) =>
  [
    'version: 1',
    `policy: ${mode}`,
    'allowlist: ["xargs *", "cat *", "echo *", "ls *", "find *"]',
    'paths:',
    '  - { path: "~/.ssh/**", read: deny, write: deny }',
    '  - { path: "./**", read: allow, write: allow }',
    '',
  ].join('\n');

describe.each(['ask', 'allowlist'])('words read from input, policy: %s', { timeout: 60_000 }, (mode) => {
  let e: RunningEngine;
  let stateDir: string;
  let workspace: string;

  beforeAll(async () => {
    stateDir = tempStateDir('gh-input-');
    workspace = join(stateDir, '..', `ws-${Date.now()}`);
    mkdirSync(workspace, { recursive: true });
    writePolicy(stateDir, policy(mode));
    e = await startEngine({ stateDir });
  }, 30_000);

  afterAll(async () => {
    await e?.stop();
    rmSync(workspace, { recursive: true, force: true });
  });

  const hook = (command: string) => {
    const input = { session_id: 's1', transcript_path: '/tmp/t.jsonl', cwd: workspace, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command } };
    const r = cli(['hook', 'claude-code'], { stateDir, input: JSON.stringify(input) });
    return (r.stdout ? JSON.parse(r.stdout) : null)?.hookSpecificOutput as { permissionDecision: string; permissionDecisionReason: string } | undefined;
  };

  it('a path piped into xargs is never allowed as a workspace file', () => {
    const expected = mode === 'ask' ? 'ask' : 'deny';
    for (const c of ['echo ~/.ssh/id_rsa | xargs cat', 'echo id_rsa | xargs -I{} cat {}', 'echo x | xargs -n1 -0 cat --']) expect(hook(c)?.permissionDecision, c).toBe(expected);
    // Searches that reach ~/.ssh are denied by their own paths.
    for (const c of ['ls ~/.ssh | xargs -I{} cat ~/.ssh/{}', 'find ~ -name id_rsa -print0 | xargs -0 cat']) expect(hook(c)?.permissionDecision, c).toBe('deny');
    expect(hook('echo ~/.ssh/id_rsa | xargs cat')?.permissionDecisionReason).toMatch(/reads \$INPUT: paths: \(unresolved\)/);
    // A path written out is judged as ever.
    expect(hook('cat README.md')?.permissionDecision).toBe('allow');
    expect(hook('cat ~/.ssh/id_rsa')?.permissionDecision).toBe('deny');
  });
});
