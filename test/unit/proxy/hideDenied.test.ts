import { describe, it, expect } from 'vitest';
import { parsePolicyText } from '../../../src/engine/firewall/index.js';
import { deniedToolPredicate } from '../../../src/engine/proxy/hideDenied.js';

const policy = parsePolicyText(
  `version: 1
policy: deny
tools:
  - { server: fs, tool: "read_*", decision: allow }
  - { server: fs, tool: delete_file, decision: deny }
  - { server: fs, tool: write_file, args: { path: "/tmp/**" }, decision: allow }
  - { server: fs, tool: write_file, args: { path: "/etc/**" }, decision: deny }
  - { server: fs, tool: "*", annotations: { destructiveHint: true }, decision: deny }
`,
  'p.yaml',
).policy;

describe('deniedToolPredicate', () => {
  const hide = deniedToolPredicate(policy, 'fs', 'agent');
  it('hides a tool an explicit rule denies whatever the arguments', () => {
    expect(hide('delete_file')).toBe(true);
    expect(hide('move_file', { destructiveHint: true })).toBe(true);
  });
  it('keeps allowed tools, tools allowed for some arguments, and mere policy misses', () => {
    expect(hide('read_file')).toBe(false);
    expect(hide('write_file')).toBe(false);
    expect(hide('list_directory')).toBe(false);
    expect(hide('move_file', { destructiveHint: false })).toBe(false);
  });
});
