// "Allow always": the narrowest rule that covers what was asked, or none where a standing rule must
// never be written. Commands: an allowlist pattern of their exact words (never for shells, interpreters,
// sudo & co, programs that run other commands, options that execute or write, or anything not statically
// verifiable). MCP tool calls: a tools rule naming the server,
// the tool and every argument's exact value.
import type { ToolCall } from '../../shared/firewall.js';
import { effectiveCommands, interpreterName, isPrivileged, isShell, isTransparentWrapper, type EffectiveCommand } from './commandView.js';
import { describeToolRule, evaluateTool, judgeCommand, type CommandJudgement } from './evaluate.js';
import { quotePatternWord } from './patterns.js';
import { rulesFor, type Policy } from './policyLoader.js';
import type { ToolRule } from './policySchema.js';
import { parseShell } from './shellParser.js';

/**
 * Patterns that would allow the command: one per command not already allowed by the policy (every
 * command when no policy is given). Null when any command is refused or denied.
 */
export function alwaysRulesFor(command: string, policy?: Policy, agent?: string | null): string[] | null {
  if (policy) return alwaysRulesOf(judgeCommand(policy, command, { agent: agent ?? null }));
  const parsed = parseShell(command);
  if (parsed.errors.length || parsed.segments.length === 0) return null;
  return rulesOf(parsed.segments.flatMap((seg) => effectiveCommands(seg)), new Set());
}

/** The same, from a judgement already made (the decision path judges once and reuses it here). */
export function alwaysRulesOf(j: CommandJudgement): string[] | null {
  if (j.parsed.errors.length || j.parsed.segments.length === 0) return null;
  if (j.decision.decision === 'deny' && j.judged.some((x) => x.verdict === 'deny')) return null;
  const allowed = new Set<string>();
  for (const x of j.judged) if (x.verdict === 'allow') allowed.add(x.cmd.argv.join('\u0000'));
  return rulesOf(j.judged.map((x) => x.cmd), allowed);
}

function rulesOf(commands: readonly EffectiveCommand[], allowed: Set<string>): string[] | null {
  const rules: string[] = [];
  for (const cmd of commands) {
    if (cmd.assignmentOnly) continue;
    if (cmd.blocked.length || cmd.argv.length === 0 || cmd.dynamic.some(Boolean)) return null;
    const head = cmd.argv[0]!;
    if (isShell(head) || interpreterName(head) || isPrivileged(head) || head === 'source' || head === '.') return null;
    // Reached through a shell's -c script (or sudo, eval, env -S, find -exec, xargs): the operator approved that, not this command.
    if (cmd.via.some((v) => v.endsWith(' -c') || !isTransparentWrapper(v))) return null;
    // Law 4a: a standing rule never names an option that runs or writes, nor a word that runs code (git aliases,
    // make VAR=…); it may name a path the program writes by nature (`tee build.log`), which is exactly this one.
    if (cmd.guards.some((g) => g.kind === 'option' || g.effect === 'exec')) return null;
    if (cmd.program?.nested.length || cmd.program?.refusals.length) return null;
    if (allowed.has(cmd.argv.join('\u0000'))) continue;
    const rule = cmd.argv.map(quotePatternWord).join(' ');
    if (!rules.includes(rule)) rules.push(rule);
  }
  return rules;
}

/** The single pattern "allow always" would write, or null (refused, already allowed, or more than one needed). */
export function alwaysRuleFor(command: string, policy?: Policy, agent?: string | null): string | null {
  const rules = alwaysRulesFor(command, policy, agent);
  return rules && rules.length === 1 ? rules[0]! : null;
}

/** Longest argument value pinned into a rule; longer content (a file body, a prompt) is not policy. */
export const MAX_PINNED_ARG_LENGTH = 512;

export type ToolAlwaysRule = { rule: ToolRule; text: string } | { refused: string };

/** Why one argument value cannot be pinned exactly by an argument glob, or null when it can. */
function unpinnable(key: string, value: unknown): string | null {
  if (typeof value === 'number' || typeof value === 'boolean') return Number.isFinite(value) || typeof value === 'boolean' ? null : `argument ${key} is not a finite number`;
  if (typeof value !== 'string') return `argument ${key} is ${Array.isArray(value) ? 'a list' : value === null ? 'null' : 'an object'}, which a rule cannot pin to this value`;
  // Argument globs have no escape: a `*` in the value would match other values too.
  if (value.includes('*')) return `argument ${key} contains '*', which a rule would read as a wildcard`;
  if (value.length > MAX_PINNED_ARG_LENGTH) return `argument ${key} is ${value.length} characters, too long to pin in a rule (max ${MAX_PINNED_ARG_LENGTH})`;
  return null;
}

/**
 * The tools rule "allow always" would write for a tool call: server, tool and every argument pinned to
 * the value asked for (arguments the call did not send stay unconstrained, as in any tools rule), or why
 * none may be written. With a policy, the rule must make the call an allow under it (a deny or ask rule
 * for the same call would win over it), and a call the policy already allows needs none.
 */
export function alwaysToolRule(call: ToolCall, policy?: Policy, agent?: string | null): ToolAlwaysRule {
  for (const [what, name] of [['server', call.server], ['tool', call.tool]] as const) {
    if (name.includes('*')) return { refused: `the ${what} name ${JSON.stringify(name)} contains '*', so the rule would be a wildcard` };
  }
  const args: Record<string, string | number | boolean> = {};
  for (const key of Object.keys(call.args).sort()) {
    const value = call.args[key];
    const why = unpinnable(key, value);
    if (why) return { refused: why };
    args[key] = value as string | number | boolean;
  }
  const rule: ToolRule = { server: call.server, tool: call.tool, ...(Object.keys(args).length ? { args } : {}), decision: 'allow' };
  if (policy) {
    const now = evaluateTool(policy, call, { agent: agent ?? null, requestId: 'always' });
    if (now.decision === 'allow') return { refused: `the policy already allows it (${now.rule})` };
    if (now.decision === 'deny' && now.rule?.startsWith('tools: ')) return { refused: `a deny rule matches it (${now.rule})` };
    const rules = rulesFor(policy, agent);
    const withRule: Policy = { ...policy, global: { ...rules, tools: [...rules.tools, rule] }, agents: new Map() };
    const after = evaluateTool(withRule, call, { requestId: 'always' });
    if (after.decision !== 'allow') return { refused: `the rule would not allow it: ${after.reason}` };
  }
  return { rule, text: describeToolRule(rule) };
}
