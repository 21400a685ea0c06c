// The policy file's shape (docs/policy.md): one zod schema, from which the Policy types come.
import { z } from 'zod';
import { AgentNetworkSchema, AgentSandboxSchema, NetworkSectionSchema, SandboxSectionSchema } from '../../shared/containPolicy.js';

export const POLICY_MODES = ['deny', 'ask', 'allowlist'] as const;
export type PolicyMode = (typeof POLICY_MODES)[number];

const DURATION = /^(\d+)(ms|s|m|h)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
export const MIN_ASK_TTL_MS = 1000;
export const MAX_ASK_TTL_MS = 24 * 3_600_000;

/** `120s`, `2m`, `1h`, `500ms`, or a number of seconds → milliseconds. */
export function parseDuration(value: string | number): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? Math.round(value * 1000) : null;
  const m = DURATION.exec(value.trim());
  return m ? Number(m[1]) * UNIT_MS[m[2]!]! : null;
}

const AskTtl = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === null || ms < MIN_ASK_TTL_MS || ms > MAX_ASK_TTL_MS) {
    ctx.addIssue({ code: 'custom', message: `expected a duration between 1s and 24h like "120s", "2m" or "1h"` });
    return z.NEVER;
  }
  return ms;
});

const PatternEntry = z
  .union([
    z.string().min(1, 'expected a non-empty pattern'),
    z.strictObject({ pattern: z.string().min(1, 'expected a non-empty pattern'), description: z.string().optional() }),
  ])
  .transform((v) => (typeof v === 'string' ? { pattern: v } : v));
export type PatternEntry = z.output<typeof PatternEntry>;

const Annotations = z.strictObject({
  readOnlyHint: z.boolean().optional(),
  destructiveHint: z.boolean().optional(),
  idempotentHint: z.boolean().optional(),
  openWorldHint: z.boolean().optional(),
});

const ToolRule = z.strictObject({
  server: z.string().min(1),
  tool: z.string().min(1),
  /** Argument globs: `*` within a path segment, `**` across segments. */
  args: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  annotations: Annotations.optional(),
  decision: z.enum(['allow', 'deny', 'ask']),
  description: z.string().optional(),
});
export type ToolRule = z.output<typeof ToolRule>;

const AgentOverride = z.strictObject({
  policy: z.enum(POLICY_MODES).optional(),
  allowlist: z.array(PatternEntry).default([]),
  denylist: z.array(PatternEntry).default([]),
  tools: z.array(ToolRule).default([]),
  sandbox: AgentSandboxSchema.optional(),
  network: AgentNetworkSchema.optional(),
  description: z.string().optional(),
});
export type AgentOverride = z.output<typeof AgentOverride>;

const Verdict = z.enum(['allow', 'deny', 'ask']);

/** A path rule (docs/policy.md): a glob and what each kind of access gets; delete falls back to write. */
const PathRule = z.strictObject({
  path: z.string().min(1, 'expected a non-empty path glob'),
  read: Verdict.optional(),
  write: Verdict.optional(),
  delete: Verdict.optional(),
  description: z.string().optional(),
});
export type PathRule = z.output<typeof PathRule>;

/** Fetch rules: host (or host:port) globs; the network laws of §11 apply (internal addresses only by exact name). */
const FetchRules = z.strictObject({
  default: Verdict.optional(),
  allow: z.array(z.string().min(1)).default([]),
  deny: z.array(z.string().min(1)).default([]),
  /** A web search (a query, no URL). */
  search: Verdict.optional(),
});
export type FetchRules = z.output<typeof FetchRules>;

const Outputs = z.strictObject({
  secrets: z.enum(['redact', 'block', 'off']).default('redact'),
  injection: z.enum(['alert', 'block', 'off']).default('alert'),
});
export type OutputsPolicy = z.output<typeof Outputs>;

const TEST_KINDS = ['command', 'tool', 'read', 'write', 'delete', 'fetch'] as const;

const PolicyTest = z
  .strictObject({
    name: z.string().optional(),
    command: z.string().optional(),
    read: z.string().min(1).optional(),
    write: z.string().min(1).optional(),
    delete: z.string().min(1).optional(),
    fetch: z.string().min(1).optional(),
    /** The agent's working directory for the example (relative paths and "workspace" rules). */
    cwd: z.string().min(1).optional(),
    tool: z
      .strictObject({
        server: z.string().min(1),
        tool: z.string().min(1),
        args: z.record(z.string(), z.unknown()).default({}),
        annotations: Annotations.optional(),
      })
      .optional(),
    agent: z.string().min(1).optional(),
    expect: z.enum(['allow', 'deny', 'ask']),
    /** The program entry and option the decision must come from (`sort -o`, `find -exec`, `xargs`): `firewall explain` shows it. */
    decided_by: z.string().min(1).optional(),
  })
  .refine((t) => TEST_KINDS.filter((k) => t[k] !== undefined).length === 1, { message: `give exactly one of ${TEST_KINDS.join(', ')}` });
export type PolicyTest = z.output<typeof PolicyTest>;

export const PolicyFileSchema = z.strictObject({
  version: z.literal(1).default(1),
  /** A signed rollout's sequence number (docs/guard.md): with trusted keys, a signed policy must carry a higher one than the policy in force. */
  serial: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  policy: z.enum(POLICY_MODES),
  ask_ttl: AskTtl.default(120_000),
  allowlist: z.array(PatternEntry).default([]),
  denylist: z.array(PatternEntry).default([]),
  tools: z.array(ToolRule).default([]),
  agents: z.record(z.string().min(1), AgentOverride).default({}),
  sandbox: SandboxSectionSchema.default(SandboxSectionSchema.parse({})),
  network: NetworkSectionSchema.default(NetworkSectionSchema.parse({})),
  paths: z.array(PathRule).default([]),
  fetch: FetchRules.default({ allow: [], deny: [] }),
  /** Sub-agents (Claude Code's Task tool); unset = a miss, decided by the mode. */
  subagents: Verdict.optional(),
  outputs: Outputs.default({ secrets: 'redact', injection: 'alert' }),
  tests: z.array(PolicyTest).default([]),
});
/** A validated policy file; `ask_ttl` is in milliseconds. */
export type PolicyFile = z.output<typeof PolicyFileSchema>;
