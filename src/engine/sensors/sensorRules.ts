// Correlation rules as data: a rule is one step (a single event) or several steps in order within a
// window, for one agent. Steps match on the event's kind, program, path (globs or @classes), argv,
// destination and what an earlier step captured. The shipped rules are DEFAULT_SENSOR_RULES; a signed
// rule pack may add its own under `sensor_rules:`.
import { RE2JS } from 're2js';
import { parse as parseYaml } from 'yaml';
import { SensorRulesSchema, type SensorRules } from '../../shared/sensorRules.js';

export { SensorRulesSchema, type SensorRule, type SensorRules, type SensorStep } from '../../shared/sensorRules.js';

export const DEFAULT_SENSOR_RULES_YAML = `
paths:
  credentials:
    - "**/.ssh/id_*"
    - "**/.ssh/*_key"
    - "**/.aws/credentials"
    - "**/.aws/config"
    - "**/.config/gcloud/**"
    - "**/.azure/**"
    - "**/.kube/config"
    - "**/.docker/config.json"
    - "**/.netrc"
    - "**/.git-credentials"
    - "**/.npmrc"
    - "**/.pypirc"
    - "/etc/shadow"
    - "/etc/gshadow"
  ssh:
    - "**/.ssh/**"
  persistence:
    - "**/.bashrc"
    - "**/.bash_profile"
    - "**/.profile"
    - "**/.zshrc"
    - "**/.ssh/authorized_keys"
    - "/etc/cron*/**"
    - "/var/spool/cron/**"
    - "/etc/systemd/system/**"
    - "**/.config/systemd/user/**"
  gatehouse:
    - "**/gatehouse/policy.yaml"
    - "**/gatehouse/config.yaml"
    - "**/gatehouse/api-token"
    - "**/gatehouse/gatehouse.db*"
rules:
  - id: credentials_then_connect
    severity: P1
    message: "{agent} read credentials ({path}) and then connected to {dest} (pids {pids})"
    within_s: 300
    steps:
      - { event: open, path: ["@credentials"] }
      - { event: connect, remote: true }
  - id: download_chmod_exec
    severity: P1
    message: "{agent} downloaded a file, made it executable and ran it ({program}, pids {pids})"
    within_s: 600
    steps:
      - { event: exec, program: [curl, wget, fetch, aria2c] }
      - { event: exec, program: [chmod], args_any: ["+x", "u+x", "a+x", "755", "0755", "700", "0700", "777"], capture: { name: file, from: last_arg } }
      - { event: exec, runs_captured: file }
  - id: ssh_read
    severity: P2
    message: "{agent} read {path} (pid {pids})"
    steps:
      - { event: open, path: ["@ssh"] }
  - id: credentials_read
    severity: P2
    message: "{agent} read credentials: {path} (pid {pids})"
    steps:
      - { event: open, path: ["@credentials"] }
  - id: persistence_write
    severity: P1
    message: "{agent} wrote a persistence file: {path} (pid {pids})"
    steps:
      - { event: open, write: true, path: ["@persistence"] }
  - id: gatehouse_file_touched
    severity: P1
    message: "{agent} opened gatehouse's own file {path} (pid {pids})"
    steps:
      - { event: open, path: ["@gatehouse"] }
  - id: shell_from_agent
    severity: P3
    message: "{agent} started a shell ({program}, pid {pids})"
    steps:
      - { event: exec, program: [sh, bash, dash, zsh, ksh, fish], agent_program_not: [sh, bash, dash, zsh, ksh, fish, sudo, su, login, sshd, tmux, screen] }
`;

export function parseSensorRules(text: string, source = 'sensor rules'): SensorRules {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new Error(`${source}: not YAML: ${(err as Error).message}`);
  }
  const r = SensorRulesSchema.safeParse(raw);
  if (!r.success) throw new Error(`${source}: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return r.data;
}

/**
 * The rules with those of verified rule packs added. A pack's path classes are its own (renamed
 * `pack.class` so they never replace the shipped ones); a pack rule whose id is already taken is
 * skipped, and said so.
 */
export function mergeSensorRules(base: SensorRules, packs: Array<{ pack: string; rules: SensorRules }>): { rules: SensorRules; skipped: string[] } {
  const paths: Record<string, string[]> = { ...base.paths };
  const rules = [...base.rules];
  const ids = new Set(rules.map((r) => r.id));
  const skipped: string[] = [];
  for (const { pack, rules: pr } of packs) {
    for (const [cls, globs] of Object.entries(pr.paths)) paths[`${pack}.${cls}`] = globs;
    for (const rule of pr.rules) {
      if (ids.has(rule.id)) {
        skipped.push(`rule pack ${pack}: sensor rule ${rule.id} is already defined; the pack's rule is not used`);
        continue;
      }
      ids.add(rule.id);
      rules.push({ ...rule, steps: rule.steps.map((st) => (st.path ? { ...st, path: st.path.map((x) => (x.startsWith('@') ? `@${pack}.${x.slice(1)}` : x)) } : st)) });
    }
  }
  return { rules: { paths, rules }, skipped };
}

export const DEFAULT_SENSOR_RULES: SensorRules = parseSensorRules(DEFAULT_SENSOR_RULES_YAML, 'shipped sensor rules');

/** A glob over paths as a linear-time matcher: `**` any run of characters, `*` within one segment, `?` one character. */
export function compileGlob(glob: string): (path: string) => boolean {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  const m = RE2JS.compile(`^${re}$`);
  return (path) => m.matches(path);
}
