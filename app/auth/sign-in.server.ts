import { eq, sql } from "drizzle-orm";
import { db } from "../../db/client";
import { users, userTotp } from "../../db/schema";
import { recordAudit } from "~/models/audit.server";
import { getSetting } from "~/models/settings.server";
import { verifyAgainstNothing, verifyPassword } from "./password.server";
import { createSession, invalidateSession, sessionStage, type SessionStage, type SessionUser } from "./session.server";
import { recordSignInAttempt, signInThrottle } from "./throttle.server";

export type SignInResult =
  /** `stage` says whether a second step is still owed before the session counts as signed in. */
  | { ok: true; user: SessionUser; token: string; expiresAt: Date; stage: SessionStage }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "throttled"; retryAt: Date };

export function normalizeEmail(email: string) {
  return email.trim().toLowerCase();
}

export async function findUserByEmail(email: string) {
  const [user] = await db
    .select()
    .from(users)
    .where(sql`lower(${users.email}) = ${normalizeEmail(email)}`);
  return user ?? null;
}

/**
 * Checks the password and opens a session. A wrong email, a wrong password, an unfinished
 * invitation and a deactivated account all give the same answer, so nobody can probe which
 * addresses have accounts.
 */
export async function signIn(input: {
  email: string;
  password: string;
  ip: string;
  userAgent?: string | null;
  now?: Date;
}): Promise<SignInResult> {
  const now = input.now ?? new Date();
  const email = normalizeEmail(input.email);
  const throttle = await signInThrottle(email, input.ip, now);
  if (throttle.locked) {
    await recordAudit({ actorId: null, action: "auth.sign_in_throttled", ip: input.ip, details: { email } });
    return { ok: false, reason: "throttled", retryAt: throttle.retryAt };
  }

  const user = await findUserByEmail(email);
  const valid =
    user?.passwordHash && !user.deactivatedAt
      ? await verifyPassword(user.passwordHash, input.password)
      : await verifyAgainstNothing(input.password);
  await recordSignInAttempt(email, input.ip, valid, now);
  if (!valid || !user) {
    await recordAudit({
      actorId: null,
      action: "auth.sign_in_failed",
      target: user ? { type: "user", id: user.id } : undefined,
      ip: input.ip,
      details: { email },
    });
    return { ok: false, reason: "invalid" };
  }

  const sessionUser = { id: user.id, email: user.email, name: user.name, role: user.role };
  const [factor] = await db.select({ userId: userTotp.userId }).from(userTotp).where(eq(userTotp.userId, user.id));
  const stage = sessionStage({
    user: sessionUser,
    hasTwoFactor: Boolean(factor),
    twoFactorVerified: false,
    staffTwoFactorRequired: await getSetting("require_staff_two_factor"),
  });
  const { token, expiresAt } = await createSession(user.id, { now, ip: input.ip, userAgent: input.userAgent });
  await recordAudit({
    actorId: user.id,
    action: "auth.sign_in",
    target: { type: "user", id: user.id },
    ip: input.ip,
    details: stage === "signed_in" ? undefined : { pending: stage },
  });
  return { ok: true, user: sessionUser, token, expiresAt, stage };
}

export async function signOut(session: { sessionId: string; user: { id: string } }, ip: string) {
  await invalidateSession(session.sessionId);
  await recordAudit({ actorId: session.user.id, action: "auth.sign_out", target: { type: "user", id: session.user.id }, ip });
}

export async function getUserById(id: string) {
  const [user] = await db.select().from(users).where(eq(users.id, id));
  return user ?? null;
}
