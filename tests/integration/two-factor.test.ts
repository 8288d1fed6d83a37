import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getUser } from "~/auth/guard.server";
import { createSession } from "~/auth/session.server";
import { decodeTotpSecret, totpCode } from "~/auth/totp.server";
import * as accountPage from "~/routes/account";
import * as setupPage from "~/routes/account_.two-factor";
import * as adminUserPage from "~/routes/admin.users.$userId";
import * as settingsPage from "~/routes/admin.settings";
import * as casesPage from "~/routes/cases._index";
import * as loginPage from "~/routes/login";
import * as secondStepPage from "~/routes/login_.two-factor";
import { action as logoutAction } from "~/routes/logout";
import { db } from "../../db/client";
import { auditEvents, sessions, userTotp } from "../../db/schema";
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

// Two-step sign-in for staff: set up with an authenticator app on the account pages, asked for
// after the password, enforced by the guard for every page, optionally required for all staff.

type RouteFunction = (args: { request: Request; params: Record<string, string>; context: typeof testContext }) => Promise<unknown>;
type Setup = { secret: string; grouped: string; uri: string };
type FormAnswer = { ok: false; errors: Record<string, string>; values: Record<string, string>; setup?: Setup | null };

async function call(fn: RouteFunction, token: string | null, path: string, form?: Record<string, string>, params: Record<string, string> = {}, context = testContext) {
  const request = requestWithSession(token, path, form ? { form } : {});
  return respond(() => fn({ request, params, context }));
}

function location(response: Response) {
  return response.headers.get("Location");
}

async function signInWithPassword(email: string, redirectTo?: string) {
  const form: Record<string, string> = { email, password: TEST_PASSWORD };
  if (redirectTo) form.redirectTo = redirectTo;
  const response = await call(loginPage.action as RouteFunction, null, "/login", form);
  return { response, token: sessionTokenFrom(response)! };
}

/** Sets up two-step sign-in through the setup page, as a person with an app would. */
async function enableThroughPage(token: string) {
  const page = await call(setupPage.loader as RouteFunction, token, "/account/two-factor");
  expect(page.status).toBe(200);
  const { setup } = await responseJson<{ setup: Setup }>(page);
  const key = decodeTotpSecret(setup.secret)!;
  const response = await call(setupPage.action as RouteFunction, token, "/account/two-factor", {
    secret: setup.secret,
    code: totpCode(key, new Date()),
  });
  expect(response.status).toBe(200);
  const { recoveryCode } = await responseJson<{ recoveryCode: string }>(response);
  return { key, secret: setup.secret, recoveryCode };
}

/** A staff member with two-step sign-in on, and the signed-in session that turned it on. */
async function staffWithTwoFactor(role: "coach" | "therapist" | "admin" = "coach") {
  const user = await createUser({ role });
  const { token } = await createSession(user.id);
  return { user, token, ...(await enableThroughPage(token)) };
}

/** The code the app shows in the next 30-second step: fresh (not yet used) and within the window. */
function nextCode(key: Uint8Array) {
  return totpCode(key, new Date(Date.now() + 30_000));
}

/** A 6-digit code no step of the window accepts. */
function wrongCode(key: Uint8Array) {
  const valid = new Set([-30_000, 0, 30_000].map((offset) => totpCode(key, new Date(Date.now() + offset))));
  for (let n = 0; ; n++) {
    const candidate = String(n).padStart(6, "0");
    if (!valid.has(candidate)) return candidate;
  }
}

async function auditActions(userId: string) {
  const rows = await db.select().from(auditEvents).where(eq(auditEvents.targetId, userId));
  return rows.map((row) => row.action);
}

async function factorOf(userId: string) {
  const [row] = await db.select().from(userTotp).where(eq(userTotp.userId, userId));
  return row ?? null;
}

describe("setting up two-step sign-in", () => {
  it("shows staff a secret and its otpauth:// address, and refuses a wrong code beside the field", async () => {
    const user = await createUser({ role: "therapist" });
    const { token } = await createSession(user.id);
    const page = await call(setupPage.loader as RouteFunction, token, "/account/two-factor");
    expect(page.headers.get("Cache-Control")).toBe("no-store");
    const { setup } = await responseJson<{ setup: Setup }>(page);
    expect(setup.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(setup.uri).toContain(`secret=${setup.secret}`);
    expect(setup.uri).toMatch(/^otpauth:\/\/totp\/Cairn:/);

    const key = decodeTotpSecret(setup.secret)!;
    const wrong = await call(setupPage.action as RouteFunction, token, "/account/two-factor", { secret: setup.secret, code: wrongCode(key) });
    expect(wrong.status).toBe(400);
    const body = await responseJson<FormAnswer>(wrong);
    expect(body.errors.code).toMatch(/doesn't match/);
    // The same secret stays on screen: the app already has it.
    expect(body.setup?.secret).toBe(setup.secret);
    expect(await factorOf(user.id)).toBeNull();

    const malformed = await call(setupPage.action as RouteFunction, token, "/account/two-factor", { secret: setup.secret, code: "12ab" });
    expect(malformed.status).toBe(400);
    expect((await responseJson<FormAnswer>(malformed)).errors.code).toBe("Enter the 6-digit code from your app.");
  });

  it("turns on with the right code, shows a recovery code once and asks the person's other sessions for a code", async () => {
    const user = await createUser({ role: "coach" });
    const laptop = await createSession(user.id);
    const { token } = await createSession(user.id);

    const { recoveryCode } = await enableThroughPage(token);

    expect(recoveryCode).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
    const factor = await factorOf(user.id);
    expect(factor).not.toBeNull();
    expect(JSON.stringify(factor)).not.toContain(recoveryCode.replaceAll("-", ""));
    expect(await auditActions(user.id)).toContain("two_factor.enabled");
    // This session goes on; the laptop must now enter a code.
    expect((await call(accountPage.loader as RouteFunction, token, "/account")).status).toBe(200);
    const elsewhere = await call(accountPage.loader as RouteFunction, laptop.token, "/account");
    expect(location(elsewhere)).toBe("/login/two-factor?redirectTo=%2Faccount");
    // Reloading the page doesn't show the recovery code again, nor a new secret.
    const again = await responseJson<{ enabled: boolean; setup: Setup | null }>(await call(setupPage.loader as RouteFunction, token, "/account/two-factor"));
    expect(again).toMatchObject({ enabled: true, setup: null });
  });

  it("is not offered to clients: the setup page answers 404 and the account page has no such section", async () => {
    const client = await createUser({ role: "client" });
    const { token } = await createSession(client.id);
    expect((await call(setupPage.loader as RouteFunction, token, "/account/two-factor")).status).toBe(404);
    const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    const posted = await call(setupPage.action as RouteFunction, token, "/account/two-factor", {
      secret,
      code: totpCode(decodeTotpSecret(secret)!, new Date()),
    });
    expect(posted.status).toBe(404);
    expect(await factorOf(client.id)).toBeNull();

    const html = await renderPage(accountPage, "/account", client, "/account");
    expect(html).toContain("<h1>Your account</h1>");
    expect(html).not.toContain("Two-step sign-in");

    const staffHtml = await renderPage(accountPage, "/account", await createUser({ role: "coach" }), "/account");
    expect(staffHtml).toMatch(/<h2 id="two-factor-title">Two-step sign-in<\/h2>/);
    expect(staffHtml).toMatch(/<a[^>]*href="\/account\/two-factor"[^>]*>Set up two-step sign-in<\/a>/);
  });
});

describe("signing in with two-step sign-in on", () => {
  it("asks for the code after the password, and until then no page counts the person as signed in", async () => {
    const { user, key } = await staffWithTwoFactor("coach");

    const { response, token } = await signInWithPassword(user.email, "/cases");
    expect(response.status).toBe(302);
    expect(location(response)).toBe("/login/two-factor?redirectTo=%2Fcases");
    expect(token).toBeTruthy();
    const [row] = await db.select().from(sessions).where(and(eq(sessions.userId, user.id), eq(sessions.twoFactorVerified, false)));
    expect(row).toBeDefined();

    // Half signed in: every protected page sends them to the second step, and nothing knows them.
    const cases = await call(casesPage.loader as RouteFunction, token, "/cases");
    expect(cases.status).toBe(302);
    expect(location(cases)).toBe("/login/two-factor?redirectTo=%2Fcases");
    expect(await getUser(requestWithSession(token, "/cases"))).toBeNull();
    expect(location(await call(loginPage.loader as RouteFunction, token, "/login"))).toBe("/login/two-factor");
    expect((await call(secondStepPage.loader as RouteFunction, token, "/login/two-factor?redirectTo=%2Fcases")).status).toBe(200);

    const wrong = await call(secondStepPage.action as RouteFunction, token, "/login/two-factor", { intent: "code", code: wrongCode(key), redirectTo: "/cases" });
    expect(wrong.status).toBe(400);
    expect((await responseJson<FormAnswer>(wrong)).errors.code).toMatch(/isn't right/);
    expect((await call(casesPage.loader as RouteFunction, token, "/cases")).status).toBe(302);

    const right = await call(secondStepPage.action as RouteFunction, token, "/login/two-factor", { intent: "code", code: nextCode(key), redirectTo: "/cases" });
    expect(right.status).toBe(302);
    expect(location(right)).toBe("/cases");
    expect((await call(casesPage.loader as RouteFunction, token, "/cases")).status).toBe(200);
    expect((await getUser(requestWithSession(token, "/cases")))?.id).toBe(user.id);
    // Signed in now: the second-step page has nothing left to ask.
    expect(location(await call(secondStepPage.loader as RouteFunction, token, "/login/two-factor"))).toBe("/triage");
    const actions = await auditActions(user.id);
    expect(actions).toContain("two_factor.failed");
    expect(actions).toContain("two_factor.verified");
  });

  it("refuses a code that was already used once", async () => {
    const { user, key } = await staffWithTwoFactor("therapist");
    const code = nextCode(key);
    const first = await signInWithPassword(user.email);
    const ok = await call(secondStepPage.action as RouteFunction, first.token, "/login/two-factor", { intent: "code", code });
    expect(location(ok)).toBe("/cases");

    const second = await signInWithPassword(user.email);
    const replayed = await call(secondStepPage.action as RouteFunction, second.token, "/login/two-factor", { intent: "code", code });
    expect(replayed.status).toBe(400);
    expect((await call(casesPage.loader as RouteFunction, second.token, "/cases")).status).toBe(302);
  });

  it("ends the half-signed-in session after 5 wrong codes and pauses signing in", async () => {
    const { user, key } = await staffWithTwoFactor("coach");
    const context = { ...testContext, clientIp: "198.51.100.77" };
    const { token } = await signInWithPassword(user.email);
    for (let i = 1; i <= 4; i++) {
      const answer = await call(secondStepPage.action as RouteFunction, token, "/login/two-factor", { intent: "code", code: wrongCode(key) }, {}, context);
      expect(answer.status).toBe(400);
    }
    const fifth = await call(secondStepPage.action as RouteFunction, token, "/login/two-factor", { intent: "code", code: wrongCode(key) }, {}, context);

    expect(fifth.status).toBe(302);
    expect(location(fifth)).toBe("/login");
    expect(sessionTokenFrom(fifth)).toBeUndefined();
    expect(fifth.headers.getSetCookie().join(";")).toContain(encodeURIComponent("Too many wrong codes"));
    expect(location(await call(casesPage.loader as RouteFunction, token, "/cases"))).toBe("/login?redirectTo=%2Fcases");
    // Even the right code no longer helps, and the password is refused for now.
    const late = await call(secondStepPage.action as RouteFunction, token, "/login/two-factor", { intent: "code", code: nextCode(key) }, {}, context);
    expect(location(late)).toBe("/login");
    const again = await signInWithPassword(user.email);
    expect(again.token).toBeUndefined();
    expect((await responseJson<FormAnswer>(again.response)).errors.form).toMatch(/Too many sign-in attempts/);
  });

  it("lets the person in once with the recovery code, turns the factor off and asks them to set it up again", async () => {
    const { user, recoveryCode } = await staffWithTwoFactor("coach");
    const { token } = await signInWithPassword(user.email);

    const used = await call(secondStepPage.action as RouteFunction, token, "/login/two-factor", {
      intent: "recovery",
      recoveryCode: recoveryCode.toUpperCase().replaceAll("-", " "),
    });

    expect(used.status).toBe(302);
    expect(location(used)).toBe("/account/two-factor");
    expect(used.headers.getSetCookie().join(";")).toContain(encodeURIComponent("set it up again"));
    expect(await factorOf(user.id)).toBeNull();
    expect((await call(casesPage.loader as RouteFunction, token, "/cases")).status).toBe(200);
    expect(await auditActions(user.id)).toContain("two_factor.recovery_used");

    // Set up again: the old recovery code is worth nothing now.
    const { token: fresh } = await createSession(user.id);
    await enableThroughPage(fresh);
    const next = await signInWithPassword(user.email);
    const reused = await call(secondStepPage.action as RouteFunction, next.token, "/login/two-factor", { intent: "recovery", recoveryCode });
    expect(reused.status).toBe(400);
    expect((await responseJson<FormAnswer>(reused)).errors.recoveryCode).toMatch(/isn't right/);
    expect(await factorOf(user.id)).not.toBeNull();
  });

  it("lets a half-signed-in person sign out", async () => {
    const { user } = await staffWithTwoFactor("coach");
    const { token } = await signInWithPassword(user.email);
    const response = await call(logoutAction as RouteFunction, token, "/logout", {});
    expect(location(response)).toBe("/login");
    expect(await db.select().from(sessions).where(and(eq(sessions.userId, user.id), eq(sessions.twoFactorVerified, false)))).toEqual([]);
  });
});

describe("turning it off", () => {
  it("needs a current code or the password", async () => {
    const { user, token, key } = await staffWithTwoFactor("coach");

    const empty = await call(accountPage.action as RouteFunction, token, "/account", { intent: "disable-two-factor", code: "", password: "" });
    expect(empty.status).toBe(400);
    expect((await responseJson<FormAnswer>(empty)).errors.code).toMatch(/code from your app, or your password/);

    const wrongPassword = await call(accountPage.action as RouteFunction, token, "/account", { intent: "disable-two-factor", password: "not my password" });
    expect(wrongPassword.status).toBe(400);
    expect((await responseJson<FormAnswer>(wrongPassword)).errors.password).toBe("That password is not correct.");
    const wrong = await call(accountPage.action as RouteFunction, token, "/account", { intent: "disable-two-factor", code: wrongCode(key) });
    expect(wrong.status).toBe(400);
    expect(await factorOf(user.id)).not.toBeNull();

    const off = await call(accountPage.action as RouteFunction, token, "/account", { intent: "disable-two-factor", code: nextCode(key) });
    expect(off.status).toBe(302);
    expect(await factorOf(user.id)).toBeNull();
    expect(await auditActions(user.id)).toContain("two_factor.disabled");
    // Signing in takes only the password again.
    expect(location((await signInWithPassword(user.email)).response)).toBe("/triage");
  });

  it("can be reset by an admin for someone who lost their phone, signing them out everywhere", async () => {
    const { user, token } = await staffWithTwoFactor("therapist");
    const admin = await createUser({ role: "admin" });
    const { token: adminToken } = await createSession(admin.id);
    const path = `/admin/users/${user.id}`;

    const page = await responseJson<{ twoFactorEnabled: boolean }>(await call(adminUserPage.loader as RouteFunction, adminToken, path, undefined, { userId: user.id }));
    expect(page.twoFactorEnabled).toBe(true);
    const coach = await createUser({ role: "coach" });
    const { token: coachToken } = await createSession(coach.id);
    expect((await call(adminUserPage.action as RouteFunction, coachToken, path, { intent: "reset-two-factor" }, { userId: user.id })).status).toBe(404);
    expect(await factorOf(user.id)).not.toBeNull();

    const reset = await call(adminUserPage.action as RouteFunction, adminToken, path, { intent: "reset-two-factor" }, { userId: user.id });

    expect(reset.status).toBe(302);
    expect(await factorOf(user.id)).toBeNull();
    expect(location(await call(casesPage.loader as RouteFunction, token, "/cases"))).toBe("/login?redirectTo=%2Fcases");
    const [event] = await db.select().from(auditEvents).where(and(eq(auditEvents.action, "two_factor.reset"), eq(auditEvents.targetId, user.id)));
    expect(event).toMatchObject({ actorId: admin.id });
    expect(location((await signInWithPassword(user.email)).response)).toBe("/cases");
  });
});

describe("requiring two-step sign-in for all staff", () => {
  it("sends staff without it to set it up, lets them reach nothing else until they have, and leaves clients alone", async () => {
    const admin = await createUser({ role: "admin" });
    const { token: adminToken } = await createSession(admin.id);
    const settingsHtml = await renderPage(settingsPage, "/admin/settings", admin, "/admin/settings");
    expect(settingsHtml).toMatch(/<input id="require_staff_two_factor" name="require_staff_two_factor" type="checkbox"/);
    expect(settingsHtml).toMatch(/<label for="require_staff_two_factor"[^>]*>Require two-step sign-in for all staff<\/label>/);

    const form = { first_response_target_hours: "24", crisis_message: "If you are in danger right now, call your local emergency number." };
    const saved = await call(settingsPage.action as RouteFunction, adminToken, "/admin/settings", { ...form, require_staff_two_factor: "on" });
    expect(saved.status).toBe(302);
    try {
      const [event] = await db.select().from(auditEvents).where(and(eq(auditEvents.actorId, admin.id), eq(auditEvents.action, "settings.changed")));
      expect(event?.details).toMatchObject({ require_staff_two_factor: true });

      // The admin who switched it on is held to it too, from their next request.
      expect(location(await call(adminUserPage.loader as RouteFunction, adminToken, `/admin/users/${admin.id}`, undefined, { userId: admin.id }))).toBe(
        "/account/two-factor",
      );

      const coach = await createUser({ role: "coach" });
      const { response, token } = await signInWithPassword(coach.email);
      expect(location(response)).toBe("/account/two-factor");
      expect(location(await call(casesPage.loader as RouteFunction, token, "/cases"))).toBe("/account/two-factor");
      expect(location(await call(accountPage.loader as RouteFunction, token, "/account"))).toBe("/account/two-factor");
      expect(await getUser(requestWithSession(token, "/cases"))).toBeNull();
      const setup = await responseJson<{ required: boolean }>(await call(setupPage.loader as RouteFunction, token, "/account/two-factor"));
      expect(setup.required).toBe(true);

      await enableThroughPage(token);
      expect((await call(casesPage.loader as RouteFunction, token, "/cases")).status).toBe(200);

      const client = await createUser({ role: "client" });
      const clientSignIn = await signInWithPassword(client.email);
      expect(location(clientSignIn.response)).toBe("/portal");
      expect((await call(accountPage.loader as RouteFunction, clientSignIn.token, "/account")).status).toBe(200);
    } finally {
      const fresh = await createSession(admin.id);
      await enableThroughPage(fresh.token);
      const off = await call(settingsPage.action as RouteFunction, fresh.token, "/admin/settings", form);
      expect(off.status).toBe(302);
    }
    const coach = await createUser({ role: "coach" });
    expect(location((await signInWithPassword(coach.email)).response)).toBe("/triage");
  });
});
