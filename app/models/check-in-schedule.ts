import type { CaseStatus } from "../../db/schema";

// When a case is overdue for a check-in: the one rule, as plain arithmetic. Its SQL twin is
// `overdueSql` / `reminderPeriodStartSql` in attention.server.ts; change both together (a test
// checks they agree at the boundaries).
//
// - Only active cases can be overdue. Intake hasn't started the rhythm yet, a paused case is
//   paused on purpose, a closed one is over.
// - The check-in is due `cadence` days after the last check-in (or the case's opening when
//   there is none yet). A grace day follows; the case is overdue only once that has passed too:
//   overdue when now > due + 1 day (exactly at due + 1 day it is not overdue yet).
// - A "day" is 24 hours (not a calendar day), so the rule doesn't move with time zones or DST.
// - Reminder periods: the first starts on the due date; while the client stays quiet a new
//   period starts every `cadence` days after it. Each period may send one email. Its key is the
//   UTC calendar date of its start.

export const DAY_MS = 24 * 60 * 60 * 1000;
export const GRACE_DAYS = 1;

export type ScheduleInput = {
  status: CaseStatus;
  checkInEveryDays: number;
  openedAt: Date;
  /** The newest check-in's submitted_at, or null when there is none yet. */
  lastCheckInAt: Date | null;
};

/** When the next check-in is due: the last one (or the opening) plus the cadence. */
export function checkInDueAt(input: Pick<ScheduleInput, "checkInEveryDays" | "openedAt" | "lastCheckInAt">): Date {
  const from = input.lastCheckInAt ?? input.openedAt;
  return new Date(from.getTime() + input.checkInEveryDays * DAY_MS);
}

/** True when an active case had no check-in within its cadence plus the grace day. */
export function isCheckInOverdue(input: ScheduleInput, now: Date): boolean {
  if (input.status !== "active") return false;
  return now.getTime() > checkInDueAt(input).getTime() + GRACE_DAYS * DAY_MS;
}

/**
 * The reminder period `now` falls in, as its start date (YYYY-MM-DD, UTC), or null when the
 * case isn't overdue. The first period starts at the due time; then one every cadence.
 */
export function reminderPeriodStart(input: ScheduleInput, now: Date): string | null {
  if (!isCheckInOverdue(input, now)) return null;
  const due = checkInDueAt(input).getTime();
  const cadenceMs = input.checkInEveryDays * DAY_MS;
  const periods = Math.floor((now.getTime() - due) / cadenceMs);
  return new Date(due + periods * cadenceMs).toISOString().slice(0, 10);
}
