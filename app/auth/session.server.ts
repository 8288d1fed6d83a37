import { and, desc, eq, gt, lt, ne, sql } from "drizzle-orm";
import { db, lookupDb } from "../../db/client";
import { notifications, practiceSettings, sessions, users, userTotp, type User } from "../../db/schema";
import { recordAudit } from "~/models/audit.server";
import { notFound, RuleViolation } from "~/models/errors.server";
import { clearCookie, readCookie, serializeCookie } from "./cookies.server";
import { isStaff } from "./permissions";
import { generateToken, hashToken } from "./tokens.server";

// Lucia's session design: a random token in an HttpOnly cookie, only its SHA-256 in the
// database, a 30-day lifetime that slides forward whenever the session is used.

export const SESSION_COOKIE = "cairn_session";
const MINUTE_MS = 60 * 1000;
const DAY_MS = 24 * 60 * MINUTE_MS;
export const SESSION_LIFETIME_MS = 30 * DAY_MS;
// Extend at most once a day's worth of use, not on every request.
const REFRESH_WHEN_LESS_THAN_MS = SESSION_LIFETIME_MS - DAY_MS;
// "Last seen" on the account page is kept to within a few minutes, not written on every request.
export const LAST_SEEN_RESOLUTION_MS = 5 * MINUTE_MS;
// What a session keeps about the device that opened it, cut to a sane length.
const USER_AGENT_MAX = 512;
const IP_MAX = 64;

export type SessionUser = Pick<User, "id" | "email" | "name" | "role">;
export type ValidSession = {
  sessionId: string;
  expiresAt: Date;
  user: SessionUser;
  refreshed: boolean;
  /** The second factor was entered on this session (only meaningful when the user has one). */
  twoFactorVerified: boolean;
  /** The user has an authenticator app set up. */
  hasTwoFactor: boolean;
  /** The practice requires staff to use a second factor. */
  staffTwoFactorRequired: boolean;
  /** The bell's count: the user's unread notifications, read in the same query. */
  unreadNotifications: number;
};

/**
 * How far a session has got: fully signed in, waiting for the code from the authenticator app,
 * or (when the practice requires it) waiting for a staff member to set one up.
 */
export type SessionStage = "signed_in" | "two_factor" | "two_factor_setup";

export function sessionStage(session: Pick<ValidSession, "user" | "twoFactorVerified" | "hasTwoFactor" | "staffTwoFactorRequired">): SessionStage {
  if (session.hasTwoFactor) return session.twoFactorVerified ? "signed_in" : "two_factor";
  if (session.staffTwoFactorRequired && isStaff(session.user.role)) return "two_factor_setup";
  return "signed_in";
}

/** Where a session came from, shown on the account page so a person recognises their devices. */
export type SessionDevice = { userAgent?: string | null; ip?: string | null };

/** The device details of a request: its User-Agent header and the client's address. */
export function deviceOf(request: Request, ip: string | null | undefined): SessionDevice {
  return { userAgent: request.headers.get("User-Agent"), ip: ip ?? null };
}

export async function createSession(
  userId: string,
  options: SessionDevice & { twoFactorVerified?: boolean; now?: Date } = {},
) {
  const now = options.now ?? new Date();
  const token = generateToken();
  const expiresAt = new Date(now.getTime() + SESSION_LIFETIME_MS);
  await db.insert(sessions).values({
    id: hashToken(token),
    userId,
    expiresAt,
    createdAt: now,
    lastSeenAt: now,
    userAgent: options.userAgent?.slice(0, USER_AGENT_MAX) || null,
    ip: options.ip?.slice(0, IP_MAX) || null,
    twoFactorVerified: options.twoFactorVerified ?? false,
  });
  return { token, expiresAt };
}

// The bell on every page. Read here, beside the session, so a page costs one query fewer; it uses
// the same index as notifications.server's unreadCount (user_id, read_at).
const unreadNotifications = sql<number>`(select count(*)::int from ${notifications} where ${notifications.userId} = ${users.id} and ${notifications.readAt} is null)`;

const staffTwoFactorRequired = sql<boolean>`exists (select 1 from ${practiceSettings} where ${practiceSettings.key} = 'require_staff_two_factor' and ${practiceSettings.value} = 'true'::jsonb)`;

/**
 * The lookup every page makes, built once (a prepared drizzle query): building the statement
 * from its parts on each call cost about as much as running it.
 */
const sessionLookup = lookupDb
  .select({
    expiresAt: sessions.expiresAt,
    lastSeenAt: sessions.lastSeenAt,
    twoFactorVerified: sessions.twoFactorVerified,
    user: { id: users.id, email: users.email, name: users.name, role: users.role },
    deactivatedAt: users.deactivatedAt,
    hasTwoFactor: sql<boolean>`${userTotp.userId} is not null`,
    staffTwoFactorRequired,
    unreadNotifications,
  })
  .from(sessions)
  .innerJoin(users, eq(users.id, sessions.userId))
  .leftJoin(userTotp, eq(userTotp.userId, sessions.userId))
  .where(eq(sessions.id, sql.placeholder("sessionId")))
  .prepare("session_lookup");

export async function validateSessionToken(token: string, now = new Date()): Promise<ValidSession | null> {
  const sessionId = hashToken(token);
  // One query answers everything a request needs to know about who is asking.
  const [row] = await sessionLookup.execute({ sessionId });
  if (!row) return null;
  if (row.expiresAt.getTime() <= now.getTime() || row.deactivatedAt) {
    await db.delete(sessions).where(eq(sessions.id, sessionId));
    return null;
  }
  let expiresAt = row.expiresAt;
  let refreshed = false;
  const changes: { expiresAt?: Date; lastSeenAt?: Date } = {};
  if (expiresAt.getTime() - now.getTime() < REFRESH_WHEN_LESS_THAN_MS) {
    expiresAt = new Date(now.getTime() + SESSION_LIFETIME_MS);
    refreshed = true;
    changes.expiresAt = expiresAt;
  }
  // Rides along with the extension, and otherwise is written at most every few minutes.
  if (refreshed || now.getTime() - row.lastSeenAt.getTime() >= LAST_SEEN_RESOLUTION_MS) changes.lastSeenAt = now;
  if (changes.expiresAt || changes.lastSeenAt) await db.update(sessions).set(changes).where(eq(sessions.id, sessionId));
  return {
    sessionId,
    expiresAt,
    user: row.user,
    refreshed,
    twoFactorVerified: row.twoFactorVerified,
    hasTwoFactor: Boolean(row.hasTwoFactor),
    staffTwoFactorRequired: Boolean(row.staffTwoFactorRequired),
    unreadNotifications: Number(row.unreadNotifications ?? 0),
  };
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

// ---------------------------------------------------------------------------------------------
// A person's own sessions, as the account page lists them. The page never carries a session's
// id (the hash of its cookie); each row has a public id derived from it instead.

export function sessionPublicId(sessionId: string): string {
  return hashToken(`public:${sessionId}`).slice(0, 24);
}

type Actor = { id: string };

/** The actor's unexpired sessions, most recently used first, the current one marked. */
export async function listOwnSessions(actor: Actor, currentSessionId: string, now = new Date()) {
  const rows = await db
    .select({
      id: sessions.id,
      createdAt: sessions.createdAt,
      lastSeenAt: sessions.lastSeenAt,
      userAgent: sessions.userAgent,
      ip: sessions.ip,
      twoFactorVerified: sessions.twoFactorVerified,
    })
    .from(sessions)
    .where(and(eq(sessions.userId, actor.id), gt(sessions.expiresAt, now)))
    .orderBy(desc(sessions.lastSeenAt), desc(sessions.createdAt));
  return rows.map(({ id, ...row }) => ({ ...row, publicId: sessionPublicId(id), current: id === currentSessionId }));
}

/** Ends one of the actor's other sessions. Someone else's session, or none, is "not found". */
export async function revokeOwnSession(actor: Actor, currentSessionId: string, publicId: string, ip: string | null) {
  const own = await db.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, actor.id));
  const target = own.find((row) => sessionPublicId(row.id) === publicId);
  if (!target) throw notFound();
  if (target.id === currentSessionId) throw new RuleViolation("That is this session. Use Sign out to end it.");
  await db.delete(sessions).where(and(eq(sessions.id, target.id), eq(sessions.userId, actor.id)));
  await recordAudit({ actorId: actor.id, action: "session.revoked", target: { type: "user", id: actor.id }, ip, details: { session: publicId } });
}

/** Ends every session of the actor except the one making the request; answers how many ended. */
export async function revokeOtherOwnSessions(actor: Actor, currentSessionId: string, ip: string | null) {
  const ended = await db
    .delete(sessions)
    .where(and(eq(sessions.userId, actor.id), ne(sessions.id, currentSessionId)))
    .returning({ id: sessions.id });
  await recordAudit({
    actorId: actor.id,
    action: "session.others_revoked",
    target: { type: "user", id: actor.id },
    ip,
    details: { count: ended.length },
  });
  return ended.length;
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
