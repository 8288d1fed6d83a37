import { TransactionRollbackError, and, asc, count, desc, eq, ilike, isNotNull, isNull, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { db, lookupDb } from "../../db/client";
import { oneTimeTokens, ROLES, sessions, userCounts, users, type Role } from "../../db/schema";
import {
  consumeToken,
  INVITATION_TTL_MS,
  issueToken,
  PASSWORD_RESET_TTL_MS,
  revokeTokens,
} from "~/auth/one-time-tokens.server";
import { hashPassword, verifyPassword } from "~/auth/password.server";
import { can } from "~/auth/permissions";
import { createSession, invalidateUserSessions } from "~/auth/session.server";
import { findUserByEmail, normalizeEmail } from "~/auth/sign-in.server";
import { appUrl } from "~/env.server";
import { recordAudit } from "./audit.server";
import { notFound, RuleViolation } from "./errors.server";
import { USER_STATUSES, type UserStatus } from "./users";
import { enqueueEmail } from "./outbox.server";
import { searchQuery } from "./typed-text";

type Actor = { id: string; role: Role };
type Tx = Parameters<Parameters<typeof db.transaction>[0]>[0];

function requireAdmin(actor: Actor) {
  if (!can(actor, "users.manage")) throw notFound();
}


const statusSql = sql<UserStatus>`case
  when ${users.deactivatedAt} is not null then 'deactivated'
  when ${users.passwordHash} is null then 'invited'
  else 'active' end`;

const SORTS = { name: users.name, email: users.email, role: users.role, joined: users.createdAt } as const;

export const userListQuery = z.object({
  q: searchQuery(),
  role: z.enum(ROLES).optional().catch(undefined),
  status: z.enum(USER_STATUSES).optional().catch(undefined),
  sort: z.enum(["name", "email", "role", "joined"]).default("name").catch("name"),
  dir: z.enum(["asc", "desc"]).default("asc").catch("asc"),
  page: z.coerce.number().int().min(1).max(100_000).default(1).catch(1),
  perPage: z.coerce.number().int().pipe(z.union([z.literal(10), z.literal(25), z.literal(50), z.literal(100)])).default(25).catch(25),
});
export type UserListQuery = z.infer<typeof userListQuery>;

export async function listUsers(actor: Actor, query: UserListQuery) {
  requireAdmin(actor);
  const filters: SQL[] = [];
  if (query.q) {
    const pattern = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    filters.push(or(ilike(users.name, pattern), ilike(users.email, pattern))!);
  }
  if (query.role) filters.push(eq(users.role, query.role));
  if (query.status === "deactivated") filters.push(isNotNull(users.deactivatedAt));
  if (query.status === "invited") filters.push(and(isNull(users.deactivatedAt), isNull(users.passwordHash))!);
  if (query.status === "active") filters.push(and(isNull(users.deactivatedAt), isNotNull(users.passwordHash))!);
  const where = filters.length ? and(...filters) : undefined;
  const order = query.dir === "asc" ? asc(SORTS[query.sort]) : desc(SORTS[query.sort]);

  const [rows, [total]] = await Promise.all([
    db
      .select({
        id: users.id,
        name: users.name,
        email: users.email,
        role: users.role,
        status: statusSql,
        createdAt: users.createdAt,
      })
      .from(users)
      .where(where)
      .orderBy(order, asc(users.id))
      .limit(query.perPage)
      .offset((query.page - 1) * query.perPage),
    db.select({ n: count() }).from(users).where(where),
  ]);
  return { rows, total: total?.n ?? 0 };
}

const userCountsStatement = lookupDb.select({ role: userCounts.role, status: userCounts.state, n: userCounts.n }).from(userCounts).prepare("user_counts");

/**
 * Active, invited and deactivated accounts per role, for the admin's dashboard: kept current by
 * triggers on users (migration 0017), so a view reads a dozen rows instead of every account.
 */
export async function countUsersByRole(actor: Actor) {
  requireAdmin(actor);
  const rows = await userCountsStatement.execute();
  return ROLES.map((role) => {
    const of = (status: UserStatus) => rows.find((r) => r.role === role && r.status === status)?.n ?? 0;
    return { role, active: of("active"), invited: of("invited"), deactivated: of("deactivated") };
  });
}

export async function getUserForAdmin(actor: Actor, userId: string) {
  requireAdmin(actor);
  if (!z.uuid().safeParse(userId).success) throw notFound();
  const [user] = await db
    .select({
      id: users.id,
      name: users.name,
      email: users.email,
      role: users.role,
      status: statusSql,
      createdAt: users.createdAt,
      deactivatedAt: users.deactivatedAt,
      hasPassword: sql<boolean>`${users.passwordHash} is not null`,
    })
    .from(users)
    .where(eq(users.id, userId));
  if (!user) throw notFound();
  const [invitation] = await db
    .select({ expiresAt: oneTimeTokens.expiresAt, createdAt: oneTimeTokens.createdAt })
    .from(oneTimeTokens)
    .where(
      and(
        eq(oneTimeTokens.userId, userId),
        eq(oneTimeTokens.purpose, "invitation"),
        isNull(oneTimeTokens.usedAt),
        isNull(oneTimeTokens.revokedAt),
      ),
    )
    .orderBy(desc(oneTimeTokens.createdAt))
    .limit(1);
  return { ...user, pendingInvitation: invitation ?? null };
}

async function sendInvitation(
  user: { id: string; email: string; name: string },
  actor: Actor,
  tx: Tx,
) {
  const token = await issueToken({ userId: user.id, purpose: "invitation", ttlMs: INVITATION_TTL_MS, createdBy: actor.id }, tx);
  const link = `${appUrl()}/invite/${token}`;
  await enqueueEmail(
    {
      to: user.email,
      subject: "You're invited to Cairn",
      text:
        `Hello ${user.name},\n\nYou have been invited to your practice's Cairn workspace. ` +
        `Open this link within 7 days to choose your password and sign in:\n\n${link}\n\n` +
        `If you weren't expecting this, you can ignore this email.`,
      link,
    },
    tx,
  );
}

export const inviteSchema = z.object({
  name: z.string().trim().min(1, { error: "Enter the person's name." }).max(120, { error: "Use at most 120 characters." }),
  email: z.string().trim().max(254, { error: "Use at most 254 characters." }).pipe(z.email({ error: "Enter a valid email address." })),
  role: z.enum(ROLES, { error: "Choose a role." }),
});

export async function inviteUser(actor: Actor, input: z.infer<typeof inviteSchema>, ip: string | null) {
  requireAdmin(actor);
  const email = normalizeEmail(input.email);
  if (await findUserByEmail(email)) throw new RuleViolation("An account with this email already exists.", "email");
  return db.transaction(async (tx) => {
    const [user] = await tx.insert(users).values({ email, name: input.name, role: input.role }).returning();
    if (!user) throw new Error("insert returned nothing");
    await sendInvitation(user, actor, tx);
    await recordAudit(
      { actorId: actor.id, action: "user.invited", target: { type: "user", id: user.id }, ip, details: { role: input.role } },
      tx,
    );
    return user;
  });
}

/**
 * Creates a client account and sends its invitation inside `tx`, for staff opening a case for
 * someone new (cases.server.ts checks the actor and that the email is free first). Writes the
 * `user.invited` audit row; the caller records the case itself.
 */
export async function inviteClientForCase(
  actor: Actor,
  input: { name: string; email: string },
  tx: Tx,
  ip: string | null,
  caseId?: string,
) {
  const email = normalizeEmail(input.email);
  const [user] = await tx.insert(users).values({ email, name: input.name, role: "client" }).returning();
  if (!user) throw new Error("insert returned nothing");
  await sendInvitation(user, actor, tx);
  await recordAudit(
    {
      actorId: actor.id,
      action: "user.invited",
      target: { type: "user", id: user.id },
      ip,
      details: { role: "client", ...(caseId ? { forCase: caseId } : {}) },
    },
    tx,
  );
  return user;
}

async function loadTarget(actor: Actor, userId: string) {
  requireAdmin(actor);
  if (!z.uuid().safeParse(userId).success) throw notFound();
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  if (!user) throw notFound();
  return user;
}

export async function resendInvitation(actor: Actor, userId: string, ip: string | null) {
  const user = await loadTarget(actor, userId);
  if (user.passwordHash) throw new RuleViolation("This person has already accepted their invitation.");
  await db.transaction(async (tx) => {
    if (user.deactivatedAt) await tx.update(users).set({ deactivatedAt: null }).where(eq(users.id, user.id));
    await sendInvitation(user, actor, tx);
    await recordAudit({ actorId: actor.id, action: "user.invitation_resent", target: { type: "user", id: user.id }, ip }, tx);
  });
}

/** Revoking makes the link useless and parks the account as deactivated until resent. */
export async function revokeInvitation(actor: Actor, userId: string, ip: string | null) {
  const user = await loadTarget(actor, userId);
  if (user.passwordHash) throw new RuleViolation("This person has already accepted their invitation.");
  await db.transaction(async (tx) => {
    await revokeTokens(user.id, "invitation", tx);
    await tx.update(users).set({ deactivatedAt: new Date() }).where(eq(users.id, user.id));
    await recordAudit({ actorId: actor.id, action: "user.invitation_revoked", target: { type: "user", id: user.id }, ip }, tx);
  });
}

/**
 * Admins other than `userId` who can actually sign in (an admin still at the invitation stage
 * doesn't count). Their rows are locked for the rest of the transaction, so two admins removing
 * each other at the same moment can't both succeed.
 */
async function otherUsableAdmins(tx: Tx, userId: string) {
  const admins = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.role, "admin"), isNull(users.deactivatedAt), isNotNull(users.passwordHash)))
    .orderBy(asc(users.id))
    .for("update");
  return admins.filter((a) => a.id !== userId).length;
}

export async function changeRole(actor: Actor, userId: string, role: Role, ip: string | null) {
  const user = await loadTarget(actor, userId);
  if (user.role === role) return;
  await db.transaction(async (tx) => {
    if (user.role === "admin" && (await otherUsableAdmins(tx, user.id)) === 0) {
      throw new RuleViolation("This is the practice's last admin. Make someone else an admin first.", "role");
    }
    await tx.update(users).set({ role }).where(eq(users.id, user.id));
    // A new role means new permissions: sign the person in again with them.
    await tx.delete(sessions).where(eq(sessions.userId, user.id));
    await recordAudit(
      { actorId: actor.id, action: "user.role_changed", target: { type: "user", id: user.id }, ip, details: { from: user.role, to: role } },
      tx,
    );
  });
}

export async function deactivateUser(actor: Actor, userId: string, ip: string | null) {
  const user = await loadTarget(actor, userId);
  if (user.deactivatedAt) return;
  await db.transaction(async (tx) => {
    if (user.role === "admin" && (await otherUsableAdmins(tx, user.id)) === 0) {
      throw new RuleViolation("This is the practice's last admin and can't be deactivated.");
    }
    await tx.update(users).set({ deactivatedAt: new Date() }).where(eq(users.id, user.id));
    await revokeTokens(user.id, "invitation", tx);
    await revokeTokens(user.id, "password_reset", tx);
    // Signed out everywhere at once: every session row goes, so the next request finds none.
    await tx.delete(sessions).where(eq(sessions.userId, user.id));
    await recordAudit({ actorId: actor.id, action: "user.deactivated", target: { type: "user", id: user.id }, ip }, tx);
  });
}

export async function reactivateUser(actor: Actor, userId: string, ip: string | null) {
  const user = await loadTarget(actor, userId);
  if (!user.deactivatedAt) return;
  await db.update(users).set({ deactivatedAt: null }).where(eq(users.id, user.id));
  await recordAudit({ actorId: actor.id, action: "user.reactivated", target: { type: "user", id: user.id }, ip });
}

export const profileSchema = z.object({
  name: z.string().trim().min(1, { error: "Enter your name." }).max(120, { error: "Use at most 120 characters." }),
});

export async function updateProfile(actor: Actor, input: z.infer<typeof profileSchema>, ip: string | null) {
  await db.update(users).set({ name: input.name }).where(eq(users.id, actor.id));
  await recordAudit({ actorId: actor.id, action: "user.profile_updated", target: { type: "user", id: actor.id }, ip });
}

/**
 * Changes the actor's own password. Every session of the user ends, this one included; the
 * caller gets a fresh session for the device that made the change.
 */
export async function changePassword(
  actor: Actor,
  input: { currentPassword: string; newPassword: string },
  ip: string | null,
  device: { userAgent?: string | null; twoFactorVerified?: boolean } = {},
) {
  const [user] = await db.select().from(users).where(eq(users.id, actor.id));
  if (!user?.passwordHash || !(await verifyPassword(user.passwordHash, input.currentPassword))) {
    throw new RuleViolation("Your current password is not correct.", "currentPassword");
  }
  await db.update(users).set({ passwordHash: await hashPassword(input.newPassword) }).where(eq(users.id, user.id));
  await invalidateUserSessions(user.id);
  await recordAudit({ actorId: user.id, action: "auth.password_changed", target: { type: "user", id: user.id }, ip });
  // The device that made the change keeps its place, second step included.
  return createSession(user.id, { ip, userAgent: device.userAgent, twoFactorVerified: device.twoFactorVerified });
}

/** Sets the invitee's name and password, uses up the link and signs them in. */
export async function acceptInvitation(
  token: string,
  input: { name: string; password: string },
  ip: string | null,
  device: { userAgent?: string | null } = {},
) {
  const passwordHash = await hashPassword(input.password);
  const userId = await db
    .transaction(async (tx) => {
    const id = await consumeToken(token, "invitation", tx);
    if (!id) return null;
    const [updated] = await tx
      .update(users)
      .set({ name: input.name, passwordHash })
      .where(and(eq(users.id, id), isNull(users.deactivatedAt)))
      .returning({ id: users.id });
    // A deactivated account can't accept: roll back so the link is not used up either.
    if (!updated) tx.rollback();
    await recordAudit({ actorId: id, action: "user.invitation_accepted", target: { type: "user", id }, ip }, tx);
    return id;
  })
    .catch((error: unknown) => {
      if (error instanceof TransactionRollbackError) return null;
      throw error;
    });
  if (!userId) return null;
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  const session = await createSession(userId, { ip, userAgent: device.userAgent });
  return { user: user!, ...session };
}

/** Always answers the same way, whether or not the address has an account. */
export async function requestPasswordReset(email: string, ip: string | null) {
  const user = await findUserByEmail(email);
  if (!user || user.deactivatedAt || !user.passwordHash) return;
  await db.transaction(async (tx) => {
    const token = await issueToken({ userId: user.id, purpose: "password_reset", ttlMs: PASSWORD_RESET_TTL_MS }, tx);
    const link = `${appUrl()}/reset-password/${token}`;
    await enqueueEmail(
      {
        to: user.email,
        subject: "Reset your Cairn password",
        text:
          `Hello ${user.name},\n\nSomeone asked to reset the password of your Cairn account. ` +
          `Open this link within one hour to choose a new one:\n\n${link}\n\n` +
          `If it wasn't you, ignore this email: your password stays as it is.`,
        link,
      },
      tx,
    );
    await recordAudit({ actorId: user.id, action: "auth.password_reset_requested", target: { type: "user", id: user.id }, ip }, tx);
  });
}

export async function resetPassword(token: string, password: string, ip: string | null, device: { userAgent?: string | null } = {}) {
  const passwordHash = await hashPassword(password);
  const userId = await db.transaction(async (tx) => {
    const id = await consumeToken(token, "password_reset", tx);
    if (!id) return null;
    await tx.update(users).set({ passwordHash }).where(eq(users.id, id));
    await recordAudit({ actorId: id, action: "auth.password_reset", target: { type: "user", id }, ip }, tx);
    return id;
  });
  if (!userId) return null;
  await invalidateUserSessions(userId);
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  // A reset proves the email, not the authenticator app: someone with a second factor still enters it.
  return { user: user!, ...(await createSession(userId, { ip, userAgent: device.userAgent })) };
}
