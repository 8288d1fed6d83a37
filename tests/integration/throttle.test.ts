import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { signIn } from "~/auth/sign-in.server";
import {
  EMAIL_FAILURE_LIMIT,
  IP_FAILURE_LIMIT,
  LOCKOUT_MS,
  recordSignInAttempt,
  signInThrottle,
  WINDOW_MS,
} from "~/auth/throttle.server";
import { action as loginAction } from "~/routes/login";
import { db } from "../../db/client";
import { auditEvents, sessions } from "../../db/schema";
import { createUser, requestWithSession, respond, sessionTokenFrom, TEST_PASSWORD, testContext, uniqueEmail } from "../support/factories";

const MINUTE_MS = 60 * 1000;
const WRONG = "not the right password";

// Every test works from its own IP address, so one test's failures never lock another's.
let ipCounter = 0;
function newIp() {
  ipCounter += 1;
  return `192.0.2.${ipCounter}`;
}

function at(start: Date, minutes: number) {
  return new Date(start.getTime() + minutes * MINUTE_MS);
}

async function submitLogin(email: string, password: string, ip: string) {
  const request = requestWithSession(null, "/login", { form: { email, password } });
  return respond(() => loginAction({ request, params: {}, context: { ...testContext, clientIp: ip } }));
}

describe("per-email throttle", () => {
  it("the limits are the documented ones", () => {
    expect(EMAIL_FAILURE_LIMIT).toBe(5);
    expect(IP_FAILURE_LIMIT).toBe(20);
    expect(WINDOW_MS).toBe(15 * MINUTE_MS);
    expect(LOCKOUT_MS).toBe(15 * MINUTE_MS);
  });

  it("refuses the 6th attempt after 5 failures, even with the right password, and says why", async () => {
    const user = await createUser({ role: "coach" });
    const ip = newIp();
    // Changing the case of the address doesn't buy an attacker fresh attempts.
    const spellings = [user.email, user.email.toUpperCase(), ` ${user.email}`, user.email, user.email.toUpperCase()];
    for (const email of spellings) {
      const response = await submitLogin(email, WRONG, ip);
      expect(response.status).toBe(400);
      expect((await response.json()).errors.form).not.toMatch(/too many/i);
    }

    const response = await submitLogin(user.email, TEST_PASSWORD, ip);
    expect(response.status).toBe(400);
    expect(sessionTokenFrom(response)).toBeUndefined();
    const body = await response.json();
    expect(body.errors.form).toMatch(/too many (sign-in )?attempts/i);
    expect(body.errors.form).toMatch(/minute/);
    expect(body.values).toEqual({ email: user.email });
    expect(await db.select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(0);

    const throttled = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "auth.sign_in_throttled"), eq(auditEvents.ip, ip)));
    expect(throttled).toHaveLength(1);
  });

  it("locks on the 5th failure, not before", async () => {
    const user = await createUser();
    const ip = newIp();
    const start = new Date();
    for (let i = 0; i < 4; i++) await signIn({ email: user.email, password: WRONG, ip, now: at(start, i) });
    expect(await signInThrottle(user.email, ip, at(start, 4))).toEqual({ locked: false });

    await signIn({ email: user.email, password: WRONG, ip, now: at(start, 4) });
    expect(await signInThrottle(user.email, ip, at(start, 4.5))).toEqual({ locked: true, retryAt: at(start, 19) });
    // A different address from the same IP is not locked by this email's failures.
    expect((await signInThrottle(uniqueEmail(), ip, at(start, 4.5))).locked).toBe(false);
  });

  it("lets the person in again once the lockout is over", async () => {
    const user = await createUser({ role: "client" });
    const ip = newIp();
    const start = new Date();
    for (let i = 0; i < 5; i++) await signIn({ email: user.email, password: WRONG, ip, now: at(start, i * 0.1) });

    const during = await signIn({ email: user.email, password: TEST_PASSWORD, ip, now: at(start, 10) });
    expect(during).toMatchObject({ ok: false, reason: "throttled" });
    const retryAt = during.ok === false && during.reason === "throttled" ? during.retryAt : null;
    expect(retryAt).toEqual(at(start, 0.4 + 15));

    const after = await signIn({ email: user.email, password: TEST_PASSWORD, ip, now: new Date(retryAt!.getTime() + 1000) });
    expect(after.ok).toBe(true);
  });

  it("keeps the lockout for the full 15 minutes after the failure that reached the limit", async () => {
    // Failures a minute apart: the 5th, at minute 4, starts a lockout that ends at minute 19,
    // which is also what the refusal tells the person.
    const user = await createUser();
    const ip = newIp();
    const start = new Date();
    for (let i = 0; i < 5; i++) await signIn({ email: user.email, password: WRONG, ip, now: at(start, i) });

    for (const minute of [5, 14, 15.5, 18.5]) {
      const state = await signInThrottle(user.email, ip, at(start, minute));
      expect(state, `at minute ${minute}`).toEqual({ locked: true, retryAt: at(start, 19) });
    }
    const attempt = await signIn({ email: user.email, password: TEST_PASSWORD, ip, now: at(start, 16) });
    expect(attempt).toMatchObject({ ok: false, reason: "throttled" });
    expect((await signIn({ email: user.email, password: TEST_PASSWORD, ip, now: at(start, 19.5) })).ok).toBe(true);
  });

  it("doesn't lock for failures spread over more than 15 minutes", async () => {
    const user = await createUser({ role: "therapist" });
    const ip = newIp();
    const start = new Date();
    for (const minute of [0, 4, 8, 12, 16]) await signIn({ email: user.email, password: WRONG, ip, now: at(start, minute) });

    expect((await signInThrottle(user.email, ip, at(start, 16.5))).locked).toBe(false);
    expect((await signIn({ email: user.email, password: TEST_PASSWORD, ip, now: at(start, 16.5) })).ok).toBe(true);
  });

  it("forgets the email's earlier failures after a successful sign-in", async () => {
    const user = await createUser({ role: "admin" });
    const ip = newIp();
    const start = new Date();
    for (let i = 0; i < 4; i++) await signIn({ email: user.email, password: WRONG, ip, now: at(start, i) });
    expect((await signIn({ email: user.email, password: TEST_PASSWORD, ip, now: at(start, 4) })).ok).toBe(true);

    // Four more mistakes after the success: 8 in the window, but only 4 since the success.
    for (let i = 5; i < 9; i++) await signIn({ email: user.email, password: WRONG, ip, now: at(start, i) });
    expect((await signInThrottle(user.email, ip, at(start, 9))).locked).toBe(false);

    // The count really restarted rather than stopped: a 5th failure after the success locks.
    await signIn({ email: user.email, password: WRONG, ip, now: at(start, 9) });
    expect(await signIn({ email: user.email, password: TEST_PASSWORD, ip, now: at(start, 9.5) })).toMatchObject({
      ok: false,
      reason: "throttled",
    });
  });
});

describe("per-IP throttle", () => {
  it("locks an IP after 20 failures across different emails, for every account", async () => {
    const ip = newIp();
    const start = new Date();
    const early = await createUser({ role: "coach" });
    const late = await createUser({ role: "coach" });

    for (let i = 0; i < 19; i++) {
      const result = await signIn({ email: uniqueEmail("spray"), password: WRONG, ip, now: at(start, i * 0.5) });
      expect(result).toMatchObject({ ok: false, reason: "invalid" });
    }
    // 19 failures: still open (and a success from the IP doesn't wipe the IP's count).
    expect((await signIn({ email: early.email, password: TEST_PASSWORD, ip, now: at(start, 9.6) })).ok).toBe(true);

    await signIn({ email: uniqueEmail("spray"), password: WRONG, ip, now: at(start, 9.7) });
    const refused = await signIn({ email: late.email, password: TEST_PASSWORD, ip, now: at(start, 9.8) });
    expect(refused).toMatchObject({ ok: false, reason: "throttled" });

    // The same account from another address is fine: the lock is on the IP.
    expect((await signIn({ email: late.email, password: TEST_PASSWORD, ip: newIp(), now: at(start, 9.8) })).ok).toBe(true);
    // And the IP is let in again 15 minutes after its last failure.
    expect((await signIn({ email: late.email, password: TEST_PASSWORD, ip, now: at(start, 9.7 + 15.1) })).ok).toBe(true);
  });

  it("shows the too-many-attempts message on the sign-in form when the IP is locked", async () => {
    const ip = newIp();
    // Twenty failures recorded the way signIn records them (the test above drives signIn itself).
    for (let i = 0; i < 20; i++) await recordSignInAttempt(uniqueEmail("spray"), ip, false);
    const user = await createUser();

    const response = await submitLogin(user.email, TEST_PASSWORD, ip);
    expect(response.status).toBe(400);
    expect(sessionTokenFrom(response)).toBeUndefined();
    expect((await response.json()).errors.form).toMatch(/too many (sign-in )?attempts/i);
  });
});
