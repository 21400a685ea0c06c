// The shell walk: words bash reads that the grammar leaves odd (tokens as arguments, `16#$(…)`, `$"…"`),
// and the literal-command reading agreeing with the word-by-word reading of the same words.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Language, Parser, type Node } from 'web-tree-sitter';
import { syntaxRoot, type SyntaxNode } from '../../../src/engine/firewall/syntaxTree.js';
import { evaluateCommand, parsePolicyText, parseShell } from '../../../src/engine/firewall/index.js';
import { LITERAL_COMMAND } from '../../../src/engine/firewall/shellParser.js';

const policy = (allow: string[], deny: string[] = []) =>
  parsePolicyText(`version: 1\npolicy: allowlist\nallowlist: ${JSON.stringify(allow)}\ndenylist: ${JSON.stringify(deny)}\n`).policy;
const argvs = (command: string) => parseShell(command).segments.map((s) => s.argv);

describe('shell walk (laws 2, 3, 5)', () => {
  it('a number whose digits come from a substitution is not static: the substitution is seen and blocks allow', () => {
    const p = policy(['echo *'], ['rm -rf *']);
    expect(evaluateCommand(p, 'echo 16#$(rm -rf /)').decision).toBe('deny');
    expect(evaluateCommand(policy(['echo *']), 'echo 16#$(id)').decision).toBe('deny');
    expect(argvs('echo 16#$(id)')).toContainEqual(['id']);
    expect(evaluateCommand(p, 'echo 10#5').decision).toBe('allow');
  });

  it('`==`, `=~` and a lone `$` are arguments: an allow pattern must cover them', () => {
    expect(argvs('git == status')).toEqual([['git', '==', 'status']]);
    expect(argvs('test "$a" == "b"')[0]).toEqual(['test', '$a', '==', 'b']);
    expect(argvs('echo $ x')).toEqual([['echo', '$', 'x']]);
    expect(evaluateCommand(policy(['git status']), 'git == status').decision).toBe('deny');
    expect(evaluateCommand(policy(['git status']), 'git "==" status').decision).toBe('deny');
  });

  it('a newline the grammar folds into a command ends the command, as in bash', () => {
    // tree-sitter-bash reads `git<newline>\\rm` as git with the argument "<newline>\\rm"; bash runs two commands.
    const p = parsePolicyText(`version: 1\npolicy: ask\nallowlist: ["git *", "echo *", "cat *"]\ndenylist: ["rm *", "ls"]\n`).policy;
    for (const command of ['git\n\\rm -rf /', '\\git\n\\ls', 'echo a\n\\\nrm -rf /', 'git >f\n\\rm -rf /', 'A=1\n\\rm -rf /', 'export A\n\\rm x', 'git \n\n\\rm x']) {
      const d = evaluateCommand(p, command);
      expect(d.decision, JSON.stringify(command)).toBe('deny');
    }
    expect(argvs('git\n\\ls')).toEqual([['git'], ['ls']]);
    // Also after `|&`, with no backslash at all.
    expect(evaluateCommand(p, 'git | cat |& git\nls && echo').decision).toBe('deny');
    expect(argvs('git | cat |& git\nls')).toEqual([['git'], ['cat'], ['git'], ['ls']]);
    // Folded lines are never allowed, even when every command they hold is.
    expect(evaluateCommand(p, 'git\n\\echo hi').decision).toBe('ask');
    // A real continuation and newlines inside quotes or heredocs are not separators.
    expect(argvs('git \\\nstatus')).toEqual([['git', 'status']]);
    expect(evaluateCommand(p, "echo 'a\n\\rm'").decision).toBe('allow');
    expect(evaluateCommand(p, 'cat <<EOF\nx\n\\rm y\nEOF').decision).toBe('allow');
  });

  it('$"…" (a translated string) is the string; a `$` before nothing is itself', () => {
    expect(argvs('echo $"hi there"')).toEqual([['echo', 'hi there']]);
    expect(argvs('echo x$"y"')).toEqual([['echo', 'xy']]);
    expect(argvs('echo a$')).toEqual([['echo', 'a$']]);
  });

  it('a command of plain words reads the same as the same words quoted word by word', () => {
    const plain = fc.stringMatching(/^[A-Za-z0-9_./:,@%+-]{1,8}$/);
    fc.assert(
      fc.property(plain, fc.array(fc.oneof(plain, fc.stringMatching(/^[A-Za-z0-9_=.-]{1,8}$/)), { maxLength: 5 }), fc.constantFrom(' ', '  ', '\t'), (head, args, sep) => {
        const literal = [head, ...args].join(sep);
        expect(LITERAL_COMMAND.test(literal)).toBe(true);
        const quoted = [head, ...args].map((w) => `'${w}'`).join(' ');
        const a = parseShell(literal);
        const b = parseShell(quoted);
        // tree-sitter-bash stumbles on some plain words (`a@b`): such lines are parse errors, never allowed.
        fc.pre(a.errors.length === 0 && b.errors.length === 0);
        expect(a.segments.map((s) => s.argv)).toEqual([[head, ...args]]);
        expect(a.segments.map((s) => [s.argv, s.dynamic, s.unverifiable])).toEqual(b.segments.map((s) => [s.argv, s.dynamic, s.unverifiable]));
      }),
      { numRuns: 300 },
    );
  });

  it('the literal reading is only taken where no character means anything to bash', () => {
    for (const c of ['a=b ls', 'ls ~', 'ls *.ts', 'ls {a,b}', 'ls #x', 'ls $x', "ls 'a b'", 'ls a\\ b', 'ls > f', 'ls; rm', 'ls !x', 'ls a[1]', 'ls ^x']) {
      expect(LITERAL_COMMAND.test(c), c).toBe(false);
    }
  });
});

describe('syntax tree reading', () => {
  it('answers type, named, text and children as web-tree-sitter does, for every node of the decision table', async () => {
    const require = createRequire(import.meta.url);
    await Parser.init();
    const parser = new Parser();
    parser.setLanguage(await Language.load(require.resolve('tree-sitter-bash/tree-sitter-bash.wasm')));
    const table = JSON.parse(readFileSync(new URL('../../support/firewall/table.json', import.meta.url), 'utf8')) as { cases: { command: string }[] };
    const same = (a: SyntaxNode, b: Node): void => {
      expect([a.type, a.isNamed, a.text, a.hasError]).toEqual([b.type, b.isNamed, b.text, b.hasError]);
      expect(a.namedChildren.length).toBe(b.namedChildren.length);
      a.namedChildren.forEach((c, i) => same(c, b.namedChildren[i]!));
      expect(a.children.map((c) => [c.type, c.isNamed, c.startIndex, c.endIndex])).toEqual(b.children.map((c) => [c!.type, c!.isNamed, c!.startIndex, c!.endIndex]));
      // One object per node in both lists.
      for (const c of a.namedChildren) expect(a.children).toContain(c);
    };
    for (const { command } of [...table.cases, { command: 'echo é😀 "x$y"; ls' }]) {
      const tree = parser.parse(command)!;
      try {
        same(syntaxRoot(tree, command), tree.rootNode);
      } finally {
        tree.delete();
      }
    }
  });
});
