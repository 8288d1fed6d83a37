import { and, eq, isNull, lt, ne, or } from "drizzle-orm";
import { z } from "zod";
import { db } from "../../db/client";
import { sessions, users, userTotp } from "../../db/schema";
import { recordAudit } from "~/models/audit.server";
import { notFound, RuleViolation } from "~/models/errors.server";
import { verifyPassword } from "./password.server";
import { can } from "./permissions";
import { invalidateSession, type SessionUser } from "./session.server";
import { recordSignInAttempt, signInThrottle } from "./throttle.server";
import { generateToken, hashToken } from "./tokens.server";
import { decodeTotpSecret, matchTotpStep } from "./totp.server";

// Two-step sign-in for staff: a password, then the code from an authenticator app (TOTP).
// Wrong codes count as failed sign-in attempts in the sign-in throttle, so the same limit
// (5 for one account within 15 minutes) ends a half-signed-in session and pauses signing in.

type Actor = Pick<SessionUser, "id" | "role">;
type PendingSession = { sessionId: string; user: Pick<SessionUser, "id" | "email"> };

export const totpCodeField = z
  .string({ error: "Enter the 6-digit code from your app." })
  .max(20, { error: "Enter the 6-digit code from your app." })
  .transform((value) => value.replace(/\s+/g, ""))
  .pipe(z.string().regex(/^\d{6}$/, { error: "Enter the 6-digit code from your app." }));

export const recoveryCodeField = z
  .string({ error: "Enter your recovery code." })
  .max(40, { error: "That is longer than a recovery code." })
  .transform(normalizeRecoveryCode)
  .pipe(z.string().min(1, { error: "Enter your recovery code." }));

function normalizeRecoveryCode(value: string) {
  return value.replace(/[\s-]+/g, "").toLowerCase();
}

/** A single-use recovery code (80 random bits) shown once, as "abcd-efgh-ijkl-mnop". */
function generateRecoveryCode() {
  return generateToken().slice(0, 16).replace(/(.{4})(?=.)/g, "$1-");
}

export async function twoFactorStatus(userId: string) {
  const [row] = await db.select({ createdAt: userTotp.createdAt }).from(userTotp).where(eq(userTotp.userId, userId));
  return { enabled: Boolean(row), since: row?.createdAt ?? null };
}

/**
 * Turns two-step sign-in on once the person proves their app computes the same codes as the
 * secret they were shown. This session counts as verified; their other sessions must enter a code.
 * Answers the recovery code, the only time it is ever shown.
 */
export async function enableTwoFactor(
  actor: Actor,
  currentSessionId: string,
  input: { secret: string; code: string },
  ip: string | null,
  now = new Date(),
) {
  if (!can(actor, "account.twoFactor")) throw notFound();
  const key = decodeTotpSecret(input.secret);
  if (!key) throw new RuleViolation("This setup has expired. Reload the page and start again.");
  const step = matchTotpStep(key, input.code, now, null);
  if (step === null) {
    throw new RuleViolation("That code doesn't match. Check the app shows Cairn and enter the code it shows now.", "code");
  }
  const recoveryCode = generateRecoveryCode();
  await db.transaction(async (tx) => {
    const [created] = await tx
      .insert(userTotp)
      .values({
        userId: actor.id,
        key: input.secret.replace(/\s+/g, "").toUpperCase(),
        recoveryCodeHash: hashToken(normalizeRecoveryCode(recoveryCode)),
        lastUsedStep: step,
        createdAt: now,
      })
      .onConflictDoNothing()
      .returning({ userId: userTotp.userId });
    if (!created) throw new RuleViolation("Two-step sign-in is already on for your account.");
    await tx
      .update(sessions)
      .set({ twoFactorVerified: false })
      .where(and(eq(sessions.userId, actor.id), ne(sessions.id, currentSessionId)));
    await tx.update(sessions).set({ twoFactorVerified: true }).where(eq(sessions.id, currentSessionId));
    await recordAudit({ actorId: actor.id, action: "two_factor.enabled", target: { type: "user", id: actor.id }, ip }, tx);
  });
  return recoveryCode;
}

/** Turns it off, given a current code or the account's password. */
export async function disableTwoFactor(
  actor: Pick<SessionUser, "id" | "email">,
  input: { code?: string; password?: string },
  ip: string,
  now = new Date(),
) {
  const [factor] = await db.select().from(userTotp).where(eq(userTotp.userId, actor.id));
  if (!factor) throw new RuleViolation("Two-step sign-in is not on for your account.");
  const throttle = await signInThrottle(actor.email, ip, now);
  if (throttle.locked) throw new RuleViolation("Too many wrong attempts. Wait a quarter of an hour, then try again.");
  let proven = false;
  if (input.code) {
    const key = decodeTotpSecret(factor.key);
    proven = key !== null && matchTotpStep(key, input.code, now, factor.lastUsedStep) !== null;
  } else if (input.password) {
    const [user] = await db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, actor.id));
    proven = Boolean(user?.passwordHash) && (await verifyPassword(user!.passwordHash!, input.password));
  }
  if (!proven) {
    await recordSignInAttempt(actor.email, ip, false, now);
    await recordAudit({ actorId: actor.id, action: "two_factor.failed", target: { type: "user", id: actor.id }, ip, details: { while: "disabling" } });
    throw new RuleViolation(
      input.code ? "That code doesn't match. Enter the code your app shows now." : "That password is not correct.",
      input.code ? "code" : "password",
    );
  }
  await db.delete(userTotp).where(eq(userTotp.userId, actor.id));
  await recordAudit({ actorId: actor.id, action: "two_factor.disabled", target: { type: "user", id: actor.id }, ip });
}

export type SecondStepResult = { ok: true; recoveryUsed: boolean } | { ok: false; signedOut: false } | { ok: false; signedOut: true; retryAt: Date };

/** Ends a half-signed-in session once the throttle says enough wrong codes were tried. */
async function endIfThrottled(session: PendingSession, ip: string, now: Date): Promise<SecondStepResult | null> {
  const throttle = await signInThrottle(session.user.email, ip, now);
  if (!throttle.locked) return null;
  await invalidateSession(session.sessionId);
  await recordAudit({
    actorId: session.user.id,
    action: "auth.sign_in_throttled",
    target: { type: "user", id: session.user.id },
    ip,
    details: { email: session.user.email, while: "two_factor" },
  });
  return { ok: false, signedOut: true, retryAt: throttle.retryAt };
}

async function secondStepFailed(session: PendingSession, ip: string, now: Date, kind: "code" | "recovery_code") {
  await recordSignInAttempt(session.user.email, ip, false, now);
  await recordAudit({ actorId: session.user.id, action: "two_factor.failed", target: { type: "user", id: session.user.id }, ip, details: { kind } });
  return (await endIfThrottled(session, ip, now)) ?? { ok: false as const, signedOut: false as const };
}

async function secondStepPassed(session: PendingSession, ip: string, now: Date) {
  await db.update(sessions).set({ twoFactorVerified: true }).where(eq(sessions.id, session.sessionId));
  // A full sign-in: earlier failures no longer count towards a lockout.
  await recordSignInAttempt(session.user.email, ip, true, now);
}

/** The second step of signing in: the code from the app. A code's time step is used only once. */
export async function verifySignInCode(session: PendingSession, code: string, ip: string, now = new Date()): Promise<SecondStepResult> {
  const throttled = await endIfThrottled(session, ip, now);
  if (throttled) return throttled;
  const [factor] = await db.select().from(userTotp).where(eq(userTotp.userId, session.user.id));
  if (!factor) {
    // Removed meanwhile (by an admin, say): nothing left to check.
    await secondStepPassed(session, ip, now);
    return { ok: true, recoveryUsed: false };
  }
  const key = decodeTotpSecret(factor.key);
  const step = key ? matchTotpStep(key, code, now, factor.lastUsedStep) : null;
  // Claiming the step in the same statement that checks it: of two requests with one code, one wins.
  const claimed =
    step === null
      ? []
      : await db
          .update(userTotp)
          .set({ lastUsedStep: step })
          .where(and(eq(userTotp.userId, session.user.id), or(isNull(userTotp.lastUsedStep), lt(userTotp.lastUsedStep, step))))
          .returning({ userId: userTotp.userId });
  if (!claimed.length) return secondStepFailed(session, ip, now, "code");
  await secondStepPassed(session, ip, now);
  await recordAudit({ actorId: session.user.id, action: "two_factor.verified", target: { type: "user", id: session.user.id }, ip });
  return { ok: true, recoveryUsed: false };
}

/**
 * The way in without the phone: the recovery code works once and removes the factor, so the
 * person sets up two-step sign-in again (on a new phone, say).
 */
export async function redeemRecoveryCode(session: PendingSession, recoveryCode: string, ip: string, now = new Date()): Promise<SecondStepResult> {
  const throttled = await endIfThrottled(session, ip, now);
  if (throttled) return throttled;
  const [removed] = await db
    .delete(userTotp)
    .where(and(eq(userTotp.userId, session.user.id), eq(userTotp.recoveryCodeHash, hashToken(normalizeRecoveryCode(recoveryCode)))))
    .returning({ userId: userTotp.userId });
  if (!removed) return secondStepFailed(session, ip, now, "recovery_code");
  await secondStepPassed(session, ip, now);
  await recordAudit({ actorId: session.user.id, action: "two_factor.recovery_used", target: { type: "user", id: session.user.id }, ip });
  return { ok: true, recoveryUsed: true };
}

// ---------------------------------------------------------------------------------------------
// Admins, for a staff member who lost their phone and their recovery code.

function requireAdmin(actor: Actor, userId: string) {
  if (!can(actor, "users.manage") || !z.uuid().safeParse(userId).success) throw notFound();
}

export async function twoFactorStatusForAdmin(actor: Actor, userId: string) {
  requireAdmin(actor, userId);
  return twoFactorStatus(userId);
}

/** Removes the person's factor and signs them out everywhere; they set it up again after signing in. */
export async function resetTwoFactor(actor: Actor, userId: string, ip: string | null) {
  requireAdmin(actor, userId);
  if (actor.id === userId) throw new RuleViolation("To change your own two-step sign-in, use your account page.");
  await db.transaction(async (tx) => {
    const [user] = await tx.select({ id: users.id }).from(users).where(eq(users.id, userId));
    if (!user) throw notFound();
    const [removed] = await tx.delete(userTotp).where(eq(userTotp.userId, userId)).returning({ userId: userTotp.userId });
    if (!removed) throw new RuleViolation("This person doesn't use two-step sign-in.");
    // A lost phone may be signed in too.
    await tx.delete(sessions).where(eq(sessions.userId, userId));
    await recordAudit({ actorId: actor.id, action: "two_factor.reset", target: { type: "user", id: userId }, ip }, tx);
  });
}

