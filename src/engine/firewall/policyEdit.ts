// Edits policy YAML text through the yaml Document API so the operator's comments and layout survive.
import { isSeq, parseDocument } from 'yaml';
import { compilePattern } from './patterns.js';
import { parsePolicyText, PolicyError } from './policyLoader.js';
import type { ToolRule } from './policySchema.js';

export interface AddRuleOptions {
  /** Add to this agent's list instead of the global one. */
  agent?: string | null;
  description?: string;
}

/**
 * Returns the policy text with `entry` appended to a top-level list (`allowlist`, `tools`), global or
 * the agent's, unless an entry `same` as it is already there. Refuses to edit a policy that does not
 * load and to return one that does not (PolicyError).
 */
function appendEntry(text: string, list: 'allowlist' | 'tools', entry: object, same: (item: unknown) => boolean, agent: string | null | undefined): string {
  parsePolicyText(text, 'policy.yaml');
  const doc = parseDocument(text);
  const path = agent ? ['agents', agent, list] : [list];
  const existing = doc.getIn(path, true);
  if (existing !== undefined && existing !== null && !isSeq(existing)) {
    throw new PolicyError('policy.yaml', [{ line: null, col: null, path: path.join('.'), message: 'is not a list' }]);
  }
  const items = (doc.getIn(path) as { toJSON?: () => unknown } | undefined)?.toJSON?.() ?? [];
  if (Array.isArray(items) && items.some(same)) return text;
  if (isSeq(existing)) existing.add(doc.createNode(entry));
  else doc.setIn(path, doc.createNode([entry]));
  // `agents: {}` in the default policy is a flow map; what we add under it reads better as block YAML.
  if (agent) {
    const agents = doc.get('agents', true) as { flow?: boolean } | undefined;
    const agentNode = doc.getIn(['agents', agent], true) as { flow?: boolean } | undefined;
    if (agents && typeof agents === 'object') agents.flow = false;
    if (agentNode && typeof agentNode === 'object') agentNode.flow = false;
  }
  const out = doc.toString();
  parsePolicyText(out, 'policy.yaml');
  return out;
}

/**
 * Returns the policy text with `pattern` appended to the allowlist (global or the agent's).
 * Unchanged when the pattern is already there. Throws PolicyError when the text or the result is invalid.
 */
export function addAllowRule(text: string, pattern: string, opts: AddRuleOptions = {}): string {
  compilePattern(pattern);
  const entry = opts.description ? { pattern, description: opts.description } : { pattern };
  const same = (i: unknown) => (typeof i === 'string' ? i : (i as { pattern?: string } | null)?.pattern) === pattern;
  return appendEntry(text, 'allowlist', entry, same, opts.agent);
}

/** The parts of a tools rule that decide what it matches (not its description). */
function ruleKey(r: Partial<ToolRule>): string {
  const args = r.args ? Object.entries(r.args).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : [];
  return JSON.stringify([r.server, r.tool, args, r.annotations ?? null, r.decision]);
}

/**
 * Returns the policy text with the tools rule appended to `tools` (global or the agent's). Unchanged
 * when a rule matching the same calls the same way is already there. Throws PolicyError when the text
 * or the result is invalid.
 */
export function addToolRule(text: string, rule: ToolRule, opts: AddRuleOptions = {}): string {
  const { description: _old, ...bare } = rule;
  const entry: ToolRule = opts.description ? { ...bare, description: opts.description } : bare;
  const key = ruleKey(entry);
  const same = (i: unknown) => i !== null && typeof i === 'object' && ruleKey(i as Partial<ToolRule>) === key;
  return appendEntry(text, 'tools', entry, same, opts.agent);
}
