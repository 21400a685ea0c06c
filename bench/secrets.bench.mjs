// Secrets scanner: recall on `secret` rows and specificity on `not_secret` rows of the shared
// corpus, and scan speed against a plain lower-casing pass over the same text: on the corpus (a
// secret every ~90 bytes, the worst case) and on this repository's source and docs (ordinary text
// full of token/key/secret/password names, as config and state dirs are).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findSecrets } from '../dist/engine/monitor/secrets.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const file = join(root, '..', 'shared', 'corpora', 'secrets.jsonl');
const verbose = process.argv.includes('--misses');
const pct = (a, b) => ((100 * a) / b).toFixed(1) + ' %';

if (!existsSync(file)) {
  console.log(`corpus not found at ${file}: secrets figures skipped`);
  process.exit(0);
}
const rows = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
// Some texts carry both labels (a row is `secret` for one gitleaks rule and `not_secret` for
// another); no scanner can satisfy both, so specificity is also reported without them.
const secretTexts = new Set(rows.filter((r) => r.label === 'secret').map((r) => r.text));
let tp = 0, pos = 0, tn = 0, neg = 0, tnU = 0, negU = 0;
const missByRule = {};
for (const r of rows) {
  const hit = findSecrets(r.text).length > 0;
  if (r.label === 'secret') {
    pos++;
    if (hit) tp++;
    else {
      missByRule[r.rule_id] = (missByRule[r.rule_id] ?? 0) + 1;
      if (verbose) console.log('MISS', r.rule_id, JSON.stringify(r.text).slice(0, 200));
    }
  } else {
    neg++;
    if (!secretTexts.has(r.text)) {
      negU++;
      if (!hit) tnU++;
    }
    if (!hit) tn++;
    else if (verbose) console.log('FP', r.rule_id, findSecrets(r.text).map((f) => f.rule).join(','), JSON.stringify(r.text).slice(0, 200));
  }
}
console.log(`secret rows found: ${pct(tp, pos)} of ${pos} (target >= 95 %)`);
console.log(`not_secret rows not flagged: ${pct(tn, neg)} of ${neg} (target >= 97 %)`);
console.log(`not_secret rows not flagged, excluding ${neg - negU} whose text is also labelled secret: ${pct(tnU, negU)} of ${negU}`);
const worst = Object.entries(missByRule).sort((a, b) => b[1] - a[1]).slice(0, 8);
console.log(`most missed rules: ${worst.map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);

const text = rows.map((r) => r.text).join('\n');
const reps = 5;
let t = performance.now();
for (let i = 0; i < reps; i++) text.toLowerCase().split('\n');
const base = (reps * text.length) / ((performance.now() - t) / 1000);
t = performance.now();
let n = 0;
for (let i = 0; i < reps; i++) for (const r of rows) n += findSecrets(r.text).length;
const rate = (reps * text.length) / ((performance.now() - t) / 1000);
console.log(`baseline lower-case+split: ${(base / 1e6).toFixed(1)} MB/s`);
console.log(`secret scan: ${(rate / 1e6).toFixed(2)} MB/s (${(rate / base).toFixed(3)}x of baseline; ${n / reps} findings per pass)`);

// Ordinary text: the project's own sources and docs, file by file, five passes.
const files = [];
for (const dir of ['src', 'docs', 'test']) {
  const abs = join(root, dir);
  if (!existsSync(abs)) continue;
  for (const f of readdirSync(abs, { recursive: true })) {
    if (/\.(ts|tsx|md|json|ya?ml)$/.test(f)) files.push(readFileSync(join(abs, f), 'utf8'));
  }
}
const bytes = files.reduce((a, f) => a + f.length, 0);
t = performance.now();
for (let i = 0; i < reps; i++) files.join('\n').toLowerCase().split('\n');
const base2 = (reps * bytes) / ((performance.now() - t) / 1000);
t = performance.now();
let n2 = 0;
for (let i = 0; i < reps; i++) for (const f of files) n2 += findSecrets(f).length;
const rate2 = (reps * bytes) / ((performance.now() - t) / 1000);
console.log(`secret scan of ${files.length} source and doc files (${(bytes / 1e6).toFixed(1)} MB): ${(rate2 / 1e6).toFixed(2)} MB/s (${(rate2 / base2).toFixed(3)}x of lower-case+split at ${(base2 / 1e6).toFixed(1)} MB/s; ${n2 / reps} findings per pass)`);
