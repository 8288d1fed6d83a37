import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { hashToken } from "~/auth/tokens.server";
import { createSession, LAST_SEEN_RESOLUTION_MS, validateSessionToken } from "~/auth/session.server";
import * as accountPage from "~/routes/account";
import { action as loginAction } from "~/routes/login";
import { db } from "../../db/client";
import { auditEvents, sessions } from "../../db/schema";
import {
  createUser,
  requestWithSession,
  respond,
  responseJson,
  sessionTokenFrom,
  TEST_PASSWORD,
  testContext,
} from "../support/factories";
import { renderPage } from "../support/render-page";

// The account page lists where a person is signed in and lets them end those sessions: one at
// a time or all but this one. Nobody can see or end anyone else's.

const FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0";
const SAFARI_IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

type AccountData = {
  sessions: { id: string; device: string; ip: string | null; current: boolean; createdAt: string; lastSeenAt: string }[];
};

async function openAccount(token: string) {
  return respond(() => accountPage.loader({ request: requestWithSession(token, "/account"), params: {}, context: testContext }));
}

async function sessionsSeenBy(token: string) {
  const response = await openAccount(token);
  expect(response.status).toBe(200);
  return (await responseJson<AccountData>(response)).sessions;
}

async function post(token: string, form: Record<string, string>) {
  const request = requestWithSession(token, "/account", { form });
  return respond(() => accountPage.action({ request, params: {}, context: testContext }));
}

function expectSentToSignIn(response: Response) {
  expect(response.status).toBe(302);
  expect(new URL(response.headers.get("Location")!, "http://localhost").pathname).toBe("/login");
}

async function auditOf(userId: string, action: string) {
  return db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.actorId, userId), eq(auditEvents.action, action)));
}

describe("the list of sessions", () => {
  it("shows the person's own unexpired sessions, browser and address, this one marked, nobody else's", async () => {
    const user = await createUser({ role: "coach" });
    const other = await createUser({ role: "coach" });
    await createSession(user.id, { userAgent: FIREFOX_WINDOWS, ip: "198.51.100.20" });
    const expired = await createSession(user.id, { userAgent: FIREFOX_WINDOWS, now: new Date(Date.now() - 31 * 24 * 60 * 60 * 1000) });
    await createSession(other.id, { userAgent: SAFARI_IPHONE, ip: "192.0.2.99" });
    const { token: current } = await createSession(user.id, { userAgent: SAFARI_IPHONE, ip: "203.0.113.50" });

    const listed = await sessionsSeenBy(current);

    expect(listed).toHaveLength(2);
    expect(listed.filter((s) => s.current)).toHaveLength(1);
    expect(listed.find((s) => s.current)).toMatchObject({ device: "Safari on iPhone", ip: "203.0.113.50" });
    expect(listed.find((s) => !s.current)).toMatchObject({ device: "Firefox on Windows", ip: "198.51.100.20" });
    expect(listed.map((s) => s.ip)).not.toContain("192.0.2.99");
    // The page never carries a session's real id (the hash of its cookie).
    expect(JSON.stringify(listed)).not.toContain(hashToken(current));
    expect(JSON.stringify(listed)).not.toContain(hashToken(expired.token));
  });

  it("renders a table of sessions with this one marked and a button to sign out the others", async () => {
    const user = await createUser({ role: "therapist" });
    await createSession(user.id, { userAgent: FIREFOX_WINDOWS, ip: "198.51.100.20" });
    const html = await renderPage(accountPage, "/account", user, "/account");

    expect(html).toContain('<caption class="sr-only">Your sessions</caption>');
    expect(html).toContain("Firefox on Windows");
    expect(html).toContain("198.51.100.20");
    expect(html).toMatch(/This session<\/span>/);
    expect(html).toMatch(/<button type="submit" name="intent" value="revoke-other-sessions"[^>]*>Sign out other sessions<\/button>/);
    expect(html).toMatch(/>Sign out<span class="sr-only"> Firefox on Windows session<\/span><\/button>/);
  });

  it("records the browser and address of a sign-in through the form", async () => {
    const user = await createUser({ role: "client" });
    const request = requestWithSession(null, "/login", { form: { email: user.email, password: TEST_PASSWORD } });
    request.headers.set("User-Agent", FIREFOX_WINDOWS);
    const response = await respond(() => loginAction({ request, params: {}, context: testContext }));
    const token = sessionTokenFrom(response)!;

    const [row] = await db.select().from(sessions).where(eq(sessions.id, hashToken(token)));
    expect(row).toMatchObject({ userAgent: FIREFOX_WINDOWS, ip: testContext.clientIp });
    expect((await sessionsSeenBy(token))[0]).toMatchObject({ device: "Firefox on Windows", ip: testContext.clientIp, current: true });
  });

  it("moves 'last active' forward at most every few minutes, not on every request", async () => {
    const user = await createUser();
    const start = new Date();
    const { token } = await createSession(user.id, { now: start });
    const lastSeen = async () => (await db.select().from(sessions).where(eq(sessions.id, hashToken(token))))[0]!.lastSeenAt.getTime();

    await validateSessionToken(token, new Date(start.getTime() + 60_000));
    expect(await lastSeen()).toBe(start.getTime());

    const later = new Date(start.getTime() + LAST_SEEN_RESOLUTION_MS + 60_000);
    await validateSessionToken(token, later);
    expect(await lastSeen()).toBe(later.getTime());
  });
});

describe("signing out other sessions", () => {
  it("ends all the person's other sessions, keeps this one and says how many", async () => {
    const user = await createUser({ role: "coach" });
    const other = await createUser({ role: "coach" });
    const phone = await createSession(user.id);
    const laptop = await createSession(user.id);
    const othersSession = await createSession(other.id);
    const { token: current } = await createSession(user.id);

    const response = await post(current, { intent: "revoke-other-sessions" });

    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/account");
    expect(response.headers.getSetCookie().join(";")).toContain(encodeURIComponent("signed out of 2 other sessions"));
    expectSentToSignIn(await openAccount(phone.token));
    expectSentToSignIn(await openAccount(laptop.token));
    expect(await sessionsSeenBy(current)).toHaveLength(1);
    expect((await openAccount(othersSession.token)).status).toBe(200);
    const [event] = await auditOf(user.id, "session.others_revoked");
    expect(event).toMatchObject({ targetId: user.id, ip: testContext.clientIp, details: { count: 2 } });
  });

  it("ends one chosen session and leaves the rest", async () => {
    const user = await createUser({ role: "client" });
    const phone = await createSession(user.id, { userAgent: SAFARI_IPHONE });
    const laptop = await createSession(user.id, { userAgent: FIREFOX_WINDOWS });
    const { token: current } = await createSession(user.id);
    const phoneRow = (await sessionsSeenBy(current)).find((s) => s.device === "Safari on iPhone")!;

    const response = await post(current, { intent: "revoke-session", sessionId: phoneRow.id });

    expect(response.status).toBe(302);
    expectSentToSignIn(await openAccount(phone.token));
    expect((await openAccount(laptop.token)).status).toBe(200);
    expect((await openAccount(current)).status).toBe(200);
    const [event] = await auditOf(user.id, "session.revoked");
    expect(event).toMatchObject({ targetId: user.id, details: { session: phoneRow.id } });
  });

  it("answers 404 to ending someone else's session, and it keeps working", async () => {
    const user = await createUser({ role: "coach" });
    const victim = await createUser({ role: "coach" });
    const victimSession = await createSession(victim.id);
    const victimsId = (await sessionsSeenBy(victimSession.token))[0]!.id;
    const { token } = await createSession(user.id);

    const response = await post(token, { intent: "revoke-session", sessionId: victimsId });

    expect(response.status).toBe(404);
    expect((await openAccount(victimSession.token)).status).toBe(200);
    expect(await auditOf(user.id, "session.revoked")).toEqual([]);
    expect((await post(token, { intent: "revoke-session", sessionId: "no-such-session" })).status).toBe(404);
  });

  it("won't end the current session from the list (that is what Sign out is for)", async () => {
    const user = await createUser();
    const { token } = await createSession(user.id);
    const [mine] = await sessionsSeenBy(token);

    const response = await post(token, { intent: "revoke-session", sessionId: mine!.id });

    expect(response.status).toBe(400);
    expect((await responseJson<{ errors: Record<string, string> }>(response)).errors.form).toMatch(/Use Sign out/);
    expect((await openAccount(token)).status).toBe(200);
  });
});
