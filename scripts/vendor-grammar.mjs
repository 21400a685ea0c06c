#!/usr/bin/env node
// Copies the tree-sitter bash grammar (.wasm) and its licence from the tree-sitter-bash
// devDependency into dist/vendor, so the published package needs neither that package nor its
// native install script. Run by `npm run build` (and so by prepack before `npm pack`).
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkgDir = dirname(require.resolve('tree-sitter-bash/package.json'));
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
const out = join(root, 'dist', 'vendor', 'tree-sitter-bash');
mkdirSync(out, { recursive: true });
copyFileSync(join(pkgDir, 'tree-sitter-bash.wasm'), join(out, 'tree-sitter-bash.wasm'));
copyFileSync(join(pkgDir, 'LICENSE'), join(out, 'LICENSE'));
writeFileSync(join(out, 'SOURCE'), `${pkg.name} ${pkg.version} (${pkg.license}), ${pkg.repository}\nCopied from the npm package by scripts/vendor-grammar.mjs.\n`);
