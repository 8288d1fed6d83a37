import type { LoaderFunctionArgs } from "@remix-run/node";
import { and, asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { describeCaseEvent, listCaseTimeline } from "~/models/case-workflow.server";
import {
  getCheckInForReview,
  listOwnCheckIns,
  listReviewQueue,
  reviewCheckIn,
  reviewQueueQuery,
  submitCheckIn,
  type CheckInInput,
} from "~/models/check-ins.server";
import { RuleViolation } from "~/models/errors.server";
import { getSetting } from "~/models/settings.server";
import * as reviewPage from "~/routes/check-ins.$checkInId";
import * as queuePage from "~/routes/check-ins._index";
import * as checkInPage from "~/routes/portal.check-in";
import { db } from "../../db/client";
import { auditEvents, cases, checkIns, notifications, plans, planSteps } from "../../db/schema";
import { createUser, insertCase, requestAs, respond, responseJson, testContext } from "../support/factories";
import { countQueries } from "../support/query-counter";
import { renderPage } from "../support/render-page";

// Check-ins (issue 5, sections 1, 2 and 7): the client checks in on their own case only; staff
// review check-ins on their cases only (everyone else: 404); a refused form keeps everything
// typed and ticked; the queue's order, change since the previous check-in and scope; the review
// reaches the client; risk screening applies; every change leaves an audit row on the case.

type RouteFunction = (args: LoaderFunctionArgs) => Promise<unknown>;
type Failure = { ok: false; errors: Record<string, string>; values: Record<string, string>; stepIds: string[] };

async function call(
  fn: RouteFunction,
  user: { id: string } | null,
  path: string,
  params: Record<string, string> = {},
  form?: [string, string][],
) {
  const { request } = await requestAs(user, path);
  let req = request;
  if (form) {
    // Ticked boxes share the name "stepIds": the body is built from pairs.
    req = new Request(request.url, { method: "POST", headers: request.headers, body: new URLSearchParams(form) });
    req.headers.set("Content-Type", "application/x-www-form-urlencoded");
  }
  return respond(() => fn({ request: req, params, context: testContext }));
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
}

async function insertPlan(caseId: string, steps: string[], archived = false) {
  const [plan] = await db
    .insert(plans)
    .values({ caseId, title: archived ? "Old plan" : "Rebuilding trust", archivedAt: archived ? new Date() : null })
    .returning();
  const rows = await db
    .insert(planSteps)
    .values(steps.map((title, i) => ({ planId: plan!.id, position: i + 1, title })))
    .returning();
  return rows.sort((a, b) => a.position - b.position);
}

async function setup(title = "Rebuilding trust after the phone") {
  const lead = await createUser({ role: "therapist", name: "Theo Lead" });
  const support = await createUser({ role: "coach", name: "Cora Support" });
  const client = await createUser({ role: "client", name: "Jordan Client" });
  const { case: theCase } = await insertCase({ lead, support: [support], client, title });
  const steps = await insertPlan(theCase.id, ["Own it fully", "Apologise without excuses", "Agree a weekly talk"]);
  return { lead, support, client, theCase, steps };
}

const calm: CheckInInput = { mood: 4, progress: 6, closeness: 5, stepIds: [], whatHappened: "We talked on Sunday.", whatWasHard: "" };

async function insertCheckIn(input: {
  caseId: string;
  authorId: string;
  submittedAt: Date;
  mood: number;
  progress: number;
  closeness: number;
  reviewed?: { by: string; feedback: string };
}) {
  const [row] = await db
    .insert(checkIns)
    .values({
      caseId: input.caseId,
      authorId: input.authorId,
      submittedAt: input.submittedAt,
      mood: input.mood,
      progress: input.progress,
      closeness: input.closeness,
      reviewedAt: input.reviewed ? input.submittedAt : null,
      reviewedBy: input.reviewed?.by ?? null,
      feedback: input.reviewed?.feedback ?? null,
    })
    .returning();
  return row!;
}

async function auditOn(caseId: string) {
  return db.select().from(auditEvents).where(eq(auditEvents.caseId, caseId)).orderBy(asc(auditEvents.createdAt), asc(auditEvents.id));
}

async function notificationsFor(userId: string) {
  return db.select().from(notifications).where(eq(notifications.userId, userId));
}

async function countCheckIns(caseId: string) {
  return (await db.select({ id: checkIns.id }).from(checkIns).where(eq(checkIns.caseId, caseId))).length;
}

describe("checking in", () => {
  it("stores the check-in, audits it on the case, tells the case's staff and bumps the case's activity", async () => {
    const s = await setup();
    const before = s.theCase.lastActivityAt;
    const { checkIn, crisis } = await submitCheckIn(s.client, s.theCase.id, { ...calm, stepIds: [s.steps[0]!.id, s.steps[2]!.id] }, "203.0.113.9");
    expect(crisis).toBe(false);
    expect(checkIn).toMatchObject({ caseId: s.theCase.id, authorId: s.client.id, mood: 4, progress: 6, closeness: 5, riskReasons: [] });
    expect(new Set(checkIn.stepIds)).toEqual(new Set([s.steps[0]!.id, s.steps[2]!.id]));

    const audit = await auditOn(s.theCase.id);
    expect(audit.map((e) => e.action)).toEqual(["check_in.submitted"]);
    expect(audit[0]).toMatchObject({ actorId: s.client.id, caseId: s.theCase.id, targetId: checkIn.id, ip: "203.0.113.9" });
    // The audit trail never holds what the client wrote.
    expect(JSON.stringify(audit[0]!.details)).not.toContain("Sunday");

    for (const person of [s.lead, s.support]) {
      const [n] = await notificationsFor(person.id);
      expect(n).toMatchObject({ kind: "check_in_submitted", link: `/check-ins/${checkIn.id}`, caseId: s.theCase.id });
      expect(n!.text).not.toContain("Sunday");
    }
    const [after] = await db.select().from(cases).where(eq(cases.id, s.theCase.id));
    expect(after!.lastActivityAt.getTime()).toBeGreaterThan(before.getTime());
  });

  it("allows more than one check-in in a period", async () => {
    const s = await setup();
    await submitCheckIn(s.client, s.theCase.id, calm);
    await submitCheckIn(s.client, s.theCase.id, calm);
    expect(await countCheckIns(s.theCase.id)).toBe(2);
  });

  it("a client can't check in on another client's case: 404 from the model and from the form, and nothing is stored", async () => {
    const s = await setup();
    const other = await createUser({ role: "client" });
    await expectStatus(submitCheckIn(other, s.theCase.id, calm), 404);
    await expectStatus(submitCheckIn(other, crypto.randomUUID(), calm), 404);
    const response = await call(checkInPage.action, other, "/portal/check-in", {}, [
      ["caseId", s.theCase.id],
      ["mood", "3"],
      ["progress", "3"],
      ["closeness", "3"],
    ]);
    expect(response.status).toBe(404);
    expect(await countCheckIns(s.theCase.id)).toBe(0);
  });

  it("staff who can see the case get 403 (a check-in is the client's own); staff can't open the form at all", async () => {
    const s = await setup();
    await expectStatus(submitCheckIn(s.lead, s.theCase.id, calm), 403);
    const admin = await createUser({ role: "admin" });
    await expectStatus(submitCheckIn(admin, s.theCase.id, calm), 403);
    expect((await call(checkInPage.loader, s.lead, "/portal/check-in")).status).toBe(404);
    expect(await countCheckIns(s.theCase.id)).toBe(0);
  });

  it("refuses a closed case and steps that aren't on the case's active plans", async () => {
    const s = await setup();
    const archived = await insertPlan(s.theCase.id, ["An archived step"], true);
    const elsewhere = await setup("Another case");
    await expectRule(submitCheckIn(s.client, s.theCase.id, { ...calm, stepIds: [archived[0]!.id] }), "stepIds");
    await expectRule(submitCheckIn(s.client, s.theCase.id, { ...calm, stepIds: [elsewhere.steps[0]!.id] }), "stepIds");
    await expectRule(submitCheckIn(s.client, s.theCase.id, { ...calm, stepIds: ["not-an-id"] }), "stepIds");
    await expectRule(submitCheckIn(s.client, s.theCase.id, { ...calm, mood: 6 }), "mood");
    await expectRule(submitCheckIn(s.client, s.theCase.id, { ...calm, progress: 2.5 }), "progress");

    await db.update(cases).set({ status: "closed" }).where(eq(cases.id, s.theCase.id));
    await expectRule(submitCheckIn(s.client, s.theCase.id, calm), "caseId");
    expect(await countCheckIns(s.theCase.id)).toBe(0);
  });

  it("offers the client's open cases with the steps of their active plans; none → an explanation", async () => {
    const s = await setup();
    await insertPlan(s.theCase.id, ["An archived step"], true);
    const data = await responseJson<{ cases: { id: string; steps: { title: string }[] }[] }>(
      await call(checkInPage.loader, s.client, "/portal/check-in"),
    );
    expect(data.cases).toHaveLength(1);
    expect(data.cases[0]!.steps.map((st) => st.title)).toEqual(["Own it fully", "Apologise without excuses", "Agree a weekly talk"]);

    const lonely = await createUser({ role: "client" });
    const html = await renderPage(checkInPage, "/portal/check-in", lonely, "/portal/check-in");
    expect(html).toContain("Nothing to check in on right now");
    expect(html).not.toContain("Send check-in");
  });

  it("a refused form keeps everything typed, chosen and ticked", async () => {
    const s = await setup();
    const form: [string, string][] = [
      ["caseId", s.theCase.id],
      ["progress", "11"],
      ["closeness", "7"],
      ["stepIds", s.steps[0]!.id],
      ["stepIds", s.steps[2]!.id],
      ["whatHappened", "We cooked dinner together & talked."],
      ["whatWasHard", "x".repeat(4001)],
    ];
    const response = await call(checkInPage.action, s.client, "/portal/check-in", {}, form);
    expect(response.status).toBe(400);
    const body = await responseJson<Failure>(response);
    expect(Object.keys(body.errors).sort()).toEqual(["mood", "progress", "whatWasHard"]);
    expect(body.errors.mood).toMatch(/mood/i);
    expect(body.values).toMatchObject({ closeness: "7", progress: "11", whatHappened: "We cooked dinner together & talked." });
    expect(body.stepIds).toEqual([s.steps[0]!.id, s.steps[2]!.id]);
    expect(await countCheckIns(s.theCase.id)).toBe(0);

    // As the page shows it again: the boxes are still ticked, the score still chosen, the words still there.
    const html = await renderPage(checkInPage, "/portal/check-in", s.client, "/portal/check-in", form);
    expect(html).toContain(`checked="" value="${s.steps[0]!.id}"`);
    expect(html).toContain(`checked="" value="${s.steps[2]!.id}"`);
    expect(html).not.toContain(`checked="" value="${s.steps[1]!.id}"`);
    expect(html).toMatch(/name="closeness" class="[^"]*" checked="" value="7"/);
    expect(html).toContain("We cooked dinner together &amp; talked.");
    expect(html).toContain("Choose how your mood has been");

    // A step from someone else's plan comes back beside the steps, with the rest kept.
    const elsewhere = await setup("Another case");
    const wrong = await call(checkInPage.action, s.client, "/portal/check-in", {}, [
      ["caseId", s.theCase.id],
      ["mood", "3"],
      ["progress", "4"],
      ["closeness", "5"],
      ["stepIds", elsewhere.steps[0]!.id],
      ["whatHappened", "Kept"],
    ]);
    expect(wrong.status).toBe(400);
    const wrongBody = await responseJson<Failure>(wrong);
    expect(wrongBody.errors).toEqual({ stepIds: expect.stringMatching(/plan/) });
    expect(wrongBody.values).toMatchObject({ mood: "3", whatHappened: "Kept" });
  });

  it("on success goes to the progress page with a thank-you", async () => {
    const s = await setup();
    const response = await call(checkInPage.action, s.client, "/portal/check-in", {}, [
      ["caseId", s.theCase.id],
      ["mood", "5"],
      ["progress", "8"],
      ["closeness", "9"],
      ["stepIds", s.steps[1]!.id],
    ]);
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/portal/progress");
    expect(response.headers.get("Set-Cookie")).toContain("cairn_flash");
    const [row] = await db.select().from(checkIns).where(eq(checkIns.caseId, s.theCase.id));
    expect(row).toMatchObject({ mood: 5, progress: 8, closeness: 9, stepIds: [s.steps[1]!.id] });
  });
});

describe("risk screening on check-ins", () => {
  it("flags a worrying check-in: keeps the reasons, raises the case to watch, alerts the lead and shows the crisis message", async () => {
    const s = await setup();
    const response = await call(checkInPage.action, s.client, "/portal/check-in", {}, [
      ["caseId", s.theCase.id],
      ["mood", "1"],
      ["progress", "2"],
      ["closeness", "2"],
      ["whatHappened", "A rough week."],
      ["whatWasHard", "Some nights I want to kill myself."],
    ]);
    expect(response.status).toBe(302);
    // The address says only "show support", nothing the client wrote.
    expect(response.headers.get("Location")).toBe("/portal/check-in?support=1");

    const [row] = await db.select().from(checkIns).where(eq(checkIns.caseId, s.theCase.id));
    expect(row!.riskReasons.map((r) => r.ruleId)).toContain("suicide");
    const [after] = await db.select().from(cases).where(eq(cases.id, s.theCase.id));
    expect(after!.risk).toBe("watch");

    const audit = await auditOn(s.theCase.id);
    expect(audit.map((e) => e.action).sort()).toEqual(["case.risk_changed", "check_in.flagged", "check_in.submitted"]);
    expect(audit.every((e) => e.caseId === s.theCase.id)).toBe(true);
    expect(audit.find((e) => e.action === "case.risk_changed")!.details).toMatchObject({ from: "none", to: "watch" });
    const flagged = audit.find((e) => e.action === "check_in.flagged")!;
    expect(flagged.actorId).toBeNull();
    expect(JSON.stringify(flagged.details)).not.toContain("nights");

    const leadNotes = await notificationsFor(s.lead.id);
    expect(leadNotes.map((n) => n.kind)).toEqual(["urgent_flag"]);
    expect(leadNotes[0]!.link).toBe(`/check-ins/${row!.id}`);
    expect((await notificationsFor(s.support.id)).map((n) => n.kind)).toEqual(["check_in_submitted"]);

    const page = await responseJson<{ crisisMessage: string | null }>(await call(checkInPage.loader, s.client, "/portal/check-in?support=1"));
    expect(page.crisisMessage).toBe(await getSetting("crisis_message"));
    const plain = await responseJson<{ crisisMessage: string | null }>(await call(checkInPage.loader, s.client, "/portal/check-in"));
    expect(plain.crisisMessage).toBeNull();
  });

  it("leaves an urgent case urgent and an everyday check-in unflagged", async () => {
    const s = await setup();
    await db.update(cases).set({ risk: "urgent" }).where(eq(cases.id, s.theCase.id));
    const { crisis } = await submitCheckIn(s.client, s.theCase.id, { ...calm, whatWasHard: "He hit me again last night." });
    expect(crisis).toBe(true);
    const [after] = await db.select().from(cases).where(eq(cases.id, s.theCase.id));
    expect(after!.risk).toBe("urgent");
    expect((await auditOn(s.theCase.id)).map((e) => e.action)).not.toContain("case.risk_changed");

    const quiet = await setup();
    const result = await submitCheckIn(quiet.client, quiet.theCase.id, { ...calm, whatWasHard: "This deadline is killing me." });
    expect(result.crisis).toBe(false);
    expect(result.checkIn.riskReasons).toEqual([]);
  });
});

describe("the review queue", () => {
  const T0 = new Date("2025-03-03T09:00:00.000Z");
  const day = (n: number) => new Date(T0.getTime() + n * 24 * 60 * 60 * 1000);

  async function queueFixture() {
    const s = await setup();
    const b = await setup("Second case");
    // Case A: reviewed (3,5,5) on day 0; unreviewed (4,7,4) day 2 and (2,7,6) day 5.
    await insertCheckIn({ caseId: s.theCase.id, authorId: s.client.id, submittedAt: day(0), mood: 3, progress: 5, closeness: 5, reviewed: { by: s.lead.id, feedback: "Good start." } });
    const a2 = await insertCheckIn({ caseId: s.theCase.id, authorId: s.client.id, submittedAt: day(2), mood: 4, progress: 7, closeness: 4 });
    const a3 = await insertCheckIn({ caseId: s.theCase.id, authorId: s.client.id, submittedAt: day(5), mood: 2, progress: 7, closeness: 6 });
    // Case B: its first check-in on day 1 (nothing to compare).
    const b1 = await insertCheckIn({ caseId: b.theCase.id, authorId: b.client.id, submittedAt: day(1), mood: 5, progress: 3, closeness: 8 });
    return { s, b, a2, a3, b1 };
  }

  it("lists unreviewed check-ins on the viewer's cases oldest first, with the change since the case's previous check-in", async () => {
    const { s, a2, a3 } = await queueFixture();
    const queue = await listReviewQueue(s.lead, reviewQueueQuery.parse({}));
    expect(queue.rows.map((r) => r.id)).toEqual([a2.id, a3.id]);
    expect(queue.total).toBe(2);
    expect(queue.rows[0]).toMatchObject({ clientName: "Jordan Client", caseTitle: s.theCase.title, leadName: "Theo Lead", mood: 4, prevMood: 3, progress: 7, prevProgress: 5, closeness: 4, prevCloseness: 5 });
    expect(queue.rows[1]).toMatchObject({ mood: 2, prevMood: 4, progress: 7, prevProgress: 7, closeness: 6, prevCloseness: 4 });
    expect(queue.filters.cases.map((c) => c.id)).toEqual([s.theCase.id]);
  });

  it("shows the change as text on the page (+1, −2, no change) and the first check-in as first", async () => {
    const { s, b } = await queueFixture();
    const html = await renderPage(queuePage, "/check-ins", s.lead, "/check-ins");
    expect(html).toContain("+1");
    expect(html).toContain("−2");
    expect(html).toContain("no change");
    const other = await renderPage(queuePage, "/check-ins", b.lead, "/check-ins");
    expect(other).toContain(">first<");
  });

  it("keeps to the viewer's cases; an admin sees all and can filter by case and lead", async () => {
    const { s, b, a2, a3, b1 } = await queueFixture();
    const outsider = await createUser({ role: "coach" });
    expect((await listReviewQueue(outsider, reviewQueueQuery.parse({}))).rows).toEqual([]);
    expect((await listReviewQueue(s.support, reviewQueueQuery.parse({}))).rows.map((r) => r.id)).toEqual([a2.id, a3.id]);

    const admin = await createUser({ role: "admin" });
    const all = await listReviewQueue(admin, reviewQueueQuery.parse({ perPage: "50" }));
    const ids = all.rows.map((r) => r.id);
    expect(ids).toEqual(expect.arrayContaining([a2.id, a3.id, b1.id]));
    expect(ids.indexOf(a2.id)).toBeGreaterThan(ids.indexOf(b1.id));
    expect((await listReviewQueue(admin, reviewQueueQuery.parse({ caseId: b.theCase.id }))).rows.map((r) => r.id)).toEqual([b1.id]);
    expect((await listReviewQueue(admin, reviewQueueQuery.parse({ lead: s.lead.id }))).rows.map((r) => r.id)).toEqual([a2.id, a3.id]);
    // A case filter outside the viewer's cases shows nothing rather than someone else's rows.
    expect((await listReviewQueue(s.lead, reviewQueueQuery.parse({ caseId: b.theCase.id }))).rows).toEqual([]);
    // Pages come from the URL.
    const paged = await listReviewQueue(s.lead, reviewQueueQuery.parse({ perPage: "10", page: "2" }));
    expect(paged.rows).toEqual([]);
    expect(paged.total).toBe(2);
  });

  it("clients get 404 from the queue; a page past the end goes back to the last one", async () => {
    const { s } = await queueFixture();
    expect((await call(queuePage.loader, s.client, "/check-ins")).status).toBe(404);
    await expectStatus(listReviewQueue(s.client, reviewQueueQuery.parse({})), 404);
    const past = await call(queuePage.loader, s.lead, "/check-ins?page=9&perPage=10");
    expect(past.status).toBe(302);
    expect(past.headers.get("Location")).toBe("/check-ins?perPage=10");
  });

  it("runs a fixed number of queries however many rows the page holds", async () => {
    const s = await setup();
    await insertCheckIn({ caseId: s.theCase.id, authorId: s.client.id, submittedAt: day(0), mood: 3, progress: 3, closeness: 3 });
    const few = await countQueries(() => listReviewQueue(s.lead, reviewQueueQuery.parse({})));
    for (let i = 1; i <= 8; i++) {
      const c = i % 2 ? s.theCase : (await insertCase({ lead: s.lead, title: `Case ${i}` })).case;
      await insertCheckIn({ caseId: c.id, authorId: c.clientId, submittedAt: day(i), mood: 3, progress: 3, closeness: 3 });
    }
    const many = await countQueries(() => listReviewQueue(s.lead, reviewQueueQuery.parse({})));
    expect(many.result.rows).toHaveLength(9);
    expect(many.count).toBe(few.count);
    expect(many.queries.join("\n")).toMatch(/lag\(/);
  });
});

describe("reviewing a check-in", () => {
  it("shows the check-in beside the client's previous ones (the last six) with the steps worked on", async () => {
    const s = await setup();
    const T = new Date("2025-01-01T09:00:00.000Z").getTime();
    for (let i = 0; i < 8; i++) {
      await insertCheckIn({ caseId: s.theCase.id, authorId: s.client.id, submittedAt: new Date(T + i * 86_400_000), mood: 1 + (i % 5), progress: i + 1, closeness: 2 });
    }
    const { checkIn } = await submitCheckIn(s.client, s.theCase.id, { ...calm, stepIds: [s.steps[1]!.id] });
    const review = await getCheckInForReview(s.lead, checkIn.id);
    expect(review.clientName).toBe("Jordan Client");
    expect(review.steps.map((st) => st.title)).toEqual(["Apologise without excuses"]);
    expect(review.previous.map((p) => p.progress)).toEqual([8, 7, 6, 5, 4, 3]);

    const html = await renderPage(reviewPage, "/check-ins/:checkInId", s.lead, `/check-ins/${checkIn.id}`);
    expect(html).toContain("Check-in from Jordan Client");
    expect(html).toContain("Previous check-ins");
    expect(html).toContain("Apologise without excuses");
    expect(html).toContain("Mark reviewed");
  });

  it("staff outside the case and clients get 404, by model and by page, and nothing changes", async () => {
    const s = await setup();
    const { checkIn } = await submitCheckIn(s.client, s.theCase.id, calm);
    const outsider = await createUser({ role: "therapist" });
    await expectStatus(getCheckInForReview(outsider, checkIn.id), 404);
    await expectStatus(reviewCheckIn(outsider, checkIn.id, { feedback: "Sneaky" }), 404);
    await expectStatus(getCheckInForReview(s.client, checkIn.id), 404);
    await expectStatus(reviewCheckIn(s.client, checkIn.id, { feedback: "Self-review" }), 404);
    await expectStatus(getCheckInForReview(s.lead, crypto.randomUUID()), 404);
    await expectStatus(getCheckInForReview(s.lead, "nonsense"), 404);

    const params = { checkInId: checkIn.id };
    expect((await call(reviewPage.loader, outsider, `/check-ins/${checkIn.id}`, params)).status).toBe(404);
    expect((await call(reviewPage.loader, s.client, `/check-ins/${checkIn.id}`, params)).status).toBe(404);
    const posted = await call(reviewPage.action, outsider, `/check-ins/${checkIn.id}`, params, [["feedback", "By hand"]]);
    expect(posted.status).toBe(404);
    const [row] = await db.select().from(checkIns).where(eq(checkIns.id, checkIn.id));
    expect(row).toMatchObject({ reviewedAt: null, reviewedBy: null, feedback: null });
  });

  it("needs feedback, keeping what was typed; then the client sees the feedback", async () => {
    const s = await setup();
    const other = await setup("Someone else's case");
    const { checkIn } = await submitCheckIn(s.client, s.theCase.id, calm);
    await submitCheckIn(other.client, other.theCase.id, calm);
    const params = { checkInId: checkIn.id };

    const empty = await call(reviewPage.action, s.support, `/check-ins/${checkIn.id}`, params, [["feedback", "   "]]);
    expect(empty.status).toBe(400);
    expect((await responseJson<Failure>(empty)).errors.feedback).toMatch(/feedback/);
    const long = await call(reviewPage.action, s.support, `/check-ins/${checkIn.id}`, params, [["feedback", "y".repeat(4001)]]);
    expect(long.status).toBe(400);
    expect((await responseJson<Failure>(long)).values.feedback).toHaveLength(4001);

    const done = await call(reviewPage.action, s.support, `/check-ins/${checkIn.id}`, params, [["feedback", "Thank you for being so honest this week."]]);
    expect(done.status).toBe(302);
    expect(done.headers.get("Location")).toBe("/check-ins");
    const [row] = await db.select().from(checkIns).where(eq(checkIns.id, checkIn.id));
    expect(row).toMatchObject({ reviewedBy: s.support.id, feedback: "Thank you for being so honest this week." });
    expect(row!.reviewedAt).not.toBeNull();

    // Off the queue, onto the client's history with the feedback.
    expect((await listReviewQueue(s.lead, reviewQueueQuery.parse({}))).rows).toEqual([]);
    const own = await listOwnCheckIns(s.client, { page: 1 });
    expect(own.rows).toHaveLength(1);
    expect(own.rows[0]).toMatchObject({ id: checkIn.id, feedback: "Thank you for being so honest this week.", reviewerName: "Cora Support" });
    // Another client's history holds only their own check-in, never this one or its feedback.
    const theirs = await listOwnCheckIns(other.client, { page: 1 });
    expect(theirs.rows.map((r) => r.caseId)).toEqual([other.theCase.id]);
    expect(JSON.stringify(theirs)).not.toContain("honest");
    await expectStatus(listOwnCheckIns(s.lead, { page: 1 }), 404);

    const [note] = await notificationsFor(s.client.id);
    expect(note).toMatchObject({ kind: "check_in_reviewed", link: "/portal/progress", caseId: s.theCase.id });
    expect(note!.text).not.toContain("honest");

    const reviewed = (await auditOn(s.theCase.id)).find((e) => e.action === "check_in.reviewed");
    expect(reviewed).toMatchObject({ actorId: s.support.id, caseId: s.theCase.id, targetId: checkIn.id });

    // A second review doesn't overwrite the first one's words.
    await expectRule(reviewCheckIn(s.lead, checkIn.id, { feedback: "Overwrite" }), "form");
  });

  it("lists the client's own check-ins newest first, feedback only once reviewed", async () => {
    const s = await setup();
    const older = await insertCheckIn({ caseId: s.theCase.id, authorId: s.client.id, submittedAt: new Date("2025-02-01T10:00:00Z"), mood: 2, progress: 2, closeness: 2, reviewed: { by: s.lead.id, feedback: "Well noticed." } });
    const newer = await insertCheckIn({ caseId: s.theCase.id, authorId: s.client.id, submittedAt: new Date("2025-02-08T10:00:00Z"), mood: 3, progress: 3, closeness: 3 });
    const own = await listOwnCheckIns(s.client, { page: 1 });
    expect(own.rows.map((r) => [r.id, r.feedback])).toEqual([
      [newer.id, null],
      [older.id, "Well noticed."],
    ]);
  });
});

describe("check-ins on the case timeline", () => {
  it("phrases each check-in event, without the client's words or scores", async () => {
    const s = await setup();
    const { checkIn } = await submitCheckIn(s.client, s.theCase.id, { ...calm, whatWasHard: "I want to kill myself" });
    await reviewCheckIn(s.lead, checkIn.id, { feedback: "I'm calling you today." });
    const timeline = await listCaseTimeline(s.lead, s.theCase.id, { page: 1, perPage: 20 });
    const sentences = timeline.events.map((e) => e.sentence);
    expect(sentences).toEqual(
      expect.arrayContaining([
        "Jordan Client sent a check-in.",
        "Cairn flagged a check-in as urgent (Suicidal thoughts).",
        "You reviewed a check-in and left feedback for the client.",
      ]),
    );
    expect(sentences.join(" ")).not.toContain("calling");
    expect(describeCaseEvent("check_in.reminder_sent", null, "Cairn")).toBe("Cairn sent the client a reminder to check in.");
    const rows = await db.select().from(auditEvents).where(and(eq(auditEvents.caseId, s.theCase.id), eq(auditEvents.targetId, checkIn.id)));
    expect(rows.length).toBeGreaterThanOrEqual(3);
  });
});
