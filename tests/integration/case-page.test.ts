import type { LoaderFunctionArgs } from "@remix-run/node";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { recordCaseView } from "~/models/audit.server";
import { addCaseNote } from "~/models/case-notes.server";
import {
  addCaseMember,
  changeCaseStatus,
  getCaseHeader,
  getCaseOverview,
  listAddableStaff,
  listCaseTimeline,
  removeCaseMember,
  setCaseRisk,
} from "~/models/case-workflow.server";
import * as caseLayout from "~/routes/cases.$caseId";
import * as caseOverview from "~/routes/cases.$caseId._index";
import * as caseNotes from "~/routes/cases.$caseId.notes";
import * as casePlans from "~/routes/cases.$caseId.plans._index";
import * as caseProgress from "~/routes/cases.$caseId.progress";
import * as caseThreads from "~/routes/cases.$caseId.threads";
import * as caseTimeline from "~/routes/cases.$caseId.timeline";
import { runInRequestScope } from "~/request-scope.server";
import { rootData } from "~/root.server";
import { db } from "../../db/client";
import {
  auditEvents,
  caseMembers,
  cases,
  planSteps,
  plans,
  type CaseStatus,
  type StepStatus,
  type User,
} from "../../db/schema";
import { createUser, requestAs, respond, responseJson, testContext } from "../support/factories";
import { countQueries } from "../support/query-counter";

// The staff case page /cases/:caseId: the header and its actions (status workflow, risk, support
// members), the overview, the timeline and who may reach any of it. Cases are inserted directly
// so these tests don't depend on how cases get created.

type RouteFunction = (args: LoaderFunctionArgs) => Promise<unknown>;
type Person = Pick<User, "id" | "role" | "name">;
type FormAnswer = { ok: false; intent: string; errors: Record<string, string>; values: Record<string, string> };
type Header = Awaited<ReturnType<typeof getCaseHeader>>;
type Timeline = Awaited<ReturnType<typeof listCaseTimeline>>;

async function call(fn: RouteFunction, user: { id: string } | null, path: string, init: { params?: Record<string, string>; form?: Record<string, string> } = {}) {
  const { request } = await requestAs(user, path, { form: init.form });
  return respond(() => fn({ request, params: init.params ?? {}, context: testContext }));
}

async function makeCase(input: { lead: Person; support?: Person[]; client?: Person; status?: CaseStatus; title?: string }) {
  const client = input.client ?? (await createUser({ role: "client", name: "Robin Client" }));
  const [row] = await db
    .insert(cases)
    .values({
      clientId: client.id,
      title: input.title ?? "Rebuilding trust after the phone",
      concernCategory: "trust_repair",
      concern: "Read a partner's messages; both want to rebuild.",
      status: input.status ?? "intake",
      createdBy: input.lead.id,
      lastActivityAt: new Date(Date.now() - 86_400_000),
    })
    .returning();
  await db.insert(caseMembers).values([
    { caseId: row!.id, userId: input.lead.id, role: "lead" as const },
    ...(input.support ?? []).map((s) => ({ caseId: row!.id, userId: s.id, role: "support" as const })),
  ]);
  return { case: row!, client };
}

async function reloadCase(id: string) {
  const [row] = await db.select().from(cases).where(eq(cases.id, id));
  return row!;
}

async function memberIds(caseId: string) {
  const rows = await db.select({ userId: caseMembers.userId, role: caseMembers.role }).from(caseMembers).where(eq(caseMembers.caseId, caseId));
  return rows.map((r) => `${r.role}:${r.userId}`).sort();
}

async function caseEvents(caseId: string) {
  const rows = await db.select().from(auditEvents).where(eq(auditEvents.caseId, caseId));
  return rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
}

function postHeader(actor: { id: string }, caseId: string, form: Record<string, string>) {
  return call(caseLayout.action, actor, `/cases/${caseId}`, { params: { caseId }, form });
}

const loaders: Record<string, { fn: RouteFunction; path: (id: string) => string }> = {
  layout: { fn: caseLayout.loader, path: (id) => `/cases/${id}` },
  overview: { fn: caseOverview.loader, path: (id) => `/cases/${id}` },
  timeline: { fn: caseTimeline.loader, path: (id) => `/cases/${id}/timeline` },
  notes: { fn: caseNotes.loader, path: (id) => `/cases/${id}/notes` },
};

async function loadPage(page: keyof typeof loaders, user: { id: string }, caseId: string) {
  const route = loaders[page]!;
  return call(route.fn, user, route.path(caseId), { params: { caseId } });
}

describe("who may reach the case page", () => {
  let lead: User;
  let support: User;
  let outsider: User;
  let admin: User;
  let client: User;
  let otherClient: User;
  let caseId: string;
  let noteId: string;

  beforeAll(async () => {
    lead = await createUser({ role: "therapist", name: "Theo Lead" });
    support = await createUser({ role: "coach", name: "Sam Support" });
    outsider = await createUser({ role: "coach", name: "Olive Outsider" });
    admin = await createUser({ role: "admin", name: "Ada Admin" });
    client = await createUser({ role: "client", name: "Riley Client" });
    otherClient = await createUser({ role: "client", name: "Quinn Client" });
    const made = await makeCase({ lead, support: [support], client, status: "active" });
    caseId = made.case.id;
    noteId = (await addCaseNote(lead, caseId, "Riley found the first week hard.")).id;
  });

  it.each(Object.keys(loaders))("answers 200 to members and admins for the %s loader", async (page) => {
    for (const person of [lead, support, admin]) {
      const response = await loadPage(page, person, caseId);
      expect({ page, who: person.name, status: response.status }).toEqual({ page, who: person.name, status: 200 });
    }
  });

  it.each(Object.keys(loaders))("answers 404 to a coach who isn't a member, and to clients, for the %s loader", async (page) => {
    for (const person of [outsider, client, otherClient]) {
      const response = await loadPage(page, person, caseId);
      expect({ page, who: person.name, status: response.status }).toEqual({ page, who: person.name, status: 404 });
    }
  });

  it("answers 404 to a malformed or unknown case id, even for an admin", async () => {
    for (const id of ["not-a-uuid", "00000000-0000-4000-8000-000000000000"]) {
      expect((await loadPage("layout", admin, id)).status).toBe(404);
      expect((await postHeader(admin, id, { intent: "risk", risk: "watch" })).status).toBe(404);
    }
  });

  it("sends someone signed out to sign in", async () => {
    const { request } = await requestAs(null, `/cases/${caseId}`);
    const response = await respond(() => caseLayout.loader({ request, params: { caseId }, context: testContext }));
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toContain("/login");
  });

  const headerPosts: Record<string, (ids: { lead: string; support: string; outsider: string }) => Record<string, string>> = {
    "close with a note": () => ({ intent: "status", status: "closed", closingNote: "Ending here." }),
    pause: () => ({ intent: "status", status: "paused" }),
    risk: () => ({ intent: "risk", risk: "urgent" }),
    "add a member": (ids) => ({ intent: "addMember", userId: ids.outsider }),
    "remove a member": (ids) => ({ intent: "removeMember", userId: ids.support }),
    "remove the lead": (ids) => ({ intent: "removeMember", userId: ids.lead }),
    "an unknown intent": () => ({ intent: "explode" }),
    "an empty form": () => ({}),
  };

  it.each(Object.keys(headerPosts))("answers 404 to a non-member coach and to clients posting %s by hand, and changes nothing", async (name) => {
    const before = await reloadCase(caseId);
    const membersBefore = await memberIds(caseId);
    const eventsBefore = (await caseEvents(caseId)).length;
    const form = headerPosts[name]!({ lead: lead.id, support: support.id, outsider: outsider.id });
    for (const person of [outsider, client, otherClient]) {
      const response = await postHeader(person, caseId, form);
      expect({ who: person.name, status: response.status }).toEqual({ who: person.name, status: 404 });
    }
    const after = await reloadCase(caseId);
    expect(after.status).toBe(before.status);
    expect(after.risk).toBe(before.risk);
    expect(await memberIds(caseId)).toEqual(membersBefore);
    expect((await caseEvents(caseId)).length).toBe(eventsBefore);
  });

  it("answers 404 to a non-member coach and to clients posting notes by hand", async () => {
    for (const person of [outsider, client]) {
      const add = await call(caseNotes.action, person, `/cases/${caseId}/notes`, { params: { caseId }, form: { intent: "add", body: "Sneaky" } });
      const edit = await call(caseNotes.action, person, `/cases/${caseId}/notes`, {
        params: { caseId },
        form: { intent: "edit", noteId, body: "Rewritten" },
      });
      expect([add.status, edit.status]).toEqual([404, 404]);
    }
  });

  it("answers 404 from every model function to a non-member coach and to the case's own client", async () => {
    const attempts = (person: Person) => [
      () => getCaseHeader(person, caseId),
      () => changeCaseStatus(person, caseId, { status: "paused" }),
      () => setCaseRisk(person, caseId, "urgent"),
      () => addCaseMember(person, caseId, outsider.id),
      () => removeCaseMember(person, caseId, support.id),
      () => listAddableStaff(person, caseId),
      () => recordCaseView(person, caseId, "overview", null),
      () => listCaseTimeline(person, caseId, { page: 1, perPage: 20 }),
      () => getCaseOverview(person, caseId),
    ];
    for (const person of [outsider, client]) {
      for (const attempt of attempts(person)) {
        const response = await respond(attempt);
        expect(response.status).toBe(404);
      }
    }
  });
});

describe("the header", () => {
  it("shows the client, the case, its members and what the viewer may do", async () => {
    const lead = await createUser({ role: "therapist", name: "Theo Lead" });
    const support = await createUser({ role: "coach", name: "Sam Support" });
    const client = await createUser({ role: "client", name: "Riley Client" });
    const { case: c } = await makeCase({ lead, support: [support], client, title: "Healing after the affair" });

    const response = await loadPage("layout", support, c.id);
    expect(response.status).toBe(200);
    const { header, addable } = await responseJson<{ header: Header; addable: unknown[] }>(response);
    expect(header.client).toMatchObject({ name: "Riley Client", email: client.email });
    expect(header.title).toBe("Healing after the affair");
    expect(header.status).toBe("intake");
    expect(header.risk).toBe("none");
    expect(header.members.map((m) => [m.name, m.role])).toEqual([
      ["Theo Lead", "lead"],
      ["Sam Support", "support"],
    ]);
    expect(header.can).toMatchObject({ changeStatus: true, changeRisk: true, manageMembers: false, writeNotes: true });
    expect(header.nextStatuses).toEqual(["active", "closed"]);
    expect(addable).toEqual([]);

    const asLead = await responseJson<{ header: Header; addable: { id: string }[] }>(await loadPage("layout", lead, c.id));
    expect(asLead.header.can.manageMembers).toBe(true);
    expect(asLead.addable.map((p) => p.id)).not.toContain(support.id);
  });
});

describe("status workflow", () => {
  it("moves intake → active → paused → active → closed → reopened, recording each step", async () => {
    const lead = await createUser({ role: "therapist", name: "Theo Lead" });
    const { case: c } = await makeCase({ lead });

    const steps: Record<string, string>[] = [
      { status: "active" },
      { status: "paused" },
      { status: "active" },
      { status: "closed", closingNote: "Both partners feel steady; agreed to end for now." },
    ];
    for (const form of steps) {
      const response = await postHeader(lead, c.id, { intent: "status", back: `/cases/${c.id}/timeline`, ...form });
      expect(response.status).toBe(302);
      expect(response.headers.get("Location")).toBe(`/cases/${c.id}/timeline`);
    }
    const closed = await reloadCase(c.id);
    expect(closed.status).toBe("closed");
    expect(closed.closedAt).toBeInstanceOf(Date);
    expect(closed.closingNote).toBe("Both partners feel steady; agreed to end for now.");
    expect(closed.lastActivityAt.getTime()).toBeGreaterThan(c.lastActivityAt.getTime());

    const header = await getCaseHeader(lead, c.id);
    expect(header.closingNote).toBe("Both partners feel steady; agreed to end for now.");
    expect(header.nextStatuses).toEqual(["active"]);

    const reopened = await postHeader(lead, c.id, { intent: "status", status: "active" });
    expect(reopened.status).toBe(302);
    expect(reopened.headers.get("Location")).toBe(`/cases/${c.id}`);
    const after = await reloadCase(c.id);
    expect(after.status).toBe("active");
    expect(after.closedAt).toBeNull();
    expect((await getCaseHeader(lead, c.id)).closingNote).toBeNull();

    const changes = (await caseEvents(c.id)).filter((e) => e.action === "case.status_changed");
    expect(changes.map((e) => e.details)).toEqual([
      { from: "intake", to: "active" },
      { from: "active", to: "paused" },
      { from: "paused", to: "active" },
      { from: "active", to: "closed" },
      { from: "closed", to: "active" },
    ]);
    expect(changes.every((e) => e.actorId === lead.id && e.ip === testContext.clientIp)).toBe(true);
  });

  it("requires a closing note: 400 beside the field, the other input kept, nothing changed", async () => {
    const lead = await createUser({ role: "coach" });
    const { case: c } = await makeCase({ lead, status: "active" });
    for (const closingNote of [undefined, "", "   \n  "]) {
      const form: Record<string, string> = { intent: "status", status: "closed", back: `/cases/${c.id}/notes` };
      if (closingNote !== undefined) form.closingNote = closingNote;
      const response = await postHeader(lead, c.id, form);
      expect(response.status).toBe(400);
      const body = await responseJson<FormAnswer>(response);
      expect(body.intent).toBe("status");
      expect(body.errors.closingNote).toMatch(/closing note/i);
      expect(body.values).toMatchObject({ status: "closed", back: `/cases/${c.id}/notes` });
      if (closingNote !== undefined) expect(body.values.closingNote).toBe(closingNote);
    }
    const after = await reloadCase(c.id);
    expect(after.status).toBe("active");
    expect(after.closedAt).toBeNull();
    expect((await caseEvents(c.id)).filter((e) => e.action === "case.status_changed")).toEqual([]);
  });

  it("refuses moves outside the workflow with a message", async () => {
    const lead = await createUser({ role: "coach" });
    const { case: c } = await makeCase({ lead, status: "intake" });
    // intake → paused skips a step; intake → intake is no move at all.
    for (const to of ["paused", "intake"]) {
      const response = await postHeader(lead, c.id, { intent: "status", status: to });
      expect(response.status).toBe(400);
      expect((await responseJson<FormAnswer>(response)).errors.status).toBeTruthy();
    }
    await changeCaseStatus(lead, c.id, { status: "active" });
    const back = await postHeader(lead, c.id, { intent: "status", status: "intake" });
    expect(back.status).toBe(400);
    const bogus = await postHeader(lead, c.id, { intent: "status", status: "archived" });
    expect(bogus.status).toBe(400);
    expect((await responseJson<FormAnswer>(bogus)).errors.status).toBe("Choose a status.");
    expect((await reloadCase(c.id)).status).toBe("active");
  });

  it("lets a support member change status and risk", async () => {
    const lead = await createUser({ role: "therapist" });
    const support = await createUser({ role: "coach" });
    const { case: c } = await makeCase({ lead, support: [support], status: "active" });
    expect((await postHeader(support, c.id, { intent: "status", status: "paused" })).status).toBe(302);
    expect((await postHeader(support, c.id, { intent: "risk", risk: "watch" })).status).toBe(302);
    const after = await reloadCase(c.id);
    expect([after.status, after.risk]).toEqual(["paused", "watch"]);
  });
});

describe("risk", () => {
  it("sets the level, records from/to, and records nothing when unchanged", async () => {
    const lead = await createUser({ role: "therapist" });
    const { case: c } = await makeCase({ lead });
    expect(await setCaseRisk(lead, c.id, "urgent")).toBe(true);
    expect(await setCaseRisk(lead, c.id, "urgent")).toBe(false);
    expect((await reloadCase(c.id)).risk).toBe("urgent");
    const riskEvents = (await caseEvents(c.id)).filter((e) => e.action === "case.risk_changed");
    expect(riskEvents.map((e) => e.details)).toEqual([{ from: "none", to: "urgent" }]);

    const invalid = await postHeader(lead, c.id, { intent: "risk", risk: "extreme" });
    expect(invalid.status).toBe(400);
    expect((await responseJson<FormAnswer>(invalid)).errors.risk).toBe("Choose a risk level.");
  });
});

describe("members", () => {
  it("a support member can't add or remove members: 403, members unchanged", async () => {
    const lead = await createUser({ role: "therapist" });
    const support = await createUser({ role: "coach" });
    const otherSupport = await createUser({ role: "coach" });
    const colleague = await createUser({ role: "therapist" });
    const { case: c } = await makeCase({ lead, support: [support, otherSupport] });
    const before = await memberIds(c.id);

    for (const form of [
      { intent: "addMember", userId: colleague.id },
      { intent: "addMember", userId: "" },
      { intent: "removeMember", userId: otherSupport.id },
      { intent: "removeMember", userId: support.id },
      { intent: "removeMember", userId: lead.id },
    ]) {
      const response = await postHeader(support, c.id, form);
      expect({ form, status: response.status }).toEqual({ form, status: 403 });
    }
    expect((await respond(() => listAddableStaff(support, c.id))).status).toBe(403);
    expect((await respond(() => addCaseMember(support, c.id, colleague.id))).status).toBe(403);
    expect(await memberIds(c.id)).toEqual(before);
  });

  it.each(["lead", "admin"] as const)("the %s adds and removes support members", async (who) => {
    const lead = await createUser({ role: "therapist", name: "Theo Lead" });
    const admin = await createUser({ role: "admin" });
    const colleague = await createUser({ role: "coach", name: "Morgan Colleague" });
    const { case: c } = await makeCase({ lead });
    const actor = who === "lead" ? lead : admin;

    const added = await postHeader(actor, c.id, { intent: "addMember", userId: colleague.id });
    expect(added.status).toBe(302);
    expect(await memberIds(c.id)).toEqual([`lead:${lead.id}`, `support:${colleague.id}`].sort());
    // The new member can now open the case.
    expect((await loadPage("layout", colleague, c.id)).status).toBe(200);

    const removed = await postHeader(actor, c.id, { intent: "removeMember", userId: colleague.id });
    expect(removed.status).toBe(302);
    expect(await memberIds(c.id)).toEqual([`lead:${lead.id}`]);
    expect((await loadPage("layout", colleague, c.id)).status).toBe(404);

    const events = (await caseEvents(c.id)).filter((e) => e.action.startsWith("case.member_"));
    expect(events.map((e) => [e.action, e.details?.memberName, e.actorId])).toEqual([
      ["case.member_added", "Morgan Colleague", actor.id],
      ["case.member_removed", "Morgan Colleague", actor.id],
    ]);
  });

  it("the lead can't be removed, by the admin or anyone", async () => {
    const lead = await createUser({ role: "therapist", name: "Theo Lead" });
    const admin = await createUser({ role: "admin" });
    const { case: c } = await makeCase({ lead });
    for (const actor of [admin, lead]) {
      const response = await postHeader(actor, c.id, { intent: "removeMember", userId: lead.id });
      expect(response.status).toBe(400);
      expect((await responseJson<FormAnswer>(response)).errors.form).toMatch(/leads this case/);
    }
    expect(await memberIds(c.id)).toEqual([`lead:${lead.id}`]);
  });

  it("only active staff can be added, once", async () => {
    const lead = await createUser({ role: "therapist" });
    const admin = await createUser({ role: "admin", name: "Ada Admin" });
    const support = await createUser({ role: "coach" });
    const client = await createUser({ role: "client" });
    const gone = await createUser({ role: "coach", deactivated: true });
    const fresh = await createUser({ role: "therapist" });
    const { case: c } = await makeCase({ lead, support: [support] });

    const addable = (await listAddableStaff(lead, c.id)).map((p) => p.id);
    expect(addable).toContain(fresh.id);
    expect(addable).toContain(admin.id);
    for (const id of [lead.id, support.id, client.id, gone.id]) expect(addable).not.toContain(id);

    for (const userId of [client.id, gone.id, "nobody", "00000000-0000-4000-8000-000000000000"]) {
      const response = await postHeader(lead, c.id, { intent: "addMember", userId });
      expect(response.status).toBe(400);
      expect((await responseJson<FormAnswer>(response)).errors.userId).toBe("Choose a colleague from the list.");
    }
    const again = await postHeader(lead, c.id, { intent: "addMember", userId: support.id });
    expect(again.status).toBe(400);
    expect((await responseJson<FormAnswer>(again)).errors.userId).toMatch(/already on this case/);
    expect(await memberIds(c.id)).toEqual([`lead:${lead.id}`, `support:${support.id}`].sort());
  });
});

describe("views", () => {
  it("records every staff view of the case page, with the viewer, the page and the IP", async () => {
    const lead = await createUser({ role: "therapist" });
    const admin = await createUser({ role: "admin" });
    const { case: c } = await makeCase({ lead });
    const views = async () => (await caseEvents(c.id)).filter((e) => e.action === "case.viewed");

    expect((await loadPage("overview", lead, c.id)).status).toBe(200);
    expect((await loadPage("overview", lead, c.id)).status).toBe(200);
    expect((await views()).map((v) => [v.actorId, v.details])).toEqual([
      [lead.id, { page: "overview" }],
      [lead.id, { page: "overview" }],
    ]);
    expect((await views())[0]!.ip).toBe(testContext.clientIp);

    // The layout runs beside every tab: the tab records the view, the layout nothing.
    await loadPage("layout", admin, c.id);
    expect(await views()).toHaveLength(2);
    await loadPage("notes", admin, c.id);
    expect((await views()).filter((v) => v.actorId === admin.id).map((v) => v.details)).toEqual([{ page: "notes" }]);

    // Views don't count as activity on the case.
    expect((await reloadCase(c.id)).lastActivityAt.getTime()).toBe(c.lastActivityAt.getTime());
  });

  it("records nothing for someone who gets a 404", async () => {
    const lead = await createUser({ role: "therapist" });
    const outsider = await createUser({ role: "coach" });
    const { case: c, client } = await makeCase({ lead });
    expect((await loadPage("overview", outsider, c.id)).status).toBe(404);
    expect((await loadPage("overview", client, c.id)).status).toBe(404);
    expect(await caseEvents(c.id)).toEqual([]);
  });
});

describe("timeline", () => {
  it("shows status, risk, member and note events newest first, as sentences", async () => {
    const lead = await createUser({ role: "therapist", name: "Theo Lead" });
    const colleague = await createUser({ role: "coach", name: "Morgan Colleague" });
    const admin = await createUser({ role: "admin", name: "Ada Admin" });
    const { case: c } = await makeCase({ lead });

    await changeCaseStatus(lead, c.id, { status: "active" });
    await setCaseRisk(lead, c.id, "watch");
    await addCaseMember(lead, c.id, colleague.id);
    await addCaseNote(colleague, c.id, "A private observation that must not leak into the timeline.");
    await removeCaseMember(admin, c.id, colleague.id);
    await changeCaseStatus(admin, c.id, { status: "closed", closingNote: "Finished." });

    const response = await call(caseTimeline.loader, admin, `/cases/${c.id}/timeline`, { params: { caseId: c.id } });
    expect(response.status).toBe(200);
    const timeline = await responseJson<Timeline>(response);
    expect(timeline.events.map((e) => e.sentence)).toEqual([
      "You closed the case.",
      "You removed Morgan Colleague from the case.",
      "Morgan Colleague added a staff note.",
      "Theo Lead added Morgan Colleague to the case as a support member.",
      "Theo Lead set the risk level to Watch (it was None).",
      "Theo Lead moved the case from Intake to Active.",
    ]);
    expect(timeline.events.map((e) => e.action)).toEqual([
      "case.status_changed",
      "case.member_removed",
      "note.added",
      "case.member_added",
      "case.risk_changed",
      "case.status_changed",
    ]);
    const times = timeline.events.map((e) => new Date(e.at).getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(JSON.stringify(timeline)).not.toContain("private observation");
  });

  it("pages through the events from the URL", async () => {
    const lead = await createUser({ role: "therapist", name: "Theo Lead" });
    const { case: c } = await makeCase({ lead, status: "active" });
    // 25 events, alternating pause and resume.
    for (let i = 0; i < 25; i++) await changeCaseStatus(lead, c.id, { status: i % 2 === 0 ? "paused" : "active" });

    const page = async (search: string) => {
      const response = await call(caseTimeline.loader, lead, `/cases/${c.id}/timeline${search}`, { params: { caseId: c.id } });
      return responseJson<Timeline>(response);
    };
    const first = await page("");
    expect([first.total, first.page, first.perPage, first.events.length]).toEqual([25, 1, 20, 20]);
    const second = await page("?page=2");
    expect(second.events.length).toBe(5);
    expect(second.events.at(-1)!.sentence).toBe("You paused the case.");
    expect(new Set([...first.events, ...second.events].map((e) => e.id)).size).toBe(25);

    const small = await page("?perPage=10&page=3");
    expect([small.perPage, small.events.length]).toEqual([10, 5]);
    // Nonsense in the URL falls back to defaults instead of failing.
    const odd = await page("?page=-4&perPage=7");
    expect([odd.page, odd.perPage]).toEqual([1, 20]);
    const beyond = await page("?page=9");
    expect(beyond.events).toEqual([]);
  });
});

describe("overview", () => {
  async function addPlan(caseId: string, title: string, steps: { status: StepStatus; due?: string; completedDaysAgo?: number }[], archived = false) {
    const [plan] = await db.insert(plans).values({ caseId, title, archivedAt: archived ? new Date() : null }).returning();
    if (steps.length) {
      await db.insert(planSteps).values(
        steps.map((s, i) => ({
          planId: plan!.id,
          position: i + 1,
          title: `${title} step ${i + 1}`,
          status: s.status,
          dueDate: s.due ?? null,
          completedAt: s.completedDaysAgo === undefined ? null : new Date(Date.now() - s.completedDaysAgo * 86_400_000),
        })),
      );
    }
    return plan!;
  }

  it("summarises progress per current plan and overall, recent work and the next due step", async () => {
    const lead = await createUser({ role: "therapist" });
    const { case: c } = await makeCase({ lead, status: "active" });
    await addPlan(c.id, "Rebuilding trust", [
      { status: "done", completedDaysAgo: 2 },
      { status: "done", completedDaysAgo: 20 },
      { status: "skipped" },
      { status: "doing", due: "2020-01-10" },
      { status: "todo", due: "2099-03-01" },
    ]);
    await addPlan(c.id, "Giving space", [
      { status: "done", completedDaysAgo: 1 },
      { status: "todo", due: "2099-01-01" },
    ]);
    await addPlan(c.id, "Empty plan", []);
    await addPlan(c.id, "Old plan", [{ status: "todo", due: "2000-01-01" }, { status: "done", completedDaysAgo: 1 }], true);

    const overview = await getCaseOverview(lead, c.id);
    expect(overview.plans.map((p) => [p.title, p.done, p.total, p.skipped, p.percent])).toEqual([
      ["Rebuilding trust", 2, 5, 1, 50],
      ["Giving space", 1, 2, 0, 50],
      ["Empty plan", 0, 0, 0, 0],
    ]);
    expect(overview.overall).toMatchObject({ total: 7, done: 3, skipped: 1, percent: 50, doneRecently: 2 });
    expect(overview.nextDue).toMatchObject({ title: "Rebuilding trust step 4", dueDate: "2020-01-10", overdue: true, planTitle: "Rebuilding trust" });

    const response = await loadPage("overview", lead, c.id);
    expect(response.status).toBe(200);
    expect((await responseJson<{ overview: typeof overview }>(response)).overview.overall.percent).toBe(50);
  });

  it("takes the next due step from whichever current plan has the earliest open one", async () => {
    const lead = await createUser({ role: "therapist" });
    const { case: c } = await makeCase({ lead, status: "active" });
    await addPlan(c.id, "First plan", [{ status: "done", due: "2001-01-01" }, { status: "todo", due: "2099-06-01" }, { status: "todo" }]);
    await addPlan(c.id, "Second plan", [{ status: "todo", due: "2099-05-02" }, { status: "doing", due: "2099-05-01" }, { status: "skipped", due: "2002-01-01" }]);
    await addPlan(c.id, "Archived plan", [{ status: "todo", due: "2003-01-01" }], true);
    expect((await getCaseOverview(lead, c.id)).nextDue).toEqual({
      stepId: expect.any(String),
      title: "Second plan step 2",
      dueDate: "2099-05-01",
      status: "doing",
      overdue: false,
      planId: expect.any(String),
      planTitle: "Second plan",
    });

    // On the same date, the plan assigned first wins.
    await addPlan(c.id, "Third plan", [{ status: "todo", due: "2099-05-01" }]);
    expect((await getCaseOverview(lead, c.id)).nextDue?.title).toBe("Second plan step 2");
  });

  it("is 0 % with no plans and 100 % when every step is done or skipped", async () => {
    const lead = await createUser({ role: "therapist" });
    const { case: empty } = await makeCase({ lead });
    const none = await getCaseOverview(lead, empty.id);
    expect(none.plans).toEqual([]);
    expect(none.overall).toMatchObject({ total: 0, percent: 0, doneRecently: 0 });
    expect(none.nextDue).toBeNull();

    const { case: finished } = await makeCase({ lead });
    await addPlan(finished.id, "Healing", [{ status: "done", completedDaysAgo: 30 }, { status: "skipped" }]);
    const all = await getCaseOverview(lead, finished.id);
    expect(all.overall).toMatchObject({ percent: 100, doneRecently: 0 });
    expect(all.plans[0]!.percent).toBe(100);
  });
});

describe("audit trail", () => {
  it("every change carries the case id and bumps the case's last activity", async () => {
    const lead = await createUser({ role: "therapist" });
    const colleague = await createUser({ role: "coach" });
    const { case: c } = await makeCase({ lead });
    const activity = async () => (await reloadCase(c.id)).lastActivityAt.getTime();

    let last = await activity();
    for (const change of [
      () => changeCaseStatus(lead, c.id, { status: "active" }),
      () => setCaseRisk(lead, c.id, "watch"),
      () => addCaseMember(lead, c.id, colleague.id),
      () => removeCaseMember(lead, c.id, colleague.id),
    ]) {
      await change();
      const now = await activity();
      expect(now).toBeGreaterThan(last);
      last = now;
    }
    const events = await db
      .select({ action: auditEvents.action, targetId: auditEvents.targetId })
      .from(auditEvents)
      .where(and(eq(auditEvents.caseId, c.id), eq(auditEvents.actorId, lead.id)));
    expect(events.map((e) => e.action).sort()).toEqual(["case.member_added", "case.member_removed", "case.risk_changed", "case.status_changed"]);
    expect(events.every((e) => e.targetId === c.id)).toBe(true);
  });
});

describe("statements per page load", () => {
  const tabs: Record<string, { route: { loader: RouteFunction }; path: string }> = {
    overview: { route: caseOverview, path: "" },
    plans: { route: casePlans, path: "/plans" },
    progress: { route: caseProgress, path: "/progress" },
    threads: { route: caseThreads, path: "/threads" },
    timeline: { route: caseTimeline, path: "/timeline" },
    notes: { route: caseNotes, path: "/notes" },
  };

  // One page load as the server runs it: the root's, the case layout's and the tab's loaders at
  // once, in one request scope (server/index.ts). The second visit is the one counted, as in the
  // benchmark: a first may write what later visits only read.
  async function statementsFor(user: { id: string }, caseId: string, tab: keyof typeof tabs, withLayout = true) {
    const { route, path } = tabs[tab]!;
    let counted: { count: number; queries: string[]; result: Response[] } | null = null;
    for (let visit = 0; visit < 2; visit++) {
      const { request } = await requestAs(user, `/cases/${caseId}${path}`);
      const args = { request, params: { caseId }, context: testContext };
      const loaders = [() => rootData(request), ...(withLayout ? [() => caseLayout.loader(args)] : []), () => route.loader(args)];
      counted = await countQueries(() => runInRequestScope("GET", () => Promise.all(loaders.map((load) => respond(load)))));
    }
    return counted!;
  }

  it.each(["lead", "admin"] as const)("a %s who manages members gets the case page in at most 6, however big the case", async (who) => {
    const lead = await createUser({ role: "therapist", name: "Theo Lead" });
    const admin = await createUser({ role: "admin", name: "Ada Admin" });
    const support = await Promise.all([1, 2, 3].map((n) => createUser({ role: "coach", name: `Support ${n}` })));
    const colleagues = await Promise.all([1, 2, 3].map((n) => createUser({ role: "coach", name: `Colleague ${n}` })));
    const { case: c } = await makeCase({ lead, support, status: "active" });
    for (const title of ["Rebuilding trust", "Giving space", "Talking again"]) {
      const [plan] = await db.insert(plans).values({ caseId: c.id, title }).returning();
      await db.insert(planSteps).values(
        [1, 2, 3, 4].map((position) => ({ planId: plan!.id, position, title: `${title} ${position}`, dueDate: `2099-0${position}-01` })),
      );
    }

    const { count, queries, result } = await statementsFor(who === "lead" ? lead : admin, c.id, "overview");
    const [, layout, overview] = result;
    expect([layout!.status, overview!.status]).toEqual([200, 200]);
    const { header, addable } = await responseJson<{ header: Header; addable: { id: string }[] }>(layout!);
    expect(header.can.manageMembers).toBe(true);
    expect(header.members.map((m) => m.name)).toEqual(["Theo Lead", "Support 1", "Support 2", "Support 3"]);
    expect(addable.map((p) => p.id)).toEqual(expect.arrayContaining(colleagues.map((p) => p.id)));
    const { overview: shown } = await responseJson<{ overview: Awaited<ReturnType<typeof getCaseOverview>> }>(overview!);
    expect(shown.plans).toHaveLength(3);
    expect(shown.nextDue).toMatchObject({ title: "Rebuilding trust 1", dueDate: "2099-01-01" });
    expect(count, queries.join("\n\n")).toBeLessThanOrEqual(6);
  });

  it.each(Object.keys(tabs))("the case layout adds one statement to the %s tab", async (tab) => {
    const lead = await createUser({ role: "therapist", name: "Theo Lead" });
    const support = await createUser({ role: "coach", name: "Sam Support" });
    const { case: c } = await makeCase({ lead, support: [support], status: "active" });
    for (const who of [lead, support]) {
      const page = await statementsFor(who, c.id, tab);
      expect(page.result.map((r) => r.status)).toEqual([200, 200, 200]);
      const tabAlone = await statementsFor(who, c.id, tab, false);
      // The case itself is read once for both loaders; the header adds its one lookup.
      expect(page.count - tabAlone.count, page.queries.join("\n\n")).toBe(1);
    }
  });
});
