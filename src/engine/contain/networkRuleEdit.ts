// "Allow always" for a network ask: appends `host:port` to `network.allow` (the agent's own section unless
// the default agent asked), through the yaml Document API so comments survive; the result must load.
import { isSeq, parseDocument } from 'yaml';
import { parsePolicyText, PolicyError } from '../firewall/index.js';

export function addNetworkRule(text: string, rule: string, agent: string | null): string {
  parsePolicyText(text, 'policy.yaml');
  const doc = parseDocument(text);
  const path = agent ? ['agents', agent, 'network', 'allow'] : ['network', 'allow'];
  const existing = doc.getIn(path, true);
  if (existing !== undefined && existing !== null && !isSeq(existing)) {
    throw new PolicyError('policy.yaml', [{ line: null, col: null, path: path.join('.'), message: 'is not a list' }]);
  }
  const items = (doc.getIn(path) as { toJSON?: () => unknown } | undefined)?.toJSON?.() ?? [];
  if (Array.isArray(items) && items.includes(rule)) return text;
  if (isSeq(existing)) existing.add(doc.createNode(rule));
  else doc.setIn(path, doc.createNode([rule]));
  for (const p of [['agents'], ['agents', agent ?? ''], ['network']]) {
    const node = doc.getIn(p, true) as { flow?: boolean } | undefined;
    if (node && typeof node === 'object') node.flow = false;
  }
  const out = doc.toString();
  parsePolicyText(out, 'policy.yaml');
  return out;
}
