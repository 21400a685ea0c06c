// Local budget rules: decide a task from config alone when they can (decided_by: budget); otherwise
// leave it to the operator. Pure.
import type { BudgetConfig } from './budgetConfig.js';

export interface BudgetVerdict {
  approved: boolean;
  reason: string;
}

export interface Spend {
  spent: number;
  reserved: number;
}

const usd = (n: number) => `$${n.toFixed(2)}`;

export function decideByBudget(task: { task_type: string; estimated_cost: number }, budget: BudgetConfig, spend: Spend): BudgetVerdict | null {
  const typeLimit = budget.per_task[task.task_type] ?? budget.per_task.default;
  if (typeLimit !== undefined && task.estimated_cost > typeLimit) {
    return { approved: false, reason: `estimated ${usd(task.estimated_cost)} exceeds the ${task.task_type} limit ${usd(typeLimit)}` };
  }
  if (budget.daily_usd !== null) {
    const committed = spend.spent + spend.reserved;
    if (committed + task.estimated_cost > budget.daily_usd) {
      return {
        approved: false,
        reason: `exceeds the daily budget: ${usd(committed)} committed + ${usd(task.estimated_cost)} > ${usd(budget.daily_usd)}`,
      };
    }
  }
  if (budget.auto_approve_below_usd !== null && task.estimated_cost <= budget.auto_approve_below_usd) {
    return { approved: true, reason: `within the auto-approve limit ${usd(budget.auto_approve_below_usd)}` };
  }
  return null;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock reading of instant `t` (whole seconds) in `timeZone`, as if it were UTC. */
function wallClock(t: number, timeZone: string): number {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  const p: Record<string, number> = {};
  for (const x of f.formatToParts(new Date(t))) if (x.type !== 'literal') p[x.type] = Number(x.value);
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour! % 24, p.minute!, p.second!);
}

/**
 * Midnight of `now`'s day in an IANA time zone, as an instant. The zone's offset at midnight is used,
 * not the one now: on a DST day the two differ by the shift (a New York day that springs forward is
 * 23 hours long). Where midnight itself is skipped, the day starts at its first existing instant.
 */
export function startOfDay(now: Date, timeZone: string): Date {
  const t = Math.floor(now.getTime() / 1000) * 1000;
  const wall = wallClock(t, timeZone);
  const midnight = wall - (((wall % 86_400_000) + 86_400_000) % 86_400_000);
  // instant = wall time - offset; the offset is read at the candidate instant, twice to settle.
  let at = midnight - (wallClock(midnight, timeZone) - midnight);
  at = midnight - (wallClock(at, timeZone) - at);
  if (wallClock(at, timeZone) < midnight) at += 3_600_000; // midnight skipped by a shift at 00:00
  return new Date(at);
}
