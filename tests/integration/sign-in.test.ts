import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { validateSessionToken } from "~/auth/session.server";
import { action as loginAction, INVALID_CREDENTIALS } from "~/routes/login";
import { db } from "../../db/client";
import { auditEvents, users, type Role } from "../../db/schema";
import {
  createUser,
  requestWithSession,
  respond,
  sessionTokenFrom,
  TEST_PASSWORD,
  testContext,
  uniqueEmail,
} from "../support/factories";

// Each test signs in from its own address, so the per-IP throttle never links two tests.
let ipCounter = 0;
function contextFromNewIp() {
  ipCounter += 1;
  return { ...testContext, clientIp: `198.51.100.${ipCounter}` };
}

async function submitLogin(form: Record<string, string>, context = contextFromNewIp()) {
  const request = requestWithSession(null, "/login", { form });
  return respond(() => loginAction({ request, params: {}, context }));
}

async function refusal(response: Response) {
  expect(response.status).toBe(400);
  expect(sessionTokenFrom(response)).toBeUndefined();
  const body = await response.json();
  return body as { errors: Record<string, string>; values: Record<string, string> };
}

const HOMES: [Role, string][] = [
  ["admin", "/admin"],
  ["coach", "/triage"],
  ["therapist", "/cases"],
  ["client", "/portal"],
];

describe("signing in", () => {
  it.each(HOMES)("takes a %s to %s with a working session cookie", async (role, home) => {
    const user = await createUser({ role });
    const response = await submitLogin({ email: user.email, password: TEST_PASSWORD });

    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(home);
    const token = sessionTokenFrom(response);
    expect(token).toBeTruthy();
    expect((await validateSessionToken(token!))?.user).toMatchObject({ id: user.id, role });
  });

  it("matches the email case-insensitively and ignores surrounding spaces", async () => {
    const user = await createUser({ role: "coach", email: uniqueEmail("Mixed.Case") });
    const response = await submitLogin({ email: `  ${user.email.toUpperCase()} `, password: TEST_PASSWORD });

    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/triage");
    expect((await validateSessionToken(sessionTokenFrom(response)!))?.user.id).toBe(user.id);
  });

  it("returns to a same-site redirectTo path", async () => {
    const user = await createUser({ role: "therapist" });
    const response = await submitLogin({ email: user.email, password: TEST_PASSWORD, redirectTo: "/account?tab=password" });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/account?tab=password");
  });

  it.each(["//evil.example", "//evil.example/login", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"])(
    "ignores an off-site redirectTo %s and goes home",
    async (redirectTo) => {
      const user = await createUser({ role: "client" });
      const response = await submitLogin({ email: user.email, password: TEST_PASSWORD, redirectTo });
      expect(response.status).toBe(302);
      expect(response.headers.get("Location")).toBe("/portal");
    },
  );
});

describe("refusing a sign-in without revealing which accounts exist", () => {
  it("answers a wrong password and an unknown email with exactly the same message", async () => {
    const user = await createUser({ role: "coach" });
    const wrongPassword = await refusal(await submitLogin({ email: user.email, password: "not the password" }));
    const unknownEmail = await refusal(await submitLogin({ email: uniqueEmail("nobody"), password: TEST_PASSWORD }));

    expect(wrongPassword.errors.form).toBe(INVALID_CREDENTIALS);
    expect(unknownEmail.errors).toEqual(wrongPassword.errors);
    // The typed email is kept for the next try; the password never comes back.
    expect(wrongPassword.values).toEqual({ email: user.email });
  });

  it("gives a deactivated user the same message, even with the right password", async () => {
    const user = await createUser({ role: "therapist", deactivated: true });
    const body = await refusal(await submitLogin({ email: user.email, password: TEST_PASSWORD }));
    expect(body.errors).toEqual({ form: INVALID_CREDENTIALS });
  });

  it("gives an invited user who has not set a password the same message", async () => {
    const email = uniqueEmail("invited");
    await db.insert(users).values({ email, name: "Invited Person", role: "client", passwordHash: null });
    for (const password of [TEST_PASSWORD, " "]) {
      const body = await refusal(await submitLogin({ email, password }));
      expect(body.errors).toEqual({ form: INVALID_CREDENTIALS });
    }
  });
});

describe("audit trail", () => {
  it("records a successful sign-in with the user and the IP", async () => {
    const user = await createUser({ role: "admin" });
    const context = contextFromNewIp();
    await submitLogin({ email: user.email, password: TEST_PASSWORD }, context);

    const rows = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "auth.sign_in"), eq(auditEvents.actorId, user.id)));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ ip: context.clientIp, targetType: "user", targetId: user.id });
  });

  it("records failed sign-ins with the IP and the email tried, for known and unknown addresses", async () => {
    const user = await createUser({ role: "client" });
    const unknown = uniqueEmail("stranger");
    const context = contextFromNewIp();
    await submitLogin({ email: user.email, password: "guessing wrong" }, context);
    await submitLogin({ email: unknown, password: "guessing wrong" }, context);

    const rows = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "auth.sign_in_failed"), eq(auditEvents.ip, context.clientIp)));
    expect(rows).toHaveLength(2);
    const known = rows.find((row) => row.details?.email === user.email);
    expect(known).toMatchObject({ actorId: null, targetType: "user", targetId: user.id });
    expect(rows.find((row) => row.details?.email === unknown)).toMatchObject({ actorId: null, targetId: null });
    // A failure never reads as a success in the log.
    const successes = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "auth.sign_in"), eq(auditEvents.ip, context.clientIp)));
    expect(successes).toHaveLength(0);
  });
});
