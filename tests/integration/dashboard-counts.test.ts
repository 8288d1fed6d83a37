import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { adminDashboard } from "~/models/attention.server";
import { addCaseMember, changeCaseStatus, removeCaseMember } from "~/models/case-workflow.server";
import { countUsersByRole } from "~/models/users.server";
import { db } from "../../db/client";
import { databaseHandle } from "../../db/handle";
import { CASE_STATUSES, caseCounts, caseMembers, cases, staffCaseloads, userCounts, users } from "../../db/schema";
import { createUser, insertCase } from "../support/factories";
import { untilSomeoneWaits } from "../support/lock-waits";

// The admin dashboard's counts (accounts per role and state, cases per status, each person's
// open cases) are kept by triggers (migration 0017) instead of counted on every view. Whatever
// is written, and however, the kept counts must equal a count of the tables themselves.

type Counts = { users: string[]; cases: string[]; caseloads: string[] };

/** The kept counts, as sorted lines; zero counts left out (a kept row may hold 0). */
async function kept(): Promise<Counts> {
  const [u, c, s] = await Promise.all([
    db.select().from(userCounts),
    db.select().from(caseCounts),
    db.select().from(staffCaseloads),
  ]);
  return {
    users: u.filter((r) => r.n !== 0).map((r) => `${r.role} ${r.state} ${r.n}`).sort(),
    cases: c.filter((r) => r.n !== 0).map((r) => `${r.status} ${r.n}`).sort(),
    caseloads: s.filter((r) => r.leadCases !== 0 || r.supportCases !== 0).map((r) => `${r.userId} ${r.leadCases} ${r.supportCases}`).sort(),
  };
}

/** The same counts, counted from users, cases and case_members now. */
async function counted(): Promise<Counts> {
  const [u, c, s] = await Promise.all([
    db
      .select({
        role: users.role,
        state: sql<string>`case when ${users.deactivatedAt} is not null then 'deactivated' when ${users.passwordHash} is null then 'invited' else 'active' end`,
        n: sql<number>`count(*)`.mapWith(Number),
      })
      .from(users)
      .groupBy(sql`1`, sql`2`),
    db.select({ status: cases.status, n: sql<number>`count(*)`.mapWith(Number) }).from(cases).groupBy(cases.status),
    db
      .select({
        userId: caseMembers.userId,
        lead: sql<number>`count(*) filter (where ${caseMembers.role} = 'lead')`.mapWith(Number),
        support: sql<number>`count(*) filter (where ${caseMembers.role} = 'support')`.mapWith(Number),
      })
      .from(caseMembers)
      .innerJoin(cases, eq(cases.id, caseMembers.caseId))
      .where(sql`${cases.status} <> 'closed'`)
      .groupBy(caseMembers.userId),
  ]);
  return {
    users: u.map((r) => `${r.role} ${r.state} ${r.n}`).sort(),
    cases: c.map((r) => `${r.status} ${r.n}`).sort(),
    caseloads: s.map((r) => `${r.userId} ${r.lead} ${r.support}`).sort(),
  };
}

async function expectKeptEqualsCounted() {
  const [k, c] = await Promise.all([kept(), counted()]);
  expect(k).toEqual(c);
}

async function caseloadOf(userId: string) {
  const [row] = await db.select().from(staffCaseloads).where(eq(staffCaseloads.userId, userId));
  return row ? [row.leadCases, row.supportCases] : [0, 0];
}

describe("the admin dashboard's kept counts", () => {
  it("follow accounts created, invited, activated, deactivated, reactivated, moved between roles and deleted", async () => {
    const admin = await createUser({ role: "admin" });
    const before = await countUsersByRole(admin);
    const coachesBefore = before.find((r) => r.role === "coach")!;

    const coach = await createUser({ role: "coach" });
    const [invited] = await db.insert(users).values({ email: `invited-${Date.now()}@cairn.test`, name: "Invited Person", role: "therapist" }).returning();
    await expectKeptEqualsCounted();

    await db.update(users).set({ passwordHash: "set-by-accepting-the-invitation" }).where(eq(users.id, invited!.id));
    await db.update(users).set({ deactivatedAt: new Date() }).where(eq(users.id, coach.id));
    await expectKeptEqualsCounted();
    const after = await countUsersByRole(admin);
    expect(after.find((r) => r.role === "coach")).toEqual({ ...coachesBefore, deactivated: coachesBefore.deactivated + 1 });

    await db.update(users).set({ deactivatedAt: null, role: "therapist" }).where(eq(users.id, coach.id));
    // A change that keeps the account's role and state (a new password, a new name) counts nothing.
    await db.update(users).set({ passwordHash: "another-hash", name: "Renamed" }).where(eq(users.id, invited!.id));
    await expectKeptEqualsCounted();

    await db.delete(users).where(eq(users.id, invited!.id));
    await expectKeptEqualsCounted();
  });

  it("follow cases opened, moving between statuses, closed, reopened and deleted", async () => {
    const coach = await createUser({ role: "coach" });
    const support = await createUser({ role: "therapist" });
    const { case: c } = await insertCase({ lead: coach, support: [support], status: "intake" });
    await insertCase({ lead: coach, status: "paused" });
    expect(await caseloadOf(coach.id)).toEqual([2, 0]);
    expect(await caseloadOf(support.id)).toEqual([0, 1]);
    await expectKeptEqualsCounted();

    await db.update(cases).set({ status: "active" }).where(eq(cases.id, c.id));
    expect(await caseloadOf(coach.id)).toEqual([2, 0]);
    await db.update(cases).set({ status: "closed" }).where(eq(cases.id, c.id));
    expect(await caseloadOf(coach.id)).toEqual([1, 0]);
    expect(await caseloadOf(support.id)).toEqual([0, 0]);
    await expectKeptEqualsCounted();

    await db.update(cases).set({ status: "paused" }).where(eq(cases.id, c.id));
    expect(await caseloadOf(support.id)).toEqual([0, 1]);
    await expectKeptEqualsCounted();

    // Deleting a case takes its memberships with it (a cascade): they stop counting once, not twice.
    await db.delete(cases).where(eq(cases.id, c.id));
    expect(await caseloadOf(coach.id)).toEqual([1, 0]);
    expect(await caseloadOf(support.id)).toEqual([0, 0]);
    await expectKeptEqualsCounted();
    const { case: closed } = await insertCase({ lead: support, status: "closed" });
    await db.delete(cases).where(eq(cases.id, closed.id));
    await expectKeptEqualsCounted();
  });

  it("follow members added, swapped between lead and support, moved to another case and removed", async () => {
    const a = await createUser({ role: "coach" });
    const b = await createUser({ role: "therapist" });
    const { case: open } = await insertCase({ lead: a });
    const { case: other } = await insertCase({ lead: b, status: "closed" });
    await db.insert(caseMembers).values({ caseId: open.id, userId: b.id, role: "support" });
    expect([await caseloadOf(a.id), await caseloadOf(b.id)]).toEqual([
      [1, 0],
      [0, 1],
    ]);

    // Lead and support trade places in one statement.
    await db.execute(sql`update case_members set role = case when role = 'lead' then 'support'::case_member_role else 'lead'::case_member_role end where case_id = ${open.id}`);
    expect([await caseloadOf(a.id), await caseloadOf(b.id)]).toEqual([
      [0, 1],
      [1, 0],
    ]);
    await expectKeptEqualsCounted();

    // A membership moved from the open case to the closed one stops counting.
    await db.update(caseMembers).set({ caseId: other.id, role: "support" }).where(and(eq(caseMembers.caseId, open.id), eq(caseMembers.userId, a.id)));
    expect(await caseloadOf(a.id)).toEqual([0, 0]);
    await db.delete(caseMembers).where(eq(caseMembers.caseId, open.id));
    expect(await caseloadOf(b.id)).toEqual([0, 0]);
    await expectKeptEqualsCounted();
  });

  it("follow what the app itself writes, and are what the dashboard shows", async () => {
    const admin = await createUser({ role: "admin" });
    const lead = await createUser({ role: "coach", name: "Lead Coach" });
    const joining = await createUser({ role: "therapist", name: "Joining Therapist" });
    const { case: c } = await insertCase({ lead });
    await addCaseMember(admin, c.id, joining.id);
    await expectKeptEqualsCounted();
    const dashboard = await adminDashboard(admin);
    expect(dashboard.caseload.find((r) => r.id === joining.id)).toMatchObject({ name: "Joining Therapist", lead: 0, support: 1 });
    expect(dashboard.caseload.find((r) => r.id === lead.id)).toMatchObject({ lead: 1, support: 0 });

    await removeCaseMember(admin, c.id, joining.id);
    await changeCaseStatus(admin, c.id, { status: "closed", closingNote: "Goals met." });
    await expectKeptEqualsCounted();
    const later = await adminDashboard(admin);
    expect(later.caseload.find((r) => r.id === lead.id)).toMatchObject({ lead: 0, support: 0 });
    expect(later.caseload.find((r) => r.id === joining.id)).toMatchObject({ lead: 0, support: 0 });
    const rows = await db.select({ status: cases.status, n: sql<number>`count(*)`.mapWith(Number) }).from(cases).groupBy(cases.status);
    const byStatus = new Map(rows.map((r) => [r.status, r.n]));
    expect(later.byStatus).toEqual(CASE_STATUSES.map((status) => ({ status, cases: byStatus.get(status) ?? 0 })));
  });

  it("are counted again from the tables after TRUNCATE, which skips row triggers", async () => {
    const coach = await createUser({ role: "coach" });
    await insertCase({ lead: coach });
    await db.execute(sql`truncate case_members`);
    expect(await caseloadOf(coach.id)).toEqual([0, 0]);
    await expectKeptEqualsCounted();
  });
});

// Two connections at once: PGlite has one, so this runs against Postgres only.
const { kind } = await databaseHandle();

describe.runIf(kind === "postgres")("the caseload kept while a case closes and a member joins at the same moment", () => {
  it("counts the new member by exactly one of the two changes, whichever commits first", async () => {
    for (const closingFirst of [true, false]) {
      const lead = await createUser({ role: "coach" });
      const joining = await createUser({ role: "therapist" });
      const { case: c } = await insertCase({ lead });
      let second!: Promise<unknown>;
      await db.transaction(async (tx) => {
        if (closingFirst) await tx.update(cases).set({ status: "closed" }).where(eq(cases.id, c.id));
        else await tx.insert(caseMembers).values({ caseId: c.id, userId: joining.id, role: "support" });
        // The other change starts while this one is uncommitted, and waits for it on the case row.
        second = closingFirst
          ? db.insert(caseMembers).values({ caseId: c.id, userId: joining.id, role: "support" }).execute()
          : db.update(cases).set({ status: "closed" }).where(eq(cases.id, c.id)).execute();
        await untilSomeoneWaits(tx);
      });
      await second;
      expect(await caseloadOf(joining.id)).toEqual([0, 0]);
      expect(await caseloadOf(lead.id)).toEqual([0, 0]);
    }
    await expectKeptEqualsCounted();
  });
});
