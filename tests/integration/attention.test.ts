import type { LoaderFunctionArgs } from "@remix-run/node";
import { and, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { DAY_MS, isCheckInOverdue, reminderPeriodStart } from "~/models/check-in-schedule";
import {
  adminDashboard,
  caseloadQuery,
  needsAttention,
  needsAttentionQuery,
  overdueCasesForClient,
  overdueSql,
  REMINDER_SUBJECT,
  reminderPeriodStartSql,
  sendCheckInReminders,
} from "~/models/attention.server";
import { caseListQuery, listCases } from "~/models/cases.server";
import * as adminRoute from "~/routes/admin._index";
import { db } from "../../db/client";
import { auditEvents, caseMembers, cases, checkIns, checkInReminders, emailOutbox, threads, users, type CaseStatus, type RiskLevel } from "../../db/schema";
import { createUser, insertCase, requestAs, respond, testContext } from "../support/factories";
import { countQueries } from "../support/query-counter";
import { indexesUsed, indexScans } from "../support/query-plan";

// Overdue check-ins (the rule and its SQL twin), needs-attention lists, check-in reminders and
// the admin dashboard's figures against hand-computed values. Each test file has its own
// database, but tests here share it: assertions are scoped to the rows each test makes.

type User = Awaited<ReturnType<typeof createUser>>;

async function makeCase(input: {
  lead?: { id: string };
  support?: { id: string }[];
  client?: User;
  status?: CaseStatus;
  risk?: RiskLevel;
  cadence?: number;
  openedAt?: Date;
  title?: string;
}) {
  const client = input.client ?? (await createUser({ role: "client" }));
  const [row] = await db
    .insert(cases)
    .values({
      clientId: client.id,
      title: input.title ?? "Finding our way back",
      concernCategory: "trust_repair",
      status: input.status ?? "active",
      risk: input.risk ?? "none",
      checkInEveryDays: input.cadence ?? 7,
      openedAt: input.openedAt ?? new Date("2025-01-06T09:00:00Z"),
    })
    .returning();
  const members = [
    ...(input.lead ? [{ caseId: row!.id, userId: input.lead.id, role: "lead" as const }] : []),
    ...(input.support ?? []).map((s) => ({ caseId: row!.id, userId: s.id, role: "support" as const })),
  ];
  if (members.length) await db.insert(caseMembers).values(members);
  return { case: row!, client };
}

async function checkIn(caseId: string, authorId: string, submittedAt: Date, scores: { mood?: number; progress?: number } = {}) {
  await db.insert(checkIns).values({
    caseId,
    authorId,
    submittedAt,
    mood: scores.mood ?? 3,
    progress: scores.progress ?? 5,
    closeness: 5,
  });
}

const plus = (date: Date, ms: number) => new Date(date.getTime() + ms);

describe("overdue check-ins", () => {
  const opened = new Date("2025-02-03T10:00:00.000Z");
  const boundary = plus(opened, 8 * DAY_MS); // cadence 7 + a grace day

  it("lists a case exactly after its grace day, not at it, in needs-attention and in the case list", async () => {
    const coach = await createUser({ role: "coach" });
    const { case: c } = await makeCase({ lead: coach, openedAt: opened });
    const query = caseListQuery.parse({ checkIn: "overdue" });

    const atBoundary = await needsAttention(coach, boundary);
    expect(atBoundary.overdue.total).toBe(0);
    expect((await listCases(coach, query, boundary)).total).toBe(0);
    expect((await listCases(coach, caseListQuery.parse({}), boundary)).rows[0]!.overdue).toBe(false);

    const after = plus(boundary, 1);
    const list = await needsAttention(coach, after);
    expect(list.overdue.total).toBe(1);
    expect(list.overdue.items[0]).toMatchObject({ caseId: c.id, threadId: null, since: plus(opened, 7 * DAY_MS) });
    const filtered = await listCases(coach, query, after);
    expect(filtered.rows.map((r) => r.id)).toEqual([c.id]);
    expect(filtered.rows[0]!.overdue).toBe(true);
  });

  it("counts from the newest check-in", async () => {
    const coach = await createUser({ role: "coach" });
    const { case: c, client } = await makeCase({ lead: coach, openedAt: opened, cadence: 3 });
    const last = plus(opened, 10 * DAY_MS);
    await checkIn(c.id, client.id, plus(opened, 2 * DAY_MS));
    await checkIn(c.id, client.id, last);
    expect((await needsAttention(coach, plus(last, 4 * DAY_MS))).overdue.total).toBe(0);
    expect((await needsAttention(coach, plus(last, 4 * DAY_MS + 1))).overdue.total).toBe(1);
  });

  it("never lists intake, paused or closed cases", async () => {
    const coach = await createUser({ role: "coach" });
    for (const status of ["intake", "paused", "closed"] as const) await makeCase({ lead: coach, status, openedAt: opened });
    expect((await needsAttention(coach, plus(opened, 90 * DAY_MS))).overdue.total).toBe(0);
  });

  it("the SQL twin agrees with the pure rule on boundary cases", async () => {
    const coach = await createUser({ role: "coach" });
    const configs = [
      { status: "active" as const, cadence: 7, last: null },
      { status: "active" as const, cadence: 1, last: null },
      { status: "active" as const, cadence: 14, last: plus(opened, 3 * DAY_MS) },
      { status: "active" as const, cadence: 7, last: plus(opened, 5 * DAY_MS + 12 * 3600 * 1000) },
      { status: "paused" as const, cadence: 7, last: null },
      { status: "intake" as const, cadence: 7, last: null },
    ];
    const made = [];
    for (const config of configs) {
      const { case: c, client } = await makeCase({ lead: coach, status: config.status, cadence: config.cadence, openedAt: opened });
      if (config.last) await checkIn(c.id, client.id, config.last);
      made.push({ id: c.id, input: { status: config.status, checkInEveryDays: config.cadence, openedAt: opened, lastCheckInAt: config.last } });
    }
    // Around each case's boundary, and around later period starts.
    const moments = new Set<number>();
    for (const { input } of made) {
      const due = (input.lastCheckInAt ?? input.openedAt).getTime() + input.checkInEveryDays * DAY_MS;
      for (const offset of [0, DAY_MS - 1, DAY_MS, DAY_MS + 1, input.checkInEveryDays * DAY_MS - 1, input.checkInEveryDays * DAY_MS, 3 * input.checkInEveryDays * DAY_MS + 1]) {
        moments.add(due + offset);
      }
    }
    for (const ms of moments) {
      const now = new Date(ms);
      const rows = await db
        .select({ id: cases.id, overdue: overdueSql(now), period: reminderPeriodStartSql(now) })
        .from(cases)
        .where(inArray(cases.id, made.map((m) => m.id)));
      for (const { id, input } of made) {
        const row = rows.find((r) => r.id === id)!;
        const expected = isCheckInOverdue(input, now);
        expect({ at: now.toISOString(), id, overdue: row.overdue }).toEqual({ at: now.toISOString(), id, overdue: expected });
        if (expected) expect(row.period).toBe(reminderPeriodStart(input, now));
      }
    }
  });

  it("shows the client their own overdue case only, and 404s staff", async () => {
    const coach = await createUser({ role: "coach" });
    const { case: mine, client } = await makeCase({ lead: coach, openedAt: opened });
    await makeCase({ lead: coach, openedAt: opened }); // someone else's
    const due = await overdueCasesForClient(client, plus(boundary, 1));
    expect(due.map((c) => c.id)).toEqual([mine.id]);
    expect(await overdueCasesForClient(client, boundary)).toEqual([]);
    await expect(overdueCasesForClient(coach, boundary)).rejects.toMatchObject({ status: 404 });
  });
});

describe("needs attention", () => {
  const now = new Date("2025-06-01T12:00:00Z");
  const day = (n: number) => new Date(Date.UTC(2025, 4, n, 9));

  async function series(coach: User, title: string, points: { mood: number; progress: number }[]) {
    // Opened with a long cadence, so none of these cases is overdue.
    const { case: c, client } = await makeCase({ lead: coach, title, cadence: 90, openedAt: day(1) });
    for (const [i, p] of points.entries()) await checkIn(c.id, client.id, day(2 + i), p);
    return c;
  }

  it("finds falling scores only when the last three check-ins strictly decline in mood or progress", async () => {
    const coach = await createUser({ role: "coach" });
    const flat = { progress: 5 };
    await series(coach, "mood declining", [{ mood: 5, ...flat }, { mood: 4, ...flat }, { mood: 2, ...flat }]);
    await series(coach, "progress declining", [{ mood: 3, progress: 8 }, { mood: 3, progress: 6 }, { mood: 3, progress: 5 }]);
    await series(coach, "older rise, last three declining", [{ mood: 1, ...flat }, { mood: 5, ...flat }, { mood: 4, ...flat }, { mood: 3, ...flat }]);
    await series(coach, "flat", [{ mood: 3, ...flat }, { mood: 3, ...flat }, { mood: 3, ...flat }]);
    await series(coach, "rising", [{ mood: 2, progress: 3 }, { mood: 3, progress: 4 }, { mood: 4, progress: 6 }]);
    await series(coach, "not strictly", [{ mood: 5, progress: 7 }, { mood: 4, progress: 7 }, { mood: 4, progress: 6 }]);
    await series(coach, "only two points", [{ mood: 5, progress: 9 }, { mood: 2, progress: 2 }]);
    await series(coach, "fell, then rose", [{ mood: 5, ...flat }, { mood: 4, ...flat }, { mood: 3, ...flat }, { mood: 4, ...flat }]);

    const { falling, overdue } = await needsAttention(coach, now);
    expect(overdue.total).toBe(0);
    expect(falling.items.map((i) => i.caseTitle).sort()).toEqual(["mood declining", "older rise, last three declining", "progress declining"]);
    // Each item names its own case's client.
    const clients = await db.select({ id: cases.id, name: users.name }).from(cases).innerJoin(users, eq(users.id, cases.clientId));
    for (const item of falling.items) expect(item.clientName).toBe(clients.find((c) => c.id === item.caseId)!.name);
    expect(falling.total).toBe(3);
  });

  it("lists urgent risk on open cases and questions awaiting staff, with links, on the viewer's cases only", async () => {
    const coach = await createUser({ role: "coach" });
    const other = await createUser({ role: "therapist" });
    const { case: urgent, client } = await makeCase({ lead: coach, risk: "urgent", cadence: 90, openedAt: day(1) });
    await makeCase({ lead: coach, risk: "urgent", status: "closed", openedAt: day(1) });
    await makeCase({ lead: coach, risk: "watch", cadence: 90, openedAt: day(1) });
    const [waiting] = await db
      .insert(threads)
      .values({ caseId: urgent.id, title: "Is this normal?", createdBy: client.id, status: "awaiting_staff", waitingSince: day(20) })
      .returning();
    await db.insert(threads).values({ caseId: urgent.id, title: "Thanks", createdBy: client.id, status: "awaiting_client" });

    const list = await needsAttention(coach, now);
    expect(list.urgent.items.map((i) => [i.caseId, i.clientName])).toEqual([[urgent.id, client.name]]);
    expect(list.unanswered.items).toEqual([
      expect.objectContaining({ caseId: urgent.id, clientName: client.name, threadId: waiting!.id, threadTitle: "Is this normal?", since: day(20) }),
    ]);

    const outsider = await needsAttention(other, now);
    expect(outsider.urgent.total + outsider.unanswered.total + outsider.overdue.total + outsider.falling.total).toBe(0);
    await expect(needsAttention(client, now)).rejects.toMatchObject({ status: 404 });
  });

  it("caps each list and reports the full count, in one query however many items", async () => {
    const coach = await createUser({ role: "coach" });
    for (let i = 0; i < 11; i++) await makeCase({ lead: coach, risk: "urgent", openedAt: day(1), cadence: 1 });
    const { result, count } = await countQueries(() => needsAttention(coach, now));
    expect(count).toBe(1);
    expect(result.urgent.total).toBe(11);
    expect(result.urgent.items).toHaveLength(8);
    expect(result.overdue.total).toBe(11);
  });

  it("shows the longest overdue, the newest falling scores and the latest urgent activity first (ties by id)", async () => {
    const coach = await createUser({ role: "coach" });
    const hour = 3600 * 1000;
    const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1);
    // Overdue: due 7 days after opening; two pairs share a due moment.
    const overdue = [];
    for (const openedHour of [5, 1, 9, 3, 3, 7, 2, 8, 6, 6, 4]) {
      const { case: c } = await makeCase({ lead: coach, openedAt: plus(day(1), openedHour * hour) });
      overdue.push({ id: c.id, due: plus(day(1), openedHour * hour + 7 * DAY_MS) });
    }
    // Falling scores, the newest check-in hours apart (not overdue: a 90-day cadence).
    const falling = [];
    for (const lastHour of [3, 7, 1, 9, 5, 2, 8, 4, 6, 10]) {
      const { case: c, client } = await makeCase({ lead: coach, cadence: 90, openedAt: day(10) });
      for (const [i, mood] of [5, 4, 3].entries()) await checkIn(c.id, client.id, plus(day(11), (lastHour + i - 2) * hour), { mood });
      falling.push({ id: c.id, last: plus(day(11), lastHour * hour) });
    }
    // Urgent risk, by last activity; two share it.
    const urgent = [];
    for (const activityHour of [4, 8, 2, 8, 6, 1, 9, 3, 5, 7]) {
      const { case: c } = await makeCase({ lead: coach, risk: "urgent", cadence: 90, openedAt: day(10) });
      const [row] = await db.update(cases).set({ lastActivityAt: plus(day(12), activityHour * hour) }).where(eq(cases.id, c.id)).returning();
      urgent.push({ id: c.id, at: row!.lastActivityAt });
    }

    const list = await needsAttention(coach, now);
    const expected = <T extends { id: string }>(rows: T[], key: (r: T) => number) =>
      [...rows].sort((a, b) => key(a) - key(b) || byId(a, b)).slice(0, 8).map((r) => r.id);
    expect(list.overdue.total).toBe(11);
    expect(list.overdue.items.map((i) => i.caseId)).toEqual(expected(overdue, (r) => r.due.getTime()));
    expect(list.overdue.items[0]!.since).toEqual(plus(day(1), hour + 7 * DAY_MS));
    expect(list.falling.total).toBe(10);
    expect(list.falling.items.map((i) => i.caseId)).toEqual(expected(falling, (r) => -r.last.getTime()));
    expect(list.falling.items[0]!.since).toEqual(plus(day(11), 10 * hour));
    expect(list.urgent.total).toBe(10);
    expect(list.urgent.items.map((i) => i.caseId)).toEqual(expected(urgent, (r) => -r.at.getTime()));
  });

  it("reads each list's first rows from its own index (the query's conditions match the indexes')", async () => {
    // Unusable indexes would leave only the sequential scans this switches off: the overdue
    // condition must be the indexed expression (so the index finds the overdue cases, an Index
    // Cond), the other conditions must imply the partial indexes' own.
    for (const role of ["admin", "coach"] as const) {
      const viewer = await createUser({ role });
      const used = await indexScans(needsAttentionQuery(viewer, now));
      const uses = (index: string, withCondition = false) =>
        used.some((node) => node["Index Name"] === index && (!withCondition || node["Index Cond"]?.includes("AT TIME ZONE")));
      expect({ role, overdue: uses("cases_check_in_due_idx", true), falling: uses("cases_falling_idx"), urgent: uses("cases_urgent_idx") }).toEqual({
        role,
        overdue: true,
        falling: true,
        urgent: true,
      });
    }
  });
});

describe("check-in reminders", () => {
  it("sends one content-free email per period to the overdue client, records it, and never twice", async () => {
    const coach = await createUser({ role: "coach" });
    const opened = new Date("2024-05-06T08:00:00Z");
    const { case: c, client } = await makeCase({ lead: coach, openedAt: opened, title: "Very private title" });
    const { client: paused } = await makeCase({ lead: coach, openedAt: opened, status: "paused" });
    const mail = (to: string) => db.select().from(emailOutbox).where(eq(emailOutbox.toAddress, to));

    await sendCheckInReminders(plus(opened, 8 * DAY_MS));
    expect(await mail(client.email)).toHaveLength(0);

    const first = plus(opened, 8 * DAY_MS + 1);
    await sendCheckInReminders(first);
    await sendCheckInReminders(plus(first, 3 * DAY_MS)); // same period
    const emails = await mail(client.email);
    expect(emails).toHaveLength(1);
    expect(emails[0]!.subject).toBe(REMINDER_SUBJECT);
    expect(emails[0]!.link).toMatch(/\/portal\/check-in$/);
    expect(emails[0]!.textBody).toContain("/portal/check-in");
    expect(emails[0]!.textBody).not.toContain("Very private title");
    expect(emails[0]!.textBody).not.toContain(client.name);
    expect(await mail(paused.email)).toHaveLength(0);

    const rows = await db.select().from(checkInReminders).where(eq(checkInReminders.caseId, c.id));
    expect(rows.map((r) => r.periodStart)).toEqual(["2024-05-13"]);
    const audits = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.caseId, c.id), eq(auditEvents.action, "check_in.reminder_sent")));
    expect(audits).toHaveLength(1);

    // The next period (a cadence after the first began) may send one more; a check-in resets it.
    await sendCheckInReminders(plus(opened, 14 * DAY_MS));
    expect(await mail(client.email)).toHaveLength(2);
    await checkIn(c.id, client.id, plus(opened, 15 * DAY_MS));
    await sendCheckInReminders(plus(opened, 16 * DAY_MS));
    expect(await mail(client.email)).toHaveLength(2);
  });
});

describe("admin dashboard", () => {
  const now = new Date("2030-06-12T12:00:00Z"); // a Wednesday; the weeks start on Mondays (UTC)
  const weeks = ["03-25", "04-01", "04-08", "04-15", "04-22", "04-29", "05-06", "05-13", "05-20", "05-27", "06-03", "06-10"].map((d) => `2030-${d}`);
  const t = (iso: string) => new Date(`2030-${iso}Z`);

  it("is there for admins only (404 for everyone else, in the model and on the page)", async () => {
    for (const role of ["coach", "therapist", "client"] as const) {
      const person = await createUser({ role });
      await expect(adminDashboard(person, now)).rejects.toMatchObject({ status: 404 });
      const { request } = await requestAs(person, "/admin");
      const response = await respond(() => adminRoute.loader({ request, params: {}, context: testContext } as LoaderFunctionArgs));
      expect(response.status).toBe(404);
    }
  });

  it("equals the figures computed by hand on a fixture practice, in a fixed number of queries", async () => {
    const admin = await createUser({ role: "admin" });
    const before = await adminDashboard(admin, now);

    const a = await createUser({ role: "coach", name: "Fixture Coach A" });
    const b = await createUser({ role: "therapist", name: "Fixture Therapist B" });
    const gone = await createUser({ role: "coach", deactivated: true });
    const goneWithCase = await createUser({ role: "coach", deactivated: true });

    // Weekly from a Monday: one check-in expected every week of the window.
    const one = await makeCase({ lead: a, support: [b], cadence: 7, openedAt: t("03-18T00:00:00") });
    // Fortnightly from a Monday noon: expected in weeks 3, 5, 7, 9 and 11 (the current week, before now).
    const two = await makeCase({ lead: b, support: [a], cadence: 14, openedAt: t("04-01T12:00:00") });
    const paused = await makeCase({ lead: b, support: [goneWithCase], status: "paused", openedAt: t("03-01T00:00:00") });
    await makeCase({ lead: a, status: "closed", openedAt: t("03-01T00:00:00") });
    await makeCase({ lead: a, status: "intake", openedAt: t("06-01T00:00:00") });

    await checkIn(one.case.id, one.client.id, t("03-26T10:00:00"));
    await checkIn(one.case.id, one.client.id, t("04-02T10:00:00"));
    await checkIn(one.case.id, one.client.id, t("04-03T10:00:00"));
    await checkIn(one.case.id, one.client.id, t("06-11T10:00:00"));
    await checkIn(two.case.id, two.client.id, t("04-16T10:00:00"));
    await checkIn(paused.case.id, paused.client.id, t("04-02T10:00:00")); // not an active case

    const thread = (created: string, responded: string | null) => ({
      caseId: one.case.id,
      title: "A question",
      createdBy: one.client.id,
      status: responded ? ("awaiting_client" as const) : ("awaiting_staff" as const),
      createdAt: t(created),
      firstResponseAt: responded ? t(responded) : null,
    });
    await db.insert(threads).values([
      thread("04-01T09:00:00", "04-01T11:00:00"), // 2 h, week of 1 April
      thread("04-02T00:00:00", "04-03T00:00:00"), // 24 h
      thread("04-03T06:00:00", "04-03T10:00:00"), // 4 h → median 4
      thread("05-20T00:00:00", "05-20T03:00:00"), // 3 h, week of 20 May
      thread("05-19T20:00:00", "05-20T02:00:00"), // 6 h → median 4.5
      thread("05-21T00:00:00", null), // unanswered: not counted
    ]);

    const { result: after, count } = await countQueries(() => adminDashboard(admin, now));
    expect(count).toBe(3);
    // Computing every week afresh gives the same figures.
    expect(await adminDashboard(admin, now, { keptWeeks: false })).toEqual(after);

    const delta = <T>(key: keyof T, rowsAfter: T[], rowsBefore: T[]) => rowsAfter.map((r, i) => Number(r[key]) - Number(rowsBefore[i]![key]));

    expect(after.byStatus.map((s) => [s.status, s.cases - before.byStatus.find((x) => x.status === s.status)!.cases])).toEqual([
      ["intake", 1],
      ["active", 2],
      ["paused", 1],
      ["closed", 1],
    ]);

    expect(after.adherence.map((w) => w.weekStart)).toEqual(weeks);
    expect(delta("submitted", after.adherence, before.adherence)).toEqual([1, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(delta("expected", after.adherence, before.adherence)).toEqual([1, 1, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2]);

    const fixture = after.caseload.filter((r) => [a.id, b.id, gone.id, goneWithCase.id].includes(r.id));
    expect(fixture.map((r) => ({ id: r.id, lead: r.lead, support: r.support, deactivated: r.deactivated }))).toEqual(
      expect.arrayContaining([
        { id: a.id, lead: 2, support: 1, deactivated: false },
        { id: b.id, lead: 2, support: 1, deactivated: false },
        { id: goneWithCase.id, lead: 0, support: 1, deactivated: true },
      ]),
    );
    expect(fixture).toHaveLength(3);

    expect(after.questions.map((w) => w.weekStart)).toEqual(weeks);
    expect(delta("answered", after.questions, before.questions)).toEqual([0, 3, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0]);
    // Nothing else in this database was answered in 2030, so the medians are the fixture's alone.
    expect(after.questions.map((w) => w.medianHours)).toEqual([null, 4, null, null, null, null, null, null, 4.5, null, null, null]);
  });

  it("reads the caseload from the counts kept per person, not from the memberships", async () => {
    const coach = await createUser({ role: "coach" });
    const therapist = await createUser({ role: "therapist" });
    await insertCase({ lead: coach, support: [therapist] });
    await insertCase({ lead: therapist, status: "paused" });
    await insertCase({ lead: coach, status: "closed" });
    const used = await indexesUsed(caseloadQuery());
    expect(used).toContain("staff_caseloads_pkey");
    expect(used.filter((name) => name.startsWith("case_members") || name.startsWith("cases"))).toEqual([]);
  });
});
