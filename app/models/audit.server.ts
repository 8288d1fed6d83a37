import { db } from "../../db/client";
import { auditEvents } from "../../db/schema";

export type AuditAction =
  | "auth.sign_in"
  | "auth.sign_in_failed"
  | "auth.sign_in_throttled"
  | "auth.sign_out"
  | "auth.password_changed"
  | "auth.password_reset_requested"
  | "auth.password_reset"
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
  | "check_in.reminder_sent";

export type AuditEntry = {
  actorId: string | null;
  action: AuditAction;
  target?: { type: string; id: string };
  /** The case this happened on; the case timeline lists these. */
  caseId?: string | null;
  ip?: string | null;
  details?: Record<string, unknown>;
};

/** Appends one event to the audit trail (the table refuses updates and deletes). */
export async function recordAudit(entry: AuditEntry, executor: Pick<typeof db, "insert"> = db) {
  await executor.insert(auditEvents).values({
    actorId: entry.actorId,
    caseId: entry.caseId ?? null,
    action: entry.action,
    targetType: entry.target?.type ?? null,
    targetId: entry.target?.id ?? null,
    ip: entry.ip ?? null,
    details: entry.details ?? null,
  });
}
