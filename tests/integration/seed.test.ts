import { and, asc, eq, inArray, isNotNull, like, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { verifyPassword } from "~/auth/password.server";
import { signIn } from "~/auth/sign-in.server";
import { db } from "../../db/client";
import { DEMO_PASSWORD, demoAccounts } from "../../db/demo-accounts";
import { screenText } from "~/models/risk-screening";
import { demoCases } from "../../db/demo-cases";
import { demoCheckIns } from "../../db/demo-check-ins";
import { demoThreads } from "../../db/demo-threads";
import { seedDemo } from "../../db/seed";
import { auditEvents, caseMembers, caseNotes, cases, checkIns, planSteps, plans, posts, threadReads, threads, users } from "../../db/schema";

// `npm run demo` seeds the demo practice; the login page lists these sign-ins. A newcomer who
// can't sign in with them, or a second seed run that duplicates people, is what we guard here.

const demoEmails = demoAccounts.map((a) => a.email);
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

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
    expect(firstRun).toMatchObject({ created: demoAccounts.length, casesCreated: demoCases.length, threadsCreated: demoThreads.length });
    expect(firstRun.checkInsCreated).toBeGreaterThanOrEqual(30);
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

    expect(await seedDemo()).toEqual({ created: 0, casesCreated: 0, threadsCreated: 0, checkInsCreated: 0 });

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

  it("asks 30+ questions across the demo cases, in every state the queue and the portal show", async () => {
    const all = await db.select().from(threads);
    expect(all.length).toBeGreaterThanOrEqual(30);
    expect(new Set(all.map((t) => t.caseId)).size).toBe(demoCases.length);
    expect(new Set(all.map((t) => t.status))).toEqual(new Set(["awaiting_staff", "awaiting_client", "closed"]));

    // Against the default 24-hour first-response target: some overdue, some still in time.
    const now = Date.now();
    const unanswered = all.filter((t) => t.status === "awaiting_staff" && t.firstResponseAt === null);
    expect(unanswered.filter((t) => now - t.createdAt.getTime() > 24 * HOUR).length).toBeGreaterThanOrEqual(3);
    expect(unanswered.filter((t) => now - t.createdAt.getTime() < 24 * HOUR).length).toBeGreaterThanOrEqual(2);
    // Follow-ups from clients who already had an answer, awaiting staff again.
    expect(all.filter((t) => t.status === "awaiting_staff" && t.firstResponseAt !== null).length).toBeGreaterThanOrEqual(2);
    expect(all.filter((t) => t.status === "awaiting_client").length).toBeGreaterThanOrEqual(5);
    expect(all.filter((t) => t.status === "closed").length).toBeGreaterThanOrEqual(5);
    const waiting = all.filter((t) => t.status === "awaiting_staff");
    expect(waiting.some((t) => t.assigneeId)).toBe(true);
    expect(waiting.some((t) => !t.assigneeId)).toBe(true);
  });

  it("nests replies at least three deep, each reply in its own thread, with internal notes on several threads", async () => {
    const rows = await db.select().from(posts);
    const byId = new Map(rows.map((p) => [p.id, p]));
    const depth = (post: (typeof rows)[number]) => {
      let n = 0;
      for (let at = post; at.parentId; n++) {
        const parent = byId.get(at.parentId);
        expect(parent?.threadId).toBe(post.threadId);
        expect(parent!.createdAt.getTime()).toBeLessThanOrEqual(at.createdAt.getTime());
        at = parent!;
      }
      return n;
    };
    expect(Math.max(...rows.map(depth))).toBeGreaterThanOrEqual(3);
    const notes = rows.filter((p) => p.visibility === "internal");
    expect(new Set(notes.map((p) => p.threadId)).size).toBeGreaterThanOrEqual(5);
    expect(rows.some((p) => p.editedAt)).toBe(true);
  });

  it("keeps each thread's status, clocks and flag consistent with its posts", async () => {
    const all = await db.select().from(threads);
    const allPosts = await db.select().from(posts).orderBy(asc(posts.createdAt));
    const caseRows = await db.select({ id: cases.id, clientId: cases.clientId, risk: cases.risk }).from(cases);
    const members = await db.select().from(caseMembers);
    for (const thread of all) {
      const theCase = caseRows.find((c) => c.id === thread.caseId)!;
      const staff = new Set(members.filter((m) => m.caseId === thread.caseId).map((m) => m.userId));
      const own = allPosts.filter((p) => p.threadId === thread.id);
      const fromClient = (p: (typeof own)[number]) => p.authorId === theCase.clientId;
      // Only the case's client and its staff take part; clients never write internal notes.
      for (const post of own) expect(fromClient(post) || staff.has(post.authorId), thread.title).toBe(true);
      expect(own.filter((p) => fromClient(p) && p.visibility === "internal")).toEqual([]);

      const shared = own.filter((p) => p.visibility === "shared");
      const last = shared.at(-1)!;
      expect(own[0]!.parentId).toBeNull();
      expect(own[0]!.visibility).toBe("shared");
      expect(thread.createdAt).toEqual(own[0]!.createdAt);
      expect(thread.createdBy).toBe(own[0]!.authorId);
      if (thread.status === "closed") {
        expect(thread.closedAt!.getTime(), thread.title).toBeGreaterThanOrEqual(last.createdAt.getTime());
      } else {
        expect(thread.status, thread.title).toBe(fromClient(last) ? "awaiting_staff" : "awaiting_client");
        expect(thread.closedAt).toBeNull();
      }
      const clientPosts = shared.filter(fromClient);
      expect(thread.waitingSince, thread.title).toEqual(thread.status === "awaiting_staff" ? clientPosts.at(-1)!.createdAt : null);
      // The first shared staff post; internal notes never count.
      expect(thread.firstResponseAt, thread.title).toEqual(shared.find((p) => !fromClient(p))?.createdAt ?? null);
      for (const post of own) expect(thread.lastActivityAt.getTime()).toBeGreaterThanOrEqual(post.createdAt.getTime());

      // The flag is exactly what screening the client's posts finds (the opening one with the title).
      const screened = (p: (typeof own)[number]) => screenText(p === own[0] ? `${thread.title}\n${p.body}` : p.body);
      const expected = clientPosts.flatMap((p) => screened(p).map((m) => ({ ruleId: m.ruleId, postId: p.id })));
      expect(thread.riskReasons.map((r) => ({ ruleId: r.ruleId, postId: r.postId })), thread.title).toEqual(expected);
      expect(thread.priority).toBe(expected.length ? "urgent" : "normal");
      if (expected.length) expect(theCase.risk).not.toBe("none");
      // Staff posts are written with the same care: nothing in them reads as a risk either.
      for (const post of own.filter((p) => !fromClient(p))) expect(screenText(post.body), post.body).toEqual([]);
    }
  });

  it("flags one urgent question by the risk rules and answers it within the hour, with a safety note for staff", async () => {
    const urgent = await db.select().from(threads).where(eq(threads.priority, "urgent"));
    expect(urgent).toHaveLength(1);
    const thread = urgent[0]!;
    const [reason] = thread.riskReasons;
    expect(reason).toMatchObject({ ruleId: "suicide", label: "Suicidal thoughts" });
    const [flaggedPost] = await db.select().from(posts).where(eq(posts.id, reason!.postId));
    expect(screenText(flaggedPost!.body).map((m) => m.ruleId)).toContain(reason!.ruleId);
    expect(thread.flaggedAt).toEqual(flaggedPost!.createdAt);
    expect(thread.flagClearedAt).toBeNull();
    expect(thread.firstResponseAt!.getTime() - flaggedPost!.createdAt.getTime()).toBeLessThanOrEqual(HOUR);
    const notes = await db.select().from(posts).where(and(eq(posts.threadId, thread.id), eq(posts.visibility, "internal")));
    expect(notes.length).toBeGreaterThanOrEqual(1);
    // Still in the queue, at the top: urgent and awaiting staff.
    expect(thread.status).toBe("awaiting_staff");
    const [flagEvent] = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "thread.flagged"), eq(auditEvents.targetId, thread.id)));
    expect(flagEvent).toMatchObject({ caseId: thread.caseId, actorId: null, details: { postId: flaggedPost!.id } });
  });

  it("puts every question, reply and internal note on its case's timeline", async () => {
    const all = await db.select().from(threads);
    const allPosts = await db.select().from(posts);
    const events = await db.select().from(auditEvents).where(like(auditEvents.action, "thread.%"));
    for (const thread of all) {
      const own = allPosts.filter((p) => p.threadId === thread.id);
      const mine = events.filter((e) => e.details?.threadId === thread.id);
      for (const e of mine) expect(e.caseId).toBe(thread.caseId);
      const countOf = (action: string) => mine.filter((e) => e.action === action).length;
      expect(countOf("thread.started"), thread.title).toBe(1);
      expect(countOf("thread.replied"), thread.title).toBe(own.filter((p) => p.visibility === "shared").length - 1);
      expect(countOf("thread.internal_note"), thread.title).toBe(own.filter((p) => p.visibility === "internal").length);
      expect(countOf("thread.closed") > 0, thread.title).toBe(thread.status === "closed" || countOf("thread.reopened") > 0);
    }
    // One question was closed, then reopened by the client's reply.
    expect(events.filter((e) => e.action === "thread.reopened")).toHaveLength(1);
  });

  it("leaves some practitioners' replies unread for the client and marks the rest read", async () => {
    const all = await db
      .select({ id: threads.id, clientId: cases.clientId })
      .from(threads)
      .innerJoin(cases, eq(cases.id, threads.caseId));
    const allPosts = await db.select().from(posts).where(eq(posts.visibility, "shared"));
    const reads = await db.select().from(threadReads);
    const unread = all.filter((t) => {
      const read = reads.find((r) => r.threadId === t.id && r.userId === t.clientId);
      return allPosts.some((p) => p.threadId === t.id && p.authorId !== t.clientId && (!read || p.createdAt > read.lastReadAt));
    });
    expect(unread.length).toBeGreaterThanOrEqual(3);
    expect(unread.length).toBeLessThan(all.length / 2);
  });

  describe("check-ins", () => {
    async function checkInsByClient() {
      const rows = await db
        .select({ checkIn: checkIns, email: users.email, status: cases.status, cadence: cases.checkInEveryDays, openedAt: cases.openedAt, closedAt: cases.closedAt })
        .from(checkIns)
        .innerJoin(cases, eq(cases.id, checkIns.caseId))
        .innerJoin(users, eq(users.id, cases.clientId))
        .orderBy(asc(checkIns.submittedAt));
      const of = (email: string) => rows.filter((r) => r.email === email).map((r) => r.checkIn);
      return { rows, of };
    }

    it("covers 12+ weeks on the longest case, within each case's open days and cadence", async () => {
      const { rows, of } = await checkInsByClient();
      const noah = of("noah@cairn.test");
      expect(noah.at(-1)!.submittedAt.getTime() - noah[0]!.submittedAt.getTime()).toBeGreaterThanOrEqual(12 * 7 * DAY);
      // Newer cases have fewer; the case still at intake has none yet.
      expect(of("sam@cairn.test").length).toBeGreaterThan(of("riley@cairn.test").length);
      expect(of("priya@cairn.test")).toEqual([]);
      const now = Date.now();
      for (const { checkIn, email, openedAt, closedAt, cadence } of rows) {
        expect(checkIn.submittedAt.getTime(), email).toBeGreaterThan(openedAt.getTime());
        expect(checkIn.submittedAt.getTime(), email).toBeLessThan(closedAt?.getTime() ?? now);
        const mine = rows.filter((r) => r.email === email).map((r) => r.checkIn.submittedAt.getTime());
        const next = mine.find((t) => t > checkIn.submittedAt.getTime());
        // One per period, a few hours either way; missed weeks leave whole cadences out.
        if (next) expect((next - checkIn.submittedAt.getTime()) % (cadence * DAY), email).toSatisfy((r: number) => r <= 8 * HOUR || r >= cadence * DAY - 8 * HOUR);
        expect(checkIn.mood).toBeGreaterThanOrEqual(1);
        expect(checkIn.mood).toBeLessThanOrEqual(5);
        for (const score of [checkIn.progress, checkIn.closeness]) {
          expect(score).toBeGreaterThanOrEqual(1);
          expect(score).toBeLessThanOrEqual(10);
        }
        expect(checkIn.whatHappened.length).toBeGreaterThan(10);
        expect(checkIn.whatWasHard.length).toBeGreaterThan(5);
      }
    });

    it("tells four stories: improving, stalling, declining and gone quiet", async () => {
      const { rows, of } = await checkInsByClient();
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

      const sam = of("sam@cairn.test");
      expect(sam.length).toBeGreaterThanOrEqual(6);
      expect(mean(sam.slice(-3).map((c) => c.progress)) - mean(sam.slice(0, 3).map((c) => c.progress))).toBeGreaterThanOrEqual(3);
      expect(mean(sam.slice(-3).map((c) => c.mood))).toBeGreaterThan(mean(sam.slice(0, 3).map((c) => c.mood)));
      expect(sam.at(-1)!.closeness).toBeGreaterThan(sam[0]!.closeness);

      // Stalling: the last four barely move.
      const jordan = of("client@cairn.test").slice(-4);
      expect(jordan).toHaveLength(4);
      for (const key of ["mood", "progress", "closeness"] as const) {
        const values = jordan.map((c) => c[key]);
        expect(Math.max(...values) - Math.min(...values), key).toBeLessThanOrEqual(1);
      }

      // Declining: the last three lower each time, in mood and in progress.
      const riley = of("riley@cairn.test").slice(-3);
      expect(riley).toHaveLength(3);
      expect(riley[0]!.mood).toBeGreaterThan(riley[1]!.mood);
      expect(riley[1]!.mood).toBeGreaterThan(riley[2]!.mood);
      expect(riley[0]!.progress).toBeGreaterThan(riley[1]!.progress);
      expect(riley[1]!.progress).toBeGreaterThan(riley[2]!.progress);

      // Gone quiet: an active case whose last check-in is more than two cadences ago.
      const dana = rows.filter((r) => r.email === "dana@cairn.test");
      const { status, cadence } = dana[0]!;
      expect(status).toBe("active");
      expect(Date.now() - dana.at(-1)!.checkIn.submittedAt.getTime()).toBeGreaterThan(2 * cadence * DAY);
      // The other active cases with check-ins are within their cadence plus a grace day.
      for (const email of ["sam@cairn.test", "client@cairn.test", "riley@cairn.test", "mei@cairn.test"]) {
        const last = of(email).at(-1)!;
        expect(Date.now() - last.submittedAt.getTime(), email).toBeLessThan(8 * DAY);
      }
    });

    it("reviews most with feedback from a staff member of the case and leaves the newest few in the queue", async () => {
      const all = await db.select().from(checkIns).orderBy(asc(checkIns.submittedAt));
      const members = await db.select().from(caseMembers);
      const reviewed = all.filter((c) => c.reviewedAt);
      const waiting = all.filter((c) => !c.reviewedAt);
      expect(reviewed.length).toBeGreaterThan(all.length * 0.7);
      expect(waiting.length).toBeGreaterThanOrEqual(3);
      expect(new Set(waiting.map((c) => c.caseId)).size).toBeGreaterThanOrEqual(3);
      for (const c of reviewed) {
        expect(members.some((m) => m.caseId === c.caseId && m.userId === c.reviewedBy)).toBe(true);
        expect(c.reviewedAt!.getTime()).toBeGreaterThan(c.submittedAt.getTime());
        expect(c.reviewedAt!.getTime()).toBeLessThan(Date.now());
        expect(c.feedback!.length).toBeGreaterThan(30);
      }
      for (const c of waiting) {
        expect(c).toMatchObject({ reviewedBy: null, feedback: null });
        // Nothing newer on the same case has been reviewed: the queue holds the newest.
        expect(reviewed.some((r) => r.caseId === c.caseId && r.submittedAt > c.submittedAt)).toBe(false);
      }
      // Support members review too, not only the leads.
      const leads = members.filter((m) => m.role === "lead");
      expect(reviewed.some((c) => !leads.some((l) => l.caseId === c.caseId && l.userId === c.reviewedBy))).toBe(true);
      // No two pieces of writing are the same.
      expect(new Set(all.map((c) => c.whatHappened)).size).toBe(all.length);
      expect(new Set(reviewed.map((c) => c.feedback)).size).toBe(reviewed.length);
    });

    it("names only the case's own plan steps, ones under way then, and screens the text like the model", async () => {
      const all = await db.select().from(checkIns);
      const steps = await db
        .select({ id: planSteps.id, caseId: plans.caseId, status: planSteps.status, startedAt: planSteps.startedAt, completedAt: planSteps.completedAt, cadence: cases.checkInEveryDays })
        .from(planSteps)
        .innerJoin(plans, eq(plans.id, planSteps.planId))
        .innerJoin(cases, eq(cases.id, plans.caseId));
      for (const c of all) {
        for (const id of c.stepIds) {
          const step = steps.find((s) => s.id === id);
          expect(step?.caseId).toBe(c.caseId);
          expect(["doing", "done"]).toContain(step!.status);
          // Under way at some point in the period the check-in looks back on.
          expect(step!.startedAt!.getTime()).toBeLessThanOrEqual(c.submittedAt.getTime());
          expect(step!.completedAt?.getTime() ?? Infinity).toBeGreaterThanOrEqual(c.submittedAt.getTime() - step!.cadence * DAY);
        }
        expect(c.riskReasons).toEqual(screenText(`${c.whatHappened}\n${c.whatWasHard}`));
      }
      expect(all.filter((c) => c.stepIds.length > 0).length).toBeGreaterThan(all.length * 0.4); // the first weeks of a case come before any step is under way
    });

    it("puts each submission and review on the case timeline at the time it happened", async () => {
      const all = await db.select().from(checkIns);
      const events = await db.select().from(auditEvents).where(like(auditEvents.action, "check_in.%"));
      for (const c of all) {
        const mine = events.filter((e) => e.targetId === c.id);
        const submitted = mine.filter((e) => e.action === "check_in.submitted");
        expect(submitted).toHaveLength(1);
        expect(submitted[0]).toMatchObject({ caseId: c.caseId, actorId: c.authorId, targetType: "check_in", createdAt: c.submittedAt });
        const reviewedEvents = mine.filter((e) => e.action === "check_in.reviewed");
        if (c.reviewedAt) {
          expect(reviewedEvents).toHaveLength(1);
          expect(reviewedEvents[0]).toMatchObject({ caseId: c.caseId, actorId: c.reviewedBy, createdAt: c.reviewedAt });
        } else {
          expect(reviewedEvents).toEqual([]);
        }
      }
      const activity = await db.select({ id: cases.id, at: cases.lastActivityAt }).from(cases);
      for (const c of all) {
        const at = activity.find((a) => a.id === c.caseId)!.at.getTime();
        expect(at).toBeGreaterThanOrEqual((c.reviewedAt ?? c.submittedAt).getTime());
      }
      expect(demoCheckIns.length).toBeGreaterThanOrEqual(4);
    });
  });

  it("adds no second copy of the demo cases, questions or check-ins when run again", async () => {
    const count = async () => ({
      cases: (await db.select({ id: cases.id }).from(cases)).length,
      steps: (await db.select({ id: planSteps.id }).from(planSteps)).length,
      events: (await db.select({ id: auditEvents.id }).from(auditEvents)).length,
      threads: await db.select().from(threads).orderBy(asc(threads.id)),
      posts: (await db.select({ id: posts.id }).from(posts)).length,
      reads: (await db.select().from(threadReads)).length,
      checkIns: await db.select().from(checkIns).orderBy(asc(checkIns.id)),
      activity: await db.select({ id: cases.id, at: cases.lastActivityAt }).from(cases).orderBy(asc(cases.id)),
    });
    const before = await count();
    await seedDemo();
    expect(await count()).toEqual(before);
  });

  it("leaves a demo account an admin has since changed as it is", async () => {
    await db.update(users).set({ name: "Casey Renamed", deactivatedAt: new Date() }).where(eq(users.email, "coach@cairn.test"));
    expect(await seedDemo()).toEqual({ created: 0, casesCreated: 0, threadsCreated: 0, checkInsCreated: 0 });
    const [coach] = await db.select().from(users).where(eq(users.email, "coach@cairn.test"));
    expect(coach!.name).toBe("Casey Renamed");
    expect(coach!.deactivatedAt).not.toBeNull();
  });
});
