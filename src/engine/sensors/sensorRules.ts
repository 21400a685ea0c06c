// Correlation rules as data: a rule is one step (a single event) or several steps in order within a
// window, for one agent. Steps match on the event's kind, program, path (globs or @classes), argv,
// destination and what an earlier step captured. The shipped rules are DEFAULT_SENSOR_RULES; a signed
// rule pack may add its own under `sensor_rules:`.
import { RE2JS } from 're2js';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { SEVERITIES } from '../../shared/alert.js';

const Names = z.array(z.string().min(1).max(256)).max(256);

const StepSchema = z.strictObject({
  event: z.enum(['exec', 'open', 'connect']),
  /** Basenames of the program that did it. */
  program: Names.optional(),
  program_not: Names.optional(),
  /** The agent's own program is none of these (e.g. a shell started by an agent that is not a shell). */
  agent_program_not: Names.optional(),
  /** Globs (`*` within a segment, `**` across) or @class names from `paths:`. */
  path: Names.optional(),
  /** Only writes (open) when true. */
  write: z.boolean().optional(),
  /** Any argv word equal to one of these. */
  args_any: Names.optional(),
  /** Only destinations outside loopback (connect). */
  remote: z.boolean().optional(),
  /** Remember a value for a later step: the last argv word, or the path. */
  capture: z.strictObject({ name: z.string().regex(/^[a-z_]{1,32}$/), from: z.enum(['last_arg', 'path']) }).optional(),
  /** The event's program path or argv[0] ends with what an earlier step captured under this name. */
  runs_captured: z.string().regex(/^[a-z_]{1,32}$/).optional(),
});
export type SensorStep = z.output<typeof StepSchema>;

const RuleSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9_]{1,64}$/),
  severity: z.enum(SEVERITIES),
  /** `{agent}`, `{pids}`, `{path}`, `{dest}`, `{program}` are filled in from the evidence. */
  message: z.string().min(1).max(500),
  within_s: z.number().positive().max(86_400).default(300),
  steps: z.array(StepSchema).min(1).max(8),
});
export type SensorRule = z.output<typeof RuleSchema>;

export const SensorRulesSchema = z.strictObject({
  paths: z.record(z.string().regex(/^[a-z_]{1,32}$/), Names).default({}),
  rules: z.array(RuleSchema).max(500),
});
export type SensorRules = z.output<typeof SensorRulesSchema>;

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
  for (const rule of r.data.rules)
    for (const s of rule.steps)
      for (const p of s.path ?? []) if (p.startsWith('@') && !r.data.paths[p.slice(1)]) throw new Error(`${source}: rule ${rule.id}: no path class ${p}`);
  return r.data;
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
