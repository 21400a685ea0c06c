// A tree-sitter tree seen through nodes that ask wasm each question once. Every property of a
// web-tree-sitter Node (type, end, children) is a call into wasm marshalled through a transfer buffer,
// and a walker that asks a node its type or text twice pays twice: here the type is read once, the end
// and the children only when first wanted, and then kept. Valid only until the tree is deleted.
import type { Language, Node, Tree } from 'web-tree-sitter';

export interface SyntaxNode {
  readonly type: string;
  readonly isNamed: boolean;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly text: string;
  readonly children: readonly SyntaxNode[];
  readonly namedChildren: readonly SyntaxNode[];
  /** This node or one below it is an ERROR or MISSING node. */
  readonly hasError: boolean;
  childForFieldName(name: string): SyntaxNode | null;
}

interface Symbols {
  types: string[];
  named: boolean[];
}

const symbolsOf = new WeakMap<Language, Symbols>();

/** Type names and named flags by type id, read from the language once. */
function symbols(language: Language): Symbols {
  let s = symbolsOf.get(language);
  if (!s) {
    s = { types: [], named: [] };
    for (let id = 0; id < language.types.length; id++) {
      s.types.push(language.types[id] || 'ERROR');
      s.named.push(language.nodeTypeIsNamed(id));
    }
    symbolsOf.set(language, s);
  }
  return s;
}

class CachedNode implements SyntaxNode {
  readonly type: string;
  readonly isNamed: boolean;
  readonly startIndex: number;
  private end = -1;
  private kids: CachedNode[] | null = null;
  private namedKids: CachedNode[] | null = null;

  constructor(
    private readonly node: Node,
    private readonly source: string,
    private readonly sym: Symbols,
  ) {
    const id = node.typeId;
    // Ids past the symbol table are tree-sitter's built-in ERROR symbol (65535), a named node.
    this.type = sym.types[id] ?? 'ERROR';
    this.isNamed = sym.named[id] ?? true;
    this.startIndex = node.startIndex;
  }

  get endIndex(): number {
    if (this.end < 0) this.end = this.node.endIndex;
    return this.end;
  }

  get hasError(): boolean {
    return this.node.hasError;
  }

  get text(): string {
    return this.source.slice(this.startIndex, this.endIndex);
  }

  // Named and all children are separate lists in wasm: most walks want only the named ones, and every
  // node fetched costs an allocation, so anonymous tokens are fetched only when asked for. A node is
  // one object in both lists (the walker compares nodes by identity).
  get children(): readonly CachedNode[] {
    if (!this.kids) {
      const named = this.namedKids;
      const kids: CachedNode[] = [];
      let j = 0;
      for (const n of this.node.children) {
        if (!n) continue;
        const same = named?.[j];
        if (same && same.node.id === n.id) {
          kids.push(same);
          j++;
        } else kids.push(new CachedNode(n, this.source, this.sym));
      }
      this.kids = kids;
    }
    return this.kids;
  }

  get namedChildren(): readonly CachedNode[] {
    if (!this.namedKids) {
      if (this.kids) this.namedKids = this.kids.filter((c) => c.isNamed);
      else {
        const named: CachedNode[] = [];
        for (const n of this.node.namedChildren) if (n) named.push(new CachedNode(n, this.source, this.sym));
        this.namedKids = named;
      }
    }
    return this.namedKids;
  }

  childForFieldName(name: string): SyntaxNode | null {
    const target = this.node.childForFieldName(name);
    if (!target) return null;
    for (const c of this.namedChildren) if (c.node.id === target.id) return c;
    for (const c of this.children) if (c.node.id === target.id) return c;
    return null;
  }
}

/** The root of `tree`, which was parsed from `source`. */
export function syntaxRoot(tree: Tree, source: string): SyntaxNode {
  return new CachedNode(tree.rootNode, source, symbols(tree.language));
}
