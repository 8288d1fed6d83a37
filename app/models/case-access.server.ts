import { and, eq, exists, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import { z } from "zod";
import { db, lookupDb } from "../../db/client";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { caseMembers, cases, type Case, type Role } from "../../db/schema";
import { caseCan, isStaff, STAFF_ROLES, type CaseAction, type CaseRelation } from "~/auth/permissions";
import { oncePerRequest } from "~/request-scope.server";
import { forbidden, notFound } from "./errors.server";

// The single gate to a case. Every model function that touches a case goes through
// `loadCaseAccess` (404 when the actor may not see the case) and `requireCaseAction`
// (403 when they may see it but not do this).

export type Actor = { id: string; role: Role; name?: string };
/**
 * Who is asking, as a statement sees them: the id may be a placeholder (sql.placeholder), for a
 * statement built once per role and run for anyone (a prepared drizzle query).
 */
export type ActorRef = { id: string | SQLWrapper; role: Role };

/**
 * The kinds of viewer whose statements differ: admins see every case, staff (coaches and
 * therapists) the cases they are on, clients their own. Statements built once are kept per kind.
 */
export type ViewerKind = "admin" | "staff" | "client";

export function viewerKind(role: Role): ViewerKind {
  return role === "admin" ? "admin" : role === "client" ? "client" : "staff";
}

/**
 * A viewer of that kind whose id is the placeholder `actorId`, for a statement built once and
 * run for anyone of the kind (staff stand as a coach: coaches and therapists see the same cases).
 */
export function placeholderViewer(kind: ViewerKind): ActorRef {
  return { id: sql.placeholder("actorId"), role: kind === "staff" ? "coach" : kind };
}
export type CaseAccess = { case: Case; actor: Actor; relation: CaseRelation };

export const caseIdSchema = z.uuid();

/**
 * SQL condition: `role` is a staff role, with the roles written as literals. As parameters they
 * would look like any three roles to a plan made for any values (lookupDb's), which then expects
 * three quarters of the users where a practice has a few dozen staff among thousands of clients.
 */
export function isStaffRoleSql(role: AnyPgColumn): SQL {
  return sql`${role} in (${sql.raw(STAFF_ROLES.map((r) => `'${r}'`).join(", "))})`;
}

/**
 * SQL condition: the rows `actor` may see, for lists that never over-fetch. By default it
 * filters `cases` rows; pass the case-id column of another table (threads.caseId,
 * checkIns.caseId…) to filter that table's rows by the same rule.
 */
export function visibleCases(actor: ActorRef, caseId: AnyPgColumn = cases.id): SQL | undefined {
  if (actor.role === "admin") return undefined;
  if (actor.role === "client") {
    if (caseId === cases.id) return eq(cases.clientId, actor.id);
    return exists(
      db
        .select({ one: sql`1` })
        .from(cases)
        .where(and(eq(cases.id, caseId), eq(cases.clientId, actor.id))),
    );
  }
  return memberOfCase(actor.id, caseId);
}

/** SQL condition: `userId` is on the team of the case in `caseId` (as `role`, when given). */
export function memberOfCase(userId: string | SQLWrapper, caseId: AnyPgColumn = cases.id, role?: "lead" | "support"): SQL {
  return exists(
    db
      .select({ one: sql`1` })
      .from(caseMembers)
      .where(and(eq(caseMembers.caseId, caseId), eq(caseMembers.userId, userId), role ? eq(caseMembers.role, role) : undefined)),
  );
}

/** Staff-only work screens and their functions: anyone else gets 404, as if nothing were there. */
export function requireStaffActor(actor: Actor) {
  if (!isStaff(actor.role)) throw notFound();
}

/** loadCaseAccess's statement, built once: the case and the actor's place on its team. */
const caseWithMembership = lookupDb
  .select({ case: cases, memberRole: caseMembers.role })
  .from(cases)
  .leftJoin(caseMembers, and(eq(caseMembers.caseId, cases.id), eq(caseMembers.userId, sql.placeholder("actorId"))))
  .where(eq(cases.id, sql.placeholder("caseId")))
  .prepare("case_with_membership");

export async function loadCaseAccess(actor: Actor, caseId: string): Promise<CaseAccess> {
  if (!caseIdSchema.safeParse(caseId).success) throw notFound();
  // A page's loaders (the case header, its tab) read the case once between them.
  const [row] = await oncePerRequest(`case-access:${actor.id}:${caseId}`, () => caseWithMembership.execute({ actorId: actor.id, caseId }));
  if (!row) throw notFound();
  let relation: CaseRelation | null = null;
  if (actor.role === "admin") relation = "admin";
  else if (actor.role === "client") relation = row.case.clientId === actor.id ? "client" : null;
  else relation = row.memberRole;
  if (!relation) throw notFound();
  return { case: row.case, actor, relation };
}

export function canOnCase(access: CaseAccess, action: CaseAction) {
  return caseCan(access.relation, action);
}

export function requireCaseAction(access: CaseAccess, action: CaseAction) {
  if (!caseCan(access.relation, action)) throw forbidden();
}

/** Loads the case and checks the action in one step: 404 if unseen, 403 if not allowed. */
export async function authorizeCase(actor: Actor, caseId: string, action: CaseAction) {
  const access = await loadCaseAccess(actor, caseId);
  requireCaseAction(access, action);
  return access;
}

/** Marks the case as just active (the case list sorts by it). */
export async function touchCase(caseId: string, executor: Pick<typeof db, "update"> = db, at = new Date()) {
  await executor.update(cases).set({ lastActivityAt: at }).where(eq(cases.id, caseId));
}
