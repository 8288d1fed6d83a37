import type { LoaderFunctionArgs } from "@remix-run/node";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { assignPlan } from "~/models/plans.server";
import { createSavedReply } from "~/models/saved-replies.server";
import { addPost, startThread } from "~/models/threads.server";
import { runInRequestScope } from "~/request-scope.server";
import * as root from "~/root";
import * as adminDashboard from "~/routes/admin._index";
import * as caseLayout from "~/routes/cases.$caseId";
import * as caseOverview from "~/routes/cases.$caseId._index";
import * as portal from "~/routes/portal._index";
import * as portalThread from "~/routes/portal.questions.$threadId";
import * as staffThread from "~/routes/threads.$threadId";
import * as triage from "~/routes/triage";
import { db } from "../../db/client";
import { databaseHandle } from "../../db/handle";
import { createUser, insertCase, insertTemplate, requestAs, respond, testContext } from "../support/factories";
import { collectLookups, type LookupStatement } from "../support/lookup-statements";
import type { PlanNode } from "../support/query-plan";

// Statements sent through lookupDb run on connections that keep one plan per statement, made
// for any values (db/connect.ts, LOOKUP_SETTINGS). That is only right for lookups by a key: a
// plan that reads a whole table, or walks a whole index, for one value would be kept and used
// for every value. This opens the pages that use lookupDb and checks each statement they sent
// there: in its plan for any values, every table is reached through an index condition.
// Postgres only: the embedded database has one connection, and no kept plans.

type RouteFunction = (args: LoaderFunctionArgs) => Promise<unknown>;

/** Tables of a handful of rows by design, where reading them whole is the right plan. */
const SMALL_TABLES = new Set(["user_counts", "case_counts", "practice_settings", "dashboard_weeks"]);

/**
 * Statements that read the whole practice by design rather than look up by a key: the admin
 * dashboard's weekly figures (every active case, the current week's check-ins and answers). For
 * them the kept plan must be the plan Postgres makes for the values themselves.
 */
const WHOLE_PRACTICE = [/^with "weeks" as/];

/** A parameter as an SQL literal, for EXECUTE. */
function literal(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return literal(`{${value.map((v) => `"${String(v).replace(/["\\]/g, "\\$&")}"`).join(",")}}`);
  const text = value instanceof Date ? value.toISOString() : typeof value === "object" ? JSON.stringify(value) : String(value);
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * The plan Postgres keeps for `statement` whatever its values (seq scans priced out, as in
 * query-plan.ts), or with `forValues` the one it makes for this call's values.
 */
async function keptPlan(statement: LookupStatement, forValues = false): Promise<PlanNode> {
  const result = await db.transaction(async (tx) => {
    await tx.execute(sql.raw(`set local plan_cache_mode = ${forValues ? "force_custom_plan" : "force_generic_plan"}`));
    await tx.execute(sql`set local enable_seqscan = off`);
    await tx.execute(sql.raw(`prepare lookup_plan_check as ${statement.query}`));
    try {
      const args = statement.parameters.length ? `(${statement.parameters.map(literal).join(", ")})` : "";
      return await tx.execute(sql.raw(`explain (format json) execute lookup_plan_check${args}`));
    } finally {
      await tx.execute(sql`deallocate lookup_plan_check`);
    }
  });
  const rows = result as unknown as Record<string, unknown>[];
  const raw = Object.values(rows[0]!)[0];
  const [{ Plan }] = (typeof raw === "string" ? JSON.parse(raw) : raw) as [{ Plan: PlanNode }];
  return Plan;
}

type ScanNode = PlanNode & { "Relation Name"?: string; "Recheck Cond"?: string };

/** A plan's shape: its nodes in order, each with the index or table it reads. */
function shape(node: ScanNode): string[] {
  return [`${node["Node Type"]} ${node["Index Name"] ?? node["Relation Name"] ?? ""}`.trim(), ...((node.Plans ?? []) as ScanNode[]).flatMap(shape)];
}

/** The plan's reads of tables that aren't keyed: sequential scans, and index scans without an index condition. */
function unkeyedReads(plan: PlanNode): string[] {
  const found: string[] = [];
  const visit = (node: ScanNode, parentKeyed: boolean) => {
    const type = node["Node Type"] ?? "";
    const table = node["Relation Name"];
    const keyed = Boolean(node["Index Cond"] ?? node["Recheck Cond"]);
    if (table && !SMALL_TABLES.has(table)) {
      if (type === "Seq Scan") found.push(`${type} on ${table}`);
      if ((type === "Index Scan" || type === "Index Only Scan") && !keyed) found.push(`${type} on ${table} (${node["Index Name"]}) without a condition`);
      if (type === "Bitmap Heap Scan" && !keyed && !parentKeyed) found.push(`${type} on ${table} without a condition`);
    }
    if (type === "Bitmap Index Scan" && !keyed && !SMALL_TABLES.has(node["Index Name"] ?? "")) found.push(`${type} on ${node["Index Name"]} without a condition`);
    for (const child of (node.Plans ?? []) as ScanNode[]) visit(child, keyed);
  };
  visit(plan, false);
  return found;
}

async function fixture() {
  // A practice's shape, for the planner's statistics: thousands of clients, dozens of staff. A plan
  // made for any values estimates from these (e.g. how many users a role matches).
  await db.execute(sql`insert into users (email, name, role, password_hash)
    select 'bulk-' || i || '-' || gen_random_uuid() || '@cairn.test', 'Person ' || i,
      (case when i <= 30 then 'coach' when i <= 50 then 'therapist' else 'client' end)::user_role, 'not-a-real-hash'
    from generate_series(1, 5000) as i`);
  await db.execute(sql`analyze users`);
  const admin = await createUser({ role: "admin" });
  const lead = await createUser({ role: "coach", name: "Lead Coach" });
  const support = await createUser({ role: "therapist", name: "Support Therapist" });
  const client = await createUser({ role: "client", name: "Robin Client" });
  const { case: theCase } = await insertCase({ lead, support: [support], client });
  const template = await insertTemplate({
    title: "Rebuilding trust",
    steps: [
      { title: "Own it fully", guidance: "Say what happened.", suggestedDays: 3 },
      { title: "Apologise sincerely", guidance: "Name the hurt.", suggestedDays: 4 },
    ],
  });
  await assignPlan(lead, theCase.id, { templateId: template.id, startDate: null, sequential: false });
  const { thread, post } = await startThread(client, theCase.id, { title: "Where do we start?", body: "It feels like too much." });
  await addPost(lead, thread.id, { parentId: post.id, body: "One step at a time." });
  await addPost(support, thread.id, { body: "For the team only", visibility: "internal" });
  await createSavedReply(lead, { title: "Welcome", body: "Glad you asked." });
  return { admin, lead, client, theCase, thread };
}

async function open(fn: RouteFunction, user: { id: string }, path: string, params: Record<string, string> = {}) {
  const { request } = await requestAs(user, path);
  const response = await runInRequestScope("GET", () => respond(() => fn({ request, params, context: testContext })));
  expect(response.status, path).toBe(200);
}

const { kind } = await databaseHandle();

describe.runIf(kind === "postgres")("statements whose plans are kept for any values (lookupDb)", () => {
  it("reach every table through an index condition, on every page that sends them", async () => {
    const f = await fixture();
    const caseParams = { caseId: f.theCase.id };
    const threadParams = { threadId: f.thread.id };
    const statements = await collectLookups(async () => {
      await open(root.loader, f.lead, "/triage");
      await open(triage.loader, f.lead, "/triage");
      await open(staffThread.loader, f.lead, `/threads/${f.thread.id}`, threadParams);
      await open(staffThread.loader, f.admin, `/threads/${f.thread.id}`, threadParams);
      await open(portalThread.loader, f.client, `/portal/questions/${f.thread.id}`, threadParams);
      await open(caseLayout.loader, f.lead, `/cases/${f.theCase.id}`, caseParams);
      await open(caseLayout.loader, f.admin, `/cases/${f.theCase.id}`, caseParams);
      await open(caseOverview.loader, f.lead, `/cases/${f.theCase.id}`, caseParams);
      await open(portal.loader, f.client, "/portal");
      await open(adminDashboard.loader, f.admin, "/admin");
    });
    // The pages above send at least these through lookupDb (the session, the thread, its posts
    // and read mark, the case header and overview, the portal's plans, the dashboard's counts).
    expect(statements.length).toBeGreaterThanOrEqual(15);
    if (process.env.SHOW_LOOKUPS) for (const s of statements) console.log(s.query.slice(0, 120));

    const problems: string[] = [];
    let wholePractice = 0;
    for (const statement of statements) {
      const kept = await keptPlan(statement);
      if (WHOLE_PRACTICE.some((pattern) => pattern.test(statement.query))) {
        wholePractice++;
        expect(shape(kept), statement.query.slice(0, 200)).toEqual(shape(await keptPlan(statement, true)));
        continue;
      }
      for (const read of unkeyedReads(kept)) problems.push(`${read}\n  in: ${statement.query.slice(0, 200)}`);
    }
    expect(problems).toEqual([]);
    expect(wholePractice).toBe(1);
  });

  it("catches a kept plan that would read a table whole", async () => {
    // The check itself: a lookup by a column no index holds (users' email is indexed only in
    // lower case) reads the table, or a whole index, for any one value.
    const plan = await keptPlan({ query: "select id from users where email = $1", parameters: ["robin@cairn.test"] });
    expect(unkeyedReads(plan)).toHaveLength(1);
    const keyed = await keptPlan({ query: "select id from users where lower(email) = lower($1)", parameters: ["robin@cairn.test"] });
    expect(unkeyedReads(keyed)).toEqual([]);
  });
});
