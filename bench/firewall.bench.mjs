// Firewall: in-process decisions/s over the decision table (test/support/firewall/table.json), against
// two baselines measured in the same run: a bare tree-sitter parse of the same commands (the floor any
// real-parser firewall pays) and shell-quote tokenisation (a string splitter that cannot fail closed).
// Also: the program table (law 4a, programs.table.json), the time and memory one pathological command
// costs (200 kB lines, deep nesting), and, with FIREWALL_BENCH_BASE=<an earlier build's dist/>, the same
// table decided by that build in interleaved rounds (a before/after ratio on a noisy machine).
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

// Law 4a: the program table, cold, under its policy.
const programTable = JSON.parse(readFileSync(join(fixtures, 'programs.table.json'), 'utf8')).cases;
const programPolicy = parsePolicyText(readFileSync(join(fixtures, 'programs.yaml'), 'utf8')).policy;
setAnalysisCacheSize(0);
const programRate = rate(programTable, (c) => {
  sink += evaluateCommand(programPolicy, c[0], { requestId: 'bench' }).segments.length;
});

// Pathological input: one decision each, median of 5, and the heap it leaves behind.
const pathological = [
  ['200 kB line', 'ls ' + 'a'.repeat(200_000)],
  ['200 kB of nested subshells', '('.repeat(100_000) + ')'.repeat(100_000)],
  ['200 kB of nested $( )', 'echo ' + '$('.repeat(66_000) + 'ls' + ')'.repeat(66_000)],
  ['200 kB of nested if', 'if true; then '.repeat(7_000) + 'ls; ' + 'fi; '.repeat(7_000)],
  ['99 kB line of words', 'ls ' + 'a '.repeat(49_000)],
  ['99 kB, 7,900 words (under the word limit)', 'ls ' + 'abcdefghijk '.repeat(7_900)],
  ['99 kB, 40 levels deep (under the depth limit)', '{ '.repeat(40) + 'ls ' + 'abcdefghijk '.repeat(7_900) + '; }'.repeat(40)],
];
const patho = pathological.map(([name, command]) => {
  const times = [];
  let heap = 0;
  for (let r = 0; r < 5; r++) {
    const h0 = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    const d = evaluateCommand(def, command, { requestId: 'bench' });
    times.push(performance.now() - t0);
    heap = Math.max(heap, process.memoryUsage().heapUsed - h0);
    sink += d.segments.length;
  }
  times.sort((a, b) => a - b);
  return { name, kb: Math.round(command.length / 1000), ms: times[2], mb: heap / 1e6, decision: evaluateCommand(def, command).decision };
});

let baseRatio = null;
if (process.env.FIREWALL_BENCH_BASE) {
  const old = await import(join(process.env.FIREWALL_BENCH_BASE, 'engine/firewall/index.js'));
  old.setAnalysisCacheSize(0);
  const oldCases = table.map((c) => ({ policy: old.parsePolicyText(readFileSync(join(fixtures, `${c.policy}.yaml`), 'utf8')).policy, command: c.command, agent: c.agent ?? null }));
  let bestNew = 0;
  let bestOld = 0;
  for (let r = 0; r < 6; r++) {
    bestOld = Math.max(bestOld, once(oldCases, (c) => (sink += old.evaluateCommand(c.policy, c.command, { agent: c.agent, requestId: 'bench' }).segments.length), 500));
    bestNew = Math.max(bestNew, once(cases, (c) => (sink += evaluateCommand(c.policy, c.command, { agent: c.agent, requestId: 'bench' }).segments.length), 500));
  }
  baseRatio = { bestNew, bestOld };
}

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
console.log(`program table (law 4a): ${programTable.length} commands, cold: ${fmt(programRate)}/s (${(programRate / parseOnly).toFixed(2)}x parse-only)`);
for (const p of patho) console.log(`pathological: ${p.name} (${p.kb} kB): ${p.decision}, ${p.ms.toFixed(2)} ms, heap +${p.mb.toFixed(1)} MB (target <= 50 ms, <= 50 MB for 200 kB)`);
if (baseRatio) console.log(`against FIREWALL_BENCH_BASE (interleaved, cold table): ${fmt(baseRatio.bestNew)}/s vs ${fmt(baseRatio.bestOld)}/s = ${(baseRatio.bestNew / baseRatio.bestOld).toFixed(2)}x`);
console.log(`corpus (${corpus.cases.length} cases), standard profile with path rules, cold:`);
console.log(`  baseline tree-sitter parse of its ${corpusCommands.length} commands: ${fmt(corpusParse)}/s`);
console.log(`  command decisions/s: ${fmt(corpusExec)} (${(corpusExec / corpusParse).toFixed(2)}x parse-only; target >= 20,000/s)`);
console.log(`  all actions (exec, read, write, delete, fetch, mcp, agent): ${fmt(corpusAll)}/s`);
if (sink === 0) console.log('(sink)');
if (decisions < 20_000) console.log(`note: cold decisions below the 20,000/s target on this run; the parse-only baseline (${fmt(parseOnly)}/s) bounds it, see the ratio`);
