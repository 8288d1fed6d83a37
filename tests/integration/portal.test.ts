import type { LoaderFunctionArgs } from "@remix-run/node";
import { asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { describeCaseEvent } from "~/models/case-workflow.server";
import { RuleViolation } from "~/models/errors.server";
import { archivePlan, assignPlan, editPlan, listPortalPlans, saveReflection, setStepStatus } from "~/models/plans.server";
import * as portal from "~/routes/portal._index";
import { db } from "../../db/client";
import { auditEvents, cases, planSteps, type PlanStep, type StepStatus, type User } from "../../db/schema";
import { createUser, insertCase, insertTemplate, requestAs, respond, responseJson, testContext } from "../support/factories";

// The client's side of plans (issue 3, section 6): the portal checklist, starting, finishing and
// skipping steps with a reflection note, sequential plans, progress, and that a client only ever
// reaches their own steps.

type RouteFunction = (args: LoaderFunctionArgs) => Promise<unknown>;
type FormAnswer = { ok: false; intent?: string; errors: Record<string, string>; values: Record<string, string> };
type PortalData = { name: string; plans: Awaited<ReturnType<typeof listPortalPlans>> };

async function call(fn: RouteFunction, user: { id: string } | null, form?: Record<string, string>) {
  const { request } = await requestAs(user, "/portal", { form });
  return respond(() => fn({ request, params: {}, context: testContext }));
}

async function setup(options: { sequential?: boolean; steps?: number; status?: "intake" | "active" | "paused" | "closed"; startDate?: string } = {}) {
  const lead = await createUser({ role: "therapist", name: "Theo Lead" });
  const client = await createUser({ role: "client", name: "Jordan Client" });
  const { case: theCase } = await insertCase({ lead, client, status: options.status });
  const count = options.steps ?? 4;
  const template = await insertTemplate({
    title: "Healing, for the partner who was hurt",
    steps: Array.from({ length: count }, (_, i) => ({ title: `Step ${i + 1}`, guidance: `Guidance ${i + 1}`, suggestedDays: 2 })),
  });
  const plan = await assignPlan(lead, theCase.id, { templateId: template.id, startDate: options.startDate ?? null, sequential: options.sequential ?? false });
  const steps = await stepsOf(plan.id);
  return { lead, client, theCase, template, plan, steps };
}

async function stepsOf(planId: string) {
  return db.select().from(planSteps).where(eq(planSteps.planId, planId)).orderBy(asc(planSteps.position));
}

async function reloadStep(id: string): Promise<PlanStep> {
  const [row] = await db.select().from(planSteps).where(eq(planSteps.id, id));
  return row!;
}

async function caseActions(caseId: string) {
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

async function mark(user: User, stepId: string, status: "doing" | "done" | "skipped", reflection?: string) {
  return setStepStatus(user, stepId, { status, reflection });
}

describe("the portal page", () => {
  it("greets a client with no plan with a friendly empty state", async () => {
    const client = await createUser({ role: "client", name: "Riley New" });
    const response = await call(portal.loader, client);
    expect(response.status).toBe(200);
    expect(await responseJson<PortalData>(response)).toMatchObject({ name: "Riley New", plans: [] });
  });

  it("shows only the client's own active plans: not another client's, not archived ones, not a closed case's", async () => {
    const mine = await setup();
    const theirs = await setup();
    const archived = await assignPlan(mine.lead, mine.theCase.id, { templateId: mine.template.id, startDate: null, sequential: false });
    await archivePlan(mine.lead, mine.theCase.id, archived.id);
    const { case: closedCase } = await insertCase({ lead: mine.lead, client: mine.client, status: "active" });
    await assignPlan(mine.lead, closedCase.id, { templateId: mine.template.id, startDate: null, sequential: false });
    await db.update(cases).set({ status: "closed" }).where(eq(cases.id, closedCase.id));

    const response = await call(portal.loader, mine.client);
    const data = await responseJson<PortalData>(response);
    expect(data.plans.map((p) => p.id)).toEqual([mine.plan.id]);
    expect(data.plans[0]!.steps.map((s) => s.title)).toEqual(["Step 1", "Step 2", "Step 3", "Step 4"]);
    expect(data.plans[0]!.steps[0]).toMatchObject({ guidance: "Guidance 1", status: "todo", locked: false });
    expect(JSON.stringify(data)).not.toContain(theirs.plan.id);

    // Staff have no portal.
    expect((await call(portal.loader, mine.lead)).status).toBe(404);
    await expectStatus(listPortalPlans(mine.lead), 404);
  });

  it("computes progress at 0, partway, with skipped steps and at 100 %", async () => {
    const { client, plan, steps } = await setup({ steps: 4 });
    const progress = async () => (await listPortalPlans(client)).find((p) => p.id === plan.id)!.progress;
    expect(await progress()).toEqual({ total: 4, done: 0, skipped: 0, percent: 0 });
    await mark(client, steps[0]!.id, "doing");
    expect((await progress()).percent).toBe(0);
    await mark(client, steps[0]!.id, "done");
    expect(await progress()).toEqual({ total: 4, done: 1, skipped: 0, percent: 25 });
    await mark(client, steps[1]!.id, "skipped");
    // Skipped steps leave the count: 1 of 3 countable steps.
    expect(await progress()).toEqual({ total: 4, done: 1, skipped: 1, percent: 33 });
    await mark(client, steps[2]!.id, "done");
    await mark(client, steps[3]!.id, "done");
    expect(await progress()).toEqual({ total: 4, done: 3, skipped: 1, percent: 100 });
  });

  it("flags overdue steps gently: due before today and not done or skipped", async () => {
    const { client, plan, steps } = await setup({ steps: 4, startDate: "2020-01-01" });
    const future = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
    await db.update(planSteps).set({ dueDate: future }).where(eq(planSteps.id, steps[3]!.id));
    await mark(client, steps[1]!.id, "done");
    await mark(client, steps[2]!.id, "skipped");
    const view = (await listPortalPlans(client)).find((p) => p.id === plan.id)!;
    expect(view.steps.map((s) => [s.dueDate, s.overdue])).toEqual([
      ["2020-01-03", true],
      ["2020-01-05", false],
      ["2020-01-07", false],
      [future, false],
    ]);
  });
});

describe("working through steps", () => {
  it("starts, finishes and skips a step with timestamps, a note, audit rows with the case id and a fresh last activity", async () => {
    const { client, theCase, steps } = await setup();
    const old = new Date(Date.now() - 3 * 86_400_000);
    await db.update(cases).set({ lastActivityAt: old }).where(eq(cases.id, theCase.id));

    const started = await mark(client, steps[0]!.id, "doing");
    expect(started.status).toBe("doing");
    expect(started.startedAt).toBeInstanceOf(Date);
    expect(started.completedAt).toBeNull();

    const done = await mark(client, steps[0]!.id, "done", "  We talked for an hour. It was hard, and good.  ");
    expect(done).toMatchObject({ status: "done", reflection: "We talked for an hour. It was hard, and good." });
    expect(done.completedAt).toBeInstanceOf(Date);
    expect(done.startedAt).toEqual(started.startedAt);

    const skipped = await mark(client, steps[1]!.id, "skipped");
    expect(skipped).toMatchObject({ status: "skipped", completedAt: null });

    const events = await caseActions(theCase.id);
    expect(events.map((e) => e.action)).toEqual(["plan.assigned", "step.started", "step.done", "step.skipped"]);
    expect(events.slice(1).every((e) => e.actorId === client.id && e.targetType === "plan_step")).toBe(true);
    expect(events[2]!.details).toMatchObject({ step: "Step 1", plan: "Healing, for the partner who was hurt", note: "saved" });
    // The client's words stay out of the audit trail.
    expect(JSON.stringify(events.map((e) => e.details))).not.toContain("hard, and good");
    const [row] = await db.select().from(cases).where(eq(cases.id, theCase.id));
    expect(row!.lastActivityAt.getTime()).toBeGreaterThan(old.getTime());
  });

  it("reopens a done step and edits or clears the reflection on its own", async () => {
    const { client, theCase, steps } = await setup();
    await mark(client, steps[0]!.id, "done", "First thoughts");
    const reopened = await mark(client, steps[0]!.id, "doing");
    expect(reopened).toMatchObject({ status: "doing", completedAt: null, reflection: "First thoughts" });

    const edited = await saveReflection(client, steps[0]!.id, "Second thoughts");
    expect(edited).toMatchObject({ status: "doing", reflection: "Second thoughts" });
    const cleared = await saveReflection(client, steps[0]!.id, "   ");
    expect(cleared.reflection).toBeNull();
    // Saving the same note again changes nothing and writes nothing.
    await saveReflection(client, steps[0]!.id, "");

    const actions = (await caseActions(theCase.id)).map((e) => e.action);
    expect(actions).toEqual(["plan.assigned", "step.done", "step.reopened", "step.reflection_saved", "step.reflection_saved"]);
    const sentences = (await caseActions(theCase.id))
      .filter((e) => e.action === "step.reflection_saved")
      .map((e) => describeCaseEvent(e.action, e.details, "Robin"));
    expect(sentences.sort()).toEqual([`Robin cleared the reflection on “${steps[0]!.title}”.`, `Robin updated the reflection on “${steps[0]!.title}”.`]);
  });

  it("the portal form: marks a step done with its note and redirects back with a flash", async () => {
    const { client, steps } = await setup();
    const response = await call(portal.action, client, { intent: `done:${steps[0]!.id}`, reflection: "Wrote the letter, didn't send it yet." });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(`/portal#step-${steps[0]!.id}`);
    expect(response.headers.getSetCookie().some((c) => c.startsWith("cairn_flash="))).toBe(true);
    expect(await reloadStep(steps[0]!.id)).toMatchObject({ status: "done", reflection: "Wrote the letter, didn't send it yet." });

    const started = await call(portal.action, client, { intent: `start:${steps[1]!.id}`, reflection: "" });
    expect(started.status).toBe(302);
    expect((await reloadStep(steps[1]!.id)).status).toBe("doing");
  });

  it("keeps the typed note on a validation error and changes nothing", async () => {
    const { client, steps } = await setup();
    const long = "I kept writing. ".repeat(300);
    const response = await call(portal.action, client, { intent: `done:${steps[0]!.id}`, reflection: long });
    expect(response.status).toBe(400);
    const answer = await responseJson<FormAnswer>(response);
    expect(answer.intent).toBe(`done:${steps[0]!.id}`);
    expect(answer.errors.reflection).toMatch(/4,000/);
    expect(answer.values.reflection).toBe(long);
    expect(await reloadStep(steps[0]!.id)).toMatchObject({ status: "todo", reflection: null });
  });

  it("refuses steps of an archived plan", async () => {
    const { lead, client, theCase, plan, steps } = await setup();
    await archivePlan(lead, theCase.id, plan.id);
    await expect(mark(client, steps[0]!.id, "done")).rejects.toThrow(/archived/);
    const response = await call(portal.action, client, { intent: `done:${steps[0]!.id}`, reflection: "typed" });
    expect(response.status).toBe(400);
    expect(await responseJson<FormAnswer>(response)).toMatchObject({ values: { reflection: "typed" } });
    expect((await reloadStep(steps[0]!.id)).status).toBe("todo");
  });
});

describe("sequential plans", () => {
  it("holds the order on the server: a step opens only once every step before it is done or skipped", async () => {
    const { client, plan, steps } = await setup({ sequential: true, steps: 3 });
    const [first, second, third] = steps;

    const view = (await listPortalPlans(client)).find((p) => p.id === plan.id)!;
    expect(view.steps.map((s) => s.locked)).toEqual([false, true, true]);

    for (const status of ["doing", "done", "skipped"] as const) {
      await expect(mark(client, second!.id, status)).rejects.toThrow(RuleViolation);
      await expect(mark(client, second!.id, status)).rejects.toThrow(/in order/);
    }
    const posted = await call(portal.action, client, { intent: `done:${third!.id}`, reflection: "jumping ahead" });
    expect(posted.status).toBe(400);
    expect((await responseJson<FormAnswer>(posted)).errors.form).toMatch(/finish or skip the steps before/);
    expect((await reloadStep(second!.id)).status).toBe("todo");
    expect((await reloadStep(third!.id)).status).toBe("todo");

    // Starting the first step isn't enough…
    await mark(client, first!.id, "doing");
    await expect(mark(client, second!.id, "doing")).rejects.toThrow(RuleViolation);
    // …finishing (or skipping) it opens the next one, and only that one.
    await mark(client, first!.id, "skipped");
    await expect(mark(client, second!.id, "doing")).resolves.toMatchObject({ status: "doing" });
    await expect(mark(client, third!.id, "doing")).rejects.toThrow(RuleViolation);
    await mark(client, second!.id, "done");
    await expect(mark(client, third!.id, "done")).resolves.toMatchObject({ status: "done" });

    const after = (await listPortalPlans(client)).find((p) => p.id === plan.id)!;
    expect(after.steps.map((s) => [s.status, s.locked])).toEqual([
      ["skipped", false],
      ["done", false],
      ["done", false],
    ]);
  });

  it("reopening an earlier step puts the later open steps back to waiting; the flag can be turned off by staff", async () => {
    const { lead, client, theCase, plan, steps } = await setup({ sequential: true, steps: 3 });
    await mark(client, steps[0]!.id, "done");
    await mark(client, steps[1]!.id, "doing");
    await mark(client, steps[0]!.id, "doing");
    await expect(mark(client, steps[1]!.id, "done")).rejects.toThrow(RuleViolation);

    await editPlan(lead, theCase.id, plan.id, { title: plan.title, summary: plan.summary, sequential: false });
    await expect(mark(client, steps[2]!.id, "done")).resolves.toMatchObject({ status: "done" });
  });
});

describe("who may work on a step", () => {
  it("another client gets 404 for a step id posted by hand, and the step stays as it was", async () => {
    const owner = await setup();
    const intruder = await createUser({ role: "client", name: "Other Client" });
    const target = owner.steps[0]!;

    for (const verb of ["start", "done", "skip", "reopen", "note"]) {
      const response = await call(portal.action, intruder, { intent: `${verb}:${target.id}`, reflection: "not mine" });
      expect({ verb, status: response.status }).toEqual({ verb, status: 404 });
    }
    await expectStatus(mark(intruder, target.id, "done", "not mine"), 404);
    await expectStatus(saveReflection(intruder, target.id, "not mine"), 404);
    // An id that isn't a step at all answers the same.
    expect((await call(portal.action, intruder, { intent: "done:not-a-uuid" })).status).toBe(404);
    expect((await call(portal.action, intruder, { intent: `done:${crypto.randomUUID()}` })).status).toBe(404);

    const after = await reloadStep(target.id);
    expect(after).toMatchObject({ status: "todo" satisfies StepStatus, reflection: null, startedAt: null, completedAt: null });
    expect((await caseActions(owner.theCase.id)).map((e) => e.action)).toEqual(["plan.assigned"]);
  });

  it("staff can't mark a client's steps: 403 for a member, 404 for a non-member, 404 on the portal itself", async () => {
    const { lead, theCase, steps } = await setup();
    const outsider = await createUser({ role: "coach" });
    const admin = await createUser({ role: "admin" });
    await expectStatus(mark(lead, steps[0]!.id, "done"), 403);
    await expectStatus(mark(admin, steps[0]!.id, "done"), 403);
    await expectStatus(saveReflection(lead, steps[0]!.id, "a staff note"), 403);
    await expectStatus(mark(outsider, steps[0]!.id, "done"), 404);
    expect((await call(portal.action, lead, { intent: `done:${steps[0]!.id}` })).status).toBe(404);
    expect((await reloadStep(steps[0]!.id)).status).toBe("todo");
    expect((await caseActions(theCase.id)).map((e) => e.action)).toEqual(["plan.assigned"]);
  });

  it("a closed case's steps can't be changed any more", async () => {
    const { client, theCase, steps } = await setup();
    await db.update(cases).set({ status: "closed" }).where(eq(cases.id, theCase.id));
    await expect(mark(client, steps[0]!.id, "done")).rejects.toThrow(/closed/);
  });
});
