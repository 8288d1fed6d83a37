import { eq, lt } from "drizzle-orm";
import { db } from "../../db/client";
import { sessions, users, type User } from "../../db/schema";
import { clearCookie, readCookie, serializeCookie } from "./cookies.server";
import { generateToken, hashToken } from "./tokens.server";

// Lucia's session design: a random token in an HttpOnly cookie, only its SHA-256 in the
// database, a 30-day lifetime that slides forward whenever the session is used.

export const SESSION_COOKIE = "cairn_session";
const DAY_MS = 24 * 60 * 60 * 1000;
export const SESSION_LIFETIME_MS = 30 * DAY_MS;
// Extend at most once a day's worth of use, not on every request.
const REFRESH_WHEN_LESS_THAN_MS = SESSION_LIFETIME_MS - DAY_MS;

export type SessionUser = Pick<User, "id" | "email" | "name" | "role">;
export type ValidSession = { sessionId: string; expiresAt: Date; user: SessionUser; refreshed: boolean };

export async function createSession(userId: string, now = new Date()) {
  const token = generateToken();
  const expiresAt = new Date(now.getTime() + SESSION_LIFETIME_MS);
  await db.insert(sessions).values({ id: hashToken(token), userId, expiresAt, createdAt: now });
  return { token, expiresAt };
}

export async function validateSessionToken(token: string, now = new Date()): Promise<ValidSession | null> {
  const sessionId = hashToken(token);
  const [row] = await db
    .select({
      expiresAt: sessions.expiresAt,
      user: { id: users.id, email: users.email, name: users.name, role: users.role },
      deactivatedAt: users.deactivatedAt,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.id, sessionId));
  if (!row) return null;
  if (row.expiresAt.getTime() <= now.getTime() || row.deactivatedAt) {
    await db.delete(sessions).where(eq(sessions.id, sessionId));
    return null;
  }
  let expiresAt = row.expiresAt;
  let refreshed = false;
  if (expiresAt.getTime() - now.getTime() < REFRESH_WHEN_LESS_THAN_MS) {
    expiresAt = new Date(now.getTime() + SESSION_LIFETIME_MS);
    refreshed = true;
    await db.update(sessions).set({ expiresAt }).where(eq(sessions.id, sessionId));
  }
  return { sessionId, expiresAt, user: row.user, refreshed };
}

export async function invalidateSession(sessionId: string) {
  await db.delete(sessions).where(eq(sessions.id, sessionId));
}

/** Ends every session of a user at once (password change, deactivation). */
export async function invalidateUserSessions(userId: string) {
  await db.delete(sessions).where(eq(sessions.userId, userId));
}

export async function deleteExpiredSessions(now = new Date()) {
  await db.delete(sessions).where(lt(sessions.expiresAt, now));
}

export function readSessionToken(request: Request) {
  return readCookie(request, SESSION_COOKIE);
}

export function sessionCookie(request: Request, token: string, expiresAt: Date) {
  const maxAgeSeconds = Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000));
  return serializeCookie(request, SESSION_COOKIE, token, { maxAgeSeconds });
}

export function clearSessionCookie(request: Request) {
  return clearCookie(request, SESSION_COOKIE);
}
