// Where the tree-sitter bash grammar (.wasm) is. An installed package carries its own copy in
// dist/vendor (copied there by `npm run build`, with its licence), so tree-sitter-bash, its native
// binding and its install script stay out of a user's install; a source checkout built with plain
// tsc falls back to the devDependency.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** dist/engine/firewall/ → dist/vendor/tree-sitter-bash/ (the layout scripts/vendor-grammar.mjs writes). */
const VENDORED = fileURLToPath(new URL('../../vendor/tree-sitter-bash/tree-sitter-bash.wasm', import.meta.url));

export function bashGrammarPath(): string {
  if (existsSync(VENDORED)) return VENDORED;
  try {
    return createRequire(import.meta.url).resolve('tree-sitter-bash/tree-sitter-bash.wasm');
  } catch {
    // Fail closed, and say what to do: without the grammar no command can be verified.
    throw new Error(`the bash grammar is missing: neither ${VENDORED} nor the tree-sitter-bash package exists (reinstall gatehouse, or run npm run build in a source checkout)`);
  }
}
