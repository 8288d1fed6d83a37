import { and, desc, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { listCaseTimeline } from "~/models/case-workflow.server";
import {
  addPost,
  assignThreads,
  clearRiskFlag,
  closeThread,
  editPost,
  getThreadForClient,
  getThreadForStaff,
  listCaseThreads,
  listClientThreads,
  listPostVersions,
  markThreadRead,
  markThreadReadAndRecordView,
  reopenThread,
  startThread,
  THREAD_PAGE_SIZE,
} from "~/models/threads.server";
import { RuleViolation } from "~/models/errors.server";
import { db } from "../../db/client";
import { checkIns,
  auditEvents,
  caseMembers,
  cases,
  emailOutbox,
  notifications,
  planSteps,
  plans,
  posts,
  postVersions,
  threadReads,
  threads,
  type User,
} from "../../db/schema";
import { countQueries } from "../support/query-counter";
import { createUser, insertCase } from "../support/factories";

// Questions on a case: who may see and write what, how status follows the last shared post,
// risk flags, notifications, edits with versions, assignment, and reading a long thread in a
// fixed number of queries. Everything through the model functions; the pages have their own file.

type Person = Pick<User, "id" | "role" | "name" | "email">;

const SECRET = "the-words-only-staff-may-read";

async function setup() {
  const lead = await createUser({ role: "therapist", name: "Theo Lead" });
  const support = await createUser({ role: "coach", name: "Casey Support" });
  const outsider = await createUser({ role: "coach", name: "Olive Outsider" });
  const admin = await createUser({ role: "admin", name: "Ada Admin" });
  const client = await createUser({ role: "client", name: "Jordan Client" });
  const otherClient = await createUser({ role: "client", name: "Riley Other" });
  const { case: c } = await insertCase({ lead, support: [support], client });
  const { case: otherCase } = await insertCase({ lead: outsider, client: otherClient });
  return { lead, support, outsider, admin, client, otherClient, caseId: c.id, otherCaseId: otherCase.id };
}

async function threadRow(id: string) {
  const [row] = await db.select().from(threads).where(eq(threads.id, id));
  return row!;
}

async function caseRow(id: string) {
  const [row] = await db.select().from(cases).where(eq(cases.id, id));
  return row!;
}

async function notificationsFor(userId: string) {
  return db.select().from(notifications).where(eq(notifications.userId, userId)).orderBy(desc(notifications.createdAt));
}

async function emailsTo(person: Person) {
  return db.select().from(emailOutbox).where(eq(emailOutbox.toAddress, person.email));
}

async function auditFor(threadId: string) {
  const rows = await db.select().from(auditEvents).where(eq(auditEvents.targetId, threadId));
  return rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
}

async function expectStatus(promise: Promise<unknown>, status: number) {
  const thrown = await promise.then(
    () => null,
    (error: unknown) => error,
  );
  expect(thrown).toBeInstanceOf(Response);
  expect((thrown as Response).status).toBe(status);
}

async function expectRule(promise: Promise<unknown>, field?: string) {
  const thrown = await promise.then(
    () => null,
    (error: unknown) => error,
  );
  expect(thrown).toBeInstanceOf(RuleViolation);
  if (field) expect((thrown as RuleViolation).field).toBe(field);
  return thrown as RuleViolation;
}

/** A client question with a staff reply under it. */
async function askedAndAnswered(s: Awaited<ReturnType<typeof setup>>) {
  const { thread, post: question } = await startThread(s.client, s.caseId, { title: "How do I start talking again?", body: "We barely speak since it came out." });
  const { post: answer } = await addPost(s.support, thread.id, { parentId: question.id, body: "Let's begin with one small, honest conversation." });
  return { thread, question, answer };
}

describe("starting a thread", () => {
  it("lets the client ask on their case: awaiting staff, waiting since the question, the team told", async () => {
    const s = await setup();
    const { thread, post, crisis } = await startThread(s.client, s.caseId, { title: "  Is it normal to feel numb?  ", body: "Some days I feel nothing at all." }, "198.51.100.4");
    expect(crisis).toBe(false);
    expect(thread).toMatchObject({ title: "Is it normal to feel numb?", status: "awaiting_staff", priority: "normal", createdBy: s.client.id, firstResponseAt: null });
    expect(thread.waitingSince?.getTime()).toBe(post.createdAt.getTime());
    expect(post).toMatchObject({ parentId: null, visibility: "shared", authorId: s.client.id });

    for (const person of [s.lead, s.support]) {
      const [n] = await notificationsFor(person.id);
      expect(n).toMatchObject({ kind: "new_client_post", threadId: thread.id, caseId: s.caseId, link: `/threads/${thread.id}` });
      expect(n!.text).toBe("Jordan Client asked a new question.");
    }
    expect(await notificationsFor(s.outsider.id)).toHaveLength(0);
    expect(await notificationsFor(s.client.id)).toHaveLength(0);
    const [event] = await auditFor(thread.id);
    expect(event).toMatchObject({ action: "thread.started", caseId: s.caseId, actorId: s.client.id, ip: "198.51.100.4", details: { threadId: thread.id, by: "client" } });
    expect(JSON.stringify(event)).not.toContain("numb");
  });

  it("lets staff start a conversation with the client: awaiting the client, who is told", async () => {
    const s = await setup();
    const { thread } = await startThread(s.lead, s.caseId, { title: "Checking in after our session", body: "How did the walk go?" });
    expect(thread).toMatchObject({ status: "awaiting_client", waitingSince: null });
    expect(thread.firstResponseAt).not.toBeNull();
    const [n] = await notificationsFor(s.client.id);
    expect(n).toMatchObject({ kind: "new_reply", link: `/portal/questions/${thread.id}`, text: "Theo Lead started a conversation with you." });
    const [email] = await emailsTo(s.client);
    expect(email!.textBody).not.toContain("walk");
    expect(email!.subject).not.toContain("Checking in");
  });

  it("answers 404 to anyone who can't see the case, and refuses an empty title or message", async () => {
    const s = await setup();
    await expectStatus(startThread(s.otherClient, s.caseId, { title: "Hello", body: "Anyone?" }), 404);
    await expectStatus(startThread(s.outsider, s.caseId, { title: "Hello", body: "Anyone?" }), 404);
    await expectStatus(startThread(s.client, "not-a-uuid", { title: "Hello", body: "Anyone?" }), 404);
    await expectRule(startThread(s.client, s.caseId, { title: "  ", body: "Body" }), "title");
    await expectRule(startThread(s.client, s.caseId, { title: "Title", body: "\n " }), "body");
    await expectRule(startThread(s.client, s.caseId, { title: "x".repeat(201), body: "Body" }), "title");
    expect(await db.select().from(threads).where(eq(threads.caseId, s.caseId))).toHaveLength(0);
    // Admins may start one on any case.
    const { thread } = await startThread(s.admin, s.caseId, { title: "From the practice", body: "A note from the admin." });
    expect(thread.status).toBe("awaiting_client");
  });
});

describe("status follows the last shared post", () => {
  it("moves between awaiting staff and awaiting client; internal notes change nothing", async () => {
    const s = await setup();
    const { thread, question, answer } = await askedAndAnswered(s);
    let row = await threadRow(thread.id);
    expect(row.status).toBe("awaiting_client");
    expect(row.waitingSince).toBeNull();
    expect(row.firstResponseAt?.getTime()).toBe(answer.createdAt.getTime());
    const firstResponse = row.firstResponseAt!.getTime();

    const { post: followUp } = await addPost(s.client, thread.id, { parentId: answer.id, body: "We tried; it went badly." });
    row = await threadRow(thread.id);
    expect(row.status).toBe("awaiting_staff");
    expect(row.waitingSince?.getTime()).toBe(followUp.createdAt.getTime());
    expect(row.lastActivityAt.getTime()).toBe(followUp.createdAt.getTime());

    const { post: note } = await addPost(s.lead, thread.id, { parentId: followUp.id, body: "Watch for shutdown here.", visibility: "internal" });
    row = await threadRow(thread.id);
    expect(row.status).toBe("awaiting_staff");
    expect(row.waitingSince?.getTime()).toBe(followUp.createdAt.getTime());
    expect(row.lastActivityAt.getTime()).toBe(note.createdAt.getTime());

    await addPost(s.lead, thread.id, { parentId: followUp.id, body: "That's a normal setback." });
    row = await threadRow(thread.id);
    expect(row.status).toBe("awaiting_client");
    expect(row.firstResponseAt!.getTime()).toBe(firstResponse);
    expect(question.parentId).toBeNull();
  });

  it("doesn't count an internal note as a first response", async () => {
    const s = await setup();
    const { thread } = await startThread(s.client, s.caseId, { title: "A question", body: "Can we talk?" });
    await addPost(s.support, thread.id, { body: "Lead should take this one.", visibility: "internal" });
    const row = await threadRow(thread.id);
    expect(row.firstResponseAt).toBeNull();
    expect(row.status).toBe("awaiting_staff");
  });

  it("keeps replies in the order written, and a reply without a parent answers the question", async () => {
    const s = await setup();
    const { thread, post: question } = await startThread(s.client, s.caseId, { title: "Order", body: "First." });
    const written = [];
    for (let i = 0; i < 5; i++) written.push((await addPost(i % 2 ? s.client : s.support, thread.id, { body: `Reply ${i}` })).post);
    expect(written.every((p) => p.parentId === question.id)).toBe(true);
    const view = await getThreadForStaff(s.lead, thread.id);
    expect(view.posts.map((p) => p.body)).toEqual(["First.", "Reply 0", "Reply 1", "Reply 2", "Reply 3", "Reply 4"]);
  });

  it("closes and reopens (staff); a client's reply reopens a closed thread", async () => {
    const s = await setup();
    const { thread, answer } = await askedAndAnswered(s);
    await closeThread(s.support, thread.id, "192.0.2.1");
    let row = await threadRow(thread.id);
    expect(row.status).toBe("closed");
    expect(row.closedAt).not.toBeNull();
    await expectRule(closeThread(s.support, thread.id));

    // Staff reopen: the last shared post was staff's, so it awaits the client.
    expect(await reopenThread(s.lead, thread.id)).toBe("awaiting_client");
    await expectRule(reopenThread(s.lead, thread.id));
    await closeThread(s.lead, thread.id);

    // A staff reply on a closed thread leaves it closed.
    await addPost(s.lead, thread.id, { parentId: answer.id, body: "One more thought for later." });
    expect((await threadRow(thread.id)).status).toBe("closed");

    const { post } = await addPost(s.client, thread.id, { parentId: answer.id, body: "Actually, one more question." });
    row = await threadRow(thread.id);
    expect(row).toMatchObject({ status: "awaiting_staff", closedAt: null });
    expect(row.waitingSince?.getTime()).toBe(post.createdAt.getTime());
    const actions = (await auditFor(thread.id)).map((e) => e.action);
    expect(actions.filter((a) => a === "thread.reopened")).toHaveLength(2);
    expect(actions.at(-1)).toBe("thread.reopened");

    // Reopened by staff after the client wrote last: awaiting staff, waiting since that post.
    await closeThread(s.lead, thread.id);
    expect(await reopenThread(s.lead, thread.id)).toBe("awaiting_staff");
    expect((await threadRow(thread.id)).waitingSince?.getTime()).toBe(post.createdAt.getTime());
  });

  it("sends a reply and closes in one step", async () => {
    const s = await setup();
    const { thread } = await startThread(s.client, s.caseId, { title: "Thanks", body: "That helped a lot." });
    await addPost(s.support, thread.id, { body: "I'm glad. Take care.", close: true });
    const row = await threadRow(thread.id);
    expect(row.status).toBe("closed");
    expect(row.firstResponseAt).not.toBeNull();
    expect((await auditFor(thread.id)).map((e) => e.action)).toEqual(["thread.started", "thread.replied", "thread.closed"]);
  });

  it("lets only staff close, reopen or clear: the client gets 403, outsiders 404", async () => {
    const s = await setup();
    const { thread } = await askedAndAnswered(s);
    await expectStatus(closeThread(s.client, thread.id), 403);
    await expectStatus(closeThread(s.outsider, thread.id), 404);
    await expectStatus(closeThread(s.otherClient, thread.id), 404);
    await expectStatus(reopenThread(s.client, thread.id), 403);
    await expectStatus(clearRiskFlag(s.client, thread.id), 403);
    await expectStatus(addPost(s.client, thread.id, { body: "Bye", close: true }), 403);
    expect((await threadRow(thread.id)).status).toBe("awaiting_client");
  });
});

describe("who may post where", () => {
  it("answers 404 when a client posts into another client's thread by id, and leaves it unchanged", async () => {
    const s = await setup();
    const { thread } = await askedAndAnswered(s);
    const before = await threadRow(thread.id);
    await expectStatus(addPost(s.otherClient, thread.id, { body: "Let me in." }), 404);
    await expectStatus(getThreadForClient(s.otherClient, thread.id), 404);
    await expectStatus(markThreadRead(s.otherClient, thread.id), 404);
    expect(await threadRow(thread.id)).toEqual(before);
    expect(await db.select().from(posts).where(eq(posts.authorId, s.otherClient.id))).toHaveLength(0);
  });

  it("answers 404 to a coach outside the case, for every thread function", async () => {
    const s = await setup();
    const { thread, answer } = await askedAndAnswered(s);
    const before = await threadRow(thread.id);
    await expectStatus(addPost(s.outsider, thread.id, { body: "Hi" }), 404);
    await expectStatus(addPost(s.outsider, thread.id, { body: "Hi", visibility: "internal" }), 404);
    await expectStatus(getThreadForStaff(s.outsider, thread.id), 404);
    await expectStatus(editPost(s.outsider, answer.id, { body: "Changed" }), 404);
    await expectStatus(listPostVersions(s.outsider, answer.id), 404);
    await expectStatus(listCaseThreads(s.outsider, s.caseId, { page: 1 }), 404);
    await expectStatus(assignThreads(s.outsider, [thread.id], s.outsider.id), 404);
    await expectStatus(clearRiskFlag(s.outsider, thread.id), 404);
    await expectStatus(reopenThread(s.outsider, thread.id), 404);
    expect(await threadRow(thread.id)).toEqual(before);
  });

  it("refuses an internal note from a client with 403", async () => {
    const s = await setup();
    const { thread } = await askedAndAnswered(s);
    await expectStatus(addPost(s.client, thread.id, { body: "Note to self", visibility: "internal" }), 403);
    expect(await db.select().from(posts).where(and(eq(posts.threadId, thread.id), eq(posts.visibility, "internal")))).toHaveLength(0);
  });

  it("accepts a parent only from the same thread and visible to the actor (else 404)", async () => {
    const s = await setup();
    const { thread } = await askedAndAnswered(s);
    const { thread: other, post: otherQuestion } = await startThread(s.client, s.caseId, { title: "Another", body: "Second question." });
    const { post: note } = await addPost(s.lead, thread.id, { body: "Staff only", visibility: "internal" });
    await expectStatus(addPost(s.client, thread.id, { parentId: otherQuestion.id, body: "Wrong thread" }), 404);
    await expectStatus(addPost(s.lead, thread.id, { parentId: otherQuestion.id, body: "Wrong thread" }), 404);
    await expectStatus(addPost(s.client, thread.id, { parentId: note.id, body: "Replying to a hidden note" }), 404);
    await expectStatus(addPost(s.client, thread.id, { parentId: "nonsense", body: "Bad id" }), 404);
    // A shared reply can't hang under an internal note (the client couldn't see what it answers).
    await expectRule(addPost(s.lead, thread.id, { parentId: note.id, body: "Shared under a note" }), "visibility");
    const { post: nested } = await addPost(s.support, thread.id, { parentId: note.id, body: "Agreed.", visibility: "internal" });
    expect(nested.parentId).toBe(note.id);
    expect((await threadRow(other.id)).lastActivityAt.getTime()).toBe(otherQuestion.createdAt.getTime());
  });

  it("refuses an empty or too long message beside the body field", async () => {
    const s = await setup();
    const { thread } = await askedAndAnswered(s);
    await expectRule(addPost(s.client, thread.id, { body: "   " }), "body");
    const tooLong = await expectRule(addPost(s.lead, thread.id, { body: "x".repeat(10_001) }), "body");
    expect(tooLong.message).toMatch(/10,000/);
  });
});

describe("internal notes never reach the client", () => {
  it("keeps them out of the client's thread, list, notifications and emails", async () => {
    const s = await setup();
    const { thread, question } = await askedAndAnswered(s);
    await markThreadRead(s.client, thread.id);
    const clientNotesBefore = (await notificationsFor(s.client.id)).length;
    const clientEmailsBefore = (await emailsTo(s.client)).length;

    const { post: note } = await addPost(s.lead, thread.id, { parentId: question.id, body: SECRET, visibility: "internal" });
    await addPost(s.support, thread.id, { parentId: note.id, body: `${SECRET} (agreed)`, visibility: "internal" });
    await editPost(s.lead, note.id, { body: `${SECRET} — edited` });

    const view = await getThreadForClient(s.client, thread.id);
    expect(JSON.stringify(view)).not.toContain(SECRET);
    expect(view.posts.every((p) => p.visibility === "shared")).toBe(true);
    expect(view.posts).toHaveLength(2);
    // Nothing of triage either.
    expect(Object.keys(view.thread).sort()).toEqual(["caseId", "closedAt", "createdAt", "id", "lastPostAt", "status", "title"]);

    const list = await listClientThreads(s.client, { page: 1 });
    expect(JSON.stringify(list)).not.toContain(SECRET);
    expect(list.threads[0]).toMatchObject({ id: thread.id, unread: false });

    expect(await notificationsFor(s.client.id)).toHaveLength(clientNotesBefore);
    expect(await emailsTo(s.client)).toHaveLength(clientEmailsBefore);
    await expectStatus(listPostVersions(s.client, note.id), 404);
    await expectStatus(editPost(s.client, note.id, { body: "mine now" }), 404);

    // Staff do see them, and the lead's colleague was told (without the text).
    const staffView = await getThreadForStaff(s.support, thread.id);
    expect(staffView.posts.filter((p) => p.visibility === "internal")).toHaveLength(2);
    const [told] = await notificationsFor(s.support.id);
    // The link opens the page of the thread that holds the note.
    expect(told).toMatchObject({ kind: "new_reply", link: `/threads/${thread.id}?post=${note.id}#post-${note.id}` });
    expect(told!.text).toBe("Theo Lead added an internal note to a question on Jordan Client's case.");

    const everything = JSON.stringify([await db.select().from(notifications), await db.select().from(emailOutbox), await db.select().from(auditEvents)]);
    expect(everything).not.toContain(SECRET);
  });

  it("never tells anyone what was written: notification texts and emails carry no message", async () => {
    const s = await setup();
    const { thread } = await startThread(s.client, s.caseId, { title: "Private title words", body: "Private body words" });
    await addPost(s.lead, thread.id, { body: "Private answer words" });
    await addPost(s.client, thread.id, { body: "Private follow-up words" });
    const everything = JSON.stringify([await db.select().from(notifications), await db.select().from(emailOutbox)]);
    expect(everything).not.toMatch(/Private/);
  });
});

describe("notifications", () => {
  it("tells the case's staff and the assignee of a client post, and the client of a staff reply", async () => {
    const s = await setup();
    const { thread, answer } = await askedAndAnswered(s);
    // The admin is assigned without being a member: they hear of client posts too.
    expect(await assignThreads(s.lead, [thread.id], s.admin.id)).toBe(1);
    const [assigned] = await notificationsFor(s.admin.id);
    expect(assigned).toMatchObject({ kind: "assigned", threadId: thread.id, text: "Theo Lead assigned you a question on Jordan Client's case." });

    await addPost(s.client, thread.id, { parentId: answer.id, body: "Thank you, trying it tonight." });
    for (const person of [s.lead, s.support, s.admin]) {
      const [n] = await notificationsFor(person.id);
      expect(n).toMatchObject({ kind: "new_client_post", text: "Jordan Client replied to a question.", threadId: thread.id });
    }
    const clientNotes = await notificationsFor(s.client.id);
    expect(clientNotes).toHaveLength(1);
    expect(clientNotes[0]).toMatchObject({
      kind: "new_reply",
      text: "Casey Support replied to your question.",
      link: `/portal/questions/${thread.id}?post=${answer.id}#post-${answer.id}`,
    });
  });
});

describe("risk flags", () => {
  it("flags a client's worrying post: urgent, reasons kept, case risk to watch, lead alerted at once, crisis shown", async () => {
    const s = await setup();
    const { thread, answer } = await askedAndAnswered(s);
    // The lead was emailed about this thread a moment ago: an urgent flag still gets through.
    const leadEmailsBefore = (await emailsTo(s.lead)).length;
    const { post, crisis } = await addPost(s.client, thread.id, { parentId: answer.id, body: "Honestly some nights I want to die." }, "203.0.113.9");
    expect(crisis).toBe(true);

    const row = await threadRow(thread.id);
    expect(row.priority).toBe("urgent");
    expect(row.flaggedAt?.getTime()).toBe(post.createdAt.getTime());
    expect(row.riskReasons).toEqual([{ ruleId: "suicide", label: "Suicidal thoughts", postId: post.id, at: post.createdAt.toISOString() }]);
    expect((await caseRow(s.caseId)).risk).toBe("watch");

    const [riskEvent] = await db.select().from(auditEvents).where(and(eq(auditEvents.caseId, s.caseId), eq(auditEvents.action, "case.risk_changed")));
    expect(riskEvent).toMatchObject({ caseId: s.caseId, actorId: null, details: { from: "none", to: "watch" } });
    const flagged = (await auditFor(thread.id)).find((e) => e.action === "thread.flagged");
    expect(flagged).toMatchObject({ caseId: s.caseId, details: { rules: ["suicide"], postId: post.id } });

    const leadNotes = await notificationsFor(s.lead.id);
    const urgent = leadNotes.find((n) => n.kind === "urgent_flag");
    expect(urgent).toMatchObject({ link: `/threads/${thread.id}?post=${post.id}#post-${post.id}`, caseId: s.caseId });
    expect(urgent!.text).not.toContain("die");
    expect(leadNotes.filter((n) => n.createdAt.getTime() === post.createdAt.getTime())).toHaveLength(1);
    expect((await emailsTo(s.lead)).length).toBe(leadEmailsBefore + 1);
    // The rest of the team hears of the post as usual.
    expect((await notificationsFor(s.support.id))[0]).toMatchObject({ kind: "new_client_post" });
    // Nothing of this shows to the client but the crisis message their page chooses to show.
    expect(JSON.stringify(await getThreadForClient(s.client, thread.id))).not.toMatch(/urgent|suicide|Suicidal/);
  });

  it("screens a new question's title and body, and never lowers a higher case risk", async () => {
    const s = await setup();
    await db.update(cases).set({ risk: "urgent" }).where(eq(cases.id, s.caseId));
    const { thread, crisis } = await startThread(s.client, s.caseId, { title: "I'm not safe at home", body: "Please call me." });
    expect(crisis).toBe(true);
    expect((await threadRow(thread.id)).riskReasons.map((r) => r.ruleId)).toEqual(["danger_now"]);
    expect((await caseRow(s.caseId)).risk).toBe("urgent");
    expect(await db.select().from(auditEvents).where(and(eq(auditEvents.caseId, s.caseId), eq(auditEvents.action, "case.risk_changed")))).toHaveLength(0);
  });

  it("doesn't screen staff, and doesn't flag ordinary words", async () => {
    const s = await setup();
    const { thread, crisis } = await startThread(s.client, s.caseId, { title: "A hard week", body: "It was a killer week at work but we talked." });
    expect(crisis).toBe(false);
    const staff = await addPost(s.lead, thread.id, { body: "If you ever think about suicide, call us straight away." });
    expect(staff.crisis).toBe(false);
    expect((await threadRow(thread.id)).priority).toBe("normal");
    expect((await caseRow(s.caseId)).risk).toBe("none");
  });

  it("screens a client's edit too", async () => {
    const s = await setup();
    const { thread, post } = await startThread(s.client, s.caseId, { title: "Update", body: "All fine." });
    const { crisis, changed } = await editPost(s.client, post.id, { body: "He hit me last night." });
    expect([changed, crisis]).toEqual([true, true]);
    expect((await threadRow(thread.id)).riskReasons.map((r) => r.ruleId)).toEqual(["violence"]);
  });

  it("lets staff clear a flag, audited; the reasons stay on record; a new match flags it again", async () => {
    const s = await setup();
    const { thread, post } = await startThread(s.client, s.caseId, { title: "Words", body: "Lately I think about suicide a lot." });
    await expectRule(clearRiskFlag(s.lead, (await startThread(s.client, s.caseId, { title: "Calm", body: "All calm." })).thread.id));
    await clearRiskFlag(s.support, thread.id, "192.0.2.8");
    const row = await threadRow(thread.id);
    expect(row).toMatchObject({ priority: "normal", flagClearedBy: s.support.id });
    expect(row.flagClearedAt).not.toBeNull();
    expect(row.riskReasons).toHaveLength(1);
    const cleared = (await auditFor(thread.id)).find((e) => e.action === "thread.flag_cleared");
    expect(cleared).toMatchObject({ actorId: s.support.id, caseId: s.caseId, ip: "192.0.2.8", details: { rules: ["suicide"] } });
    await expectRule(clearRiskFlag(s.support, thread.id));

    const staffView = await getThreadForStaff(s.lead, thread.id);
    expect(staffView.thread.flagClearedBy).toEqual({ id: s.support.id, name: "Casey Support" });

    const again = await addPost(s.client, thread.id, { parentId: post.id, body: "No, really, I don't feel safe. I'm in danger." });
    expect(again.crisis).toBe(true);
    const flaggedAgain = await threadRow(thread.id);
    expect(flaggedAgain).toMatchObject({ priority: "urgent", flagClearedAt: null, flagClearedBy: null });
    expect(flaggedAgain.riskReasons.map((r) => r.ruleId)).toEqual(["suicide", "danger_now"]);
  });
});

describe("editing posts", () => {
  it("lets only the author edit, keeping earlier texts as versions", async () => {
    const s = await setup();
    const { thread, question, answer } = await askedAndAnswered(s);
    const first = await editPost(s.support, answer.id, { body: "Let's begin with one short, honest conversation." }, "192.0.2.3");
    expect(first.changed).toBe(true);
    expect(first.post.editedAt).not.toBeNull();
    await editPost(s.support, answer.id, { body: "Version three." });
    expect((await editPost(s.support, answer.id, { body: "  Version three. " })).changed).toBe(false);
    await expectStatus(editPost(s.lead, answer.id, { body: "Not mine" }), 403);
    await expectStatus(editPost(s.client, answer.id, { body: "Not mine" }), 403);
    await expectRule(editPost(s.support, answer.id, { body: "" }), "body");

    const versions = await listPostVersions(s.lead, answer.id);
    expect(versions.map((v) => v.body)).toEqual(["Let's begin with one short, honest conversation.", "Let's begin with one small, honest conversation."]);
    await expectStatus(listPostVersions(s.client, answer.id), 403);

    await editPost(s.client, question.id, { body: "We barely speak since it all came out." });
    expect((await listPostVersions(s.client, question.id)).map((v) => v.body)).toEqual(["We barely speak since it came out."]);
    expect((await listPostVersions(s.support, question.id))).toHaveLength(1);

    const staffView = await getThreadForStaff(s.lead, thread.id);
    const shown = staffView.posts.find((p) => p.id === answer.id)!;
    expect(shown).toMatchObject({ body: "Version three.", edited: true, versionCount: 2 });
    // The earlier texts come with the posts, newest first, with their times.
    expect(shown.versions.map((v) => v.body)).toEqual(versions.map((v) => v.body));
    expect(shown.versions.map((v) => v.replacedAt.getTime())).toEqual(versions.map((v) => v.replacedAt.getTime()));
    expect(staffView.posts.find((p) => p.id === question.id)!.versions.map((v) => v.body)).toEqual(["We barely speak since it came out."]);
    const clientView = await getThreadForClient(s.client, thread.id);
    expect(clientView.posts.find((p) => p.id === answer.id)).toMatchObject({ edited: true, versionCount: 0, versions: [] });
    expect(clientView.posts.find((p) => p.id === question.id)).toMatchObject({ edited: true, versionCount: 1, mine: true });

    const edits = (await db.select().from(auditEvents).where(eq(auditEvents.action, "thread.post_edited"))).filter((e) => e.caseId === s.caseId);
    expect(edits).toHaveLength(3);
    expect(JSON.stringify(edits)).not.toContain("Version three");
    expect(await db.select().from(postVersions).where(inArray(postVersions.postId, [answer.id, question.id]))).toHaveLength(3);
  });
});

describe("assigning threads", () => {
  it("assigns to a colleague on the case (or an admin), audits each, tells the assignee; null unassigns", async () => {
    const s = await setup();
    const a = await startThread(s.client, s.caseId, { title: "One", body: "First" });
    const b = await startThread(s.client, s.caseId, { title: "Two", body: "Second" });
    const ids = [a.thread.id, b.thread.id];
    expect(await assignThreads(s.lead, ids, s.support.id, "192.0.2.5")).toBe(2);
    expect((await threadRow(a.thread.id)).assigneeId).toBe(s.support.id);
    const [n] = await notificationsFor(s.support.id);
    expect(n).toMatchObject({ kind: "assigned", text: "Theo Lead assigned you 2 questions.", link: "/triage?filter=mine" });
    const events = await db.select().from(auditEvents).where(and(eq(auditEvents.action, "thread.assigned"), eq(auditEvents.caseId, s.caseId)));
    expect(events.map((e) => e.targetId).sort()).toEqual([...ids].sort());
    expect(events[0]).toMatchObject({ caseId: s.caseId, actorId: s.lead.id, details: { to: s.support.id, assigneeName: "Casey Support" } });

    // Already theirs: nothing changes.
    expect(await assignThreads(s.lead, ids, s.support.id)).toBe(0);
    // Assigning to yourself tells no one.
    const before = (await notificationsFor(s.lead.id)).length;
    expect(await assignThreads(s.lead, [a.thread.id], s.lead.id)).toBe(1);
    expect(await notificationsFor(s.lead.id)).toHaveLength(before);
    expect(await assignThreads(s.support, ids, null)).toBe(2);
    expect((await threadRow(b.thread.id)).assigneeId).toBeNull();
    expect(await assignThreads(s.lead, ids, s.admin.id)).toBe(2);
  });

  it("refuses an assignee who isn't on the case, deactivated or a client", async () => {
    const s = await setup();
    const { thread } = await startThread(s.client, s.caseId, { title: "One", body: "First" });
    const gone = await createUser({ role: "coach", deactivated: true });
    await db.insert(caseMembers).values({ caseId: s.caseId, userId: gone.id, role: "support" });
    for (const who of [s.outsider.id, gone.id, s.client.id, "not-an-id", crypto.randomUUID()]) {
      await expectRule(assignThreads(s.lead, [thread.id], who), "assigneeId");
    }
    expect((await threadRow(thread.id)).assigneeId).toBeNull();
  });

  it("answers 404 for the whole request when one thread is out of sight, changing nothing", async () => {
    const s = await setup();
    const mine = await startThread(s.client, s.caseId, { title: "Mine", body: "On my case" });
    const theirs = await startThread(s.otherClient, s.otherCaseId, { title: "Theirs", body: "Not on my case" });
    await expectStatus(assignThreads(s.lead, [mine.thread.id, theirs.thread.id], s.lead.id), 404);
    await expectStatus(assignThreads(s.lead, [mine.thread.id, crypto.randomUUID()], s.lead.id), 404);
    await expectStatus(assignThreads(s.client, [mine.thread.id], s.lead.id), 404);
    expect((await threadRow(mine.thread.id)).assigneeId).toBeNull();
    expect((await threadRow(theirs.thread.id)).assigneeId).toBeNull();
    const assigned = await db.select().from(auditEvents).where(eq(auditEvents.action, "thread.assigned"));
    expect(assigned.filter((e) => e.caseId === s.caseId || e.caseId === s.otherCaseId)).toHaveLength(0);
    // An admin sees every case; an assignee who leads only one of the cases is refused.
    await expectRule(assignThreads(s.admin, [mine.thread.id, theirs.thread.id], s.lead.id), "assigneeId");
    expect(await assignThreads(s.admin, [mine.thread.id, theirs.thread.id], s.admin.id)).toBe(2);
  });
});

describe("reading threads", () => {
  async function longThread(s: Awaited<ReturnType<typeof setup>>, replies: number) {
    const { thread, post: question } = await startThread(s.client, s.caseId, { title: "Long", body: "Start" });
    const base = question.createdAt.getTime();
    const authors = [s.client, s.lead, s.support];
    const rows = Array.from({ length: replies }, (_, i) => ({
      threadId: thread.id,
      parentId: question.id,
      authorId: authors[i % 3]!.id,
      body: `Reply ${i}`,
      visibility: (i % 7 === 3 ? "internal" : "shared") as "internal" | "shared",
      createdAt: new Date(base + (i + 1) * 1000),
    }));
    const inserted = rows.length ? await db.insert(posts).values(rows).returning({ id: posts.id }) : [];
    if (inserted.length) await db.insert(postVersions).values(inserted.slice(0, 20).map((p) => ({ postId: p.id, body: "old" })));
    return thread;
  }

  it("opens a thread of 200 posts in as many queries as a thread of 2, a page of posts at a time", async () => {
    const s = await setup();
    const short = await longThread(s, 1);
    const long = await longThread(s, 199);
    const staffShort = await countQueries(() => getThreadForStaff(s.lead, short.id));
    const staffLong = await countQueries(() => getThreadForStaff(s.lead, long.id));
    expect(staffLong.result.posts).toHaveLength(THREAD_PAGE_SIZE);
    expect(staffLong.result.pagination).toMatchObject({ page: 1, pages: 4, total: 200 });
    expect(staffLong.count).toBe(staffShort.count);
    // The thread with its case, names and team; then the page's posts with their earlier texts.
    expect(staffLong.count).toBe(2);
    expect(staffLong.result.posts.filter((p) => p.versionCount === 1)).toHaveLength(20);

    const clientShort = await countQueries(() => getThreadForClient(s.client, short.id));
    const clientLong = await countQueries(() => getThreadForClient(s.client, long.id, { page: 4 }));
    expect(clientLong.count).toBe(clientShort.count);
    const shared = 200 - Math.floor((199 + 3) / 7);
    expect(clientLong.result.pagination).toMatchObject({ page: 4, pages: 4, total: shared });
    expect(clientLong.result.posts.length).toBe(shared - 3 * THREAD_PAGE_SIZE);
    expect(clientLong.result.posts.every((p) => p.visibility === "shared")).toBe(true);
  });

  it("marks the thread read and its notifications read in one statement, and nothing for someone who can't see it", async () => {
    const s = await setup();
    const { thread } = await askedAndAnswered(s);
    const other = await startThread(s.client, s.caseId, { title: "Other", body: "Another question." });
    await addPost(s.client, thread.id, { body: "And one more thing." });
    const unreadOf = async (userId: string) => (await notificationsFor(userId)).filter((n) => n.readAt === null).map((n) => n.threadId);
    expect((await unreadOf(s.lead.id)).filter((id) => id === thread.id).length).toBeGreaterThan(0);
    const otherBefore = (await unreadOf(s.lead.id)).filter((id) => id === other.thread.id).length;
    const supportBefore = await unreadOf(s.support.id);

    const now = new Date(Date.now() + 60_000);
    const { count } = await countQueries(() => markThreadRead(s.lead, thread.id, now));
    expect(count).toBe(1);
    expect((await unreadOf(s.lead.id)).filter((id) => id === thread.id)).toEqual([]);
    expect((await unreadOf(s.lead.id)).filter((id) => id === other.thread.id)).toHaveLength(otherBefore);
    expect(await unreadOf(s.support.id)).toEqual(supportBefore);
    const [read] = await db.select().from(threadReads).where(and(eq(threadReads.threadId, thread.id), eq(threadReads.userId, s.lead.id)));
    expect(read!.lastReadAt).toEqual(now);

    // Someone who can't see the thread: 404, and their own notifications about it stay as they were.
    await db.insert(notifications).values({ userId: s.outsider.id, kind: "new_reply", text: "Stale", link: "/", threadId: thread.id });
    await expectStatus(markThreadRead(s.outsider, thread.id), 404);
    expect(await unreadOf(s.outsider.id)).toEqual([thread.id]);
    expect(await db.select().from(threadReads).where(eq(threadReads.userId, s.outsider.id))).toEqual([]);
  });

  it("marks the thread read and records the staff member's view of the case in one statement, only for staff who may see it", async () => {
    const s = await setup();
    const { thread } = await askedAndAnswered(s);
    const viewsOf = () => db.select().from(auditEvents).where(and(eq(auditEvents.action, "case.viewed"), eq(auditEvents.caseId, s.caseId)));
    const { count } = await countQueries(() => markThreadReadAndRecordView(s.support, { id: thread.id, caseId: s.caseId }, "198.51.100.9"));
    expect(count).toBe(1);
    expect((await viewsOf()).map((v) => [v.actorId, v.targetType, v.targetId, v.ip, v.details])).toEqual([
      [s.support.id, "thread", thread.id, "198.51.100.9", { page: "thread" }],
    ]);
    await markThreadReadAndRecordView(s.admin, { id: thread.id, caseId: s.caseId }, null);
    expect(await viewsOf()).toHaveLength(2);

    for (const person of [s.outsider, s.client]) {
      await expectStatus(markThreadReadAndRecordView(person, { id: thread.id, caseId: s.caseId }, null), 404);
      expect(await db.select().from(threadReads).where(eq(threadReads.userId, person.id))).toEqual([]);
    }
    await expectStatus(markThreadReadAndRecordView(s.lead, { id: crypto.randomUUID(), caseId: s.caseId }, null), 404);
    await expectStatus(markThreadReadAndRecordView(s.lead, { id: "nonsense", caseId: s.caseId }, null), 404);
    expect(await viewsOf()).toHaveLength(2);
    // Never a view of the thread recorded against another case, even one the actor may see.
    await expectStatus(markThreadReadAndRecordView(s.admin, { id: thread.id, caseId: s.otherCaseId }, null), 404);
    expect(await db.select().from(auditEvents).where(and(eq(auditEvents.action, "case.viewed"), eq(auditEvents.caseId, s.otherCaseId)))).toEqual([]);
  });

  it("gives staff each post's author, role, parent, edited flag and versions, and the case beside it", async () => {
    const s = await setup();
    const { thread, question, answer } = await askedAndAnswered(s);
    const [plan] = await db.insert(plans).values({ caseId: s.caseId, title: "Rebuilding trust" }).returning();
    await db.insert(planSteps).values([
      { planId: plan!.id, position: 1, title: "Own it", status: "done" },
      { planId: plan!.id, position: 2, title: "Apologise", status: "done" },
      { planId: plan!.id, position: 3, title: "Be open", status: "todo" },
      { planId: plan!.id, position: 4, title: "Skip me", status: "skipped" },
    ]);
    const view = await getThreadForStaff(s.admin, thread.id);
    expect(view.posts.map((p) => [p.authorName, p.authorRole, p.parentId])).toEqual([
      ["Jordan Client", "client", null],
      ["Casey Support", "coach", question.id],
    ]);
    expect(view.posts[1]).toMatchObject({ id: answer.id, edited: false, versionCount: 0, mine: false });
    expect(view.case).toMatchObject({
      id: s.caseId,
      risk: "none",
      client: { id: s.client.id, name: "Jordan Client" },
      lead: { id: s.lead.id, name: "Theo Lead" },
      progress: { total: 4, done: 2, skipped: 1, percent: 66 },
      lastCheckIn: null,
    });
    expect(view.assignees.map((a) => a.name)).toEqual(["Theo Lead", "Casey Support"]);
    // Beside the thread: the client's latest check-in on the case.
    for (const at of ["2026-03-01T09:00:00Z", "2026-03-08T09:30:00Z"]) {
      await db.insert(checkIns).values({ caseId: s.caseId, authorId: s.client.id, submittedAt: new Date(at), mood: 3, progress: 5, closeness: 5 });
    }
    expect((await getThreadForStaff(s.admin, thread.id)).case.lastCheckIn?.submittedAt.toISOString()).toBe("2026-03-08T09:30:00.000Z");
    // The staff view is for staff: the client gets 404 from it.
    await expectStatus(getThreadForStaff(s.client, thread.id), 404);
    await expectStatus(getThreadForClient(s.lead, thread.id), 404);
  });

  it("writes the read mark only when there is something new to mark read", async () => {
    const s = await setup();
    const { thread } = await askedAndAnswered(s);
    const markOf = async () =>
      (await db.select().from(threadReads).where(and(eq(threadReads.threadId, thread.id), eq(threadReads.userId, s.client.id))))[0]?.lastReadAt;
    const firstRead = new Date();
    await markThreadRead(s.client, thread.id, firstRead);
    expect(await markOf()).toEqual(firstRead);
    // Opening it again with nothing new leaves the mark (and its row) as it was.
    await markThreadRead(s.client, thread.id, new Date(firstRead.getTime() + 60_000));
    expect(await markOf()).toEqual(firstRead);
    // A new reply makes the thread unread until it is read again, which moves the mark.
    await addPost(s.support, thread.id, { body: "One more thought for you." });
    let list = await listClientThreads(s.client, { page: 1 });
    expect(list.threads.find((t) => t.id === thread.id)!.unread).toBe(true);
    const secondRead = new Date(Date.now() + 120_000);
    await markThreadRead(s.client, thread.id, secondRead);
    expect(await markOf()).toEqual(secondRead);
    list = await listClientThreads(s.client, { page: 1 });
    expect(list.threads.find((t) => t.id === thread.id)!.unread).toBe(false);
  });

  it("lists the client's threads with unread marks, newest shared activity first", async () => {
    const s = await setup();
    const first = await askedAndAnswered(s);
    const second = await startThread(s.client, s.caseId, { title: "Second", body: "Another thing." });
    await startThread(s.otherClient, s.otherCaseId, { title: "Not yours", body: "Elsewhere." });

    let list = await listClientThreads(s.client, { page: 1 });
    expect(list.total).toBe(2);
    expect(list.threads.map((t) => [t.title, t.unread])).toEqual([
      ["Second", false],
      ["How do I start talking again?", true],
    ]);
    await markThreadRead(s.client, first.thread.id);
    list = await listClientThreads(s.client, { page: 1 });
    expect(list.threads.find((t) => t.id === first.thread.id)!.unread).toBe(false);
    // An internal note neither marks the thread unread nor moves it up.
    await addPost(s.lead, first.thread.id, { body: "Note", visibility: "internal" });
    list = await listClientThreads(s.client, { page: 1 });
    expect(list.threads.map((t) => [t.id, t.unread])).toEqual([
      [second.thread.id, false],
      [first.thread.id, false],
    ]);
    await expectStatus(listClientThreads(s.lead, { page: 1 }), 404);
    expect((await listClientThreads(s.client, { page: 2, perPage: 1 })).threads.map((t) => t.id)).toEqual([first.thread.id]);
  });

  it("lists a case's threads for staff with unread marks (internal notes count for staff)", async () => {
    const s = await setup();
    const { thread } = await askedAndAnswered(s);
    await markThreadRead(s.lead, thread.id);
    let list = await listCaseThreads(s.lead, s.caseId, { page: 1 });
    expect(list.threads[0]).toMatchObject({ id: thread.id, unread: false, posts: 2, status: "awaiting_client" });
    await addPost(s.support, thread.id, { body: "FYI", visibility: "internal" });
    list = await listCaseThreads(s.lead, s.caseId, { page: 1 });
    expect(list.threads[0]).toMatchObject({ unread: true, posts: 3 });
    await expectStatus(listCaseThreads(s.client, s.caseId, { page: 1 }), 404);
    expect((await listCaseThreads(s.admin, s.caseId, { page: 1 })).total).toBe(1);
  });
});

describe("the case timeline", () => {
  it("tells thread events in plain sentences, without what was written", async () => {
    const s = await setup();
    const { thread, answer } = await askedAndAnswered(s);
    await addPost(s.lead, thread.id, { body: "Note", visibility: "internal" });
    await editPost(s.support, answer.id, { body: "Edited answer" });
    await assignThreads(s.lead, [thread.id], s.support.id);
    await assignThreads(s.lead, [thread.id], null);
    await closeThread(s.lead, thread.id);
    await addPost(s.client, thread.id, { parentId: answer.id, body: "I feel like I want to die some days." });
    await clearRiskFlag(s.lead, thread.id);
    await closeThread(s.lead, thread.id);
    await reopenThread(s.lead, thread.id);

    const timeline = await listCaseTimeline(s.lead, s.caseId, { page: 1, perPage: 50 });
    // Events written in one transaction share a time, so compare without order.
    const sentences = timeline.events.map((e) => e.sentence).sort();
    expect(sentences).toEqual([
      "Jordan Client asked a new question.",
      "Casey Support answered a question.",
      "You added an internal note to a question.",
      "Casey Support edited a message in a question.",
      "You assigned a question to Casey Support.",
      "You unassigned a question.",
      "You closed a question.",
      "Jordan Client replied to a question.",
      "Jordan Client reopened a question by replying to it.",
      "Cairn flagged a question as urgent (Suicidal thoughts).",
      "Cairn raised the risk level to Watch (it was None) after a client's message was flagged.",
      "You cleared the urgent flag on a question.",
      "You closed a question.",
      "You reopened a question.",
    ].sort());
  });
});
