import type { LoaderFunctionArgs } from "@remix-run/node";
import { eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { appUrl } from "~/env.server";
import {
  listNotifications,
  markAllRead,
  markNotificationRead,
  notificationListQuery,
  notify,
  unreadCount,
  type NewNotification,
} from "~/models/notifications.server";
import { rootData } from "~/root.server";
import * as notificationsPage from "~/routes/notifications";
import * as openNotification from "~/routes/notifications.$notificationId";
import { db } from "../../db/client";
import { emailOutbox, notifications, threads, type User } from "../../db/schema";
import { createUser, insertCase, requestAs, respond, responseJson, testContext } from "../support/factories";
import { countQueries } from "../support/query-counter";
import { renderInShell } from "../support/render-page";

// The bell and its emails: a row per active recipient, deactivated people skipped, at most one
// email per thread per hour per person, emails with nothing in them but a link, and each person
// reading and marking only their own notifications.

type RouteFunction = (args: LoaderFunctionArgs) => Promise<unknown>;
type Person = Pick<User, "id" | "role" | "email" | "name">;
type ListPage = Awaited<ReturnType<typeof listNotifications>>;

const MINUTE = 60 * 1000;
const THREAD_TITLE = "What I found on his phone";

async function call(fn: RouteFunction, user: { id: string } | null, path: string, init: { params?: Record<string, string>; form?: Record<string, string> } = {}) {
  const { request } = await requestAs(user, path, { form: init.form });
  return respond(() => fn({ request, params: init.params ?? {}, context: testContext }));
}

/** The text a screen reader announces for the header's notifications link. */
function bellName(html: string) {
  const link = /<a[^>]*href="\/notifications"[^>]*>(.*?)<\/a>/s.exec(html)?.[1] ?? "";
  return link
    .replace(/<span aria-hidden="true"[^>]*>.*?<\/span>/gs, "")
    .replace(/<svg.*?<\/svg>/gs, "")
    .replace(/<[^>]+>/g, "")
    .trim();
}

/** A case with a coach as lead, its client, and one thread the client started. */
async function caseWithThread() {
  const coach = await createUser({ role: "coach", name: "Casey Lead" });
  const client = await createUser({ role: "client", name: "Robin Client" });
  const { case: c } = await insertCase({ lead: coach, client });
  const [thread] = await db.insert(threads).values({ caseId: c.id, title: THREAD_TITLE, createdBy: client.id }).returning();
  return { coach, client, case: c, thread: thread! };
}

function replyNotice(recipients: string[], threadId: string | null, caseId: string | null): NewNotification {
  return {
    recipients,
    kind: "new_client_post",
    text: "Robin Client replied on a question.",
    link: threadId ? `/threads/${threadId}` : "/cases",
    threadId,
    caseId,
  };
}

async function emailsTo(...people: { email: string }[]) {
  return db
    .select()
    .from(emailOutbox)
    .where(inArray(emailOutbox.toAddress, people.map((p) => p.email)));
}

async function rowsFor(person: { id: string }) {
  return db.select().from(notifications).where(eq(notifications.userId, person.id));
}

/** A notification for `person` straight in the table, `minutesAgo` old. */
async function insertNotification(person: { id: string }, input: { minutesAgo?: number; link?: string; text?: string; read?: boolean } = {}) {
  const createdAt = new Date(Date.now() - (input.minutesAgo ?? 0) * MINUTE);
  const [row] = await db
    .insert(notifications)
    .values({
      userId: person.id,
      kind: "new_reply",
      text: input.text ?? "Casey Coach replied to your question.",
      link: input.link ?? "/portal/questions",
      createdAt,
      readAt: input.read ? createdAt : null,
    })
    .returning();
  return row!;
}

describe("notify", () => {
  it("records one notification for each active recipient, once each, and emails them", async () => {
    const { coach, case: c, thread } = await caseWithThread();
    const support = await createUser({ role: "therapist" });
    await notify(db, replyNotice([coach.id, support.id, coach.id], thread.id, c.id));

    for (const person of [coach, support]) {
      const rows = await rowsFor(person);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        kind: "new_client_post",
        text: "Robin Client replied on a question.",
        link: `/threads/${thread.id}`,
        threadId: thread.id,
        caseId: c.id,
        readAt: null,
      });
    }
    expect((await emailsTo(coach, support)).map((e) => e.toAddress).sort()).toEqual([coach.email, support.email].sort());
  });

  it("skips deactivated people: no notification, no email", async () => {
    const { coach, thread, case: c } = await caseWithThread();
    const gone = await createUser({ role: "coach", deactivated: true });
    await notify(db, replyNotice([coach.id, gone.id], thread.id, c.id));
    expect(await rowsFor(gone)).toEqual([]);
    expect(await emailsTo(gone)).toEqual([]);
    expect(await rowsFor(coach)).toHaveLength(1);
  });

  it("does nothing for an empty list of recipients", async () => {
    await expect(notify(db, replyNotice([], null, null))).resolves.toBeUndefined();
  });

  it("emails each person at most once per thread per hour, but records every notification", async () => {
    const { coach, thread, case: c } = await caseWithThread();
    const t0 = new Date("2031-03-01T09:00:00Z");
    await notify(db, replyNotice([coach.id], thread.id, c.id), t0);
    expect(await emailsTo(coach)).toHaveLength(1);

    await notify(db, replyNotice([coach.id], thread.id, c.id), new Date(t0.getTime() + 59 * MINUTE));
    expect(await emailsTo(coach)).toHaveLength(1);

    await notify(db, replyNotice([coach.id], thread.id, c.id), new Date(t0.getTime() + 61 * MINUTE));
    expect(await emailsTo(coach)).toHaveLength(2);

    // The hour now runs from the second email: 30 minutes later, still nothing.
    await notify(db, replyNotice([coach.id], thread.id, c.id), new Date(t0.getTime() + 91 * MINUTE));
    expect(await emailsTo(coach)).toHaveLength(2);
    expect(await rowsFor(coach)).toHaveLength(4);
  });

  it("throttles per person and per thread, and never throttles notifications without a thread", async () => {
    const first = await caseWithThread();
    const [otherThread] = await db
      .insert(threads)
      .values({ caseId: first.case.id, title: "A second question", createdBy: first.client.id })
      .returning();
    const colleague = await createUser({ role: "coach" });
    const t0 = new Date("2031-04-01T09:00:00Z");

    await notify(db, replyNotice([first.coach.id], first.thread.id, first.case.id), t0);
    // Ten minutes later: a colleague new to the thread is emailed; the lead is not.
    await notify(db, replyNotice([first.coach.id, colleague.id], first.thread.id, first.case.id), new Date(t0.getTime() + 10 * MINUTE));
    expect(await emailsTo(first.coach)).toHaveLength(1);
    expect(await emailsTo(colleague)).toHaveLength(1);

    // Another thread has its own hour.
    await notify(db, replyNotice([first.coach.id], otherThread!.id, first.case.id), new Date(t0.getTime() + 11 * MINUTE));
    expect(await emailsTo(first.coach)).toHaveLength(2);

    // Without a thread (an urgent flag, say) every notification is emailed.
    await notify(db, replyNotice([first.coach.id], null, first.case.id), new Date(t0.getTime() + 12 * MINUTE));
    await notify(db, replyNotice([first.coach.id], null, first.case.id), new Date(t0.getTime() + 13 * MINUTE));
    expect(await emailsTo(first.coach)).toHaveLength(4);
  });

  it("sends emails with no names, titles or content: only a link to the thread", async () => {
    const { coach, client, thread, case: c } = await caseWithThread();
    await notify(db, replyNotice([coach.id], thread.id, c.id));
    const [email] = await emailsTo(coach);
    const everything = `${email!.subject}\n${email!.textBody}`;
    for (const secret of [coach.name, client.name, "Robin", THREAD_TITLE, "replied on a question", c.title]) {
      expect(everything).not.toContain(secret);
    }
    expect(email!.link).toBe(`${appUrl()}/threads/${thread.id}`);
    expect(email!.textBody).toContain(`${appUrl()}/threads/${thread.id}`);
  });
});

describe("reading notifications", () => {
  it("lists the reader's own notifications, newest first, a page at a time, with counts", async () => {
    const reader = await createUser({ role: "client" });
    const other = await createUser({ role: "client" });
    for (let i = 0; i < 12; i++) await insertNotification(reader, { minutesAgo: i, text: `Notice ${i}`, read: i >= 9 });
    await insertNotification(other, { text: "Not yours" });

    const first = await listNotifications(reader, notificationListQuery.parse({ perPage: "10" }));
    expect(first.total).toBe(12);
    expect(first.unread).toBe(9);
    expect(first.rows.map((r) => r.text)).toEqual(Array.from({ length: 10 }, (_, i) => `Notice ${i}`));
    const second = await listNotifications(reader, notificationListQuery.parse({ perPage: "10", page: "2" }));
    expect(second.rows.map((r) => r.text)).toEqual(["Notice 10", "Notice 11"]);
    expect(second.rows.every((r) => r.readAt !== null)).toBe(true);
  });

  it("counts unread notifications, and marking one read changes the count", async () => {
    const reader = await createUser({ role: "coach" });
    const a = await insertNotification(reader);
    await insertNotification(reader);
    await insertNotification(reader, { read: true });
    expect(await unreadCount(reader)).toBe(2);

    const readAt = new Date("2031-05-01T10:00:00Z");
    const opened = await markNotificationRead(reader, a.id, readAt);
    expect(opened).toEqual({ id: a.id, link: "/portal/questions" });
    expect(await unreadCount(reader)).toBe(1);

    // Opening it again keeps the first time it was read.
    await markNotificationRead(reader, a.id, new Date("2031-05-02T10:00:00Z"));
    const [row] = await db.select().from(notifications).where(eq(notifications.id, a.id));
    expect(row!.readAt).toEqual(readAt);
  });

  it("answers 404 for someone else's notification, a made-up id and a malformed id", async () => {
    const owner = await createUser({ role: "client" });
    const intruder = await createUser({ role: "admin" });
    const notice = await insertNotification(owner);

    for (const id of [notice.id, "00000000-0000-4000-8000-000000000000", "not-an-id"]) {
      const thrown = await markNotificationRead(intruder, id).catch((e: unknown) => e);
      expect(thrown).toBeInstanceOf(Response);
      expect((thrown as Response).status).toBe(404);
    }
    expect((await rowsFor(owner))[0]!.readAt).toBeNull();
  });

  it("marks all of the reader's notifications read, and nobody else's", async () => {
    const reader = await createUser({ role: "therapist" });
    const other = await createUser({ role: "therapist" });
    await insertNotification(reader);
    await insertNotification(reader);
    await insertNotification(other);
    expect(await markAllRead(reader)).toBe(2);
    expect(await unreadCount(reader)).toBe(0);
    expect(await unreadCount(other)).toBe(1);
    expect(await markAllRead(reader)).toBe(0);
  });

  it("never sends the reader off the site, whatever link was stored", async () => {
    const reader = await createUser({ role: "client" });
    for (const link of ["//evil.example/x", "https://evil.example/", "/\\evil.example"]) {
      const notice = await insertNotification(reader, { link });
      expect((await markNotificationRead(reader, notice.id)).link).toBe("/notifications");
    }
  });
});

describe("the bell and the notifications pages", () => {
  it("gives every page the signed-in person's unread count, and 0 when signed out", async () => {
    const person = await createUser({ role: "client" });
    await insertNotification(person);
    await insertNotification(person);
    await insertNotification(person, { read: true });
    const signedIn = await rootData((await requestAs(person, "/portal")).request);
    expect(signedIn.data.unread).toBe(2);
    const signedOut = await rootData((await requestAs(null, "/login")).request);
    expect(signedOut.data.unread).toBe(0);
  });

  it("counts the bell in the same query that looks up the session", async () => {
    const person = await createUser({ role: "coach" });
    await insertNotification(person);
    const { request } = await requestAs(person, "/triage");
    const { result, count } = await countQueries(() => rootData(request));
    expect(result.data.unread).toBe(1);
    expect(result.data.user?.id).toBe(person.id);
    expect(count).toBe(1);
  });

  it("shows the bell in the header with the count in its name and a visible badge", async () => {
    const person = await createUser({ role: "coach" });
    expect(bellName(await renderInShell(person, "/anything"))).toBe("Notifications");
    for (let i = 0; i < 3; i++) await insertNotification(person);
    const html = await renderInShell(person, "/anything");
    expect(bellName(html)).toBe("Notifications, 3 unread");
    expect(html).toMatch(/<span aria-hidden="true" class="badge[^"]*">3<\/span>/);
  });

  it("lists notifications with the unread ones marked, each linking through /notifications/:id", async () => {
    const person = await createUser({ role: "client" });
    const older = await insertNotification(person, { minutesAgo: 30, text: "Your plan has a new step.", read: true });
    const newer = await insertNotification(person, { minutesAgo: 1, text: "Casey Coach replied to your question." });
    const html = await renderInShell(person, "/notifications", notificationsPage);
    expect(html).toContain("<h1>Notifications</h1>");
    expect(html).toContain(`href="/notifications/${newer.id}"`);
    expect(html).toContain(`href="/notifications/${older.id}"`);
    expect(html).toContain('<span class="sr-only">Unread: </span>Casey Coach replied to your question.');
    expect(html).not.toContain('<span class="sr-only">Unread: </span>Your plan has a new step.');
    expect(html.indexOf("Casey Coach replied")).toBeLessThan(html.indexOf("Your plan has a new step."));
    expect(html).toMatch(/<button type="submit" name="intent" value="read-all"[^>]*>Mark all as read<\/button>/);
  });

  it("says when there is nothing to read, without a Mark all button", async () => {
    const person = await createUser({ role: "therapist" });
    const html = await renderInShell(person, "/notifications", notificationsPage);
    expect(html).toContain("You&#x27;re all caught up.");
    expect(html).not.toContain("Mark all as read");
  });

  it("shows each person their own list, for every role", async () => {
    for (const role of ["admin", "coach", "therapist", "client"] as const) {
      const person = await createUser({ role });
      const other = await createUser({ role });
      await insertNotification(person, { text: `For the ${role}` });
      await insertNotification(other, { text: "Someone else's" });
      const response = await call(notificationsPage.loader, person, "/notifications");
      expect(response.status).toBe(200);
      const body = await responseJson<ListPage>(response);
      expect(body.rows.map((r) => r.text)).toEqual([`For the ${role}`]);
      expect(body.unread).toBe(1);
    }
  });

  it("sends someone signed out to sign in", async () => {
    const response = await call(notificationsPage.loader, null, "/notifications");
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/login?redirectTo=%2Fnotifications");
  });

  it("opens a notification: marks it read and goes to what it is about", async () => {
    const person: Person = await createUser({ role: "client" });
    const notice = await insertNotification(person, { link: "/portal/questions/abc" });
    const response = await call(openNotification.loader, person, `/notifications/${notice.id}`, { params: { notificationId: notice.id } });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/portal/questions/abc");
    expect(await unreadCount(person)).toBe(0);
  });

  it("answers 404 to someone opening another person's notification by id, and leaves it unread", async () => {
    const owner = await createUser({ role: "client" });
    const other = await createUser({ role: "coach" });
    const notice = await insertNotification(owner);
    const response = await call(openNotification.loader, other, `/notifications/${notice.id}`, { params: { notificationId: notice.id } });
    expect(response.status).toBe(404);
    expect(await unreadCount(owner)).toBe(1);
  });

  it("marks all as read from the page, then says so", async () => {
    const person = await createUser({ role: "coach" });
    const other = await createUser({ role: "coach" });
    await insertNotification(person);
    await insertNotification(other);
    const response = await call(notificationsPage.action, person, "/notifications", { form: { intent: "read-all" } });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/notifications");
    expect(response.headers.getSetCookie().join(";")).toContain("cairn_flash=");
    expect(await unreadCount(person)).toBe(0);
    expect(await unreadCount(other)).toBe(1);
  });

  it("answers 400 to an unknown intent", async () => {
    const person = await createUser({ role: "client" });
    const response = await call(notificationsPage.action, person, "/notifications", { form: { intent: "delete-everything" } });
    expect(response.status).toBe(400);
  });
});
