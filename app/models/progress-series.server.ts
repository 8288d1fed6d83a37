import { and, eq, gte, sql } from "drizzle-orm";
import { z } from "zod";
import { db } from "../../db/client";
import { cases, checkIns } from "../../db/schema";
import { canOnCase, loadCaseAccess, type Actor, type CaseAccess } from "./case-access.server";
import { loadStaffCase } from "./case-workflow.server";
import { notFound } from "./errors.server";
import { progressPercentSql } from "./progress.server";

// The figures behind the progress charts, each computed in one SQL statement (after the one
// access check) on the check_ins (case_id, submitted_at) index and the plans/plan_steps indexes.
// Days and weeks are counted in UTC, like every date the app shows.
//
// - Check-in scores: one point per day with a check-in in the last CHECK_IN_SERIES_DAYS days;
//   when a client checked in twice that day, the point is the day's average (one decimal).
// - Plan completion: for each of the last 12 weeks (Monday to Sunday), the share of the steps on
//   the case's current (non-archived) plans that were done by the end of that week, i.e. whose
//   status is done and whose completed_at falls before the next Monday. It uses the one progress
//   rule (progress.ts): skipped steps leave the count for every week, since a skip carries no
//   date; no steps at all is 0 %. So the current week always equals the case's progress today.
// - Adherence: periods of the case's cadence (check_in_every_days) counted from the day the case
//   opened; for each of the last 12 periods up to today (or the day the case closed), how many
//   check-ins were submitted in it against the one expected. The period holding today is
//   marked `current`: it isn't over yet, so a 0 there is not yet a miss.

export const CHECK_IN_SERIES_DAYS = 182;
export const SERIES_WEEKS = 12;
export const SERIES_PERIODS = 12;

export type ScorePoint = { date: string; mood: number; progress: number; closeness: number; checkIns: number };
export type CompletionPoint = { weekStart: string; percent: number };
export type AdherencePoint = { periodStart: string; periodEnd: string; submitted: number; expected: number; current: boolean };

type SeriesOptions = { now?: Date };

const dayOf = (column: unknown) => sql`(${column} at time zone 'UTC')::date`;
const asTimestamp = (now: Date) => sql`${now.toISOString()}::timestamptz`;

/** The case's own client, or staff who may read its internals; anyone else 404. */
async function loadSeriesCase(actor: Actor, caseId: string): Promise<CaseAccess> {
  const access = await loadCaseAccess(actor, caseId);
  if (access.relation !== "client" && !canOnCase(access, "case.readInternal")) throw notFound();
  return access;
}

function scoresQuery(caseId: string, now: Date) {
  const day = dayOf(checkIns.submittedAt);
  const average = (column: unknown) => sql<number>`round(avg(${column})::numeric, 1)::float8`;
  return db
    .select({
      date: sql<string>`to_char(${day}, 'YYYY-MM-DD')`,
      mood: average(checkIns.mood),
      progress: average(checkIns.progress),
      closeness: average(checkIns.closeness),
      checkIns: sql<number>`count(*)::int`,
    })
    .from(checkIns)
    .where(
      and(
        eq(checkIns.caseId, caseId),
        gte(checkIns.submittedAt, sql`${asTimestamp(now)} - ${`${CHECK_IN_SERIES_DAYS} days`}::interval`),
        sql`${checkIns.submittedAt} <= ${asTimestamp(now)}`,
      ),
    )
    .groupBy(day)
    .orderBy(day);
}

function completionQuery(caseId: string, now: Date) {
  // Weeks start on Monday (date_trunc's week); the first is 11 weeks before this one.
  const thisWeek = sql`date_trunc('week', ${asTimestamp(now)} at time zone 'UTC')`;
  const weekEnd = sql`((w.week_start + interval '7 days') at time zone 'UTC')`;
  // Written with plain names: the outer query reads from generate_series, not from a table.
  const total = sql`count(*)`;
  const done = sql`count(*) filter (where ps.status = 'done' and ps.completed_at < ${weekEnd})`;
  const skipped = sql`count(*) filter (where ps.status = 'skipped')`;
  const percent = sql<number>`(
    select ${progressPercentSql(total, done, skipped)}
    from plan_steps ps inner join plans p on p.id = ps.plan_id
    where p.case_id = ${caseId} and p.archived_at is null
  )`;
  return db
    .select({ weekStart: sql<string>`to_char(w.week_start, 'YYYY-MM-DD')`, percent })
    .from(sql`generate_series(${thisWeek} - ${`${SERIES_WEEKS - 1} weeks`}::interval, ${thisWeek}, interval '1 week') as w(week_start)`)
    .orderBy(sql`w.week_start`);
}

function adherenceQuery(c: { id: string; openedAt: Date; closedAt: Date | null; checkInEveryDays: number }, now: Date) {
  const every = Math.max(1, c.checkInEveryDays);
  const opened = dayOf(asTimestamp(c.openedAt));
  const open = c.closedAt === null || c.closedAt > now;
  const until = dayOf(asTimestamp(open ? now : c.closedAt!));
  // The index of the period holding `until` (0 for the first period).
  const last = sql`greatest(0, (${until} - ${opened}) / ${every}::int)`;
  const start = sql`(${opened} + p.i * ${every}::int)`;
  const end = sql`(${opened} + (p.i + 1) * ${every}::int)`;
  const at = (day: unknown) => sql`(${day}::timestamp at time zone 'UTC')`;
  const submitted = sql<number>`(
    select count(*)::int from check_ins ci
    where ci.case_id = ${c.id} and ci.submitted_at >= ${at(start)} and ci.submitted_at < ${at(end)}
  )`;
  return db
    .select({
      periodStart: sql<string>`to_char(${start}, 'YYYY-MM-DD')`,
      // The last day of the period (inclusive), for display.
      periodEnd: sql<string>`to_char(${end} - 1, 'YYYY-MM-DD')`,
      submitted,
      current: open ? sql<boolean>`(${end} > ${dayOf(asTimestamp(now))})` : sql<boolean>`false`,
    })
    .from(sql`generate_series(greatest(0, ${last} - ${SERIES_PERIODS - 1}), ${last}) as p(i)`)
    .orderBy(sql`p.i`);
}

/** Mood, progress and closeness per check-in day, oldest first. Staff of the case or its client. */
export async function checkInSeries(actor: Actor, caseId: string, options: SeriesOptions = {}): Promise<ScorePoint[]> {
  const access = await loadSeriesCase(actor, caseId);
  return scoresQuery(access.case.id, options.now ?? new Date());
}

/** Plan completion (%) at the end of each of the last 12 weeks, oldest first. Staff only. */
export async function planCompletionSeries(actor: Actor, caseId: string, options: SeriesOptions = {}): Promise<CompletionPoint[]> {
  const access = await loadStaffCase(actor, caseId);
  return completionQuery(access.case.id, options.now ?? new Date());
}

/** Check-ins submitted against expected for the last 12 cadence periods, oldest first. Staff only. */
export async function adherenceSeries(actor: Actor, caseId: string, options: SeriesOptions = {}): Promise<AdherencePoint[]> {
  const access = await loadStaffCase(actor, caseId);
  const rows = await adherenceQuery(access.case, options.now ?? new Date());
  return rows.map((row) => ({ ...row, expected: 1 }));
}

/** The case page's Progress tab: the three series after one access check (four queries). */
export async function getCaseProgress(actor: Actor, caseId: string, options: SeriesOptions = {}) {
  const access = await loadStaffCase(actor, caseId);
  const now = options.now ?? new Date();
  const [scores, completion, adherence] = await Promise.all([
    scoresQuery(access.case.id, now),
    completionQuery(access.case.id, now),
    adherenceQuery(access.case, now),
  ]);
  return {
    caseId: access.case.id,
    checkInEveryDays: access.case.checkInEveryDays,
    scores,
    completion,
    adherence: adherence.map((row) => ({ ...row, expected: 1 })),
  };
}

// ---------------------------------------------------------------------------------------------
// The client's side: their scores on each of their own cases, and their check-in history.

export const historyQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1).catch(1),
});

/** The client's own cases with their score series (one query), oldest case first. */
export async function listOwnCheckInSeries(client: Actor, options: SeriesOptions = {}) {
  if (client.role !== "client") throw notFound();
  const now = options.now ?? new Date();
  const day = dayOf(checkIns.submittedAt);
  const average = (column: unknown) => sql<number>`round(avg(${column})::numeric, 1)::float8`;
  const rows = await db
    .select({
      caseId: cases.id,
      caseTitle: cases.title,
      openedAt: cases.openedAt,
      date: sql<string | null>`to_char(${day}, 'YYYY-MM-DD')`,
      mood: average(checkIns.mood),
      progress: average(checkIns.progress),
      closeness: average(checkIns.closeness),
      checkIns: sql<number>`count(${checkIns.id})::int`,
    })
    .from(cases)
    .leftJoin(
      checkIns,
      and(
        eq(checkIns.caseId, cases.id),
        gte(checkIns.submittedAt, sql`${asTimestamp(now)} - ${`${CHECK_IN_SERIES_DAYS} days`}::interval`),
        sql`${checkIns.submittedAt} <= ${asTimestamp(now)}`,
      ),
    )
    .where(eq(cases.clientId, client.id))
    .groupBy(cases.id, day)
    .orderBy(cases.openedAt, cases.id, day);
  const byCase = new Map<string, { caseId: string; caseTitle: string; points: ScorePoint[] }>();
  for (const row of rows) {
    let entry = byCase.get(row.caseId);
    if (!entry) byCase.set(row.caseId, (entry = { caseId: row.caseId, caseTitle: row.caseTitle, points: [] }));
    if (row.date) entry.points.push({ date: row.date, mood: row.mood, progress: row.progress, closeness: row.closeness, checkIns: row.checkIns });
  }
  return [...byCase.values()];
}


