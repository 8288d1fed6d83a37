import type { LoaderFunctionArgs } from "@remix-run/node";
import { asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { assignPlan, editStep, setStepStatus, StalePlanEdit } from "~/models/plans.server";
import * as planPage from "~/routes/cases.$caseId.plans.$planId";
import { db } from "../../db/client";
import { planSteps, plans } from "../../db/schema";
import { createUser, insertCase, insertTemplate, requestAs, respond, responseJson, testContext } from "../support/factories";
import { renderPage } from "../support/render-page";

// Two staff members editing the same plan: each edit carries the plan version its editor's page
// showed, and a save made from a version that is no longer current is refused (409) with a
// clear message and the editor's input kept, instead of silently overwriting the other's work.

type RouteFunction = (args: LoaderFunctionArgs) => Promise<unknown>;
type Refusal = { ok: false; intent: string; stale?: boolean; errors: Record<string, string>; values: Record<string, string> };
type PageData = { plan: { version: number; title: string; steps: { id: string; title: string }[] } };

async function call(fn: RouteFunction, user: { id: string }, path: string, params: Record<string, string>, form?: Record<string, string>) {
  const { request } = await requestAs(user, path, { form });
  return respond(() => fn({ request, params, context: testContext }));
}

async function setup() {
  const lead = await createUser({ role: "therapist", name: "Theo Lead" });
  const support = await createUser({ role: "coach", name: "Morgan Support" });
  const client = await createUser({ role: "client", name: "Robin Client" });
  const { case: theCase } = await insertCase({ lead, support: [support], client });
  const template = await insertTemplate({
    title: "Rebuilding trust",
    steps: [
      { title: "Own it fully", guidance: "Say what happened.", suggestedDays: 3 },
      { title: "Apologise sincerely", guidance: "Name the hurt.", suggestedDays: 4 },
      { title: "Be transparent", guidance: "Offer openness.", suggestedDays: null },
    ],
  });
  const plan = await assignPlan(lead, theCase.id, { templateId: template.id, startDate: null, sequential: false });
  const path = `/cases/${theCase.id}/plans/${plan.id}`;
  const params = { caseId: theCase.id, planId: plan.id };
  /** What a staff member's page shows when they open the plan: its version and steps. */
  const open = async (user: { id: string }) => (await responseJson<PageData>(await call(planPage.loader, user, path, params))).plan;
  const send = (user: { id: string }, form: Record<string, string>) => call(planPage.action, user, path, params, form);
  return { lead, support, client, theCase, plan, path, params, open, send };
}

async function stepsOf(planId: string) {
  return db.select().from(planSteps).where(eq(planSteps.planId, planId)).orderBy(asc(planSteps.position));
}

async function versionOf(planId: string) {
  const [row] = await db.select({ version: plans.version }).from(plans).where(eq(plans.id, planId));
  return row!.version;
}

const stepForm = (stepId: string, version: number, title: string, guidance = "") => ({
  intent: `save-step:${stepId}`,
  title,
  guidance,
  resourceUrl: "",
  dueDate: "",
  version: String(version),
});

describe("two staff members editing the same plan", () => {
  it("both open version 1; the first save goes through, the second is refused with 409, a clear message and their words kept", async () => {
    const s = await setup();
    const theirs = await s.open(s.lead);
    const mine = await s.open(s.support);
    expect(theirs.version).toBe(1);
    expect(mine.version).toBe(1);
    const stepId = theirs.steps[1]!.id;

    const first = await s.send(s.lead, stepForm(stepId, theirs.version, "Apologise without a 'but'", "Lead's guidance."));
    expect(first.status).toBe(302);

    const second = await s.send(s.support, stepForm(stepId, mine.version, "Say sorry and mean it", "Support's guidance."));
    expect(second.status).toBe(409);
    const refusal = await responseJson<Refusal>(second);
    expect(refusal.intent).toBe(`save-step:${stepId}`);
    expect(refusal.stale).toBe(true);
    expect(refusal.errors.form).toMatch(/^Someone else changed this plan while you were editing \(Theo Lead, .+ UTC\)\. Your changes were not saved/);
    expect(refusal.errors.form).toMatch(/reload to see their version/);
    expect(refusal.values).toMatchObject({ title: "Say sorry and mean it", guidance: "Support's guidance." });

    // Nothing of the second save was written over the first.
    const [, step] = await stepsOf(s.plan.id);
    expect(step).toMatchObject({ title: "Apologise without a 'but'", guidance: "Lead's guidance." });
    expect(await versionOf(s.plan.id)).toBe(2);
  });

  it("refuses every kind of stale edit — details, add, remove, reorder, archive — and changes nothing", async () => {
    const s = await setup();
    const stale = await s.open(s.support);
    await s.send(s.lead, { intent: "plan", title: "Trust, our way", summary: "", version: String(stale.version) });
    const [a, b] = stale.steps;
    const v = String(stale.version);

    const forms: Record<string, string>[] = [
      { intent: "plan", title: "Support's title", summary: "Support's summary", sequential: "on", version: v },
      { intent: "add-step", title: "A step from an old page", guidance: "", resourceUrl: "", dueDate: "", version: v },
      { intent: `remove-step:${a!.id}`, version: v },
      { intent: `move-down:${a!.id}`, version: v },
      { intent: `move-up:${b!.id}`, version: v },
      { intent: "archive", version: v },
    ];
    for (const form of forms) {
      const response = await s.send(s.support, form);
      expect({ intent: form.intent, status: response.status }).toEqual({ intent: form.intent, status: 409 });
      expect((await responseJson<Refusal>(response)).errors.form).toMatch(/Someone else changed this plan/);
    }
    const [plan] = await db.select().from(plans).where(eq(plans.id, s.plan.id));
    expect(plan).toMatchObject({ title: "Trust, our way", summary: "", sequential: false, archivedAt: null, version: 2 });
    expect((await stepsOf(s.plan.id)).map((step) => step.title)).toEqual(["Own it fully", "Apologise sincerely", "Be transparent"]);
  });

  it("the refused page shows the message and keeps what was typed in the form", async () => {
    const s = await setup();
    const page = await s.open(s.support);
    await s.send(s.lead, stepForm(page.steps[0]!.id, page.version, "Own it, no excuses"));
    const html = await renderPage(
      planPage,
      "/cases/:caseId/plans/:planId",
      s.support,
      s.path,
      Object.entries(stepForm(page.steps[0]!.id, page.version, "Own what happened, all of it", "Typed by support.")),
    );
    expect(html).toContain("Someone else changed this plan while you were editing (Theo Lead");
    expect(html).toContain('value="Own what happened, all of it"');
    expect(html).toContain("Typed by support.");
    expect(html).toContain("Show the plan as it is now");
  });

  it("the same person in two tabs is told it was their other tab", async () => {
    const s = await setup();
    const tabA = await s.open(s.lead);
    const tabB = await s.open(s.lead);
    await s.send(s.lead, stepForm(tabA.steps[0]!.id, tabA.version, "From tab A"));
    const refused = await s.send(s.lead, stepForm(tabB.steps[0]!.id, tabB.version, "From tab B"));
    expect(refused.status).toBe(409);
    expect((await responseJson<Refusal>(refused)).errors.form).toMatch(/another of your tabs or windows/);
  });

  it("two saves from the same version at the same moment: one is stored, the other refused", async () => {
    const s = await setup();
    const [step] = await stepsOf(s.plan.id);
    const input = (title: string) => ({ title, guidance: "", resourceUrl: null, dueDate: null });
    const results = await Promise.allSettled([
      editStep(s.lead, s.theCase.id, s.plan.id, step!.id, input("Lead's words"), null, 1),
      editStep(s.support, s.theCase.id, s.plan.id, step!.id, input("Support's words"), null, 1),
    ]);
    const fulfilled = results.filter((r) => r.status === "fulfilled");
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toBeInstanceOf(StalePlanEdit);
    const [after] = await stepsOf(s.plan.id);
    expect(after!.title).toBe((fulfilled[0] as PromiseFulfilledResult<{ title: string }>).value.title);
    expect(await versionOf(s.plan.id)).toBe(2);
  });

  it("a form without the version is refused as out of date, and saves nothing", async () => {
    const s = await setup();
    const [step] = await stepsOf(s.plan.id);
    const { version: _, ...withoutVersion } = stepForm(step!.id, 1, "No version here");
    const response = await s.send(s.lead, withoutVersion);
    expect(response.status).toBe(400);
    expect((await responseJson<Refusal>(response)).errors.form).toMatch(/out of date/);
    expect((await stepsOf(s.plan.id))[0]!.title).toBe("Own it fully");
  });
});

describe("one editor at a time", () => {
  it("a normal run of saves, each from the page the last one led to, all go through; a save that changes nothing keeps the version", async () => {
    const s = await setup();
    let page = await s.open(s.lead);
    const next = async (form: (p: typeof page) => Record<string, string>) => {
      const sent = form(page);
      const response = await s.send(s.lead, sent);
      expect({ intent: sent.intent, status: response.status }).toEqual({ intent: sent.intent, status: 302 });
      page = await s.open(s.lead);
    };
    await next((p) => ({ intent: "plan", title: "Trust, our way", summary: "For Robin.", version: String(p.version) }));
    await next((p) => stepForm(p.steps[0]!.id, p.version, "Own it fully, without excuses"));
    await next((p) => ({ intent: "add-step", title: "Weekly talk", guidance: "", resourceUrl: "", dueDate: "", version: String(p.version) }));
    await next((p) => ({ intent: `move-up:${p.steps[3]!.id}`, version: String(p.version) }));
    await next((p) => ({ intent: `remove-step:${p.steps[1]!.id}`, version: String(p.version) }));
    expect(page.version).toBe(6);

    // Saving the details unchanged is no change: the version stays, so nobody else is refused for it.
    await next((p) => ({ intent: "plan", title: "Trust, our way", summary: "For Robin.", version: String(p.version) }));
    expect(page.version).toBe(6);
    expect(page.title).toBe("Trust, our way");
    expect(page.steps.map((step) => step.title)).toEqual(["Own it fully, without excuses", "Weekly talk", "Be transparent"]);
  });

  it("the client working through steps doesn't make a staff editor's page stale", async () => {
    const s = await setup();
    const page = await s.open(s.lead);
    await setStepStatus(s.client, page.steps[0]!.id, { status: "done", reflection: "Said it all." });
    expect(await versionOf(s.plan.id)).toBe(page.version);

    const saved = await s.send(s.lead, stepForm(page.steps[0]!.id, page.version, "Own it fully", "Clearer guidance."));
    expect(saved.status).toBe(302);
    const [step] = await stepsOf(s.plan.id);
    // The staff edit and the client's work both stand.
    expect(step).toMatchObject({ guidance: "Clearer guidance.", status: "done", reflection: "Said it all." });
  });
});
