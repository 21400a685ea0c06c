// Firewall decision and prompt vocabulary (docs/policy.md, contract).
import { z } from 'zod';

export const VERDICTS = ['allow', 'deny', 'ask'] as const;
export type Verdict = (typeof VERDICTS)[number];

export const DECISION_SOURCES = ['policy', 'operator', 'grant', 'timeout', 'fallback', 'lockdown'] as const;
export type DecisionSource = (typeof DECISION_SOURCES)[number];

export interface Segment {
  argv: string[];
  matched_rule: string | null;
  verdict: Verdict;
  /** Why this segment got its verdict (e.g. "command substitution cannot be verified"). */
  note?: string;
}

export interface Decision {
  decision: Verdict;
  /** Where an allowed command runs (docs/containment.md): in the sandbox, or unconfined when sandbox.mode is off. */
  containment?: 'sandbox' | 'unconfined';
  source: DecisionSource;
  rule: string | null;
  reason: string;
  segments: Segment[];
  request_id: string;
}

/**
 * Whether a final decision lets the request run. Clients (exec, the hook, the MCP proxy) re-check it:
 * only an allow runs, and never one whose source is a lockdown (law 8: nothing decided in lockdown runs).
 */
export function mayRun(d: Pick<Decision, 'decision' | 'source'>): boolean {
  return d.decision === 'allow' && d.source !== 'lockdown';
}

export interface ToolCall {
  server: string;
  tool: string;
  args: Record<string, unknown>;
  annotations?: { readOnlyHint?: boolean; destructiveHint?: boolean; idempotentHint?: boolean; openWorldHint?: boolean };
}

export const ToolCallSchema = z.object({
  server: z.string().min(1).max(200),
  tool: z.string().min(1).max(200),
  args: z.record(z.string(), z.unknown()).default({}),
  annotations: z
    .object({
      readOnlyHint: z.boolean().optional(),
      destructiveHint: z.boolean().optional(),
      idempotentHint: z.boolean().optional(),
      openWorldHint: z.boolean().optional(),
    })
    .optional(),
});

/** Body of POST /api/firewall/check and IPC firewall.check. */
export const FirewallCheckSchema = z
  .object({
    command: z.string().max(100_000).optional(),
    tool: ToolCallSchema.optional(),
    agent: z.string().max(200).default('default'),
    cwd: z.string().max(4096).optional(),
    task_id: z.string().max(128).optional(),
    /** Wait for an operator's answer when the decision is ask (otherwise the ask is returned at once). */
    wait: z.boolean().default(false),
    /** The requester saw something suspicious (a changed tool, credentials then network): anything not denied becomes an ask. */
    escalate: z.object({ check: z.string().max(200), reason: z.string().max(2000) }).optional(),
  })
  .refine((b) => (b.command === undefined) !== (b.tool === undefined), {
    message: 'give exactly one of command or tool',
  });
export type FirewallCheck = z.input<typeof FirewallCheckSchema>;

export const PROMPT_STATES = ['pending', 'allowed', 'denied', 'expired', 'cancelled'] as const;
export type PromptState = (typeof PROMPT_STATES)[number];

export const ANSWER_SCOPES = ['once', 'task', 'always'] as const;
export type AnswerScope = (typeof ANSWER_SCOPES)[number];

export interface Prompt {
  id: string;
  kind: 'command' | 'tool' | 'network';
  /** A network ask's destination (`host:port`); null for the other kinds. */
  destination?: string | null;
  agent: string;
  task_id: string | null;
  cwd: string | null;
  command: string | null;
  tool: ToolCall | null;
  segments: Segment[];
  rule: string | null;
  reason: string;
  created_at: string;
  expires_at: string;
  state: PromptState;
  decision: 'allow' | 'deny' | null;
  scope: AnswerScope | null;
  resolved_by: string | null;
  feedback: string | null;
  /** The narrowest rule "allow always" would write, or null when it is refused (shells, interpreters, sudo). */
  always_rule: string | null;
  /** Why "allow always" is refused when always_rule is null (e.g. "bash -c runs arbitrary code"), for the console. */
  always_refusal?: string;
}

export const PromptResolveSchema = z.object({
  decision: z.enum(['allow', 'deny']),
  scope: z.enum(ANSWER_SCOPES).default('once'),
  reason: z.string().max(10_000).optional(),
});
export type PromptResolve = z.input<typeof PromptResolveSchema>;
