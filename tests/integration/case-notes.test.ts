import type { LoaderFunctionArgs } from "@remix-run/node";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { addCaseNote, editCaseNote, listCaseNotes, listNoteVersions } from "~/models/case-notes.server";
import * as caseLayout from "~/routes/cases.$caseId";
import * as caseOverview from "~/routes/cases.$caseId._index";
import * as caseNotesRoute from "~/routes/cases.$caseId.notes";
import * as caseTimeline from "~/routes/cases.$caseId.timeline";
import * as portal from "~/routes/portal._index";
import { db } from "../../db/client";
import { auditEvents, caseMembers, caseNotes, caseNoteVersions, cases, type User } from "../../db/schema";
import { createUser, requestAs, respond, responseJson, testContext } from "../support/factories";

// Staff notes on a case: newest first and paged, only the author edits (earlier text kept as
// versions), never reachable by a client, and the audit trail says a note changed, not what it says.

type RouteFunction = (args: LoaderFunctionArgs) => Promise<unknown>;
type Person = Pick<User, "id" | "role">;
type FormAnswer = { ok: false; intent: string; errors: Record<string, string>; values: Record<string, string> };
type NotesPage = Awaited<ReturnType<typeof listCaseNotes>>;

async function call(fn: RouteFunction, user: { id: string } | null, path: string, init: { params?: Record<string, string>; form?: Record<string, string> } = {}) {
  const { request } = await requestAs(user, path, { form: init.form });
  return respond(() => fn({ request, params: init.params ?? {}, context: testContext }));
}

async function makeCase(input: { lead: Person; support?: Person[]; client?: Person }) {
  const client = input.client ?? (await createUser({ role: "client" }));
  const [row] = await db
    .insert(cases)
    .values({ clientId: client.id, title: "Healing after a long-distance breach", concernCategory: "trust_repair", status: "active" })
    .returning();
  await db.insert(caseMembers).values([
    { caseId: row!.id, userId: input.lead.id, role: "lead" as const },
    ...(input.support ?? []).map((s) => ({ caseId: row!.id, userId: s.id, role: "support" as const })),
  ]);
  return { case: row!, client };
}

function postNotes(actor: { id: string }, caseId: string, form: Record<string, string>, search = "") {
  return call(caseNotesRoute.action, actor, `/cases/${caseId}/notes${search}`, { params: { caseId }, form });
}

async function loadNotes(actor: { id: string }, caseId: string, search = "") {
  return call(caseNotesRoute.loader, actor, `/cases/${caseId}/notes${search}`, { params: { caseId } });
}

async function noteRow(id: string) {
  const [row] = await db.select().from(caseNotes).where(eq(caseNotes.id, id));
  return row!;
}

async function setup() {
  const lead = await createUser({ role: "therapist", name: "Theo Lead" });
  const support = await createUser({ role: "coach", name: "Sam Support" });
  const admin = await createUser({ role: "admin", name: "Ada Admin" });
  const outsider = await createUser({ role: "coach", name: "Olive Outsider" });
  const client = await createUser({ role: "client", name: "Riley Client" });
  const { case: c } = await makeCase({ lead, support: [support], client });
  return { lead, support, admin, outsider, client, caseId: c.id };
}

describe("adding and listing notes", () => {
  it("saves a note from the page and lists notes newest first, paged", async () => {
    const { lead, support, caseId } = await setup();
    const response = await postNotes(support, caseId, { intent: "add", body: "First session: **calm**, both present." });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(`/cases/${caseId}/notes`);
    for (let i = 1; i <= 11; i++) await addCaseNote(i % 2 ? lead : support, caseId, `Note number ${i}`);

    const first = await responseJson<NotesPage>(await loadNotes(lead, caseId));
    expect([first.total, first.page, first.notes.length, first.canWrite]).toEqual([12, 1, 10, true]);
    expect(first.notes.map((n) => n.body).slice(0, 3)).toEqual(["Note number 11", "Note number 10", "Note number 9"]);
    expect(first.notes[0]).toMatchObject({ authorName: "Theo Lead", mine: true, versions: [] });
    expect(first.notes[1]).toMatchObject({ authorName: "Sam Support", mine: false });

    const second = await responseJson<NotesPage>(await loadNotes(lead, caseId, "?page=2"));
    expect(second.notes.map((n) => n.body)).toEqual(["Note number 1", "First session: **calm**, both present."]);
  });

  it("refuses an empty note with a message beside the field, keeping what was typed", async () => {
    const { lead, caseId } = await setup();
    for (const body of ["", "   \n "]) {
      const response = await postNotes(lead, caseId, { intent: "add", body });
      expect(response.status).toBe(400);
      const answer = await responseJson<FormAnswer>(response);
      expect(answer.intent).toBe("add");
      expect(answer.errors.body).toBe("Write the note before saving it.");
      expect(answer.values.body).toBe(body);
    }
    const tooLong = await postNotes(lead, caseId, { intent: "add", body: "x".repeat(10_001) });
    expect(tooLong.status).toBe(400);
    expect((await responseJson<FormAnswer>(tooLong)).errors.body).toMatch(/under 10,000/);
    expect((await listCaseNotes(lead, caseId, { page: 1 })).total).toBe(0);
  });

  it("records note.added with the case id and no note text, and bumps the case's activity", async () => {
    const { lead, caseId } = await setup();
    const [before] = await db.select({ at: cases.lastActivityAt }).from(cases).where(eq(cases.id, caseId));
    const note = await addCaseNote(lead, caseId, "Client disclosed something sensitive.", "198.51.100.9");
    const [event] = await db.select().from(auditEvents).where(eq(auditEvents.targetId, note.id));
    expect(event).toMatchObject({ action: "note.added", caseId, actorId: lead.id, targetType: "case_note", ip: "198.51.100.9" });
    expect(JSON.stringify(event)).not.toContain("sensitive");
    const [after] = await db.select({ at: cases.lastActivityAt }).from(cases).where(eq(cases.id, caseId));
    expect(after!.at.getTime()).toBeGreaterThanOrEqual(before!.at.getTime());
  });
});

describe("editing notes", () => {
  it("lets the author edit, keeping each earlier text as a version", async () => {
    const { support, lead, caseId } = await setup();
    const note = await addCaseNote(support, caseId, "Version one.");
    const first = await postNotes(support, caseId, { intent: "edit", noteId: note.id, body: "Version two." }, "?page=2");
    expect(first.status).toBe(302);
    expect(first.headers.get("Location")).toBe(`/cases/${caseId}/notes?page=2`);
    expect(await editCaseNote(support, caseId, note.id, "Version three.")).toBe(true);
    // Saving the same text again changes nothing and keeps no extra version.
    expect(await editCaseNote(support, caseId, note.id, "  Version three.  ")).toBe(false);

    const row = await noteRow(note.id);
    expect(row.body).toBe("Version three.");
    expect(row.updatedAt).toBeInstanceOf(Date);
    expect((await listNoteVersions(lead, note.id)).map((v) => v.body)).toEqual(["Version two.", "Version one."]);

    const page = await responseJson<NotesPage>(await loadNotes(lead, caseId));
    expect(page.notes[0]!.versions.map((v) => v.body)).toEqual(["Version two.", "Version one."]);
    expect(page.notes[0]!.mine).toBe(false);

    const edits = await db.select().from(auditEvents).where(eq(auditEvents.targetId, note.id));
    expect(edits.filter((e) => e.action === "note.edited")).toHaveLength(2);
    expect(edits.every((e) => e.caseId === caseId)).toBe(true);
    expect(JSON.stringify(edits)).not.toContain("Version");
  });

  it("answers 403 to anyone but the author, the lead and the admin included, and keeps the note", async () => {
    const { support, lead, admin, caseId } = await setup();
    const note = await addCaseNote(support, caseId, "Only mine to change.");
    for (const actor of [lead, admin]) {
      const response = await postNotes(actor, caseId, { intent: "edit", noteId: note.id, body: "Changed by someone else" });
      expect(response.status).toBe(403);
      // Even an empty body is refused as "not yours" before it is checked.
      expect((await postNotes(actor, caseId, { intent: "edit", noteId: note.id, body: "" })).status).toBe(403);
      expect((await respond(() => editCaseNote(actor, caseId, note.id, "Changed"))).status).toBe(403);
    }
    expect((await noteRow(note.id)).body).toBe("Only mine to change.");
    expect(await db.select().from(caseNoteVersions).where(eq(caseNoteVersions.noteId, note.id))).toEqual([]);
  });

  it("refuses an empty edit beside that note's field, keeping the input", async () => {
    const { lead, caseId } = await setup();
    const note = await addCaseNote(lead, caseId, "Keep me.");
    const response = await postNotes(lead, caseId, { intent: "edit", noteId: note.id, body: "  " });
    expect(response.status).toBe(400);
    const answer = await responseJson<FormAnswer>(response);
    expect(answer.errors.body).toBe("Write the note before saving it.");
    expect(answer.values).toMatchObject({ noteId: note.id, body: "  " });
    expect((await noteRow(note.id)).body).toBe("Keep me.");
  });

  it("answers 404 to a note id from another case, posted by hand", async () => {
    const { lead, caseId } = await setup();
    const otherLead = await createUser({ role: "coach" });
    const { case: other } = await makeCase({ lead: otherLead, support: [lead] });
    const foreign = await addCaseNote(lead, other.id, "Belongs to the other case.");
    for (const noteId of [foreign.id, "not-a-uuid", "00000000-0000-4000-8000-000000000000"]) {
      const response = await postNotes(lead, caseId, { intent: "edit", noteId, body: "Moved?" });
      expect(response.status).toBe(404);
    }
    expect((await noteRow(foreign.id)).body).toBe("Belongs to the other case.");
  });
});

describe("notes stay with the staff on the case", () => {
  it("answers 404 to a coach who isn't a member, for the page, both actions and the versions", async () => {
    const { lead, outsider, caseId } = await setup();
    const note = await addCaseNote(lead, caseId, "Private to the team.");
    await editCaseNote(lead, caseId, note.id, "Private to the team, edited.");
    expect((await loadNotes(outsider, caseId)).status).toBe(404);
    expect((await postNotes(outsider, caseId, { intent: "add", body: "Let me in" })).status).toBe(404);
    expect((await postNotes(outsider, caseId, { intent: "edit", noteId: note.id, body: "Let me in" })).status).toBe(404);
    expect((await respond(() => listNoteVersions(outsider, note.id))).status).toBe(404);
    expect((await respond(() => listCaseNotes(outsider, caseId, { page: 1 }))).status).toBe(404);
    expect((await respond(() => addCaseNote(outsider, caseId, "Let me in"))).status).toBe(404);
    expect((await listCaseNotes(lead, caseId, { page: 1 })).total).toBe(1);
  });

  it("is never visible to the client, through any client path", async () => {
    const { lead, client, caseId } = await setup();
    const secret = "Lead suspects the client is minimising the contact.";
    const note = await addCaseNote(lead, caseId, secret);
    await editCaseNote(lead, caseId, note.id, `${secret} Follow up next week.`);

    // Every case route, as the client whose case it is.
    const routes: [RouteFunction, string][] = [
      [caseLayout.loader, `/cases/${caseId}`],
      [caseOverview.loader, `/cases/${caseId}`],
      [caseTimeline.loader, `/cases/${caseId}/timeline`],
      [caseNotesRoute.loader, `/cases/${caseId}/notes`],
    ];
    for (const [fn, path] of routes) {
      const response = await call(fn, client, path, { params: { caseId } });
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
      expect(await response.text()).not.toContain("minimising");
    }
    const posts: Record<string, string>[] = [
      { intent: "add", body: "Client writing a note" },
      { intent: "edit", noteId: note.id, body: "Client editing" },
    ];
    for (const form of posts) {
      expect((await postNotes(client, caseId, form)).status).toBe(404);
    }
    for (const attempt of [
      () => listCaseNotes(client, caseId, { page: 1 }),
      () => listNoteVersions(client, note.id),
      () => editCaseNote(client, caseId, note.id, "x"),
      () => addCaseNote(client, caseId, "x"),
    ]) {
      expect((await respond(attempt)).status).toBe(404);
    }

    // The client's own home shows nothing of it.
    const home = await call(portal.loader, client, "/portal");
    expect(home.status).toBe(200);
    expect(await home.text()).not.toContain("minimising");
    expect((await noteRow(note.id)).body).toContain("Follow up next week.");
  });
});
