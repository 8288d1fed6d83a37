import { desc, eq } from "drizzle-orm";
import { z } from "zod";
import { describe, expect, it } from "vitest";
import { NOTE_MAX } from "~/models/case-notes.server";
import { CLOSING_NOTE_MAX } from "~/models/case-workflow.server";
import * as casePage from "~/routes/cases.$caseId";
import * as notesPage from "~/routes/cases.$caseId.notes";
import * as caseList from "~/routes/cases._index";
import * as newCase from "~/routes/cases.new";
import { db } from "../../db/client";
import { caseNotes, cases, users } from "../../db/schema";
import { createUser, insertCase, uniqueEmail } from "../support/factories";
import {
  expectLimitShownInForm,
  expectNoLiveInjection,
  expectShownAsText,
  HOSTILE_EMAILS,
  HOSTILE_INPUTS,
  HOSTILE_SAMPLE,
  sendAllThrough,
  type FieldUnderTest,
} from "../support/hostile-input";
import { renderPage, type PageModule } from "../support/render-page";

// Hostile text through the fields of a case: opening one (title, concern, a new client's name
// and email), the closing note, and staff notes. Each value is posted through the route's action
// as someone allowed to; then the pages that show it are rendered. No answer is an error, what
// was typed is stored as typed (NUL removed, trimmed), over-long text gets the limit message
// beside the field, and no page carries live markup. Notes are Markdown and take the whole
// corpus; the plain-text fields a sample of one string per kind of trouble.
//
// | route module     | path             | intent | field       | other fields                                   |
// |------------------|------------------|--------|-------------|------------------------------------------------|
// | cases.new        | /cases/new       | –      | title       | clientId, concernCategory, checkInEveryDays    |
// | cases.new        | /cases/new       | –      | concern     | clientId, title, concernCategory               |
// | cases.new        | /cases/new       | –      | clientName  | clientEmail (new), title, concernCategory      |
// | cases.new        | /cases/new       | –      | clientEmail | clientName, title, concernCategory             |
// | cases.new        | /cases/new       | –      | checkInEveryDays | clientId, title, concernCategory          |
// | cases.$caseId    | /cases/:id       | status | closingNote | status=closed                                  |
// | cases.$caseId.notes | /cases/:id/notes | add  | body        | –                                              |
// | cases.$caseId.notes | /cases/:id/notes | edit | body        | noteId                                         |

const page = (module: unknown) => module as PageModule;
const isEmail = (value: string) => z.email().safeParse(value).success;

async function newestCaseBy(leadId: string) {
  const [row] = await db.select().from(cases).where(eq(cases.createdBy, leadId)).orderBy(desc(cases.openedAt)).limit(1);
  return row;
}

async function clientOf(caseRow: { clientId: string } | undefined) {
  if (!caseRow) return undefined;
  const [row] = await db.select().from(users).where(eq(users.id, caseRow.clientId));
  return row;
}

async function expectCasePagesInert(lead: { id: string }) {
  const all = await db.select({ id: cases.id }).from(cases).where(eq(cases.createdBy, lead.id));
  for (const { id } of all) {
    expectNoLiveInjection(await renderPage(page(casePage), "/cases/:caseId", lead, `/cases/${id}`), `case page ${id}`);
  }
}

describe("opening a case", () => {
  it("keeps the title and concern as typed and shows them as text on the case page and in the list", { timeout: 90_000 }, async () => {
    const lead = await createUser({ role: "therapist", name: "Theo Lead" });
    const client = await createUser({ role: "client", name: "Jordan Client" });
    await insertCase({ lead, client, title: "An earlier case" });
    const title: FieldUnderTest = {
      route: "cases.new",
      action: newCase.action,
      path: "/cases/new",
      field: "title",
      others: { clientId: client.id, concernCategory: "trust_repair", concern: "", checkInEveryDays: "7" },
      as: lead,
      max: 160,
      required: true,
      read: async () => (await newestCaseBy(lead.id))?.title,
    };
    const titles = await sendAllThrough(title, HOSTILE_SAMPLE);
    const concern: FieldUnderTest = {
      ...title,
      field: "concern",
      others: { clientId: client.id, concernCategory: "trust_repair", title: "Rebuilding trust", checkInEveryDays: "7" },
      max: 4000,
      required: false,
      read: async () => (await newestCaseBy(lead.id))?.concern,
    };
    const concerns = await sendAllThrough(concern, HOSTILE_SAMPLE);
    // A number field: anything but a whole number of days is refused; nothing at all means every 7 days.
    await sendAllThrough(
      { ...title, field: "checkInEveryDays", others: { clientId: client.id, concernCategory: "trust_repair", title: "Rebuilding trust" }, max: Infinity, required: false, valid: (value) => value === "", read: undefined },
      HOSTILE_SAMPLE,
    );

    const list = await renderPage(page(caseList), "/cases", lead, "/cases?perPage=100");
    expectNoLiveInjection(list, "case list");
    expectShownAsText(list, titles, "case list");
    await expectCasePagesInert(lead);
    const newest = await newestCaseBy(lead.id);
    expectShownAsText(await renderPage(page(casePage), "/cases/:caseId", lead, `/cases/${newest!.id}`), [concerns.at(-1)!], "case page");
    await expectLimitShownInForm(title, { module: page(newCase), pattern: "/cases/new" });
    await expectLimitShownInForm(concern, { module: page(newCase), pattern: "/cases/new" });
  });

  it("keeps a new client's name as typed, and refuses look-alike and injected emails", { timeout: 90_000 }, async () => {
    const lead = await createUser({ role: "coach", name: "Casey Coach" });
    const existing = await createUser({ role: "client", email: "admin@cairn.test", name: "Avery Existing" });
    const name: FieldUnderTest = {
      route: "cases.new",
      action: newCase.action,
      path: "/cases/new",
      field: "clientName",
      others: () => ({ clientEmail: uniqueEmail("new-client"), title: "Rebuilding trust", concernCategory: "trust_repair", checkInEveryDays: "7" }),
      as: lead,
      max: 120,
      required: true,
      read: async () => (await clientOf(await newestCaseBy(lead.id)))?.name,
    };
    const names = await sendAllThrough(name, HOSTILE_SAMPLE);
    const email: FieldUnderTest = {
      ...name,
      field: "clientEmail",
      others: { clientName: "Sam Newcomer", title: "Rebuilding trust", concernCategory: "trust_repair", checkInEveryDays: "7" },
      max: 254,
      valid: isEmail,
      read: async () => (await clientOf(await newestCaseBy(lead.id)))?.email,
      storedAs: (value) => value.toLowerCase(),
    };
    const emails = await sendAllThrough(email, [...HOSTILE_EMAILS, ...HOSTILE_SAMPLE]);
    // Only real addresses got through: the NUL one reads as the address around it, and the one in
    // capitals found the existing account. No look-alike account exists.
    expect(emails).toEqual(["admin@cairn.test.evil.example", "ADMIN@CAIRN.TEST"]);
    expect((await clientOf(await newestCaseBy(lead.id)))?.id).toBe(existing.id);
    expect(await db.select({ id: users.id }).from(users).where(eq(users.email, "\u0430dmin@cairn.test"))).toEqual([]);

    const list = await renderPage(page(caseList), "/cases", lead, "/cases?perPage=100");
    expectNoLiveInjection(list, "case list");
    expectShownAsText(list, names, "case list");
    await expectCasePagesInert(lead);
    await expectLimitShownInForm(name, { module: page(newCase), pattern: "/cases/new" });
  });
});

describe("closing a case", () => {
  it("keeps the closing note as typed and shows it as text on the case page", { timeout: 90_000 }, async () => {
    const lead = await createUser({ role: "therapist" });
    let current = "";
    const note: FieldUnderTest = {
      route: "cases.$caseId",
      action: casePage.action,
      path: "/cases/:caseId",
      intent: "status",
      field: "closingNote",
      others: { status: "closed", back: "" },
      as: lead,
      max: CLOSING_NOTE_MAX,
      required: true,
      before: async () => {
        current = (await insertCase({ lead })).case.id;
        return { path: `/cases/${current}`, params: { caseId: current } };
      },
      read: async () => (await db.select().from(cases).where(eq(cases.id, current)))[0]?.closingNote,
    };
    const notes = await sendAllThrough(note, HOSTILE_SAMPLE);
    const closed = await db.select().from(cases).where(eq(cases.status, "closed"));
    expect(closed.length).toBe(notes.length);
    for (const c of closed) {
      const html = await renderPage(page(casePage), "/cases/:caseId", lead, `/cases/${c.id}`);
      expectNoLiveInjection(html, `closed case ${c.id}`);
      expectShownAsText(html, [c.closingNote!], "case page");
    }
    await expectLimitShownInForm(note, { module: page(casePage), pattern: "/cases/:caseId" });
  });
});

describe("staff notes", () => {
  it("keeps every note and edit as typed and renders every page of notes inert", { timeout: 90_000 }, async () => {
    const lead = await createUser({ role: "therapist" });
    const { case: c } = await insertCase({ lead });
    const newestNote = async () => (await db.select().from(caseNotes).where(eq(caseNotes.caseId, c.id)).orderBy(desc(caseNotes.createdAt)).limit(1))[0];
    const add: FieldUnderTest = {
      route: "cases.$caseId.notes",
      action: notesPage.action,
      path: `/cases/${c.id}/notes`,
      params: { caseId: c.id },
      intent: "add",
      field: "body",
      others: {},
      as: lead,
      max: NOTE_MAX,
      required: true,
      read: async () => (await newestNote())?.body,
    };
    const added = await sendAllThrough(add, HOSTILE_INPUTS);
    const target = await newestNote();
    const edit: FieldUnderTest = {
      ...add,
      intent: "edit",
      others: { noteId: target!.id },
      read: async () => (await db.select().from(caseNotes).where(eq(caseNotes.id, target!.id)))[0]?.body,
    };
    await sendAllThrough(edit, HOSTILE_SAMPLE);

    const pages = Math.ceil(added.length / 10);
    for (let n = 1; n <= pages; n++) {
      const html = await renderPage(page(notesPage), "/cases/:caseId/notes", lead, `/cases/${c.id}/notes?page=${n}`);
      expectNoLiveInjection(html, `notes page ${n}`);
    }
    await expectLimitShownInForm(add, { module: page(notesPage), pattern: "/cases/:caseId/notes" });
  });
});
