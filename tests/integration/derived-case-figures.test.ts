import { eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { caseListQuery, listCases } from "~/models/cases.server";
import { needsAttention } from "~/models/attention.server";
import { db } from "../../db/client";
import { cases, checkIns, planSteps, plans } from "../../db/schema";
import { createUser, insertCase } from "../support/factories";

// Plan progress, the newest check-in and "falling scores" are kept on the case row by the
// database (migration 0012), so the case list can sort on them without reading every step of
// every case. Whatever writes the steps, plans and check-ins, the figures must follow.

async function figures(caseId: string) {
  const [row] = await db
    .select({
      total: cases.stepsTotal,
      done: cases.stepsDone,
      skipped: cases.stepsSkipped,
      progress: cases.progress,
      lastCheckInAt: cases.lastCheckInAt,
      falling: cases.scoresFalling,
    })
    .from(cases)
    .where(eq(cases.id, caseId));
  return row!;
}

async function addPlan(caseId: string, statuses: ("todo" | "doing" | "done" | "skipped")[]) {
  const [plan] = await db.insert(plans).values({ caseId, title: "Plan" }).returning();
  const steps = await db
    .insert(planSteps)
    .values(statuses.map((status, i) => ({ planId: plan!.id, position: i + 1, title: `Step ${i + 1}`, status })))
    .returning();
  return { plan: plan!, steps };
}

const day = (n: number) => new Date(Date.UTC(2026, 0, 1 + n));

describe("plan progress kept on the case", () => {
  it("follows steps added, changed and removed, and plans archived, restored and deleted", async () => {
    const coach = await createUser({ role: "coach" });
    const { case: c } = await insertCase({ lead: coach });
    expect(await figures(c.id)).toMatchObject({ total: 0, progress: 0 });

    const first = await addPlan(c.id, ["done", "todo", "todo", "skipped"]);
    expect(await figures(c.id)).toMatchObject({ total: 4, done: 1, skipped: 1, progress: 33 });

    await db.update(planSteps).set({ status: "done" }).where(inArray(planSteps.id, [first.steps[1]!.id, first.steps[2]!.id]));
    expect(await figures(c.id)).toMatchObject({ done: 3, progress: 100 });

    const second = await addPlan(c.id, ["todo", "todo"]);
    expect(await figures(c.id)).toMatchObject({ total: 6, done: 3, progress: 60 });

    await db.delete(planSteps).where(eq(planSteps.id, second.steps[0]!.id));
    expect(await figures(c.id)).toMatchObject({ total: 5, progress: 75 });

    await db.update(plans).set({ archivedAt: new Date() }).where(eq(plans.id, second.plan.id));
    expect(await figures(c.id)).toMatchObject({ total: 4, progress: 100 });
    await db.update(plans).set({ archivedAt: null }).where(eq(plans.id, second.plan.id));
    expect(await figures(c.id)).toMatchObject({ total: 5, progress: 75 });

    // Deleting a plan takes its steps with it.
    await db.delete(plans).where(eq(plans.id, first.plan.id));
    expect(await figures(c.id)).toMatchObject({ total: 1, done: 0, skipped: 0, progress: 0 });
  });

  it("is what the case list shows and sorts by", async () => {
    const coach = await createUser({ role: "coach" });
    const low = await insertCase({ lead: coach, title: "Low" });
    const high = await insertCase({ lead: coach, title: "High" });
    await addPlan(low.case.id, ["done", "todo", "todo", "todo"]);
    await addPlan(high.case.id, ["done", "done", "done", "todo"]);
    const { rows } = await listCases(coach, caseListQuery.parse({ sort: "progress", dir: "desc" }));
    expect(rows.map((r) => [r.title, r.progress, r.steps])).toEqual([
      ["High", 75, 4],
      ["Low", 25, 4],
    ]);
  });
});

describe("check-in summary kept on the case", () => {
  it("keeps the newest check-in and spots three strictly falling scores, whatever order they arrive in", async () => {
    const coach = await createUser({ role: "coach" });
    const { case: c, client } = await insertCase({ lead: coach });
    const checkIn = (at: Date, mood: number, progress = 5) =>
      db.insert(checkIns).values({ caseId: c.id, authorId: client.id, submittedAt: at, mood, progress, closeness: 5 }).returning();

    expect(await figures(c.id)).toMatchObject({ lastCheckInAt: null, falling: false });
    await checkIn(day(10), 4);
    await checkIn(day(3), 5);
    expect(await figures(c.id)).toMatchObject({ lastCheckInAt: day(10), falling: false });
    // The third one, newest and lowest: mood 5 → 4 → 3.
    const [newest] = await checkIn(day(20), 3);
    expect(await figures(c.id)).toMatchObject({ lastCheckInAt: day(20), falling: true });
    // An edit that breaks the decline, then its removal.
    await db.update(checkIns).set({ mood: 4 }).where(eq(checkIns.id, newest!.id));
    expect((await figures(c.id)).falling).toBe(false);
    await db.delete(checkIns).where(eq(checkIns.id, newest!.id));
    expect(await figures(c.id)).toMatchObject({ lastCheckInAt: day(10), falling: false });

    await checkIn(day(21), 3);
    const attention = await needsAttention(coach);
    expect(attention.falling.items.map((i) => i.caseId)).toContain(c.id);
  });
});
