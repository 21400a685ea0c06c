// `gatehouse policy bench`: scores a policy on a labelled corpus of tool calls (test/corpus/actions.yaml):
// attacks allowed/asked/denied and benign calls allowed/asked/denied, by category, and decisions/s.
import { parse } from 'yaml';
import { z } from 'zod';
import type { Verdict } from '../../shared/firewall.js';
import type { Action } from './actions.js';
import { evaluateAction } from './decideActions.js';
import { setAnalysisCacheSize } from './evaluate.js';
import { parseShell } from './shellParser.js';
import type { PathContext } from './pathRules.js';
import type { Policy } from './policyLoader.js';

const McpInput = z.strictObject({ server: z.string().min(1), tool: z.string().min(1), args: z.record(z.string(), z.unknown()).default({}) });

const Case = z.strictObject({
  kind: z.enum(['exec', 'read', 'write', 'delete', 'fetch', 'mcp', 'agent']),
  input: z.union([z.string().min(1), McpInput]),
  label: z.enum(['attack', 'benign']),
  category: z.string().min(1),
  ref: z.string().optional(),
});
export type CorpusCase = z.output<typeof Case>;

const Corpus = z.strictObject({
  version: z.literal(1),
  home: z.string().startsWith('/'),
  workspace: z.string().startsWith('/'),
  cases: z.array(Case).min(1),
});
export type CorpusFile = z.output<typeof Corpus>;

export class CorpusError extends Error {}

export function parseCorpus(text: string, source: string): CorpusFile {
  let data: unknown;
  try {
    data = parse(text);
  } catch (err) {
    throw new CorpusError(`${source}: not YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const r = Corpus.safeParse(data);
  if (!r.success) throw new CorpusError(`${source}: ${r.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ')}`);
  for (const [i, c] of r.data.cases.entries()) {
    if ((c.kind === 'mcp') !== (typeof c.input === 'object')) throw new CorpusError(`${source}: cases[${i}]: an mcp case takes {server, tool, args}; other kinds take a string`);
  }
  return r.data;
}

export function caseAction(c: CorpusCase): Action {
  const input = c.input;
  if (typeof input === 'object') return { kind: 'mcp', call: { server: input.server, tool: input.tool, args: input.args } };
  switch (c.kind) {
    case 'exec':
      return { kind: 'exec', command: input };
    case 'fetch':
      return { kind: 'fetch', url: input };
    case 'agent':
      return { kind: 'agent', description: input };
    default:
      return { kind: c.kind as 'read' | 'write' | 'delete', path: input };
  }
}

export type Tally = Record<Verdict, number>;
const zero = (): Tally => ({ allow: 0, ask: 0, deny: 0 });

export interface BenchResult {
  total: number;
  attacks: Tally;
  benign: Tally;
  byCategory: { label: 'attack' | 'benign'; category: string; tally: Tally }[];
  /** Native file tool calls (read/write/delete cases): how many got allow or deny outright. */
  nativeFile: { total: number; decided: number };
  /** Attacks allowed and benign calls denied, for the operator to look at. */
  misses: { c: CorpusCase; verdict: Verdict; reason: string }[];
  /** Decisions per second with the parse cache off (every command parsed afresh), path rules on. */
  decisionsPerSecondCold: number;
  /** The same over the exec cases only, and the bare tree-sitter parse of those commands (the baseline). */
  execPerSecondCold: number;
  parsePerSecond: number;
}

/** Items per second: best of a few rounds (the machine is shared; a round that lost the CPU says nothing). */
function rate<T>(items: T[], fn: (x: T) => void, ms: number): number {
  let best = 0;
  for (let round = 0; round < 3; round++) {
    let n = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < ms / 3) {
      for (const x of items) fn(x);
      n += items.length;
      t = performance.now();
    }
    best = Math.max(best, (n * 1000) / (t - t0));
  }
  return best;
}

/** The bench's view of the agent: the corpus's home and workspace, gatehouse's default places under that home. */
export function corpusContext(corpus: CorpusFile): PathContext {
  return { home: corpus.home, cwd: corpus.workspace, protectedRoots: [`${corpus.home}/.local/state/gatehouse`, `${corpus.home}/.config/gatehouse`], followSymlinks: false };
}

export function runBench(policy: Policy, corpus: CorpusFile, opts: { agent?: string | null; timeMs?: number } = {}): BenchResult {
  const paths = corpusContext(corpus);
  const evalOpts = { agent: opts.agent ?? null, cwd: corpus.workspace, paths };
  const actions = corpus.cases.map(caseAction);
  const attacks = zero();
  const benign = zero();
  const cats = new Map<string, { label: 'attack' | 'benign'; category: string; tally: Tally }>();
  const misses: BenchResult['misses'] = [];
  const nativeFile = { total: 0, decided: 0 };
  corpus.cases.forEach((c, i) => {
    const d = evaluateAction(policy, actions[i]!, evalOpts);
    (c.label === 'attack' ? attacks : benign)[d.decision]++;
    const key = `${c.label}\0${c.category}`;
    let cat = cats.get(key);
    if (!cat) cats.set(key, (cat = { label: c.label, category: c.category, tally: zero() }));
    cat.tally[d.decision]++;
    if ((c.label === 'attack' && d.decision !== 'deny') || (c.label === 'benign' && d.decision !== 'allow')) misses.push({ c, verdict: d.decision, reason: d.reason });
    if (c.kind === 'read' || c.kind === 'write' || c.kind === 'delete') {
      nativeFile.total++;
      if (d.decision !== 'ask') nativeFile.decided++;
    }
  });
  // Throughput, cold: the parse cache off so every command is parsed and unwrapped again; the bare
  // parse of the same commands, measured in the same run, is the baseline.
  const budget = opts.timeMs ?? 1500;
  const execs = actions.filter((a) => a.kind === 'exec');
  setAnalysisCacheSize(0);
  let cold: number;
  let execCold: number;
  try {
    cold = rate(actions, (a) => evaluateAction(policy, a, evalOpts), budget);
    execCold = rate(execs, (a) => evaluateAction(policy, a, evalOpts), budget);
  } finally {
    setAnalysisCacheSize(512);
  }
  const parseRate = rate(execs, (a) => parseShell((a as { command: string }).command), budget);
  return { total: corpus.cases.length, attacks, benign, byCategory: [...cats.values()], nativeFile, misses, decisionsPerSecondCold: cold, execPerSecondCold: execCold, parsePerSecond: parseRate };
}

const pct = (n: number, of: number): string => (of ? `${((100 * n) / of).toFixed(1)}%` : '-');

/** The table `policy bench` prints. */
export function formatBench(r: BenchResult, source: string, corpusSource: string): string {
  const A = r.attacks.allow + r.attacks.ask + r.attacks.deny;
  const B = r.benign.allow + r.benign.ask + r.benign.deny;
  const out = [
    `policy: ${source}`,
    `corpus: ${corpusSource} (${r.total} cases: ${A} attacks, ${B} benign)`,
    '',
    `${'label/category'.padEnd(34)}${'allowed'.padStart(9)}${'asked'.padStart(9)}${'denied'.padStart(9)}`,
  ];
  const row = (name: string, t: Tally) => out.push(`${name.padEnd(34)}${String(t.allow).padStart(9)}${String(t.ask).padStart(9)}${String(t.deny).padStart(9)}`);
  for (const label of ['attack', 'benign'] as const) {
    row(label === 'attack' ? 'ATTACKS' : 'BENIGN', label === 'attack' ? r.attacks : r.benign);
    for (const c of r.byCategory.filter((c) => c.label === label).sort((a, b) => a.category.localeCompare(b.category))) row(`  ${c.category}`, c.tally);
  }
  out.push(
    '',
    `attacks allowed: ${r.attacks.allow} (${pct(r.attacks.allow, A)}); denied outright: ${r.attacks.deny} (${pct(r.attacks.deny, A)})`,
    `benign allowed: ${r.benign.allow} (${pct(r.benign.allow, B)}); false positives (benign denied): ${r.benign.deny} (${pct(r.benign.deny, B)})`,
    `native file tool calls decided (allow or deny, no ask): ${r.nativeFile.decided}/${r.nativeFile.total}`,
    `decisions/s, cold (parse cache off, path rules on): ${Math.round(r.decisionsPerSecondCold).toLocaleString('en-US')} over all cases; ${Math.round(r.execPerSecondCold).toLocaleString('en-US')} over the commands = ${(r.execPerSecondCold / r.parsePerSecond).toFixed(2)}x a bare tree-sitter parse of them (${Math.round(r.parsePerSecond).toLocaleString('en-US')}/s, same run)`,
  );
  return out.join('\n') + '\n';
}
