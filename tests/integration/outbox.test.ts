import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  deliverDueEmails,
  enqueueEmail,
  MAX_SEND_ATTEMPTS,
  retryDelayMs,
  type SendEmail,
} from "~/models/outbox.server";
import { db } from "../../db/client";
import { emailOutbox, type OutboxEmail } from "../../db/schema";
import { queueOutboxEmail, requestAs, respond, responseJson, testContext, uniqueEmail } from "../support/factories";

// The outbox worker: what a person waiting for an invitation or reset link depends on.

async function row(id: string) {
  const [found] = await db.select().from(emailOutbox).where(eq(emailOutbox.id, id));
  return found;
}

/** A fake mail server: records what it was asked to send; fails for the addresses in `refuse`. */
function fakeSend(refuse: string[] = [], error = "SMTP said no: 451 try again later") {
  const delivered: OutboxEmail[] = [];
  const send = vi.fn<SendEmail>(async (email) => {
    if (refuse.includes(email.toAddress)) throw new Error(error);
    delivered.push(email);
  });
  return { send, delivered };
}

describe("deliverDueEmails", () => {
  // The worker takes every due row in the table, so each test starts from an empty outbox.
  beforeEach(async () => {
    await db.delete(emailOutbox);
  });

  it("sends every pending email that is due and marks it sent, once", async () => {
    const now = new Date();
    const first = await queueOutboxEmail({ to: uniqueEmail("a"), subject: "You're invited" });
    const second = await queueOutboxEmail({ to: uniqueEmail("b"), subject: "Reset your password" });
    const { send, delivered } = fakeSend();

    expect(await deliverDueEmails(send, now)).toEqual({ sent: 2, failed: 0 });
    expect(delivered.map((e) => [e.toAddress, e.subject]).sort()).toEqual(
      [
        [first.toAddress, "You're invited"],
        [second.toAddress, "Reset your password"],
      ].sort(),
    );
    for (const email of [first, second]) {
      expect(await row(email.id)).toMatchObject({ status: "sent", attempts: 1, sentAt: now, lastError: null });
    }

    // A second run finds nothing left to do: nobody gets the same email twice.
    expect(await deliverDueEmails(send, new Date(now.getTime() + 60 * 60 * 1000))).toEqual({ sent: 0, failed: 0 });
    expect(send).toHaveBeenCalledTimes(2);
  });

  it("delivers an email queued by the app (enqueueEmail) with its text and link", async () => {
    const to = uniqueEmail("invitee");
    await enqueueEmail({ to, subject: "You're invited to Cairn", text: "Open the link", link: "http://localhost:3000/invite/abc" });
    const { send, delivered } = fakeSend();
    await deliverDueEmails(send, new Date(Date.now() + 5_000));
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatchObject({ toAddress: to, textBody: "Open the link", link: "http://localhost:3000/invite/abc" });
  });

  it("keeps a failed email pending, records the error, and retries it only after the back-off", async () => {
    const now = new Date();
    const email = await queueOutboxEmail();
    const failing = fakeSend([email.toAddress]);

    expect(await deliverDueEmails(failing.send, now)).toEqual({ sent: 0, failed: 1 });
    const afterFailure = await row(email.id);
    expect(afterFailure).toMatchObject({ status: "pending", attempts: 1, lastError: "SMTP said no: 451 try again later", sentAt: null });
    expect(afterFailure!.nextAttemptAt.getTime()).toBe(now.getTime() + retryDelayMs(1));

    // Not before the back-off has passed…
    const working = fakeSend();
    await deliverDueEmails(working.send, new Date(now.getTime() + retryDelayMs(1) - 1_000));
    expect(working.send).not.toHaveBeenCalled();

    // …then it goes out, and the old error is cleared.
    const retryAt = new Date(now.getTime() + retryDelayMs(1));
    expect(await deliverDueEmails(working.send, retryAt)).toEqual({ sent: 1, failed: 0 });
    expect(await row(email.id)).toMatchObject({ status: "sent", attempts: 2, lastError: null, sentAt: retryAt });
  });

  it("backs off longer after each failure and gives up after MAX_SEND_ATTEMPTS, keeping the row", async () => {
    const email = await queueOutboxEmail({ to: uniqueEmail("bounce") });
    const { send } = fakeSend([email.toAddress], "550 mailbox unavailable");
    let now = new Date();
    const delays: number[] = [];

    for (let attempt = 1; attempt <= MAX_SEND_ATTEMPTS; attempt++) {
      expect(await deliverDueEmails(send, now)).toEqual({ sent: 0, failed: 1 });
      const current = (await row(email.id))!;
      expect(current.attempts).toBe(attempt);
      expect(current.status).toBe(attempt < MAX_SEND_ATTEMPTS ? "pending" : "failed");
      delays.push(current.nextAttemptAt.getTime() - now.getTime());
      now = current.nextAttemptAt;
    }

    expect(send).toHaveBeenCalledTimes(MAX_SEND_ATTEMPTS);
    expect(delays.slice(0, 4)).toEqual([30_000, 60_000, 120_000, 240_000]);
    const final = await row(email.id);
    expect(final).toMatchObject({ status: "failed", attempts: MAX_SEND_ATTEMPTS, lastError: "550 mailbox unavailable", sentAt: null });

    // A failed email is never tried again, however long we wait.
    await deliverDueEmails(send, new Date(now.getTime() + 7 * 24 * 60 * 60 * 1000));
    expect(send).toHaveBeenCalledTimes(MAX_SEND_ATTEMPTS);
  });

  it("marks a row failed on the last allowed attempt", async () => {
    const email = await queueOutboxEmail({ attempts: MAX_SEND_ATTEMPTS - 1 });
    const { send } = fakeSend([email.toAddress]);
    await deliverDueEmails(send, new Date());
    expect(await row(email.id)).toMatchObject({ status: "failed", attempts: MAX_SEND_ATTEMPTS });
  });

  it("does not send emails that are not due yet", async () => {
    const now = new Date();
    const later = await queueOutboxEmail({ nextAttemptAt: new Date(now.getTime() + 10 * 60 * 1000) });
    const { send } = fakeSend();
    expect(await deliverDueEmails(send, now)).toEqual({ sent: 0, failed: 0 });
    expect(send).not.toHaveBeenCalled();
    expect(await row(later.id)).toMatchObject({ status: "pending", attempts: 0 });
  });

  it("one bad address doesn't hold back the others", async () => {
    const now = new Date();
    const good1 = await queueOutboxEmail({ nextAttemptAt: new Date(now.getTime() - 3_000) });
    const bad = await queueOutboxEmail({ nextAttemptAt: new Date(now.getTime() - 2_000) });
    const good2 = await queueOutboxEmail({ nextAttemptAt: new Date(now.getTime() - 1_000) });
    const { send, delivered } = fakeSend([bad.toAddress]);
    expect(await deliverDueEmails(send, now)).toEqual({ sent: 2, failed: 1 });
    expect(delivered.map((e) => e.id)).toEqual([good1.id, good2.id]);
    expect((await row(bad.id))!.status).toBe("pending");
  });

  it("two workers running at once send each email exactly once", async () => {
    const queued = await Promise.all(Array.from({ length: 6 }, () => queueOutboxEmail()));
    const sends: string[] = [];
    const slowSend: SendEmail = async (email) => {
      sends.push(email.id);
      await new Promise((resolve) => setTimeout(resolve, 20));
    };
    const now = new Date();
    const [a, b] = await Promise.all([deliverDueEmails(slowSend, now), deliverDueEmails(slowSend, now)]);
    expect(a.sent + b.sent).toBe(6);
    expect(sends.sort()).toEqual(queued.map((q) => q.id).sort());
  });

  it("retryDelayMs doubles from 30 seconds and stops at one hour", () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(retryDelayMs)).toEqual([30_000, 60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000]);
    expect(retryDelayMs(8)).toBe(60 * 60 * 1000);
    expect(retryDelayMs(30)).toBe(60 * 60 * 1000);
  });
});

// /dev/outbox reads CAIRN_DEMO through env(), which parses process.env once per module instance
// and caches the result. So each test sets the variable with vi.stubEnv, drops the module
// registry with vi.resetModules and imports the route afresh: its env.server starts with an
// empty cache and reads the stubbed value. The database handle survives the reset because
// db/handle.ts keeps it on globalThis. (parseEnv's flag parsing itself is unit-tested in
// tests/unit/env.test.ts.)
describe("/dev/outbox", () => {
  async function outboxPage(demo: string | undefined, path = "/dev/outbox") {
    vi.stubEnv("CAIRN_DEMO", demo);
    vi.resetModules();
    const { loader } = await import("~/routes/dev.outbox");
    const { request } = await requestAs(null, path);
    return respond(() => loader({ request, params: {}, context: testContext }));
  }

  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it.each([undefined, "", "0", "false", "no"])("does not exist outside demo mode (CAIRN_DEMO=%s)", async (demo) => {
    await queueOutboxEmail({ subject: "Secret reset link" });
    const response = await outboxPage(demo);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain("Secret reset link");
  });

  it.each(["1", "true", "yes"])("lists the emails, newest first, in demo mode (CAIRN_DEMO=%s)", async (demo) => {
    const older = await queueOutboxEmail({ subject: "Older email" });
    await db.update(emailOutbox).set({ createdAt: new Date(Date.now() - 60_000) }).where(eq(emailOutbox.id, older.id));
    const newer = await queueOutboxEmail({ subject: "Newest email" });

    const response = await outboxPage(demo);
    expect(response.status).toBe(200);
    const data = await responseJson<{ rows: { id: string; subject: string }[]; total: number; page: number }>(response);
    expect(data.rows[0]!.id).toBe(newer.id);
    expect(data.rows.map((r) => r.id)).toContain(older.id);
    expect(data.rows.findIndex((r) => r.id === newer.id)).toBeLessThan(data.rows.findIndex((r) => r.id === older.id));
    expect(data.page).toBe(1);
    expect(data.total).toBeGreaterThanOrEqual(2);
  });

  it("a bad page number falls back to the first page", async () => {
    const response = await outboxPage("1", "/dev/outbox?page=oops");
    expect(response.status).toBe(200);
    expect((await responseJson<{ page: number }>(response)).page).toBe(1);
  });
});
