import { and, asc, desc, eq, isNull, sql, type Placeholder, type SQL } from "drizzle-orm";
import { alias, type AnyPgColumn } from "drizzle-orm/pg-core";
import { z } from "zod";
import { db } from "../../db/client";
import { caseMembers, cases, threads, triageEntries, users, type ThreadPriority } from "../../db/schema";
import { isStaffRoleSql, placeholderViewer, requireStaffActor, visibleCases, type Actor, type ActorRef } from "./case-access.server";
import { getSetting } from "./settings.server";
import { slaDueAt, slaState, type SlaState } from "./sla";

// The triage queue: questions waiting for a staff reply on the viewer's cases (admins: every
// case), urgent first, then whoever has waited longest. Ordering, filtering and paging happen in
// SQL: a coach's or therapist's queue is kept, row by row, in triage_entries (migration 0018,
// decision 010); an admin's is read from threads_triage_case_idx. The first-response state comes
// from the pure rule in sla.ts. Always three queries, however many rows a page holds.

export const TRIAGE_FILTERS = ["all", "mine", "unassigned"] as const;
export type TriageFilter = (typeof TRIAGE_FILTERS)[number];

export const triageQuery = z.object({
  filter: z.enum(TRIAGE_FILTERS).default("all").catch("all"),
  page: z.coerce.number().int().min(1).max(10_000).default(1).catch(1),
  perPage: z.coerce
    .number()
    .int()
    .pipe(z.union([z.literal(10), z.literal(25), z.literal(50), z.literal(100)]))
    .default(25)
    .catch(25),
});
export type TriageQuery = z.infer<typeof triageQuery>;

export type TriageRow = {
  id: string;
  caseId: string;
  title: string;
  priority: ThreadPriority;
  clientName: string;
  /** When the client's unanswered post came in: the queue's clock. */
  waitingSince: Date | null;
  createdAt: Date;
  firstResponseAt: Date | null;
  sla: SlaState;
  /** When the first response is (or was) due; null once answered. */
  dueAt: Date | null;
  assigneeId: string | null;
  assigneeName: string | null;
  leadName: string | null;
};

/** The queue's address for a query, leaving out the defaults (the action redirects back here). */
export function triageHref(query: TriageQuery) {
  const params = new URLSearchParams();
  if (query.filter !== "all") params.set("filter", query.filter);
  if (query.page > 1) params.set("page", String(query.page));
  if (query.perPage !== 25) params.set("perPage", String(query.perPage));
  const qs = params.toString();
  return qs ? `/triage?${qs}` : "/triage";
}

/**
 * The queue itself: questions waiting for staff on the cases `actor` may see. The status is a
 * literal, not a parameter, so threads_triage_case_idx (partial: waiting questions only) stays
 * usable whichever plan Postgres keeps for the prepared statement.
 */
function waitingOnCasesOf(actor: ActorRef) {
  return and(sql`${threads.status} = 'awaiting_staff'`, visibleCases(actor, threads.caseId));
}

/** The filter's condition on the question's assignee (`assignee`: threads' or triage_entries' copy). */
function filterCondition(actor: ActorRef, filter: TriageFilter, assignee: AnyPgColumn = threads.assigneeId): SQL | undefined {
  if (filter === "mine") return eq(assignee, actor.id);
  if (filter === "unassigned") return isNull(assignee);
  return undefined;
}

/** How many of the rows are in each filter, on the assignee column of the table counted. */
function filterCounts(actor: ActorRef, assignee: AnyPgColumn) {
  return {
    all: sql<number>`count(*)::int`,
    mine: sql<number>`(count(*) filter (where ${assignee} = ${actor.id}))::int`,
    unassigned: sql<number>`(count(*) filter (where ${assignee} is null))::int`,
  } satisfies Record<TriageFilter, SQL<number>>;
}

const leadMember = alias(caseMembers, "lead_member");
const leadUser = alias(users, "lead_user");
const nameUser = alias(users, "name_user");

/** A user's name by id, as a column: a subquery rather than a join (see triageRowsQuery). */
const nameOf = <T extends string | null>(userId: AnyPgColumn) => sql<T>`(select ${nameUser.name} from ${users} as ${sql.identifier("name_user")} where ${nameUser.id} = ${userId})`;

/**
 * The page of a coach's or therapist's queue: their entries in triage_entries (migration 0018,
 * decision 010), read in the order of triage_entries_queue_idx, so only the page's rows are
 * read however many questions wait on however many cases. (The priority is never null, so
 * "desc nulls last" is the index's order and the queue's.)
 */
function staffQueuePage(viewer: ActorRef, filter: TriageFilter) {
  return db
    .select({ id: triageEntries.threadId, caseId: triageEntries.caseId, priority: triageEntries.priority, waitingSince: triageEntries.waitingSince })
    .from(triageEntries)
    .where(and(eq(triageEntries.userId, viewer.id), filterCondition(viewer, filter, triageEntries.assigneeId)))
    .orderBy(sql`${triageEntries.priority} desc nulls last`, asc(triageEntries.waitingSince), asc(triageEntries.threadId));
}

/**
 * The page's rows in one query. The inner query picks the page: for staff from their kept queue
 * (staffQueuePage), for admins from threads_triage_case_idx, reading only the index's columns,
 * so the questions that don't make the page are never fetched from the table. The thread's
 * other columns come by joining the page's rows; the names of the client, assignee and case
 * lead are subqueries on the page's rows, not joins: Postgres plans a query in time that grows
 * fast with its joins, and with the names joined, planning (about 1.1 ms) took as long as
 * running it.
 */
export function triageRowsQuery(actor: ActorRef, query: Pick<TriageQuery, "filter"> & { perPage: number | Placeholder; offset: number | Placeholder }) {
  const page = (
    actor.role === "admin"
      ? db
          .select({ id: threads.id, caseId: threads.caseId, priority: threads.priority, waitingSince: threads.waitingSince })
          .from(threads)
          .where(and(waitingOnCasesOf(actor), filterCondition(actor, query.filter)))
          // Urgent first (the enum orders normal < urgent), then longest waiting, then id for a stable page.
          .orderBy(desc(threads.priority), asc(threads.waitingSince), asc(threads.id))
      : staffQueuePage(actor, query.filter)
  )
    .limit(query.perPage)
    .offset(query.offset)
    .as("page");
  // One lead per case (case_members_one_lead_key).
  const leadName = sql<string | null>`(select ${leadUser.name}
    from ${caseMembers} as ${sql.identifier("lead_member")} inner join ${users} as ${sql.identifier("lead_user")} on ${leadUser.id} = ${leadMember.userId}
    where ${leadMember.caseId} = ${page.caseId} and ${leadMember.role} = 'lead')`;
  return db
    .select({
      id: page.id,
      caseId: page.caseId,
      title: threads.title,
      priority: page.priority,
      // Every case has its client (a foreign key).
      clientName: nameOf<string>(cases.clientId),
      waitingSince: page.waitingSince,
      createdAt: threads.createdAt,
      firstResponseAt: threads.firstResponseAt,
      assigneeId: threads.assigneeId,
      assigneeName: nameOf<string | null>(threads.assigneeId),
      leadName,
    })
    .from(page)
    .innerJoin(threads, eq(threads.id, page.id))
    .innerJoin(cases, eq(cases.id, page.caseId))
    .orderBy(desc(page.priority), asc(page.waitingSince), asc(page.id));
}

/** The statement counting the questions in each filter of the viewer's queue. */
export function triageCountsQuery(actor: ActorRef) {
  if (actor.role !== "admin") {
    // A coach's or therapist's kept queue, from triage_entries_queue_idx alone.
    return db.select(filterCounts(actor, triageEntries.assigneeId)).from(triageEntries).where(eq(triageEntries.userId, actor.id));
  }
  return db
    .select(filterCounts(actor, threads.assigneeId))
    .from(threads)
    .where(waitingOnCasesOf(actor));
}

/** How many questions wait in each filter of the viewer's queue, in one query. */
async function queueCounts(actor: Actor) {
  const [row] = await triageStatements[queueViewer(actor)].counts.execute({ actorId: actor.id });
  return { all: row?.all ?? 0, mine: row?.mine ?? 0, unassigned: row?.unassigned ?? 0 } satisfies Record<TriageFilter, number>;
}

/**
 * One page of `actor`'s queue. `now` is when the SLA clock is read (tests pass a fixed time).
 * Returns the rows, the counts per filter (`counts.all` heads the page), the total of the
 * filter shown and the first-response target in hours.
 */
export async function listTriage(actor: Actor, query: TriageQuery, now: Date = new Date()) {
  requireStaffActor(actor);
  const [rows, counts, targetHours] = await Promise.all([
    triageStatements[queueViewer(actor)].rows[query.filter].execute({
      actorId: actor.id,
      perPage: query.perPage,
      offset: (query.page - 1) * query.perPage,
    }),
    queueCounts(actor),
    getSetting("first_response_target_hours"),
  ]);
  return {
    rows: rows.map(
      (row): TriageRow => ({
        ...row,
        sla: slaState(row.createdAt, row.firstResponseAt, now, targetHours),
        dueAt: row.firstResponseAt ? null : slaDueAt(row.createdAt, targetHours),
      }),
    ),
    counts,
    total: counts[query.filter],
    targetHours,
    now,
  };
}

/** Questions waiting on the viewer's cases (admins: all), for a heading or a badge. */
export async function countTriage(actor: Actor) {
  requireStaffActor(actor);
  return (await queueCounts(actor)).all;
}

/**
 * Colleagues a queue's questions can be assigned to: active staff who share a case with
 * `actor` (themselves included); for admins every active staff member. assignThreads checks
 * each assignment against the thread's own case.
 */
export async function listAssignableStaff(actor: Actor) {
  requireStaffActor(actor);
  return triageStatements[queueViewer(actor)].staff.execute({ actorId: actor.id });
}

/** The statement behind listAssignableStaff, for a viewer whose id may be a placeholder. */
function assignableStaffQuery(viewer: ActorRef) {
  const active = and(isStaffRoleSql(users.role), isNull(users.deactivatedAt));
  // For each of the few staff, whether one of their memberships is on one of the viewer's cases,
  // stopping at the first: cheaper than joining every membership of the practice to the viewer's
  // cases (a subquery with a limit, which Postgres runs per staff member instead of joining).
  const theirs = alias(caseMembers, "theirs");
  const mine = alias(caseMembers, "mine");
  const shared = db
    .select({ yes: sql`true` })
    .from(theirs)
    .innerJoin(mine, and(eq(mine.caseId, theirs.caseId), eq(mine.userId, viewer.id)))
    .where(eq(theirs.userId, users.id))
    .limit(1);
  const sharesACase = sql`(${shared})`;
  const where = viewer.role === "admin" ? active : and(active, sharesACase);
  return db.select({ id: users.id, name: users.name }).from(users).where(where).orderBy(asc(users.name), asc(users.id)).limit(500);
}

// ---------------------------------------------------------------------------------------------
// The queue's statements, built once for each kind of viewer (admins: every case; coaches and
// therapists: the cases they are on) and, for the page, each filter: drizzle built them from
// their parts on every view otherwise. The viewer, the page size and the offset are placeholders.

type QueueViewer = "admin" | "staff";
const queueViewer = (actor: Actor): QueueViewer => (actor.role === "admin" ? "admin" : "staff");

function triageStatementsFor(kind: QueueViewer) {
  const viewer = placeholderViewer(kind);
  const page = (filter: TriageFilter) =>
    triageRowsQuery(viewer, { filter, perPage: sql.placeholder("perPage"), offset: sql.placeholder("offset") }).prepare(`triage_rows_${kind}_${filter}`);
  return {
    counts: triageCountsQuery(viewer).prepare(`triage_counts_${kind}`),
    rows: { all: page("all"), mine: page("mine"), unassigned: page("unassigned") } satisfies Record<TriageFilter, unknown>,
    staff: assignableStaffQuery(viewer).prepare(`assignable_staff_${kind}`),
  };
}

const triageStatements: Record<QueueViewer, ReturnType<typeof triageStatementsFor>> = {
  admin: triageStatementsFor("admin"),
  staff: triageStatementsFor("staff"),
};
