import type { LoaderFunctionArgs } from "@remix-run/node";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { runInRequestScope } from "~/request-scope.server";
import { rootData } from "~/root.server";
import { createSavedReply } from "~/models/saved-replies.server";
import { addPost, editPost, startThread, type StaffThread } from "~/models/threads.server";
import * as caseThreads from "~/routes/cases.$caseId.threads";
import * as threadPage from "~/routes/threads.$threadId";
import { db } from "../../db/client";
import { auditEvents, posts, postVersions, threadReads, threads } from "../../db/schema";
import { createUser, insertCase, requestAs, respond, responseJson, testContext } from "../support/factories";
import { messagesBeside } from "../support/hostile-input";
import { countQueries } from "../support/query-counter";
import { editForms, formUnder, nestedReplyForms } from "../support/reply-forms";
import { renderPage, type PageModule } from "../support/render-page";

// The staff thread page /threads/:threadId and the case's "Questions" tab: who may open them,
// what every form does, and that a failed form keeps what was typed.

type RouteFunction = (args: LoaderFunctionArgs) => Promise<unknown>;
type FormAnswer = { ok: false; intent: string; errors: Record<string, string>; values: Record<string, string> };
type PageData = StaffThread & {
  inserted: { id: string; title: string; body: string } | null;
  insertMissing: boolean;
  savedReplies: { id: string; title: string; scope: string }[];
};

async function call(fn: RouteFunction, user: { id: string } | null, path: string, init: { params: Record<string, string>; form?: Record<string, string> }) {
  const { request } = await requestAs(user, path, { form: init.form });
  return respond(() => fn({ request, params: init.params, context: testContext }));
}

const openThread = (user: { id: string } | null, threadId: string, search = "") =>
  call(threadPage.loader, user, `/threads/${threadId}${search}`, { params: { threadId } });

const postThread = (user: { id: string } | null, threadId: string, form: Record<string, string>) =>
  call(threadPage.action, user, `/threads/${threadId}`, { params: { threadId }, form });

async function threadRow(id: string) {
  const [row] = await db.select().from(threads).where(eq(threads.id, id));
  return row!;
}

async function setup() {
  const lead = await createUser({ role: "therapist", name: "Theo Lead" });
  const support = await createUser({ role: "coach", name: "Casey Support" });
  const outsider = await createUser({ role: "coach", name: "Olive Outsider" });
  const client = await createUser({ role: "client", name: "Jordan Client" });
  const { case: c } = await insertCase({ lead, support: [support], client });
  const { thread, post: question } = await startThread(client, c.id, { title: "Where do we start?", body: "It feels like too much." });
  return { lead, support, outsider, client, caseId: c.id, thread, question };
}

describe("the staff thread page", () => {
  it("shows the thread with the case beside it and marks it read", async () => {
    const s = await setup();
    await addPost(s.lead, s.thread.id, { body: "Staff-only context", visibility: "internal" });
    const response = await openThread(s.support, s.thread.id);
    expect(response.status).toBe(200);
    const data = await responseJson<PageData>(response);
    expect(data.thread).toMatchObject({ id: s.thread.id, title: "Where do we start?", status: "awaiting_staff" });
    expect(data.posts.map((p) => p.visibility)).toEqual(["shared", "internal"]);
    expect(data.case).toMatchObject({ client: { name: "Jordan Client" }, lead: { name: "Theo Lead" }, lastCheckIn: null });
    const [read] = await db.select().from(threadReads).where(and(eq(threadReads.threadId, s.thread.id), eq(threadReads.userId, s.support.id)));
    expect(read).toBeDefined();
  });

  it("renders the nested thread: indents four levels, names whom deeper replies answer, marks internal notes", async () => {
    const s = await setup();
    let parent = s.question.id;
    const chain = [];
    for (let i = 1; i <= 6; i++) {
      const { post } = await addPost(i % 2 ? s.lead : s.client, s.thread.id, { parentId: parent, body: `Level ${i} **reply**` });
      chain.push(post);
      parent = post.id;
    }
    await addPost(s.support, s.thread.id, { parentId: s.question.id, body: "Only for the team", visibility: "internal" });
    const { post: later } = await addPost(s.lead, s.thread.id, { parentId: chain[0]!.id, body: "Level two, edited later" });
    await editPost(s.lead, later.id, { body: "Level two, edited" });

    const html = await renderPage(threadPage as unknown as PageModule, "/threads/:threadId", s.lead, `/threads/${s.thread.id}`);
    // Nesting: the question holds level 1, which holds level 2… level 4 holds nothing; 5 and 6 sit beside it.
    const depthOf = (postId: string) => {
      const at = html.indexOf(`id="post-${postId}"`);
      const before = html.slice(0, at);
      return (before.match(/<ol/g)?.length ?? 0) - (before.match(/<\/ol>/g)?.length ?? 0);
    };
    const depths = [s.question.id, ...chain.map((p) => p.id)].map(depthOf);
    expect(depths.map((d) => d - depths[0]!)).toEqual([0, 1, 2, 3, 4, 4, 4]);
    expect(html).toContain("Replying to Theo Lead");
    expect(html).toContain("Replying to Jordan Client");
    expect(html).toContain("<strong>reply</strong>");
    expect(html).toContain("Internal note — staff only");
    expect(html).toMatch(/<span class="badge[^"]*">Coach<\/span>/);
    expect(html).toMatch(/<span class="badge[^"]*">Therapist<\/span>/);
    expect(html).toMatch(/<span class="badge[^"]*">Client<\/span>/);
    expect(html).toMatch(/<time datetime="[^"]+" title="[^"]+ UTC">just now<\/time>/i);
    expect(html).toContain("· edited");
    expect(html).toContain("Earlier versions (1)");
    expect(html).toContain("<summary");
    expect(html).toContain("Send reply and close");
    expect(html).toContain("Last check-in: none yet");
  });

  it("answers 404 to clients (even on their own thread), staff outside the case and unknown ids", async () => {
    const s = await setup();
    expect((await openThread(s.client, s.thread.id)).status).toBe(404);
    expect((await openThread(s.outsider, s.thread.id)).status).toBe(404);
    expect((await openThread(s.lead, crypto.randomUUID())).status).toBe(404);
    expect((await openThread(s.lead, "nonsense")).status).toBe(404);
    expect((await openThread(null, s.thread.id)).status).toBe(302);
  });

  it("fills the reply box with a saved reply picked with ?savedReply, and only the actor's own or the practice's", async () => {
    const s = await setup();
    const mine = await createSavedReply(s.support, { title: "First steps", body: "Thank you for writing. Let's take this one step at a time.", scope: "mine" });
    const theirs = await createSavedReply(s.lead, { title: "Lead's own", body: "Private snippet", scope: "mine" });
    const data = await responseJson<PageData>(await openThread(s.support, s.thread.id, `?savedReply=${mine.id}`));
    expect(data.inserted).toEqual({ id: mine.id, title: "First steps", body: "Thank you for writing. Let's take this one step at a time." });
    expect(data.savedReplies.map((r) => r.title)).toEqual(["First steps"]);
    const other = await responseJson<PageData>(await openThread(s.support, s.thread.id, `?savedReply=${theirs.id}`));
    expect([other.inserted, other.insertMissing]).toEqual([null, true]);
  });

  it("sends a reply, an internal note, a nested reply, and a reply that closes", async () => {
    const s = await setup();
    const shared = await postThread(s.support, s.thread.id, { intent: "reply", parentId: "", body: "We start small.", visibility: "shared" });
    expect(shared.status).toBe(302);
    expect(shared.headers.get("Location")).toMatch(new RegExp(`^/threads/${s.thread.id}#post-`));
    expect((await threadRow(s.thread.id)).status).toBe("awaiting_client");

    const note = await postThread(s.lead, s.thread.id, { intent: "reply", parentId: s.question.id, body: "Keep an eye on this.", visibility: "internal" });
    expect(note.status).toBe(302);
    const [noteRow] = await db.select().from(posts).where(and(eq(posts.threadId, s.thread.id), eq(posts.visibility, "internal")));
    expect(noteRow).toMatchObject({ parentId: s.question.id, body: "Keep an eye on this." });

    const closing = await postThread(s.support, s.thread.id, { intent: "replyAndClose", parentId: "", body: "Write any time.", visibility: "shared" });
    expect(closing.status).toBe(302);
    expect((await threadRow(s.thread.id)).status).toBe("closed");
  });

  it("answers 400 beside the field and keeps what was typed", async () => {
    const s = await setup();
    const empty = await postThread(s.support, s.thread.id, { intent: "reply", parentId: s.question.id, body: "  ", visibility: "internal" });
    expect(empty.status).toBe(400);
    const answer = await responseJson<FormAnswer>(empty);
    expect(answer).toMatchObject({ intent: "reply", errors: { body: "Write your message before sending it." }, values: { parentId: s.question.id, visibility: "internal" } });

    const badAssignee = await postThread(s.lead, s.thread.id, { intent: "assign", assigneeId: s.outsider.id });
    expect(badAssignee.status).toBe(400);
    expect((await responseJson<FormAnswer>(badAssignee)).errors.assigneeId).toMatch(/team/);

    const notFlagged = await postThread(s.lead, s.thread.id, { intent: "clearFlag" });
    expect(notFlagged.status).toBe(400);
    const unknown = await postThread(s.lead, s.thread.id, { intent: "dance" });
    expect(unknown.status).toBe(400);
  });

  it("assigns, closes, reopens, clears a flag and edits from the page", async () => {
    const s = await setup();
    expect((await postThread(s.lead, s.thread.id, { intent: "assign", assigneeId: s.support.id })).status).toBe(302);
    expect((await threadRow(s.thread.id)).assigneeId).toBe(s.support.id);
    expect((await postThread(s.lead, s.thread.id, { intent: "assign", assigneeId: "" })).status).toBe(302);
    expect((await threadRow(s.thread.id)).assigneeId).toBeNull();

    expect((await postThread(s.lead, s.thread.id, { intent: "close" })).status).toBe(302);
    expect((await threadRow(s.thread.id)).status).toBe("closed");
    expect((await postThread(s.lead, s.thread.id, { intent: "reopen" })).status).toBe(302);
    expect((await threadRow(s.thread.id)).status).toBe("awaiting_staff");

    await addPost(s.client, s.thread.id, { body: "I don't feel safe at home tonight. I'm in danger." });
    expect((await threadRow(s.thread.id)).priority).toBe("urgent");
    expect((await postThread(s.support, s.thread.id, { intent: "clearFlag" })).status).toBe(302);
    expect((await threadRow(s.thread.id)).priority).toBe("normal");

    const { post } = await addPost(s.lead, s.thread.id, { body: "Frist draft" });
    const edited = await postThread(s.lead, s.thread.id, { intent: "edit", postId: post.id, body: "First draft" });
    expect(edited.status).toBe(302);
    expect(edited.headers.get("Location")).toBe(`/threads/${s.thread.id}#post-${post.id}`);
    const notAuthor = await postThread(s.support, s.thread.id, { intent: "edit", postId: post.id, body: "Hijack" });
    expect(notAuthor.status).toBe(403);
    const data = await responseJson<PageData>(await openThread(s.support, s.thread.id));
    expect(data.posts.find((p) => p.id === post.id)).toMatchObject({ body: "First draft", edited: true, versionCount: 1 });
  });

  it("answers 404 to every intent from a coach outside the case or a client, changing nothing", async () => {
    const s = await setup();
    const before = await threadRow(s.thread.id);
    const forms: Record<string, string>[] = [
      { intent: "reply", parentId: "", body: "Hello", visibility: "shared" },
      { intent: "reply", parentId: "", body: "", visibility: "internal" },
      { intent: "replyAndClose", parentId: "", body: "Bye", visibility: "shared" },
      { intent: "assign", assigneeId: s.outsider.id },
      { intent: "close" },
      { intent: "reopen" },
      { intent: "clearFlag" },
      { intent: "edit", postId: s.question.id, body: "Changed" },
    ];
    for (const form of forms) {
      expect((await postThread(s.outsider, s.thread.id, form)).status).toBe(404);
      expect((await postThread(s.client, s.thread.id, form)).status).toBe(404);
    }
    expect(await threadRow(s.thread.id)).toEqual(before);
    expect(await db.select().from(posts).where(eq(posts.threadId, s.thread.id))).toHaveLength(1);
  });
});

describe("the staff thread page at practice scale", () => {
  const staffPage = threadPage as unknown as PageModule;
  const render = (user: { id: string }, threadId: string, search = "", form?: [string, string][]) =>
    renderPage(staffPage, "/threads/:threadId", user, `/threads/${threadId}${search}`, form);

  /** A question with `total` posts in all: nested replies, some internal notes, some edited, a third by `author`. */
  async function longThread(s: Awaited<ReturnType<typeof setup>>, total: number, author: { id: string }) {
    const { thread, post: question } = await startThread(s.client, s.caseId, { title: `A long one (${total})`, body: "Where do we start?" });
    const ids = [question.id];
    const rows: (typeof posts.$inferInsert)[] = [];
    for (let i = 1; i < total; i++) {
      const id = crypto.randomUUID();
      rows.push({
        id,
        threadId: thread.id,
        parentId: ids[Math.max(0, i - 1 - (i % 5))]!,
        authorId: [s.client.id, author.id, s.lead.id][i % 3]!,
        body: `Message ${i}: we talked about trust again tonight and it went better than last week.`,
        visibility: i % 10 === 4 ? "internal" : "shared",
        createdAt: new Date(question.createdAt.getTime() + i * 1000),
        editedAt: i % 25 === 1 ? new Date(question.createdAt.getTime() + i * 1000 + 500) : null,
      });
      ids.push(id);
    }
    if (rows.length) await db.insert(posts).values(rows);
    const edited = rows.filter((r) => r.editedAt).map((r) => ({ postId: r.id!, body: "The first text", replacedAt: r.editedAt! }));
    if (edited.length) await db.insert(postVersions).values(edited);
    return { thread, ids, rows };
  }

  /** Statements one page load sends: the app shell's loader (the session, with the bell) and the page's, in one request scope as the server runs them. */
  async function statementsToOpen(user: { id: string }, threadId: string, search = "") {
    const { request } = await requestAs(user, `/threads/${threadId}${search}`);
    const { result, count, queries } = await countQueries(() =>
      runInRequestScope("GET", async () => {
        await rootData(request);
        return threadPage.loader({ request, params: { threadId }, context: testContext });
      }),
    );
    return { response: result, count, queries };
  }

  it("loads in at most six statements, the same for 2 posts as for 200 with edits, notes and saved replies", async () => {
    const s = await setup();
    await createSavedReply(s.support, { title: "First steps", body: "One step at a time.", scope: "mine" });
    const short = await longThread(s, 2, s.support);
    const long = await longThread(s, 200, s.support);
    const few = await statementsToOpen(s.support, short.thread.id);
    const many = await statementsToOpen(s.support, long.thread.id, `?replyTo=${long.ids[150]}`);
    expect(many.count, many.queries.join("\n")).toBeLessThanOrEqual(6);
    expect(many.count).toBe(few.count);
    const data = await responseJson<PageData & { replyTo: string | null }>(many.response as Response);
    expect(data.posts).toHaveLength(200);
    expect(data.replyTo).toBe(long.ids[150]);
    expect(data.posts.find((p) => p.id === long.ids[1])).toMatchObject({ edited: true, versionCount: 1, versions: [{ body: "The first text" }] });
    expect(data.assignees.map((a) => a.name)).toEqual(["Theo Lead", "Casey Support"]);
    // Writing as it reads: the read mark, the thread's notifications read and the view record.
    const [read] = await db.select().from(threadReads).where(and(eq(threadReads.threadId, long.thread.id), eq(threadReads.userId, s.support.id)));
    expect(read).toBeDefined();
    const views = await db.select().from(auditEvents).where(and(eq(auditEvents.action, "case.viewed"), eq(auditEvents.targetId, long.thread.id)));
    expect(views.map((v) => [v.actorId, v.caseId, v.details])).toEqual([[s.support.id, s.caseId, { page: "thread" }]]);
  });

  it("has one Reply link per post and no reply form under any post until one is asked for", async () => {
    const s = await setup();
    const { thread, ids } = await longThread(s, 200, s.support);
    const html = await render(s.support, thread.id);
    expect(nestedReplyForms(html)).toEqual([]);
    expect(html.match(/<a [^>]*href="\?replyTo=[0-9a-f-]{36}#reply-[0-9a-f-]{36}"[^>]*>Reply<span class="sr-only"> to /g)).toHaveLength(200);
    // The form for a new message on the question itself stays.
    expect(html).toContain('name="parentId" value=""');
    expect(html).toContain("Send reply and close");

    const asked = await render(s.support, thread.id, `?replyTo=${ids[120]}`);
    expect(nestedReplyForms(asked)).toEqual([ids[120]]);
    const form = formUnder(asked, ids[120]!);
    expect(form).toMatch(/<label for="[^"]+"[^>]*>Your reply to (Jordan Client|Casey Support|Theo Lead)<\/label><textarea/);
    expect(form).toContain('name="submissionKey"');
    expect(form).toContain('value="replyAndClose"');
    expect(form).toContain("Who sees this reply");
    expect(form).toContain(`href="/threads/${thread.id}#post-${ids[120]}">Cancel`);
    // The post being answered has its form instead of its link; every other post keeps its link.
    expect(asked.match(/<a [^>]*href="\?replyTo=[0-9a-f-]{36}#reply-[0-9a-f-]{36}"[^>]*>Reply</g)).toHaveLength(199);
  });

  it("renders the page without a reply form, and without an error, for a post that isn't in this thread", async () => {
    const s = await setup();
    const { thread } = await longThread(s, 5, s.support);
    const { thread: other } = await longThread(s, 3, s.support);
    const [elsewhere] = await db.select({ id: posts.id }).from(posts).where(eq(posts.threadId, other.id)).limit(1);
    for (const replyTo of [elsewhere!.id, crypto.randomUUID(), "nonsense", ""]) {
      const response = await openThread(s.support, thread.id, `?replyTo=${replyTo}`);
      expect(response.status, replyTo).toBe(200);
      expect((await responseJson<{ replyTo: string | null }>(response)).replyTo).toBeNull();
      const html = await render(s.support, thread.id, `?replyTo=${replyTo}`);
      expect(nestedReplyForms(html), replyTo).toEqual([]);
      expect(html).not.toContain('role="alert"');
    }
  });

  it("opens the form again under the same post with what was typed and the message beside the field when a reply fails", async () => {
    const s = await setup();
    const { thread, ids } = await longThread(s, 20, s.support);
    const typed = "A careful answer, written slowly. ".repeat(320);
    // Sent from the page with the form open, or by anything that only knows the post: the form comes back under it.
    for (const search of [`?replyTo=${ids[7]}`, ""]) {
      const html = await render(s.support, thread.id, search, [
        ["intent", "reply"],
        ["parentId", ids[7]!],
        ["body", typed],
        ["visibility", "internal"],
      ]);
      expect(nestedReplyForms(html)).toEqual([ids[7]]);
      const form = formUnder(html, ids[7]!);
      expect(form).toContain(`>${typed}</textarea>`);
      expect(messagesBeside(form, "body")).toEqual(["Keep a message under 10,000 characters."]);
      expect(form).toMatch(/<input type="radio" name="visibility" checked="" value="internal"\/>/);
    }
    expect(await db.select().from(posts).where(eq(posts.threadId, thread.id))).toHaveLength(20);
  });

  it("puts a saved reply picked under a post into that post's reply box, and the main box stays empty", async () => {
    const s = await setup();
    const saved = await createSavedReply(s.support, { title: "First steps", body: "Let's take this one step at a time.", scope: "mine" });
    const { thread, ids } = await longThread(s, 4, s.support);
    const html = await render(s.support, thread.id, `?replyTo=${ids[2]}&savedReply=${saved.id}`);
    const form = formUnder(html, ids[2]!);
    expect(form).toContain('<input type="hidden" name="replyTo"');
    expect(form).toContain(">Let&#x27;s take this one step at a time.</textarea>");
    expect(form).toContain("“First steps” is in the reply box.");
    expect(html).toMatch(/>Your reply<\/label><textarea[^>]*><\/textarea>/);
    // Without a post to answer, it goes into the main box as before.
    const main = await render(s.support, thread.id, `?savedReply=${saved.id}`);
    expect(main).toMatch(/>Your reply<\/label><textarea[^>]*>Let&#x27;s take this one step at a time.<\/textarea>/);
  });

  it("opens one edit form, under one of the viewer's own posts, when asked for or when an edit fails", async () => {
    const s = await setup();
    const { thread, rows } = await longThread(s, 30, s.support);
    const own = rows.filter((r) => r.authorId === s.support.id).map((r) => r.id!);
    const theirs = rows.find((r) => r.authorId === s.lead.id)!.id!;
    const html = await render(s.support, thread.id);
    expect(editForms(html)).toEqual([]);
    expect(html.match(/<a [^>]*href="\?edit=[0-9a-f-]{36}#edit-[0-9a-f-]{36}"[^>]*>Edit<span class="sr-only"> your message/g)).toHaveLength(own.length);

    const asked = await render(s.support, thread.id, `?edit=${own[3]}`);
    expect(editForms(asked)).toEqual([own[3]]);
    expect(formUnder(asked, own[3]!, "edit")).toContain("Save changes");
    expect(editForms(await render(s.support, thread.id, `?edit=${theirs}`))).toEqual([]);

    const failed = await render(s.support, thread.id, "", [
      ["intent", "edit"],
      ["postId", own[1]!],
      ["body", "   "],
    ]);
    expect(editForms(failed)).toEqual([own[1]]);
    expect(messagesBeside(formUnder(failed, own[1]!, "edit"), "body")).toEqual(["Write your message before sending it."]);
  });
});

describe("the case's Questions tab", () => {
  const openTab = (user: { id: string } | null, caseId: string) => call(caseThreads.loader, user, `/cases/${caseId}/threads`, { params: { caseId } });
  const postTab = (user: { id: string } | null, caseId: string, form: Record<string, string>) =>
    call(caseThreads.action, user, `/cases/${caseId}/threads`, { params: { caseId }, form });

  it("lists the case's threads and starts a conversation with the client", async () => {
    const s = await setup();
    const list = await responseJson<{ threads: { id: string; title: string; status: string }[]; total: number }>(await openTab(s.lead, s.caseId));
    expect(list.total).toBe(1);
    expect(list.threads[0]).toMatchObject({ id: s.thread.id, status: "awaiting_staff" });

    const started = await postTab(s.lead, s.caseId, { intent: "start", title: "Before our next session", body: "One thing to try this week." });
    expect(started.status).toBe(302);
    const [row] = await db.select().from(threads).where(and(eq(threads.caseId, s.caseId), eq(threads.title, "Before our next session")));
    expect(row).toMatchObject({ status: "awaiting_client", createdBy: s.lead.id });
    expect(started.headers.get("Location")).toBe(`/threads/${row!.id}`);
    const [event] = await db.select().from(auditEvents).where(eq(auditEvents.targetId, row!.id));
    expect(event).toMatchObject({ action: "thread.started", caseId: s.caseId, details: { by: "staff" } });
  });

  it("keeps what was typed when the title or message is missing", async () => {
    const s = await setup();
    const response = await postTab(s.lead, s.caseId, { intent: "start", title: "", body: "Only a body" });
    expect(response.status).toBe(400);
    const answer = await responseJson<FormAnswer>(response);
    expect(answer.errors.title).toBe("Give your question a short title.");
    expect(answer.values.body).toBe("Only a body");
  });

  it("answers 404 to clients and to staff outside the case", async () => {
    const s = await setup();
    expect((await openTab(s.client, s.caseId)).status).toBe(404);
    expect((await openTab(s.outsider, s.caseId)).status).toBe(404);
    expect((await postTab(s.outsider, s.caseId, { intent: "start", title: "Hi", body: "There" })).status).toBe(404);
    expect((await postTab(s.client, s.caseId, { intent: "start", title: "Hi", body: "There" })).status).toBe(404);
    expect(await db.select().from(threads).where(eq(threads.caseId, s.caseId))).toHaveLength(1);
  });
});
