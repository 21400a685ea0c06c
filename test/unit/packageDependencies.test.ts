// What the installed package imports at run time must be a dependency: a devDependency is missing
// from `npm install --omit=dev`, and the first command that loads it fails (as web-tree-sitter once
// did for every firewall command). Type-only imports are erased by the compiler and do not count.
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../support/engine.js';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : [],
  );
}

/** The package a bare specifier names: `@scope/name` or `name`, without a subpath. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

describe('package dependencies', () => {
  it('every package src/ imports at run time is in dependencies', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const builtins = new Set(builtinModules);
    const missing: string[] = [];
    for (const file of sources(join(REPO, 'src'))) {
      const text = readFileSync(file, 'utf8');
      const statics = [...text.matchAll(/^import\s+(?!type\s)[^;]*?from\s+'([^'.][^']*)'/gm)].map((m) => m[1]!);
      const bare = [...text.matchAll(/^import\s+'([^'.][^']*)'/gm)].map((m) => m[1]!);
      const dynamic = [...text.matchAll(/\bimport\(\s*'([^'.][^']*)'\s*\)/g)].map((m) => m[1]!);
      for (const spec of [...statics, ...bare, ...dynamic]) {
        if (spec.startsWith('node:') || builtins.has(spec)) continue;
        const name = packageOf(spec);
        if (!(name in pkg.dependencies)) missing.push(`${file.slice(REPO.length + 1)}: ${spec}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
