import type { LoaderFunctionArgs } from "@remix-run/node";
import { eq } from "drizzle-orm";
import { createElement, type ComponentType } from "react";
import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { TrendChart } from "~/components/chart";
import {
  adherenceSeries,
  checkInSeries,
  getCaseProgress,
  listOwnCheckInSeries,
  planCompletionSeries,
} from "~/models/progress-series.server";
import * as caseProgressRoute from "~/routes/cases.$caseId.progress";
import * as portalProgressRoute from "~/routes/portal.progress";
import { listOwnCheckIns } from "~/models/check-ins.server";
import { db } from "../../db/client";
import { cases, checkIns, planSteps, plans, type StepStatus } from "../../db/schema";
import { createUser, insertCase, requestAs, respond, testContext } from "../support/factories";
import { countQueries } from "../support/query-counter";
import { renderPage } from "../support/render-page";

// The progress charts' figures (issue 5, section 3), computed in SQL on hand-made data: scores
// per check-in day, plan completion week by week, check-in adherence per cadence period; who may
// read them (404 for anyone else); and that the server-rendered page carries every figure in
// a table before any chart is drawn.

// A Wednesday; its week starts on Monday 10 March 2025.
const NOW = new Date("2025-03-12T12:00:00Z");
const at = (iso: string) => new Date(iso);

async function addCheckIn(caseId: string, authorId: string, submittedAt: string, scores: { mood: number; progress: number; closeness: number }, review?: { by: string; feedback: string }) {
  const [row] = await db
    .insert(checkIns)
    .values({
      caseId,
      authorId,
      submittedAt: at(submittedAt),
      ...scores,
      whatHappened: `We talked on ${submittedAt.slice(0, 10)}.`,
      reviewedAt: review ? at(submittedAt) : null,
      reviewedBy: review?.by ?? null,
      feedback: review?.feedback ?? null,
    })
    .returning();
  return row!;
}

async function addPlan(caseId: string, steps: { status: StepStatus; completedAt?: string }[], archived = false) {
  const [plan] = await db
    .insert(plans)
    .values({ caseId, title: "Trust plan", archivedAt: archived ? NOW : null })
    .returning();
  await db.insert(planSteps).values(
    steps.map((s, i) => ({ planId: plan!.id, position: i + 1, title: `Step ${i + 1}`, status: s.status, completedAt: s.completedAt ? at(s.completedAt) : null })),
  );
  return plan!;
}

async function setup(openedAt = "2025-01-01T09:00:00Z") {
  const lead = await createUser({ role: "therapist", name: "Theo Lead" });
  const support = await createUser({ role: "coach", name: "Casey Support" });
  const client = await createUser({ role: "client", name: "Jordan Client" });
  const { case: theCase } = await insertCase({ lead, support: [support], client });
  await db.update(cases).set({ openedAt: at(openedAt) }).where(eq(cases.id, theCase.id));
  return { lead, support, client, caseId: theCase.id };
}

type RouteFunction = (args: LoaderFunctionArgs) => Promise<unknown>;
type RouteModule = { loader: RouteFunction; default: ComponentType };

async function callLoader(route: RouteModule, user: { id: string }, path: string, params: Record<string, string> = {}) {
  const { request } = await requestAs(user, path);
  return respond(() => route.loader({ request, params, context: testContext }));
}

const statusOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return 200;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown.status;
    throw thrown;
  }
};

describe("check-in scores", () => {
  it("gives one point per check-in day, averaging a day with two, within the last six months", async () => {
    const { lead, client, caseId } = await setup();
    await addCheckIn(caseId, client.id, "2025-03-01T08:00:00Z", { mood: 3, progress: 5, closeness: 4 });
    await addCheckIn(caseId, client.id, "2025-03-01T21:30:00Z", { mood: 4, progress: 6, closeness: 7 });
    await addCheckIn(caseId, client.id, "2025-03-05T10:00:00Z", { mood: 2, progress: 4, closeness: 3 });
    await addCheckIn(caseId, client.id, "2025-01-10T10:00:00Z", { mood: 5, progress: 9, closeness: 8 });
    // Too old (more than 182 days before NOW) and after NOW: neither shows.
    await addCheckIn(caseId, client.id, "2024-08-01T10:00:00Z", { mood: 1, progress: 1, closeness: 1 });
    await addCheckIn(caseId, client.id, "2025-03-13T10:00:00Z", { mood: 1, progress: 1, closeness: 1 });
    // Another case's check-ins never mix in.
    const other = await setup();
    await addCheckIn(other.caseId, other.client.id, "2025-03-02T10:00:00Z", { mood: 1, progress: 2, closeness: 2 });

    const series = await checkInSeries(lead, caseId, { now: NOW });
    expect(series).toEqual([
      { date: "2025-01-10", mood: 5, progress: 9, closeness: 8, checkIns: 1 },
      { date: "2025-03-01", mood: 3.5, progress: 5.5, closeness: 5.5, checkIns: 2 },
      { date: "2025-03-05", mood: 2, progress: 4, closeness: 3, checkIns: 1 },
    ]);
    // The client who owns the case reads the same series.
    expect(await checkInSeries(client, caseId, { now: NOW })).toEqual(series);
  });

  it("is empty for a case without check-ins", async () => {
    const { lead, caseId } = await setup();
    expect(await checkInSeries(lead, caseId, { now: NOW })).toEqual([]);
  });
});

describe("plan completion per week", () => {
  it("counts steps done by the end of each of the last 12 weeks, flat through weeks with no change", async () => {
    const { lead, caseId } = await setup();
    await addPlan(caseId, [
      { status: "done", completedAt: "2025-01-15T10:00:00Z" }, // week of 13 January
      { status: "done", completedAt: "2025-02-17T00:00:00Z" }, // exactly Monday 17 February: that week, not the one before
      { status: "skipped" }, // leaves the count
      { status: "todo" },
    ]);
    // An archived plan's steps don't count at all.
    await addPlan(caseId, [{ status: "done", completedAt: "2024-12-24T10:00:00Z" }, { status: "todo" }], true);

    const series = await planCompletionSeries(lead, caseId, { now: NOW });
    expect(series.map((p) => p.weekStart)).toEqual([
      "2024-12-23",
      "2024-12-30",
      "2025-01-06",
      "2025-01-13",
      "2025-01-20",
      "2025-01-27",
      "2025-02-03",
      "2025-02-10",
      "2025-02-17",
      "2025-02-24",
      "2025-03-03",
      "2025-03-10",
    ]);
    expect(series.map((p) => p.percent)).toEqual([0, 0, 0, 33, 33, 33, 33, 33, 66, 66, 66, 66]);
  });

  it("reaches 100 % when every counted step is done, and stays 0 % without steps", async () => {
    const { lead, caseId } = await setup();
    await addPlan(caseId, [
      { status: "done", completedAt: "2025-03-03T09:00:00Z" },
      { status: "done", completedAt: "2025-03-11T09:00:00Z" },
      { status: "skipped" },
    ]);
    const full = await planCompletionSeries(lead, caseId, { now: NOW });
    expect(full.map((p) => p.percent)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 50, 100]);

    const empty = await setup();
    const none = await planCompletionSeries(empty.lead, empty.caseId, { now: NOW });
    expect(none).toHaveLength(12);
    expect(none.every((p) => p.percent === 0)).toBe(true);
  });
});

describe("check-in adherence per period", () => {
  it("counts check-ins per cadence period from the day the case opened, with missed periods at 0", async () => {
    // Opened Wednesday 1 January; weekly check-ins. NOW (12 March) is day 70: period 10 has just begun.
    const { lead, client, caseId } = await setup("2025-01-01T09:00:00Z");
    await addCheckIn(caseId, client.id, "2025-01-03T10:00:00Z", { mood: 3, progress: 5, closeness: 5 }); // period 0
    await addCheckIn(caseId, client.id, "2025-01-15T10:00:00Z", { mood: 3, progress: 5, closeness: 5 }); // period 2
    await addCheckIn(caseId, client.id, "2025-01-21T23:59:00Z", { mood: 3, progress: 5, closeness: 5 }); // period 2 (ends 21 Jan)
    await addCheckIn(caseId, client.id, "2025-01-22T00:00:00Z", { mood: 3, progress: 5, closeness: 5 }); // period 3, at its first moment
    await addCheckIn(caseId, client.id, "2025-03-05T08:00:00Z", { mood: 3, progress: 5, closeness: 5 }); // period 9

    const series = await adherenceSeries(lead, caseId, { now: NOW });
    expect(series).toHaveLength(11);
    expect(series[0]).toEqual({ periodStart: "2025-01-01", periodEnd: "2025-01-07", submitted: 1, expected: 1, current: false });
    expect(series.map((p) => p.submitted)).toEqual([1, 0, 2, 1, 0, 0, 0, 0, 0, 1, 0]);
    expect(series.map((p) => p.current)).toEqual([false, false, false, false, false, false, false, false, false, false, true]);
    expect(series.at(-1)).toMatchObject({ periodStart: "2025-03-12", periodEnd: "2025-03-18" });
  });

  it("shows only the last 12 periods of a long case, and stops at the day a case closed", async () => {
    const long = await setup("2024-06-01T09:00:00Z");
    await db.update(cases).set({ checkInEveryDays: 14 }).where(eq(cases.id, long.caseId));
    const series = await adherenceSeries(long.lead, long.caseId, { now: NOW });
    expect(series).toHaveLength(12);
    // NOW is day 284 after 1 June 2024: period 20 (from day 280, 8 March 2025) holds it; the
    // first of the last 12 is period 9 (day 126, 5 October 2024).
    expect(series.at(-1)).toMatchObject({ periodStart: "2025-03-08", periodEnd: "2025-03-21", current: true });
    expect(series[0]).toMatchObject({ periodStart: "2024-10-05", current: false });

    const closed = await setup("2025-01-01T09:00:00Z");
    await db.update(cases).set({ status: "closed", closedAt: at("2025-01-20T12:00:00Z") }).where(eq(cases.id, closed.caseId));
    const closedSeries = await adherenceSeries(closed.lead, closed.caseId, { now: NOW });
    expect(closedSeries.map((p) => p.periodStart)).toEqual(["2025-01-01", "2025-01-08", "2025-01-15"]);
    expect(closedSeries.every((p) => !p.current)).toBe(true);
  });
});

describe("who may read the series", () => {
  it("answers 404 to another client and to staff outside the case; the client can't read the staff-only series", async () => {
    const { lead, support, client, caseId } = await setup();
    const otherClient = await createUser({ role: "client" });
    const outsider = await createUser({ role: "coach" });
    const admin = await createUser({ role: "admin" });

    expect(await statusOf(checkInSeries(otherClient, caseId))).toBe(404);
    expect(await statusOf(checkInSeries(outsider, caseId))).toBe(404);
    expect(await statusOf(planCompletionSeries(outsider, caseId))).toBe(404);
    expect(await statusOf(adherenceSeries(outsider, caseId))).toBe(404);
    expect(await statusOf(getCaseProgress(outsider, caseId))).toBe(404);
    expect(await statusOf(planCompletionSeries(client, caseId))).toBe(404);
    expect(await statusOf(adherenceSeries(client, caseId))).toBe(404);
    expect(await statusOf(checkInSeries(lead, "not-a-uuid"))).toBe(404);

    for (const staff of [lead, support, admin]) {
      expect(await statusOf(getCaseProgress(staff, caseId))).toBe(200);
    }
    expect(await statusOf(checkInSeries(client, caseId))).toBe(200);
  });

  it("keeps the Progress tab to staff on the case", async () => {
    const { lead, client, caseId } = await setup();
    const outsider = await createUser({ role: "coach" });
    const path = `/cases/${caseId}/progress`;
    expect((await callLoader(caseProgressRoute, lead, path, { caseId })).status).toBe(200);
    expect((await callLoader(caseProgressRoute, outsider, path, { caseId })).status).toBe(404);
    expect((await callLoader(caseProgressRoute, client, path, { caseId })).status).toBe(404);
  });

  it("gives a client only their own cases and check-ins in the portal", async () => {
    const mine = await setup();
    const theirs = await setup();
    await addCheckIn(mine.caseId, mine.client.id, "2025-03-01T10:00:00Z", { mood: 4, progress: 6, closeness: 6 });
    await addCheckIn(theirs.caseId, theirs.client.id, "2025-03-02T10:00:00Z", { mood: 1, progress: 2, closeness: 2 });

    const series = await listOwnCheckInSeries(mine.client, { now: NOW });
    expect(series.map((c) => c.caseId)).toEqual([mine.caseId]);
    expect(series[0]!.points).toEqual([{ date: "2025-03-01", mood: 4, progress: 6, closeness: 6, checkIns: 1 }]);
    const history = await listOwnCheckIns(mine.client, { page: 1 });
    expect(history.rows.map((c) => c.caseId)).toEqual([mine.caseId]);

    expect(await statusOf(listOwnCheckIns(mine.lead, { page: 1 }))).toBe(404);
    expect((await callLoader(portalProgressRoute, mine.lead, "/portal/progress")).status).toBe(404);
  });
});

describe("the progress pages", () => {
  it("runs a fixed number of queries for the Progress tab, however much data there is", async () => {
    const { lead, client, caseId } = await setup();
    const few = await countQueries(() => getCaseProgress(lead, caseId, { now: NOW }));
    for (let day = 1; day <= 20; day++) {
      await addCheckIn(caseId, client.id, `2025-02-${String(day).padStart(2, "0")}T10:00:00Z`, { mood: 3, progress: 5, closeness: 5 });
    }
    await addPlan(caseId, [{ status: "done", completedAt: "2025-02-01T10:00:00Z" }, { status: "todo" }]);
    const many = await countQueries(() => getCaseProgress(lead, caseId, { now: NOW }));
    expect(many.count).toBe(few.count);
    expect(many.count).toBeLessThanOrEqual(4);
  });

  it("lists the client's check-ins newest first, with feedback once reviewed and a waiting note before", async () => {
    const { lead, client, caseId } = await setup();
    for (let day = 1; day <= 11; day++) {
      await addCheckIn(caseId, client.id, `2025-02-${String(day).padStart(2, "0")}T10:00:00Z`, { mood: 3, progress: 5, closeness: 5 });
    }
    await addCheckIn(caseId, client.id, "2025-02-20T10:00:00Z", { mood: 4, progress: 7, closeness: 6 }, { by: lead.id, feedback: "You **stayed with it** this week." });
    const newest = await addCheckIn(caseId, client.id, "2025-02-21T10:00:00Z", { mood: 2, progress: 3, closeness: 4 });

    const first = await listOwnCheckIns(client, { page: 1 });
    expect(first.total).toBe(13);
    expect(first.rows).toHaveLength(10);
    expect(first.rows[0]!.id).toBe(newest.id);
    expect(first.rows[0]).toMatchObject({ reviewedAt: null, feedback: null });
    expect(first.rows[1]).toMatchObject({ feedback: "You **stayed with it** this week.", reviewerName: "Theo Lead" });
    const second = await listOwnCheckIns(client, { page: 2 });
    expect(second.rows).toHaveLength(3);

    const html = await renderPage(portalProgressRoute, "/portal/progress", client, "/portal/progress");
    expect(html).toContain("<h1>Your progress</h1>");
    expect(html).toContain("Waiting for your practitioner&#x27;s feedback.");
    expect(html).toContain("Feedback from Theo Lead");
    expect(html).toContain("<strong>stayed with it</strong>");
    expect(html).not.toContain("<svg");
  });

  it("renders the chart's figures as a table on the server, before any chart is drawn", () => {
    const html = renderToString(
      createElement(TrendChart, {
        title: "Check-in scores by day",
        rows: [
          { date: "2025-03-01", mood: 3.5, progress: 6 },
          { date: "2025-03-05", mood: 2, progress: null },
        ],
        series: [
          { key: "mood", label: "Mood (1–5)", color: "#0f766e" },
          { key: "progress", label: "Progress (1–10)", color: "#7c3aed" },
        ],
        xKey: "date",
        xLabel: "Day",
        formatX: (value) => `day ${String(value)}`,
        formatValue: (value, key) => (key === "mood" ? `${value} of 5` : `${value} of 10`),
        yDomain: [0, 10],
      }),
    );
    expect(html).not.toContain("<svg");
    expect(html).toContain("<summary");
    expect(html).toContain("Show the figures");
    expect(html).toMatch(/<caption[^>]*>Check-in scores by day<\/caption>/);
    const cells = [...html.matchAll(/<t[hd][^>]*>([^<]*)<\/t[hd]>/g)].map((m) => m[1]);
    expect(cells).toEqual(["Day", "Mood (1–5)", "Progress (1–10)", "day 2025-03-01", "3.5 of 5", "6 of 10", "day 2025-03-05", "2 of 5", "—"]);
  });

  it("renders the staff Progress tab with the three charts' tables", async () => {
    const { lead, client, caseId } = await setup();
    await addCheckIn(caseId, client.id, new Date().toISOString(), { mood: 4, progress: 8, closeness: 7 });
    const html = await renderPage(caseProgressRoute, "/cases/:caseId/progress", lead, `/cases/${caseId}/progress`);
    for (const heading of ["Check-in scores", "Plan completion", "Check-in adherence"]) expect(html).toContain(`>${heading}</h2>`);
    expect(html.match(/<table/g)).toHaveLength(3);
    expect(html).toContain("mood 4 of 5, progress 8 of 10, closeness 7 of 10");
  });
});
