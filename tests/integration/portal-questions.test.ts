import type { LoaderFunctionArgs } from "@remix-run/node";
import { and, asc, eq } from "drizzle-orm";
import { type ComponentType } from "react";
import { describe, expect, it } from "vitest";
import { getSetting } from "~/models/settings.server";
import { addPost, closeThread, startThread } from "~/models/threads.server";
import * as portalHome from "~/routes/portal._index";
import * as questionPage from "~/routes/portal.questions.$threadId";
import * as questionList from "~/routes/portal.questions._index";
import { db } from "../../db/client";
import { auditEvents, posts, threadReads, threads, type User } from "../../db/schema";
import { createUser, insertCase, requestAs, respond, responseJson, testContext } from "../support/factories";
import { messagesBeside } from "../support/hostile-input";
import { formUnder, nestedReplyForms } from "../support/reply-forms";
import { renderPage } from "../support/render-page";

// The client's side of questions (issue 4, section 7): their own threads with status and unread
// marks, asking a new question, replying anywhere in a thread, the crisis message after a risk
// match, and that a client only ever reaches their own threads and never sees an internal note.

type RouteFunction = (args: LoaderFunctionArgs) => Promise<unknown>;
type RouteModule = { loader: RouteFunction; default: ComponentType };
type ListData = {
  threads: { id: string; title: string; status: string; unread: boolean; caseId: string }[];
  total: number;
  page: number;
  perPage: number;
  askable: { id: string; title: string }[];
};
type PageData = {
  thread: { id: string; title: string; status: string };
  posts: { id: string; body: string; visibility: string; authorName: string }[];
  crisisMessage: string | null;
};
type FormAnswer = { ok: false; errors: Record<string, string>; values: Record<string, string> };

async function call(fn: RouteFunction, user: { id: string } | null, path: string, params: Record<string, string> = {}, form?: Record<string, string>) {
  const { request } = await requestAs(user, path, { form });
  return respond(() => fn({ request, params, context: testContext }));
}

const listPath = "/portal/questions";
const pagePath = (threadId: string) => `/portal/questions/${threadId}`;

const openList = (user: { id: string }, search = "") => call(questionList.loader, user, `${listPath}${search}`);
const ask = (user: { id: string }, form: Record<string, string>) => call(questionList.action, user, listPath, {}, form);
const openThread = (user: { id: string }, threadId: string, search = "") =>
  call(questionPage.loader, user, `${pagePath(threadId)}${search}`, { threadId });
const reply = (user: { id: string }, threadId: string, form: Record<string, string>) =>
  call(questionPage.action, user, pagePath(threadId), { threadId }, { intent: "reply", ...form });

async function setup() {
  const lead = await createUser({ role: "therapist", name: "Theo Lead" });
  const client = await createUser({ role: "client", name: "Jordan Client" });
  const { case: theCase } = await insertCase({ lead, client, title: "Rebuilding trust after the phone" });
  return { lead, client, theCase };
}

async function snapshot(threadId: string) {
  const [thread] = await db.select().from(threads).where(eq(threads.id, threadId));
  const postRows = await db.select().from(posts).where(eq(posts.threadId, threadId)).orderBy(asc(posts.createdAt));
  const audit = await db.select({ id: auditEvents.id }).from(auditEvents).where(eq(auditEvents.caseId, thread!.caseId));
  return { thread, posts: postRows, audit: audit.length };
}

function locationOf(response: Response) {
  return response.headers.get("Location") ?? "";
}

describe("the client's list of questions", () => {
  it("shows a client only their own threads, with a link to each", async () => {
    const a = await setup();
    const b = await setup();
    const { thread: first } = await startThread(a.client, a.theCase.id, { title: "Telling Sasha about the urge", body: "Should I keep saying it?" });
    const { thread: second } = await startThread(a.client, a.theCase.id, { title: "A quiet birthday", body: "Too much, too soon?" });
    const { thread: theirs } = await startThread(b.client, b.theCase.id, { title: "Someone else's question", body: "Not for Jordan." });

    const response = await openList(a.client);
    expect(response.status).toBe(200);
    const data = await responseJson<ListData>(response);
    expect(data.threads.map((t) => t.id).sort()).toEqual([first.id, second.id].sort());
    expect(data.total).toBe(2);
    expect(JSON.stringify(data)).not.toContain(theirs.id);
    expect(data.askable).toEqual([{ id: a.theCase.id, title: "Rebuilding trust after the phone" }]);

    const html = await renderPage(questionList, listPath, a.client, listPath);
    expect(html).toContain("Telling Sasha about the urge");
    expect(html).toContain(`href="/portal/questions/${first.id}"`);
    expect(html).not.toContain("Someone else&#x27;s question");
    expect(html).not.toContain(theirs.id);
    expect(html).toContain("Waiting for your practitioner");

    const theirList = await responseJson<ListData>(await openList(b.client));
    expect(theirList.threads.map((t) => t.id)).toEqual([theirs.id]);
  });

  it("marks a practitioner's new reply as unread until the client opens the thread", async () => {
    const { lead, client, theCase } = await setup();
    const { thread } = await startThread(client, theCase.id, { title: "How do I apologise?", body: "It keeps sounding rehearsed." });
    const unread = async () => (await responseJson<ListData>(await openList(client))).threads.find((t) => t.id === thread.id)!.unread;

    expect(await unread()).toBe(false);
    await addPost(lead, thread.id, { parentId: null, body: "Try three sentences, then stop and listen.", visibility: "shared" });
    expect(await unread()).toBe(true);
    let html = await renderPage(questionList, listPath, client, listPath);
    expect(html).toContain("New reply");

    expect((await openThread(client, thread.id)).status).toBe(200);
    expect(await unread()).toBe(false);
    html = await renderPage(questionList, listPath, client, listPath);
    expect(html).not.toContain("New reply");
    expect(html).toContain("Answered");

    // A staff member's internal note is not news to the client.
    await addPost(lead, thread.id, { parentId: null, body: "Staff only: check in on Thursday.", visibility: "internal" });
    expect(await unread()).toBe(false);
  });

  it("pages through many questions, twenty at a time", async () => {
    const { client, theCase } = await setup();
    const base = Date.now() - 60 * 60 * 1000;
    for (let i = 0; i < 23; i++) {
      const at = new Date(base + i * 1000);
      const [row] = await db
        .insert(threads)
        .values({ caseId: theCase.id, title: `Question ${i + 1}`, createdBy: client.id, createdAt: at, lastActivityAt: at, waitingSince: at })
        .returning();
      await db.insert(posts).values({ threadId: row!.id, authorId: client.id, body: `Body ${i + 1}`, createdAt: at });
    }
    const first = await responseJson<ListData>(await openList(client));
    expect(first).toMatchObject({ total: 23, page: 1, perPage: 20 });
    expect(first.threads).toHaveLength(20);
    // Most recent conversation first.
    expect(first.threads[0]!.title).toBe("Question 23");
    const second = await responseJson<ListData>(await openList(client, "?page=2"));
    expect(second.threads.map((t) => t.title)).toEqual(["Question 3", "Question 2", "Question 1"]);
    const html = await renderPage(questionList, listPath, client, `${listPath}?page=2`);
    expect(html).toContain("Previous page");
  });
});

describe("asking a question", () => {
  it("starts a thread on the client's case and goes to it, with a flash and nothing of the text in the address", async () => {
    const { client, theCase } = await setup();
    const response = await ask(client, { caseId: theCase.id, title: "Should I show Tom my messages?", body: "Part of me thinks it would help him relax." });
    expect(response.status).toBe(302);
    const [thread] = await db.select().from(threads).where(eq(threads.caseId, theCase.id));
    expect(thread).toMatchObject({ title: "Should I show Tom my messages?", status: "awaiting_staff", createdBy: client.id, priority: "normal" });
    expect(locationOf(response)).toBe(pagePath(thread!.id));
    expect(response.headers.get("Set-Cookie")).toContain("cairn_flash=");

    const page = await responseJson<PageData>(await openThread(client, thread!.id));
    expect(page.posts.map((p) => p.body)).toEqual(["Part of me thinks it would help him relax."]);
    expect(page.crisisMessage).toBeNull();
  });

  it("uses the client's only open case when none is chosen", async () => {
    const { client, theCase } = await setup();
    expect((await ask(client, { title: "A question", body: "Without a case id." })).status).toBe(302);
    expect(await db.select({ id: threads.id }).from(threads).where(eq(threads.caseId, theCase.id))).toHaveLength(1);
  });

  it("answers 400 beside the field and keeps what was typed when the title or message is missing", async () => {
    const { client, theCase } = await setup();
    let response = await ask(client, { caseId: theCase.id, title: "  ", body: "I wrote all this." });
    expect(response.status).toBe(400);
    let answer = await responseJson<FormAnswer>(response);
    expect(answer.errors.title).toBeTruthy();
    expect(answer.values).toMatchObject({ body: "I wrote all this.", caseId: theCase.id });

    response = await ask(client, { caseId: theCase.id, title: "My title", body: "" });
    expect(response.status).toBe(400);
    answer = await responseJson<FormAnswer>(response);
    expect(answer.errors.body).toBeTruthy();
    expect(answer.values.title).toBe("My title");
    expect(await db.select({ id: threads.id }).from(threads).where(eq(threads.caseId, theCase.id))).toEqual([]);
  });

  it("offers a choice between open cases, never a closed one, and refuses a closed case sent by hand", async () => {
    const { lead, client, theCase } = await setup();
    const { case: second } = await insertCase({ lead, client, title: "Talking without fighting", status: "paused" });
    const { case: closed } = await insertCase({ lead, client, title: "An older piece of work", status: "closed" });
    const data = await responseJson<ListData>(await openList(client));
    expect(data.askable.map((c) => c.id)).toEqual([theCase.id, second.id]);
    const html = await renderPage(questionList, listPath, client, listPath);
    expect(html).toContain("Which case is it about?");
    expect(html).not.toContain("An older piece of work");

    const noChoice = await ask(client, { title: "Which one?", body: "I didn't choose." });
    expect(noChoice.status).toBe(400);
    expect((await responseJson<FormAnswer>(noChoice)).errors.caseId).toMatch(/choose/i);

    const response = await ask(client, { caseId: closed.id, title: "Back again", body: "Can I ask here?" });
    expect(response.status).toBe(400);
    expect((await responseJson<FormAnswer>(response)).errors.caseId).toMatch(/closed/);
    expect(await db.select({ id: threads.id }).from(threads).where(eq(threads.caseId, closed.id))).toEqual([]);
  });

  it("answers 404 when a client asks on another client's case by id, and creates nothing", async () => {
    const a = await setup();
    const b = await setup();
    const response = await ask(b.client, { caseId: a.theCase.id, title: "Sneaking in", body: "On someone else's case." });
    expect(response.status).toBe(404);
    expect(await db.select({ id: threads.id }).from(threads).where(eq(threads.caseId, a.theCase.id))).toEqual([]);
  });

  it("shows the practice's crisis message calmly after a question that matched a risk rule", async () => {
    const { client, theCase } = await setup();
    const body = "Some nights I feel there's no point in living with what I've done.";
    const response = await ask(client, { caseId: theCase.id, title: "The nights", body });
    expect(response.status).toBe(302);
    const [thread] = await db.select().from(threads).where(eq(threads.caseId, theCase.id));
    expect(thread!.priority).toBe("urgent");
    const location = locationOf(response);
    expect(location).toBe(`${pagePath(thread!.id)}?support=1`);
    expect(location).not.toMatch(/night|living/i);

    const crisis = await getSetting("crisis_message");
    const page = await responseJson<PageData>(await openThread(client, thread!.id, "?support=1"));
    expect(page.crisisMessage).toBe(crisis);
    const html = await renderPage(questionPage, "/portal/questions/:threadId", client, `${pagePath(thread!.id)}?support=1`);
    expect(html).toContain("You don&#x27;t have to carry this alone");
    expect(html).toContain(crisis.replace(/'/g, "&#x27;"));
    // Nothing of triage reaches the client: no "urgent", no rule names.
    expect(html).not.toMatch(/urgent|suicid/i);
    expect(JSON.stringify(page)).not.toMatch(/urgent|suicid|riskReasons/i);

    // Without the flag in the address, the page is the ordinary thread.
    expect((await responseJson<PageData>(await openThread(client, thread!.id))).crisisMessage).toBeNull();
  });
});

describe("a thread in the portal", () => {
  it("never shows internal notes: not in the loader data, not on the page, and a reply under one is 404", async () => {
    const { lead, client, theCase } = await setup();
    const { thread, post: question } = await startThread(client, theCase.id, { title: "Her ex messaged again", body: "Reassured or worried?" });
    const { post: answer } = await addPost(lead, thread.id, { parentId: question.id, body: "Both make sense.", visibility: "shared" });
    const { post: note } = await addPost(lead, thread.id, {
      parentId: question.id,
      body: "STAFF-ONLY: first contact from the ex; watch at Tuesday's session.",
      visibility: "internal",
    });
    await addPost(lead, thread.id, { parentId: note.id, body: "STAFF-ONLY: agreed, and keep the risk on watch.", visibility: "internal" });

    const response = await openThread(client, thread.id);
    expect(response.status).toBe(200);
    const data = await responseJson<PageData>(response);
    expect(data.posts.map((p) => p.id)).toEqual([question.id, answer.id]);
    const raw = JSON.stringify(data);
    expect(raw).not.toContain("STAFF-ONLY");
    expect(raw).not.toContain(note.id);
    expect(raw).not.toContain("internal");

    const html = await renderPage(questionPage, "/portal/questions/:threadId", client, pagePath(thread.id));
    expect(html).toContain("Both make sense.");
    expect(html).not.toContain("STAFF-ONLY");
    expect(html).not.toContain(note.id);
    expect(html).not.toMatch(/internal note/i);

    const before = await snapshot(thread.id);
    const response404 = await reply(client, thread.id, { parentId: note.id, body: "Replying to a note I can't see." });
    expect(response404.status).toBe(404);
    expect(await snapshot(thread.id)).toEqual(before);
  });

  it("lets the client reply under any shared post, nested where they chose", async () => {
    const { lead, client, theCase } = await setup();
    const { thread, post: question } = await startThread(client, theCase.id, { title: "First coffee", body: "What do we talk about?" });
    const { post: answer } = await addPost(lead, thread.id, { parentId: question.id, body: "Keep it short and light.", visibility: "shared" });

    const response = await reply(client, thread.id, { parentId: answer.id, body: "And if the argument comes up?" });
    expect(response.status).toBe(302);
    const [mine] = await db.select().from(posts).where(and(eq(posts.threadId, thread.id), eq(posts.parentId, answer.id)));
    expect(mine).toMatchObject({ authorId: client.id, visibility: "shared", body: "And if the argument comes up?" });
    // The page of the thread that holds the reply, scrolled to it.
    expect(locationOf(response)).toBe(`${pagePath(thread.id)}?post=${mine!.id}#post-${mine!.id}`);
    const [row] = await db.select().from(threads).where(eq(threads.id, thread.id));
    expect(row).toMatchObject({ status: "awaiting_staff" });
    expect(row!.waitingSince).toEqual(mine!.createdAt);

    // The main box adds to the question itself.
    expect((await reply(client, thread.id, { parentId: "", body: "One more thing." })).status).toBe(302);
    const [added] = await db.select().from(posts).where(and(eq(posts.threadId, thread.id), eq(posts.body, "One more thing.")));
    expect(added!.parentId).toBe(question.id);

    // Each message has a "Reply" link; the page itself carries no reply form under any of them…
    const html = await renderPage(questionPage, "/portal/questions/:threadId", client, pagePath(thread.id));
    expect(html).toContain("And if the argument comes up?");
    expect(html).toMatch(new RegExp(`<a [^>]*href="\\?replyTo=${answer.id}#reply-${answer.id}"[^>]*>Reply<span class="sr-only"> to Theo Lead</span></a>`));
    expect(nestedReplyForms(html)).toEqual([]);
    // …until the link is followed: one form, under the message answered, with a way back.
    const open = await renderPage(questionPage, "/portal/questions/:threadId", client, `${pagePath(thread.id)}?replyTo=${answer.id}`);
    expect(nestedReplyForms(open)).toEqual([answer.id]);
    expect(formUnder(open, answer.id)).toContain("Your reply to Theo Lead");
    expect(formUnder(open, answer.id)).toContain(`href="${pagePath(thread.id)}?post=${answer.id}#post-${answer.id}">Cancel`);
    // Clients get no choice of who sees a reply.
    expect(open).not.toContain('name="visibility"');
  });

  it("opens a reply form only under a message the client can see in this thread; anything else opens none", async () => {
    const { lead, client, theCase } = await setup();
    const { thread, post: question } = await startThread(client, theCase.id, { title: "Meeting his family", body: "Should I go?" });
    const { post: note } = await addPost(lead, thread.id, { parentId: question.id, body: "Internal context", visibility: "internal" });
    const { post: elsewhere } = await startThread(client, theCase.id, { title: "Another question", body: "Unrelated." });
    for (const replyTo of [note.id, elsewhere.id, crypto.randomUUID(), "nonsense", ""]) {
      const response = await openThread(client, thread.id, `?replyTo=${replyTo}`);
      expect(response.status, replyTo).toBe(200);
      const html = await renderPage(questionPage, "/portal/questions/:threadId", client, `${pagePath(thread.id)}?replyTo=${replyTo}`);
      expect(nestedReplyForms(html), replyTo).toEqual([]);
      expect(html).not.toMatch(/id="reply-[0-9a-f]{8}-/);
      expect(html).not.toContain("Internal context");
    }
  });

  it("keeps what was typed and says what's wrong when a reply is empty", async () => {
    const { client, theCase } = await setup();
    const { thread, post } = await startThread(client, theCase.id, { title: "A question", body: "The body." });
    const before = await snapshot(thread.id);
    const response = await reply(client, thread.id, { parentId: post.id, body: "   " });
    expect(response.status).toBe(400);
    const answer = await responseJson<FormAnswer>(response);
    expect(answer.errors.body).toBeTruthy();
    expect(answer.values.parentId).toBe(post.id);
    expect(await snapshot(thread.id)).toEqual(before);

    // The page comes back with the form open under the same message, the text kept and the message beside it.
    const typed = "I wrote all of this. ".repeat(600);
    const html = await renderPage(questionPage, "/portal/questions/:threadId", client, pagePath(thread.id), [
      ["intent", "reply"],
      ["parentId", post.id],
      ["body", typed],
    ]);
    expect(nestedReplyForms(html)).toEqual([post.id]);
    expect(formUnder(html, post.id)).toContain(typed.trim());
    expect(messagesBeside(formUnder(html, post.id), "body")).toEqual(["Keep a message under 10,000 characters."]);
    expect(await snapshot(thread.id)).toEqual(before);
  });

  it("reopens a closed thread when the client replies to it", async () => {
    const { lead, client, theCase } = await setup();
    const { thread, post: question } = await startThread(client, theCase.id, { title: "Walking instead of journaling", body: "Can I skip it?" });
    await addPost(lead, thread.id, { parentId: question.id, body: "Absolutely. Try voice notes.", visibility: "shared" });
    await closeThread(lead, thread.id);
    expect((await responseJson<PageData>(await openThread(client, thread.id))).thread.status).toBe("closed");
    const closedPage = await renderPage(questionPage, "/portal/questions/:threadId", client, pagePath(thread.id));
    expect(closedPage).toContain("This question is closed");

    const response = await reply(client, thread.id, { parentId: question.id, body: "Voice notes are perfect. Coming back to this, though." });
    expect(response.status).toBe(302);
    const [row] = await db.select().from(threads).where(eq(threads.id, thread.id));
    expect(row).toMatchObject({ status: "awaiting_staff", closedAt: null });
    const reopened = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.caseId, theCase.id), eq(auditEvents.action, "thread.reopened")));
    expect(reopened).toHaveLength(1);
    expect(reopened[0]!.actorId).toBe(client.id);
    expect((await responseJson<PageData>(await openThread(client, thread.id))).thread.status).toBe("awaiting_staff");
  });

  it("shows the crisis message after a reply that matched a risk rule", async () => {
    const { client, theCase } = await setup();
    const { thread, post } = await startThread(client, theCase.id, { title: "A hard week", body: "Kenji asked for more time." });
    const response = await reply(client, thread.id, { parentId: post.id, body: "Honestly I feel better off dead some days." });
    expect(response.status).toBe(302);
    expect(locationOf(response)).toMatch(new RegExp(`^${pagePath(thread.id)}\\?support=1&post=[0-9a-f-]{36}#post-`));
    const [row] = await db.select().from(threads).where(eq(threads.id, thread.id));
    expect(row!.priority).toBe("urgent");
  });

  it("answers 404 to a client opening or posting into another client's thread by id, and changes nothing", async () => {
    const a = await setup();
    const b = await setup();
    const { thread, post } = await startThread(a.client, a.theCase.id, { title: "Jordan's question", body: "Private to Jordan." });
    const { thread: own } = await startThread(b.client, b.theCase.id, { title: "Riley's question", body: "Riley's own." });
    const before = await snapshot(thread.id);
    const ownBefore = await snapshot(own.id);
    const readsBefore = await db.select().from(threadReads).where(eq(threadReads.threadId, thread.id));

    expect((await openThread(b.client, thread.id)).status).toBe(404);
    expect((await reply(b.client, thread.id, { parentId: post.id, body: "Posting into someone else's thread." })).status).toBe(404);
    expect((await reply(b.client, thread.id, { parentId: "", body: "And at the top." })).status).toBe(404);
    // Their own thread, but answering a post from someone else's: 404 too.
    expect((await reply(b.client, own.id, { parentId: post.id, body: "Pointing at Jordan's post." })).status).toBe(404);
    // Ids that aren't ids at all.
    expect((await openThread(b.client, "not-a-uuid")).status).toBe(404);
    expect((await reply(b.client, "not-a-uuid", { body: "Hello?" })).status).toBe(404);

    expect(await snapshot(thread.id)).toEqual(before);
    expect(await snapshot(own.id)).toEqual(ownBefore);
    expect(await db.select().from(threadReads).where(eq(threadReads.threadId, thread.id))).toEqual(readsBefore);
  });

  it("refuses an internal note from a client (403) and changes nothing", async () => {
    const { client, theCase } = await setup();
    const { thread, post } = await startThread(client, theCase.id, { title: "A question", body: "The body." });
    const before = await snapshot(thread.id);
    const response = await reply(client, thread.id, { parentId: post.id, body: "Can I hide this?", visibility: "internal" });
    expect(response.status).toBe(403);
    expect(await snapshot(thread.id)).toEqual(before);
  });

  it("answers 404 to staff on every portal questions route, whatever their role or case", async () => {
    const { lead, client, theCase } = await setup();
    const admin = await createUser({ role: "admin" });
    const coach = await createUser({ role: "coach" });
    const { thread, post } = await startThread(client, theCase.id, { title: "A question", body: "The body." });
    const before = await snapshot(thread.id);
    for (const staff of [lead, admin, coach] as User[]) {
      expect((await openList(staff)).status).toBe(404);
      expect((await ask(staff, { caseId: theCase.id, title: "Staff asking", body: "Through the portal." })).status).toBe(404);
      expect((await openThread(staff, thread.id)).status).toBe(404);
      expect((await reply(staff, thread.id, { parentId: post.id, body: "Through the portal." })).status).toBe(404);
    }
    expect(await snapshot(thread.id)).toEqual(before);
    expect(await db.select({ id: threads.id }).from(threads).where(eq(threads.caseId, theCase.id))).toHaveLength(1);

    // Signed out: sent to sign in, and brought back afterwards.
    const signedOut = await call(questionList.loader, null, listPath);
    expect(signedOut.status).toBe(302);
    expect(locationOf(signedOut)).toBe(`/login?redirectTo=${encodeURIComponent(listPath)}`);
  });
});

describe("the portal home", () => {
  it("links to the client's questions near the top", async () => {
    const { client } = await setup();
    const html = await renderPage(portalHome as unknown as RouteModule, "/portal", client, "/portal");
    const link = html.indexOf('href="/portal/questions"');
    expect(link).toBeGreaterThan(-1);
    expect(html.slice(link, link + 80)).toContain(">Questions</a>");
    // Before the plans (there are none here): right under the greeting.
    expect(link).toBeLessThan(html.indexOf("There&#x27;s no plan for you here yet"));
  });
});
