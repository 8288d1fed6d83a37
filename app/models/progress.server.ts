import { sql, type SQL } from "drizzle-orm";

/**
 * SQL for the same rule as `progressPercent` (progress.ts), given SQL expressions for the
 * counts; an integer 0–100.
 */
export function progressPercentSql(total: SQL, done: SQL, skipped: SQL): SQL<number> {
  return sql<number>`(case
    when ${total} = 0 then 0
    when ${total} - ${skipped} <= 0 then 100
    else floor(100.0 * ${done} / (${total} - ${skipped}))
  end)::int`;
}
