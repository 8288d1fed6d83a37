import { desc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { POST_MAX, THREAD_TITLE_MAX } from "~/models/threads.server";
import * as caseThreads from "~/routes/cases.$caseId.threads";
import * as notificationsPage from "~/routes/notifications";
import * as portalQuestion from "~/routes/portal.questions.$threadId";
import * as portalQuestions from "~/routes/portal.questions._index";
import * as staffThread from "~/routes/threads.$threadId";
import * as triagePage from "~/routes/triage";
import { db } from "../../db/client";
import { posts, threads } from "../../db/schema";
import { createUser, insertCase } from "../support/factories";
import {
  expectLimitShownInForm,
  expectNoLiveInjection,
  expectShownAsText,
  hostile,
  HOSTILE_INPUTS,
  HOSTILE_SAMPLE,
  liveInjections,
  sendAllThrough,
  stored,
  type FieldUnderTest,
} from "../support/hostile-input";
import { renderPage, type PageModule } from "../support/render-page";

// Hostile text through the fields that start a question, by a client and by staff: each string
// is posted through the route's action as someone allowed to, then the pages that show it are
// rendered. No answer is an error, what was typed is stored as typed (NUL removed, trimmed),
// over-long text gets the limit message beside the field, and no page carries live markup.
// Titles are plain text on every page, so a sample of one string per kind of trouble goes
// through them; bodies are Markdown and take the whole corpus.
//
// | route module            | path                | intent | field | other fields  |
// |-------------------------|---------------------|--------|-------|---------------|
// | portal.questions._index | /portal/questions   | –      | title | caseId, body  |
// | portal.questions._index | /portal/questions   | –      | body  | caseId, title |
// | cases.$caseId.threads   | /cases/:id/threads  | start  | title | body          |
// | cases.$caseId.threads   | /cases/:id/threads  | start  | body  | title         |

const page = (module: unknown) => module as PageModule;

async function setup() {
  const lead = await createUser({ role: "therapist", name: "Theo Lead" });
  const client = await createUser({ role: "client", name: "Jordan Client" });
  const { case: c } = await insertCase({ lead, client });
  return { lead, client, caseId: c.id };
}

async function newestThread(caseId: string) {
  const [row] = await db.select().from(threads).where(eq(threads.caseId, caseId)).orderBy(desc(threads.createdAt)).limit(1);
  return row;
}

async function questionOf(caseId: string) {
  const thread = await newestThread(caseId);
  if (!thread) return undefined;
  const [first] = await db.select().from(posts).where(eq(posts.threadId, thread.id)).orderBy(posts.createdAt).limit(1);
  return first?.body;
}

/** Renders both sides of every thread on the case and fails on any live markup. */
async function expectEveryThreadInert(s: Awaited<ReturnType<typeof setup>>) {
  const all = await db.select({ id: threads.id }).from(threads).where(eq(threads.caseId, s.caseId));
  for (const { id } of all) {
    expectNoLiveInjection(await renderPage(page(staffThread), "/threads/:threadId", s.lead, `/threads/${id}`), `staff page of ${id}`);
    expectNoLiveInjection(
      await renderPage(page(portalQuestion), "/portal/questions/:threadId", s.client, `/portal/questions/${id}`),
      `client page of ${id}`,
    );
  }
  return all.length;
}

describe("the checker", () => {
  it("finds live markup, script links and remote images, and passes escaped text", () => {
    expect(liveInjections('<p>hi</p><script src="x.js"></script>')).toHaveLength(1);
    expect(liveInjections('<img src="x" onerror="alert(1)">')).toHaveLength(1);
    expect(liveInjections('<a href=" jav&#x61;script:alert(1)">x</a>')).toHaveLength(1);
    expect(liveInjections('<a href="DATA:text/html,x">x</a>')).toHaveLength(1);
    expect(liveInjections('<img src="https://evil.example/t.png" alt="">')).toHaveLength(1);
    expect(liveInjections('<div style="background:url(https://evil.example/t.png)"></div>')).toHaveLength(1);
    expect(liveInjections("<p>&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;</p>")).toEqual([]);
    expect(liveInjections('<a href="https://example.com" rel="nofollow">x</a><img src="/logo.svg" alt="">')).toEqual([]);
  });
});

describe("a question asked by a client", () => {
  it("keeps each title as typed and shows it as text in the lists and on the thread", { timeout: 90_000 }, async () => {
    const s = await setup();
    const title: FieldUnderTest = {
      route: "portal.questions._index",
      action: portalQuestions.action,
      path: "/portal/questions",
      field: "title",
      others: { caseId: s.caseId, body: "It feels like a lot right now." },
      as: s.client,
      max: THREAD_TITLE_MAX,
      required: true,
      read: async () => (await newestThread(s.caseId))?.title,
    };
    const titles = await sendAllThrough(title, HOSTILE_SAMPLE);
    expect(titles).toContain(hostile("script tag"));

    const lists = {
      "client's list": await renderPage(page(portalQuestions), "/portal/questions", s.client, "/portal/questions"),
      "triage queue": await renderPage(page(triagePage), "/triage", s.lead, "/triage?perPage=100"),
      "case questions tab": await renderPage(page(caseThreads), "/cases/:caseId/threads", s.lead, `/cases/${s.caseId}/threads`),
    };
    for (const [where, html] of Object.entries(lists)) {
      expectNoLiveInjection(html, where);
      expectShownAsText(html, titles.slice(-10), where);
    }
    // Notifications name who wrote, never what: nothing typed reaches them but must stay inert.
    expectNoLiveInjection(await renderPage(page(notificationsPage), "/notifications", s.lead, "/notifications"), "notifications");
    expect(await expectEveryThreadInert(s)).toBe(titles.length);
    await expectLimitShownInForm(title, { module: page(portalQuestions), pattern: "/portal/questions" });
  });

  it("keeps each body as typed and renders all of them inert on both sides", { timeout: 90_000 }, async () => {
    const s = await setup();
    const body: FieldUnderTest = {
      route: "portal.questions._index",
      action: portalQuestions.action,
      path: "/portal/questions",
      field: "body",
      others: { caseId: s.caseId, title: "Where do we start?" },
      as: s.client,
      max: POST_MAX,
      required: true,
      read: () => questionOf(s.caseId),
    };
    const bodies = await sendAllThrough(body, HOSTILE_INPUTS);
    expect(bodies).toContain(stored(hostile("10,000 characters")));
    expect(bodies).not.toContain(stored(hostile("100,000 characters")));
    expect(await expectEveryThreadInert(s)).toBe(bodies.length);
    await expectLimitShownInForm(body, { module: page(portalQuestions), pattern: "/portal/questions" });
  });
});

describe("a question started by staff", () => {
  it("keeps each title and body as typed; both sides render them inert", { timeout: 90_000 }, async () => {
    const s = await setup();
    const title: FieldUnderTest = {
      route: "cases.$caseId.threads",
      action: caseThreads.action,
      path: `/cases/${s.caseId}/threads`,
      params: { caseId: s.caseId },
      intent: "start",
      field: "title",
      others: { body: "Here is something to think about before Thursday." },
      as: s.lead,
      max: THREAD_TITLE_MAX,
      required: true,
      read: async () => (await newestThread(s.caseId))?.title,
    };
    const titles = await sendAllThrough(title, HOSTILE_SAMPLE);
    const clientList = await renderPage(page(portalQuestions), "/portal/questions", s.client, "/portal/questions");
    expectNoLiveInjection(clientList, "client's list");
    expectShownAsText(clientList, titles, "client's list");

    const body: FieldUnderTest = { ...title, field: "body", others: { title: "Before Thursday" }, max: POST_MAX, read: () => questionOf(s.caseId) };
    const bodies = await sendAllThrough(body, HOSTILE_INPUTS);
    expect(await expectEveryThreadInert(s)).toBe(titles.length + bodies.length);
    await expectLimitShownInForm(body, { module: page(caseThreads), pattern: "/cases/:caseId/threads" });
  });
});
