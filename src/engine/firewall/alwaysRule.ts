// "Allow always": the narrowest allowlist pattern that covers a command (its exact words), or null
// where a rule must never be written: shells, interpreters, sudo & co, anything not statically verifiable.
import { effectiveCommands, interpreterName, isPrivileged, isShell } from './commandView.js';
import { judgeCommand } from './evaluate.js';
import { quotePatternWord } from './patterns.js';
import type { Policy } from './policyLoader.js';
import { parseShell } from './shellParser.js';

const TRANSPARENT = new Set(['env', 'nice', 'nohup', 'timeout', 'time', 'stdbuf', 'command', 'exec']);

/**
 * Patterns that would allow the command: one per command not already allowed by the policy (every
 * command when no policy is given). Null when any command is refused or denied.
 */
export function alwaysRulesFor(command: string, policy?: Policy, agent?: string | null): string[] | null {
  const parsed = parseShell(command);
  if (parsed.errors.length || parsed.segments.length === 0) return null;
  const allowed = new Set<string>();
  if (policy) {
    const j = judgeCommand(policy, command, { agent: agent ?? null });
    if (j.decision.decision === 'deny' && j.judged.some((x) => x.verdict === 'deny')) return null;
    for (const x of j.judged) if (x.verdict === 'allow') allowed.add(x.cmd.argv.join('\u0000'));
  }
  const rules: string[] = [];
  for (const seg of parsed.segments) {
    for (const cmd of effectiveCommands(seg)) {
      if (cmd.assignmentOnly) continue;
      if (cmd.blocked.length || cmd.argv.length === 0 || cmd.dynamic.some(Boolean)) return null;
      const head = cmd.argv[0]!;
      if (isShell(head) || interpreterName(head) || isPrivileged(head) || head === 'source' || head === '.') return null;
      // Reached through a shell's -c script (or sudo, eval, env -S): the operator approved a shell, not this command.
      if (cmd.via.some((v) => v.endsWith(' -c') || !TRANSPARENT.has(v))) return null;
      if (allowed.has(cmd.argv.join('\u0000'))) continue;
      const rule = cmd.argv.map(quotePatternWord).join(' ');
      if (!rules.includes(rule)) rules.push(rule);
    }
  }
  return rules;
}

/** The single pattern "allow always" would write, or null (refused, already allowed, or more than one needed). */
export function alwaysRuleFor(command: string, policy?: Policy, agent?: string | null): string | null {
  const rules = alwaysRulesFor(command, policy, agent);
  return rules && rules.length === 1 ? rules[0]! : null;
}
