import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { getUser } from "~/auth/guard.server";
import { createSession, SESSION_LIFETIME_MS, validateSessionToken } from "~/auth/session.server";
import { hashToken } from "~/auth/tokens.server";
import { deactivateUser } from "~/models/users.server";
import { action as accountAction, loader as accountLoader } from "~/routes/account";
import { action as loginAction } from "~/routes/login";
import { action as logoutAction } from "~/routes/logout";
import { db } from "../../db/client";
import { sessions, users } from "../../db/schema";
import {
  cookieAttributes,
  createUser,
  requestWithSession,
  respond,
  sessionTokenFrom,
  setCookieFor,
  TEST_PASSWORD,
  testContext,
} from "../support/factories";

// The cookie tests describe the default setting (Secure decided per request); a shell that
// forces SESSION_COOKIE_SECURE or trusts a proxy must not change what they check.
vi.stubEnv("SESSION_COOKIE_SECURE", "auto");
vi.stubEnv("TRUST_PROXY", "");

const MINUTE_MS = 60 * 1000;
const DAY_MS = 24 * 60 * MINUTE_MS;

async function sessionRowsOf(userId: string) {
  return db.select().from(sessions).where(eq(sessions.userId, userId));
}

async function sessionRow(token: string) {
  const [row] = await db.select().from(sessions).where(eq(sessions.id, hashToken(token)));
  return row;
}

async function signInThroughForm(email: string, origin = "http://localhost:3000") {
  const request = requestWithSession(null, "/login", { form: { email, password: TEST_PASSWORD }, origin });
  return respond(() => loginAction({ request, params: {}, context: testContext }));
}

/** Opens /account with the cookie: the page a signed-in user would see, or where they are sent. */
async function openAccountPage(token: string) {
  const request = requestWithSession(token, "/account");
  return respond(() => accountLoader({ request, params: {}, context: testContext }));
}

function expectSentToSignIn(response: Response) {
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get("Location")!, "http://localhost:3000");
  expect(location.pathname).toBe("/login");
}

describe("session storage", () => {
  it("keeps only the SHA-256 of the cookie's token in the sessions table", async () => {
    const user = await createUser({ role: "coach" });
    const response = await signInThroughForm(user.email);
    const token = sessionTokenFrom(response);
    expect(token).toBeTruthy();

    const rows = await sessionRowsOf(user.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id).toBe(hashToken(token!));
    expect(rows[0]!.id).toMatch(/^[0-9a-f]{64}$/);
    // Someone reading the table (a backup, a leaked dump) finds nothing they could put in a cookie.
    expect(JSON.stringify(rows)).not.toContain(token!);
  });
});

describe("session lifetime", () => {
  it("expires after 30 days without use and the row is deleted", async () => {
    const user = await createUser();
    const start = new Date();
    const unused = await createSession(user.id, { now: start });
    const checkedJustInTime = await createSession(user.id, { now: start });

    const almostThirtyDays = new Date(start.getTime() + SESSION_LIFETIME_MS - MINUTE_MS);
    expect((await validateSessionToken(checkedJustInTime.token, almostThirtyDays))?.user.id).toBe(user.id);

    const thirtyDaysAndAMinute = new Date(start.getTime() + 30 * DAY_MS + MINUTE_MS);
    expect(await validateSessionToken(unused.token, thirtyDaysAndAMinute)).toBeNull();
    expect(await sessionRow(unused.token)).toBeUndefined();
  });

  it("slides forward while it is used, so an active user stays signed in past 30 days", async () => {
    const user = await createUser();
    const start = new Date();
    const { token } = await createSession(user.id, { now: start });

    const tenDaysLater = new Date(start.getTime() + 10 * DAY_MS);
    const used = await validateSessionToken(token, tenDaysLater);
    expect(used?.user.id).toBe(user.id);
    expect(used?.expiresAt.getTime()).toBe(tenDaysLater.getTime() + 30 * DAY_MS);
    expect((await sessionRow(token))?.expiresAt.getTime()).toBe(tenDaysLater.getTime() + 30 * DAY_MS);

    // Past the original 30 days, but within 30 days of the last use: still signed in.
    const thirtyFiveDaysLater = new Date(start.getTime() + 35 * DAY_MS);
    expect((await validateSessionToken(token, thirtyFiveDaysLater))?.user.id).toBe(user.id);

    // Then 30 days of silence end it.
    const afterSilence = new Date(thirtyFiveDaysLater.getTime() + 30 * DAY_MS + MINUTE_MS);
    expect(await validateSessionToken(token, afterSilence)).toBeNull();
    expect(await sessionRow(token)).toBeUndefined();
  });

  it("sends a page request with an expired session to sign in", async () => {
    const user = await createUser();
    const { token } = await createSession(user.id);
    await db
      .update(sessions)
      .set({ expiresAt: new Date(Date.now() - MINUTE_MS) })
      .where(eq(sessions.id, hashToken(token)));

    expectSentToSignIn(await openAccountPage(token));
    expect(await sessionRow(token)).toBeUndefined();
  });
});

describe("signing out", () => {
  it("deletes the session row, clears the cookie and the old cookie no longer works", async () => {
    const user = await createUser({ role: "therapist" });
    const { token } = await createSession(user.id);
    expect((await openAccountPage(token)).status).toBe(200);

    const request = requestWithSession(token, "/logout", { form: {} });
    const response = await respond(() => logoutAction({ request, params: {}, context: testContext }));

    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/login");
    const cleared = setCookieFor(response, "cairn_session");
    expect(cleared).toBeDefined();
    expect(sessionTokenFrom(response)).toBeUndefined();
    expect(cookieAttributes(cleared!)["max-age"]).toBe("0");
    expect(await sessionRow(token)).toBeUndefined();

    // A copy of the cookie (another tab, a stolen value) is worthless now.
    expectSentToSignIn(await openAccountPage(token));
  });

  it("leaves the user's other sessions alone", async () => {
    const user = await createUser();
    const phone = await createSession(user.id);
    const laptop = await createSession(user.id);
    const request = requestWithSession(laptop.token, "/logout", { form: {} });
    await respond(() => logoutAction({ request, params: {}, context: testContext }));

    expect(await sessionRow(laptop.token)).toBeUndefined();
    expect((await openAccountPage(phone.token)).status).toBe(200);
  });
});

describe("deactivation", () => {
  it("ends a deactivated user's open session on its next request", async () => {
    const admin = await createUser({ role: "admin" });
    const client = await createUser({ role: "client" });
    const { token } = await createSession(client.id);
    expect((await openAccountPage(token)).status).toBe(200);

    await deactivateUser(admin, client.id, testContext.clientIp);

    expectSentToSignIn(await openAccountPage(token));
    expect(await getUser(requestWithSession(token, "/portal"))).toBeNull();
    expect(await sessionRowsOf(client.id)).toHaveLength(0);
  });

  it("refuses a session row that outlived the deactivation", async () => {
    const user = await createUser({ role: "coach" });
    const { token } = await createSession(user.id);
    // Deactivated without going through deactivateUser (e.g. a session opened in the same instant).
    await db.update(users).set({ deactivatedAt: new Date() }).where(eq(users.id, user.id));

    expect(await getUser(requestWithSession(token, "/triage"))).toBeNull();
    expectSentToSignIn(await openAccountPage(token));
  });
});

describe("changing the password", () => {
  it("ends every other session of the user and hands this device a new cookie", async () => {
    const user = await createUser({ role: "coach" });
    const other = await createUser({ role: "coach" });
    const phone = await createSession(user.id);
    const tablet = await createSession(user.id);
    const othersSession = await createSession(other.id);
    const { token: current } = await createSession(user.id);

    const newPassword = "a quiet lake at dawn";
    const request = requestWithSession(current, "/account", {
      form: { intent: "password", currentPassword: TEST_PASSWORD, newPassword, confirmPassword: newPassword },
    });
    const response = await respond(() => accountAction({ request, params: {}, context: testContext }));

    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/account");
    const fresh = sessionTokenFrom(response);
    expect(fresh).toBeTruthy();
    expect(fresh).not.toBe(current);

    expectSentToSignIn(await openAccountPage(phone.token));
    expectSentToSignIn(await openAccountPage(tablet.token));
    expect((await openAccountPage(fresh!)).status).toBe(200);
    const rows = await sessionRowsOf(user.id);
    expect(rows.map((row) => row.id)).toEqual([hashToken(fresh!)]);
    // Someone else's session is not touched.
    expect((await openAccountPage(othersSession.token)).status).toBe(200);
  });

  it("keeps every session when the current password is wrong", async () => {
    const user = await createUser();
    const phone = await createSession(user.id);
    const { token: current } = await createSession(user.id);

    const request = requestWithSession(current, "/account", {
      form: { intent: "password", currentPassword: "not my password", newPassword: "a quiet lake at dawn", confirmPassword: "a quiet lake at dawn" },
    });
    const response = await respond(() => accountAction({ request, params: {}, context: testContext }));

    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.errors.currentPassword).toMatch(/current password is not correct/i);
    expect(sessionTokenFrom(response)).toBeUndefined();
    expect((await openAccountPage(phone.token)).status).toBe(200);
    expect(await sessionRowsOf(user.id)).toHaveLength(2);
  });
});

describe("session cookie", () => {
  it("is HttpOnly, SameSite=Lax, scoped to the site, lives 30 days and is not Secure over plain http", async () => {
    const user = await createUser({ role: "client" });
    const response = await signInThroughForm(user.email, "http://localhost:3000");
    const cookie = setCookieFor(response, "cairn_session");
    expect(cookie).toBeDefined();
    const attributes = cookieAttributes(cookie!);
    expect(attributes.httponly).toBe(true);
    expect(String(attributes.samesite).toLowerCase()).toBe("lax");
    expect(attributes.path).toBe("/");
    expect(attributes.secure).toBeUndefined();
    const maxAge = Number(attributes["max-age"]);
    expect(maxAge).toBeGreaterThan(30 * 24 * 60 * 60 - 60);
    expect(maxAge).toBeLessThanOrEqual(30 * 24 * 60 * 60);
  });

  it("is Secure when the request came over https", async () => {
    const user = await createUser({ role: "client" });
    const response = await signInThroughForm(user.email, "https://cairn.example");
    const cookie = setCookieFor(response, "cairn_session");
    expect(cookie).toBeDefined();
    const attributes = cookieAttributes(cookie!);
    expect(attributes.secure).toBe(true);
    expect(attributes.httponly).toBe(true);
    expect(String(attributes.samesite).toLowerCase()).toBe("lax");
  });
});
