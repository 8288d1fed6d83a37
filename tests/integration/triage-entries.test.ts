import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { addCaseMember, removeCaseMember } from "~/models/case-workflow.server";
import { addPost, assignThreads, closeThread, reopenThread, startThread } from "~/models/threads.server";
import { listTriage, triageQuery } from "~/models/triage.server";
import { db } from "../../db/client";
import { databaseHandle } from "../../db/handle";
import { caseMembers, cases, threads, triageEntries } from "../../db/schema";
import { createUser, insertCase } from "../support/factories";
import { untilSomeoneWaits } from "../support/lock-waits";

// Each coach's and therapist's triage queue is kept in triage_entries by triggers (migration
// 0018, decision 010): a row per question waiting for staff and per member of its case's team.
// Whatever is written, and however, the kept rows must be exactly the waiting questions of the
// cases each person is on.

const line = (r: { userId: string; threadId: string; caseId: string; priority: string; waitingSince: Date | null; assigneeId: string | null }) =>
  `${r.userId} ${r.threadId} ${r.caseId} ${r.priority} ${r.waitingSince?.toISOString() ?? "-"} ${r.assigneeId ?? "-"}`;

/** The kept queue rows, and the same worked out from threads and case_members now. */
async function keptAndWorkedOut() {
  const [kept, workedOut] = await Promise.all([
    db.select().from(triageEntries),
    db
      .select({
        userId: caseMembers.userId,
        threadId: threads.id,
        caseId: threads.caseId,
        priority: threads.priority,
        waitingSince: threads.waitingSince,
        assigneeId: threads.assigneeId,
      })
      .from(threads)
      .innerJoin(caseMembers, eq(caseMembers.caseId, threads.caseId))
      .where(sql`${threads.status} = 'awaiting_staff'`),
  ]);
  return { kept: kept.map(line).sort(), workedOut: workedOut.map(line).sort() };
}

async function expectKeptQueues() {
  const { kept, workedOut } = await keptAndWorkedOut();
  expect(kept).toEqual(workedOut);
}

async function queueOf(userId: string) {
  return (await db.select({ threadId: triageEntries.threadId }).from(triageEntries).where(eq(triageEntries.userId, userId))).map((r) => r.threadId).sort();
}

describe("the kept triage queues", () => {
  it("follow questions asked, answered, answered back, assigned, flagged, closed and reopened through the app", async () => {
    const admin = await createUser({ role: "admin" });
    const lead = await createUser({ role: "coach" });
    const support = await createUser({ role: "therapist" });
    const client = await createUser({ role: "client" });
    const { case: c } = await insertCase({ lead, support: [support], client });

    const { thread, post } = await startThread(client, c.id, { title: "Where do we start?", body: "It feels like too much." });
    expect(await queueOf(lead.id)).toEqual([thread.id]);
    expect(await queueOf(support.id)).toEqual([thread.id]);
    await expectKeptQueues();

    await addPost(lead, thread.id, { parentId: post.id, body: "One step at a time." });
    expect(await queueOf(lead.id)).toEqual([]);
    await addPost(client, thread.id, { parentId: post.id, body: "Thank you, and what comes next?" });
    expect(await queueOf(support.id)).toEqual([thread.id]);
    await expectKeptQueues();

    await assignThreads(lead, [thread.id], support.id);
    // The risk screen marks the question urgent (a priority change on a waiting question).
    await addPost(client, thread.id, { body: "Some days I don't want to be alive any more." });
    const [entry] = await db.select().from(triageEntries).where(and(eq(triageEntries.userId, lead.id), eq(triageEntries.threadId, thread.id)));
    expect(entry).toMatchObject({ assigneeId: support.id, priority: "urgent" });
    await expectKeptQueues();

    await closeThread(lead, thread.id);
    expect(await queueOf(lead.id)).toEqual([]);
    await reopenThread(admin, thread.id);
    await expectKeptQueues();

    // What the queue page shows is the kept queue, counts and rows.
    const queue = await listTriage(support, triageQuery.parse({}));
    const waiting = await db.select({ id: threads.id }).from(threads).innerJoin(caseMembers, eq(caseMembers.caseId, threads.caseId)).where(and(eq(caseMembers.userId, support.id), sql`${threads.status} = 'awaiting_staff'`));
    expect(queue.counts.all).toBe(waiting.length);
    expect(queue.rows.map((r) => r.id).sort()).toEqual(waiting.map((w) => w.id).sort());
  });

  it("follow people joining and leaving a team, and questions moving between cases or deleted with their case", async () => {
    const admin = await createUser({ role: "admin" });
    const lead = await createUser({ role: "coach" });
    const joining = await createUser({ role: "therapist" });
    const client = await createUser({ role: "client" });
    const { case: c } = await insertCase({ lead, client });
    const { case: other } = await insertCase({ lead: joining });
    const { thread } = await startThread(client, c.id, { title: "A question", body: "Is this normal?" });

    await addCaseMember(admin, c.id, joining.id);
    expect(await queueOf(joining.id)).toEqual([thread.id]);
    await removeCaseMember(admin, c.id, joining.id);
    expect(await queueOf(joining.id)).toEqual([]);
    await expectKeptQueues();

    // Raw writes too: a lead and support trading places keeps both queues; a question moved to
    // another case moves to that team's queues.
    await db.insert(caseMembers).values({ caseId: c.id, userId: joining.id, role: "support" });
    await db.execute(sql`update case_members set role = case when role = 'lead' then 'support'::case_member_role else 'lead'::case_member_role end where case_id = ${c.id}`);
    await db.update(threads).set({ caseId: other.id }).where(eq(threads.id, thread.id));
    expect(await queueOf(lead.id)).toEqual([]);
    expect(await queueOf(joining.id)).toEqual([thread.id]);
    await expectKeptQueues();

    await db.delete(cases).where(eq(cases.id, other.id));
    expect(await queueOf(joining.id)).toEqual([]);
    await expectKeptQueues();
  });

  it("are worked out again from the tables after TRUNCATE, which skips row triggers", async () => {
    const lead = await createUser({ role: "coach" });
    const client = await createUser({ role: "client" });
    const { case: c } = await insertCase({ lead, client });
    await startThread(client, c.id, { title: "Before the truncate", body: "Still waiting." });
    await db.execute(sql`truncate case_members`);
    expect(await queueOf(lead.id)).toEqual([]);
    await expectKeptQueues();
  });
});

// Two connections at once: PGlite has one, so this runs against Postgres only.
const { kind } = await databaseHandle();

describe.runIf(kind === "postgres")("the kept triage queues while a question changes as someone joins the team", () => {
  it("gives the new member exactly the questions waiting once both have committed, whichever commits first", async () => {
    for (const [questionFirst, becomes] of [
      [true, "awaiting_staff"],
      [false, "awaiting_staff"],
      [true, "awaiting_client"],
      [false, "awaiting_client"],
    ] as const) {
      const lead = await createUser({ role: "coach" });
      const joining = await createUser({ role: "therapist" });
      const { case: c, client } = await insertCase({ lead });
      const [thread] = await db
        .insert(threads)
        .values({ caseId: c.id, title: "A question", createdBy: client.id, status: becomes === "awaiting_staff" ? "awaiting_client" : "awaiting_staff", waitingSince: new Date() })
        .returning();
      const change = () => db.update(threads).set({ status: becomes }).where(eq(threads.id, thread!.id));
      const join = () => db.insert(caseMembers).values({ caseId: c.id, userId: joining.id, role: "support" });
      let second!: Promise<unknown>;
      await db.transaction(async (tx) => {
        if (questionFirst) await tx.update(threads).set({ status: becomes }).where(eq(threads.id, thread!.id));
        else await tx.insert(caseMembers).values({ caseId: c.id, userId: joining.id, role: "support" });
        // The other change starts while this one is uncommitted, and waits for it on the case row.
        second = questionFirst ? join().execute() : change().execute();
        await untilSomeoneWaits(tx);
      });
      await second;
      expect(await queueOf(joining.id), `${questionFirst ? "question" : "member"} first, ${becomes}`).toEqual(becomes === "awaiting_staff" ? [thread!.id] : []);
    }
    await expectKeptQueues();
  });
});
