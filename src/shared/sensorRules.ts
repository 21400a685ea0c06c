// The shape of the host sensors' correlation rules (docs/sensors.md): shipped with the engine, in
// `sensors.rules_file`, or under `sensor_rules:` in a signed rule pack, which is why the schema is shared.
import { z } from 'zod';
import { SEVERITIES } from './alert.js';

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

export const SensorRulesSchema = z
  .strictObject({
    paths: z.record(z.string().regex(/^[a-z_]{1,32}$/), Names).default({}),
    rules: z.array(RuleSchema).max(500),
  })
  .superRefine((r, ctx) => {
    r.rules.forEach((rule, i) => {
      for (const s of rule.steps)
        for (const p of s.path ?? [])
          if (p.startsWith('@') && !r.paths[p.slice(1)]) ctx.addIssue({ code: 'custom', path: ['rules', i, 'steps'], message: `rule ${rule.id}: no path class ${p}` });
    });
  });
export type SensorRules = z.output<typeof SensorRulesSchema>;
