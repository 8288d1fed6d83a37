import type { LoaderFunctionArgs } from "@remix-run/node";
import { and, eq, inArray } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { listTriage, triageCountsQuery, triageQuery, triageRowsQuery, TRIAGE_FILTERS, type TriageQuery } from "~/models/triage.server";
import * as triageRoute from "~/routes/triage";
import { db } from "../../db/client";
import {
  auditEvents,
  practiceSettings,
  threads,
  type ThreadPriority,
  type ThreadStatus,
} from "../../db/schema";
import { createUser, insertCase, requestAs, respond, responseJson, testContext } from "../support/factories";
import { countQueries } from "../support/query-counter";
import { indexesUsed } from "../support/query-plan";

// The triage queue: what waits for a staff reply on the viewer's cases (admins: all), urgent
// first then longest waiting; the filters, paging, the first-response state at its exact
// boundaries, and bulk assignment (threads outside your cases answer 404 and nothing changes).
// Threads are inserted straight into the database so these tests don't depend on how posts are made.

type RouteFunction = (args: LoaderFunctionArgs) => Promise<unknown>;
type TriagePage = Awaited<ReturnType<typeof listTriage>>;

const HOUR = 60 * 60 * 1000;
const NOW = new Date("2025-06-02T12:00:00.000Z");
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * HOUR);

async function call(
  fn: RouteFunction,
  user: { id: string } | null,
  path: string,
  init: { form?: Record<string, string> | [string, string][] } = {},
) {
  const { request } = await requestAs(user, path);
  let req = request;
  if (init.form) {
    // Several checkboxes share the name "threadId": build the body from pairs.
    const pairs = Array.isArray(init.form) ? init.form : Object.entries(init.form);
    req = new Request(request.url, { method: "POST", headers: request.headers, body: new URLSearchParams(pairs) });
    req.headers.set("Content-Type", "application/x-www-form-urlencoded");
  }
  return respond(() => fn({ request: req, params: {}, context: testContext }));
}

let seq = 0;
async function insertThread(input: {
  caseId: string;
  createdBy: string;
  title?: string;
  status?: ThreadStatus;
  priority?: ThreadPriority;
  assigneeId?: string | null;
  createdAt?: Date;
  waitingSince?: Date | null;
  firstResponseAt?: Date | null;
}) {
  const createdAt = input.createdAt ?? hoursAgo(1);
  const status = input.status ?? "awaiting_staff";
  const [row] = await db
    .insert(threads)
    .values({
      caseId: input.caseId,
      createdBy: input.createdBy,
      title: input.title ?? `Question ${++seq}`,
      status,
      priority: input.priority ?? "normal",
      assigneeId: input.assigneeId ?? null,
      createdAt,
      waitingSince: input.waitingSince === undefined ? (status === "awaiting_staff" ? createdAt : null) : input.waitingSince,
      firstResponseAt: input.firstResponseAt ?? null,
      lastActivityAt: createdAt,
      closedAt: status === "closed" ? createdAt : null,
    })
    .returning();
  return row!;
}

const query = (input: Partial<TriageQuery> = {}) => triageQuery.parse(input);
const ids = (page: TriagePage) => page.rows.map((r) => r.id);

/** A practice of its own per describe: two coaches with their own cases, and an admin. */
async function practice() {
  const coach = await createUser({ role: "coach", name: "Casey Coach" });
  const colleague = await createUser({ role: "therapist", name: "Theo Therapist" });
  const outsider = await createUser({ role: "coach", name: "Olive Outsider" });
  const admin = await createUser({ role: "admin", name: "Ada Admin" });
  const clientA = await createUser({ role: "client", name: "Alex Client" });
  const clientB = await createUser({ role: "client", name: "Blair Client" });
  const clientC = await createUser({ role: "client", name: "Cory Client" });
  // coach leads A (colleague supports) and supports B (colleague leads); the outsider leads C.
  const caseA = (await insertCase({ lead: coach, support: [colleague], client: clientA })).case;
  const caseB = (await insertCase({ lead: colleague, support: [coach], client: clientB })).case;
  const caseC = (await insertCase({ lead: outsider, client: clientC })).case;
  return { coach, colleague, outsider, admin, clientA, clientB, clientC, caseA, caseB, caseC };
}

describe("who sees which questions", () => {
  let p: Awaited<ReturnType<typeof practice>>;
  let onA: Awaited<ReturnType<typeof insertThread>>;
  let onB: Awaited<ReturnType<typeof insertThread>>;
  let onC: Awaited<ReturnType<typeof insertThread>>;

  beforeAll(async () => {
    p = await practice();
    onA = await insertThread({ caseId: p.caseA.id, createdBy: p.clientA.id, title: "Can I ask about the phone?" });
    onB = await insertThread({ caseId: p.caseB.id, createdBy: p.clientB.id, title: "Is it normal to feel numb?" });
    onC = await insertThread({ caseId: p.caseC.id, createdBy: p.clientC.id, title: "How long does this take?" });
  });

  it("a coach sees the questions on the cases they lead or support, nobody else's", async () => {
    const page = await listTriage(p.coach, query(), NOW);
    expect(ids(page).sort()).toEqual([onA.id, onB.id].sort());
    expect(page.counts.all).toBe(2);
    expect(page.rows.find((r) => r.id === onA.id)).toMatchObject({
      title: "Can I ask about the phone?",
      clientName: "Alex Client",
      leadName: "Casey Coach",
      assigneeName: null,
      caseId: p.caseA.id,
    });
    expect(page.rows.find((r) => r.id === onB.id)?.leadName).toBe("Theo Therapist");

    const outsider = await listTriage(p.outsider, query(), NOW);
    expect(ids(outsider)).toContain(onC.id);
    expect(ids(outsider)).not.toContain(onA.id);
  });

  it("an admin sees every case's questions, member or not", async () => {
    const page = await listTriage(p.admin, query({ perPage: 100 }), NOW);
    expect(ids(page)).toEqual(expect.arrayContaining([onA.id, onB.id, onC.id]));
  });

  it("a client gets 404 from the model and the page, and posting to it changes nothing", async () => {
    await expect(listTriage(p.clientA, query(), NOW)).rejects.toMatchObject({ status: 404 });
    expect((await call(triageRoute.loader, p.clientA, "/triage")).status).toBe(404);
    const posted = await call(triageRoute.action, p.clientA, "/triage", { form: [["intent", "assign-me"], ["threadId", onA.id]] });
    expect(posted.status).toBe(404);
    const [row] = await db.select().from(threads).where(eq(threads.id, onA.id));
    expect(row!.assigneeId).toBeNull();
  });

  it("the page lists the coach's queue with the count for the heading", async () => {
    const response = await call(triageRoute.loader, p.coach, "/triage");
    expect(response.status).toBe(200);
    const data = await responseJson<{ rows: { id: string }[]; counts: { all: number }; staff: { id: string; name: string }[] }>(
      response,
    );
    expect(data.rows.map((r) => r.id).sort()).toEqual([onA.id, onB.id].sort());
    expect(data.counts.all).toBe(2);
    // Colleagues who share a case with the coach (and the coach), not the outsider.
    expect(data.staff.map((s) => s.name).sort()).toEqual(["Casey Coach", "Theo Therapist"]);
  });
});

describe("what is in the queue", () => {
  it("only questions awaiting staff: not those awaiting the client, not closed ones", async () => {
    const p = await practice();
    const waiting = await insertThread({ caseId: p.caseA.id, createdBy: p.clientA.id });
    const answered = await insertThread({ caseId: p.caseA.id, createdBy: p.clientA.id, status: "awaiting_client", firstResponseAt: hoursAgo(0.5) });
    const closed = await insertThread({ caseId: p.caseA.id, createdBy: p.clientA.id, status: "closed" });
    const page = await listTriage(p.coach, query(), NOW);
    expect(ids(page)).toEqual([waiting.id]);
    expect(ids(page)).not.toContain(answered.id);
    expect(ids(page)).not.toContain(closed.id);
    expect(page.counts).toEqual({ all: 1, mine: 0, unassigned: 1 });
  });
});

describe("order and filters", () => {
  let p: Awaited<ReturnType<typeof practice>>;
  let t: Record<string, Awaited<ReturnType<typeof insertThread>>>;

  beforeAll(async () => {
    p = await practice();
    t = {
      // Urgent and recent beats normal and old; among equals the longest waiting comes first.
      normalOld: await insertThread({ caseId: p.caseA.id, createdBy: p.clientA.id, waitingSince: hoursAgo(30), createdAt: hoursAgo(30) }),
      normalNew: await insertThread({ caseId: p.caseB.id, createdBy: p.clientB.id, waitingSince: hoursAgo(2), createdAt: hoursAgo(2), assigneeId: p.coach.id }),
      urgentNew: await insertThread({ caseId: p.caseB.id, createdBy: p.clientB.id, priority: "urgent", waitingSince: hoursAgo(1), createdAt: hoursAgo(1) }),
      urgentOld: await insertThread({ caseId: p.caseA.id, createdBy: p.clientA.id, priority: "urgent", waitingSince: hoursAgo(5), createdAt: hoursAgo(5), assigneeId: p.colleague.id }),
      // Back in the queue: created long ago, answered, then the client wrote again 10 hours ago.
      followUp: await insertThread({
        caseId: p.caseA.id,
        createdBy: p.clientA.id,
        createdAt: hoursAgo(200),
        firstResponseAt: hoursAgo(190),
        waitingSince: hoursAgo(10),
        assigneeId: p.coach.id,
      }),
    };
  });

  it("urgent first, then longest waiting (waiting since, not created)", async () => {
    const page = await listTriage(p.coach, query(), NOW);
    expect(ids(page)).toEqual([t.urgentOld!.id, t.urgentNew!.id, t.normalOld!.id, t.followUp!.id, t.normalNew!.id]);
  });

  it("threads waiting since the same moment are ordered by id, so pages never overlap", async () => {
    const q = await practice();
    const same = hoursAgo(3);
    const made = [];
    for (let i = 0; i < 4; i++) made.push(await insertThread({ caseId: q.caseA.id, createdBy: q.clientA.id, waitingSince: same }));
    const page = await listTriage(q.coach, query(), NOW);
    expect(ids(page)).toEqual(made.map((m) => m.id).sort());
  });

  it("'mine' shows what is assigned to me, 'unassigned' what nobody has, 'all' everything on my cases", async () => {
    const mine = await listTriage(p.coach, query({ filter: "mine" }), NOW);
    expect(ids(mine)).toEqual([t.followUp!.id, t.normalNew!.id]);
    const unassigned = await listTriage(p.coach, query({ filter: "unassigned" }), NOW);
    expect(ids(unassigned)).toEqual([t.urgentNew!.id, t.normalOld!.id]);
    const all = await listTriage(p.coach, query({ filter: "all" }), NOW);
    expect(all.rows).toHaveLength(5);
    expect(all.counts).toEqual({ all: 5, mine: 2, unassigned: 2 });
    expect([mine.total, unassigned.total, all.total]).toEqual([2, 2, 5]);
    // The assignee's name is shown.
    expect(all.rows.find((r) => r.id === t.urgentOld!.id)?.assigneeName).toBe("Theo Therapist");
  });

  it("an unknown filter or page in the URL falls back to the defaults", () => {
    expect(triageQuery.parse({ filter: "everything", page: "-3", perPage: "7" })).toEqual({ filter: "all", page: 1, perPage: 25 });
  });

  it("answers a page with a fixed number of queries, however many rows it holds", async () => {
    const small = await countQueries(() => listTriage(p.coach, query({ filter: "mine" }), NOW));
    const large = await countQueries(() => listTriage(p.coach, query(), NOW));
    expect(large.result.rows.length).toBeGreaterThan(small.result.rows.length);
    expect(large.count).toBe(small.count);
    expect(large.count).toBeLessThanOrEqual(3);
  });

  it("the loader filters from the URL", async () => {
    const response = await call(triageRoute.loader, p.coach, "/triage?filter=unassigned");
    const data = await responseJson<{ rows: { id: string }[]; query: { filter: string } }>(response);
    expect(data.query.filter).toBe("unassigned");
    expect(data.rows.map((r) => r.id)).toEqual([t.urgentNew!.id, t.normalOld!.id]);
  });
});

describe("paging", () => {
  it("pages in the queue order and sends a page past the end to the last one", async () => {
    const p = await practice();
    const made = [];
    for (let i = 0; i < 12; i++) {
      made.push(await insertThread({ caseId: p.caseA.id, createdBy: p.clientA.id, waitingSince: hoursAgo(50 - i), createdAt: hoursAgo(50 - i) }));
    }
    const first = await listTriage(p.coach, query({ perPage: 10 }), NOW);
    const second = await listTriage(p.coach, query({ perPage: 10, page: 2 }), NOW);
    expect(first.total).toBe(12);
    expect([...ids(first), ...ids(second)]).toEqual(made.map((m) => m.id));

    const response = await call(triageRoute.loader, p.coach, "/triage?perPage=10&page=7");
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/triage?page=2&perPage=10");
  });
});

describe("the queue's index", () => {
  it("a coach's page and counts read their kept queue's index; an admin's read threads_triage_case_idx", async () => {
    // A coach's queue is kept in triage_entries (migration 0018) and read in its index's order.
    // An admin's comes from the partial index of waiting questions: the queue's condition must
    // imply the index's, or the plan falls back on the table (a sequential scan, switched off
    // here) or another index.
    const p = await practice();
    await insertThread({ caseId: p.caseA.id, createdBy: p.clientA.id, assigneeId: p.coach.id });
    await insertThread({ caseId: p.caseB.id, createdBy: p.clientB.id, priority: "urgent" });
    await insertThread({ caseId: p.caseC.id, createdBy: p.clientC.id, status: "awaiting_client" });
    const used: Record<string, string[]> = {};
    const expected: Record<string, unknown> = {};
    for (const viewer of [p.coach, p.admin]) {
      for (const filter of TRIAGE_FILTERS) {
        used[`${viewer.role} rows, ${filter}`] = await indexesUsed(triageRowsQuery(viewer, { filter, perPage: 25, offset: 0 }));
      }
      used[`${viewer.role} counts`] = await indexesUsed(triageCountsQuery(viewer));
    }
    for (const key of Object.keys(used)) {
      expected[key] = key.startsWith("coach")
        ? expect.arrayContaining(["triage_entries_queue_idx"])
        : expect.arrayContaining(["threads_triage_case_idx"]);
    }
    expect(Object.keys(used)).toHaveLength(8);
    expect(used).toEqual(expected);
  });
});

describe("first-response state", () => {
  it("is exact at 75 % of the target and at the target, from the thread's creation", async () => {
    const p = await practice();
    const created = hoursAgo(0);
    const fresh = await insertThread({ caseId: p.caseA.id, createdBy: p.clientA.id, createdAt: created });
    const answered = await insertThread({
      caseId: p.caseA.id,
      createdBy: p.clientA.id,
      createdAt: created,
      firstResponseAt: new Date(created.getTime() + HOUR),
      waitingSince: new Date(created.getTime() + 2 * HOUR),
    });
    const stateAt = async (ms: number, id = fresh.id) =>
      (await listTriage(p.coach, query(), new Date(created.getTime() + ms))).rows.find((r) => r.id === id)?.sla;

    // The default target is 24 hours.
    expect(await stateAt(18 * HOUR - 1)).toBe("on_time");
    expect(await stateAt(18 * HOUR)).toBe("due_soon");
    expect(await stateAt(24 * HOUR - 1)).toBe("due_soon");
    expect(await stateAt(24 * HOUR)).toBe("overdue");
    // Answered once, back in the queue: "responded", however long it waits now.
    expect(await stateAt(72 * HOUR, answered.id)).toBe("responded");

    const page = await listTriage(p.coach, query(), created);
    expect(page.targetHours).toBe(24);
    expect(page.rows.find((r) => r.id === fresh.id)?.dueAt?.getTime()).toBe(created.getTime() + 24 * HOUR);
    expect(page.rows.find((r) => r.id === answered.id)?.dueAt).toBeNull();
  });

  it("follows the practice's target (here 4 hours)", async () => {
    const p = await practice();
    const created = hoursAgo(0);
    const thread = await insertThread({ caseId: p.caseA.id, createdBy: p.clientA.id, createdAt: created });
    await db
      .insert(practiceSettings)
      .values({ key: "first_response_target_hours", value: 4 })
      .onConflictDoUpdate({ target: practiceSettings.key, set: { value: 4 } });
    try {
      const stateAt = async (ms: number) =>
        (await listTriage(p.coach, query(), new Date(created.getTime() + ms))).rows.find((r) => r.id === thread.id)?.sla;
      expect(await stateAt(3 * HOUR - 1)).toBe("on_time");
      expect(await stateAt(3 * HOUR)).toBe("due_soon");
      expect(await stateAt(4 * HOUR - 1)).toBe("due_soon");
      expect(await stateAt(4 * HOUR)).toBe("overdue");
    } finally {
      await db.update(practiceSettings).set({ value: 24 }).where(eq(practiceSettings.key, "first_response_target_hours"));
    }
  });
});

describe("bulk assignment from the queue", () => {
  let p: Awaited<ReturnType<typeof practice>>;
  beforeAll(async () => {
    p = await practice();
  });

  async function assigneeOf(id: string) {
    const [row] = await db.select({ assigneeId: threads.assigneeId }).from(threads).where(eq(threads.id, id));
    return row!.assigneeId;
  }

  it("'Assign to me' takes every ticked question, records it, and comes back to the same view", async () => {
    const one = await insertThread({ caseId: p.caseA.id, createdBy: p.clientA.id });
    const two = await insertThread({ caseId: p.caseB.id, createdBy: p.clientB.id });
    const response = await call(triageRoute.action, p.coach, "/triage?filter=unassigned", {
      form: [
        ["intent", "assign-me"],
        ["threadId", one.id],
        ["threadId", two.id],
      ],
    });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/triage?filter=unassigned");
    expect(await assigneeOf(one.id)).toBe(p.coach.id);
    expect(await assigneeOf(two.id)).toBe(p.coach.id);
    const events = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "thread.assigned"), inArray(auditEvents.targetId, [one.id, two.id])));
    expect(events).toHaveLength(2);
    expect(events.map((e) => e.caseId).sort()).toEqual([p.caseA.id, p.caseB.id].sort());

    const mine = await listTriage(p.coach, query({ filter: "mine" }), NOW);
    expect(ids(mine)).toEqual(expect.arrayContaining([one.id, two.id]));
  });

  it("'Assign to' hands questions to a colleague on the case, and 'nobody' unassigns them", async () => {
    const thread = await insertThread({ caseId: p.caseA.id, createdBy: p.clientA.id });
    const response = await call(triageRoute.action, p.coach, "/triage", {
      form: [
        ["intent", "assign"],
        ["assigneeId", p.colleague.id],
        ["threadId", thread.id],
      ],
    });
    expect(response.status).toBe(302);
    expect(await assigneeOf(thread.id)).toBe(p.colleague.id);

    const cleared = await call(triageRoute.action, p.coach, "/triage", {
      form: [
        ["intent", "assign"],
        ["assigneeId", "none"],
        ["threadId", thread.id],
      ],
    });
    expect(cleared.status).toBe(302);
    expect(await assigneeOf(thread.id)).toBeNull();
  });

  it("a thread outside your cases, posted by hand, is 404 and nothing changes (not even the others)", async () => {
    const mine = await insertThread({ caseId: p.caseA.id, createdBy: p.clientA.id });
    const theirs = await insertThread({ caseId: p.caseC.id, createdBy: p.clientC.id });
    const response = await call(triageRoute.action, p.coach, "/triage", {
      form: [
        ["intent", "assign-me"],
        ["threadId", mine.id],
        ["threadId", theirs.id],
      ],
    });
    expect(response.status).toBe(404);
    expect(await assigneeOf(mine.id)).toBeNull();
    expect(await assigneeOf(theirs.id)).toBeNull();
    const missing = await call(triageRoute.action, p.coach, "/triage", {
      form: [
        ["intent", "assign-me"],
        ["threadId", crypto.randomUUID()],
      ],
    });
    expect(missing.status).toBe(404);
    const events = await db.select().from(auditEvents).where(inArray(auditEvents.targetId, [mine.id, theirs.id]));
    expect(events).toEqual([]);
  });

  it("nothing ticked, or no colleague chosen: 400 with a message, the ticked boxes kept", async () => {
    const none = await call(triageRoute.action, p.coach, "/triage", { form: [["intent", "assign-me"]] });
    expect(none.status).toBe(400);
    expect((await responseJson<{ errors: Record<string, string> }>(none)).errors.threadId).toMatch(/Choose at least one question/);

    const thread = await insertThread({ caseId: p.caseA.id, createdBy: p.clientA.id });
    const noOne = await call(triageRoute.action, p.coach, "/triage", {
      form: [
        ["intent", "assign"],
        ["assigneeId", ""],
        ["threadId", thread.id],
      ],
    });
    expect(noOne.status).toBe(400);
    const answer = await responseJson<{ errors: Record<string, string>; selected: string[] }>(noOne);
    expect(answer.errors.assigneeId).toBe("Choose who should take these questions.");
    expect(answer.selected).toEqual([thread.id]);
    expect(await assigneeOf(thread.id)).toBeNull();
  });

  it("a colleague who isn't on the case can't be given the question: 400 beside the select", async () => {
    const thread = await insertThread({ caseId: p.caseA.id, createdBy: p.clientA.id });
    const response = await call(triageRoute.action, p.coach, "/triage", {
      form: [
        ["intent", "assign"],
        ["assigneeId", p.outsider.id],
        ["threadId", thread.id],
      ],
    });
    expect(response.status).toBe(400);
    expect((await responseJson<{ errors: Record<string, string> }>(response)).errors.assigneeId).toBeTruthy();
    expect(await assigneeOf(thread.id)).toBeNull();
  });

  it("an admin assigns on any case", async () => {
    const thread = await insertThread({ caseId: p.caseC.id, createdBy: p.clientC.id });
    const response = await call(triageRoute.action, p.admin, "/triage", {
      form: [
        ["intent", "assign"],
        ["assigneeId", p.outsider.id],
        ["threadId", thread.id],
      ],
    });
    expect(response.status).toBe(302);
    expect(await assigneeOf(thread.id)).toBe(p.outsider.id);
  });
});
