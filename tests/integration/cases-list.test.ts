import crypto from "node:crypto";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { eq, ne } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { caseListQuery, listCases, listLeadOptions, type CaseListQuery } from "~/models/cases.server";
import * as casesRoute from "~/routes/cases._index";
import { db } from "../../db/client";
import { caseMembers, cases, plans, planSteps, type CaseStatus, type RiskLevel, type Role, type StepStatus } from "../../db/schema";
import { createUser, requestAs, respond, responseJson, testContext } from "../support/factories";
import { countQueries } from "../support/query-counter";

// The staff's case list at /cases: who sees which cases, search, filters, sorting and pages from
// the URL, plan progress computed in SQL, and a fixed number of queries whatever the page size.

type Person = { id: string; role: Role };
type ListRow = { id: string; title: string; clientName: string; leadName: string | null; progress: number; steps: number; status: string; risk: string };
type ListData = { rows: ListRow[]; total: number; query: CaseListQuery & { scope: string }; leads: { id: string; name: string }[] };

function uniqueTag() {
  return `t${crypto.randomBytes(4).toString("hex")}`;
}

type SeedCase = {
  client: { id: string };
  lead?: { id: string } | null;
  support?: { id: string }[];
  title?: string;
  status?: CaseStatus;
  risk?: RiskLevel;
  openedAt?: Date;
  lastActivityAt?: Date;
  /** One entry per plan: the statuses of its steps, in order. */
  plans?: { steps: StepStatus[]; archived?: boolean }[];
};

async function seedCase(input: SeedCase) {
  const [row] = await db
    .insert(cases)
    .values({
      clientId: input.client.id,
      title: input.title ?? `Case ${uniqueTag()}`,
      concernCategory: "trust_repair",
      status: input.status ?? "active",
      risk: input.risk ?? "none",
      openedAt: input.openedAt ?? new Date(),
      lastActivityAt: input.lastActivityAt ?? new Date(),
    })
    .returning();
  const created = row!;
  const members = [
    ...(input.lead ? [{ caseId: created.id, userId: input.lead.id, role: "lead" as const }] : []),
    ...(input.support ?? []).map((s) => ({ caseId: created.id, userId: s.id, role: "support" as const })),
  ];
  if (members.length) await db.insert(caseMembers).values(members);
  for (const plan of input.plans ?? []) {
    const [p] = await db
      .insert(plans)
      .values({ caseId: created.id, title: "A plan", archivedAt: plan.archived ? new Date() : null })
      .returning();
    if (plan.steps.length) {
      await db.insert(planSteps).values(plan.steps.map((status, i) => ({ planId: p!.id, position: i + 1, title: `Step ${i + 1}`, status })));
    }
  }
  return created;
}

function query(input: Partial<Record<keyof CaseListQuery, unknown>> = {}): CaseListQuery {
  return caseListQuery.parse(input);
}

async function titles(actor: Person, input: Partial<Record<keyof CaseListQuery, unknown>> = {}) {
  return (await listCases(actor, query(input))).rows.map((r) => r.title);
}

async function load(user: { id: string } | null, search = "") {
  const { request } = await requestAs(user, `/cases${search}`);
  return respond(() => casesRoute.loader({ request, params: {}, context: testContext } as LoaderFunctionArgs));
}

async function loadData(user: { id: string }, search = "") {
  const response = await load(user, search);
  expect(response.status).toBe(200);
  return responseJson<ListData>(response);
}

const day = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 86_400_000);

describe("who sees which cases", () => {
  it("answers 404 to a client, and sends someone signed out to sign in", async () => {
    const client = await createUser({ role: "client" });
    await seedCase({ client });
    expect((await load(client)).status).toBe(404);
    await expect(listCases(client, query())).rejects.toMatchObject({ status: 404 });
    await expect(listLeadOptions(client)).rejects.toMatchObject({ status: 404 });

    const signedOut = await load(null);
    expect(signedOut.status).toBe(302);
    expect(signedOut.headers.get("Location")).toBe("/login?redirectTo=%2Fcases");
  });

  it("shows a coach only the cases they lead or support, even when they ask for all", async () => {
    const tag = uniqueTag();
    const coach = await createUser({ role: "coach" });
    const other = await createUser({ role: "therapist" });
    const client = await createUser({ role: "client", name: `Client ${tag}` });
    const led = await seedCase({ client, lead: coach, title: `Led ${tag}` });
    const supported = await seedCase({ client, lead: other, support: [coach], title: `Supported ${tag}` });
    await seedCase({ client, lead: other, title: `Someone else's ${tag}` });
    await seedCase({ client, lead: null, title: `Nobody's ${tag}` });

    const expected = [led.title, supported.title].sort();
    expect((await titles(coach, { q: tag })).sort()).toEqual(expected);
    expect((await titles(coach, { q: tag, scope: "all" })).sort()).toEqual(expected);

    const data = await loadData(coach, `?q=${tag}&scope=all`);
    expect(data.query.scope).toBe("mine");
    expect(data.rows.map((r) => r.title).sort()).toEqual(expected);
    expect(data.total).toBe(2);
  });

  it("shows an admin every case by default, and only their own with scope=mine", async () => {
    const tag = uniqueTag();
    const admin = await createUser({ role: "admin" });
    const coach = await createUser({ role: "coach" });
    const client = await createUser({ role: "client", name: `Client ${tag}` });
    const adminCase = await seedCase({ client, lead: admin, title: `Admin leads ${tag}` });
    const coachCase = await seedCase({ client, lead: coach, title: `Coach leads ${tag}` });
    const orphan = await seedCase({ client, lead: null, title: `No lead ${tag}` });

    const all = await loadData(admin, `?q=${tag}`);
    expect(all.query.scope).toBe("all");
    expect(all.rows.map((r) => r.title).sort()).toEqual([adminCase.title, coachCase.title, orphan.title].sort());

    const mine = await loadData(admin, `?q=${tag}&scope=mine`);
    expect(mine.query.scope).toBe("mine");
    expect(mine.rows.map((r) => r.title)).toEqual([adminCase.title]);
    expect(mine.total).toBe(1);
  });
});

describe("search, filters, sorting and pages from the URL", () => {
  it("searches client names and case titles, ignoring case and treating % and _ literally", async () => {
    const tag = uniqueTag();
    const admin = await createUser({ role: "admin" });
    const robin = await createUser({ role: "client", name: `Robin ${tag.toUpperCase()}` });
    const sam = await createUser({ role: "client", name: "Sam Elsewhere" });
    const byClient = await seedCase({ client: robin, title: "Finding our footing" });
    const byTitle = await seedCase({ client: sam, title: `After the move ${tag}` });
    const percent = await seedCase({ client: sam, title: `${tag} 100% honest` });
    await seedCase({ client: sam, title: `${tag} 100 percent honest` });
    const underscore = await seedCase({ client: sam, title: `${tag} snake_case` });
    await seedCase({ client: sam, title: `${tag} snakeXcase` });

    expect((await titles(admin, { q: `robin ${tag}` }))).toEqual([byClient.title]);
    expect((await titles(admin, { q: `AFTER THE MOVE ${tag}` }))).toEqual([byTitle.title]);
    expect(await titles(admin, { q: `${tag} 100%` })).toEqual([percent.title]);
    expect(await titles(admin, { q: `${tag} snake_case` })).toEqual([underscore.title]);
    expect(await titles(admin, { q: `%${tag}` })).toEqual([]);
    expect((await listCases(admin, query({ q: tag }))).total).toBe(6);
  });

  it("filters by status, risk and lead, and combines filters", async () => {
    const tag = uniqueTag();
    const admin = await createUser({ role: "admin" });
    const casey = await createUser({ role: "coach", name: `Casey ${tag}` });
    const theo = await createUser({ role: "therapist", name: `Theo ${tag}` });
    const client = await createUser({ role: "client", name: `Client ${tag}` });
    const a = await seedCase({ client, lead: casey, status: "active", risk: "urgent", title: `A ${tag}` });
    const b = await seedCase({ client, lead: casey, status: "paused", risk: "none", title: `B ${tag}` });
    const c = await seedCase({ client, lead: theo, support: [casey], status: "active", risk: "watch", title: `C ${tag}` });
    const d = await seedCase({ client, lead: theo, status: "closed", risk: "urgent", title: `D ${tag}` });

    const sorted = async (filters: Record<string, string>) => (await titles(admin, { q: tag, ...filters })).sort();
    expect(await sorted({ status: "active" })).toEqual([a.title, c.title]);
    expect(await sorted({ risk: "urgent" })).toEqual([a.title, d.title]);
    // "Lead" means the lead, not any member: Casey supports C but doesn't lead it.
    expect(await sorted({ lead: casey.id })).toEqual([a.title, b.title]);
    expect(await sorted({ lead: theo.id, status: "active" })).toEqual([c.title]);
    expect(await sorted({ status: "intake" })).toEqual([]);

    const data = await loadData(admin, `?q=${tag}&lead=${theo.id}&risk=urgent`);
    expect(data.rows.map((r) => [r.title, r.leadName, r.risk])).toEqual([[d.title, theo.name, "urgent"]]);
    expect(data.total).toBe(1);
    expect(data.leads.map((l) => l.id)).toEqual(expect.arrayContaining([casey.id, theo.id, admin.id]));
    expect(data.leads.map((l) => l.id)).not.toContain(client.id);
  });

  it("sorts by last activity (newest first by default), opened date and plan progress", async () => {
    const tag = uniqueTag();
    const admin = await createUser({ role: "admin" });
    const client = await createUser({ role: "client", name: `Client ${tag}` });
    const early = await seedCase({ client, title: `Early ${tag}`, openedAt: day(0), lastActivityAt: day(20), plans: [{ steps: ["done", "done"] }] });
    const middle = await seedCase({ client, title: `Middle ${tag}`, openedAt: day(5), lastActivityAt: day(30), plans: [{ steps: ["todo"] }] });
    const late = await seedCase({ client, title: `Late ${tag}`, openedAt: day(10), lastActivityAt: day(25), plans: [{ steps: ["done", "todo"] }] });

    expect(await titles(admin, { q: tag })).toEqual([middle.title, late.title, early.title]);
    expect(await titles(admin, { q: tag, sort: "activity", dir: "asc" })).toEqual([early.title, late.title, middle.title]);
    expect(await titles(admin, { q: tag, sort: "opened", dir: "asc" })).toEqual([early.title, middle.title, late.title]);
    expect(await titles(admin, { q: tag, sort: "opened", dir: "desc" })).toEqual([late.title, middle.title, early.title]);
    expect(await titles(admin, { q: tag, sort: "progress", dir: "asc" })).toEqual([middle.title, late.title, early.title]);
    expect(await titles(admin, { q: tag, sort: "progress", dir: "desc" })).toEqual([early.title, late.title, middle.title]);

    const data = await loadData(admin, `?q=${tag}&sort=progress&dir=desc`);
    expect(data.rows.map((r) => r.progress)).toEqual([100, 50, 0]);
  });

  it("pages through the list and keeps the total", async () => {
    const tag = uniqueTag();
    const coach = await createUser({ role: "coach" });
    const client = await createUser({ role: "client", name: `Client ${tag}` });
    const made = [];
    for (let i = 0; i < 23; i++) made.push(await seedCase({ client, lead: coach, title: `Case ${String(i).padStart(2, "0")} ${tag}`, openedAt: day(i) }));
    const byOpened = made.map((c) => c.title);

    const first = await loadData(coach, `?sort=opened&dir=asc&perPage=10`);
    expect(first.total).toBe(23);
    expect(first.rows.map((r) => r.title)).toEqual(byOpened.slice(0, 10));
    const third = await loadData(coach, `?sort=opened&dir=asc&perPage=10&page=3`);
    expect(third.rows.map((r) => r.title)).toEqual(byOpened.slice(20));
    expect(third.query.page).toBe(3);

    // A page past the end goes to the last page that has rows, keeping the other parameters.
    const past = await load(coach, `?sort=opened&dir=asc&perPage=10&page=9`);
    expect(past.status).toBe(302);
    expect(past.headers.get("Location")).toBe("/cases?sort=opened&dir=asc&perPage=10&page=3");
  });

  it("gives an admin's whole, unfiltered practice its full total (from the kept counts), and a filtered one its own", async () => {
    const admin = await createUser({ role: "admin" });
    const coach = await createUser({ role: "coach" });
    const client = await createUser({ role: "client", name: `Client ${uniqueTag()}` });
    await seedCase({ client, lead: coach, title: `Open ${uniqueTag()}`, openedAt: day(1) });
    await seedCase({ client, lead: coach, title: `Closed ${uniqueTag()}`, openedAt: day(2), status: "closed" });
    const all = async () => (await db.select({ id: cases.id, status: cases.status }).from(cases)).length;
    expect((await loadData(admin, "")).total).toBe(await all());
    const closed = (await db.select({ id: cases.id }).from(cases)).length - (await db.select({ id: cases.id }).from(cases).where(ne(cases.status, "closed"))).length;
    expect((await loadData(admin, "?status=closed")).total).toBe(closed);
    await db.delete(cases).where(eq(cases.status, "closed"));
    expect((await loadData(admin, "")).total).toBe(await all());
    expect((await loadData(admin, "?status=closed")).total).toBe(0);
  });

  it("falls back to the defaults when parameters make no sense", async () => {
    const tag = uniqueTag();
    const coach = await createUser({ role: "coach" });
    const client = await createUser({ role: "client", name: `Client ${tag}` });
    const older = await seedCase({ client, lead: coach, title: `Older ${tag}`, lastActivityAt: day(1) });
    const newer = await seedCase({ client, lead: coach, title: `Newer ${tag}`, lastActivityAt: day(2) });

    const data = await loadData(
      coach,
      `?q=${tag}&status=open&risk=high&lead=not-an-id&scope=everything&sort=name&dir=sideways&page=-2&perPage=7`,
    );
    // Unusable filters are dropped (JSON leaves out the undefined ones).
    expect(data.query).toEqual({ q: tag, scope: "mine", sort: "activity", dir: "desc", page: 1, perPage: 25 });
    expect(data.rows.map((r) => r.title)).toEqual([newer.title, older.title]);

    const plain = await loadData(coach, "?page=abc&perPage=1000");
    expect(plain.query).toMatchObject({ page: 1, perPage: 25, sort: "activity", dir: "desc" });
  });
});

describe("plan progress in the list", () => {
  it("is right at 0, partial and 100 %, counts only plans that are not archived, and skips skipped steps", async () => {
    const tag = uniqueTag();
    const therapist = await createUser({ role: "therapist" });
    const client = await createUser({ role: "client", name: `Client ${tag}` });
    const seeds: [string, SeedCase["plans"]][] = [
      ["no plan", []],
      ["empty plan", [{ steps: [] }]],
      ["not started", [{ steps: ["todo", "todo", "doing"] }]],
      ["one of three", [{ steps: ["done", "todo", "doing"] }]],
      ["two of three, one skipped", [{ steps: ["done", "skipped", "todo"] }]],
      ["over two plans", [{ steps: ["done", "done"] }, { steps: ["todo", "todo"] }]],
      ["archived plan ignored", [{ steps: ["done", "todo"] }, { steps: ["todo", "todo", "todo", "todo"], archived: true }]],
      ["all done", [{ steps: ["done", "done", "done"] }]],
      ["done or skipped", [{ steps: ["done", "skipped"] }]],
      ["all skipped", [{ steps: ["skipped", "skipped"] }]],
    ];
    for (const [name, planList] of seeds) await seedCase({ client, lead: therapist, title: `${name} ${tag}`, plans: planList });

    const data = await loadData(therapist, `?q=${tag}&perPage=50`);
    const byName = Object.fromEntries(data.rows.map((r) => [r.title.replace(` ${tag}`, ""), [r.progress, r.steps]]));
    expect(byName).toEqual({
      "no plan": [0, 0],
      "empty plan": [0, 0],
      "not started": [0, 3],
      "one of three": [33, 3],
      "two of three, one skipped": [50, 3],
      "over two plans": [50, 4],
      "archived plan ignored": [50, 2],
      "all done": [100, 3],
      "done or skipped": [100, 2],
      "all skipped": [100, 2],
    });
  });
});

describe("query count", () => {
  async function coachWithCases(n: number) {
    const coach = await createUser({ role: "coach" });
    const support = await createUser({ role: "therapist" });
    const client = await createUser({ role: "client" });
    for (let i = 0; i < n; i++) {
      await seedCase({
        client,
        lead: coach,
        support: [support],
        status: (["intake", "active", "paused", "closed"] as const)[i % 4],
        plans: [{ steps: ["done", "todo", "skipped"] }, { steps: ["doing"], archived: i % 2 === 0 }],
      });
    }
    return coach;
  }

  it("runs the same number of queries for a page of 5 rows as for a page of 50", async () => {
    const five = await coachWithCases(5);
    const fifty = await coachWithCases(50);

    const measure = async (coach: { id: string }, sort: string) => {
      const { request } = await requestAs(coach, `/cases?perPage=50&sort=${sort}`);
      const { result, count } = await countQueries(() =>
        respond(() => casesRoute.loader({ request, params: {}, context: testContext } as LoaderFunctionArgs)),
      );
      expect(result.status).toBe(200);
      return { rows: (await responseJson<ListData>(result)).rows.length, count };
    };

    for (const sort of ["activity", "progress"]) {
      const small = await measure(five, sort);
      const large = await measure(fifty, sort);
      expect(small.rows).toBe(5);
      expect(large.rows).toBe(50);
      expect(large.count).toBe(small.count);
      // Signing in, the page of rows, its total and the lead options: a handful, never per row.
      expect(small.count).toBeGreaterThanOrEqual(3);
      expect(small.count).toBeLessThanOrEqual(6);
    }
  });
});
