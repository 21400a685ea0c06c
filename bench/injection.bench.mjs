// Prompt-injection detector: recall on labelled injections and false positives on labelled ordinary
// text (test/data/promptInjectionLabelled.json), and the detector's throughput against a plain
// lower-case + includes() scan of the same texts (a baseline measured in the same run).
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findPromptInjection } from '../dist/engine/monitor/promptInjection.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const set = JSON.parse(readFileSync(join(root, 'test', 'data', 'promptInjectionLabelled.json'), 'utf8'));
const verbose = process.argv.includes('--misses');

const hit = (t) => findPromptInjection(t).length > 0;
const missed = set.injection.filter((t) => !hit(t));
const flagged = set.benign.filter((t) => hit(t));
const recall = (set.injection.length - missed.length) / set.injection.length;
const fpr = flagged.length / set.benign.length;
console.log(`prompt injection: recall ${(100 * recall).toFixed(1)} % (${set.injection.length - missed.length}/${set.injection.length}), false positives ${(100 * fpr).toFixed(1)} % (${flagged.length}/${set.benign.length})`);
if (verbose) {
  for (const t of missed) console.log(`  missed: ${JSON.stringify(t)}`);
  for (const t of flagged) console.log(`  flagged: ${JSON.stringify(t)}`);
}

const texts = [...set.injection, ...set.benign];
const time = (fn) => {
  const start = process.hrtime.bigint();
  let n = 0;
  for (let r = 0; r < 200; r++) for (const t of texts) n += fn(t) ? 1 : 0;
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, n };
};
const base = time((t) => t.toLowerCase().includes('ignore previous instructions'));
const det = time(hit);
console.log(`  ${texts.length * 200} texts: detector ${det.ms.toFixed(0)} ms, baseline (lower-case + includes) ${base.ms.toFixed(0)} ms, ratio ${(det.ms / base.ms).toFixed(1)}x`);
