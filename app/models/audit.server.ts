import { and, eq, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import { db, lookupDb } from "../../db/client";
import { auditEvents, cases } from "../../db/schema";
import { isStaff } from "~/auth/permissions";
import { caseIdSchema, memberOfCase, placeholderViewer, type Actor, type ActorRef } from "./case-access.server";
import { notFound } from "./errors.server";

export type AuditAction =
  | "auth.sign_in"
  | "auth.sign_in_failed"
  | "auth.sign_in_throttled"
  | "auth.sign_out"
  | "auth.password_changed"
  | "auth.password_reset_requested"
  | "auth.password_reset"
  | "session.revoked"
  | "session.others_revoked"
  | "two_factor.enabled"
  | "two_factor.disabled"
  | "two_factor.verified"
  | "two_factor.failed"
  | "two_factor.recovery_used"
  | "two_factor.reset"
  | "user.invited"
  | "user.invitation_resent"
  | "user.invitation_revoked"
  | "user.invitation_accepted"
  | "user.role_changed"
  | "user.deactivated"
  | "user.reactivated"
  | "user.profile_updated"
  // Cases and plans: these carry a caseId and make up the case timeline.
  | "case.opened"
  | "case.viewed"
  | "case.updated"
  | "case.status_changed"
  | "case.risk_changed"
  | "case.member_added"
  | "case.member_removed"
  | "plan.assigned"
  | "plan.edited"
  | "plan.archived"
  | "plan.restored"
  | "plan.step_added"
  | "plan.step_removed"
  | "plan.step_edited"
  | "plan.steps_reordered"
  | "step.started"
  | "step.done"
  | "step.skipped"
  | "step.reopened"
  | "step.reflection_saved"
  | "note.added"
  | "note.edited"
  | "template.created"
  | "template.edited"
  | "template.archived"
  | "template.restored"
  | "settings.changed"
  // Questions (threads carry a caseId and appear on the case timeline)
  | "thread.started"
  | "thread.replied"
  | "thread.internal_note"
  | "thread.post_edited"
  | "thread.assigned"
  | "thread.closed"
  | "thread.reopened"
  | "thread.flagged"
  | "thread.flag_cleared"
  | "saved_reply.created"
  | "saved_reply.edited"
  | "saved_reply.deleted"
  // Check-ins (carry the caseId)
  | "check_in.submitted"
  | "check_in.flagged"
  | "check_in.reviewed"
  | "check_in.reminder_sent"
  // Data leaving Cairn: a person's own data, a whole case, the audit log as CSV
  | "data.exported"
  | "audit.exported";

export type AuditEntry = {
  actorId: string | null;
  action: AuditAction;
  target?: { type: string; id: string };
  /** The case this happened on; the case timeline lists these. */
  caseId?: string | null;
  ip?: string | null;
  details?: Record<string, unknown>;
};

/**
 * Appends one event (or several, in one INSERT) to the audit trail. Nothing in the app updates
 * or deletes these rows, and the table itself refuses UPDATE, DELETE and TRUNCATE.
 */
export async function recordAudit(entry: AuditEntry | AuditEntry[], executor: Pick<typeof db, "insert"> = db) {
  const entries = Array.isArray(entry) ? entry : [entry];
  if (entries.length === 0) return [];
  return executor
    .insert(auditEvents)
    .values(
    entries.map((e) => ({
      actorId: e.actorId,
      caseId: e.caseId ?? null,
      action: e.action,
      targetType: e.target?.type ?? null,
      targetId: e.target?.id ?? null,
      ip: e.ip ?? null,
      details: e.details ?? null,
    })),
    )
    // The exact time as Postgres keeps it (microseconds), for walking the trail from this event.
    .returning({ id: auditEvents.id, at: sql<string>`${auditEvents.createdAt}::text` });
}

// ---------------------------------------------------------------------------------------------
// The access log: every time staff open a screen that shows a case's records, one event
// `case.viewed` with the page they opened. The case timeline leaves these out.

export const CASE_VIEW_PAGES = [
  "overview",
  "plans",
  "plan",
  "progress",
  "questions",
  "timeline",
  "notes",
  "thread",
  "check-in",
  "export",
] as const;
export type CaseViewPage = (typeof CASE_VIEW_PAGES)[number];

/**
 * Records that `actor` viewed a page of the case. Call it from a staff loader once the page's
 * data has been read. One INSERT … SELECT that writes the row only when the actor may read the
 * case's internals (admins: any case; coach or therapist: a case they are on), so it adds no
 * read query and can't log a view of a case the actor can't see: that answers 404.
 */
export async function recordCaseView(
  actor: Actor,
  caseId: string,
  page: CaseViewPage,
  ip: string | null,
  target?: { type: string; id: string },
) {
  if (!isStaff(actor.role) || !caseIdSchema.safeParse(caseId).success) throw notFound();
  const statement = caseViewStatements.get(`${actor.role === "admin" ? "admin" : "staff"}:${target ? "target" : "case"}`)!;
  const inserted = await statement.execute({
    actorId: actor.id,
    caseId,
    ip,
    details: JSON.stringify({ page }),
    targetType: target?.type ?? "case",
    targetId: target?.id ?? null,
  });
  if (inserted.length === 0) throw notFound();
}

/**
 * recordCaseView's statement, not yet run, for a page that writes it together with other
 * changes in one statement (a data-modifying WITH): it returns the new row's id, or no row when
 * the actor may not read the case's internals (or `onlyIf`, a further condition, is false).
 * Throws 404 at once for a client or a bad id. The actor's id, the case id, the address and the
 * target's id may be placeholders (sql.placeholder), for a statement built once.
 */
export function caseViewInsert(
  actor: ActorRef,
  caseId: string | SQLWrapper,
  page: CaseViewPage | SQLWrapper,
  ip: string | null | SQLWrapper,
  target?: { type: string | SQLWrapper; id: string | SQLWrapper },
  onlyIf?: SQL,
) {
  if (!isStaff(actor.role) || (typeof caseId === "string" && !caseIdSchema.safeParse(caseId).success)) throw notFound();
  const allowed = actor.role === "admin" ? undefined : memberOfCase(actor.id);
  const details = typeof page === "string" ? JSON.stringify({ page }) : page;
  return lookupDb
    .insert(auditEvents)
    .select((qb) =>
      qb
        .select({
          id: sql<string>`gen_random_uuid()`.as("id"),
          actorId: sql<string>`${actor.id}::uuid`.as("actor_id"),
          caseId: cases.id,
          action: sql<string>`${"case.viewed" satisfies AuditAction}::text`.as("action"),
          targetType: sql<string>`${target?.type ?? "case"}::text`.as("target_type"),
          targetId: (target ? sql<string>`${target.id}::text` : sql<string>`${cases.id}::text`).as("target_id"),
          ip: sql<string | null>`${ip}::text`.as("ip"),
          details: sql`${details}::jsonb`.as("details"),
          createdAt: sql<Date>`now()`.as("created_at"),
        })
        .from(cases)
        .where(and(eq(cases.id, caseId), allowed, onlyIf)),
    )
    .returning({ id: auditEvents.id });
}

/**
 * recordCaseView's statements, built once for each kind of viewer (admins see every case, staff
 * the cases they are on) and for a view of the case itself or of one of its records: drizzle
 * builds a statement from its parts on every call otherwise. Run on lookupDb (one row for one
 * case: one plan for any).
 */
const caseViewStatements = new Map(
  (["admin", "staff"] as const).flatMap((kind) =>
    (["case", "target"] as const).map((of) => {
      const p = (name: string) => sql.placeholder(name);
      const statement = caseViewInsert(
        placeholderViewer(kind),
        p("caseId"),
        p("details"),
        p("ip"),
        of === "target" ? { type: p("targetType"), id: p("targetId") } : undefined,
      ).prepare(`case_view_${kind}_${of}`);
      return [`${kind}:${of}`, statement] as const;
    }),
  ),
);
