import type { LoaderFunctionArgs } from "@remix-run/node";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { runInRequestScope } from "~/request-scope.server";
import { rootData } from "~/root.server";
import { createSavedReply } from "~/models/saved-replies.server";
import { addPost, editPost, getThreadForStaff, startThread, THREAD_PAGE_SIZE, type StaffThread, type ThreadPostView } from "~/models/threads.server";
import * as caseThreads from "~/routes/cases.$caseId.threads";
import * as portalThread from "~/routes/portal.questions.$threadId";
import * as threadPage from "~/routes/threads.$threadId";
import { db } from "../../db/client";
import { auditEvents, posts, postVersions, threadReads, threads } from "../../db/schema";
import { createUser, insertCase, requestAs, respond, responseJson, testContext } from "../support/factories";
import { messagesBeside } from "../support/hostile-input";
import { countQueries } from "../support/query-counter";
import { editForms, formUnder, nestedReplyForms } from "../support/reply-forms";
import { renderPage, type PageModule } from "../support/render-page";
import { seededRandom, threadViewOrder } from "../support/thread-order";

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
    // To the page of the thread that holds the new message, scrolled to it.
    expect(shared.headers.get("Location")).toMatch(new RegExp(`^/threads/${s.thread.id}\\?post=([0-9a-f-]{36})#post-\\1$`));
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
    expect(edited.headers.get("Location")).toBe(`/threads/${s.thread.id}?post=${post.id}#post-${post.id}`);
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
    // One page of the thread: the one holding the post answered.
    expect(data.posts).toHaveLength(THREAD_PAGE_SIZE);
    expect(data.pagination).toMatchObject({ total: 200, pages: 4 });
    expect(data.replyTo).toBe(long.ids[150]);
    expect(data.posts.map((p) => p.id)).toContain(long.ids[150]);
    const first = await getThreadForStaff(s.support, long.thread.id);
    expect(first.posts.find((p) => p.id === long.ids[1])).toMatchObject({ edited: true, versionCount: 1, versions: [{ body: "The first text" }] });
    expect(data.assignees.map((a) => a.name)).toEqual(["Theo Lead", "Casey Support"]);
    // Writing as it reads: the read mark, the thread's notifications read and the view record.
    const [read] = await db.select().from(threadReads).where(and(eq(threadReads.threadId, long.thread.id), eq(threadReads.userId, s.support.id)));
    expect(read).toBeDefined();
    const views = await db.select().from(auditEvents).where(and(eq(auditEvents.action, "case.viewed"), eq(auditEvents.targetId, long.thread.id)));
    expect(views.map((v) => [v.actorId, v.caseId, v.details])).toEqual([[s.support.id, s.caseId, { page: "thread" }]]);
  });

  it("has one Reply link per post of the page and no reply form under any post until one is asked for", async () => {
    const s = await setup();
    const { thread, ids } = await longThread(s, 200, s.support);
    const html = await render(s.support, thread.id);
    expect(nestedReplyForms(html)).toEqual([]);
    expect(html.match(/<a [^>]*href="\?replyTo=[0-9a-f-]{36}#reply-[0-9a-f-]{36}"[^>]*>Reply<span class="sr-only"> to /g)).toHaveLength(THREAD_PAGE_SIZE);
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
    // Cancel goes back to the page holding the post.
    expect(form).toContain(`href="/threads/${thread.id}?post=${ids[120]}#post-${ids[120]}">Cancel`);
    // The post being answered has its form instead of its link; every other post of its page keeps its link.
    expect(asked.match(/<a [^>]*href="\?replyTo=[0-9a-f-]{36}#reply-[0-9a-f-]{36}"[^>]*>Reply</g)).toHaveLength(THREAD_PAGE_SIZE - 1);
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

describe("a long thread, a page at a time", () => {
  const staffPage = threadPage as unknown as PageModule;
  const clientPage = portalThread as unknown as PageModule;
  const openAsClient = (user: { id: string }, threadId: string, search = "") =>
    call(portalThread.loader, user, `/portal/questions/${threadId}${search}`, { params: { threadId } });
  type Paged = { posts: (ThreadPostView & { createdAt: string })[]; pagination: { page: number; pages: number; total: number; newestPostId: string | null }; replyTo: string | null };

  /**
   * A question with `total` posts in all, written one second apart: replies under recent posts
   * (chains many levels deep), under any earlier post (so a reply can be older than its siblings'
   * replies) or under the question; about one in eight an internal note (replies to a note stay notes).
   */
  async function nestedThread(s: Awaited<ReturnType<typeof setup>>, total: number) {
    const { thread, post: question } = await startThread(s.client, s.caseId, { title: `Nested (${total})`, body: "Where do we start?" });
    const random = seededRandom(total * 7919);
    const all: { id: string; parentId: string | null; authorName: string; visibility: "shared" | "internal" }[] = [
      { id: question.id, parentId: null, authorName: "Jordan Client", visibility: "shared" },
    ];
    const rows: (typeof posts.$inferInsert)[] = [];
    const people = [
      { id: s.client.id, name: "Jordan Client" },
      { id: s.lead.id, name: "Theo Lead" },
      { id: s.support.id, name: "Casey Support" },
    ];
    for (let i = 1; i < total; i++) {
      const roll = random();
      const parent = roll < 0.5 ? all[all.length - 1]! : roll < 0.8 ? all[Math.floor(random() * all.length)]! : all[0]!;
      const internal = parent.visibility === "internal" || random() < 0.125;
      const author = internal ? people[1 + (i % 2)]! : people[i % 3]!;
      const id = crypto.randomUUID();
      rows.push({
        id,
        threadId: thread.id,
        parentId: parent.id,
        authorId: author.id,
        body: `Message ${i}`,
        visibility: internal ? "internal" : "shared",
        createdAt: new Date(question.createdAt.getTime() + i * 1000),
        editedAt: i % 40 === 7 ? new Date(question.createdAt.getTime() + i * 1000 + 500) : null,
      });
      all.push({ id, parentId: parent.id, authorName: author.name, visibility: internal ? "internal" : "shared" });
    }
    await db.insert(posts).values(rows);
    const edited = rows.filter((r) => r.editedAt).map((r) => ({ postId: r.id!, body: "The first text", replacedAt: r.editedAt! }));
    if (edited.length) await db.insert(postVersions).values(edited);
    return { thread, all, edited: edited.map((e) => e.postId) };
  }

  /** The whole thread in the order the thread view shows it, for a reader who sees `visible` posts (as before pages). */
  function displayOrder(all: { id: string; parentId: string | null; authorName: string; visibility: string }[], sharedOnly: boolean) {
    return threadViewOrder(all.filter((p) => !sharedOnly || p.visibility === "shared"));
  }

  /** The ids of the posts a rendered page shows, in order. */
  const shownOn = (html: string) => [...html.matchAll(/<li id="post-([0-9a-f-]{36})"/g)].map((m) => m[1]);

  it("shows staff 50 posts a page in the thread view's order, with the parent's author for a reply whose parent is on an earlier page", async () => {
    const s = await setup();
    const { thread, all, edited } = await nestedThread(s, 120);
    const order = displayOrder(all, false);
    expect(order).toHaveLength(120);
    // The shape this test needs: deep chains, and display order that isn't the order written.
    expect(order).not.toEqual(all.map((p) => p.id));

    const first = await responseJson<PageData & Paged>(await openThread(s.support, thread.id));
    expect(first.posts.map((p) => p.id)).toEqual(order.slice(0, 50));
    expect(first.pagination).toMatchObject({ page: 1, pages: 3, total: 120, newestPostId: all.at(-1)!.id });
    const third = await responseJson<PageData & Paged>(await openThread(s.support, thread.id, "?page=3"));
    expect(third.posts.map((p) => p.id)).toEqual(order.slice(100));
    expect(third.posts).toHaveLength(20);
    const second = await getThreadForStaff(s.support, thread.id, { page: 2 });
    expect(second.posts.map((p) => p.id)).toEqual(order.slice(50, 100));

    // Everything a post carries, on any page: earlier texts, internal notes, the parent's author when it is on an earlier page.
    const byId = new Map(all.map((p) => [p.id, p]));
    for (const [n, page] of [first.posts, second.posts, third.posts].entries()) {
      const onPage = new Set(page.map((p) => p.id));
      for (const p of page) {
        const parent = byId.get(p.id)!.parentId;
        expect(p.parentId).toBe(parent);
        expect(p.visibility).toBe(byId.get(p.id)!.visibility);
        expect(p.earlierParentName, `page ${n + 1}`).toBe(parent && !onPage.has(parent) ? byId.get(parent)!.authorName : null);
        expect(p.versionCount).toBe(edited.includes(p.id) ? 1 : 0);
      }
    }
    expect(second.posts.filter((p) => p.earlierParentName).length).toBeGreaterThan(0);

    // Rendered: only the page's posts, in the same order; a reply whose parent is on an earlier page starts at the top, naming whom it answers.
    const html = await renderPage(staffPage, "/threads/:threadId", s.support, `/threads/${thread.id}?page=2`);
    expect(shownOn(html)).toEqual(order.slice(50, 100));
    const opener = second.posts[0]!;
    expect(opener.earlierParentName).not.toBeNull();
    const start = html.indexOf(`<li id="post-${opener.id}"`);
    expect(html.slice(start, html.indexOf("</article>", start))).toContain(`Replying to ${opener.earlierParentName}`);
  });

  it("keeps the order among more than 127 replies to one post, and for replies written before their parent", async () => {
    const s = await setup();
    const { thread, post: question } = await startThread(s.client, s.caseId, { title: "Wide", body: "Many answers" });
    const at = (i: number) => new Date(question.createdAt.getTime() + i * 1000);
    const replies = Array.from({ length: 140 }, (_, i) => ({ id: crypto.randomUUID(), parentId: question.id, authorId: s.lead.id, body: `Answer ${i}`, createdAt: at(i + 1) }));
    // Under the 127th, 128th and 140th answers (where a sibling's rank takes more room), and one "written" before its parent.
    const under = [126, 127, 139].map((n, i) => ({ id: crypto.randomUUID(), parentId: replies[n]!.id, authorId: s.client.id, body: `Under ${n}`, createdAt: at(200 + i) }));
    const early = { id: crypto.randomUUID(), parentId: replies[139]!.id, authorId: s.client.id, body: "Early", createdAt: at(0.5) };
    const rows = [...replies, ...under, early].map((r) => ({ ...r, threadId: thread.id }));
    await db.insert(posts).values(rows);
    const all = [{ id: question.id, parentId: null, authorName: "Jordan Client", createdAt: question.createdAt }, ...rows.map((r) => ({ ...r, authorName: "x" }))].sort(
      (a, b) => a.createdAt.getTime() - b.createdAt.getTime(),
    );
    const order = threadViewOrder(all);
    const shown: string[] = [];
    for (const page of [1, 2, 3]) shown.push(...(await getThreadForStaff(s.support, thread.id, { page })).posts.map((p) => p.id));
    expect(shown).toEqual(order);
    // The early one has a parent written after it: it stands on its own after the question's tree, as the thread view has always shown it.
    expect(order.at(-1)).toBe(early.id);
    expect(order.indexOf(under[1]!.id)).toBe(order.indexOf(replies[127]!.id) + 1);
  });

  it("renders the page line, the page links and a link to the newest message, as plain links", async () => {
    const s = await setup();
    const { thread, all } = await nestedThread(s, 120);
    const html = await renderPage(staffPage, "/threads/:threadId", s.support, `/threads/${thread.id}?page=2`);
    expect(html.match(/Messages 51–100 of 120/g)).toHaveLength(2);
    const navs = [...html.matchAll(/<nav aria-label="Thread pages">(.*?)<\/nav>/gs)].map((m) => m[1]!);
    expect(navs).toHaveLength(2);
    for (const nav of navs) {
      const links = [...nav.matchAll(/<a ([^>]*)>(.*?)<\/a>/g)].map((m) => ({ attributes: m[1]!, text: m[2]!.replace(/<[^>]+>/g, "") }));
      expect(links.map((l) => l.text)).toEqual(["Previous", "Page 1", "Page 2", "Page 3", "Next"]);
      expect(links.map((l) => /href="([^"]*)"/.exec(l.attributes)?.[1])).toEqual(["?page=1", "?page=1", "?page=2", "?page=3", "?page=3"]);
      expect(links.filter((l) => l.attributes.includes('aria-current="page"')).map((l) => l.text)).toEqual(["Page 2"]);
    }
    const newest = all.at(-1)!.id;
    expect(html).toMatch(new RegExp(`<a href="\\?post=${newest}#post-${newest}"[^>]*>Newest message</a>`));

    // The first page has no "Previous"; the last no "Next".
    const firstPage = await renderPage(staffPage, "/threads/:threadId", s.support, `/threads/${thread.id}`);
    expect(firstPage).toContain("Messages 1–50 of 120");
    expect(firstPage).not.toContain(">Previous<");
    expect(firstPage).toContain(">Next<");
    const lastPage = await renderPage(staffPage, "/threads/:threadId", s.support, `/threads/${thread.id}?page=3`);
    expect(lastPage.match(/Messages 101–120 of 120/g)).toHaveLength(2);
    expect(lastPage).not.toContain(">Next<");

    // A thread of one page: the count, no page links, no jump to the newest message.
    const { thread: short } = await nestedThread(s, 12);
    const one = await renderPage(staffPage, "/threads/:threadId", s.support, `/threads/${short.id}`);
    expect(one).toContain("Messages 1–12 of 12");
    expect(one).not.toContain('aria-label="Thread pages"');
    expect(one).not.toContain("Newest message");
  });

  it("opens the page holding ?post, ?replyTo or ?edit; anything else falls back to page 1; past the end, the last page", async () => {
    const s = await setup();
    const { thread, all } = await nestedThread(s, 120);
    const order = displayOrder(all, false);
    const pageOf = async (search: string) => (await responseJson<Paged>(await openThread(s.support, thread.id, search))).pagination.page;

    expect(await pageOf(`?post=${order[75]}`)).toBe(2);
    expect(await pageOf(`?post=${order[100]}`)).toBe(3);
    expect(await pageOf(`?post=${order[49]}&page=3`)).toBe(1);
    const own = order.slice(100).find((id) => all.find((p) => p.id === id)!.authorName === "Casey Support")!;
    expect(await pageOf(`?edit=${own}`)).toBe(3);

    // ?replyTo of a post on page 3 opens page 3 with the form under that post.
    const target = order[110]!;
    const data = await responseJson<Paged>(await openThread(s.support, thread.id, `?replyTo=${target}`));
    expect([data.pagination.page, data.replyTo]).toEqual([3, target]);
    const html = await renderPage(staffPage, "/threads/:threadId", s.support, `/threads/${thread.id}?replyTo=${target}`);
    expect(nestedReplyForms(html)).toEqual([target]);
    expect(formUnder(html, target)).toContain("Send reply");

    const { thread: other } = await nestedThread(s, 3);
    const [elsewhere] = await db.select({ id: posts.id }).from(posts).where(eq(posts.threadId, other.id)).limit(1);
    for (const search of [`?post=${elsewhere!.id}`, `?post=${crypto.randomUUID()}`, "?post=nonsense", `?post=nonsense&page=2`, "?page=junk", "?page=0", "?page=-3", "?page=1.5", ""]) {
      expect(await pageOf(search), search).toBe(1);
    }
    for (const search of ["?page=4", "?page=99", "?page=2147483648"]) {
      const past = await responseJson<Paged>(await openThread(s.support, thread.id, search));
      expect(past.pagination.page, search).toBe(3);
      expect(past.posts.map((p) => p.id)).toEqual(order.slice(100));
    }
    expect(await pageOf("?page=2")).toBe(2);
  });

  it("counts only shared posts for the client, in the same order, and never opens a page for an internal note", async () => {
    const s = await setup();
    const { thread, all } = await nestedThread(s, 120);
    const order = displayOrder(all, true);
    const shared = all.filter((p) => p.visibility === "shared").length;
    expect(order).toHaveLength(shared);
    expect(shared).toBeGreaterThan(50);
    expect(shared).toBeLessThan(120);
    const pages = Math.ceil(shared / 50);

    const first = await responseJson<Paged>(await openAsClient(s.client, thread.id));
    expect(first.pagination).toMatchObject({ page: 1, pages, total: shared });
    expect(first.posts.map((p) => p.id)).toEqual(order.slice(0, 50));
    expect(first.posts.every((p) => p.visibility === "shared")).toBe(true);
    const last = await responseJson<Paged>(await openAsClient(s.client, thread.id, `?page=${pages + 5}`));
    expect(last.pagination.page).toBe(pages);
    expect(last.posts.map((p) => p.id)).toEqual(order.slice((pages - 1) * 50));

    // The newest message the client sees, never a newer internal note.
    const newestShared = all.filter((p) => p.visibility === "shared").at(-1)!.id;
    expect(first.pagination.newestPostId).toBe(newestShared);

    // An internal note's id opens page 1 and shows nothing of it.
    const note = all.filter((p) => p.visibility === "internal").at(-1)!.id;
    const viaNote = await openAsClient(s.client, thread.id, `?post=${note}`);
    expect(viaNote.status).toBe(200);
    const noted = await responseJson<Paged>(viaNote);
    expect(noted.pagination.page).toBe(1);
    expect(JSON.stringify(noted)).not.toContain(note);
    expect((await responseJson<Paged>(await openAsClient(s.client, thread.id, `?replyTo=${note}`))).replyTo).toBeNull();

    // A shared post on page 2 opens page 2, with the form under it.
    const target = order[60]!;
    const open = await responseJson<Paged>(await openAsClient(s.client, thread.id, `?replyTo=${target}`));
    expect([open.pagination.page, open.replyTo]).toEqual([2, target]);
    const html = await renderPage(clientPage, "/portal/questions/:threadId", s.client, `/portal/questions/${thread.id}?post=${target}`);
    expect(shownOn(html)).toEqual(order.slice(50, 100));
    expect(html).toContain(`Messages 51–${Math.min(100, shared)} of ${shared}`);
    expect(html).toContain('aria-label="Thread pages"');
  });

  it("answers 404 for a thread on a case the reader can't see, whatever page or post is asked for", async () => {
    const s = await setup();
    const { thread, all } = await nestedThread(s, 60);
    const otherClient = await createUser({ role: "client" });
    for (const search of ["", "?page=2", `?post=${all[55]!.id}`, `?replyTo=${all[55]!.id}`]) {
      expect((await openThread(s.outsider, thread.id, search)).status, search).toBe(404);
      expect((await openAsClient(otherClient, thread.id, search)).status, search).toBe(404);
    }
  });

  it("opens the client's page in as many statements for a long thread as for a short one", async () => {
    const s = await setup();
    const { thread: short } = await nestedThread(s, 2);
    const { thread: long, all } = await nestedThread(s, 120);
    const statements = async (threadId: string, search = "") => {
      const { request } = await requestAs(s.client, `/portal/questions/${threadId}${search}`);
      return countQueries(() =>
        runInRequestScope("GET", async () => {
          await rootData(request);
          return portalThread.loader({ request, params: { threadId }, context: testContext });
        }),
      );
    };
    const few = await statements(short.id);
    const many = await statements(long.id, `?post=${all[100]!.id}`);
    expect(many.count, many.queries.join("\n")).toBe(few.count);
    expect((await responseJson<Paged>(many.result as Response)).posts.length).toBeLessThanOrEqual(50);
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
