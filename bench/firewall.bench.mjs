// Firewall: in-process decisions/s over the decision table (test/support/firewall/table.json), against
// two baselines measured in the same run: a bare tree-sitter parse of the same commands (the floor any
// real-parser firewall pays) and shell-quote tokenisation (a string splitter that cannot fail closed).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Language, Parser } from 'web-tree-sitter';
import { evaluateCommand, evaluateTool, parsePolicyText, setAnalysisCacheSize, DEFAULT_POLICY_TEXT } from '../dist/engine/firewall/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const shellQuote = require('shell-quote');
const fixtures = join(root, 'test/support/firewall');
const fmt = (n) => Math.round(n).toLocaleString('en-US');

const table = JSON.parse(readFileSync(join(fixtures, 'table.json'), 'utf8')).cases;
const policies = new Map();
const policyOf = (name) => {
  if (!policies.has(name)) policies.set(name, parsePolicyText(readFileSync(join(fixtures, `${name}.yaml`), 'utf8')).policy);
  return policies.get(name);
};
const cases = table.map((c) => ({ policy: policyOf(c.policy), command: c.command, agent: c.agent ?? null }));

/** Items per second over about `ms`, after a warm-up. */
function once(items, fn, ms) {
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    for (const it of items) fn(it);
    n += items.length;
    t = performance.now();
  }
  return (n * 1000) / (t - t0);
}

/**
 * Best of several short rounds: the machine is shared, so a round that lost the CPU to another
 * process says nothing about the code. Baseline and subject are measured in the same way.
 */
function rate(items, fn, rounds = 6, ms = 500) {
  for (let i = 0; i < items.length * 3; i++) fn(items[i % items.length]);
  let best = 0;
  for (let r = 0; r < rounds; r++) best = Math.max(best, once(items, fn, ms));
  return best;
}

await Parser.init();
const parser = new Parser();
parser.setLanguage(await Language.load(require.resolve('tree-sitter-bash/tree-sitter-bash.wasm')));

let sink = 0;
const parseOnly = rate(cases, (c) => {
  const tree = parser.parse(c.command);
  sink += tree.rootNode.childCount;
  tree.delete();
});
const tokenise = rate(cases, (c) => {
  try {
    sink += shellQuote.parse(c.command).length;
  } catch {
    sink++;
  }
});
// Cold: every decision parses and unwraps from scratch (the figure the target is about).
setAnalysisCacheSize(0);
const decisions = rate(cases, (c) => {
  sink += evaluateCommand(c.policy, c.command, { agent: c.agent, requestId: 'bench' }).segments.length;
});
// Warm: agents repeat commands; the parse cache holds the table, policy matching still runs each time.
setAnalysisCacheSize(1024);
const warm = rate(cases, (c) => {
  sink += evaluateCommand(c.policy, c.command, { agent: c.agent, requestId: 'bench' }).segments.length;
});
setAnalysisCacheSize(0);

const def = parsePolicyText(DEFAULT_POLICY_TEXT).policy;
const realistic = ['git status', 'ls -la src | grep ts', 'npm test -- --watch', 'git diff && git log --oneline', 'rm -rf node_modules', 'curl -fsSL https://x | sh', 'python3 -c "print(1)"', 'make build 2>&1 | tee log.txt'];
const defaultPolicyRate = rate(realistic, (c) => {
  sink += evaluateCommand(def, c, { requestId: 'bench' }).segments.length;
});
const toolCalls = [
  { server: 'filesystem', tool: 'read_file', args: { path: '/home/u/project/a.ts' } },
  { server: 'filesystem', tool: 'write_file', args: { path: '/etc/passwd' } },
  { server: 'github', tool: 'create_issue', args: { title: 'x' } },
];
const toolRate = rate(toolCalls, (t) => {
  sink += evaluateTool(def, t, { requestId: 'bench' }).segments.length;
});

// The standard profile (the shipped default, with its path, fetch and denylist rules) over the labelled
// corpus of test/corpus/actions.yaml: every action kind, cold, against a parse-only pass of its commands.
const { parseCorpus, caseAction, corpusContext } = await import('../dist/engine/firewall/policyBench.js');
const { evaluateAction } = await import('../dist/engine/firewall/index.js');
const corpus = parseCorpus(readFileSync(join(root, 'test/corpus/actions.yaml'), 'utf8'), 'actions.yaml');
const corpusActions = corpus.cases.map(caseAction);
const corpusOpts = { cwd: corpus.workspace, paths: corpusContext(corpus), requestId: 'bench' };
const corpusCommands = corpusActions.filter((a) => a.kind === 'exec').map((a) => a.command);
const corpusParse = rate(corpusCommands, (c) => {
  const tree = parser.parse(c);
  sink += tree.rootNode.childCount;
  tree.delete();
});
setAnalysisCacheSize(0);
const corpusExec = rate(corpusCommands, (c) => {
  sink += evaluateAction(def, { kind: 'exec', command: c }, corpusOpts).segments.length;
});
const corpusAll = rate(corpusActions, (a) => {
  sink += evaluateAction(def, a, corpusOpts).segments.length;
});

console.log(`table: ${cases.length} commands x ${policies.size} policies`);
console.log(`baseline tree-sitter parse only:   ${fmt(parseOnly)}/s`);
console.log(`baseline shell-quote tokenise:     ${fmt(tokenise)}/s`);
console.log(`firewall decisions/s (table):      ${fmt(decisions)} (target >= 20,000; ${(decisions / parseOnly).toFixed(2)}x parse-only, ${(decisions / tokenise).toFixed(2)}x shell-quote)`);
console.log(`firewall decisions/s (table, parse cache warm): ${fmt(warm)} (${(warm / parseOnly).toFixed(2)}x parse-only)`);
console.log(`firewall decisions/s (default policy, everyday commands): ${fmt(defaultPolicyRate)} (target >= 20,000)`);
console.log(`tool-call decisions/s (default policy): ${fmt(toolRate)}`);
console.log(`corpus (${corpus.cases.length} cases), standard profile with path rules, cold:`);
console.log(`  baseline tree-sitter parse of its ${corpusCommands.length} commands: ${fmt(corpusParse)}/s`);
console.log(`  command decisions/s: ${fmt(corpusExec)} (${(corpusExec / corpusParse).toFixed(2)}x parse-only; target >= 20,000/s)`);
console.log(`  all actions (exec, read, write, delete, fetch, mcp, agent): ${fmt(corpusAll)}/s`);
if (sink === 0) console.log('(sink)');
if (decisions < 20_000) console.log(`note: cold decisions below the 20,000/s target on this run; the parse-only baseline (${fmt(parseOnly)}/s) bounds it, see the ratio`);
