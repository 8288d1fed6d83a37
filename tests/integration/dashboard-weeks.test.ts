import { and, eq, gte, lt, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { adminDashboard, type AdminDashboard } from "~/models/attention.server";
import { db } from "../../db/client";
import { databaseHandle } from "../../db/handle";
import { cases, checkIns, dashboardWeeks, threads, type CaseStatus } from "../../db/schema";
import { createUser, insertCase } from "../support/factories";
import { someoneWaits } from "../support/lock-waits";
import { countQueries } from "../support/query-counter";

// The admin dashboard keeps the figures of weeks that have ended in dashboard_weeks (decision
// 006); triggers (migration 0014) mark a kept week when a write changes its figures. These tests
// check that the dashboard always equals the same figures computed afresh from the data
// (`keptWeeks: false`), whatever is written, and that kept weeks really are read.
//
// Tests here share one database, so each uses its own 12-week window (a `now` of its own, in the
// past: weeks that ended less than an hour ago, or haven't ended by the database's clock, are
// never kept).

type Admin = Awaited<ReturnType<typeof createUser>>;
const DAY = 86_400_000;
/** Monday 00:00 UTC of the week `weeksBack` weeks before `now`'s. */
const mondayOf = (now: Date, weeksBack: number) =>
  new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - ((now.getUTCDay() + 6) % 7) - 7 * weeksBack));
/** 10:00 UTC on day `day` (0 = Monday) of that week. */
const weekOf = (now: Date, weeksBack: number, day = 1) => new Date(mondayOf(now, weeksBack).getTime() + day * DAY + 10 * 3_600_000);

async function activeCase(input: { openedAt: Date; cadence?: number; status?: CaseStatus }) {
  const lead = await createUser({ role: "coach" });
  const made = await insertCase({ lead, status: input.status ?? "active" });
  await db.update(cases).set({ openedAt: input.openedAt, checkInEveryDays: input.cadence ?? 7 }).where(eq(cases.id, made.case.id));
  return made;
}

async function checkIn(caseId: string, authorId: string, submittedAt: Date) {
  const [row] = await db.insert(checkIns).values({ caseId, authorId, submittedAt, mood: 3, progress: 5, closeness: 5 }).returning();
  return row!;
}

async function question(caseId: string, createdBy: string, createdAt: Date, firstResponseAt: Date | null) {
  const [row] = await db
    .insert(threads)
    .values({ caseId, title: "A question", createdBy, createdAt, firstResponseAt, status: firstResponseAt ? "awaiting_client" : "awaiting_staff" })
    .returning();
  return row!;
}

/** The dashboard as the page shows it equals the figures computed afresh; returns it. */
async function expectFresh(admin: Admin, now: Date): Promise<AdminDashboard> {
  const shown = await adminDashboard(admin, now);
  const fresh = await adminDashboard(admin, now, { keptWeeks: false });
  expect(shown).toEqual(fresh);
  // And again once the weeks computed just now are kept.
  expect(await adminDashboard(admin, now)).toEqual(fresh);
  return fresh;
}

/** The rows kept for the closed weeks of `now`'s window, oldest first. */
const keptRows = (now: Date) =>
  db
    .select()
    .from(dashboardWeeks)
    .where(and(gte(dashboardWeeks.weekStart, mondayOf(now, 11)), lt(dashboardWeeks.weekStart, mondayOf(now, 0))))
    .orderBy(dashboardWeeks.weekStart);

/** The version of the row that stands for every week. */
const everyWeekVersion = async () => {
  const [row] = await db
    .select({ version: dashboardWeeks.version })
    .from(dashboardWeeks)
    .where(sql`${dashboardWeeks.weekStart} = '-infinity'`);
  return row?.version ?? 0;
};

describe("admin dashboard, kept weeks", () => {
  it("keeps the 11 closed weeks on the first view and reads them on the next, in 3 statements either way", async () => {
    const now = new Date("2025-03-12T12:00:00Z");
    const admin = await createUser({ role: "admin" });
    const { case: c, client } = await activeCase({ openedAt: weekOf(now, 20) });
    await checkIn(c.id, client.id, weekOf(now, 3));

    const cold = await countQueries(() => adminDashboard(admin, now));
    expect(cold.count).toBe(3);
    const kept = await keptRows(now);
    expect(kept).toHaveLength(11);
    expect(kept.every((row) => row.submitted !== null && row.computedAt !== null)).toBe(true);
    expect(kept.map((row) => row.weekStart.toISOString().slice(0, 10))).toEqual(cold.result.adherence.slice(0, 11).map((w) => w.weekStart));

    // A kept week is read, not computed: a figure changed behind the dashboard's back shows.
    const third = kept[8]!;
    await db.update(dashboardWeeks).set({ submitted: 1000 }).where(eq(dashboardWeeks.weekStart, third.weekStart));
    const warm = await countQueries(() => adminDashboard(admin, now));
    expect(warm.count).toBe(3);
    expect(warm.result.adherence[8]!.submitted).toBe(1000);
    expect((await keptRows(now)).map((row) => row.computedAt)).toEqual(kept.map((row) => row.computedAt));

    // The current week is never kept; computed afresh, everything else is as the first view.
    await db.update(dashboardWeeks).set({ submitted: third.submitted }).where(eq(dashboardWeeks.weekStart, third.weekStart));
    expect(await adminDashboard(admin, now, { keptWeeks: false })).toEqual(cold.result);
  });

  it("equals the figures computed afresh after every kind of write", async () => {
    const now = new Date("2025-06-11T12:00:00Z"); // a Wednesday
    const admin = await createUser({ role: "admin" });
    const weekly = await activeCase({ openedAt: weekOf(now, 30) });
    const fortnightly = await activeCase({ openedAt: weekOf(now, 9, 2), cadence: 14 });
    const paused = await activeCase({ openedAt: weekOf(now, 30), status: "paused" });
    const early = await checkIn(weekly.case.id, weekly.client.id, weekOf(now, 10));
    await checkIn(weekly.case.id, weekly.client.id, weekOf(now, 4));
    await checkIn(fortnightly.case.id, fortnightly.client.id, weekOf(now, 6));
    await checkIn(paused.case.id, paused.client.id, weekOf(now, 5));
    const waiting = await question(weekly.case.id, weekly.client.id, weekOf(now, 7), null);
    const answered = await question(weekly.case.id, weekly.client.id, weekOf(now, 6), weekOf(now, 6, 2));

    let before = await expectFresh(admin, now);
    expect(await keptRows(now)).toHaveLength(11);
    const changed = async (write: () => Promise<unknown>) => {
      await write();
      const after = await expectFresh(admin, now);
      expect(after).not.toEqual(before); // the write did change what the dashboard shows
      before = after;
      return after;
    };
    const week = (back: number) => 11 - back;

    // A check-in backdated into a closed week, then moved to another, then removed.
    let after = await changed(() => checkIn(weekly.case.id, weekly.client.id, weekOf(now, 8)));
    expect(after.adherence[week(8)]!.submitted).toBe(1);
    await changed(() => db.update(checkIns).set({ submittedAt: weekOf(now, 2) }).where(eq(checkIns.id, early.id)));
    after = await changed(() => db.delete(checkIns).where(eq(checkIns.id, early.id)));
    expect(after.adherence[week(2)]!.submitted).toBe(0);
    // A check-in moved from a paused case to an active one.
    await changed(() => db.update(checkIns).set({ caseId: weekly.case.id }).where(eq(checkIns.caseId, paused.case.id)));

    // A case paused, then active again; its cadence and opening changed; a new active case.
    await changed(() => db.update(cases).set({ status: "paused" }).where(eq(cases.id, weekly.case.id)));
    await changed(() => db.update(cases).set({ status: "active" }).where(eq(cases.id, weekly.case.id)));
    await changed(() => db.update(cases).set({ checkInEveryDays: 3 }).where(eq(cases.id, fortnightly.case.id)));
    await changed(() => db.update(cases).set({ openedAt: weekOf(now, 5) }).where(eq(cases.id, fortnightly.case.id)));
    await changed(() => activeCase({ openedAt: weekOf(now, 12) }));

    // A question's first response in a closed week; its asking time moved; one removed.
    after = await changed(() => db.update(threads).set({ firstResponseAt: weekOf(now, 7, 3) }).where(eq(threads.id, waiting.id)));
    expect(after.questions[week(7)]!.answered).toBe(1);
    await changed(() => db.update(threads).set({ createdAt: weekOf(now, 7, 0) }).where(eq(threads.id, waiting.id)));
    await changed(() => db.update(threads).set({ firstResponseAt: weekOf(now, 3) }).where(eq(threads.id, answered.id)));
    let late!: Awaited<ReturnType<typeof question>>;
    await changed(async () => (late = await question(paused.case.id, paused.client.id, weekOf(now, 9), weekOf(now, 9, 4))));
    await changed(() => db.delete(threads).where(eq(threads.id, waiting.id)));

    // A whole case removed (its check-ins and questions go with it).
    after = await changed(() => db.delete(cases).where(eq(cases.id, weekly.case.id)));
    expect(after.adherence[week(4)]!.submitted).toBe(0);

    // Writes that change nothing shown leave the kept weeks alone.
    const kept = await keptRows(now);
    const version = await everyWeekVersion();
    await db.update(threads).set({ title: "Renamed", firstResponseAt: late.firstResponseAt }).where(eq(threads.id, late.id));
    await db.update(cases).set({ title: "Renamed", status: "active" }).where(eq(cases.id, fortnightly.case.id));
    await db.update(cases).set({ status: "closed" }).where(eq(cases.id, paused.case.id)); // paused to closed: never active
    await checkIn(fortnightly.case.id, fortnightly.client.id, new Date(Date.now() + 7 * DAY)); // a week not ended yet
    expect(await keptRows(now)).toEqual(kept);
    expect(await everyWeekVersion()).toBe(version);
    const { adherence, questions } = await expectFresh(admin, now);
    expect({ adherence, questions }).toEqual({ adherence: before.adherence, questions: before.questions });
  });
});

// Two connections at once: PGlite has one, so these run against Postgres only.
const { kind } = await databaseHandle();

describe.runIf(kind === "postgres")("admin dashboard, kept weeks, with writes at the same moment", () => {
  /** Waits until `view` is done or some other session of this database waits for a lock. */
  async function untilDoneOrWaiting(tx: Pick<typeof db, "select">, view: Promise<unknown>) {
    let done = false;
    void view.finally(() => (done = true)).catch(() => {});
    for (let i = 0; i < 400 && !done; i++) {
      if (await someoneWaits(tx)) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  it("doesn't keep a week computed without a check-in committed while it was being computed", async () => {
    const now = new Date("2024-06-12T12:00:00Z");
    const admin = await createUser({ role: "admin" });
    const { case: c, client } = await activeCase({ openedAt: weekOf(now, 20) });
    const before = await adminDashboard(admin, now, { keptWeeks: false });

    let view!: Promise<AdminDashboard>;
    await db.transaction(async (tx) => {
      await tx.insert(checkIns).values({ caseId: c.id, authorId: client.id, submittedAt: weekOf(now, 5), mood: 3, progress: 5, closeness: 5 });
      // The view's snapshot can't see the check-in; storing that week waits for this transaction.
      view = adminDashboard(admin, now);
      await untilDoneOrWaiting(tx, view);
    });
    expect((await view).adherence).toEqual(before.adherence);

    const after = await expectFresh(admin, now);
    expect(after.adherence[6]!.submitted).toBe(before.adherence[6]!.submitted + 1);
  });

  it("doesn't keep weeks computed under a case status committed while they were being computed", async () => {
    const now = new Date("2024-09-11T12:00:00Z");
    const admin = await createUser({ role: "admin" });
    const { case: c, client } = await activeCase({ openedAt: weekOf(now, 20) });
    await checkIn(c.id, client.id, weekOf(now, 4));
    const before = await adminDashboard(admin, now, { keptWeeks: false });

    await db.transaction(async (tx) => {
      await tx.update(cases).set({ status: "paused" }).where(eq(cases.id, c.id));
      // Nothing to wait for here: the view keeps its weeks under the every-week version it read.
      expect(await adminDashboard(admin, now)).toEqual(before);
    });

    const after = await expectFresh(admin, now);
    expect(after.adherence[7]!.submitted).toBe(before.adherence[7]!.submitted - 1);
  });
});
