// The daily token and cost budget, persisted in a small JSON state file (0600, atomic write) so that
// `gatehouse assistant --once`, the polling loop and the engine share one day's spend. The file is
// re-read before each check so another process's spend counts. A broken file is set aside
// (<file>.corrupt-<ts>) and a fresh day started: never fatal.
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { z } from 'zod';
import { writePrivateFileAtomic } from '../store/stateDir.js';
import type { AssistantLogger } from './types.js';

const BudgetStateSchema = z.object({
  version: z.literal(1),
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  tokens_in: z.number().int().nonnegative(),
  tokens_out: z.number().int().nonnegative(),
  cost_usd: z.number().finite().nonnegative(),
  requests: z.number().int().nonnegative(),
});
export type BudgetState = z.infer<typeof BudgetStateSchema>;

export interface BudgetLimits {
  daily_token_budget: number;
  daily_cost_budget_usd: number;
}

export type BudgetCheck = { ok: true } | { ok: false; reason: string };

export class DailyBudget {
  private state: BudgetState;

  constructor(
    readonly path: string,
    private readonly limits: BudgetLimits,
    private readonly logger: AssistantLogger,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.state = this.load();
  }

  private today(): string {
    return this.now().toISOString().slice(0, 10);
  }

  private fresh(): BudgetState {
    return { version: 1, day: this.today(), tokens_in: 0, tokens_out: 0, cost_usd: 0, requests: 0 };
  }

  private load(): BudgetState {
    if (!existsSync(this.path)) return this.fresh();
    let parsed: BudgetState;
    try {
      parsed = BudgetStateSchema.parse(JSON.parse(readFileSync(this.path, 'utf8')));
    } catch (err) {
      const aside = `${this.path}.corrupt-${this.now().toISOString().replace(/[:.]/g, '-')}`;
      try {
        renameSync(this.path, aside);
        this.logger.warn({ path: this.path, aside, problem: (err as Error).message }, 'assistant budget file was broken; set aside, starting fresh');
      } catch (renameErr) {
        this.logger.error({ path: this.path, problem: (renameErr as Error).message }, 'assistant budget file broken and could not be set aside');
      }
      return this.fresh();
    }
    return parsed.day === this.today() ? parsed : this.fresh();
  }

  /** Today's spend, as last read from disk. */
  snapshot(): BudgetState {
    const disk = this.load();
    const mem = this.state;
    // The larger of memory and disk: a failed write or another process never makes spend look smaller.
    this.state =
      mem.day === disk.day
        ? {
            ...disk,
            tokens_in: Math.max(disk.tokens_in, mem.tokens_in),
            tokens_out: Math.max(disk.tokens_out, mem.tokens_out),
            cost_usd: Math.max(disk.cost_usd, mem.cost_usd),
            requests: Math.max(disk.requests, mem.requests),
          }
        : disk;
    return { ...this.state };
  }

  /** Refuses when today's spend plus what this call may cost would pass either limit. */
  check(estimatedTokens: number, estimatedCostUsd: number): BudgetCheck {
    const s = this.snapshot();
    const tokens = s.tokens_in + s.tokens_out;
    if (tokens + estimatedTokens > this.limits.daily_token_budget) {
      return {
        ok: false,
        reason: `daily token budget reached: ${tokens} used + ~${estimatedTokens} for this call > ${this.limits.daily_token_budget} (assistant.daily_token_budget)`,
      };
    }
    if (s.cost_usd + estimatedCostUsd > this.limits.daily_cost_budget_usd) {
      return {
        ok: false,
        reason: `daily cost budget reached: ~$${s.cost_usd.toFixed(4)} used + ~$${estimatedCostUsd.toFixed(4)} for this call > $${this.limits.daily_cost_budget_usd} (assistant.daily_cost_budget_usd, estimated prices)`,
      };
    }
    return { ok: true };
  }

  /** Adds a finished call's usage and persists it; a write failure is logged, the spend still counts in memory. */
  record(tokensIn: number, tokensOut: number, costUsd: number): void {
    const s = this.snapshot();
    this.state = {
      ...s,
      tokens_in: s.tokens_in + Math.max(0, Math.round(tokensIn)),
      tokens_out: s.tokens_out + Math.max(0, Math.round(tokensOut)),
      cost_usd: s.cost_usd + Math.max(0, costUsd),
      requests: s.requests + 1,
    };
    try {
      writePrivateFileAtomic(this.path, `${JSON.stringify(this.state)}\n`);
    } catch (err) {
      this.logger.error({ path: this.path, problem: (err as Error).message }, 'could not persist assistant budget');
    }
  }
}
