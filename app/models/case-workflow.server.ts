import { and, asc, count, desc, eq, isNull, ne, notExists, sql, type SQLWrapper } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { z } from "zod";
import { db, lookupDb } from "../../db/client";
import {
  CASE_STATUSES,
  RISK_LEVELS,
  auditEvents,
  caseMembers,
  cases,
  planSteps,
  plans,
  users,
  type CaseStatus,
  type RiskLevel,
  type Role,
} from "../../db/schema";
import { CASE_STATUS_LABELS, RISK_LABELS, ROLE_LABELS, STAFF_ROLES, type CaseAction } from "~/auth/permissions";
import { recordAudit, type AuditAction } from "./audit.server";
import {
  canOnCase,
  isStaffRoleSql,
  loadCaseAccess,
  requireCaseAction,
  touchCase,
  type Actor,
  type CaseAccess,
} from "./case-access.server";
import { notFound, RuleViolation } from "./errors.server";
import { progressPercent } from "./progress";
import { progressPercentSql } from "./progress.server";

// The case page's own domain: the header (who, status, risk, members), the status workflow,
// risk, support members, the timeline read from the audit trail, and the progress overview.
// The case page is for staff: a client (even on their own case) and a staff member who isn't
// on the case get 404 from every function here.

type Tx = Parameters<Parameters<typeof db.transaction>[0]>[0];

/** The staff-only gate of the case page: 404 unless the actor may read the case's internals. */
export async function loadStaffCase(actor: Actor, caseId: string): Promise<CaseAccess> {
  const access = await loadCaseAccess(actor, caseId);
  if (!canOnCase(access, "case.readInternal")) throw notFound();
  return access;
}

/** 404 if the actor may not see the case's internals, 403 if they may but not do `action`. */
export async function authorizeStaffCase(actor: Actor, caseId: string, action: CaseAction): Promise<CaseAccess> {
  const access = await loadStaffCase(actor, caseId);
  requireCaseAction(access, action);
  return access;
}

// ---------------------------------------------------------------------------------------------
// Status workflow: intake → active → paused → closed; active and paused go back and forth; any
// open case can be closed (with a closing note); a closed case can be reopened as active.

const NEXT_STATUSES: Record<CaseStatus, readonly CaseStatus[]> = {
  intake: ["active", "closed"],
  active: ["paused", "closed"],
  paused: ["active", "closed"],
  closed: ["active"],
};

export function nextStatuses(status: CaseStatus): readonly CaseStatus[] {
  return NEXT_STATUSES[status];
}

export const CLOSING_NOTE_MAX = 5000;

export const caseStatusSchema = z.object({
  status: z.enum(CASE_STATUSES, { error: "Choose a status." }),
  closingNote: z
    .string()
    .trim()
    .max(CLOSING_NOTE_MAX, { error: `Keep the closing note under ${CLOSING_NOTE_MAX} characters.` })
    .optional(),
});

export const caseRiskSchema = z.object({ risk: z.enum(RISK_LEVELS, { error: "Choose a risk level." }) });

export const caseMemberSchema = z.object({ userId: z.string({ error: "Choose a colleague." }).trim().min(1, { error: "Choose a colleague." }) });

// ---------------------------------------------------------------------------------------------
// Header

type TeamMemberRow = { userId: string; role: "lead" | "support"; name: string; userRole: Role };
type AddableStaffRow = { id: string; name: string; role: Role };

/** At most this many staff are offered to join a case. */
const ADDABLE_STAFF_LIMIT = 500;

function caseHeaderStatement(withAddable: boolean) {
  const clientUser = alias(users, "client_user");
  // The lead first, then support members in the order they joined.
  const team = sql<TeamMemberRow[]>`(
    select coalesce(json_agg(json_build_object('userId', ${caseMembers.userId}, 'role', ${caseMembers.role}, 'name', ${users.name}, 'userRole', ${users.role})
      order by case when ${caseMembers.role} = 'lead' then 0 else 1 end, ${caseMembers.addedAt}, ${users.name}), '[]'::json)
    from ${caseMembers} inner join ${users} on ${users.id} = ${caseMembers.userId}
    where ${caseMembers.caseId} = ${cases.id})`;
  const addable = withAddable
    ? sql<AddableStaffRow[] | null>`(select coalesce(json_agg(json_build_object('id', a.id, 'name', a.name, 'role', a.role) order by a.name, a.id), '[]'::json)
        from (${addableStaffOf(sql.placeholder("caseId"))} limit ${sql.raw(String(ADDABLE_STAFF_LIMIT))}) a)`
    : sql<AddableStaffRow[] | null>`null`;
  return lookupDb
    .select({ clientName: clientUser.name, clientEmail: clientUser.email, team, addable })
    .from(cases)
    .leftJoin(clientUser, eq(clientUser.id, cases.clientId))
    .where(eq(cases.id, sql.placeholder("caseId")))
    .prepare(`case_header_${withAddable ? "with" : "without"}_addable`);
}

/** getCaseHeader's statement, built once with and once without the staff who could join. */
const caseHeaderStatements = { withAddable: caseHeaderStatement(true), withoutAddable: caseHeaderStatement(false) };

/**
 * Everything the case page's header shows beyond the case row, in one statement: the client's
 * name and email, the team with their names, and, for someone who may manage members, the staff
 * who could join.
 */
export async function getCaseHeader(actor: Actor, caseId: string) {
  const access = await loadStaffCase(actor, caseId);
  const c = access.case;
  const canManageMembers = canOnCase(access, "case.manageMembers");
  const statement = canManageMembers ? caseHeaderStatements.withAddable : caseHeaderStatements.withoutAddable;
  const [row] = await statement.execute({ caseId: c.id });
  if (!row) throw notFound();
  return {
    id: c.id,
    title: c.title,
    client: { id: c.clientId, name: row.clientName ?? "Unknown client", email: row.clientEmail ?? "" },
    concernCategory: c.concernCategory,
    concern: c.concern,
    status: c.status,
    risk: c.risk,
    checkInEveryDays: c.checkInEveryDays,
    openedAt: c.openedAt,
    closedAt: c.closedAt,
    closingNote: c.status === "closed" ? c.closingNote : null,
    lastActivityAt: c.lastActivityAt,
    members: row.team.map((m) => ({ userId: m.userId, name: m.name, role: m.role, roleLabel: ROLE_LABELS[m.userRole], isYou: m.userId === actor.id })),
    /** Staff who could join as support; empty unless the viewer may manage members. */
    addableStaff: row.addable ?? [],
    viewerRelation: access.relation,
    nextStatuses: nextStatuses(c.status),
    can: {
      changeStatus: canOnCase(access, "case.changeStatus"),
      changeRisk: canOnCase(access, "case.changeRisk"),
      manageMembers: canManageMembers,
      editPlans: canOnCase(access, "case.editPlans"),
      writeNotes: canOnCase(access, "case.writeNotes"),
    },
  };
}

export type CaseHeader = Awaited<ReturnType<typeof getCaseHeader>>;

// ---------------------------------------------------------------------------------------------
// Changes. Each one locks the case row, writes one audit event with the case id (the timeline)
// and bumps the case's last activity, all in one transaction.

async function lockCase(tx: Tx, caseId: string) {
  const [row] = await tx.select({ status: cases.status, risk: cases.risk }).from(cases).where(eq(cases.id, caseId)).for("update");
  if (!row) throw notFound();
  return row;
}

export async function changeCaseStatus(
  actor: Actor,
  caseId: string,
  input: { status: CaseStatus; closingNote?: string | null },
  ip: string | null = null,
) {
  await authorizeStaffCase(actor, caseId, "case.changeStatus");
  const closingNote = input.closingNote?.trim() ?? "";
  if (closingNote.length > CLOSING_NOTE_MAX) {
    throw new RuleViolation(`Keep the closing note under ${CLOSING_NOTE_MAX} characters.`, "closingNote");
  }
  return db.transaction(async (tx) => {
    const { status: from } = await lockCase(tx, caseId);
    const to = input.status;
    if (from === to) throw new RuleViolation(`This case is already ${CASE_STATUS_LABELS[to].toLowerCase()}.`, "status");
    if (!NEXT_STATUSES[from].includes(to)) {
      throw new RuleViolation(
        `A case that is ${CASE_STATUS_LABELS[from].toLowerCase()} can't move to ${CASE_STATUS_LABELS[to].toLowerCase()}.`,
        "status",
      );
    }
    if (to === "closed" && !closingNote) {
      throw new RuleViolation("Write a short closing note: how the work ended and anything a colleague should know.", "closingNote");
    }
    const now = new Date();
    // Reopening clears the closing date; the last closing note stays on the record (hidden
    // while the case is open) until the case is closed again.
    const changes =
      to === "closed" ? { status: to, closedAt: now, closingNote } : from === "closed" ? { status: to, closedAt: null } : { status: to };
    await tx.update(cases).set(changes).where(eq(cases.id, caseId));
    await recordAudit(
      {
        actorId: actor.id,
        action: "case.status_changed",
        target: { type: "case", id: caseId },
        caseId,
        ip,
        details: { from, to },
      },
      tx,
    );
    await touchCase(caseId, tx, now);
    return { from, to };
  });
}

/** Sets the risk level; returns false (and records nothing) when it was already that level. */
export async function setCaseRisk(actor: Actor, caseId: string, risk: RiskLevel, ip: string | null = null) {
  await authorizeStaffCase(actor, caseId, "case.changeRisk");
  if (!(RISK_LEVELS as readonly string[]).includes(risk)) throw new RuleViolation("Choose a risk level.", "risk");
  return db.transaction(async (tx) => {
    const { risk: from } = await lockCase(tx, caseId);
    if (from === risk) return false;
    await tx.update(cases).set({ risk }).where(eq(cases.id, caseId));
    await recordAudit(
      { actorId: actor.id, action: "case.risk_changed", target: { type: "case", id: caseId }, caseId, ip, details: { from, to: risk } },
      tx,
    );
    await touchCase(caseId, tx);
    return true;
  });
}

/** Staff who could join the case as support: active staff accounts not on it yet. */
export async function listAddableStaff(actor: Actor, caseId: string) {
  const access = await authorizeStaffCase(actor, caseId, "case.manageMembers");
  return addableStaffOf(access.case.id).limit(ADDABLE_STAFF_LIMIT);
}

/**
 * The query behind `listAddableStaff` (the header reads it as a subquery); no access check, no
 * limit. The header writes its limit as a literal: a plan made for any limit (lookupDb keeps
 * one) expects to stop after a few rows, and walks every user in name order to find them.
 */
function addableStaffOf(caseId: string | SQLWrapper) {
  return db
    .select({ id: users.id, name: users.name, role: users.role })
    .from(users)
    .where(
      and(
        isStaffRoleSql(users.role),
        isNull(users.deactivatedAt),
        notExists(
          db
            .select({ one: sql`1` })
            .from(caseMembers)
            .where(and(eq(caseMembers.caseId, caseId), eq(caseMembers.userId, users.id))),
        ),
      ),
    )
    .orderBy(asc(users.name), asc(users.id));
}

const CHOOSE_COLLEAGUE = "Choose a colleague from the list.";

export async function addCaseMember(actor: Actor, caseId: string, userId: string, ip: string | null = null) {
  await authorizeStaffCase(actor, caseId, "case.manageMembers");
  if (!z.uuid().safeParse(userId).success) throw new RuleViolation(CHOOSE_COLLEAGUE, "userId");
  const [person] = await db
    .select({ id: users.id, name: users.name, role: users.role, deactivatedAt: users.deactivatedAt })
    .from(users)
    .where(eq(users.id, userId));
  if (!person || person.deactivatedAt || !(STAFF_ROLES as readonly string[]).includes(person.role)) {
    throw new RuleViolation(CHOOSE_COLLEAGUE, "userId");
  }
  await db.transaction(async (tx) => {
    await lockCase(tx, caseId);
    const added = await tx
      .insert(caseMembers)
      .values({ caseId, userId: person.id, role: "support", addedBy: actor.id })
      .onConflictDoNothing()
      .returning({ userId: caseMembers.userId });
    if (added.length === 0) throw new RuleViolation(`${person.name} is already on this case.`, "userId");
    await recordAudit(
      {
        actorId: actor.id,
        action: "case.member_added",
        target: { type: "case", id: caseId },
        caseId,
        ip,
        details: { memberId: person.id, memberName: person.name, role: "support" },
      },
      tx,
    );
    await touchCase(caseId, tx);
  });
  return person;
}

/** Removes a support member. The lead stays: a case always has one. */
export async function removeCaseMember(actor: Actor, caseId: string, userId: string, ip: string | null = null) {
  await authorizeStaffCase(actor, caseId, "case.manageMembers");
  if (!z.uuid().safeParse(userId).success) throw new RuleViolation("This person isn't on this case.");
  return db.transaction(async (tx) => {
    await lockCase(tx, caseId);
    const [member] = await tx
      .select({ role: caseMembers.role, name: users.name })
      .from(caseMembers)
      .innerJoin(users, eq(users.id, caseMembers.userId))
      .where(and(eq(caseMembers.caseId, caseId), eq(caseMembers.userId, userId)));
    if (!member) throw new RuleViolation("This person isn't on this case.");
    if (member.role === "lead") throw new RuleViolation(`${member.name} leads this case and can't be removed from it.`);
    await tx.delete(caseMembers).where(and(eq(caseMembers.caseId, caseId), eq(caseMembers.userId, userId)));
    await recordAudit(
      {
        actorId: actor.id,
        action: "case.member_removed",
        target: { type: "case", id: caseId },
        caseId,
        ip,
        details: { memberId: userId, memberName: member.name },
      },
      tx,
    );
    await touchCase(caseId, tx);
    return { name: member.name };
  });
}

// ---------------------------------------------------------------------------------------------
// Timeline: every audit event on the case, newest first, each told as one plain sentence. Views
// (`case.viewed`, the access log) are left out: they would bury what happened under who looked.

export const TIMELINE_PER_PAGE = [10, 20, 50] as const;

export const timelineQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1).catch(1),
  perPage: z.coerce
    .number()
    .int()
    .pipe(z.union([z.literal(10), z.literal(20), z.literal(50)]))
    .default(20)
    .catch(20),
});
export type TimelineQuery = z.infer<typeof timelineQuery>;

function detail(details: Record<string, unknown> | null, ...keys: string[]): string | null {
  for (const key of keys) {
    const value = details?.[key];
    if (typeof value === "string" && value.trim()) return value;
  }
  return null;
}

function statusLabel(value: string | null) {
  return value && value in CASE_STATUS_LABELS ? CASE_STATUS_LABELS[value as CaseStatus] : (value ?? "unknown");
}

function riskLabel(value: string | null) {
  return value && value in RISK_LABELS ? RISK_LABELS[value as RiskLevel] : (value ?? "unknown");
}

const quoted = (title: string | null, fallback: string) => (title ? `“${title}”` : fallback);

/** One plain sentence for a timeline entry, e.g. "Theo Therapist paused the case." */
export function describeCaseEvent(action: string, details: Record<string, unknown> | null, actorName: string): string {
  const who = actorName;
  const plan = quoted(detail(details, "plan", "planTitle"), "a plan");
  const step = quoted(detail(details, "step", "stepTitle"), "a step");
  const fields = Array.isArray(details?.fields) ? (details.fields as unknown[]) : [];
  switch (action as AuditAction) {
    case "case.opened":
      return `${who} opened the case.`;
    case "case.viewed":
      return `${who} viewed the case.`;
    case "case.updated":
      return `${who} updated the case details.`;
    case "case.status_changed": {
      const from = detail(details, "from");
      const to = detail(details, "to");
      if (to === "closed") return `${who} closed the case.`;
      if (from === "closed") return `${who} reopened the case.`;
      if (to === "paused") return `${who} paused the case.`;
      if (from === "paused" && to === "active") return `${who} resumed the case.`;
      return `${who} moved the case from ${statusLabel(from)} to ${statusLabel(to)}.`;
    }
    case "case.risk_changed":
      if (details?.reason === "risk_flag") {
        return `${who} raised the risk level to ${riskLabel(detail(details, "to"))} (it was ${riskLabel(detail(details, "from"))}) after a client's message was flagged.`;
      }
      return `${who} set the risk level to ${riskLabel(detail(details, "to"))} (it was ${riskLabel(detail(details, "from"))}).`;
    case "case.member_added":
      return `${who} added ${detail(details, "memberName") ?? "a colleague"} to the case as a support member.`;
    case "case.member_removed":
      return `${who} removed ${detail(details, "memberName") ?? "a colleague"} from the case.`;
    case "plan.assigned":
      return `${who} assigned the plan ${plan}.`;
    case "plan.edited":
      // Rows written before plan.restored existed recorded a restore as an edit flagged `restored`.
      return details?.restored ? `${who} restored the plan ${plan}.` : `${who} edited the plan ${plan}.`;
    case "plan.archived":
      return `${who} archived the plan ${plan}.`;
    case "plan.restored":
      return `${who} restored the plan ${plan}.`;
    case "plan.step_added":
      return `${who} added the step ${step} to ${plan}.`;
    case "plan.step_removed":
      return `${who} removed the step ${step} from ${plan}.`;
    case "plan.step_edited":
      // Before step.reflection_saved existed, a client's note was recorded as an edit of the "reflection" field.
      return fields.length === 1 && fields[0] === "reflection"
        ? `${who} updated the reflection on ${step}.`
        : `${who} edited the step ${step} in ${plan}.`;
    case "plan.steps_reordered":
      return `${who} reordered the steps of ${plan}.`;
    case "step.started":
      return `${who} started ${step}.`;
    case "step.done":
      return `${who} finished ${step}.`;
    case "step.skipped":
      return `${who} skipped ${step}.`;
    case "step.reopened":
      return `${who} reopened ${step}.`;
    case "step.reflection_saved":
      return details?.note === "cleared" ? `${who} cleared the reflection on ${step}.` : `${who} updated the reflection on ${step}.`;
    case "note.added":
      return `${who} added a staff note.`;
    case "note.edited":
      return `${who} edited a staff note.`;
    // Questions: the timeline says what happened to a thread, never what anyone wrote in it.
    case "thread.started":
      return details?.by === "staff" ? `${who} started a conversation with the client.` : `${who} asked a new question.`;
    case "thread.replied":
      return details?.by === "client" ? `${who} replied to a question.` : `${who} answered a question.`;
    case "thread.internal_note":
      return `${who} added an internal note to a question.`;
    case "thread.post_edited":
      return details?.visibility === "internal" ? `${who} edited an internal note.` : `${who} edited a message in a question.`;
    case "thread.assigned": {
      const assignee = detail(details, "assigneeName");
      return assignee ? `${who} assigned a question to ${assignee}.` : `${who} unassigned a question.`;
    }
    case "thread.closed":
      return `${who} closed a question.`;
    case "thread.reopened":
      return details?.byReply ? `${who} reopened a question by replying to it.` : `${who} reopened a question.`;
    case "thread.flagged": {
      const labels = Array.isArray(details?.labels) ? (details.labels as unknown[]).filter((l): l is string => typeof l === "string") : [];
      return labels.length
        ? `${who} flagged a question as urgent (${labels.join(", ")}).`
        : `${who} flagged a question as urgent.`;
    }
    case "thread.flag_cleared":
      return `${who} cleared the urgent flag on a question.`;
    // Check-ins: like questions, the timeline never repeats the scores or words.
    case "check_in.submitted":
      return `${who} sent a check-in.`;
    case "check_in.flagged": {
      const labels = Array.isArray(details?.labels) ? (details.labels as unknown[]).filter((l): l is string => typeof l === "string") : [];
      return labels.length ? `${who} flagged a check-in as urgent (${labels.join(", ")}).` : `${who} flagged a check-in as urgent.`;
    }
    case "check_in.reviewed":
      return `${who} reviewed a check-in and left feedback for the client.`;
    case "check_in.reminder_sent":
      return `${who} sent the client a reminder to check in.`;
    case "data.exported":
      return `${who} exported the case's records.`;
    default:
      return `${who}: ${action.replace(/[._]/g, " ")}.`;
  }
}

/** The case's events that make up its timeline: all but the views. */
export function timelineOf(caseId: string) {
  return and(eq(auditEvents.caseId, caseId), ne(auditEvents.action, "case.viewed" satisfies AuditAction));
}

export async function listCaseTimeline(actor: Actor, caseId: string, query: { page: number; perPage: number }) {
  const access = await loadStaffCase(actor, caseId);
  const id = access.case.id;
  const page = Math.max(1, Math.floor(query.page));
  const perPage = Math.min(100, Math.max(1, Math.floor(query.perPage)));
  const [rows, [total]] = await Promise.all([
    db
      .select({
        id: auditEvents.id,
        action: auditEvents.action,
        details: auditEvents.details,
        createdAt: auditEvents.createdAt,
        actorId: auditEvents.actorId,
        actorName: users.name,
      })
      .from(auditEvents)
      .leftJoin(users, eq(users.id, auditEvents.actorId))
      .where(timelineOf(id))
      .orderBy(desc(auditEvents.createdAt), desc(auditEvents.id))
      .limit(perPage)
      .offset((page - 1) * perPage),
    db.select({ n: count() }).from(auditEvents).where(timelineOf(id)),
  ]);
  return {
    total: total?.n ?? 0,
    page,
    perPage,
    events: rows.map((row) => ({
      id: row.id,
      action: row.action,
      at: row.createdAt,
      actorName: row.actorName ?? "Cairn",
      sentence: describeCaseEvent(row.action, row.details, row.actorId === actor.id ? "You" : (row.actorName ?? "Cairn")),
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Overview: how far the client is, from the case's current (non-archived) plans.

export const RECENT_DAYS = 14;

type NextDueInPlan = { stepId: string; title: string; dueDate: string; status: "todo" | "doing"; overdue: boolean };

/** getCaseOverview's statement, built once: each plan of the case with its figures and next due step. */
const caseOverviewPlans = (() => {
  const total = sql`count(${planSteps.id})`;
  const done = sql`count(${planSteps.id}) filter (where ${planSteps.status} = 'done')`;
  const skipped = sql`count(${planSteps.id}) filter (where ${planSteps.status} = 'skipped')`;
  // Each plan's first open step with a due date; the case's next due step is the earliest of them.
  const stepName = "next_step";
  const step = alias(planSteps, stepName);
  const nextDueInPlan = sql<NextDueInPlan | null>`(
    select json_build_object('stepId', ${step.id}, 'title', ${step.title}, 'dueDate', ${step.dueDate}, 'status', ${step.status}, 'overdue', ${step.dueDate} < current_date)
    from ${planSteps} as ${sql.identifier(stepName)}
    where ${step.planId} = ${plans.id} and ${step.status} in ('todo', 'doing') and ${step.dueDate} is not null
    order by ${step.dueDate}, ${step.position}
    limit 1)`;

  // One query answers the whole overview: the overall figures are the sums of the plans' (the
  // case row keeps the same counts, but "done recently" is only here).
  return lookupDb
    .select({
      id: plans.id,
      title: plans.title,
      total: sql<number>`${total}::int`,
      done: sql<number>`${done}::int`,
      skipped: sql<number>`${skipped}::int`,
      percent: progressPercentSql(total, done, skipped),
      doneRecently: sql<number>`(count(${planSteps.id}) filter (where ${planSteps.status} = 'done' and ${planSteps.completedAt} >= now() - ${`${RECENT_DAYS} days`}::interval))::int`,
      nextDue: nextDueInPlan,
    })
    .from(plans)
    .leftJoin(planSteps, eq(planSteps.planId, plans.id))
    .where(and(eq(plans.caseId, sql.placeholder("caseId")), isNull(plans.archivedAt)))
    .groupBy(plans.id)
    .orderBy(asc(plans.assignedAt), asc(plans.id))
    .prepare("case_overview_plans");
})();

export async function getCaseOverview(actor: Actor, caseId: string) {
  const access = await loadStaffCase(actor, caseId);
  const planRows = await caseOverviewPlans.execute({ caseId: access.case.id });

  // Earliest due date; between plans on the same date, the plan assigned first.
  let nextDue: (NextDueInPlan & { planId: string; planTitle: string }) | null = null;
  for (const plan of planRows) {
    if (plan.nextDue && (!nextDue || plan.nextDue.dueDate < nextDue.dueDate)) {
      nextDue = { ...plan.nextDue, planId: plan.id, planTitle: plan.title };
    }
  }

  const sum = (key: "total" | "done" | "skipped" | "doneRecently") => planRows.reduce((n, plan) => n + plan[key], 0);
  const counts = { total: sum("total"), done: sum("done"), skipped: sum("skipped") };
  return {
    plans: planRows.map(({ doneRecently: _, nextDue: __, ...plan }) => plan),
    overall: { ...counts, percent: progressPercent(counts), doneRecently: sum("doneRecently") },
    recentDays: RECENT_DAYS,
    nextDue,
  };
}
