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
  | "user.profile_updated";

export type AuditEntry = {
  actorId: string | null;
  action: AuditAction;
  target?: { type: string; id: string };
  ip?: string | null;
  details?: Record<string, unknown>;
};

/** Appends one event to the audit trail (the table refuses updates and deletes). */
export async function recordAudit(entry: AuditEntry, executor: Pick<typeof db, "insert"> = db) {
  await executor.insert(auditEvents).values({
    actorId: entry.actorId,
    action: entry.action,
    targetType: entry.target?.type ?? null,
    targetId: entry.target?.id ?? null,
    ip: entry.ip ?? null,
    details: entry.details ?? null,
  });
}
