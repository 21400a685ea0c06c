// The repository documents itself, and the documents stay true: every config key with its default,
// every REST route, every IPC method, the policy examples as the evaluator decides them, and no
// citation of a design file that is not in the repository.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../../src/engine/config/config.js';
import { parsePolicyText } from '../../../src/engine/firewall/policyLoader.js';
import { evaluateCommand } from '../../../src/engine/firewall/evaluate.js';

const REPO = resolve(import.meta.dirname, '../../..');
const doc = (name: string) => readFileSync(join(REPO, 'docs', name), 'utf8');

function leaves(o: Record<string, unknown>, path: string[] = []): Array<[string, unknown]> {
  return Object.entries(o).flatMap(([k, v]) =>
    v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length ? leaves(v as Record<string, unknown>, [...path, k]) : [[[...path, k].join('.'), v] as [string, unknown]],
  );
}

describe('docs/configuration.md', () => {
  it('names every key with its default', () => {
    const text = doc('configuration.md');
    const defaults = leaves(ConfigSchema.parse({ assistant: {} }) as Record<string, unknown>).filter(([k]) => k !== 'firewall');
    expect(defaults.length).toBeGreaterThan(50);
    for (const [key, value] of defaults) {
      const row = text.split('\n').find((l) => l.startsWith(`| \`${key}\``));
      expect(row, key).toBeDefined();
      const shown = value === null ? 'null' : typeof value === 'string' ? value : JSON.stringify(value);
      expect(row, key).toContain(`\`${shown}\``);
    }
  });
});

describe('docs/rest-api.md and docs/ipc.md', () => {
  it('list every REST route the engine serves', () => {
    const api = readFileSync(join(REPO, 'src/engine/doors/api.ts'), 'utf8');
    const routes = [...api.matchAll(/app\.(get|post|delete)\(\s*[`'](\/[^`']+)[`']/g)].map((m) => `${m[1]!.toUpperCase()} ${m[2]!.replace(/:(\w+)/g, '{$1}').replace('${action}', 'approve')}`);
    expect(routes.length).toBeGreaterThan(20);
    const text = doc('rest-api.md');
    for (const r of routes) {
      const [method, path] = r.split(' ') as [string, string];
      expect(text, r).toMatch(new RegExp(`${method}[^|]*${path.replace(/[{}/]/g, (c) => `\\${c}`)}`));
    }
  });

  it('list every IPC method', () => {
    const src = ['src/engine/doors/rpcMethods.ts', 'src/engine/doors/ipcServer.ts'].map((f) => readFileSync(join(REPO, f), 'utf8')).join('\n');
    const methods = [...src.matchAll(/defineMethod\('([\w.]+)'|case '([\w.]+)':/g)].map((m) => m[1] ?? m[2]!);
    expect(methods.length).toBeGreaterThan(30);
    const text = doc('ipc.md');
    for (const m of methods) expect(text, m).toContain(`\`${m}\``);
  });
});

describe('docs/policy.md', () => {
  it('decides its examples as the evaluator does', () => {
    const text = doc('policy.md');
    const yaml = text.split('```yaml\n')[1]!.split('```')[0]!;
    const { policy } = parsePolicyText(yaml);
    const rows = text.split('\n').filter((l) => /^\| `[^`]+` \| (allow|deny|ask) \|/.test(l));
    expect(rows.length).toBeGreaterThanOrEqual(8);
    for (const row of rows) {
      const m = /^\| `([^`]+)` \| (allow|deny|ask) \|/.exec(row)!;
      expect(evaluateCommand(policy, m[1]!).decision, m[1]).toBe(m[2]);
    }
  });
});

describe('citations', () => {
  it('README, CHANGELOG, docs and source cite docs/ in the repository, never DESIGN.md', () => {
    const files: string[] = ['README.md', 'CHANGELOG.md'];
    const walk = (dir: string) => {
      for (const name of readdirSync(join(REPO, dir))) {
        const rel = join(dir, name);
        if (statSync(join(REPO, rel)).isDirectory()) walk(rel);
        else if (/\.(ts|tsx|md|mjs)$/.test(name)) files.push(rel);
      }
    };
    for (const d of ['src', 'docs', 'bench']) walk(d);
    const offenders = files.filter((f) => /DESIGN\.md|DESIGN §|CONSOLE\.md/.test(readFileSync(join(REPO, f), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('README links every document in docs/', () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    for (const name of readdirSync(join(REPO, 'docs'))) expect(readme, name).toContain(`docs/${name}`);
  });
});
