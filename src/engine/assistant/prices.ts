// Estimated list prices per million tokens, by model family, for the daily cost budget. These are
// estimates, not a bill: providers change prices and discounts, caching and batches are not modelled.
// An unknown hosted model is priced high on purpose, so the budget errs on the side of stopping.
import type { ProviderName } from './types.js';

export interface Price {
  input_per_mtok: number;
  output_per_mtok: number;
}

// Longest matching prefix wins, so specific entries sit beside their family.
const TABLE: ReadonlyArray<readonly [string, Price]> = [
  ['claude-opus-4-5', { input_per_mtok: 5, output_per_mtok: 25 }],
  ['claude-opus-4-6', { input_per_mtok: 5, output_per_mtok: 25 }],
  ['claude-opus', { input_per_mtok: 15, output_per_mtok: 75 }],
  ['claude-3-opus', { input_per_mtok: 15, output_per_mtok: 75 }],
  ['claude-sonnet', { input_per_mtok: 3, output_per_mtok: 15 }],
  ['claude-3-5-sonnet', { input_per_mtok: 3, output_per_mtok: 15 }],
  ['claude-3-7-sonnet', { input_per_mtok: 3, output_per_mtok: 15 }],
  ['claude-haiku-4', { input_per_mtok: 1, output_per_mtok: 5 }],
  ['claude-3-5-haiku', { input_per_mtok: 0.8, output_per_mtok: 4 }],
  ['claude-3-haiku', { input_per_mtok: 0.25, output_per_mtok: 1.25 }],
  ['gpt-4o-mini', { input_per_mtok: 0.15, output_per_mtok: 0.6 }],
  ['gpt-4o', { input_per_mtok: 2.5, output_per_mtok: 10 }],
  ['gpt-4.1-nano', { input_per_mtok: 0.1, output_per_mtok: 0.4 }],
  ['gpt-4.1-mini', { input_per_mtok: 0.4, output_per_mtok: 1.6 }],
  ['gpt-4.1', { input_per_mtok: 2, output_per_mtok: 8 }],
  ['gpt-5-nano', { input_per_mtok: 0.05, output_per_mtok: 0.4 }],
  ['gpt-5-mini', { input_per_mtok: 0.25, output_per_mtok: 2 }],
  ['gpt-5', { input_per_mtok: 1.25, output_per_mtok: 10 }],
  ['o4-mini', { input_per_mtok: 1.1, output_per_mtok: 4.4 }],
  ['o3-mini', { input_per_mtok: 1.1, output_per_mtok: 4.4 }],
  ['o3', { input_per_mtok: 2, output_per_mtok: 8 }],
];

const UNKNOWN_HOSTED: Price = { input_per_mtok: 15, output_per_mtok: 75 };
const LOCAL: Price = { input_per_mtok: 0, output_per_mtok: 0 };

export function priceFor(provider: ProviderName, model: string): Price {
  const m = model.toLowerCase().replace(/^(anthropic|openai)\//, '');
  let best: Price | null = null;
  let bestLen = -1;
  for (const [prefix, price] of TABLE) {
    if (m.startsWith(prefix) && prefix.length > bestLen) [best, bestLen] = [price, prefix.length];
  }
  if (best) return best;
  // A model served by a local OpenAI-compatible server costs no money; the token budget still applies.
  return provider === 'openai-compatible' ? LOCAL : UNKNOWN_HOSTED;
}

export function estimateCostUsd(provider: ProviderName, model: string, tokensIn: number, tokensOut: number): number {
  const p = priceFor(provider, model);
  return (tokensIn * p.input_per_mtok + tokensOut * p.output_per_mtok) / 1_000_000;
}
