import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { peekToken } from "~/auth/one-time-tokens.server";
import { createSession, validateSessionToken } from "~/auth/session.server";
import { signIn } from "~/auth/sign-in.server";
import { hashToken } from "~/auth/tokens.server";
import { latestEmailTo } from "~/models/outbox.server";
import { inviteUser, requestPasswordReset, resendInvitation, revokeInvitation } from "~/models/users.server";
import { action as forgotAction } from "~/routes/forgot-password";
import { action as inviteAction, loader as inviteLoader } from "~/routes/invite.$token";
import { action as resetAction, loader as resetLoader } from "~/routes/reset-password.$token";
import { db } from "../../db/client";
import { emailOutbox, oneTimeTokens, type Role } from "../../db/schema";
import {
  createUser,
  reloadUser,
  requestWithSession,
  respond,
  sessionTokenFrom,
  TEST_PASSWORD,
  testContext,
  tokenFromLink,
  uniqueEmail,
} from "../support/factories";

const MINUTE_MS = 60 * 1000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const NEW_PASSWORD = "lanterns along the river";
const IP = testContext.clientIp;

async function outboxTo(address: string) {
  return db
    .select()
    .from(emailOutbox)
    .where(sql`lower(${emailOutbox.toAddress}) = lower(${address})`);
}

async function tokenRow(token: string) {
  const [row] = await db.select().from(oneTimeTokens).where(eq(oneTimeTokens.id, hashToken(token)));
  return row!;
}

/** Pretends the link was sent long ago: it is now `ago` past its expiry. */
async function expireToken(token: string, ago = MINUTE_MS) {
  await db
    .update(oneTimeTokens)
    .set({ expiresAt: new Date(Date.now() - ago) })
    .where(eq(oneTimeTokens.id, hashToken(token)));
}

async function forgotPassword(email: string) {
  const request = requestWithSession(null, "/forgot-password", { form: { email } });
  return respond(() => forgotAction({ request, params: {}, context: testContext }));
}

async function resetLinkFor(email: string) {
  await requestPasswordReset(email, IP);
  return tokenFromLink((await latestEmailTo(email))?.link, "/reset-password/");
}

async function openResetPage(token: string) {
  const request = requestWithSession(null, `/reset-password/${token}`);
  return (await respond(() => resetLoader({ request, params: { token }, context: testContext }))).json();
}

async function submitReset(token: string, password = NEW_PASSWORD, confirmPassword = password) {
  const request = requestWithSession(null, `/reset-password/${token}`, { form: { password, confirmPassword } });
  return respond(() => resetAction({ request, params: { token }, context: testContext }));
}

async function invite(role: Role = "coach", name = "Robin Ashdown") {
  const admin = await createUser({ role: "admin" });
  const email = uniqueEmail("invitee");
  const user = await inviteUser(admin, { name, email, role }, IP);
  const token = tokenFromLink((await latestEmailTo(email))?.link, "/invite/");
  return { admin, user, email, token };
}

async function openInvitePage(token: string) {
  const request = requestWithSession(null, `/invite/${token}`);
  return (await respond(() => inviteLoader({ request, params: { token }, context: testContext }))).json();
}

async function submitInvite(token: string, form: { name: string; password: string; confirmPassword?: string }) {
  const request = requestWithSession(null, `/invite/${token}`, {
    form: { name: form.name, password: form.password, confirmPassword: form.confirmPassword ?? form.password },
  });
  return respond(() => inviteAction({ request, params: { token }, context: testContext }));
}

describe("password reset", () => {
  it("emails a /reset-password/<token> link that opens the reset form for that account", async () => {
    const user = await createUser({ role: "therapist" });
    const response = await forgotPassword(user.email);
    expect(response.status).toBe(200);

    const emails = await outboxTo(user.email);
    expect(emails).toHaveLength(1);
    const email = emails[0]!;
    expect(email.subject).toMatch(/reset/i);
    const token = tokenFromLink(email.link, "/reset-password/");
    expect(email.textBody).toContain(email.link!);
    expect(email.status).toBe("pending");
    // Only the hash is stored, and the link is good for one hour.
    const row = await tokenRow(token);
    expect(row.userId).toBe(user.id);
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(HOUR_MS);
    expect(await openResetPage(token)).toEqual({ valid: true, email: user.email });
  });

  it("works once: sets the new password, signs in, and the link is dead afterwards", async () => {
    const user = await createUser({ role: "client" });
    const token = await resetLinkFor(user.email);

    const first = await submitReset(token);
    expect(first.status).toBe(302);
    expect(first.headers.get("Location")).toBe("/portal");
    const session = await validateSessionToken(sessionTokenFrom(first)!);
    expect(session?.user.id).toBe(user.id);
    expect((await signIn({ email: user.email, password: NEW_PASSWORD, ip: IP })).ok).toBe(true);
    expect((await signIn({ email: user.email, password: TEST_PASSWORD, ip: IP })).ok).toBe(false);
    const hashAfterReset = (await reloadUser(user.id)).passwordHash;

    const second = await submitReset(token, "someone else's new passphrase");
    expect(second.status).toBe(400);
    expect(sessionTokenFrom(second)).toBeUndefined();
    expect((await second.json()).errors.form).toMatch(/expired or was already used/i);
    expect((await reloadUser(user.id)).passwordHash).toBe(hashAfterReset);
    expect(await openResetPage(token)).toEqual({ valid: false, email: null });
  });

  it("stops working an hour after it was sent", async () => {
    const user = await createUser();
    const token = await resetLinkFor(user.email);
    const sentAt = (await tokenRow(token)).createdAt;
    expect(await peekToken(token, "password_reset", new Date(sentAt.getTime() + 59 * MINUTE_MS))).not.toBeNull();
    expect(await peekToken(token, "password_reset", new Date(sentAt.getTime() + 61 * MINUTE_MS))).toBeNull();

    await expireToken(token);
    expect(await openResetPage(token)).toEqual({ valid: false, email: null });
    const response = await submitReset(token);
    expect(response.status).toBe(400);
    expect(sessionTokenFrom(response)).toBeUndefined();
    expect((await reloadUser(user.id)).passwordHash).toBe(user.passwordHash);
  });

  it("a newer link replaces the older one", async () => {
    const user = await createUser();
    const older = await resetLinkFor(user.email);
    const newer = await resetLinkFor(user.email);
    expect(newer).not.toBe(older);
    expect(await openResetPage(older)).toEqual({ valid: false, email: null });
    expect(await openResetPage(newer)).toEqual({ valid: true, email: user.email });
  });

  it("signs out every other device of the account", async () => {
    const user = await createUser({ role: "coach" });
    const phone = await createSession(user.id);
    const laptop = await createSession(user.id);
    const token = await resetLinkFor(user.email);

    const response = await submitReset(token);
    expect(response.status).toBe(302);
    expect(await validateSessionToken(phone.token)).toBeNull();
    expect(await validateSessionToken(laptop.token)).toBeNull();
    expect((await validateSessionToken(sessionTokenFrom(response)!))?.user.id).toBe(user.id);
  });

  it("answers an unknown email exactly like a known one, and sends nothing", async () => {
    const known = await createUser();
    const unknown = uniqueEmail("nobody");
    const outboxBefore = await db.select({ id: emailOutbox.id }).from(emailOutbox);

    const forKnown = await forgotPassword(known.email);
    const forUnknown = await forgotPassword(unknown);

    expect(forUnknown.status).toBe(forKnown.status);
    expect(await forUnknown.json()).toEqual({ ok: true, email: unknown });
    expect(await forKnown.json()).toEqual({ ok: true, email: known.email });
    expect(await outboxTo(unknown)).toHaveLength(0);
    const outboxAfter = await db.select({ id: emailOutbox.id }).from(emailOutbox);
    expect(outboxAfter).toHaveLength(outboxBefore.length + 1);
  });

  it("sends nothing to a deactivated account", async () => {
    const user = await createUser({ deactivated: true });
    const response = await forgotPassword(user.email);
    expect(response.status).toBe(200);
    expect(await outboxTo(user.email)).toHaveLength(0);
  });

  it("refuses a short or common new password next to the field and keeps the link usable", async () => {
    const user = await createUser();
    const token = await resetLinkFor(user.email);

    const short = await submitReset(token, "tiny pass");
    expect(short.status).toBe(400);
    expect((await short.json()).errors.password).toMatch(/at least 10 characters/i);

    const common = await submitReset(token, "password123");
    expect(common.status).toBe(400);
    const body = await common.json();
    expect(body.errors.password).toMatch(/too common/i);
    expect(JSON.stringify(body.values)).not.toContain("password123");

    const mismatch = await submitReset(token, NEW_PASSWORD, "lanterns along the rive");
    expect(mismatch.status).toBe(400);
    expect((await mismatch.json()).errors.confirmPassword).toMatch(/don't match/i);

    expect((await reloadUser(user.id)).passwordHash).toBe(user.passwordHash);
    expect(await openResetPage(token)).toEqual({ valid: true, email: user.email });
  });
});

describe("invitations", () => {
  it("emails an /invite/<token> link valid for 7 days to a person who can't sign in yet", async () => {
    const { user, email, token } = await invite("therapist");
    expect(user.passwordHash).toBeNull();

    const [sent] = await outboxTo(email);
    expect(sent?.subject).toMatch(/invited/i);
    expect(sent?.textBody).toContain(sent!.link!);
    const row = await tokenRow(token);
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(7 * DAY_MS);
    expect(await peekToken(token, "invitation", new Date(row.createdAt.getTime() + 7 * DAY_MS - MINUTE_MS))).not.toBeNull();
    expect(await peekToken(token, "invitation", new Date(row.createdAt.getTime() + 7 * DAY_MS + MINUTE_MS))).toBeNull();

    expect(await openInvitePage(token)).toEqual({ invitee: { email, name: "Robin Ashdown", roleLabel: "Therapist" } });
    expect((await signIn({ email, password: TEST_PASSWORD, ip: IP })).ok).toBe(false);
  });

  it("accepting sets the name and password and signs the person in to their role's home", async () => {
    const { user, email, token } = await invite("coach");

    const response = await submitInvite(token, { name: "Robin A.", password: NEW_PASSWORD });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/triage");
    const session = await validateSessionToken(sessionTokenFrom(response)!);
    expect(session?.user).toMatchObject({ id: user.id, name: "Robin A.", role: "coach" });
    expect((await reloadUser(user.id)).name).toBe("Robin A.");
    expect((await signIn({ email, password: NEW_PASSWORD, ip: IP })).ok).toBe(true);
  });

  it("works only once", async () => {
    const { user, token } = await invite("client");
    expect((await submitInvite(token, { name: "First", password: NEW_PASSWORD })).status).toBe(302);
    const hashAfterAccepting = (await reloadUser(user.id)).passwordHash;

    const again = await submitInvite(token, { name: "Second", password: "a different passphrase" });
    expect(again.status).toBe(400);
    expect(sessionTokenFrom(again)).toBeUndefined();
    expect((await again.json()).errors.form).toMatch(/expired, was revoked or was already used/i);
    const after = await reloadUser(user.id);
    expect(after.name).toBe("First");
    expect(after.passwordHash).toBe(hashAfterAccepting);
    expect(await openInvitePage(token)).toEqual({ invitee: null });
  });

  it("stops working after 7 days", async () => {
    const { user, token } = await invite();
    await expireToken(token);
    expect(await openInvitePage(token)).toEqual({ invitee: null });
    const response = await submitInvite(token, { name: "Late", password: NEW_PASSWORD });
    expect(response.status).toBe(400);
    expect((await reloadUser(user.id)).passwordHash).toBeNull();
  });

  it("resending revokes the old link and emails a new one that works", async () => {
    const { admin, user, email, token: old } = await invite("therapist");
    await resendInvitation(admin, user.id, IP);

    const emails = await outboxTo(email);
    expect(emails).toHaveLength(2);
    const fresh = tokenFromLink((await latestEmailTo(email))?.link, "/invite/");
    expect(fresh).not.toBe(old);

    expect(await openInvitePage(old)).toEqual({ invitee: null });
    const withOld = await submitInvite(old, { name: "Robin", password: NEW_PASSWORD });
    expect(withOld.status).toBe(400);
    expect((await reloadUser(user.id)).passwordHash).toBeNull();
    expect((await openInvitePage(fresh)).invitee).toMatchObject({ email });
  });

  it("a revoked invitation's link is useless", async () => {
    const { admin, user, email, token } = await invite("client");
    await revokeInvitation(admin, user.id, IP);

    expect(await openInvitePage(token)).toEqual({ invitee: null });
    const response = await submitInvite(token, { name: "Robin", password: NEW_PASSWORD });
    expect(response.status).toBe(400);
    expect(sessionTokenFrom(response)).toBeUndefined();
    expect((await reloadUser(user.id)).passwordHash).toBeNull();
    expect((await signIn({ email, password: NEW_PASSWORD, ip: IP })).ok).toBe(false);
  });

  it.each([
    ["shorter than 10 characters", "short pw1", /at least 10 characters/i],
    ["common", "password123", /too common/i],
    ["common", "1234567890", /too common/i],
  ])("refuses a password that is %s (%s) next to the field and keeps the typed name", async (_kind, password, message) => {
    const { user, token } = await invite("coach");
    const response = await submitInvite(token, { name: "Robin Typed-Name", password });

    expect(response.status).toBe(400);
    expect(sessionTokenFrom(response)).toBeUndefined();
    const body = await response.json();
    expect(body.errors.password).toMatch(message);
    expect(body.values.name).toBe("Robin Typed-Name");
    expect(JSON.stringify(body.values)).not.toContain(password);
    // Nothing was used up: the person can fix the password and carry on with the same link.
    expect((await reloadUser(user.id)).passwordHash).toBeNull();
    expect((await openInvitePage(token)).invitee).not.toBeNull();
  });

  it("refuses two passwords that don't match, next to the repeat field", async () => {
    const { token } = await invite();
    const response = await submitInvite(token, { name: "Robin", password: NEW_PASSWORD, confirmPassword: "lanterns along the sea" });
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.errors.confirmPassword).toMatch(/don't match/i);
    expect(body.values.name).toBe("Robin");
  });
});
