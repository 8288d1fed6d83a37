import { and, desc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { SAVED_REPLY_BODY_MAX, SAVED_REPLY_TITLE_MAX } from "~/models/saved-replies.server";
import { POST_MAX, startThread } from "~/models/threads.server";
import * as portalQuestion from "~/routes/portal.questions.$threadId";
import * as savedRepliesPage from "~/routes/saved-replies";
import * as staffThread from "~/routes/threads.$threadId";
import { db } from "../../db/client";
import { posts, savedReplies } from "../../db/schema";
import { createUser, insertCase } from "../support/factories";
import {
  expectLimitShownInForm,
  expectNoLiveInjection,
  expectShownAsText,
  HOSTILE_INPUTS,
  HOSTILE_SAMPLE,
  sendAllThrough,
  type FieldUnderTest,
} from "../support/hostile-input";
import { renderPage, type PageModule } from "../support/render-page";

// Hostile text through replies, internal notes, edits and saved replies: every string of the
// corpus is posted through the route's action as someone allowed to, then the thread is rendered
// from both sides. No answer is an error, what was typed is stored as typed (NUL removed,
// trimmed), over-long text gets the limit message beside the field, and no page carries live
// markup. A Markdown image is never loaded, and an internal note never reaches the client.
//
// | route module               | path                  | intent | field | other fields                  |
// |----------------------------|-----------------------|--------|-------|-------------------------------|
// | portal.questions.$threadId | /portal/questions/:id | reply  | body  | parentId                      |
// | threads.$threadId          | /threads/:id          | reply  | body  | parentId, visibility=shared   |
// | threads.$threadId          | /threads/:id          | reply  | body  | parentId, visibility=internal |
// | threads.$threadId          | /threads/:id          | edit   | body  | postId                        |
// | saved-replies              | /saved-replies        | create | title | body, scope                   |
// | saved-replies              | /saved-replies        | create | body  | title, scope                  |
// | saved-replies              | /saved-replies        | update | title | replyId, body                 |
// | saved-replies              | /saved-replies        | update | body  | replyId, title                |

const page = (module: unknown) => module as PageModule;

async function setup() {
  const lead = await createUser({ role: "therapist", name: "Theo Lead" });
  const client = await createUser({ role: "client", name: "Jordan Client" });
  const { case: c } = await insertCase({ lead, client });
  const { thread } = await startThread(client, c.id, { title: "Where do we start?", body: "It feels like a lot." });
  return { lead, client, caseId: c.id, thread };
}

async function newestPost(threadId: string, authorId: string) {
  const [row] = await db
    .select()
    .from(posts)
    .where(and(eq(posts.threadId, threadId), eq(posts.authorId, authorId)))
    .orderBy(desc(posts.createdAt))
    .limit(1);
  return row;
}

/** Every page of a thread as the reader sees it (a long thread shows a page of messages at a time), one after the other. */
async function renderAllPages(module: PageModule, pattern: string, user: { id: string }, path: string) {
  const pages: string[] = [];
  for (let n = 1; ; n++) {
    const html = await renderPage(module, pattern, user, `${path}?page=${n}`);
    pages.push(html);
    const [, last, total] = /Messages \d+–(\d+) of (\d+)/.exec(html) ?? [];
    if (!last || last === total) return pages.join("\n");
  }
}

async function renderBothSides(s: Awaited<ReturnType<typeof setup>>) {
  const staff = await renderAllPages(page(staffThread), "/threads/:threadId", s.lead, `/threads/${s.thread.id}`);
  const client = await renderAllPages(page(portalQuestion), "/portal/questions/:threadId", s.client, `/portal/questions/${s.thread.id}`);
  expectNoLiveInjection(staff, "staff thread page");
  expectNoLiveInjection(client, "client thread page");
  return { staff, client };
}

describe("replies", () => {
  it("keeps every client and staff reply as typed and renders the whole thread inert on both sides", { timeout: 90_000 }, async () => {
    const s = await setup();
    const clientReply: FieldUnderTest = {
      route: "portal.questions.$threadId",
      action: portalQuestion.action,
      path: `/portal/questions/${s.thread.id}`,
      params: { threadId: s.thread.id },
      intent: "reply",
      field: "body",
      others: { parentId: "" },
      as: s.client,
      max: POST_MAX,
      required: true,
      read: async () => (await newestPost(s.thread.id, s.client.id))?.body,
    };
    await sendAllThrough(clientReply, HOSTILE_INPUTS);
    const staffReply: FieldUnderTest = {
      ...clientReply,
      route: "threads.$threadId",
      action: staffThread.action,
      path: `/threads/${s.thread.id}`,
      others: { parentId: "", visibility: "shared" },
      as: s.lead,
      read: async () => (await newestPost(s.thread.id, s.lead.id))?.body,
    };
    await sendAllThrough(staffReply, HOSTILE_INPUTS);

    const { staff, client } = await renderBothSides(s);
    // A Markdown image never loads: it is a link the reader may choose to open.
    expect(client).toContain('<a href="https://evil.example/track.png" rel="nofollow noopener noreferrer">Image: x</a>');
    expect(client).not.toMatch(/<img[^>]*evil\.example/);
    // Raw HTML is dropped, and a link with a script address keeps its words but loses the address.
    expect(staff).toContain("click me");
    expect(staff).not.toMatch(/href="[^"]*alert/);
    expectShownAsText(staff, ["' OR 1=1 --", "{{7*7}}", "${7*7}", "👩‍👩‍👧‍👦 🏳️‍🌈 🇺🇦🇬🇧 👍🏽 🧑🏿‍🤝‍🧑🏻"], "staff thread page");

    await expectLimitShownInForm(clientReply, { module: page(portalQuestion), pattern: "/portal/questions/:threadId" });
    await expectLimitShownInForm(staffReply, { module: page(staffThread), pattern: "/threads/:threadId" });
  });

  it("keeps internal notes as typed and away from the client; an edited message keeps every earlier text inert", { timeout: 90_000 }, async () => {
    const s = await setup();
    const internal: FieldUnderTest = {
      route: "threads.$threadId",
      action: staffThread.action,
      path: `/threads/${s.thread.id}`,
      params: { threadId: s.thread.id },
      intent: "reply",
      field: "body",
      others: { parentId: "", visibility: "internal" },
      as: s.lead,
      max: POST_MAX,
      required: true,
      read: async () => (await newestPost(s.thread.id, s.lead.id))?.body,
    };
    await sendAllThrough(internal, HOSTILE_SAMPLE);
    const note = await newestPost(s.thread.id, s.lead.id);
    const edit: FieldUnderTest = {
      ...internal,
      intent: "edit",
      others: { postId: note!.id },
      read: async () => (await db.select({ body: posts.body }).from(posts).where(eq(posts.id, note!.id)))[0]?.body,
    };
    await sendAllThrough(edit, HOSTILE_INPUTS);

    const { staff, client } = await renderBothSides(s);
    expect(staff).toContain("Internal note — staff only");
    expect(staff).toMatch(/Earlier versions \(\d+\)/);
    expect(client).not.toContain("Internal note");
    expect(client).not.toContain("{{7*7}}");
  });
});

describe("saved replies", () => {
  it("keeps every title and body as typed, in the library and in the reply box, inert", { timeout: 90_000 }, async () => {
    const s = await setup();
    const newestReply = async () =>
      (await db.select().from(savedReplies).where(eq(savedReplies.ownerId, s.lead.id)).orderBy(desc(savedReplies.createdAt)).limit(1))[0];
    const title: FieldUnderTest = {
      route: "saved-replies",
      action: savedRepliesPage.action,
      path: "/saved-replies",
      intent: "create",
      field: "title",
      others: { body: "Thank you for writing. Let's take this one step at a time.", scope: "mine" },
      as: s.lead,
      max: SAVED_REPLY_TITLE_MAX,
      required: true,
      read: async () => (await newestReply())?.title,
    };
    const titles = await sendAllThrough(title, HOSTILE_SAMPLE);
    const body: FieldUnderTest = {
      ...title,
      field: "body",
      others: { title: "First steps", scope: "mine" },
      max: SAVED_REPLY_BODY_MAX,
      read: async () => (await newestReply())?.body,
    };
    await sendAllThrough(body, HOSTILE_INPUTS);
    const target = await newestReply();
    const reread = async () => (await db.select().from(savedReplies).where(eq(savedReplies.id, target!.id)))[0];
    await sendAllThrough({ ...title, intent: "update", others: { replyId: target!.id, body: "Unchanged body" }, read: async () => (await reread())?.title }, HOSTILE_SAMPLE);
    await sendAllThrough({ ...body, intent: "update", others: { replyId: target!.id, title: "Unchanged title" }, read: async () => (await reread())?.body }, HOSTILE_SAMPLE);

    const library = await renderPage(page(savedRepliesPage), "/saved-replies", s.lead, "/saved-replies");
    expectNoLiveInjection(library, "saved replies page");
    expectShownAsText(library, titles, "saved replies page");

    // "Insert" fills the reply box with the reply's text, escaped.
    const replies = await db.select().from(savedReplies).where(eq(savedReplies.ownerId, s.lead.id));
    for (const reply of replies) {
      const html = await renderPage(page(staffThread), "/threads/:threadId", s.lead, `/threads/${s.thread.id}?savedReply=${reply.id}`);
      expectNoLiveInjection(html, `reply box holding “${reply.title.slice(0, 40)}”`);
      expectShownAsText(html, [reply.body], "reply box");
    }
    await expectLimitShownInForm(body, { module: page(savedRepliesPage), pattern: "/saved-replies" });
  });
});
