import { and, asc, desc, eq, isNotNull, isNull, or, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import { unionAll } from "drizzle-orm/pg-core";
import { db, lookupDb } from "../../db/client";
import {
  CASE_STATUSES,
  caseCounts,
  cases,
  checkInDueUtc,
  checkIns,
  checkInReminders,
  dashboardWeeks,
  staffCaseloads,
  threads,
  users,
  type CaseStatus,
  type Role,
} from "../../db/schema";
import { isStaff } from "~/auth/permissions";
import { appUrl } from "~/env.server";
import { recordAudit } from "./audit.server";
import { isStaffRoleSql, placeholderViewer, visibleCases, type Actor, type ActorRef } from "./case-access.server";
import { notFound } from "./errors.server";
import { enqueueEmail } from "./outbox.server";

// What needs a practitioner's attention, the admin dashboard's figures and the check-in
// reminders. Every figure is computed in SQL, in a fixed number of queries per call.

/** `now` as a query parameter: tests pass their own clock, so nothing here reads the DB's now(). */
const at = (now: Date | SQLWrapper) => sql`${now instanceof Date ? now.toISOString() : now}::timestamptz`;

// ---------------------------------------------------------------------------------------------
// The overdue rule, in SQL. TWIN of app/models/check-in-schedule.ts (isCheckInOverdue,
// checkInDueAt, reminderPeriodStart): keep them equal. A day is 24 hours ('24 hours', never
// '1 day', which follows the session's time zone across DST); overdue is strictly after
// due + 1 grace day; only active cases. tests/integration/attention.test.ts checks that both
// agree at the boundaries. These expressions read the unaliased `cases` table of the query.

/** The newest check-in of the case, or null: a column the database keeps (migration 0012). */
const lastCheckInSql = sql`${cases.lastCheckInAt}`;

/**
 * When the case's next check-in is due: last check-in (or the opening) + cadence, worked out in
 * UTC (a timestamp without time zone, the expression cases_check_in_due_idx indexes, see
 * checkInDueUtc in db/schema.ts)...
 */
const checkInDueUtcSql = checkInDueUtc(cases);

/** ...and as the instant (timestamptz) it is. */
export const checkInDueSql = sql<Date>`(${checkInDueUtcSql} at time zone 'UTC')`;

/**
 * True for the cases overdue for a check-in at `now`: now > due + 1 day, written as
 * due < now - 1 day so that the index can find them (both sides in UTC).
 */
export function overdueSql(now: Date | SQLWrapper): SQL<boolean> {
  return sql<boolean>`(${cases.status} = 'active' and ${checkInDueUtcSql} < (${at(now)} at time zone 'UTC') - interval '24 hours')`;
}

/** The reminder period `now` falls in (its UTC start date); meaningful only where overdueSql holds. */
export function reminderPeriodStartSql(now: Date): SQL<string> {
  const elapsedPeriods = sql`floor(extract(epoch from (${at(now)} - ${checkInDueSql})) / (${cases.checkInEveryDays} * 86400))::int`;
  return sql<string>`to_char((${checkInDueSql} + ${elapsedPeriods} * ${cases.checkInEveryDays} * interval '24 hours') at time zone 'UTC', 'YYYY-MM-DD')`;
}

// ---------------------------------------------------------------------------------------------
// Needs attention (the therapist's /cases page)

export const ATTENTION_KINDS = ["overdue", "falling", "urgent", "unanswered"] as const;
export type AttentionKind = (typeof ATTENTION_KINDS)[number];
export type AttentionItem = {
  caseId: string;
  caseTitle: string;
  clientName: string;
  /** Set for unanswered questions: the link goes to the thread. */
  threadId: string | null;
  threadTitle: string | null;
  /** overdue: when the check-in was due; falling: the newest check-in; urgent: last activity; unanswered: waiting since. */
  since: Date;
};
export type AttentionList = { items: AttentionItem[]; total: number };

/** How many items each list shows; the total says how many there are in all. */
export const ATTENTION_LIMIT = 8;

/**
 * "Falling scores": the case's last three check-ins are strictly declining in mood, or strictly
 * declining in progress (newest < middle < oldest). Fewer than three never count; flat or rising
 * scores don't either. The database works this out whenever a check-in is added, changed or
 * removed (cases_recount_check_ins in migration 0012) and keeps it on the case.
 */
export const fallingScoresSql = sql<boolean>`${cases.scoresFalling}`;

/**
 * The four short lists above the case list, on the cases the viewer is on (admins: all cases):
 * overdue check-ins (active cases), falling scores and urgent risk (cases not closed),
 * unanswered questions (threads awaiting staff). One query (four branches of a UNION ALL). Each
 * branch reads its first rows in the order of its own partial index (cases_check_in_due_idx,
 * cases_falling_idx, cases_urgent_idx, threads_waiting_idx) and counts them all in a subquery
 * over the same index, from the index alone: a window count would first have to join every
 * matching row to its client.
 */
export function needsAttentionQuery(actor: ActorRef, now: Date | SQLWrapper) {
  const visible = visibleCases(actor);
  const onVisible = (condition: SQL): SQL => and(visible, condition) ?? condition;
  /** How many cases meet `where` (its `cases` is the subquery's own). */
  const casesCounted = (where: SQL) => sql<number>`(select count(*) from ${cases} where ${where})`.mapWith(Number);
  // The client's name as a subquery on each list's few rows, not a join: a join per branch
  // made planning the four branches take longer than running them.
  const caseBase = {
    caseId: cases.id,
    caseTitle: cases.title,
    // Written out in full: drizzle leaves columns unqualified in a one-table branch of a union.
    clientName: sql<string>`(select attention_client.name from ${users} as attention_client where attention_client.id = "cases"."client_id")`,
  };
  const noThread = { threadId: sql<string | null>`null::uuid`, threadTitle: sql<string | null>`null::text` };
  // Conditions are written as literals, not parameters: the partial indexes' predicates must be
  // provable from them whichever plan Postgres keeps for the prepared statement.
  const openCase = sql`${cases.status} <> 'closed'`;

  /**
   * One of the lists of cases: those meeting `condition` on the viewer's cases, the first
   * ATTENTION_LIMIT in `order` (the order of the list's own index) with `since` beside each, and
   * how many there are in all. `kind` is one of the AttentionKind constants, written into the SQL.
   */
  const caseList = (kind: AttentionKind, condition: SQL, since: SQL, order: SQL[]) => {
    const where = onVisible(condition);
    return db
      .select({
        kind: sql<AttentionKind>`${sql.raw(`'${kind}'`)}::text`,
        ...caseBase,
        ...noThread,
        since: sql<Date>`${since}`.mapWith(cases.openedAt),
        total: casesCounted(where),
      })
      .from(cases)
      .where(where)
      .orderBy(...order, asc(cases.id))
      .limit(ATTENTION_LIMIT);
  };
  const overdue = caseList("overdue", overdueSql(now), checkInDueSql, [asc(checkInDueUtcSql)]);
  const falling = caseList("falling", sql`${openCase} and ${fallingScoresSql}`, lastCheckInSql, [desc(lastCheckInSql)]);
  const urgent = caseList("urgent", sql`${openCase} and ${cases.risk} = 'urgent'`, sql`${cases.lastActivityAt}`, [desc(cases.lastActivityAt)]);
  // Read in the order of threads_waiting_idx.
  const waitingSince = sql`coalesce(${threads.waitingSince}, ${threads.createdAt})`;
  const awaitingStaff = sql`${threads.status} = 'awaiting_staff'`;
  const waiting = and(awaitingStaff, visibleCases(actor, threads.caseId));
  const unanswered = db
    .select({
      kind: sql<AttentionKind>`'unanswered'::text`,
      ...caseBase,
      threadId: sql<string | null>`${threads.id}`,
      threadTitle: sql<string | null>`${threads.title}`,
      since: sql<Date>`${waitingSince}`.mapWith(cases.openedAt),
      total: sql<number>`(select count(*) from ${threads} where ${waiting})`.mapWith(Number),
    })
    .from(threads)
    .innerJoin(cases, eq(cases.id, threads.caseId))
    .where(and(visible, awaitingStaff))
    .orderBy(asc(waitingSince), asc(threads.id))
    .limit(ATTENTION_LIMIT);

  return unionAll(overdue, falling, urgent, unanswered);
}

/**
 * needsAttentionQuery built once for admins (every case) and once for coaches and therapists
 * (their cases), with the viewer and the clock as placeholders: drizzle built the four branches
 * from their parts on every view of the case list otherwise.
 */
const needsAttentionStatements = {
  admin: needsAttentionQuery(placeholderViewer("admin"), sql.placeholder("now")).prepare("needs_attention_admin"),
  staff: needsAttentionQuery(placeholderViewer("staff"), sql.placeholder("now")).prepare("needs_attention_staff"),
};

export async function needsAttention(actor: Actor, now = new Date()): Promise<Record<AttentionKind, AttentionList>> {
  if (!isStaff(actor.role)) throw notFound();
  const statement = actor.role === "admin" ? needsAttentionStatements.admin : needsAttentionStatements.staff;
  const rows = await statement.execute({ actorId: actor.id, now: now.toISOString() });
  const empty = (): AttentionList => ({ items: [], total: 0 });
  const lists: Record<AttentionKind, AttentionList> = { overdue: empty(), falling: empty(), urgent: empty(), unanswered: empty() };
  for (const { kind, total: n, ...item } of rows) {
    lists[kind].items.push(item);
    lists[kind].total = n;
  }
  return lists;
}

// ---------------------------------------------------------------------------------------------
// The client's own overdue cases (the portal's gentle reminder)

/** The client's cases that are overdue for a check-in. Anyone but a client: 404. One query. */
/** overdueCasesForClient's statement, built once (the portal asks it on every view). */
const overdueCasesOfClient = lookupDb
  .select({ id: cases.id, title: cases.title })
  .from(cases)
  .where(and(eq(cases.clientId, sql.placeholder("clientId")), overdueSql(sql.placeholder("now"))))
  .orderBy(asc(cases.openedAt), asc(cases.id))
  .prepare("overdue_cases_of_client");

export async function overdueCasesForClient(client: Actor, now = new Date()) {
  if (client.role !== "client") throw notFound();
  return overdueCasesOfClient.execute({ clientId: client.id, now: now.toISOString() });
}

// ---------------------------------------------------------------------------------------------
// Check-in reminders (hourly housekeeping)

export const REMINDER_SUBJECT = "It's time for your check-in";

/** The email: content-free (no names, no case titles), only a link to the check-in form. */
export function reminderEmail(to: string) {
  const link = `${appUrl()}/portal/check-in`;
  return {
    to,
    subject: REMINDER_SUBJECT,
    text:
      `Hello,\n\nIt's time for your check-in. It only takes a few minutes, and it helps your practitioner ` +
      `support you well:\n\n${link}\n\nIf now isn't a good moment, that's fine. It will be there when you're ready.`,
    link,
  };
}

/**
 * For each overdue active case, at most one email per reminder period: the (case, period)
 * row in check_in_reminders is claimed with ON CONFLICT DO NOTHING, and only a claim that
 * inserted enqueues the email and records check_in.reminder_sent. Clients who are deactivated
 * or haven't accepted their invitation yet (no password) get none. Returns how many were sent.
 */
export async function sendCheckInReminders(now = new Date()): Promise<number> {
  const due = await db
    .select({ caseId: cases.id, periodStart: reminderPeriodStartSql(now), email: users.email })
    .from(cases)
    .innerJoin(users, eq(users.id, cases.clientId))
    .where(and(overdueSql(now), isNull(users.deactivatedAt), isNotNull(users.passwordHash)));

  let sent = 0;
  for (const row of due) {
    const inserted = await db.transaction(async (tx) => {
      const claimed = await tx
        .insert(checkInReminders)
        .values({ caseId: row.caseId, periodStart: row.periodStart, sentAt: now })
        .onConflictDoNothing()
        .returning({ caseId: checkInReminders.caseId });
      if (claimed.length === 0) return false;
      await enqueueEmail(reminderEmail(row.email), tx);
      await recordAudit(
        {
          actorId: null,
          action: "check_in.reminder_sent",
          target: { type: "case", id: row.caseId },
          caseId: row.caseId,
          details: { periodStart: row.periodStart },
        },
        tx,
      );
      return true;
    });
    if (inserted) sent++;
  }
  return sent;
}

// ---------------------------------------------------------------------------------------------
// The admin dashboard

export const DASHBOARD_WEEKS = 12;
const WEEK = sql`interval '168 hours'`;

/**
 * The last 12 weeks (Monday 00:00 UTC, oldest first; the last one is the current, partial week)
 * as rows of `week_start timestamptz`.
 */
function lastWeeks(now: Date | SQLWrapper) {
  const thisWeek = sql`date_trunc('week', ${at(now)} at time zone 'UTC')`;
  return sql`select gs at time zone 'UTC' as week_start from generate_series(${thisWeek} - interval '${sql.raw(String(DASHBOARD_WEEKS - 1))} weeks', ${thisWeek}, interval '1 week') as gs`;
}

/**
 * Check-ins expected of a case before instant `t`: one at each opening + k × cadence (k ≥ 1)
 * that lies before `t`. The case table is aliased `c` in the subquery that uses this.
 */
// date_part, not extract: the same seconds as a float rather than a numeric, several times
// faster over thousands of cases × 12 weeks.
const expectedBefore = (t: SQL) => sql`greatest(0, ceil(date_part('epoch', ${t} - c.opened_at) / (c.check_in_every_days * 86400)) - 1)`;

/**
 * The weekly figures of each week in `source` (a FROM item with a `week_start` column), as
 * columns week_start, submitted, expected, answered, median_hours. Only the current week's
 * figures depend on `now`; a closed week's depend on nothing but the data (decision 006).
 */
function weeklyFigures(source: SQL, now: Date | SQLWrapper) {
  const weekEnd = sql`(s.week_start + ${WEEK})`;
  const upTo = sql`least(${weekEnd}, ${at(now)})`;
  // Joined to cases rather than "in (select …)": the planner hashes the active cases once for
  // all the weeks asked for, without a step removing duplicates.
  return sql`select s.week_start,
      (select count(*) from ${checkIns} ci join ${cases} c on c.id = ci.case_id
        where c.status = 'active' and ci.submitted_at >= s.week_start and ci.submitted_at < ${weekEnd})::int as submitted,
      (select coalesce(sum(${expectedBefore(upTo)} - ${expectedBefore(sql`s.week_start`)}), 0)
        from ${cases} c where c.status = 'active')::int as expected,
      q.answered, q.median_hours
    from ${source} as s
    cross join lateral (
      -- Counting first_response_at, not id, lets the week's threads come from the index alone.
      select count(t.first_response_at)::int as answered,
        round((percentile_cont(0.5) within group (order by extract(epoch from (t.first_response_at - t.created_at))) / 3600)::numeric, 1) as median_hours
      from ${threads} t where t.first_response_at >= s.week_start and t.first_response_at < ${weekEnd}
    ) as q`;
}

/** A CTE named `figures` over `body`, a query with weeklyFigures' columns, decoded. */
function figuresCte(body: SQL) {
  return db.$with("figures", {
    weekStart: sql<string>`week_start`.as("week_start"),
    submitted: sql<number>`submitted`.mapWith(Number).as("submitted"),
    expected: sql<number>`expected`.mapWith(Number).as("expected"),
    answered: sql<number>`answered`.mapWith(Number).as("answered"),
    medianHours: sql<number | null>`median_hours`.mapWith((v: unknown) => (v === null ? null : Number(v))).as("median_hours"),
  }).as(body);
}

/** What the dashboard reads of the figures CTE: each week labelled by its Monday's date. */
function weekRow(figures: ReturnType<typeof figuresCte>) {
  const { submitted, expected, answered, medianHours } = figures;
  return { weekStart: sql<string>`to_char(${figures.weekStart} at time zone 'UTC', 'YYYY-MM-DD')`, submitted, expected, answered, medianHours };
}

/** Every week computed from the data, nothing read from or written to dashboard_weeks. */
function computedWeeks(now: Date) {
  const weeks = db.$with("weeks", {}).as(lastWeeks(now));
  const figures = figuresCte(weeklyFigures(sql`weeks`, now));
  return db.with(weeks, figures).select(weekRow(figures)).from(figures).orderBy(figures.weekStart);
}

/**
 * The same figures, with the closed weeks read from dashboard_weeks where it holds them (decision
 * 006), in one statement. The weeks it doesn't hold (the current week always; a closed week the
 * first time, or after a write marked it, see migration 0014) are computed as in computedWeeks
 * and, if closed, stored by the same statement.
 *
 * A kept week counts while its figures are there and were computed under the current version of
 * the every-week row ('-infinity'). A week is stored only over the version this statement read
 * (absent: 0), so a write marking the week after this statement's snapshot was taken wins and
 * the week is computed again next time; and only an hour after it ended, so that a write made
 * before the week ended (when weeks aren't marked) has long committed.
 */
function keptWeeks(now: Date | SQLWrapper, database: typeof db = db) {
  const thisWeek = sql`(date_trunc('week', ${at(now)} at time zone 'UTC') at time zone 'UTC')`;
  const weeks = db.$with("weeks", {}).as(lastWeeks(now));
  const seen = db.$with("seen", {}).as(sql`select w.week_start, d.version, e.version as every_week_version,
      (w.week_start < ${thisWeek} and d.submitted is not null and d.every_week_version = e.version) as kept
    from weeks w
    cross join (select coalesce((select version from ${dashboardWeeks} where week_start = '-infinity'), 0) as version) as e
    left join ${dashboardWeeks} d on d.week_start = w.week_start`);
  const computed = db.$with("computed", {}).as(weeklyFigures(sql`(select week_start from seen where not kept)`, now));
  const stored = db.$with("stored", {}).as(sql`insert into ${dashboardWeeks}
      (week_start, submitted, expected, answered, median_hours, version, every_week_version, computed_at)
    select c.week_start, c.submitted, c.expected, c.answered, c.median_hours, coalesce(s.version, 0), s.every_week_version, statement_timestamp()
    from computed c join seen s on s.week_start = c.week_start
    where c.week_start + ${WEEK} <= least(${at(now)}, statement_timestamp() - interval '1 hour')
    on conflict (week_start) do update set submitted = excluded.submitted, expected = excluded.expected,
      answered = excluded.answered, median_hours = excluded.median_hours,
      every_week_version = excluded.every_week_version, computed_at = excluded.computed_at
    where dashboard_weeks.version = excluded.version
      and (dashboard_weeks.submitted is null or dashboard_weeks.every_week_version < excluded.every_week_version)`);
  const figures = figuresCte(sql`select d.week_start, d.submitted, d.expected, d.answered, d.median_hours
    from seen s join ${dashboardWeeks} d on d.week_start = s.week_start where s.kept
    union all
    select week_start, submitted, expected, answered, median_hours from computed`);
  return database.with(weeks, seen, computed, stored, figures).select(weekRow(figures)).from(figures).orderBy(figures.weekStart);
}

/**
 * keptWeeks built once, with the clock a placeholder, and run on lookupDb: its plan is the same
 * whatever the week (the kept weeks by key, the current week's check-ins and first responses by
 * time range, every active case once), so Postgres keeps it instead of planning it on every view
 * (0.8 ms). tests/integration/lookup-plans.test.ts compares the kept plan with the one made for
 * the values.
 */
const keptWeeksStatement = keptWeeks(sql.placeholder("now"), lookupDb).prepare("dashboard_kept_weeks");

export type AdminDashboard = {
  byStatus: { status: CaseStatus; cases: number }[];
  adherence: { weekStart: string; submitted: number; expected: number; percent: number | null }[];
  caseload: { id: string; name: string; role: Role; deactivated: boolean; lead: number; support: number }[];
  questions: { weekStart: string; answered: number; medianHours: number | null }[];
};

/**
 * The dashboard's caseload statement (not run): the practitioners with the open cases they lead
 * and support, which triggers keep in staff_caseloads (migration 0017) as memberships change and
 * cases close and reopen. Counting the memberships of the open cases on every view took a few
 * milliseconds on a large practice.
 */
export function caseloadQuery() {
  const lead = sql`coalesce(${staffCaseloads.leadCases}, 0)`;
  const support = sql`coalesce(${staffCaseloads.supportCases}, 0)`;
  return lookupDb
    .select({
      id: users.id,
      name: users.name,
      role: users.role,
      deactivated: sql<boolean>`${users.deactivatedAt} is not null`,
      lead: sql<number>`${lead}`.mapWith(Number),
      support: sql<number>`${support}`.mapWith(Number),
    })
    .from(users)
    .leftJoin(staffCaseloads, eq(staffCaseloads.userId, users.id))
    .where(and(isStaffRoleSql(users.role), or(isNull(users.deactivatedAt), sql`${lead} + ${support} > 0`)))
    .orderBy(desc(sql`${lead} + ${support}`), asc(users.name), asc(users.id));
}

/** The dashboard's statements without values, built once. */
const caseCountsStatement = lookupDb.select({ status: caseCounts.status, n: caseCounts.n }).from(caseCounts).prepare("case_counts");
const caseloadStatement = caseloadQuery().prepare("caseload");

/**
 * The admin dashboard's figures, in three queries. Admins only (anyone else: 404).
 * - byStatus: every case counted by its status (kept in case_counts, migration 0017).
 * - adherence: per week, check-ins submitted on the cases active now against those expected of
 *   them (one per cadence since each case opened, up to now). Status history isn't kept, so a
 *   case counts by its current status for all 12 weeks.
 * - caseload: per practitioner, the open (not closed) cases they lead and support; deactivated
 *   staff are listed only while they still hold open cases.
 * - questions: per week, threads whose first response came that week, with the median time from
 *   the question to that response (percentile_cont(0.5)), in hours.
 * The weeks that have ended are read from dashboard_weeks (keptWeeks); `keptWeeks: false`
 * computes every week from the data instead, touching nothing (tests compare the two).
 */
export async function adminDashboard(actor: Actor, now = new Date(), options: { keptWeeks?: boolean } = {}): Promise<AdminDashboard> {
  if (actor.role !== "admin") throw notFound();
  const [statusRows, weeks, caseload] = await Promise.all([
    caseCountsStatement.execute(),
    options.keptWeeks === false ? computedWeeks(now) : keptWeeksStatement.execute({ now: now.toISOString() }),
    caseloadStatement.execute(),
  ]);

  return {
    byStatus: CASE_STATUSES.map((status) => ({ status, cases: statusRows.find((r) => r.status === status)?.n ?? 0 })),
    adherence: weeks.map(({ weekStart, submitted, expected }) => ({
      weekStart,
      submitted,
      expected,
      // Capped at 100 %: a client checking in twice doesn't make a week more than fully kept.
      percent: expected > 0 ? Math.min(100, Math.round((100 * submitted) / expected)) : null,
    })),
    caseload,
    questions: weeks.map(({ weekStart, answered, medianHours }) => ({ weekStart, answered, medianHours })),
  };
}
