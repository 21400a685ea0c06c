// Law 10's two layers read one list (ownPlaces.ts): whatever is a protected root for the command and
// MCP-argument rules is a protected root for the path rules, and a file under any of them is denied by
// both, whatever the policy allows.
import { describe, expect, it } from 'vitest';
import { defaultPathContext, judgePath, parsePolicyText, protectPlaces } from '../../../src/engine/firewall/index.js';
import { installedRoot, protectedRoots, type ProtectedPlaces } from '../../../src/engine/firewall/ownPlaces.js';
import { selfProtectCommand, selfProtectTool } from '../../../src/engine/firewall/selfProtection.js';

const places: ProtectedPlaces = { stateDir: '/srv/gh-state', configDir: '/etc/gh-config', configFile: '/srv/project/gatehouse.yaml', policyPath: '/opt/policies/agents.yaml', installDir: '/usr/lib/node_modules/gatehouse', enginePid: 4242 };
const permissive = parsePolicyText('version: 1\npolicy: allowlist\nallowlist:\n  - pattern: "cp *"\npaths:\n  - { path: "/**", read: allow, write: allow }\n', 'permissive.yaml').policy;

describe('one list of gatehouse\'s places for both law-10 layers', () => {
  it('the list holds the state dir, config dir, policy file, --config file, the install dir and the defaults', () => {
    const roots = protectedRoots(places);
    for (const r of ['/srv/gh-state', '/etc/gh-config', '/opt/policies/agents.yaml', '/srv/project/gatehouse.yaml', '/usr/lib/node_modules/gatehouse']) expect(roots).toContain(r);
    // The files, not the directories they sit in: a project holding its policy stays the agent's workspace.
    expect(roots).not.toContain('/opt/policies');
    expect(roots).not.toContain('/srv/project');
    expect(roots.some((r) => r.endsWith('/.config/gatehouse'))).toBe(true);
    expect(roots.some((r) => r.endsWith('/.local/state/gatehouse'))).toBe(true);
  });

  it('the path rules protect every root on the list once the places are known, and the command and tool rules deny a file under each', () => {
    protectPlaces(places);
    const ctx = defaultPathContext('/home/agent/work');
    for (const root of protectedRoots(places)) expect(ctx.protectedRoots).toContain(root);
    for (const root of protectedRoots(places)) {
      const file = root.endsWith('.yaml') ? root : `${root}/some-file`;
      expect(judgePath(permissive, file, 'write', ctx), file).toMatchObject({ verdict: 'deny', builtIn: true });
      expect(selfProtectCommand(`cp /tmp/x ${file}`, places), file).toMatchObject({ decision: 'deny', rule: 'self-protection' });
      expect(selfProtectTool({ server: 'fs', tool: 'write_file', args: { path: file } }, places), file).toMatchObject({ decision: 'deny', rule: 'self-protection' });
    }
    for (const free of ['/home/agent/work/notes.md', '/srv/project/src/app.ts']) {
      expect(judgePath(permissive, free, 'write', ctx)).not.toMatchObject({ verdict: 'deny' });
      expect(selfProtectCommand(`cp /tmp/x ${free}`, places)).toBeNull();
    }
  });

  it('the install dir is protected when installed; a development checkout is a workspace for both layers', () => {
    expect(installedRoot('/usr/lib/node_modules/gatehouse')).toBe('/usr/lib/node_modules/gatehouse');
    expect(installedRoot('/home/dev/src/gatehouse')).toBeNull();
  });
});
