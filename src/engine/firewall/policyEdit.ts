// Edits policy YAML text through the yaml Document API so the operator's comments and layout survive.
import { isSeq, parseDocument } from 'yaml';
import { compilePattern } from './patterns.js';
import { parsePolicyText, PolicyError } from './policyLoader.js';

export interface AddRuleOptions {
  /** Add to this agent's allowlist instead of the global one. */
  agent?: string | null;
  description?: string;
}

/**
 * Returns the policy text with `pattern` appended to the allowlist (global or the agent's).
 * Unchanged when the pattern is already there. Throws PolicyError when the text or the result is invalid.
 */
export function addAllowRule(text: string, pattern: string, opts: AddRuleOptions = {}): string {
  compilePattern(pattern);
  parsePolicyText(text, 'policy.yaml'); // refuse to edit a policy that does not load
  const doc = parseDocument(text);
  const path = opts.agent ? ['agents', opts.agent, 'allowlist'] : ['allowlist'];
  const existing = doc.getIn(path, true);
  if (existing !== undefined && existing !== null && !isSeq(existing)) {
    throw new PolicyError('policy.yaml', [{ line: null, col: null, path: path.join('.'), message: 'is not a list' }]);
  }
  const items = (doc.getIn(path) as { toJSON?: () => unknown } | undefined)?.toJSON?.() ?? [];
  const present = Array.isArray(items) && items.some((i: unknown) => (typeof i === 'string' ? i : (i as { pattern?: string } | null)?.pattern) === pattern);
  if (present) return text;
  const entry = opts.description ? { pattern, description: opts.description } : { pattern };
  if (isSeq(existing)) existing.add(doc.createNode(entry));
  else doc.setIn(path, doc.createNode([entry]));
  // `agents: {}` in the default policy is a flow map; what we add under it reads better as block YAML.
  if (opts.agent) {
    const agents = doc.get('agents', true) as { flow?: boolean } | undefined;
    const agentNode = doc.getIn(['agents', opts.agent], true) as { flow?: boolean } | undefined;
    if (agents && typeof agents === 'object') agents.flow = false;
    if (agentNode && typeof agentNode === 'object') agentNode.flow = false;
  }
  const out = doc.toString();
  parsePolicyText(out, 'policy.yaml');
  return out;
}
