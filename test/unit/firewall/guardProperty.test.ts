// Issue 22's property: for random sequences of edits, restores, symlink swaps and trusts (some racing a
// swap between the review and the answer), no decision is `allow` while the policy file differs from the
// last text the operator trusted by hash.
import { createHash } from 'node:crypto';
import { lstatSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateCommand } from '../../../src/engine/firewall/index.js';
import { PolicyGuard } from '../../../src/engine/firewall/policyGuard.js';

const base = (extra: string) => `version: 1\npolicy: allowlist\nallowlist:\n  - pattern: "git status"\n${extra}`;
const TEXTS = [base(''), base('  - pattern: "curl *"\n'), base('  - pattern: "ls *"\n'), base('  - pattern: "curl *"\n  - pattern: "bash *"\n')];
const sha = (t: string) => createHash('sha256').update(t).digest('hex');

type Op = { kind: 'edit'; text: number } | { kind: 'restore' } | { kind: 'symlink'; text: number } | { kind: 'trust'; race: number | null };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('edit' as const), text: fc.nat(TEXTS.length - 1) }),
  fc.record({ kind: fc.constant('restore' as const) }),
  fc.record({ kind: fc.constant('symlink' as const), text: fc.nat(TEXTS.length - 1) }),
  fc.record({ kind: fc.constant('trust' as const), race: fc.option(fc.nat(TEXTS.length - 1)) }),
);

function replace(path: string, text: string): void {
  writeFileSync(`${path}.new`, text, { mode: 0o600 });
  renameSync(`${path}.new`, path);
}

describe('the guard, property', () => {
  it('no decision is allow while the file is not the last text trusted by hash', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 25 }), (ops) => {
        const dir = mkdtempSync(join(tmpdir(), 'gh-guard-prop-'));
        const policy = join(dir, 'policy.yaml');
        writeFileSync(policy, TEXTS[0]!, { mode: 0o600 });
        const guard = new PolicyGuard(policy, join(dir, 'policy.trusted'), { lockdown() {}, trusted() {}, trustRefused() {}, warn() {} }, join(dir, 'lockdown.json'));
        try {
          guard.start();
          void guard.stop(); // the property drives check() itself, step by step
          let trusted = TEXTS[0]!;
          for (const o of ops) {
            if (o.kind === 'edit') replace(policy, TEXTS[o.text]!);
            else if (o.kind === 'restore') replace(policy, trusted);
            else if (o.kind === 'symlink') {
              writeFileSync(join(dir, 'target.yaml'), TEXTS[o.text]!);
              rmSync(policy, { force: true });
              symlinkSync(join(dir, 'target.yaml'), policy);
            } else {
              const review = guard.diff();
              if (o.race !== null) replace(policy, TEXTS[o.race]!); // swapped between the diff and the answer
              try {
                if (review.sha256) {
                  guard.trustReviewed('operator', review.sha256);
                  trusted = TEXTS.find((t) => sha(t) === review.sha256)!;
                }
              } catch {
                /* refused: the model keeps the last trusted text */
              }
            }
            guard.check();
            const st = lstatSync(policy);
            const same = st.isFile() && !st.isSymbolicLink() && sha(readFileSync(policy, 'utf8')) === sha(trusted);
            const loaded = guard.policy;
            if (loaded) expect(loaded.sha256).toBe(sha(trusted));
            for (const cmd of ['curl x', 'bash y', 'ls z', 'git status']) {
              const d = loaded ? evaluateCommand(loaded.policy, cmd) : { decision: 'deny' };
              if (!same) expect(d.decision, `${cmd} after ${JSON.stringify(o)}`).not.toBe('allow');
            }
          }
        } finally {
          void guard.stop();
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 150 },
    );
  });
});
