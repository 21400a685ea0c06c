// `gatehouse policy diff|verify|trust`: review the policy file against the trusted copy. The running
// engine answers (it owns trust and lockdown); diff and verify also work with no engine, from the files.
import { existsSync, readFileSync } from 'node:fs';
import { readPolicyFile, type PolicyFileRead } from '../engine/firewall/policyFile.js';
import { createInterface } from 'node:readline/promises';
import { defaultPolicyPath, sha256 } from '../engine/firewall/index.js';
import { loadConfig } from '../engine/config/config.js';
import { statePath } from '../engine/store/stateDir.js';
import { unifiedDiff } from '../engine/platform/textDiff.js';
import { EngineError } from '../shared/errors.js';
import { CliError } from './cliError.js';
import { callEngine, stateDirOf, type GlobalArgs } from './context.js';

interface Review {
  diff: string;
  trusted_hash: string | null;
  current_hash: string | null;
  /** The sha256 of exactly the text `diff` shows (what a trust request names). */
  sha256?: string | null;
  refused?: string | null;
  lockdown?: string | null;
}

async function fromEngine(argv: GlobalArgs): Promise<Review | null> {
  try {
    return (await callEngine(argv, 'policy.diff')) as Review;
  } catch (err) {
    if (err instanceof CliError && err.exitCode === 3) return null;
    throw err;
  }
}

function fromFiles(argv: GlobalArgs): Review {
  const stateDir = stateDirOf(argv);
  const policyPath = loadConfig(argv.config).config.firewall.policy_file ?? defaultPolicyPath();
  const trustedFile = statePath(stateDir, 'policyTrusted');
  const trusted = existsSync(trustedFile) ? (JSON.parse(readFileSync(trustedFile, 'utf8')) as { text: string; sha256: string; trusted_at: string }) : null;
  let current: PolicyFileRead | null = null;
  let refused: string | null = null;
  try {
    current = readPolicyFile(policyPath);
  } catch (err) {
    refused = (err as Error).message;
  }
  return {
    diff: unifiedDiff(trusted?.text ?? '', current?.text ?? '', `trusted ${trusted?.trusted_at ?? '(none)'}`, current === null ? `(${refused})` : policyPath),
    trusted_hash: trusted?.sha256 ?? null,
    current_hash: current?.sha256 ?? null,
    sha256: current?.sha256 ?? null,
    refused,
  };
}

export async function policyReview(argv: GlobalArgs & { json?: boolean }, action: 'diff' | 'verify'): Promise<void> {
  const r = (await fromEngine(argv)) ?? fromFiles(argv);
  const same = r.trusted_hash !== null && r.trusted_hash === r.current_hash;
  if (argv.json) process.stdout.write(`${JSON.stringify({ ...r, trusted: same }, null, 2)}\n`);
  else if (action === 'diff') process.stdout.write(r.diff || 'the policy file is the trusted text\n');
  else
    process.stdout.write(
      same
        ? `policy ok: sha256 ${r.current_hash}\n`
        : r.trusted_hash === null
          ? 'no trusted policy yet (the engine trusts the file at its first start)\n'
          : r.refused
            ? `policy CANNOT BE TRUSTED: ${r.refused}\n`
            : `policy CHANGED outside gatehouse: sha256 ${r.current_hash ?? '(missing)'} is not the trusted ${r.trusted_hash}\n`,
    );
  if (action === 'verify' && !same) process.exitCode = 1;
}

/**
 * `policy trust`: shows the diff and the sha256 of the text it shows, asks, and sends that sha256. The
 * engine trusts only a file that still hashes to it (law 8), so a file swapped while the question waits
 * is refused, and `--yes` trusts the text whose diff was printed, never a later one. `--sha256 H` also
 * refuses unless the text shown is H (for scripts that reviewed the text some other way).
 */
export async function policyTrust(argv: GlobalArgs & { yes: boolean; sha256?: string }): Promise<void> {
  const r = await fromEngine(argv);
  if (!r) throw new CliError('no engine is running: start it (gatehouse run) to review and trust the policy; trust is recorded in its ledger', 3);
  const shown = r.sha256 ?? r.current_hash;
  if (!shown) throw new CliError(`not trusted: ${r.refused ?? 'the policy file is missing'}`, 1);
  if (argv.sha256 && argv.sha256.toLowerCase() !== shown) throw new CliError(`not trusted: the policy file hashes to sha256 ${shown}, not ${argv.sha256}`, 1);
  if (r.trusted_hash === shown && !r.lockdown) {
    process.stdout.write(`the policy file is already the trusted text (sha256 ${shown})\n`);
    return;
  }
  process.stdout.write(r.diff);
  process.stdout.write(`the text above has sha256 ${shown}\n`);
  if (!argv.yes) {
    if (!process.stdin.isTTY) throw new CliError('refusing to trust without confirmation: run in a terminal, or pass --yes', 2);
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    const answer = await rl.question(`Trust this policy (sha256 ${shown.slice(0, 12)}…) and end any lockdown? [y/N] `);
    rl.close();
    if (!/^y(es)?$/i.test(answer.trim())) throw new CliError('not trusted', 1);
  }
  try {
    const t = (await callEngine(argv, 'policy.trust', { sha256: shown })) as { policy_hash: string };
    process.stdout.write(`trusted: sha256 ${t.policy_hash}\n`);
  } catch (err) {
    if (err instanceof EngineError) throw new CliError(err.message, 1);
    throw err;
  }
}
