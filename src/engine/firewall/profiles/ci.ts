// The `ci` profile: nobody is there to answer, so a miss is denied (policy: allowlist). Builds, tests
// and installs from lockfiles run; the workspace is writable; fetches reach package registries only.
import { ATTACK_DENYLIST, CREDENTIAL_PATHS, FETCH_DENY, PERSISTENCE_PATHS } from './sections.js';
import { EVERYDAY_ALLOWLIST } from './standard.js';

export const CI_POLICY_TEXT = `# gatehouse firewall policy, profile "ci" (docs/policy.md).
# For unattended runs: what the build needs is allowed, everything else is denied (no one is asked).
version: 1
policy: allowlist
ask_ttl: 120s

allowlist:
${EVERYDAY_ALLOWLIST}
denylist:
${ATTACK_DENYLIST}  - { pattern: "git push" }
  - { pattern: "npm publish" }

paths:
${CREDENTIAL_PATHS}${PERSISTENCE_PATHS}  - { path: "workspace/**", read: allow, write: allow }
  - { path: "/tmp/**", read: allow, write: allow }
  - { path: "/usr/**", read: allow }
  - { path: "/**", write: deny, delete: deny }

fetch:
  default: deny
  search: deny
  allow:
    - "registry.npmjs.org"
    - "pypi.org"
    - "files.pythonhosted.org"
    - "proxy.golang.org"
    - "sum.golang.org"
    - "crates.io"
    - "static.crates.io"
    - "github.com"
    - "*.githubusercontent.com"
  deny:
${FETCH_DENY}
subagents: deny

outputs: { secrets: block, injection: block }

tools:
  - { server: "*", tool: "read_*", decision: allow }
  - { server: "*", tool: "list_*", decision: allow }

agents: {}

tests:
  - { command: "npm ci", expect: allow }
  - { command: "npm test", expect: allow }
  - { command: "npm install left-pad", expect: deny }
  - { command: "git push origin main", expect: deny }
  - { command: "cat ~/.ssh/id_rsa", expect: deny }
  - { read: "/home/agent/project/src/main.ts", cwd: /home/agent/project, expect: allow }
  - { read: "/var/lib/x", expect: deny }
  - { write: "/home/agent/project/dist/app.js", cwd: /home/agent/project, expect: allow }
  - { fetch: "https://registry.npmjs.org/react", expect: allow }
  - { fetch: "https://example.com/", expect: deny }
`;
