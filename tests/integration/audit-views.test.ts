import type { LoaderFunctionArgs } from "@remix-run/node";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { recordCaseView } from "~/models/audit.server";
import { addCaseNote } from "~/models/case-notes.server";
import { changeCaseStatus, type listCaseTimeline } from "~/models/case-workflow.server";
import * as caseLayout from "~/routes/cases.$caseId";
import * as caseOverview from "~/routes/cases.$caseId._index";
import * as caseNotes from "~/routes/cases.$caseId.notes";
import * as casePlan from "~/routes/cases.$caseId.plans.$planId";
import * as casePlans from "~/routes/cases.$caseId.plans._index";
import * as caseProgress from "~/routes/cases.$caseId.progress";
import * as caseThreads from "~/routes/cases.$caseId.threads";
import * as caseTimeline from "~/routes/cases.$caseId.timeline";
import * as checkInPage from "~/routes/check-ins.$checkInId";
import * as threadPage from "~/routes/threads.$threadId";
import { db } from "../../db/client";
import { auditEvents, checkIns, planSteps, plans, posts, threads } from "../../db/schema";
import { countQueries } from "../support/query-counter";
import { createUser, insertCase, requestAs, respond, responseJson, testContext } from "../support/factories";

// The access log: every time staff open a screen showing a case's records, one `case.viewed`
// event with the page they opened. The case timeline leaves these views out.

type RouteFunction = (args: LoaderFunctionArgs) => Promise<unknown>;

async function call(fn: RouteFunction, user: { id: string }, path: string, params: Record<string, string>) {
  const { request } = await requestAs(user, path);
  return respond(() => fn({ request, params, context: testContext }));
}

async function setup() {
  const lead = await createUser({ role: "therapist", name: "Theo Lead" });
  const support = await createUser({ role: "coach", name: "Casey Support" });
  const outsider = await createUser({ role: "coach", name: "Olive Outsider" });
  const admin = await createUser({ role: "admin", name: "Ada Admin" });
  const client = await createUser({ role: "client", name: "Jordan Client" });
  const { case: c } = await insertCase({ lead, support: [support], client });
  const [plan] = await db.insert(plans).values({ caseId: c.id, title: "Rebuilding trust" }).returning();
  await db.insert(planSteps).values({ planId: plan!.id, position: 1, title: "Own it fully" });
  const [thread] = await db.insert(threads).values({ caseId: c.id, title: "Where do we start?", createdBy: client.id }).returning();
  await db.insert(posts).values({ threadId: thread!.id, authorId: client.id, body: "It feels like too much." });
  const [checkIn] = await db.insert(checkIns).values({ caseId: c.id, authorId: client.id, mood: 3, progress: 5, closeness: 5 }).returning();
  return { lead, support, outsider, admin, client, caseId: c.id, planId: plan!.id, threadId: thread!.id, checkInId: checkIn!.id };
}

type Setup = Awaited<ReturnType<typeof setup>>;

/** Each staff screen of a case, how to open it, and the page and target its view records. */
function screens(s: Setup) {
  const onCase = { caseId: s.caseId };
  return [
    { page: "overview", fn: caseOverview.loader, path: `/cases/${s.caseId}`, params: onCase, target: ["case", s.caseId] },
    { page: "plans", fn: casePlans.loader, path: `/cases/${s.caseId}/plans`, params: onCase, target: ["case", s.caseId] },
    {
      page: "plan",
      fn: casePlan.loader,
      path: `/cases/${s.caseId}/plans/${s.planId}`,
      params: { caseId: s.caseId, planId: s.planId },
      target: ["plan", s.planId],
    },
    { page: "progress", fn: caseProgress.loader, path: `/cases/${s.caseId}/progress`, params: onCase, target: ["case", s.caseId] },
    { page: "questions", fn: caseThreads.loader, path: `/cases/${s.caseId}/threads`, params: onCase, target: ["case", s.caseId] },
    { page: "timeline", fn: caseTimeline.loader, path: `/cases/${s.caseId}/timeline`, params: onCase, target: ["case", s.caseId] },
    { page: "notes", fn: caseNotes.loader, path: `/cases/${s.caseId}/notes`, params: onCase, target: ["case", s.caseId] },
    { page: "thread", fn: threadPage.loader, path: `/threads/${s.threadId}`, params: { threadId: s.threadId }, target: ["thread", s.threadId] },
    { page: "check-in", fn: checkInPage.loader, path: `/check-ins/${s.checkInId}`, params: { checkInId: s.checkInId }, target: ["check_in", s.checkInId] },
  ] as const;
}

async function viewsOf(caseId: string) {
  const rows = await db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.caseId, caseId), eq(auditEvents.action, "case.viewed")));
  return rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
}

describe("views of a case", () => {
  it("records one event per staff screen opened, naming the page, the viewer, the IP and what was opened", async () => {
    const s = await setup();
    for (const screen of screens(s)) {
      const before = (await viewsOf(s.caseId)).length;
      const response = await call(screen.fn, s.support, screen.path, screen.params);
      expect(response.status, screen.page).toBe(200);
      const views = await viewsOf(s.caseId);
      expect(views.length, screen.page).toBe(before + 1);
      expect(views.at(-1), screen.page).toMatchObject({
        actorId: s.support.id,
        caseId: s.caseId,
        details: { page: screen.page },
        targetType: screen.target[0],
        targetId: screen.target[1],
        ip: testContext.clientIp,
      });
    }
    expect((await viewsOf(s.caseId)).map((v) => v.details?.page)).toEqual(screens(s).map((x) => x.page));
  });

  it("records the admin's views too, every time, and the case layout adds none of its own", async () => {
    const s = await setup();
    await call(caseLayout.loader, s.admin, `/cases/${s.caseId}`, { caseId: s.caseId });
    expect(await viewsOf(s.caseId)).toEqual([]);
    for (let i = 0; i < 3; i++) await call(caseOverview.loader, s.admin, `/cases/${s.caseId}`, { caseId: s.caseId });
    expect((await viewsOf(s.caseId)).map((v) => [v.actorId, v.details?.page])).toEqual([
      [s.admin.id, "overview"],
      [s.admin.id, "overview"],
      [s.admin.id, "overview"],
    ]);
  });

  it("records nothing when the screen answers 404", async () => {
    const s = await setup();
    for (const screen of screens(s)) {
      for (const person of [s.outsider, s.client]) {
        const response = await call(screen.fn, person, screen.path, screen.params);
        expect(response.status, `${screen.page} for ${person.name}`).toBe(404);
      }
    }
    expect(await viewsOf(s.caseId)).toEqual([]);
  });

  it("costs one INSERT and no read, and can't be written for a case the viewer can't see", async () => {
    const s = await setup();
    const { count, queries } = await countQueries(() => recordCaseView(s.lead, s.caseId, "overview", "198.51.100.5"));
    expect(count).toBe(1);
    expect(queries[0]).toMatch(/^insert into "audit_events"/);
    expect((await viewsOf(s.caseId)).map((v) => v.ip)).toEqual(["198.51.100.5"]);

    for (const person of [s.outsider, s.client]) {
      const response = await respond(() => recordCaseView(person, s.caseId, "overview", null));
      expect(response.status).toBe(404);
    }
    expect((await respond(() => recordCaseView(s.admin, "00000000-0000-4000-8000-000000000000", "overview", null))).status).toBe(404);
    expect(await viewsOf(s.caseId)).toHaveLength(1);
  });
});

describe("the case timeline", () => {
  it("leaves views out, however many there are, and still lists what happened", async () => {
    const s = await setup();
    await changeCaseStatus(s.lead, s.caseId, { status: "paused" });
    for (const screen of screens(s)) await call(screen.fn, s.support, screen.path, screen.params);
    await addCaseNote(s.support, s.caseId, "Seen the client's check-in.");
    expect((await viewsOf(s.caseId)).length).toBeGreaterThanOrEqual(9);

    const response = await call(caseTimeline.loader, s.lead, `/cases/${s.caseId}/timeline`, { caseId: s.caseId });
    const timeline = await responseJson<Awaited<ReturnType<typeof listCaseTimeline>>>(response);
    expect(timeline.events.map((e) => e.action)).toEqual(["note.added", "case.status_changed"]);
    expect(timeline.total).toBe(2);
    expect(timeline.events.map((e) => e.sentence).join(" ")).not.toMatch(/viewed/);
  });
});
