// The `budget:` section of the config: the limits the budget deciders apply to tasks.
import { z } from 'zod';

const money = z.number().finite().nonnegative();

export const BudgetSchema = z
  .object({
    /** Tasks over the day's remaining budget are rejected (decided_by: budget). */
    daily_usd: money.nullable().default(null),
    /** Per-type cost ceilings: over it = rejected by budget. */
    per_task: z.record(z.string(), money).default({}),
    /** Tasks at or under this cost (and within the other limits) are approved by budget without asking. */
    auto_approve_below_usd: money.nullable().default(null),
    /** Time zone for "today" (IANA name): a budget day runs from local midnight to local midnight, DST included. */
    time_zone: z
      .string()
      .refine((tz) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      }, 'an IANA time zone such as "UTC", "Asia/Kolkata" or "America/New_York"')
      .default('UTC'),
  })
  .strict()
  .default({ daily_usd: null, per_task: {}, auto_approve_below_usd: null, time_zone: 'UTC' });

export type BudgetConfig = z.output<typeof BudgetSchema>;
