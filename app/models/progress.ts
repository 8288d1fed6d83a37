// How far along a plan (or all of a case's plans) is. Skipped steps leave the count: a plan
// whose remaining steps were all skipped is finished. No steps at all is 0 %.
// The SQL twin of this rule is `progressPercentSql` in progress.server.ts; keep them equal.

export type StepCounts = { total: number; done: number; skipped: number };

export function progressPercent({ total, done, skipped }: StepCounts): number {
  const countable = total - skipped;
  if (total === 0) return 0;
  if (countable <= 0) return 100;
  return Math.floor((100 * done) / countable);
}
