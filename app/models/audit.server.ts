import { and, eq, sql, type SQL } from "drizzle-orm";
import { db, lookupDb } from "../../db/client";
import { auditEvents, cases } from "../../db/schema";
import { isStaff } from "~/auth/permissions";
import { caseIdSchema, memberOfCase, type Actor } from "./case-access.server";
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
  const inserted = await caseViewInsert(actor, caseId, page, ip, target);
  if (inserted.length === 0) throw notFound();
}

/**
 * recordCaseView's statement, not yet run, for a page that writes it together with other
 * changes in one statement (a data-modifying WITH): it returns the new row's id, or no row when
 * the actor may not read the case's internals (or `onlyIf`, a further condition, is false).
 * Throws 404 at once for a client or a bad id.
 */
export function caseViewInsert(
  actor: Actor,
  caseId: string,
  page: CaseViewPage,
  ip: string | null,
  target?: { type: string; id: string },
  onlyIf?: SQL,
) {
  if (!isStaff(actor.role) || !caseIdSchema.safeParse(caseId).success) throw notFound();
  const allowed = actor.role === "admin" ? undefined : memberOfCase(actor.id);
  // Run on its own, on lookupDb: an insert of one row for one case, one plan for any.
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
          details: sql`${JSON.stringify({ page })}::jsonb`.as("details"),
          createdAt: sql<Date>`now()`.as("created_at"),
        })
        .from(cases)
        .where(and(eq(cases.id, caseId), allowed, onlyIf)),
    )
    .returning({ id: auditEvents.id });
}
