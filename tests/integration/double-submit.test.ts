import crypto from "node:crypto";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { submitCheckIn, type CheckInInput } from "~/models/check-ins.server";
import { RuleViolation } from "~/models/errors.server";
import { setStepStatus } from "~/models/plans.server";
import { addPost, startThread } from "~/models/threads.server";
import * as caseThreadsPage from "~/routes/cases.$caseId.threads";
import * as checkInPage from "~/routes/portal.check-in";
import * as questionPage from "~/routes/portal.questions.$threadId";
import * as questionList from "~/routes/portal.questions._index";
import * as staffThreadPage from "~/routes/threads.$threadId";
import { db } from "../../db/client";
import { auditEvents, cases, checkIns, notifications, planSteps, plans, posts, threads, type User } from "../../db/schema";
import { createUser, insertCase, requestAs, respond, responseJson, testContext } from "../support/factories";
import { renderPage } from "../support/render-page";

// A form sent twice — a double click, a browser retrying, the same form sent again — is stored
// once: each form that creates a post or a check-in carries a key made when its page was drawn,
// and the second submission with that key answers like the first without doing anything again
// (no second row, notification, email, audit row, risk alert or status change).

type RouteFunction = (args: LoaderFunctionArgs) => Promise<unknown>;
type FormAnswer = { ok: false; errors: Record<string, string>; values: Record<string, string> };

async function post(fn: RouteFunction, user: { id: string }, path: string, params: Record<string, string>, form: Record<string, string>) {
  const { request } = await requestAs(user, path, { form });
  return respond(() => fn({ request, params, context: testContext }));
}

const newKey = () => crypto.randomUUID();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function setup() {
  const lead = await createUser({ role: "therapist", name: "Theo Lead" });
  const support = await createUser({ role: "coach", name: "Cora Support" });
  const client = await createUser({ role: "client", name: "Jordan Client" });
  const { case: theCase } = await insertCase({ lead, support: [support], client, title: "Rebuilding trust after the phone" });
  return { lead, support, client, theCase };
}

async function withThread() {
  const s = await setup();
  const { thread } = await startThread(s.client, s.theCase.id, { title: "How do I say sorry?", body: "I keep adding a 'but'." });
  return { ...s, thread };
}

async function postsIn(threadId: string) {
  return db.select().from(posts).where(eq(posts.threadId, threadId));
}

async function threadRow(threadId: string) {
  const [row] = await db.select().from(threads).where(eq(threads.id, threadId));
  return row!;
}

async function notificationsOf(user: Pick<User, "id">, kind: (typeof notifications.$inferSelect)["kind"]) {
  return db
    .select()
    .from(notifications)
    .where(and(eq(notifications.userId, user.id), eq(notifications.kind, kind)));
}

async function actionsOn(caseId: string) {
  return (await db.select({ action: auditEvents.action }).from(auditEvents).where(eq(auditEvents.caseId, caseId))).map((e) => e.action);
}

const count = (list: string[], item: string) => list.filter((x) => x === item).length;

/** The value of every hidden submissionKey field in a rendered page. */
function keysIn(html: string) {
  return [...html.matchAll(/<input type="hidden" name="submissionKey" value="([^"]*)"/g)].map((m) => m[1]!);
}

describe("a reply sent twice is stored once", () => {
  it("the client's reply form sent twice: one post, one notification, and both answers lead to it", async () => {
    const s = await withThread();
    const form = { intent: "reply", parentId: "", body: "I tried again tonight, no 'but'.", submissionKey: newKey() };
    const path = `/portal/questions/${s.thread.id}`;
    const first = await post(questionPage.action, s.client, path, { threadId: s.thread.id }, form);
    const second = await post(questionPage.action, s.client, path, { threadId: s.thread.id }, form);

    expect(first.status).toBe(302);
    expect(second.status).toBe(302);
    expect(second.headers.get("Location")).toBe(first.headers.get("Location"));
    const replies = (await postsIn(s.thread.id)).filter((p) => p.body === form.body);
    expect(replies).toHaveLength(1);
    expect(first.headers.get("Location")).toBe(`${path}?post=${replies[0]!.id}#post-${replies[0]!.id}`);
    // The question itself told the team once; the reply tells them once more, not twice.
    expect(await notificationsOf(s.lead, "new_client_post")).toHaveLength(2);
    expect(count(await actionsOn(s.theCase.id), "thread.replied")).toBe(1);
  });

  it("'Send reply and close' sent again after the client has answered: nothing is closed again or told twice", async () => {
    const s = await withThread();
    const form = { intent: "replyAndClose", parentId: "", visibility: "shared", body: "Try it without the 'but' this week.", submissionKey: newKey() };
    const path = `/threads/${s.thread.id}`;
    const first = await post(staffThreadPage.action, s.lead, path, { threadId: s.thread.id }, form);
    expect(first.status).toBe(302);
    expect((await threadRow(s.thread.id)).status).toBe("closed");

    // The client answers, which reopens the question…
    await addPost(s.client, s.thread.id, { body: "I will, thank you." });
    expect((await threadRow(s.thread.id)).status).toBe("awaiting_staff");

    // …then the browser retries the staff member's form.
    const again = await post(staffThreadPage.action, s.lead, path, { threadId: s.thread.id }, form);
    expect(again.status).toBe(302);
    expect(again.headers.get("Location")).toBe(first.headers.get("Location"));
    const thread = await threadRow(s.thread.id);
    expect(thread.status).toBe("awaiting_staff");
    expect(thread.closedAt).toBeNull();
    expect((await postsIn(s.thread.id)).filter((p) => p.authorId === s.lead.id)).toHaveLength(1);
    expect(await notificationsOf(s.client, "new_reply")).toHaveLength(1);
    const actions = await actionsOn(s.theCase.id);
    expect(count(actions, "thread.closed")).toBe(1);
    expect(count(actions, "thread.replied")).toBe(2);
  });

  it("an internal note sent twice at the same moment: one note, both calls succeed with it", async () => {
    const s = await withThread();
    const input = { body: "Check in on the apology next session.", visibility: "internal" as const, submissionKey: newKey() };
    const [a, b] = await Promise.all([addPost(s.lead, s.thread.id, input), addPost(s.lead, s.thread.id, input)]);
    expect(a.post.id).toBe(b.post.id);
    expect((await postsIn(s.thread.id)).filter((p) => p.visibility === "internal")).toHaveLength(1);
    expect(count(await actionsOn(s.theCase.id), "thread.internal_note")).toBe(1);
    expect(await notificationsOf(s.support, "new_reply")).toHaveLength(1);
  });

  it("a nested reply from the client, twice at the same moment, lands once under the post it answers", async () => {
    const s = await withThread();
    const { post: answer } = await addPost(s.lead, s.thread.id, { body: "What does the 'but' protect?" });
    const input = { parentId: answer.id, body: "My pride, probably.", submissionKey: newKey() };
    const [a, b] = await Promise.all([addPost(s.client, s.thread.id, input), addPost(s.client, s.thread.id, input)]);
    expect(a.post.id).toBe(b.post.id);
    const nested = (await postsIn(s.thread.id)).filter((p) => p.parentId === answer.id);
    expect(nested).toHaveLength(1);
    expect(await notificationsOf(s.lead, "new_client_post")).toHaveLength(2);
  });

  it("different keys are different messages, even with the same words", async () => {
    const s = await withThread();
    await addPost(s.client, s.thread.id, { body: "Thank you.", submissionKey: newKey() });
    await addPost(s.client, s.thread.id, { body: "Thank you.", submissionKey: newKey() });
    expect((await postsIn(s.thread.id)).filter((p) => p.body === "Thank you.")).toHaveLength(2);
  });

  it("a key belongs to its author: the same key from someone else is their own new message", async () => {
    const s = await withThread();
    const key = newKey();
    await addPost(s.client, s.thread.id, { body: "One more thing.", submissionKey: key });
    await addPost(s.lead, s.thread.id, { body: "Go on.", submissionKey: key });
    const bodies = (await postsIn(s.thread.id)).map((p) => p.body);
    expect(bodies).toContain("One more thing.");
    expect(bodies).toContain("Go on.");
  });

  it("a used key sent with different words is refused with the text kept, and nothing is stored", async () => {
    const s = await withThread();
    const key = newKey();
    const path = `/portal/questions/${s.thread.id}`;
    await post(questionPage.action, s.client, path, { threadId: s.thread.id }, { intent: "reply", parentId: "", body: "First words.", submissionKey: key });
    const changed = await post(questionPage.action, s.client, path, { threadId: s.thread.id }, { intent: "reply", parentId: "", body: "Other words.", submissionKey: key });
    expect(changed.status).toBe(400);
    const answer = await responseJson<FormAnswer>(changed);
    expect(answer.errors.form).toMatch(/already sent/);
    expect(answer.values.body).toBe("Other words.");
    const bodies = (await postsIn(s.thread.id)).map((p) => p.body);
    expect(bodies).toContain("First words.");
    expect(bodies).not.toContain("Other words.");
  });

  it("a key that isn't one is refused; a post without a key (the seed, scripts) is stored as before", async () => {
    const s = await withThread();
    await expect(addPost(s.client, s.thread.id, { body: "Hello", submissionKey: "not-a-key" })).rejects.toThrow(RuleViolation);
    await addPost(s.client, s.thread.id, { body: "Hello" });
    await addPost(s.client, s.thread.id, { body: "Hello" });
    expect((await postsIn(s.thread.id)).filter((p) => p.body === "Hello")).toHaveLength(2);
  });
});

describe("a question asked twice is asked once", () => {
  it("the client's new question sent twice: one thread, one urgent alert, both answers open it with the support message", async () => {
    const s = await setup();
    const form = { caseId: s.theCase.id, title: "A bad night", body: "Some nights I want to kill myself.", submissionKey: newKey() };
    const first = await post(questionList.action, s.client, "/portal/questions", {}, form);
    const second = await post(questionList.action, s.client, "/portal/questions", {}, form);
    expect(first.status).toBe(302);
    expect(second.headers.get("Location")).toBe(first.headers.get("Location"));

    const rows = await db.select().from(threads).where(eq(threads.caseId, s.theCase.id));
    expect(rows).toHaveLength(1);
    expect(first.headers.get("Location")).toBe(`/portal/questions/${rows[0]!.id}?support=1`);
    expect(await postsIn(rows[0]!.id)).toHaveLength(1);
    expect(await notificationsOf(s.lead, "urgent_flag")).toHaveLength(1);
    const actions = await actionsOn(s.theCase.id);
    expect(count(actions, "thread.started")).toBe(1);
    expect(count(actions, "thread.flagged")).toBe(1);
    expect(count(actions, "case.risk_changed")).toBe(1);
  });

  it("the same question sent twice at the same moment: one thread, both calls answer with it", async () => {
    const s = await setup();
    const input = { title: "Is a week long enough?", body: "Before I bring it up again.", submissionKey: newKey() };
    const [a, b] = await Promise.all([startThread(s.client, s.theCase.id, input), startThread(s.client, s.theCase.id, input)]);
    expect(a.thread.id).toBe(b.thread.id);
    expect(a.post.id).toBe(b.post.id);
    expect(await db.select().from(threads).where(eq(threads.caseId, s.theCase.id))).toHaveLength(1);
    expect(await notificationsOf(s.lead, "new_client_post")).toHaveLength(1);
  });

  it("staff starting a conversation twice from the case's Questions tab start one, and the client hears once", async () => {
    const s = await setup();
    const form = { intent: "start", title: "Before Thursday", body: "How did the talk go?", submissionKey: newKey() };
    const path = `/cases/${s.theCase.id}/threads`;
    const first = await post(caseThreadsPage.action, s.lead, path, { caseId: s.theCase.id }, form);
    const second = await post(caseThreadsPage.action, s.lead, path, { caseId: s.theCase.id }, form);
    expect(first.status).toBe(302);
    expect(second.headers.get("Location")).toBe(first.headers.get("Location"));
    expect(await db.select().from(threads).where(eq(threads.caseId, s.theCase.id))).toHaveLength(1);
    expect(await notificationsOf(s.client, "new_reply")).toHaveLength(1);
  });
});

describe("a check-in sent twice is stored once", () => {
  const form = (caseId: string, key: string) => ({
    caseId,
    mood: "4",
    progress: "6",
    closeness: "5",
    whatHappened: "We walked and talked on Sunday.",
    whatWasHard: "",
    submissionKey: key,
  });
  const calm = (key?: string): CheckInInput => ({
    mood: 4,
    progress: 6,
    closeness: 5,
    stepIds: [],
    whatHappened: "We walked and talked on Sunday.",
    whatWasHard: "",
    submissionKey: key,
  });
  const checkInsOn = (caseId: string) => db.select().from(checkIns).where(eq(checkIns.caseId, caseId));

  it("the form sent twice: one check-in, one notification each, and both answers go to the progress page", async () => {
    const s = await setup();
    const key = newKey();
    const first = await post(checkInPage.action, s.client, "/portal/check-in", {}, form(s.theCase.id, key));
    const second = await post(checkInPage.action, s.client, "/portal/check-in", {}, form(s.theCase.id, key));
    expect(first.status).toBe(302);
    expect(first.headers.get("Location")).toBe("/portal/progress");
    expect(second.headers.get("Location")).toBe("/portal/progress");
    expect(await checkInsOn(s.theCase.id)).toHaveLength(1);
    expect(await notificationsOf(s.lead, "check_in_submitted")).toHaveLength(1);
    expect(await notificationsOf(s.support, "check_in_submitted")).toHaveLength(1);
    expect(count(await actionsOn(s.theCase.id), "check_in.submitted")).toBe(1);
  });

  it("sent twice at the same moment: one check-in, both calls answer with it", async () => {
    const s = await setup();
    const key = newKey();
    const [a, b] = await Promise.all([submitCheckIn(s.client, s.theCase.id, calm(key)), submitCheckIn(s.client, s.theCase.id, calm(key))]);
    expect(a.checkIn.id).toBe(b.checkIn.id);
    expect(await checkInsOn(s.theCase.id)).toHaveLength(1);
    expect(await notificationsOf(s.lead, "check_in_submitted")).toHaveLength(1);
  });

  it("a worrying check-in sent twice alerts the lead once and raises the risk once, and shows the support message both times", async () => {
    const s = await setup();
    const input = { ...calm(newKey()), mood: 1, whatWasHard: "Some nights I want to kill myself." };
    const first = await submitCheckIn(s.client, s.theCase.id, input);
    const second = await submitCheckIn(s.client, s.theCase.id, input);
    expect(first.crisis).toBe(true);
    expect(second.crisis).toBe(true);
    expect(second.checkIn.id).toBe(first.checkIn.id);
    expect(await notificationsOf(s.lead, "urgent_flag")).toHaveLength(1);
    const actions = await actionsOn(s.theCase.id);
    expect(count(actions, "check_in.flagged")).toBe(1);
    expect(count(actions, "case.risk_changed")).toBe(1);
    const [row] = await db.select({ risk: cases.risk }).from(cases).where(eq(cases.id, s.theCase.id));
    expect(row!.risk).toBe("watch");
  });

  it("different keys are two check-ins; one key used by two clients is one check-in each", async () => {
    const s = await setup();
    await submitCheckIn(s.client, s.theCase.id, calm(newKey()));
    await submitCheckIn(s.client, s.theCase.id, calm(newKey()));
    expect(await checkInsOn(s.theCase.id)).toHaveLength(2);

    const other = await setup();
    const shared = newKey();
    await submitCheckIn(s.client, s.theCase.id, calm(shared));
    await submitCheckIn(other.client, other.theCase.id, calm(shared));
    expect(await checkInsOn(s.theCase.id)).toHaveLength(3);
    expect(await checkInsOn(other.theCase.id)).toHaveLength(1);
  });

  it("a used key with different answers is refused with the answers kept, and nothing is stored", async () => {
    const s = await setup();
    const key = newKey();
    await post(checkInPage.action, s.client, "/portal/check-in", {}, form(s.theCase.id, key));
    const changed = await post(checkInPage.action, s.client, "/portal/check-in", {}, { ...form(s.theCase.id, key), mood: "2" });
    expect(changed.status).toBe(400);
    const answer = await responseJson<FormAnswer>(changed);
    expect(answer.errors.form).toMatch(/already sent/);
    expect(answer.values.mood).toBe("2");
    const rows = await checkInsOn(s.theCase.id);
    expect(rows.map((r) => r.mood)).toEqual([4]);
  });
});

describe("the forms carry a fresh key in the page as the server draws it", () => {
  it("check-in, new question, reply (main and nested), staff reply and staff start each have a key, new on every load", async () => {
    const s = await withThread();
    const { post: answer } = await addPost(s.lead, s.thread.id, { body: "Tell me more." });

    const checkInHtml = await renderPage(checkInPage, "/portal/check-in", s.client, "/portal/check-in");
    const again = await renderPage(checkInPage, "/portal/check-in", s.client, "/portal/check-in");
    expect(keysIn(checkInHtml)).toHaveLength(1);
    expect(keysIn(checkInHtml)[0]).toMatch(UUID);
    expect(keysIn(again)[0]).not.toBe(keysIn(checkInHtml)[0]);

    const askHtml = await renderPage(questionList, "/portal/questions", s.client, "/portal/questions");
    expect(keysIn(askHtml)).toHaveLength(1);
    expect(keysIn(askHtml)[0]).toMatch(UUID);

    // The client's question page: the main reply form, and the reply form under the post answered (?replyTo=).
    expect(keysIn(await renderPage(questionPage, "/portal/questions/:threadId", s.client, `/portal/questions/${s.thread.id}`))).toHaveLength(1);
    const clientThread = await renderPage(questionPage, "/portal/questions/:threadId", s.client, `/portal/questions/${s.thread.id}?replyTo=${answer.id}`);
    expect(keysIn(clientThread)).toHaveLength(2);
    expect(keysIn(clientThread).every((k) => UUID.test(k))).toBe(true);

    expect(keysIn(await renderPage(staffThreadPage, "/threads/:threadId", s.lead, `/threads/${s.thread.id}`))).toHaveLength(1);
    const staffThread = await renderPage(staffThreadPage, "/threads/:threadId", s.lead, `/threads/${s.thread.id}?replyTo=${answer.id}`);
    expect(keysIn(staffThread)).toHaveLength(2);
    expect(keysIn(staffThread).every((k) => UUID.test(k))).toBe(true);

    const startHtml = await renderPage(caseThreadsPage, "/cases/:caseId/threads", s.lead, `/cases/${s.theCase.id}/threads`);
    expect(keysIn(startHtml)).toHaveLength(1);
    expect(keysIn(startHtml)[0]).toMatch(UUID);
  });
});

describe("a step's status set twice", () => {
  it("is harmless: the second time changes nothing and leaves no second audit row", async () => {
    const s = await setup();
    const [plan] = await db.insert(plans).values({ caseId: s.theCase.id, title: "Rebuilding trust" }).returning();
    const [step] = await db.insert(planSteps).values({ planId: plan!.id, position: 1, title: "Own it fully" }).returning();
    const first = await setStepStatus(s.client, step!.id, { status: "done" });
    const second = await setStepStatus(s.client, step!.id, { status: "done" });
    expect(second.status).toBe("done");
    expect(second.completedAt?.getTime()).toBe(first.completedAt?.getTime());
    expect(count(await actionsOn(s.theCase.id), "step.done")).toBe(1);
  });
});
