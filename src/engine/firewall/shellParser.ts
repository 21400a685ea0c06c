// Parses a shell command into simple commands with a real bash grammar, flagging what cannot be verified.
//
// Parser evaluation (full table and the decisions that follow in docs/firewall-parser.md):
// | parser                     | faithful bash                          | structure to fail closed                  | parse rate        |
// |----------------------------|----------------------------------------|-------------------------------------------|-------------------|
// | tree-sitter-bash (web-t-s) | yes on all 24 cases tried (accepts     | typed nodes for $(..), `..`, <(..), (..), | ~60,000/s idle    |
// |                            | `ls;;`; splits r\<nl>m: handled)       | redirects, heredoc bodies; ERROR nodes    | (async init once) |
// | mvdan-sh (GopherJS)        | the reference bash parser              | full AST                                  | 1,800-15,000/s    |
// | shell-quote                | no (`a=$(x)` → "a=$", ${x:-$(id)} throws)| a token list only                       | fast              |
// Chosen: tree-sitter-bash. mvdan-sh is too slow once walked; shell-quote loses what law 5 needs.
// tree-sitter recovers from errors, so any ERROR or MISSING node makes the whole command a miss,
// while the commands it did recognise are still checked against the denylist.
import { Language, Parser } from 'web-tree-sitter';
import { bashGrammarPath } from './bashGrammar.js';
import { MAX_NESTING_DEPTH, MAX_WORDS, measureShape, TOO_DEEP } from './inputShape.js';
import { syntaxRoot, type SyntaxNode as Node } from './syntaxTree.js';

export interface ShellSegment {
  /** Argument words: static words fully unquoted; dynamic words as their source text. */
  argv: string[];
  /** Per word: expands at run time (variables, globs, braces, ~), so only a whole-word `*` may cover it. */
  dynamic: boolean[];
  /** NAME=value assignments written before the command (or alone). */
  assignments: { name: string; value: string; safe: boolean }[];
  /** Why this segment cannot be allowed (law 5); empty when it is statically verifiable. */
  unverifiable: string[];
  /** Source text of the simple command. */
  text: string;
  /** Segments in one pipeline share an id, in order; other statements get their own. */
  pipeline: number;
  /** Set when the command runs inside a substitution, subshell or control-flow construct. */
  context: string | null;
}

export interface ParsedShell {
  segments: ShellSegment[];
  /** Parse errors and input-level problems; any entry makes every segment unverifiable for allow. */
  errors: string[];
  /** Input too long or too deeply nested to read at all (law 5 at the limits): denied in every mode. */
  fatal?: string;
}

await Parser.init();
const bash = await Language.load(bashGrammarPath());
const parser = new Parser();
parser.setLanguage(bash);

/** Longest command text parsed at all; longer input is denied unread. */
export const MAX_COMMAND_LENGTH = 100_000;
const MAX_DEPTH = 64;

/** Variables whose assignment before a command cannot load code: locale, time zone, colour switches. */
const SAFE_ASSIGNMENTS = new Set(['LANG', 'LC_ALL', 'LC_MESSAGES', 'TZ', 'NO_COLOR', 'FORCE_COLOR', 'CI', 'COLUMNS']);
const SAFE_ASSIGNMENT_VALUE = /^[A-Za-z0-9_.@:+-]*$/;

// Bash does not treat these as blanks, but humans (and other parsers) might: refuse rather than guess.
// eslint-disable-next-line no-control-regex
const UNUSUAL_CHARS = /[\0\r\v\f\u0085\u00a0\u1680\u180e\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]/;

/** Message for a backslash-newline between two word characters: bash joins the word, tree-sitter splits it. */
export const CONTINUATION_IN_WORD = 'line continuation (backslash-newline) inside a word';
const CONTINUATION_IN_WORD_RE = /[^\s]\\\r?\n[^\s]/;

const OUTPUT_SINKS = new Set(['/dev/null', '/dev/stdout', '/dev/stderr']);
const INPUT_SOURCES = new Set(['/dev/null', '/dev/stdin']);

interface Word {
  text: string;
  dynamic: boolean;
  reasons: string[];
}

class Walker {
  readonly segments: ShellSegment[] = [];
  readonly errors: string[] = [];
  tooDeep = false;
  private nextPipeline = 0;

  statement(node: Node, ctx: string | null, inherited: string[], pipeline: number | null, depth: number): void {
    if (depth > MAX_DEPTH) {
      this.tooDeep = true;
      return;
    }
    const d = depth + 1;
    switch (node.type) {
      case 'program':
      case 'list':
      case 'compound_statement':
      case 'negated_command':
        for (const c of node.namedChildren) this.statement(c, ctx, inherited, null, d);
        return;
      case 'comment':
        return;
      case 'pipeline': {
        const id = this.nextPipeline++;
        for (const c of node.namedChildren) this.statement(c, ctx, inherited, id, d);
        return;
      }
      case 'redirected_statement': {
        const reasons = [...inherited];
        const id = pipeline ?? this.nextPipeline++;
        const body = node.childForFieldName('body');
        const later: Node[] = [];
        for (const c of node.namedChildren) {
          if (c === body) continue;
          reasons.push(...this.redirect(c, ctx, d, later));
        }
        if (body) this.statement(body, ctx, reasons, id, d);
        else this.segments.push(this.bare(node, ctx, [...reasons, 'redirection without a command'], id));
        // A pipeline written after a heredoc start (`cat <<EOF | sh`) continues the same pipeline.
        for (const c of later) this.statement(c, ctx, inherited, id, d);
        return;
      }
      case 'command':
        this.command(node, ctx, inherited, pipeline ?? this.nextPipeline++, d);
        return;
      case 'declaration_command':
      case 'unset_command': {
        const argv: string[] = [node.children[0]?.type ?? node.type];
        const dynamic = [false];
        const reasons = [...inherited];
        for (const c of node.namedChildren) {
          const w = c.type === 'variable_assignment' ? this.assignmentWord(c, ctx, d) : this.word(c, ctx, d);
          argv.push(w.text);
          dynamic.push(w.dynamic);
          reasons.push(...w.reasons);
        }
        this.segments.push({ argv, dynamic, assignments: [], unverifiable: reasons, text: node.text, pipeline: pipeline ?? this.nextPipeline++, context: ctx });
        return;
      }
      case 'variable_assignment':
      case 'variable_assignments': {
        const list = node.type === 'variable_assignment' ? [node] : node.namedChildren;
        const seg = this.bare(node, ctx, [...inherited], pipeline ?? this.nextPipeline++);
        for (const a of list) this.addAssignment(seg, a, ctx, d);
        this.segments.push(seg);
        return;
      }
      case 'subshell':
        for (const c of node.namedChildren) this.statement(c, 'subshell', [...inherited, 'runs in a subshell ( … )'], null, d);
        return;
      case 'ERROR':
        this.errors.push(`parse error near ${JSON.stringify(clip(node.text))}`);
        for (const c of node.namedChildren) this.statement(c, ctx, inherited, null, d);
        return;
      default: {
        // if/while/for/case/functions/[[ ]] and anything this walker does not know: the commands inside
        // are still collected (the denylist must see them) but none of it can be allowed.
        const what = describeConstruct(node.type);
        const seg = this.bare(node, ctx, [...inherited, `${what} cannot be verified`], pipeline ?? this.nextPipeline++);
        seg.argv = [node.text.split(/\s/, 1)[0] ?? node.type];
        seg.dynamic = [false];
        this.segments.push(seg);
        this.nested(node, what, [...inherited, `inside ${what}`], d);
      }
    }
  }

  /** Walks every statement and substitution below a node that is not itself a statement list. */
  private nested(node: Node, ctx: string, inherited: string[], depth: number): void {
    if (depth > MAX_DEPTH) {
      this.tooDeep = true;
      return;
    }
    for (const c of node.namedChildren) {
      if (STATEMENT_TYPES.has(c.type)) this.statement(c, ctx, inherited, null, depth + 1);
      else if (c.type === 'command_substitution' || c.type === 'process_substitution') this.substitution(c, depth + 1);
      else this.nested(c, ctx, inherited, depth + 1);
    }
  }

  private substitution(node: Node, depth: number): void {
    const ctx = node.type === 'process_substitution' ? 'process substitution' : 'command substitution';
    for (const c of node.namedChildren) this.statement(c, ctx, [], null, depth + 1);
  }

  private bare(node: Node, ctx: string | null, reasons: string[], pipeline: number): ShellSegment {
    return { argv: [], dynamic: [], assignments: [], unverifiable: reasons, text: node.text, pipeline, context: ctx };
  }

  private command(node: Node, ctx: string | null, inherited: string[], pipeline: number, depth: number): void {
    const seg = this.bare(node, ctx, [...inherited], pipeline);
    if (LITERAL_COMMAND.test(seg.text)) {
      // The parser made this span one simple command and it holds no character bash treats specially:
      // its words are its blank-separated fields, exactly what reading each word node would give.
      seg.argv = seg.text.split(BLANKS);
      seg.dynamic = seg.argv.map(() => false);
      this.segments.push(seg);
      return;
    }
    const later: Node[] = [];
    // Children are told apart by type (fields cost a call each into the wasm parser). Anonymous ones
    // are words too: `==`, `=~` and a lone `$` are arguments to bash like any other.
    const children = node.children;
    for (let i = 0; i < children.length; i++) {
      const c = children[i]!;
      if (!c.isNamed) {
        if (translatedStringMark(children, i)) continue;
        seg.argv.push(c.text);
        seg.dynamic.push(false);
        if (!LITERAL_TOKENS.has(c.type)) seg.unverifiable.push(`unexpected ${JSON.stringify(c.type)} in a command`);
      } else if (c.type === 'variable_assignment') this.addAssignment(seg, c, ctx, depth);
      else if (c.type.endsWith('_redirect')) seg.unverifiable.push(...this.redirect(c, ctx, depth, later));
      else if (c.type === 'command_name') {
        const inner = c.namedChildren[0];
        const w = inner ? this.word(inner, ctx, depth) : { text: c.text, dynamic: true, reasons: [] };
        seg.argv.push(w.text);
        seg.dynamic.push(w.dynamic);
        seg.unverifiable.push(...w.reasons);
        if (w.dynamic) seg.unverifiable.push(`expansion in command position (${clip(c.text)})`);
      } else if (c.type === 'comment') continue;
      else {
        const w = this.word(c, ctx, depth);
        seg.argv.push(w.text);
        seg.dynamic.push(w.dynamic);
        seg.unverifiable.push(...w.reasons);
      }
    }
    this.segments.push(seg);
    for (const c of later) this.statement(c, ctx, inherited, pipeline, depth);
  }

  private addAssignment(seg: ShellSegment, node: Node, ctx: string | null, depth: number): void {
    const name = node.childForFieldName('name')?.text ?? node.text.split('=')[0] ?? '';
    const valueNode = node.childForFieldName('value');
    const value = valueNode ? this.word(valueNode, ctx, depth) : { text: '', dynamic: false, reasons: [] };
    const safe = SAFE_ASSIGNMENTS.has(name) && !value.dynamic && value.reasons.length === 0 && SAFE_ASSIGNMENT_VALUE.test(value.text) && !node.text.includes('+=');
    seg.assignments.push({ name, value: value.text, safe });
    seg.unverifiable.push(...value.reasons);
    if (!safe) seg.unverifiable.push(`assignment ${clip(node.text)} changes what the command runs with`);
  }

  private assignmentWord(node: Node, ctx: string | null, depth: number): Word {
    const name = node.childForFieldName('name')?.text ?? '';
    const valueNode = node.childForFieldName('value');
    const value = valueNode ? this.word(valueNode, ctx, depth) : { text: '', dynamic: false, reasons: [] };
    const op = node.text.includes('+=') && node.text.indexOf('+=') < node.text.indexOf('=') + 1 ? '+=' : '=';
    return { text: `${name}${op}${value.text}`, dynamic: value.dynamic, reasons: value.reasons };
  }

  /** Reasons a redirect makes its command unverifiable; statements written after a heredoc start are queued in `later`. */
  private redirect(node: Node, ctx: string | null, depth: number, later: Node[]): string[] {
    if (node.type === 'heredoc_redirect') {
      const reasons: string[] = [];
      const start = node.namedChildren.find((c) => c.type === 'heredoc_start');
      const quoted = start ? /['"\\]/.test(start.text) : false;
      for (const c of node.namedChildren) {
        if (c.type === 'heredoc_body') {
          if (!quoted && c.namedChildren.some((x) => x.type !== 'heredoc_content')) reasons.push('heredoc with expansion');
          this.nested(c, 'heredoc expansion', [], depth);
        } else if (c.type.endsWith('_redirect')) reasons.push(...this.redirect(c, ctx, depth, later));
        else if (c.type === 'pipeline') later.push(...c.namedChildren);
        else if (STATEMENT_TYPES.has(c.type)) later.push(c);
      }
      return reasons;
    }
    if (node.type === 'herestring_redirect') {
      const reasons: string[] = [];
      for (const c of node.namedChildren) reasons.push(...this.word(c, ctx, depth).reasons);
      return reasons;
    }
    if (node.type !== 'file_redirect') return [`unsupported redirect ${node.type}`];
    let op = '';
    for (const c of node.children) {
      if (!c.isNamed && op === '') op = c.type;
    }
    const dest = node.childForFieldName('destination');
    if (op === '>&-' || op === '<&-' || (!dest && (op === '>&' || op === '<&'))) return [];
    if (!dest) return [`redirection ${clip(node.text)} cannot be verified`];
    const w = this.word(dest, ctx, depth);
    if (w.reasons.length) return w.reasons;
    if (w.dynamic) return [`redirection to an expanded path (${clip(node.text)})`];
    if ((op === '>&' || op === '<&') && /^(\d+|-)$/.test(w.text)) return [];
    const input = op === '<' || op === '<&';
    if (input && INPUT_SOURCES.has(w.text)) return [];
    if (!input && op !== '<>' && OUTPUT_SINKS.has(w.text)) return [];
    return [input ? `input redirection from a file (${clip(node.text)})` : `redirection to a file (${clip(node.text)})`];
  }

  word(node: Node, ctx: string | null, depth: number): Word {
    switch (node.type) {
      case 'word':
        return unquotedWord(node.text);
      case 'number': {
        if (node.namedChildren.length === 0) return { text: node.text, dynamic: false, reasons: [] };
        // `16#$(id)`: the digits after a base come from an expansion or a command substitution.
        const out: Word = { text: node.text, dynamic: true, reasons: [] };
        for (const c of node.namedChildren) out.reasons.push(...this.word(c, ctx, depth).reasons);
        return out;
      }
      case 'raw_string':
        return { text: node.text.slice(1, -1), dynamic: false, reasons: [] };
      case 'ansi_c_string':
        return ansiC(node.text.slice(2, -1));
      case 'string':
      case 'translated_string':
        return this.doubleQuoted(node, ctx, depth);
      case 'concatenation': {
        const out: Word = { text: '', dynamic: false, reasons: [] };
        const parts = node.children;
        for (let i = 0; i < parts.length; i++) {
          const c = parts[i]!;
          if (!c.isNamed) {
            // `$"…"` is a translated string (the `$` adds nothing); a `$` before nothing it could expand
            // is itself (`a$`); any other token inside a word is kept, and only a whole-word `*` covers it.
            if (translatedStringMark(parts, i)) continue;
            out.text += c.text;
            if (c.type !== '$') out.dynamic = true;
            continue;
          }
          const w = this.word(c, ctx, depth);
          out.text += w.text;
          out.dynamic ||= w.dynamic;
          out.reasons.push(...w.reasons);
        }
        // Brace expansion spans pieces ({ a,b }) in this grammar: check the unquoted source.
        if (/\{[^}]*(,|\.\.)[^}]*\}/.test(node.text)) out.dynamic = true;
        if (concatenatedLength(node) !== node.text.length) out.reasons.push(`word ${clip(node.text)} has parts the parser skipped`);
        return out;
      }
      case 'simple_expansion':
      case 'expansion':
        this.nested(node, 'parameter expansion', [], depth);
        return { text: node.text, dynamic: true, reasons: [] };
      case 'brace_expression':
        return { text: node.text, dynamic: true, reasons: [] };
      case 'command_substitution':
        this.substitution(node, depth);
        return { text: node.text, dynamic: true, reasons: [`command substitution ${clip(node.text)}`] };
      case 'process_substitution':
        this.substitution(node, depth);
        return { text: node.text, dynamic: true, reasons: [`process substitution ${clip(node.text)}`] };
      case 'arithmetic_expansion':
        // Arithmetic evaluates array subscripts, which can run commands: never static.
        this.nested(node, 'arithmetic expansion', [], depth);
        return { text: node.text, dynamic: true, reasons: [`arithmetic expansion ${clip(node.text)}`] };
      default:
        this.nested(node, node.type, [], depth);
        return { text: node.text, dynamic: true, reasons: [`unsupported word ${clip(node.text)} (${node.type})`] };
    }
  }

  private doubleQuoted(node: Node, ctx: string | null, depth: number): Word {
    const out: Word = { text: '', dynamic: false, reasons: [] };
    let covered = 0;
    for (const c of node.children) {
      covered += c.endIndex - c.startIndex;
      if (!c.isNamed) continue;
      if (c.type === 'string_content') out.text += unescapeDoubleQuoted(c.text);
      else {
        const w = this.word(c, ctx, depth);
        out.text += w.text;
        out.dynamic = true;
        out.reasons.push(...w.reasons);
      }
    }
    if (covered !== node.text.length) out.reasons.push(`string ${clip(node.text)} has parts the parser skipped`);
    return out;
  }
}

/**
 * A simple command made only of characters bash gives no meaning to (no quoting, expansion, glob, brace,
 * tilde, comment, redirection, operator or history character), with a command word that is not an
 * assignment. Reading such a command from its text saves a wasm call or two per word.
 */
export const LITERAL_COMMAND = /^[A-Za-z0-9_./:,@%+-]+(?:[ \t]+[A-Za-z0-9_./:,@%+=-]+)*$/;
const BLANKS = /[ \t]+/;
/** Tokens the grammar gives a command as arguments: bash reads them as plain words. */
const LITERAL_TOKENS = new Set(['==', '=~', '$']);

const STATEMENT_TYPES = new Set([
  'command', 'pipeline', 'list', 'redirected_statement', 'subshell', 'compound_statement', 'negated_command',
  'if_statement', 'while_statement', 'for_statement', 'c_style_for_statement', 'case_statement', 'function_definition',
  'declaration_command', 'unset_command', 'variable_assignment', 'variable_assignments', 'test_command', 'ERROR',
]);

/** The `$` of `$"…"` (a translated string), which the grammar leaves beside the string: it adds nothing to the word. */
function translatedStringMark(siblings: readonly Node[], i: number): boolean {
  const c = siblings[i]!;
  const next = siblings[i + 1];
  if (c.type !== '$' || next === undefined || next.startIndex !== c.endIndex) return false;
  return next.type === 'string' || (next.type === 'concatenation' && next.children[0]?.type === 'string');
}

function describeConstruct(type: string): string {
  const known: Record<string, string> = {
    if_statement: 'an if statement',
    while_statement: 'a while/until loop',
    for_statement: 'a for loop',
    c_style_for_statement: 'a for (( )) loop',
    case_statement: 'a case statement',
    function_definition: 'a function definition',
    test_command: 'a [[ ]] test',
  };
  return known[type] ?? `the construct ${type}`;
}

function concatenatedLength(node: Node): number {
  let n = 0;
  for (const c of node.children) n += c.endIndex - c.startIndex;
  return n;
}

/** Removes backslash escapes of an unquoted word; globs, braces, `~` and `$` left unescaped make it dynamic. */
function unquotedWord(raw: string): Word {
  let text = '';
  let dynamic = false;
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch === '\\') {
      const next = raw[i + 1];
      i++;
      if (next === undefined || next === '\n') continue;
      text += next;
      continue;
    }
    if (ch === '*' || ch === '?' || ch === '[' || ch === '$' || ch === '`' || (ch === '~' && i === 0)) dynamic = true;
    text += ch;
  }
  if (/\{[^}]*(,|\.\.)[^}]*\}/.test(raw)) dynamic = true;
  return { text, dynamic, reasons: dynamic && /[$`]/.test(raw.replace(/\\./g, '')) ? [`unparsed expansion in ${clip(raw)}`] : [] };
}

function unescapeDoubleQuoted(raw: string): string {
  return raw.replace(/\\([\\"$`\n])/g, (_m, c: string) => (c === '\n' ? '' : c));
}

const ANSI_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"', '?': '?' };

/** Decodes the body of $'…' (bash ANSI-C quoting). */
function ansiC(body: string): Word {
  let text = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== '\\') {
      text += ch;
      continue;
    }
    const n = body[i + 1] ?? '';
    if (ANSI_ESCAPES[n] !== undefined) {
      text += ANSI_ESCAPES[n];
      i++;
    } else if (/[0-7]/.test(n)) {
      const m = /^[0-7]{1,3}/.exec(body.slice(i + 1))![0];
      text += String.fromCharCode(parseInt(m, 8));
      i += m.length;
    } else if (n === 'x' || n === 'u' || n === 'U') {
      const max = n === 'x' ? 2 : n === 'u' ? 4 : 8;
      const m = new RegExp(`^[0-9a-fA-F]{1,${max}}`).exec(body.slice(i + 2))?.[0];
      if (!m) {
        text += '\\' + n;
        i++;
        continue;
      }
      const cp = parseInt(m, 16);
      text += cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
      i += 1 + m.length;
    } else if (n === 'c') {
      const c = body[i + 2] ?? '';
      text += String.fromCharCode(c.toUpperCase().charCodeAt(0) & 0x1f);
      i += 2;
    } else {
      text += '\\' + n;
      i++;
    }
  }
  return { text, dynamic: false, reasons: [] };
}

export function clip(s: string, max = 60): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > max ? one.slice(0, max - 1) + '…' : one;
}

/** Parses a command line into simple commands. Never throws: problems come back in `errors`. */
export function parseShell(command: string): ParsedShell {
  if (command.length > MAX_COMMAND_LENGTH) return fatal(`command is ${command.length} characters, too long to verify (limit ${MAX_COMMAND_LENGTH})`);
  const shape = measureShape(command, MAX_NESTING_DEPTH);
  if (shape.depth > MAX_NESTING_DEPTH) return fatal(`${TOO_DEEP} (more than ${MAX_NESTING_DEPTH} levels of brackets, substitutions or compound commands)`);
  if (shape.words > MAX_WORDS) return fatal(`command has more than ${MAX_WORDS} words, too many to verify`);
  const walker = new Walker();
  if (CONTINUATION_IN_WORD_RE.test(command)) walker.errors.push(CONTINUATION_IN_WORD);
  if (UNUSUAL_CHARS.test(command)) walker.errors.push('command contains control characters or unusual spaces (\\r, NUL, non-breaking or unicode spaces) that bash does not treat as blanks');
  let source = command;
  for (let pass = 0; ; pass++) {
    let tree;
    try {
      tree = parser.parse(source);
    } catch (err) {
      return fatal(`the shell parser failed on this input (${clip((err as Error).message)})`);
    }
    if (!tree) return fatal('the shell parser returned no tree');
    const root = syntaxRoot(tree, source);
    const joined = source.includes('\n') ? joinedNewlines(root, source) : [];
    if (joined.length === 0 || pass === MAX_REJOIN_PASSES) return walkTree(walker, tree, root, source);
    // The grammar read a newline as part of a command (`a\n\\b`, `a | b |& c\nd`); bash ends the command there. Read it again with
    // the newline as the separator it is (same length, so every offset stays put), and never allow it.
    tree.delete();
    if (pass === 0) walker.errors.push(`a newline inside a command (offset ${joined[0]}) was read by the parser as part of it: read again as a command separator`);
    const chars = source.split('');
    for (const i of joined) chars[i] = ';';
    source = chars.join('');
  }
}

const MAX_REJOIN_PASSES = 8;
/** Nodes that bash reads within one line: an unescaped newline between their children ends the command. */
const ONE_LINE_NODES = new Set(['command', 'command_name', 'declaration_command', 'unset_command', 'variable_assignment', 'file_redirect', 'herestring_redirect', 'concatenation']);
/** Nodes whose text may hold newlines of their own. */
const OPAQUE_NODES = new Set(['string', 'raw_string', 'ansi_c_string', 'translated_string', 'heredoc_body', 'heredoc_redirect', 'comment']);

/** Offsets of newlines the grammar put inside one command (between its words or inside an unquoted word). */
function joinedNewlines(root: Node, source: string): number[] {
  const found: number[] = [];
  const check = (from: number, to: number): void => {
    for (let i = source.indexOf('\n', from); i !== -1 && i < to; i = source.indexOf('\n', i + 1)) {
      let slashes = 0;
      while (i - slashes - 1 >= 0 && source[i - slashes - 1] === '\\') slashes++;
      if (slashes % 2 === 0) found.push(i);
    }
  };
  const visit = (node: Node): void => {
    if (OPAQUE_NODES.has(node.type)) return;
    if (node.type === 'word') return check(node.startIndex, node.endIndex);
    const kids = node.children;
    if (ONE_LINE_NODES.has(node.type)) {
      let at = node.startIndex;
      for (const c of kids) {
        check(at, c.startIndex);
        at = c.endIndex;
      }
      check(at, node.endIndex);
    }
    for (const c of kids) visit(c);
  };
  visit(root);
  return found;
}

function walkTree(walker: Walker, tree: { delete(): void }, root: Node, source: string): ParsedShell {
  try {
    try {
      walker.statement(root, null, [], null, 0);
    } catch (err) {
      // A walker bug must not become an allow: whatever was collected is still checked against the denylist.
      if (err instanceof RangeError) walker.tooDeep = true;
      else walker.errors.push(`shell parser failure: ${clip((err as Error).message)}`);
    }
    if (root.hasError && !walker.errors.some((e) => e.startsWith('parse error'))) walker.errors.push('parse error (incomplete or malformed command)');
    // The grammar can pass over text it has no rule for (`- A=a` reads as `A=a`): bash would not.
    const skipped = `${source.slice(0, root.startIndex)}${source.slice(root.endIndex)}`.trim();
    if (skipped) walker.errors.push(`the parser skipped ${JSON.stringify(clip(skipped))}`);
  } finally {
    tree.delete();
  }
  if (walker.tooDeep) return { ...fatal(TOO_DEEP), segments: walker.segments };
  return { segments: walker.segments, errors: walker.errors };
}

function fatal(reason: string): ParsedShell {
  return { segments: [], errors: [reason], fatal: reason };
}
