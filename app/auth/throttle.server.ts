import { and, count, eq, gt, gte, lt, lte, max } from "drizzle-orm";
import { db } from "../../db/client";
import { loginAttempts } from "../../db/schema";

// Sign-in throttling lives in the database so it holds across app instances.
// After LIMIT failures for one email (or one IP) within WINDOW, sign-in is refused for LOCKOUT
// from the failure that reached the limit. Refused attempts are not recorded as failures, so the
// lockout ends on time instead of sliding forward while someone keeps trying.

export const EMAIL_FAILURE_LIMIT = 5;
export const IP_FAILURE_LIMIT = 20;
export const WINDOW_MS = 15 * 60 * 1000;
export const LOCKOUT_MS = 15 * 60 * 1000;

export type ThrottleState = { locked: false } | { locked: true; retryAt: Date };

async function lockoutFor(
  key: { email: string } | { ip: string },
  limit: number,
  now: Date,
): Promise<ThrottleState> {
  const byKey = "email" in key ? eq(loginAttempts.email, key.email) : eq(loginAttempts.ip, key.ip);
  // Far enough back to see every failure that could still hold a lockout in force.
  let since = new Date(now.getTime() - (WINDOW_MS + LOCKOUT_MS));
  if ("email" in key) {
    // A successful sign-in clears the failures before it.
    const [lastSuccess] = await db
      .select({ at: max(loginAttempts.createdAt) })
      .from(loginAttempts)
      .where(and(byKey, eq(loginAttempts.succeeded, true), gt(loginAttempts.createdAt, since)));
    if (lastSuccess?.at && lastSuccess.at > since) since = lastSuccess.at;
  }
  const failed = and(byKey, eq(loginAttempts.succeeded, false));
  const [last] = await db
    .select({ at: max(loginAttempts.createdAt) })
    .from(loginAttempts)
    .where(and(failed, gt(loginAttempts.createdAt, since), lte(loginAttempts.createdAt, now)));
  if (!last?.at) return { locked: false };
  const retryAt = new Date(last.at.getTime() + LOCKOUT_MS);
  if (retryAt <= now) return { locked: false };
  const windowStart = new Date(Math.max(last.at.getTime() - WINDOW_MS, since.getTime() + 1));
  const [row] = await db
    .select({ n: count() })
    .from(loginAttempts)
    .where(and(failed, gte(loginAttempts.createdAt, windowStart), lte(loginAttempts.createdAt, last.at)));
  return (row?.n ?? 0) >= limit ? { locked: true, retryAt } : { locked: false };
}

export async function signInThrottle(email: string, ip: string, now = new Date()): Promise<ThrottleState> {
  const [byEmail, byIp] = await Promise.all([
    lockoutFor({ email }, EMAIL_FAILURE_LIMIT, now),
    lockoutFor({ ip }, IP_FAILURE_LIMIT, now),
  ]);
  if (byEmail.locked && byIp.locked) {
    return { locked: true, retryAt: byEmail.retryAt > byIp.retryAt ? byEmail.retryAt : byIp.retryAt };
  }
  return byEmail.locked ? byEmail : byIp;
}

export async function recordSignInAttempt(email: string, ip: string, succeeded: boolean, now = new Date()) {
  await db.insert(loginAttempts).values({ email, ip, succeeded, createdAt: now });
}

/** Attempts older than a day no longer matter to any lockout. */
export async function pruneSignInAttempts(now = new Date()) {
  await db.delete(loginAttempts).where(lt(loginAttempts.createdAt, new Date(now.getTime() - 24 * 60 * 60 * 1000)));
}
