// `gatehouse policy init --profile P` and `gatehouse policy bench`: write a shipped profile as the policy
// file; score a policy on the labelled corpus.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError } from './cliError.js';
import type { GlobalArgs } from './context.js';

async function firewall() {
  return import('../engine/firewall/index.js');
}

export async function policyInit(argv: GlobalArgs & { profile: string; policy?: string; force: boolean; stdout: boolean }): Promise<void> {
  const fw = await firewall();
  const text = fw.profileText(argv.profile);
  if (text === null) throw new CliError(`unknown profile ${JSON.stringify(argv.profile)}; profiles: ${fw.PROFILE_NAMES.join(', ')}`, 2);
  if (argv.stdout) return void process.stdout.write(text);
  const path = resolve(argv.policy ?? fw.defaultPolicyPath());
  if (existsSync(path) && !argv.force) throw new CliError(`${path} exists; pass --force to replace it with the ${argv.profile} profile (the engine then waits for "gatehouse policy trust")`, 2);
  const { writePrivateFileAtomic } = await import('../engine/store/stateDir.js');
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writePrivateFileAtomic(path, text);
  const loaded = fw.parsePolicyText(text, path);
  const failed = fw.runPolicyTests(loaded.policy).filter((r) => !r.ok);
  process.stdout.write(`wrote the ${argv.profile} profile to ${path} (sha256 ${loaded.sha256.slice(0, 12)}…)\n`);
  for (const r of failed) process.stdout.write(`note: ${fw.describeMismatch(r)}\n`);
  process.stdout.write('a running engine treats a changed policy as tampering until you run: gatehouse policy trust\n');
}

/** The corpus shipped with gatehouse: test/corpus/actions.yaml at the package root. */
function shippedCorpus(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'corpus', 'actions.yaml');
}

export async function policyBench(argv: GlobalArgs & { policy?: string; profile?: string; corpus?: string; agent?: string; 'min-deny'?: number; 'min-benign'?: number; json: boolean }): Promise<void> {
  const fw = await firewall();
  const bench = await import('../engine/firewall/policyBench.js');
  let loaded;
  try {
    if (argv.profile !== undefined) {
      const text = fw.profileText(argv.profile);
      if (text === null) throw new CliError(`unknown profile ${JSON.stringify(argv.profile)}; profiles: ${fw.PROFILE_NAMES.join(', ')}`, 2);
      loaded = fw.parsePolicyText(text, `(profile ${argv.profile})`);
    } else loaded = fw.readPolicyOffline(argv.policy);
  } catch (err) {
    if (err instanceof fw.PolicyError) throw new CliError(`invalid policy:\n${err.message}`, 2);
    throw err;
  }
  const corpusPath = argv.corpus ?? shippedCorpus();
  if (!existsSync(corpusPath)) throw new CliError(`corpus not found: ${corpusPath} (give one with --corpus FILE)`, 2);
  let corpus;
  try {
    corpus = bench.parseCorpus(readFileSync(corpusPath, 'utf8'), corpusPath);
  } catch (err) {
    if (err instanceof bench.CorpusError) throw new CliError(`invalid corpus: ${err.message}`, 2);
    throw err;
  }
  const r = bench.runBench(loaded.policy, corpus, { agent: argv.agent ?? null });
  const A = r.attacks.allow + r.attacks.ask + r.attacks.deny;
  const B = r.benign.allow + r.benign.ask + r.benign.deny;
  const denyPct = A ? (100 * r.attacks.deny) / A : 100;
  const benignPct = B ? (100 * r.benign.allow) / B : 100;
  if (argv.json) {
    const misses = r.misses.map((m) => ({ kind: m.c.kind, input: m.c.input, label: m.c.label, category: m.c.category, got: m.verdict, reason: m.reason }));
    process.stdout.write(JSON.stringify({ policy: loaded.source, corpus: corpusPath, ...r, misses, attack_deny_pct: denyPct, benign_allow_pct: benignPct }, null, 2) + '\n');
  } else process.stdout.write(bench.formatBench(r, loaded.source, corpusPath));
  const fails: string[] = [];
  if (argv['min-deny'] !== undefined) {
    if (r.attacks.allow > 0) fails.push(`${r.attacks.allow} attack(s) allowed`);
    if (denyPct < argv['min-deny']) fails.push(`attacks denied ${denyPct.toFixed(1)}% < --min-deny ${argv['min-deny']}%`);
  }
  if (argv['min-benign'] !== undefined && benignPct < argv['min-benign']) fails.push(`benign allowed ${benignPct.toFixed(1)}% < --min-benign ${argv['min-benign']}%`);
  if (fails.length) {
    process.stderr.write(`policy bench: ${fails.join('; ')}\n`);
    process.exitCode = 1;
  }
}
