// Property tests of laws 1-3 and 4a: a segment no allow pattern matches is never allowed, and a segment a deny
// pattern matches denies the whole line, whatever else the line, the quoting or the wrappers.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { evaluateCommand, evaluateTool, parsePolicyText } from '../../../src/engine/firewall/index.js';
import { PROGRAMS } from '../../../src/engine/firewall/programs.js';
import type { ProgramSpec } from '../../../src/engine/firewall/programSpec.js';

const HEADS = ['ls', 'git', 'npm', 'make', 'grep', 'cat', 'echo'];
const word = fc.stringMatching(/^[a-z0-9][a-z0-9._\/-]{0,7}$/);
const argWords = fc.array(word, { maxLength: 4 });
const separator = fc.constantFrom(' && ', ' || ', '; ', ' | ', '\n', ' & ', ' |& ');
const mode = fc.constantFrom('ask', 'allowlist', 'deny');

/** Writes a word the way a person might: plain, quoted or with an escaped first letter (same argv word). */
const quoted = (w: string, style: number): string =>
  style === 0 ? w : style === 1 ? `'${w}'` : style === 2 ? `"${w}"` : `\\${w}`;

const renderSegment = (argv: string[], styles: number[]): string => argv.map((w, i) => quoted(w, styles[i % styles.length] ?? 0)).join(' ');

const styles = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 5 });

const allowPattern = fc.tuple(fc.constantFrom(...HEADS), argWords, fc.boolean()).map(([h, a, rest]) => [h, ...a, ...(rest ? ['*'] : [])].join(' '));

function policyText(m: string, allow: string[], deny: string[]): string {
  const list = (xs: string[]) => (xs.length ? xs.map((x) => `\n  - ${JSON.stringify(x)}`).join('') : ' []');
  return `version: 1\npolicy: ${m}\nallowlist:${list(allow)}\ndenylist:${list(deny)}\n`;
}

const wrapper = fc.constantFrom('', 'nice ', 'nohup ', 'timeout 5 ', 'env ', 'command ', 'time ', 'nice -n 3 ');

describe('firewall properties', () => {
  it('a command with a segment no allowlist pattern matches is never allowed', () => {
    fc.assert(
      fc.property(
        mode,
        fc.array(allowPattern, { maxLength: 8 }),
        fc.array(fc.tuple(fc.constantFrom(...HEADS), argWords), { maxLength: 4 }),
        fc.tuple(word.filter((w) => !HEADS.includes(w) && !['nice', 'nohup', 'timeout', 'env', 'command', 'time', 'exec', 'stdbuf'].includes(w)), argWords),
        fc.nat(),
        fc.array(separator, { minLength: 6, maxLength: 6 }),
        styles,
        wrapper,
        (m, allow, others, [head, args], at, seps, st, wrap) => {
          const policy = parsePolicyText(policyText(m, allow, [])).policy;
          const segs = others.map(([h, a]) => renderSegment([h, ...a], st));
          // The missing segment's command word appears in no pattern, so nothing may allow it.
          segs.splice(at % (segs.length + 1), 0, wrap + renderSegment([head, ...args], st));
          const command = segs.map((s, i) => (i ? seps[i % seps.length] : '') + s).join('');
          expect(evaluateCommand(policy, command).decision).not.toBe('allow');
        },
      ),
      { numRuns: 400 },
    );
  });

  it('a segment with more words than a pattern without `*` is never allowed by it', () => {
    fc.assert(
      fc.property(fc.constantFrom(...HEADS), argWords, fc.array(word, { minLength: 1, maxLength: 3 }), styles, (head, args, extra, st) => {
        // A path that climbs with `..` and no known cwd cannot be resolved: the path rules ask about it.
        fc.pre(![...args, ...extra].some((a) => a.split('/').includes('..')));
        const policy = parsePolicyText(policyText('ask', [[head, ...args].join(' ')], [])).policy;
        // The exact pattern allows it, unless the program runs another one (law 4a: `npm x a` runs `a`).
        fc.pre(evaluateCommand(policy, renderSegment([head, ...args], st)).decision === 'allow');
        expect(evaluateCommand(policy, renderSegment([head, ...args, ...extra], st)).decision).toBe('ask');
      }),
      { numRuns: 200 },
    );
  });

  it('a segment matching a deny pattern denies the whole command, whatever the allowlist', () => {
    fc.assert(
      fc.property(
        mode,
        fc.constantFrom(...HEADS),
        argWords,
        argWords,
        fc.array(fc.tuple(fc.constantFrom(...HEADS), argWords), { maxLength: 4 }),
        fc.nat(),
        fc.array(separator, { minLength: 6, maxLength: 6 }),
        styles,
        fc.constantFrom('', '/bin/', '/usr/bin/'),
        fc.constantFrom('', 'nice ', 'timeout 5 ', 'sudo ', 'sudo -u root ', 'env FOO=1 ', 'nohup '),
        fc.constantFrom('plain', 'sh -c', 'bash -c', 'eval', 'subst', 'subshell'),
        (m, head, dargs, extra, others, at, seps, st, dir, wrap, shape) => {
          const deny = [head, ...dargs].join(' ');
          // Every head is allowed with any arguments: only the denylist can stop the denied segment.
          const policy = parsePolicyText(policyText(m, HEADS.map((h) => `${h} *`), [deny])).policy;
          let denied = wrap + dir + renderSegment([head, ...dargs, ...extra], st);
          if (shape === 'sh -c' || shape === 'bash -c') denied = `${shape} '${denied.replace(/'/g, `'\\''`)}'`;
          else if (shape === 'eval') denied = `eval '${denied.replace(/'/g, `'\\''`)}'`;
          else if (shape === 'subst') denied = `echo "$(${denied})"`;
          else if (shape === 'subshell') denied = `(${denied})`;
          const segs = others.map(([h, a]) => renderSegment([h, ...a], st));
          segs.splice(at % (segs.length + 1), 0, denied);
          const command = segs.map((s, i) => (i ? seps[i % seps.length] : '') + s).join('');
          const d = evaluateCommand(policy, command);
          expect(d.decision, `${command} → ${d.reason}`).toBe('deny');
          expect(d.rule).toBe(deny);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('tool rule properties', () => {
  const seg = fc.stringMatching(/^[a-z]{1,5}$/);
  const path = fc.array(seg, { minLength: 1, maxLength: 4 }).map((p) => '/' + p.join('/'));

  it('a matching deny rule beats any allow rule, in every mode', () => {
    fc.assert(
      fc.property(mode, seg, seg, path, fc.array(seg, { maxLength: 3 }), (m, server, tool, denied, extra) => {
        const top = denied.split('/')[1]!;
        const policy = parsePolicyText(
          `policy: ${m}\ntools:\n  - { server: "*", tool: "*", decision: allow }\n  - { server: ${JSON.stringify(server)}, tool: ${JSON.stringify(tool)}, decision: allow }\n  - { server: "*", tool: "*", args: { path: ${JSON.stringify(`/${top}/**`)} }, decision: deny }\n`,
        ).policy;
        const p = [denied, ...extra].join('/');
        const d = evaluateTool(policy, { server, tool, args: { path: p.includes('/', 1) ? p : `${p}/x` } });
        expect(d.decision).toBe('deny');
        // The same call outside the denied tree is allowed.
        expect(evaluateTool(policy, { server, tool, args: { path: `/zz${top}/x` } }).decision).toBe('allow');
      }),
      { numRuns: 200 },
    );
  });
});

// Law 4a: the catalogue's executing and writing options, rendered as a person might write them.
const WHEN_VALUES = ['ProxyCommand=id', 'exec=id', 'host', '@/etc/passwd', 'f=@/etc/passwd', '%output{x}'];
type Risky = { prefix: string[]; words: string[]; spec: ProgramSpec };

function riskyForms(): Risky[] {
  const out: Risky[] = [];
  const add = (prefix: string[], spec: ProgramSpec): void => {
    for (const o of spec.options ?? []) {
      const value = o.when ? WHEN_VALUES.find((v) => o.when!.test(v)) : 'x';
      if (value === undefined) continue;
      for (const n of o.names) {
        const takes = o.value === 'path' || o.value === 'text';
        if (n.endsWith('=')) out.push({ prefix, spec, words: [`${n}${value}`] });
        else if (n.startsWith('+')) out.push({ prefix, spec, words: [`${n}${n === '+' ? '!id' : 'id'}`] });
        else if (n.startsWith('--')) out.push({ prefix, spec, words: takes ? [`${n}=${value}`] : [n] });
        else out.push({ prefix, spec, words: takes ? [n, value] : [n] });
      }
    }
    for (const [sub, s] of Object.entries(spec.subcommands ?? {})) if (!s.alias) add([...prefix, sub], s);
  };
  for (const [name, spec] of Object.entries(PROGRAMS)) add([name], spec);
  return out;
}

describe('law 4a properties', () => {
  const forms = riskyForms();
  const operand = fc.constantFrom('src', 'a.txt', 'ls', 'notes', 'main');
  let allowedBefore = 0;

  it('adding an executing or writing option never turns a deny (or an ask) into an allow', () => {
    fc.assert(
      fc.property(mode, fc.constantFrom(...forms), fc.array(operand, { maxLength: 3 }), fc.nat(), styles, fc.constantFrom('', 'nice ', 'timeout 5 ', 'env '), (m, risky, operands, at, st, wrap) => {
        const head = risky.prefix[0]!;
        // Every program is allowed with any words, and so is what it might run: only law 4a can stop the option.
        const policy = parsePolicyText(policyText(m, [`${head} *`, 'ls *', 'src *', 'main *', 'notes *'], [])).policy;
        const spec = risky.spec;
        // Options of a program that stops reading options at its first operand go first; others anywhere.
        const pos = spec.posix || spec.runs ? 0 : at % (operands.length + 1);
        const without = [...risky.prefix, ...operands];
        const withRisky = [...risky.prefix, ...operands.slice(0, pos), ...risky.words, ...operands.slice(pos)];
        const before = evaluateCommand(policy, wrap + renderSegment(without, st)).decision;
        const after = evaluateCommand(policy, wrap + renderSegment(withRisky, st));
        if (before === 'allow') allowedBefore++;
        expect(after.decision, `${withRisky.join(' ')} → ${after.reason}`).not.toBe('allow');
        if (before === 'deny') expect(after.decision).toBe('deny');
      }),
      { numRuns: 600 },
    );
    // Not vacuous: many of the same commands without the option were allowed.
    expect(allowedBefore).toBeGreaterThan(100);
  });

  it('a pattern that names the option literally allows it (the operator chose it)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...forms.filter((f) => f.words.length === 1 && !f.words[0]!.startsWith('+'))), (risky) => {
        const argv = [...risky.prefix, ...risky.words];
        const policy = parsePolicyText(policyText('allowlist', [argv.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ')], [])).policy;
        const d = evaluateCommand(policy, renderSegment(argv, [1]));
        // Programs that run a command with none given (xargs-style) stay a miss; everything else is allowed.
        if (!risky.spec.runs) expect(d.decision, `${argv.join(' ')} → ${d.reason}`).toBe('allow');
      }),
      { numRuns: 200 },
    );
  });
});
