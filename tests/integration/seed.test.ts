import { and, asc, eq, inArray, isNotNull, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { verifyPassword } from "~/auth/password.server";
import { signIn } from "~/auth/sign-in.server";
import { db } from "../../db/client";
import { DEMO_PASSWORD, demoAccounts } from "../../db/demo-accounts";
import { demoCases } from "../../db/demo-cases";
import { seedDemo } from "../../db/seed";
import { auditEvents, caseMembers, caseNotes, cases, planSteps, users } from "../../db/schema";

// `npm run demo` seeds the demo practice; the login page lists these sign-ins. A newcomer who
// can't sign in with them, or a second seed run that duplicates people, is what we guard here.

const demoEmails = demoAccounts.map((a) => a.email);

async function demoUsers() {
  return db.select().from(users).where(inArray(users.email, demoEmails)).orderBy(asc(users.email));
}

describe("seedDemo", () => {
  // This file's database starts empty (the migrated template), so the first run seeds everything.
  let firstRun: Awaited<ReturnType<typeof seedDemo>>;
  beforeAll(async () => {
    firstRun = await seedDemo();
  });

  it("creates the demo practice with its named accounts", async () => {
    expect(firstRun).toEqual({ created: demoAccounts.length, casesCreated: demoCases.length });
    const seeded = await demoUsers();

    const expected = [
      ["admin@cairn.test", "Avery Admin", "admin"],
      ["coach@cairn.test", "Casey Coach", "coach"],
      ["coach2@cairn.test", "Morgan Coach", "coach"],
      ["therapist@cairn.test", "Theo Therapist", "therapist"],
      ["client@cairn.test", "Jordan Client", "client"],
    ];
    for (const [email, name, role] of expected) {
      expect(seeded.find((u) => u.email === email)).toMatchObject({ name, role, deactivatedAt: null });
    }
    const clients = seeded.filter((u) => u.role === "client");
    expect(clients.length).toBeGreaterThanOrEqual(8);
    expect(new Set(clients.map((c) => c.name)).size).toBe(clients.length);
    expect(seeded).toHaveLength(demoAccounts.length);
  });

  it('gives every demo account the password "cairn-demo"', async () => {
    expect(DEMO_PASSWORD).toBe("cairn-demo");
    for (const user of await demoUsers()) {
      expect(user.passwordHash).toMatch(/^\$argon2id\$/);
      expect({ email: user.email, verifies: await verifyPassword(user.passwordHash!, "cairn-demo") }).toEqual({
        email: user.email,
        verifies: true,
      });
    }
    const [admin] = await db.select().from(users).where(eq(users.email, "admin@cairn.test"));
    expect(await verifyPassword(admin!.passwordHash!, "cairn-demo-wrong")).toBe(false);
  });

  it("lets a newcomer sign in as the demo admin", async () => {
    const result = await signIn({ email: "Admin@Cairn.test", password: "cairn-demo", ip: "192.0.2.10" });
    expect(result).toMatchObject({ ok: true, user: { email: "admin@cairn.test", name: "Avery Admin", role: "admin" } });
  });

  it("changes nothing when run again", async () => {
    const before = await demoUsers();
    const totalBefore = (await db.select({ id: users.id }).from(users)).length;

    expect(await seedDemo()).toEqual({ created: 0, casesCreated: 0 });

    const after = await demoUsers();
    expect((await db.select({ id: users.id }).from(users)).length).toBe(totalBefore);
    expect(after.map((u) => [u.id, u.email, u.passwordHash, u.role])).toEqual(
      before.map((u) => [u.id, u.email, u.passwordHash, u.role]),
    );
  });

  it("opens at least 8 cases across every status and three leads, with plans at different stages and notes", async () => {
    const rows = await db
      .select({ id: cases.id, status: cases.status, leadId: caseMembers.userId })
      .from(cases)
      .innerJoin(caseMembers, and(eq(caseMembers.caseId, cases.id), eq(caseMembers.role, "lead")));
    expect(rows.length).toBeGreaterThanOrEqual(8);
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(["intake", "active", "paused", "closed"]));
    expect(new Set(rows.map((r) => r.leadId)).size).toBeGreaterThanOrEqual(3);

    const progress = await db
      .select({ planId: planSteps.planId, done: sql<number>`count(*) filter (where ${planSteps.status} = 'done')::int`, total: sql<number>`count(*)::int` })
      .from(planSteps)
      .groupBy(planSteps.planId);
    const stages = new Set(progress.map((p) => (p.done === 0 ? "not started" : p.done === p.total ? "finished" : "under way")));
    expect(stages).toEqual(new Set(["not started", "under way", "finished"]));
    expect((await db.select({ id: caseNotes.id }).from(caseNotes)).length).toBeGreaterThanOrEqual(8);
    const timeline = await db.select({ caseId: auditEvents.caseId }).from(auditEvents).where(isNotNull(auditEvents.caseId));
    expect(new Set(timeline.map((t) => t.caseId)).size).toBe(rows.length);
  });

  it("adds no second copy of the demo cases when run again", async () => {
    const count = async () => ({
      cases: (await db.select({ id: cases.id }).from(cases)).length,
      steps: (await db.select({ id: planSteps.id }).from(planSteps)).length,
      events: (await db.select({ id: auditEvents.id }).from(auditEvents)).length,
    });
    const before = await count();
    await seedDemo();
    expect(await count()).toEqual(before);
  });

  it("leaves a demo account an admin has since changed as it is", async () => {
    await db.update(users).set({ name: "Casey Renamed", deactivatedAt: new Date() }).where(eq(users.email, "coach@cairn.test"));
    expect(await seedDemo()).toEqual({ created: 0, casesCreated: 0 });
    const [coach] = await db.select().from(users).where(eq(users.email, "coach@cairn.test"));
    expect(coach!.name).toBe("Casey Renamed");
    expect(coach!.deactivatedAt).not.toBeNull();
  });
});
