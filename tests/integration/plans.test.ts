import type { LoaderFunctionArgs } from "@remix-run/node";
import { and, asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { describeCaseEvent } from "~/models/case-workflow.server";
import { RuleViolation } from "~/models/errors.server";
import {
  addStep,
  archivePlan,
  assignPlan,
  dueDatesFrom,
  editPlan,
  editStep,
  getPlanForEditing,
  listAssignableTemplates,
  listPlansForCase,
  moveStep,
  removeStep,
  unarchivePlan,
} from "~/models/plans.server";
import * as planPage from "~/routes/cases.$caseId.plans.$planId";
import * as plansIndex from "~/routes/cases.$caseId.plans._index";
import * as plansNew from "~/routes/cases.$caseId.plans.new";
import { db } from "../../db/client";
import { auditEvents, cases, planSteps, plans, planTemplateSteps, planTemplates, type User } from "../../db/schema";
import { createUser, insertCase, insertTemplate, requestAs, respond, responseJson, testContext } from "../support/factories";

// Staff side of plans on a case (issue 3, section 5): assigning a copy of a template, editing
// the copy, and who may do any of it. Cases and templates are inserted straight into the
// database so these tests depend only on the plans model and routes.

type RouteFunction = (args: LoaderFunctionArgs) => Promise<unknown>;
type FormAnswer = { ok: false; intent?: string; errors: Record<string, string>; values: Record<string, string> };

async function call(fn: RouteFunction, user: { id: string } | null, path: string, params: Record<string, string>, form?: Record<string, string>) {
  const { request } = await requestAs(user, path, { form });
  return respond(() => fn({ request, params, context: testContext }));
}

const STEPS = [
  { title: "Own it fully", guidance: "Say what happened, **without** excuses.", suggestedDays: 3 },
  { title: "Apologise sincerely", guidance: "Name the hurt you caused.", suggestedDays: 4, resourceUrl: "https://example.org/apology" },
  { title: "Be transparent", guidance: "Offer openness before you're asked.", suggestedDays: null },
  { title: "Change what's behind it", guidance: "Find the pattern and work on it.", suggestedDays: 7 },
];

async function setup(options: { steps?: typeof STEPS; status?: "intake" | "active" | "paused" | "closed" } = {}) {
  const lead = await createUser({ role: "therapist", name: "Theo Lead" });
  const support = await createUser({ role: "coach", name: "Sam Support" });
  const outsider = await createUser({ role: "coach", name: "Olly Outsider" });
  const admin = await createUser({ role: "admin", name: "Ada Admin" });
  const client = await createUser({ role: "client", name: "Robin Client" });
  const { case: theCase } = await insertCase({ lead, support: [support], client, status: options.status });
  const template = await insertTemplate({ title: "Rebuilding trust", summary: "For the partner who broke it.", steps: options.steps ?? STEPS });
  return { lead, support, outsider, admin, client, theCase, template };
}

async function stepsOf(planId: string) {
  return db.select().from(planSteps).where(eq(planSteps.planId, planId)).orderBy(asc(planSteps.position));
}

/** The plan's version now, as the edit page would put it in its forms. */
async function versionOf(planId: string) {
  const [row] = await db.select({ version: plans.version }).from(plans).where(eq(plans.id, planId));
  return String(row!.version);
}

async function planEvents(caseId: string) {
  const rows = await db.select().from(auditEvents).where(eq(auditEvents.caseId, caseId));
  return rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
}

async function expectStatus(promise: Promise<unknown>, status: number) {
  const thrown = await promise.then(
    () => null,
    (error: unknown) => error,
  );
  expect(thrown).toBeInstanceOf(Response);
  expect((thrown as Response).status).toBe(status);
}

async function assigned(actor: User, caseId: string, templateId: string, extra: { startDate?: string | null; sequential?: boolean } = {}) {
  return assignPlan(actor, caseId, { templateId, startDate: extra.startDate ?? null, sequential: extra.sequential ?? false });
}

describe("assigning a plan", () => {
  it("copies the template's title, summary and steps onto the case, in order", async () => {
    const { lead, theCase, template } = await setup();
    const plan = await assigned(lead, theCase.id, template.id);
    expect(plan).toMatchObject({ caseId: theCase.id, templateId: template.id, title: "Rebuilding trust", summary: "For the partner who broke it." });
    const steps = await stepsOf(plan.id);
    expect(steps.map((s) => [s.position, s.title, s.status])).toEqual([
      [1, "Own it fully", "todo"],
      [2, "Apologise sincerely", "todo"],
      [3, "Be transparent", "todo"],
      [4, "Change what's behind it", "todo"],
    ]);
    expect(steps[0]!.guidance).toBe("Say what happened, **without** excuses.");
    expect(steps[1]!.resourceUrl).toBe("https://example.org/apology");
    expect(steps.every((s) => s.dueDate === null)).toBe(true);
  });

  it("sets due dates from the start date: start plus the suggested days up to and including each step", async () => {
    const { lead, theCase, template } = await setup();
    const plan = await assigned(lead, theCase.id, template.id, { startDate: "2026-03-01" });
    const steps = await stepsOf(plan.id);
    // 3 days, then 3+4, then no suggestion (no date), then 3+4+7.
    expect(steps.map((s) => s.dueDate)).toEqual(["2026-03-04", "2026-03-08", null, "2026-03-15"]);
    expect(plan.startDate).toBe("2026-03-01");
    // Across a month and a leap day.
    expect(dueDatesFrom("2028-02-27", [1, 1, null, 2])).toEqual(["2028-02-28", "2028-02-29", null, "2028-03-02"]);
  });

  it("editing the template afterwards never changes the assigned plan", async () => {
    const { lead, theCase, template } = await setup();
    const plan = await assigned(lead, theCase.id, template.id, { startDate: "2026-03-01" });
    const before = await stepsOf(plan.id);

    await db.update(planTemplates).set({ title: "Renamed template", summary: "Changed" }).where(eq(planTemplates.id, template.id));
    await db
      .update(planTemplateSteps)
      .set({ title: "Rewritten", guidance: "New text", suggestedDays: 30 })
      .where(eq(planTemplateSteps.templateId, template.id));
    await db.insert(planTemplateSteps).values({ templateId: template.id, position: 9, title: "A brand-new step" });
    await db.delete(planTemplateSteps).where(and(eq(planTemplateSteps.templateId, template.id), eq(planTemplateSteps.position, 1)));

    const [planRow] = await db.select().from(plans).where(eq(plans.id, plan.id));
    expect(planRow).toMatchObject({ title: "Rebuilding trust", summary: "For the partner who broke it." });
    expect(await stepsOf(plan.id)).toEqual(before);
  });

  it("writes plan.assigned with the case id and the template's title, and bumps the case's last activity", async () => {
    const { lead, theCase, template } = await setup();
    const old = new Date(Date.now() - 5 * 86_400_000);
    await db.update(cases).set({ lastActivityAt: old }).where(eq(cases.id, theCase.id));
    const plan = await assigned(lead, theCase.id, template.id);
    const events = await planEvents(theCase.id);
    expect(events.map((e) => e.action)).toEqual(["plan.assigned"]);
    expect(events[0]).toMatchObject({ actorId: lead.id, targetType: "plan", targetId: plan.id });
    expect(events[0]!.details).toMatchObject({ template: "Rebuilding trust", plan: "Rebuilding trust" });
    const [row] = await db.select().from(cases).where(eq(cases.id, theCase.id));
    expect(row!.lastActivityAt.getTime()).toBeGreaterThan(old.getTime());
  });

  it("lets a support member and an admin who isn't a member assign; refuses archived templates and closed cases", async () => {
    const { support, admin, theCase, template } = await setup();
    await expect(assigned(support, theCase.id, template.id)).resolves.toMatchObject({ caseId: theCase.id });
    await expect(assigned(admin, theCase.id, template.id)).resolves.toMatchObject({ caseId: theCase.id });

    const archived = await insertTemplate({ title: "Old template", archived: true });
    await expect(assigned(admin, theCase.id, archived.id)).rejects.toThrow(RuleViolation);
    const { templates } = await listAssignableTemplates(support, theCase.id);
    expect(templates.map((t) => t.id)).toContain(template.id);
    expect(templates.map((t) => t.id)).not.toContain(archived.id);
    expect(templates.find((t) => t.id === template.id)?.stepCount).toBe(4);

    const closed = await setup({ status: "closed" });
    await expect(assigned(closed.lead, closed.theCase.id, closed.template.id)).rejects.toThrow(/closed/);
  });

  it("the form: assigns, redirects to the plan with a flash, and keeps the input on a mistake", async () => {
    const { lead, theCase, template } = await setup();
    const path = `/cases/${theCase.id}/plans/new`;
    const page = await call(plansNew.loader, lead, path, { caseId: theCase.id });
    expect(page.status).toBe(200);

    const bad = await call(plansNew.action, lead, path, { caseId: theCase.id }, { templateId: "", startDate: "2026-02-30", sequential: "on" });
    expect(bad.status).toBe(400);
    const answer = await responseJson<FormAnswer>(bad);
    expect(answer.errors.templateId).toBe("Choose a template.");
    expect(answer.errors.startDate).toMatch(/date/);
    expect(answer.values).toMatchObject({ startDate: "2026-02-30", sequential: "on" });

    const good = await call(plansNew.action, lead, path, { caseId: theCase.id }, { templateId: template.id, startDate: "2026-03-01", sequential: "on" });
    expect(good.status).toBe(302);
    const [plan] = await db.select().from(plans).where(eq(plans.caseId, theCase.id));
    expect(plan!.sequential).toBe(true);
    expect(good.headers.get("Location")).toBe(`/cases/${theCase.id}/plans/${plan!.id}`);
    expect(good.headers.getSetCookie().some((c) => c.startsWith("cairn_flash="))).toBe(true);
  });
});

describe("editing the case's copy", () => {
  async function withPlan(options: { steps?: typeof STEPS } = {}) {
    const world = await setup(options);
    const plan = await assigned(world.lead, world.theCase.id, world.template.id);
    return { ...world, plan };
  }

  it("edits the plan's title, summary and sequential flag, auditing plan.edited with the case id", async () => {
    const { lead, theCase, plan } = await withPlan();
    await editPlan(lead, theCase.id, plan.id, { title: "Trust, our way", summary: "Adjusted for Robin.", sequential: true });
    const [row] = await db.select().from(plans).where(eq(plans.id, plan.id));
    expect(row).toMatchObject({ title: "Trust, our way", summary: "Adjusted for Robin.", sequential: true });
    const edited = (await planEvents(theCase.id)).filter((e) => e.action === "plan.edited");
    expect(edited).toHaveLength(1);
    expect(edited[0]!.details).toMatchObject({ plan: "Trust, our way", fields: ["title", "summary", "sequential"] });
  });

  it("adds, edits and removes steps; positions stay 1…n", async () => {
    const { lead, theCase, plan } = await withPlan();
    const added = await addStep(lead, theCase.id, plan.id, { title: "Respect their timeline", guidance: "", resourceUrl: null, dueDate: "2026-04-01" });
    expect(added.position).toBe(5);

    const steps = await stepsOf(plan.id);
    await editStep(lead, theCase.id, plan.id, steps[1]!.id, {
      title: "Apologise, and mean it",
      guidance: "- say *what* you did\n- say how it landed",
      resourceUrl: "https://example.org/how-to-apologise",
      dueDate: "2026-03-10",
    });
    const [edited] = await db.select().from(planSteps).where(eq(planSteps.id, steps[1]!.id));
    expect(edited).toMatchObject({ title: "Apologise, and mean it", resourceUrl: "https://example.org/how-to-apologise", dueDate: "2026-03-10" });

    await removeStep(lead, theCase.id, plan.id, steps[1]!.id);
    const after = await stepsOf(plan.id);
    expect(after.map((s) => [s.position, s.title])).toEqual([
      [1, "Own it fully"],
      [2, "Be transparent"],
      [3, "Change what's behind it"],
      [4, "Respect their timeline"],
    ]);

    const actions = (await planEvents(theCase.id)).map((e) => e.action);
    expect(actions).toEqual(["plan.assigned", "plan.step_added", "plan.step_edited", "plan.step_removed"]);
    expect((await planEvents(theCase.id)).every((e) => e.caseId === theCase.id)).toBe(true);
  });

  it("moves steps up and down, keeping positions contiguous; the ends refuse to move further", async () => {
    const { lead, theCase, plan } = await withPlan();
    const [first, second, third, fourth] = await stepsOf(plan.id);
    await moveStep(lead, theCase.id, plan.id, third!.id, "up");
    expect((await stepsOf(plan.id)).map((s) => s.id)).toEqual([first!.id, third!.id, second!.id, fourth!.id]);
    await moveStep(lead, theCase.id, plan.id, first!.id, "down");
    const after = await stepsOf(plan.id);
    expect(after.map((s) => s.id)).toEqual([third!.id, first!.id, second!.id, fourth!.id]);
    expect(after.map((s) => s.position)).toEqual([1, 2, 3, 4]);

    await expect(moveStep(lead, theCase.id, plan.id, third!.id, "up")).rejects.toThrow(/already the first/);
    await expect(moveStep(lead, theCase.id, plan.id, fourth!.id, "down")).rejects.toThrow(/already the last/);
    const reorders = (await planEvents(theCase.id)).filter((e) => e.action === "plan.steps_reordered");
    expect(reorders).toHaveLength(2);
    expect(reorders[0]!.details).toMatchObject({ step: "Be transparent", direction: "up", position: 2 });
  });

  it("accepts only http(s) resource links and real dates, keeping what was typed", async () => {
    const { lead, theCase, plan } = await withPlan();
    const [step] = await stepsOf(plan.id);
    const path = `/cases/${theCase.id}/plans/${plan.id}`;
    const params = { caseId: theCase.id, planId: plan.id };
    const form = { intent: `save-step:${step!.id}`, title: "Own it", guidance: "Typed **guidance**", resourceUrl: "javascript:alert(1)", dueDate: "2026-13-01" };
    const response = await call(planPage.action, lead, path, params, form);
    expect(response.status).toBe(400);
    const answer = await responseJson<FormAnswer>(response);
    expect(answer.intent).toBe(`save-step:${step!.id}`);
    expect(answer.errors.resourceUrl).toMatch(/http/);
    expect(answer.errors.dueDate).toMatch(/date/);
    expect(answer.values).toMatchObject({ title: "Own it", guidance: "Typed **guidance**", resourceUrl: "javascript:alert(1)" });
    const [unchanged] = await db.select().from(planSteps).where(eq(planSteps.id, step!.id));
    expect(unchanged!.title).toBe("Own it fully");

    // The model refuses it too when called without the form.
    await expect(
      editStep(lead, theCase.id, plan.id, step!.id, { title: "x", guidance: "", resourceUrl: "ftp://example.org/file", dueDate: null }),
    ).rejects.toThrow(RuleViolation);
  });

  it("the edit page's forms: move, remove, add and save redirect back with a flash", async () => {
    const { lead, theCase, plan } = await withPlan();
    const [first, second] = await stepsOf(plan.id);
    const path = `/cases/${theCase.id}/plans/${plan.id}`;
    const params = { caseId: theCase.id, planId: plan.id };

    const moved = await call(planPage.action, lead, path, params, { intent: `move-down:${first!.id}`, version: await versionOf(plan.id) });
    expect(moved.status).toBe(302);
    expect(moved.headers.get("Location")).toBe(`${path}#step-${first!.id}`);
    expect((await stepsOf(plan.id)).map((s) => s.id).slice(0, 2)).toEqual([second!.id, first!.id]);

    const firstUp = await call(planPage.action, lead, path, params, { intent: `move-up:${second!.id}`, version: await versionOf(plan.id) });
    expect(firstUp.status).toBe(400);
    expect((await responseJson<FormAnswer>(firstUp)).errors.form).toMatch(/already the first/);

    const removed = await call(planPage.action, lead, path, params, { intent: `remove-step:${first!.id}`, version: await versionOf(plan.id) });
    expect(removed.status).toBe(302);
    expect((await stepsOf(plan.id)).map((s) => s.position)).toEqual([1, 2, 3]);

    const added = await call(planPage.action, lead, path, params, {
      intent: "add-step",
      title: "Check in with each other",
      guidance: "",
      resourceUrl: "",
      dueDate: "",
      version: await versionOf(plan.id),
    });
    expect(added.status).toBe(302);
    expect((await stepsOf(plan.id)).at(-1)).toMatchObject({ position: 4, title: "Check in with each other", dueDate: null, resourceUrl: null });

    const details = await call(planPage.action, lead, path, params, { intent: "plan", title: "", summary: "kept" });
    expect(details.status).toBe(400);
    expect(await responseJson<FormAnswer>(details)).toMatchObject({ intent: "plan", errors: { title: "Give the plan a title." }, values: { summary: "kept" } });

    const page = await call(planPage.loader, lead, path, params);
    expect(page.status).toBe(200);
    const data = await responseJson<{ plan: { steps: { title: string }[] } }>(page);
    expect(data.plan.steps.map((s) => s.title)).toEqual(["Apologise sincerely", "Be transparent", "Change what's behind it", "Check in with each other"]);
  });

  it("archives and restores; an archived plan stays readable, listed after the active ones, and can't be edited", async () => {
    const { lead, theCase, template, plan } = await withPlan();
    const second = await assigned(lead, theCase.id, template.id);
    await archivePlan(lead, theCase.id, plan.id);

    const list = await listPlansForCase(lead, theCase.id);
    expect(list.map((p) => [p.id, Boolean(p.archivedAt)])).toEqual([
      [second.id, false],
      [plan.id, true],
    ]);
    expect(list[1]!.steps).toHaveLength(4);
    const readable = await getPlanForEditing(lead, theCase.id, plan.id);
    expect(readable.archivedAt).not.toBeNull();

    const [step] = await stepsOf(plan.id);
    await expect(editStep(lead, theCase.id, plan.id, step!.id, { title: "x", guidance: "", resourceUrl: null, dueDate: null })).rejects.toThrow(/archived/);
    await expect(addStep(lead, theCase.id, plan.id, { title: "x", guidance: "", resourceUrl: null, dueDate: null })).rejects.toThrow(/archived/);

    await unarchivePlan(lead, theCase.id, plan.id);
    expect((await getPlanForEditing(lead, theCase.id, plan.id)).archivedAt).toBeNull();
    const actions = (await planEvents(theCase.id)).map((e) => e.action);
    expect(actions).toEqual(["plan.assigned", "plan.assigned", "plan.archived", "plan.restored"]);
    const restored = (await planEvents(theCase.id)).find((e) => e.action === "plan.restored")!;
    expect(describeCaseEvent(restored.action, restored.details, "Theo")).toBe(`Theo restored the plan “${plan.title}”.`);

    const index = await call(plansIndex.loader, lead, `/cases/${theCase.id}/plans`, { caseId: theCase.id });
    expect(index.status).toBe(200);
    expect((await responseJson<{ plans: unknown[] }>(index)).plans).toHaveLength(2);
  });

  it("a step or plan id from elsewhere is not found and changes nothing", async () => {
    const { lead, theCase, template, plan } = await withPlan();
    // Another plan on the same case, and a plan on a case this lead also leads.
    const otherPlan = await assigned(lead, theCase.id, template.id);
    const elsewhere = await insertCase({ lead });
    const foreignPlan = await assigned(lead, elsewhere.case.id, template.id);
    const [foreignStep] = await stepsOf(foreignPlan.id);
    const [otherStep] = await stepsOf(otherPlan.id);

    const path = `/cases/${theCase.id}/plans/${plan.id}`;
    const params = { caseId: theCase.id, planId: plan.id };
    for (const stepId of [foreignStep!.id, otherStep!.id, "not-a-uuid"]) {
      for (const verb of ["save-step", "move-up", "move-down", "remove-step"]) {
        const response = await call(planPage.action, lead, path, params, {
          intent: `${verb}:${stepId}`,
          title: "Hijacked",
          guidance: "",
          resourceUrl: "",
          dueDate: "",
          version: await versionOf(plan.id),
        });
        expect({ verb, status: response.status }).toEqual({ verb, status: 404 });
      }
    }
    // The plan id of another case under this case's URL.
    const crossed = await call(planPage.loader, lead, `/cases/${theCase.id}/plans/${foreignPlan.id}`, { caseId: theCase.id, planId: foreignPlan.id });
    expect(crossed.status).toBe(404);
    await expectStatus(getPlanForEditing(lead, theCase.id, foreignPlan.id), 404);

    expect((await stepsOf(foreignPlan.id)).map((s) => s.title)).toEqual(STEPS.map((s) => s.title));
    expect((await stepsOf(otherPlan.id)).map((s) => s.title)).toEqual(STEPS.map((s) => s.title));
  });
});

describe("who may reach the plans pages", () => {
  it("a coach who isn't a member gets 404 for every page and action, ids posted by hand included, and nothing changes", async () => {
    const { lead, outsider, theCase, template } = await setup();
    const plan = await assigned(lead, theCase.id, template.id);
    const [step] = await stepsOf(plan.id);
    const caseId = theCase.id;
    const base = `/cases/${caseId}/plans`;

    expect((await call(plansIndex.loader, outsider, base, { caseId })).status).toBe(404);
    expect((await call(plansNew.loader, outsider, `${base}/new`, { caseId })).status).toBe(404);
    expect((await call(planPage.loader, outsider, `${base}/${plan.id}`, { caseId, planId: plan.id })).status).toBe(404);
    expect((await call(plansNew.action, outsider, `${base}/new`, { caseId }, { templateId: template.id })).status).toBe(404);

    const forms: Record<string, string>[] = [
      { intent: "plan", title: "Taken over", summary: "", sequential: "on" },
      { intent: "add-step", title: "Injected", guidance: "", resourceUrl: "", dueDate: "" },
      { intent: `save-step:${step!.id}`, title: "Rewritten", guidance: "", resourceUrl: "", dueDate: "" },
      { intent: `move-down:${step!.id}` },
      { intent: `remove-step:${step!.id}` },
      { intent: "archive" },
      { intent: "restore" },
    ];
    for (const form of forms) {
      const response = await call(planPage.action, outsider, `${base}/${plan.id}`, { caseId, planId: plan.id }, form);
      expect({ intent: form.intent, status: response.status }).toEqual({ intent: form.intent, status: 404 });
    }

    // The model functions answer the same, whatever route is used.
    await expectStatus(listPlansForCase(outsider, caseId), 404);
    await expectStatus(assigned(outsider, caseId, template.id), 404);
    await expectStatus(editPlan(outsider, caseId, plan.id, { title: "x", summary: "", sequential: false }), 404);
    await expectStatus(addStep(outsider, caseId, plan.id, { title: "x", guidance: "", resourceUrl: null, dueDate: null }), 404);
    await expectStatus(editStep(outsider, caseId, plan.id, step!.id, { title: "x", guidance: "", resourceUrl: null, dueDate: null }), 404);
    await expectStatus(moveStep(outsider, caseId, plan.id, step!.id, "down"), 404);
    await expectStatus(removeStep(outsider, caseId, plan.id, step!.id), 404);
    await expectStatus(archivePlan(outsider, caseId, plan.id), 404);

    const [planRow] = await db.select().from(plans).where(eq(plans.id, plan.id));
    expect(planRow).toMatchObject({ title: "Rebuilding trust", sequential: false, archivedAt: null });
    expect((await stepsOf(plan.id)).map((s) => s.title)).toEqual(STEPS.map((s) => s.title));
    expect((await planEvents(caseId)).map((e) => e.action)).toEqual(["plan.assigned"]);
  });

  it("a client can't edit plan content: 403 on their own case in the model, 404 on the staff pages; 404 on another client's case", async () => {
    const { lead, client, theCase, template } = await setup();
    const plan = await assigned(lead, theCase.id, template.id);
    const [step] = await stepsOf(plan.id);
    const caseId = theCase.id;

    await expectStatus(assigned(client, caseId, template.id), 403);
    await expectStatus(editPlan(client, caseId, plan.id, { title: "Mine now", summary: "", sequential: false }), 403);
    await expectStatus(addStep(client, caseId, plan.id, { title: "x", guidance: "", resourceUrl: null, dueDate: null }), 403);
    await expectStatus(editStep(client, caseId, plan.id, step!.id, { title: "x", guidance: "", resourceUrl: null, dueDate: null }), 403);
    await expectStatus(moveStep(client, caseId, plan.id, step!.id, "down"), 403);
    await expectStatus(removeStep(client, caseId, plan.id, step!.id), 403);
    await expectStatus(archivePlan(client, caseId, plan.id), 403);
    await expectStatus(getPlanForEditing(client, caseId, plan.id), 403);

    const base = `/cases/${caseId}/plans`;
    expect((await call(plansIndex.loader, client, base, { caseId })).status).toBe(404);
    expect((await call(planPage.loader, client, `${base}/${plan.id}`, { caseId, planId: plan.id })).status).toBe(404);
    const posted = await call(planPage.action, client, `${base}/${plan.id}`, { caseId, planId: plan.id }, { intent: `save-step:${step!.id}`, title: "Mine" });
    expect(posted.status).toBe(404);

    const stranger = await createUser({ role: "client" });
    await expectStatus(editPlan(stranger, caseId, plan.id, { title: "x", summary: "", sequential: false }), 404);
    await expectStatus(listPlansForCase(stranger, caseId), 404);

    expect((await stepsOf(plan.id)).map((s) => s.title)).toEqual(STEPS.map((s) => s.title));
  });

  it("a malformed or unknown case id is a plain 404", async () => {
    const { lead } = await setup();
    expect((await call(plansIndex.loader, lead, "/cases/nope/plans", { caseId: "nope" })).status).toBe(404);
    const unknown = crypto.randomUUID();
    expect((await call(plansNew.loader, lead, `/cases/${unknown}/plans/new`, { caseId: unknown })).status).toBe(404);
  });
});
