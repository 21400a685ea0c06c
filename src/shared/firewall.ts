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
  /** The paths and URLs a command or MCP call touches, each as the path/fetch rules judged it (docs/policy.md). */
  paths?: Segment[];
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

/** A native tool's action (docs/policy.md): a path read/written/deleted, a fetch or web search, a sub-agent. */
export const NativeActionSchema = z.union([
  z.strictObject({ kind: z.enum(['read', 'write', 'delete']), path: z.string().min(1).max(4096), recursive: z.boolean().optional() }),
  z.strictObject({ kind: z.literal('fetch'), url: z.string().min(1).max(8192) }),
  z.strictObject({ kind: z.literal('fetch'), query: z.string().max(8192) }),
  z.strictObject({ kind: z.literal('agent'), description: z.string().max(8192) }),
]);
export type NativeAction = z.output<typeof NativeActionSchema>;

/** Body of POST /api/firewall/check and IPC firewall.check. */
export const FirewallCheckSchema = z
  .object({
    command: z.string().max(100_000).optional(),
    tool: ToolCallSchema.optional(),
    /** The actions of a native tool call (Read, Write, WebFetch, Task…), decided together: deny beats allow. */
    actions: z.array(NativeActionSchema).min(1).max(64).optional(),
    /** The host's name for the tool (e.g. Claude Code's "Read"), for prompts and the ledger. */
    tool_name: z.string().max(200).optional(),
    agent: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'an agent name is 1-64 of A-Z a-z 0-9 . _ - (law 11)').default('default'),
    cwd: z.string().max(4096).optional(),
    task_id: z.string().max(128).optional(),
    /** Wait for an operator's answer when the decision is ask (otherwise the ask is returned at once). */
    wait: z.boolean().default(false),
    /** The requester saw something suspicious (a changed tool, credentials then network): anything not denied becomes an ask. */
    escalate: z.object({ check: z.string().max(200), reason: z.string().max(2000) }).optional(),
  })
  .refine((b) => [b.command, b.tool, b.actions].filter((x) => x !== undefined).length === 1, {
    message: 'give exactly one of command, tool or actions',
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
