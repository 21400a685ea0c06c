// `gatehouse policy …`: work with the firewall policy file. `test` runs the policy's own examples offline.
// Further subcommands (diff, verify, trust) go into `policySubcommands` below.
import type { Argv, CommandModule } from 'yargs';
import { CliError } from '../cliError.js';
import type { GlobalArgs } from '../context.js';

interface PolicyTestArgs extends GlobalArgs {
  policy?: string;
  json: boolean;
}

const testCommand: CommandModule<GlobalArgs, PolicyTestArgs> = {
  command: 'test',
  describe: "run the policy's tests: examples; exit 1 on any mismatch",
  builder: (y) =>
    y
      .option('policy', { type: 'string', describe: 'policy file (default $GATEHOUSE_POLICY, $XDG_CONFIG_HOME/gatehouse/policy.yaml)' })
      .option('json', { type: 'boolean', default: false, describe: 'print every result as JSON' }) as never,
  handler: async (argv) => {
    const fw = await import('../../engine/firewall/index.js');
    let loaded;
    try {
      loaded = fw.readPolicyOffline(argv.policy);
    } catch (err) {
      if (err instanceof fw.PolicyError) throw new CliError(`invalid policy:\n${err.message}`, 2);
      throw err;
    }
    const results = fw.runPolicyTests(loaded.policy);
    const failed = results.filter((r) => !r.ok);
    if (argv.json) {
      process.stdout.write(JSON.stringify({ policy: loaded.source, total: results.length, failed: failed.length, results: results.map((r) => ({ index: r.index, ...r.test, got: r.decision.decision, reason: r.decision.reason, ok: r.ok })) }, null, 2) + '\n');
    } else {
      for (const r of failed) process.stdout.write(`MISMATCH ${fw.describeMismatch(r)}\n`);
      process.stdout.write(results.length === 0 ? `${loaded.source}: no tests in the policy\n` : `${loaded.source}: ${results.length - failed.length}/${results.length} tests pass\n`);
    }
    if (failed.length) process.exitCode = 1;
  },
};

interface ReviewArgs extends GlobalArgs {
  json: boolean;
}

const diffCommand: CommandModule<GlobalArgs, ReviewArgs> = {
  command: 'diff',
  describe: 'show what changed in the policy file since it was trusted',
  builder: (y) => y.option('json', { type: 'boolean', default: false }) as never,
  handler: async (argv) => (await import('../policyReview.js')).policyReview(argv, 'diff'),
};

const verifyCommand: CommandModule<GlobalArgs, ReviewArgs> = {
  command: 'verify',
  describe: 'check the policy file against the trusted hash (exit 1 when it changed)',
  builder: (y) => y.option('json', { type: 'boolean', default: false }) as never,
  handler: async (argv) => (await import('../policyReview.js')).policyReview(argv, 'verify'),
};

interface TrustArgs extends GlobalArgs {
  yes: boolean;
  sha256?: string;
}

const trustCommand: CommandModule<GlobalArgs, TrustArgs> = {
  command: 'trust',
  describe: 'show the diff and its sha256, ask, and trust exactly that text (ends a lockdown; refused if the file changes meanwhile)',
  builder: (y) =>
    y
      .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'trust the text whose diff is printed, without asking' })
      .option('sha256', { type: 'string', describe: 'trust only if the policy text is this sha256' }) as never,
  handler: async (argv) => (await import('../policyReview.js')).policyTrust(argv),
};

interface InitArgs extends GlobalArgs {
  profile: string;
  policy?: string;
  force: boolean;
  stdout: boolean;
}

const initCommand: CommandModule<GlobalArgs, InitArgs> = {
  command: 'init',
  describe: 'write a shipped policy profile (standard, strict, ci) as the policy file',
  builder: (y) =>
    y
      .option('profile', { type: 'string', default: 'standard', describe: 'standard (the default: everyday loop allowed, attacks denied, the rest asked), strict, or ci' })
      .option('policy', { type: 'string', describe: 'where to write it (default $GATEHOUSE_POLICY, $XDG_CONFIG_HOME/gatehouse/policy.yaml)' })
      .option('force', { type: 'boolean', default: false, describe: 'replace an existing policy file' })
      .option('stdout', { type: 'boolean', default: false, describe: 'print the profile instead of writing it' }) as never,
  handler: async (argv) => (await import('../policyInit.js')).policyInit(argv),
};

interface BenchArgs extends GlobalArgs {
  policy?: string;
  profile?: string;
  corpus?: string;
  agent?: string;
  'min-deny'?: number;
  'min-benign'?: number;
  json: boolean;
}

const benchCommand: CommandModule<GlobalArgs, BenchArgs> = {
  command: 'bench',
  describe: 'score a policy on a labelled corpus of attacks and everyday calls (exit 1 under --min-deny/--min-benign)',
  builder: (y) =>
    y
      .option('policy', { type: 'string', describe: 'policy file (default $GATEHOUSE_POLICY, $XDG_CONFIG_HOME/gatehouse/policy.yaml)' })
      .option('profile', { type: 'string', describe: 'score a shipped profile instead of a policy file' })
      .option('corpus', { type: 'string', describe: 'corpus YAML (default the corpus shipped in test/corpus/actions.yaml)' })
      .option('agent', { type: 'string', describe: 'judge as this agent' })
      .option('min-deny', { type: 'number', describe: 'fail unless at least this % of attacks are denied outright (and none allowed)' })
      .option('min-benign', { type: 'number', describe: 'fail unless at least this % of benign calls are allowed' })
      .option('json', { type: 'boolean', default: false }) as never,
  handler: async (argv) => (await import('../policyInit.js')).policyBench(argv),
};

const signCommand: CommandModule<GlobalArgs, import('../policySign.js').SignArgs> = {
  command: 'sign [file]',
  describe: 'sign the policy with an Ed25519 private key: writes FILE.sig, trusted on arrival by engines with the key in policy.trusted_keys',
  builder: (y) =>
    y
      .positional('file', { type: 'string', describe: 'policy file (default the configured policy)' })
      .option('key', { type: 'string', demandOption: true, describe: 'Ed25519 private key, PEM (openssl genpkey -algorithm ed25519)' })
      .option('json', { type: 'boolean', default: false }) as never,
  handler: async (argv) => (await import('../policySign.js')).policySign(argv),
};

/** The `policy` subcommands. */
export const policySubcommands: CommandModule<GlobalArgs, never>[] = [testCommand as never, diffCommand as never, verifyCommand as never, trustCommand as never, initCommand as never, benchCommand as never, signCommand as never];

export const policyCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'policy <command>',
  describe: 'the firewall policy file: init from a profile, test its examples, bench it, diff, verify, trust and sign it',
  builder: (y: Argv<GlobalArgs>) => {
    for (const c of policySubcommands) y.command(c);
    return y.demandCommand(1, 'name a policy subcommand') as never;
  },
  handler: () => {},
};
