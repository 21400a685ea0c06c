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

/** Midnight of `now` in an IANA time zone, as an instant. */
export function startOfDay(now: Date, timeZone: string): Date {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
    .formatToParts(now)
    .reduce<Record<string, string>>((acc, p) => ((acc[p.type] = p.value), acc), {});
  const sinceMidnightMs = ((Number(parts.hour) * 60 + Number(parts.minute)) * 60 + Number(parts.second)) * 1000 + now.getMilliseconds();
  return new Date(now.getTime() - sinceMidnightMs);
}
