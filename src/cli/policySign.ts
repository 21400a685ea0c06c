// `gatehouse policy sign --key KEY [FILE]`: signs the policy's exact bytes with an Ed25519 private key
// and writes FILE.sig beside it (docs/guard.md, "Signed policies"). A policy that does not load or
// whose own tests fail is not signed: every engine would refuse it anyway.
import { resolve } from 'node:path';
import { CliError } from './cliError.js';
import type { GlobalArgs } from './context.js';

export interface SignArgs extends GlobalArgs {
  key: string;
  file?: string;
  json: boolean;
}

export async function policySign(argv: SignArgs): Promise<void> {
  const fw = await import('../engine/firewall/index.js');
  const { loadConfig } = await import('../engine/config/config.js');
  const { signPolicyFile } = await import('../engine/fleet/policySignature.js');
  const path = resolve(argv.file ?? loadConfig(argv.config).config.firewall.policy_file ?? fw.defaultPolicyPath());
  let loaded;
  try {
    loaded = fw.readPolicyOffline(path);
  } catch (err) {
    throw new CliError(`not signed: ${(err as Error).message}`, 2);
  }
  const failed = fw.runPolicyTests(loaded.policy).filter((r) => !r.ok);
  if (failed.length) throw new CliError(`not signed: the policy's own tests fail:\n${failed.map((f) => fw.describeMismatch(f)).join('\n')}`, 1);
  let signed;
  try {
    signed = signPolicyFile(path, resolve(argv.key));
  } catch (err) {
    throw new CliError(`not signed: ${(err as Error).message}`, 2);
  }
  const serial = loaded.policy.file.serial ?? null;
  if (serial === null) process.stderr.write('note: the policy has no serial; engines take it after a newer one too (an older signed policy put back); add `serial: N`, higher at each rollout (docs/guard.md)\n');
  if (argv.json) process.stdout.write(`${JSON.stringify({ policy: path, ...signed, serial })}\n`);
  else {
    process.stdout.write(`signed ${path} (sha256 ${signed.sha256}${serial === null ? '' : `, serial ${serial}`}) with ${signed.key_id}: ${signed.sig_path}\n`);
    process.stdout.write(`copy the .sig first, then the policy; engines with this key in policy.trusted_keys trust it on arrival:\n  policy:\n    trusted_keys: ["${signed.public_key}"]\n`);
  }
}
