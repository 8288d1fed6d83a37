import { and, desc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { assignPlan } from "~/models/plans.server";
import * as planPage from "~/routes/cases.$caseId.plans.$planId";
import * as assignPage from "~/routes/cases.$caseId.plans.new";
import * as templatePage from "~/routes/plans.templates.$templateId";
import * as templateList from "~/routes/plans.templates._index";
import * as newTemplate from "~/routes/plans.templates.new";
import * as portalHome from "~/routes/portal._index";
import { db } from "../../db/client";
import { plans, planSteps, planTemplates, planTemplateSteps } from "../../db/schema";
import { createUser, insertCase, insertTemplate } from "../support/factories";
import {
  expectLimitShownInForm,
  expectNoLiveInjection,
  expectShownAsText,
  HOSTILE_INPUTS,
  HOSTILE_SAMPLE,
  HOSTILE_URLS,
  sendAllThrough,
  type FieldUnderTest,
} from "../support/hostile-input";
import { renderPage, type PageModule } from "../support/render-page";

// Hostile text through plan templates, a case's own plan, and the client's reflections: each
// value is posted through the route's action as someone allowed to, then the pages that show it
// are rendered (the template, the staff plan page, the client's portal). No answer is an error,
// what was typed is stored as typed (NUL removed, trimmed), over-long text gets the limit message
// beside the field, and no page carries live markup. Guidance and reflections take the whole
// corpus; resource links only ever hold http(s) addresses.
//
// | route module                | path                     | intent       | field         | other fields                 |
// |-----------------------------|--------------------------|--------------|---------------|------------------------------|
// | plans.templates.new         | /plans/templates/new     | –            | title         | summary                      |
// | plans.templates.new         | /plans/templates/new     | –            | summary       | title                        |
// | plans.templates.$templateId | /plans/templates/:id     | details      | title/summary | the other one                |
// | plans.templates.$templateId | /plans/templates/:id     | add-step     | title         | guidance                     |
// | plans.templates.$templateId | /plans/templates/:id     | edit-step    | guidance      | stepId, title                |
// | plans.templates.$templateId | /plans/templates/:id     | add-step     | resourceUrl   | title                        |
// | plans.templates.$templateId | /plans/templates/:id     | add-step     | suggestedDays | title                        |
// | cases.$caseId.plans.$planId | /cases/:id/plans/:planId | plan         | title/summary | the other one                |
// | cases.$caseId.plans.$planId | /cases/:id/plans/:planId | add-step     | title         | –                            |
// | cases.$caseId.plans.$planId | /cases/:id/plans/:planId | save-step:id | guidance      | title                        |
// | cases.$caseId.plans.$planId | /cases/:id/plans/:planId | add-step     | resourceUrl   | title                        |
// | cases.$caseId.plans.$planId | /cases/:id/plans/:planId | add-step     | dueDate       | title                        |
// | cases.$caseId.plans.new     | /cases/:id/plans/new     | –            | startDate     | templateId                   |
// | portal._index               | /portal                  | note:<step>  | reflection    | –                            |

const page = (module: unknown) => module as PageModule;
const orNull = (value: string) => (value === "" ? null : value);
const isHttpUrl = (value: string) => {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
};

describe("plan templates", () => {
  it("keeps titles, summaries, step titles and links as typed and shows them inert", { timeout: 90_000 }, async () => {
    const coach = await createUser({ role: "coach" });
    const newest = async () => (await db.select().from(planTemplates).where(eq(planTemplates.ownerId, coach.id)).orderBy(desc(planTemplates.createdAt)).limit(1))[0];
    const title: FieldUnderTest = {
      route: "plans.templates.new",
      action: newTemplate.action,
      path: "/plans/templates/new",
      field: "title",
      others: { summary: "For the partner who broke the trust." },
      as: coach,
      max: 120,
      required: true,
      read: async () => (await newest())?.title,
    };
    const titles = await sendAllThrough(title, HOSTILE_SAMPLE);
    await sendAllThrough({ ...title, field: "summary", others: { title: "Rebuilding trust" }, max: 1000, required: false, read: async () => (await newest())?.summary }, HOSTILE_SAMPLE);

    const template = await insertTemplate({ ownerId: coach.id, steps: [{ title: "Own it fully" }] });
    const [step] = await db.select().from(planTemplateSteps).where(eq(planTemplateSteps.templateId, template.id));
    const reread = async () => (await db.select().from(planTemplates).where(eq(planTemplates.id, template.id)))[0];
    const newestStep = async () =>
      (await db.select().from(planTemplateSteps).where(eq(planTemplateSteps.templateId, template.id)).orderBy(desc(planTemplateSteps.position)).limit(1))[0];
    const onTemplate = { path: `/plans/templates/${template.id}`, params: { templateId: template.id }, action: templatePage.action, route: "plans.templates.$templateId" };
    const details: FieldUnderTest = { ...title, ...onTemplate, intent: "details", others: { summary: "" }, read: async () => (await reread())?.title };
    await sendAllThrough(details, HOSTILE_SAMPLE);
    const stepTitle: FieldUnderTest = { ...onTemplate, intent: "add-step", field: "title", others: { guidance: "" }, as: coach, max: 160, required: true, read: async () => (await newestStep())?.title };
    const stepTitles = await sendAllThrough(stepTitle, HOSTILE_SAMPLE);
    const link: FieldUnderTest = {
      ...stepTitle,
      field: "resourceUrl",
      others: { title: "Read this first" },
      max: 2000,
      required: false,
      valid: (value) => value === "" || isHttpUrl(value),
      read: async () => (await newestStep())?.resourceUrl,
      storedAs: orNull,
    };
    const links = await sendAllThrough(link, [...HOSTILE_URLS, ...HOSTILE_SAMPLE]);
    expect(links.filter((l) => /^(javascript|data|vbscript|file):/i.test(l.trim()))).toEqual([]);
    // Not a length-limited field: anything but a whole number of days (or nothing) gets the number message.
    await sendAllThrough(
      { ...stepTitle, field: "suggestedDays", others: { title: "Give it time" }, max: Infinity, required: false, valid: (value) => value === "", read: undefined },
      HOSTILE_SAMPLE,
    );

    const html = await renderPage(page(templatePage), "/plans/templates/:templateId", coach, `/plans/templates/${template.id}`);
    expectNoLiveInjection(html, "template page");
    expectShownAsText(html, [...stepTitles, ...links], "template page");
    const list = await renderPage(page(templateList), "/plans/templates", coach, "/plans/templates?perPage=100");
    expectNoLiveInjection(list, "template list");
    expectShownAsText(list, titles, "template list");
    await expectLimitShownInForm(title, { module: page(newTemplate), pattern: "/plans/templates/new" });
    await expectLimitShownInForm({ ...stepTitle, field: "guidance", others: { title: "Long guidance" }, max: 5000 }, { module: page(templatePage), pattern: "/plans/templates/:templateId" });
    expect(step).toBeDefined();
  });

  it("keeps every guidance text as typed and renders it inert", { timeout: 90_000 }, async () => {
    const coach = await createUser({ role: "coach" });
    const template = await insertTemplate({ ownerId: coach.id, steps: [{ title: "Own it fully" }] });
    const [step] = await db.select().from(planTemplateSteps).where(eq(planTemplateSteps.templateId, template.id));
    const guidance: FieldUnderTest = {
      route: "plans.templates.$templateId",
      action: templatePage.action,
      path: `/plans/templates/${template.id}`,
      params: { templateId: template.id },
      intent: "add-step",
      field: "guidance",
      others: { title: "A step" },
      as: coach,
      max: 5000,
      required: false,
      read: async () =>
        (await db.select().from(planTemplateSteps).where(eq(planTemplateSteps.templateId, template.id)).orderBy(desc(planTemplateSteps.position)).limit(1))[0]?.guidance,
    };
    await sendAllThrough(guidance, HOSTILE_INPUTS);
    await sendAllThrough(
      {
        ...guidance,
        intent: "edit-step",
        others: { stepId: step!.id, title: "Own it fully" },
        read: async () => (await db.select().from(planTemplateSteps).where(eq(planTemplateSteps.id, step!.id)))[0]?.guidance,
      },
      HOSTILE_SAMPLE,
    );
    const html = await renderPage(page(templatePage), "/plans/templates/:templateId", coach, `/plans/templates/${template.id}`);
    expectNoLiveInjection(html, "template page");
    expect(html).toContain('<a href="https://evil.example/track.png" rel="nofollow noopener noreferrer">Image: x</a>');
  });
});

describe("a case's plan and the client's reflections", () => {
  async function setup() {
    const lead = await createUser({ role: "therapist" });
    const client = await createUser({ role: "client" });
    const { case: c } = await insertCase({ lead, client });
    const template = await insertTemplate({ steps: [{ title: "Own it fully" }, { title: "Apologise without excuses" }] });
    const plan = await assignPlan(lead, c.id, { templateId: template.id, startDate: null, sequential: false });
    const steps = await db.select().from(planSteps).where(eq(planSteps.planId, plan.id)).orderBy(planSteps.position);
    return { lead, client, caseId: c.id, plan, steps };
  }

  it("keeps the plan's title, summary and steps as typed; the staff page and the portal show them inert", { timeout: 90_000 }, async () => {
    const s = await setup();
    const reread = async () => (await db.select().from(plans).where(eq(plans.id, s.plan.id)))[0];
    const newestStep = async () => (await db.select().from(planSteps).where(eq(planSteps.planId, s.plan.id)).orderBy(desc(planSteps.position)).limit(1))[0];
    const onPlan = {
      route: "cases.$caseId.plans.$planId",
      action: planPage.action,
      path: `/cases/${s.caseId}/plans/${s.plan.id}`,
      params: { caseId: s.caseId, planId: s.plan.id },
      as: s.lead,
    };
    // Every edit form carries the plan version its page showed.
    const withVersion = (fields: Record<string, string>) => async () => ({ ...fields, version: String((await reread())!.version) });
    const title: FieldUnderTest = {
      ...onPlan,
      intent: "plan",
      field: "title",
      others: withVersion({ summary: "" }),
      max: 160,
      required: true,
      read: async () => (await reread())?.title,
    };
    const titles = await sendAllThrough(title, HOSTILE_SAMPLE);
    await sendAllThrough(
      { ...title, field: "summary", others: withVersion({ title: "Rebuilding trust" }), max: 2000, required: false, read: async () => (await reread())?.summary },
      HOSTILE_SAMPLE,
    );
    const stepTitle: FieldUnderTest = {
      ...onPlan,
      intent: "add-step",
      field: "title",
      others: withVersion({}),
      max: 200,
      required: true,
      read: async () => (await newestStep())?.title,
    };
    const stepTitles = await sendAllThrough(stepTitle, HOSTILE_SAMPLE);
    const links = await sendAllThrough(
      {
        ...stepTitle,
        field: "resourceUrl",
        others: withVersion({ title: "Read this first" }),
        max: 2000,
        required: false,
        valid: (value) => value === "" || isHttpUrl(value),
        read: async () => (await newestStep())?.resourceUrl,
        storedAs: orNull,
      },
      [...HOSTILE_URLS, ...HOSTILE_SAMPLE],
    );
    // Not a length-limited field: anything but a date (or nothing) is refused with the date message.
    await sendAllThrough(
      { ...stepTitle, field: "dueDate", others: withVersion({ title: "By the weekend" }), max: Infinity, required: false, valid: (value) => value === "", read: undefined },
      HOSTILE_SAMPLE,
    );
    const first = s.steps[0]!;
    const guidance: FieldUnderTest = {
      ...onPlan,
      intent: `save-step:${first.id}`,
      field: "guidance",
      others: withVersion({ title: "Own it fully" }),
      max: 10_000,
      required: false,
      read: async () => (await db.select().from(planSteps).where(eq(planSteps.id, first.id)))[0]?.guidance,
    };
    await sendAllThrough(guidance, HOSTILE_INPUTS);

    const staff = await renderPage(page(planPage), "/cases/:caseId/plans/:planId", s.lead, `/cases/${s.caseId}/plans/${s.plan.id}`);
    expectNoLiveInjection(staff, "staff plan page");
    expectShownAsText(staff, [titles.at(-1)!, ...stepTitles, ...links], "staff plan page");
    const portal = await renderPage(page(portalHome), "/portal", s.client, "/portal");
    expectNoLiveInjection(portal, "client's portal");
    expectShownAsText(portal, [...stepTitles, ...links], "client's portal");
    await expectLimitShownInForm(guidance, { module: page(planPage), pattern: "/cases/:caseId/plans/:planId" });

    // Assigning another plan: anything but a date (or nothing) is refused with the date message.
    const template = await insertTemplate({ steps: [{ title: "Step back" }] });
    await sendAllThrough(
      {
        route: "cases.$caseId.plans.new",
        action: assignPage.action,
        path: `/cases/${s.caseId}/plans/new`,
        params: { caseId: s.caseId },
        field: "startDate",
        others: { templateId: template.id },
        as: s.lead,
        max: Infinity,
        required: false,
        valid: (value) => value === "",
      },
      HOSTILE_SAMPLE,
    );
  });

  it("keeps every reflection as typed and shows it inert to the client and to staff", { timeout: 90_000 }, async () => {
    const s = await setup();
    const step = s.steps[1]!;
    const reflection: FieldUnderTest = {
      route: "portal._index",
      action: portalHome.action,
      path: "/portal",
      intent: `note:${step.id}`,
      field: "reflection",
      others: {},
      as: s.client,
      max: 4000,
      required: false,
      read: async () => (await db.select().from(planSteps).where(and(eq(planSteps.id, step.id))))[0]?.reflection,
      storedAs: orNull,
    };
    const kept = await sendAllThrough(reflection, HOSTILE_INPUTS);
    expect(kept.length).toBeGreaterThan(60);
    // The page after each kind of reflection: the client's portal and the staff plan page.
    for (const input of HOSTILE_SAMPLE) {
      await sendAllThrough(reflection, [input]);
      const portal = await renderPage(page(portalHome), "/portal", s.client, "/portal");
      const staff = await renderPage(page(planPage), "/cases/:caseId/plans/:planId", s.lead, `/cases/${s.caseId}/plans/${s.plan.id}`);
      expectNoLiveInjection(portal, `portal with reflection ← ${input.label}`);
      expectNoLiveInjection(staff, `staff plan page with reflection ← ${input.label}`);
    }
    await expectLimitShownInForm(reflection, { module: page(portalHome), pattern: "/portal" });
  });
});
