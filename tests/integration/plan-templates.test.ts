import crypto from "node:crypto";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { asc, eq, inArray } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { RuleViolation } from "~/models/errors.server";
import {
  addTemplateStep,
  archiveTemplate,
  createTemplate,
  getTemplate,
  getTemplateForAssignment,
  listTemplates,
  moveTemplateStep,
  removeTemplateStep,
  restoreTemplate,
  templateListQuery,
  updateTemplate,
  updateTemplateStep,
} from "~/models/plan-templates.server";
import * as templateList from "~/routes/plans.templates._index";
import * as templatePage from "~/routes/plans.templates.$templateId";
import * as newTemplate from "~/routes/plans.templates.new";
import { db } from "../../db/client";
import { demoTemplates, seedTemplates } from "../../db/demo-templates";
import { seedDemo } from "../../db/seed";
import { auditEvents, planTemplates, planTemplateSteps, users, type Role } from "../../db/schema";
import { auditEventsAbout, createUser, requestAs, respond, responseJson, testContext } from "../support/factories";

// Plan templates (issue 3, section 4): every staff member reads them all and creates their own;
// only the owner or an admin changes one (others: 403); clients get 404 for everything.
// Steps keep positions 1…n through every add, move and removal.

type RouteFunction = (args: LoaderFunctionArgs) => Promise<unknown>;
type Person = { id: string; role: Role };
type FormAnswer = { ok: false; errors: Record<string, string>; values: Record<string, string>; intent?: string; stepId?: string };
type ListRow = { id: string; title: string; stepCount: number; canEdit: boolean; ownerName: string | null };

async function call(
  fn: RouteFunction,
  user: { id: string } | null,
  path: string,
  init: { params?: Record<string, string>; form?: Record<string, string> } = {},
) {
  const { request } = await requestAs(user, path, { form: init.form });
  return respond(() => fn({ request, params: init.params ?? {}, context: testContext }));
}

function openTemplate(user: { id: string }, templateId: string) {
  return call(templatePage.loader, user, `/plans/templates/${templateId}`, { params: { templateId } });
}

function postTo(user: { id: string }, templateId: string, form: Record<string, string>) {
  return call(templatePage.action, user, `/plans/templates/${templateId}`, { params: { templateId }, form });
}

async function listPage(user: { id: string }, search: string) {
  const response = await call(templateList.loader, user, `/plans/templates?${search}`);
  expect(response.status).toBe(200);
  return responseJson<{ rows: ListRow[]; total: number; query: Record<string, unknown> }>(response);
}

/** A word no other test uses, to scope list queries to the templates one test made. */
function uniqueTag() {
  return `t${crypto.randomBytes(4).toString("hex")}`;
}

const step = (title: string, extra: Partial<{ guidance: string; resourceUrl: string | null; suggestedDays: number | null }> = {}) => ({
  title,
  guidance: extra.guidance ?? `Guidance for ${title}.`,
  resourceUrl: extra.resourceUrl ?? null,
  suggestedDays: extra.suggestedDays ?? null,
});

async function makeTemplate(owner: Person, title: string, stepTitles: string[] = []) {
  const template = await createTemplate(owner, { title, summary: `About ${title}` });
  for (const t of stepTitles) await addTemplateStep(owner, template.id, step(t));
  return template;
}

/** Step titles in order, with their stored positions. */
async function stepsOf(templateId: string) {
  const rows = await db
    .select({ title: planTemplateSteps.title, position: planTemplateSteps.position, id: planTemplateSteps.id })
    .from(planTemplateSteps)
    .where(eq(planTemplateSteps.templateId, templateId))
    .orderBy(asc(planTemplateSteps.position));
  return rows;
}

async function titlesOf(templateId: string) {
  const rows = await stepsOf(templateId);
  // Positions are always exactly 1…n.
  expect(rows.map((r) => r.position)).toEqual(rows.map((_, i) => i + 1));
  return rows.map((r) => r.title);
}

async function snapshot(templateId: string) {
  const [template] = await db.select().from(planTemplates).where(eq(planTemplates.id, templateId));
  const steps = await db.select().from(planTemplateSteps).where(eq(planTemplateSteps.templateId, templateId)).orderBy(asc(planTemplateSteps.position));
  return { template, steps };
}

async function expectStatus(promise: Promise<unknown>, status: number) {
  const response = await respond(() => promise);
  expect(response.status).toBe(status);
}

describe("who may see and change templates", () => {
  let owner: Person;
  let colleague: Person;
  let admin: Person;
  let client: Person;
  let templateId: string;
  let stepIds: string[];

  beforeAll(async () => {
    owner = await createUser({ role: "coach", name: "Olive Owner" });
    colleague = await createUser({ role: "therapist", name: "Cal Colleague" });
    admin = await createUser({ role: "admin" });
    client = await createUser({ role: "client" });
    const template = await makeTemplate(owner, `Owned ${uniqueTag()}`, ["First", "Second", "Third"]);
    templateId = template.id;
    stepIds = (await stepsOf(templateId)).map((s) => s.id);
  });

  describe("a client", () => {
    it("gets 404 from every page, for a real template the same as for a missing one", async () => {
      expect((await call(templateList.loader, client, "/plans/templates")).status).toBe(404);
      expect((await call(newTemplate.loader, client, "/plans/templates/new")).status).toBe(404);
      const real = await openTemplate(client, templateId);
      const missing = await openTemplate(client, crypto.randomUUID());
      expect(real.status).toBe(404);
      expect(missing.status).toBe(404);
      expect(await real.text()).toBe(await missing.text());
    });

    it("gets 404 for every form posted by hand, and nothing changes", async () => {
      const before = await snapshot(templateId);
      const created = await call(newTemplate.action, client, "/plans/templates/new", { form: { title: "Client-made", summary: "" } });
      expect(created.status).toBe(404);
      expect(await db.select().from(planTemplates).where(eq(planTemplates.title, "Client-made"))).toEqual([]);
      const forms: Record<string, string>[] = [
        { intent: "details", title: "Hijacked", summary: "" },
        { intent: "add-step", title: "Extra", guidance: "" },
        { intent: "edit-step", stepId: stepIds[0]!, title: "Changed", guidance: "" },
        { intent: "move-down", stepId: stepIds[0]! },
        { intent: "move-up", stepId: stepIds[2]! },
        { intent: "remove-step", stepId: stepIds[1]! },
        { intent: "archive" },
        { intent: "restore" },
      ];
      for (const form of forms) {
        const response = await postTo(client, templateId, form);
        expect({ intent: form.intent, status: response.status }).toEqual({ intent: form.intent, status: 404 });
      }
      expect(await snapshot(templateId)).toEqual(before);
    });

    it("gets 404 from the model functions too", async () => {
      await expectStatus(listTemplates(client, templateListQuery.parse({})), 404);
      await expectStatus(getTemplate(client, templateId), 404);
      await expectStatus(getTemplateForAssignment(client, templateId), 404);
      await expectStatus(createTemplate(client, { title: "Nope", summary: "" }), 404);
      await expectStatus(updateTemplate(client, templateId, { title: "Nope", summary: "" }), 404);
      await expectStatus(moveTemplateStep(client, templateId, stepIds[0]!, "down"), 404);
      await expectStatus(archiveTemplate(client, templateId), 404);
    });
  });

  describe("a coach or therapist who doesn't own it", () => {
    it("can read it, with its steps in order, but is told they can't edit it", async () => {
      const response = await openTemplate(colleague, templateId);
      expect(response.status).toBe(200);
      const { template } = await responseJson<{ template: { canEdit: boolean; ownerName: string; steps: { title: string }[] } }>(response);
      expect(template.canEdit).toBe(false);
      expect(template.ownerName).toBe("Olive Owner");
      expect(template.steps.map((s) => s.title)).toEqual(["First", "Second", "Third"]);
    });

    it("gets 403 for every change, with the template left as it was", async () => {
      const before = await snapshot(templateId);
      const auditBefore = (await auditEventsAbout(templateId)).length;
      const forms: Record<string, string>[] = [
        { intent: "details", title: "Hijacked", summary: "" },
        { intent: "details", title: "", summary: "" },
        { intent: "add-step", title: "Extra", guidance: "" },
        { intent: "edit-step", stepId: stepIds[0]!, title: "Changed", guidance: "" },
        { intent: "move-down", stepId: stepIds[0]! },
        { intent: "move-up", stepId: stepIds[2]! },
        { intent: "remove-step", stepId: stepIds[1]! },
        { intent: "archive" },
      ];
      for (const form of forms) {
        const response = await postTo(colleague, templateId, form);
        expect({ intent: form.intent, status: response.status }).toEqual({ intent: form.intent, status: 403 });
      }
      expect(await snapshot(templateId)).toEqual(before);
      expect(await auditEventsAbout(templateId)).toHaveLength(auditBefore);
    });

    it("gets 403 from the model functions too", async () => {
      await expectStatus(updateTemplate(colleague, templateId, { title: "Nope", summary: "" }), 403);
      await expectStatus(addTemplateStep(colleague, templateId, step("Nope")), 403);
      await expectStatus(updateTemplateStep(colleague, templateId, stepIds[0]!, step("Nope")), 403);
      await expectStatus(removeTemplateStep(colleague, templateId, stepIds[0]!), 403);
      await expectStatus(moveTemplateStep(colleague, templateId, stepIds[0]!, "down"), 403);
      await expectStatus(archiveTemplate(colleague, templateId), 403);
      await expectStatus(restoreTemplate(colleague, templateId), 403);
      expect(await titlesOf(templateId)).toEqual(["First", "Second", "Third"]);
    });

    it("can create a template of their own and edit it", async () => {
      const created = await call(newTemplate.action, colleague, "/plans/templates/new", {
        form: { title: "Colleague's plan", summary: "For a colleague's clients." },
      });
      expect(created.status).toBe(302);
      const id = created.headers.get("Location")!.split("/").pop()!;
      const [row] = await db.select().from(planTemplates).where(eq(planTemplates.id, id));
      expect(row).toMatchObject({ title: "Colleague's plan", summary: "For a colleague's clients.", ownerId: colleague.id, archivedAt: null });
      const edited = await postTo(colleague, id, { intent: "details", title: "Colleague's plan, revised", summary: "" });
      expect(edited.status).toBe(302);
      const { template } = await responseJson<{ template: { title: string; canEdit: boolean } }>(await openTemplate(colleague, id));
      expect(template).toMatchObject({ title: "Colleague's plan, revised", canEdit: true });
      // …and the original owner, in turn, can only read it.
      expect((await postTo(owner, id, { intent: "archive" })).status).toBe(403);
    });
  });

  it("an admin can change anyone's template", async () => {
    const template = await makeTemplate(owner, `Admin edits ${uniqueTag()}`, ["One", "Two"]);
    const { template: seen } = await responseJson<{ template: { canEdit: boolean } }>(await openTemplate(admin, template.id));
    expect(seen.canEdit).toBe(true);
    expect((await postTo(admin, template.id, { intent: "details", title: "Renamed by admin", summary: "New summary" })).status).toBe(302);
    expect((await postTo(admin, template.id, { intent: "add-step", title: "Three", guidance: "Added by the admin." })).status).toBe(302);
    const [first] = await stepsOf(template.id);
    expect((await postTo(admin, template.id, { intent: "move-down", stepId: first!.id })).status).toBe(302);
    expect(await titlesOf(template.id)).toEqual(["Two", "One", "Three"]);
    expect((await postTo(admin, template.id, { intent: "archive" })).status).toBe(302);
    const [row] = await db.select().from(planTemplates).where(eq(planTemplates.id, template.id));
    expect(row).toMatchObject({ title: "Renamed by admin", summary: "New summary", ownerId: owner.id });
    expect(row!.archivedAt).not.toBeNull();
  });

  it("answers 404 for a malformed or unknown template id, and for a step of another template posted by hand", async () => {
    expect((await openTemplate(owner, "not-a-uuid")).status).toBe(404);
    expect((await postTo(owner, crypto.randomUUID(), { intent: "archive" })).status).toBe(404);
    const other = await makeTemplate(owner, `Other ${uniqueTag()}`, ["Elsewhere"]);
    const [foreign] = await stepsOf(other.id);
    const before = await snapshot(templateId);
    const beforeOther = await snapshot(other.id);
    const forms: Record<string, string>[] = [
      { intent: "remove-step", stepId: foreign!.id },
      { intent: "move-up", stepId: foreign!.id },
      { intent: "edit-step", stepId: foreign!.id, title: "Moved in", guidance: "" },
      { intent: "remove-step", stepId: "not-a-uuid" },
      { intent: "move-down", stepId: crypto.randomUUID() },
    ];
    for (const form of forms) {
      const response = await postTo(owner, templateId, form);
      expect({ form, status: response.status }).toEqual({ form, status: 404 });
    }
    expect(await snapshot(templateId)).toEqual(before);
    expect(await snapshot(other.id)).toEqual(beforeOther);
  });
});

describe("editing steps", () => {
  let coach: Person;
  beforeAll(async () => {
    coach = await createUser({ role: "coach" });
  });

  it("creates a template owned by its author and records it in the audit log, with no case", async () => {
    const response = await call(newTemplate.action, coach, "/plans/templates/new", { form: { title: "  Finding calm  ", summary: "A short plan." } });
    expect(response.status).toBe(302);
    const location = response.headers.get("Location")!;
    expect(location).toMatch(/^\/plans\/templates\/[0-9a-f-]{36}$/);
    const id = location.split("/").pop()!;
    const [row] = await db.select().from(planTemplates).where(eq(planTemplates.id, id));
    expect(row).toMatchObject({ title: "Finding calm", summary: "A short plan.", ownerId: coach.id });
    const events = await auditEventsAbout(id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: "template.created", actorId: coach.id, caseId: null, targetType: "plan_template" });
  });

  it("adds steps at the end, 1…n, with every field kept", async () => {
    const template = await makeTemplate(coach, `Adding ${uniqueTag()}`);
    const response = await postTo(coach, template.id, {
      intent: "add-step",
      title: "Listen first",
      guidance: "- Put the phone away\n- Ask one open question",
      resourceUrl: "https://example.org/listening",
      suggestedDays: "7",
    });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toMatch(new RegExp(`^/plans/templates/${template.id}#step-`));
    await postTo(coach, template.id, { intent: "add-step", title: "Reflect", guidance: "", resourceUrl: "", suggestedDays: "" });
    await postTo(coach, template.id, { intent: "add-step", title: "Same day", guidance: "Today.", suggestedDays: "0" });
    const { template: seen } = await responseJson<{
      template: { steps: { title: string; position: number; guidance: string; resourceUrl: string | null; suggestedDays: number | null }[] };
    }>(await openTemplate(coach, template.id));
    expect(seen.steps).toMatchObject([
      { position: 1, title: "Listen first", guidance: "- Put the phone away\n- Ask one open question", resourceUrl: "https://example.org/listening", suggestedDays: 7 },
      { position: 2, title: "Reflect", guidance: "", resourceUrl: null, suggestedDays: null },
      { position: 3, title: "Same day", suggestedDays: 0 },
    ]);
  });

  it("edits one step and leaves the others alone", async () => {
    const template = await makeTemplate(coach, `Editing ${uniqueTag()}`, ["A", "B", "C"]);
    const [, b] = await stepsOf(template.id);
    const response = await postTo(coach, template.id, {
      intent: "edit-step",
      stepId: b!.id,
      title: "B, clearer",
      guidance: "**Now** with guidance.",
      resourceUrl: "http://example.org/b",
      suggestedDays: "365",
    });
    expect(response.status).toBe(302);
    const steps = await db.select().from(planTemplateSteps).where(eq(planTemplateSteps.templateId, template.id)).orderBy(asc(planTemplateSteps.position));
    expect(steps.map((s) => [s.title, s.guidance, s.resourceUrl, s.suggestedDays])).toEqual([
      ["A", "Guidance for A.", null, null],
      ["B, clearer", "**Now** with guidance.", "http://example.org/b", 365],
      ["C", "Guidance for C.", null, null],
    ]);
    const edit = (await auditEventsAbout(template.id)).find((e) => e.details?.change === "step_edited");
    expect(edit).toMatchObject({ action: "template.edited", caseId: null, details: { stepId: b!.id } });
  });

  it("reorders with up and down, keeping positions contiguous", async () => {
    const template = await makeTemplate(coach, `Reorder ${uniqueTag()}`, ["A", "B", "C", "D"]);
    const ids = Object.fromEntries((await stepsOf(template.id)).map((s) => [s.title, s.id]));
    expect((await postTo(coach, template.id, { intent: "move-up", stepId: ids.C! })).status).toBe(302);
    expect(await titlesOf(template.id)).toEqual(["A", "C", "B", "D"]);
    await postTo(coach, template.id, { intent: "move-down", stepId: ids.A! });
    expect(await titlesOf(template.id)).toEqual(["C", "A", "B", "D"]);
    await postTo(coach, template.id, { intent: "move-up", stepId: ids.D! });
    await postTo(coach, template.id, { intent: "move-up", stepId: ids.D! });
    expect(await titlesOf(template.id)).toEqual(["C", "D", "A", "B"]);
    const moves = (await auditEventsAbout(template.id)).filter((e) => e.details?.change === "step_moved");
    expect(moves).toHaveLength(4);
  });

  it("moving the first step up or the last step down changes nothing and says so", async () => {
    const template = await makeTemplate(coach, `Edges ${uniqueTag()}`, ["A", "B", "C"]);
    const steps = await stepsOf(template.id);
    const auditBefore = (await auditEventsAbout(template.id)).length;
    const up = await postTo(coach, template.id, { intent: "move-up", stepId: steps[0]!.id });
    const down = await postTo(coach, template.id, { intent: "move-down", stepId: steps[2]!.id });
    expect(up.status).toBe(302);
    expect(down.status).toBe(302);
    expect(decodeURIComponent(up.headers.get("Set-Cookie") ?? "")).toContain("already the first");
    expect(decodeURIComponent(down.headers.get("Set-Cookie") ?? "")).toContain("already the last");
    expect(await moveTemplateStep(coach, template.id, steps[0]!.id, "up")).toBe(false);
    expect(await titlesOf(template.id)).toEqual(["A", "B", "C"]);
    expect(await auditEventsAbout(template.id)).toHaveLength(auditBefore);
  });

  it("removes steps from the start, middle and end, closing the gaps", async () => {
    const template = await makeTemplate(coach, `Removing ${uniqueTag()}`, ["A", "B", "C", "D", "E"]);
    const ids = Object.fromEntries((await stepsOf(template.id)).map((s) => [s.title, s.id]));
    expect((await postTo(coach, template.id, { intent: "remove-step", stepId: ids.C! })).status).toBe(302);
    expect(await titlesOf(template.id)).toEqual(["A", "B", "D", "E"]);
    await postTo(coach, template.id, { intent: "remove-step", stepId: ids.A! });
    expect(await titlesOf(template.id)).toEqual(["B", "D", "E"]);
    await postTo(coach, template.id, { intent: "remove-step", stepId: ids.E! });
    expect(await titlesOf(template.id)).toEqual(["B", "D"]);
    // A step added afterwards goes right after the last one, and moving still works.
    await postTo(coach, template.id, { intent: "add-step", title: "F", guidance: "" });
    await postTo(coach, template.id, { intent: "move-up", stepId: (await stepsOf(template.id))[2]!.id });
    expect(await titlesOf(template.id)).toEqual(["B", "F", "D"]);
    // Removing a step already gone is a 404, not a second shift.
    expect((await postTo(coach, template.id, { intent: "remove-step", stepId: ids.C! })).status).toBe(404);
    expect(await titlesOf(template.id)).toEqual(["B", "F", "D"]);
  });

  it("keeps positions 1…n when changes to one template arrive at the same moment", async () => {
    const template = await makeTemplate(coach, `Concurrent ${uniqueTag()}`, ["A", "B", "C", "D", "E", "F"]);
    const ids = (await stepsOf(template.id)).map((s) => s.id);
    await Promise.all([
      removeTemplateStep(coach, template.id, ids[1]!),
      moveTemplateStep(coach, template.id, ids[4]!, "up"),
      addTemplateStep(coach, template.id, step("G")),
      removeTemplateStep(coach, template.id, ids[3]!),
      moveTemplateStep(coach, template.id, ids[0]!, "down"),
    ]);
    const titles = await titlesOf(template.id);
    expect(titles).toHaveLength(5);
    expect([...titles].sort()).toEqual(["A", "C", "E", "F", "G"]);
  });
});

describe("validation", () => {
  let coach: Person;
  let templateId: string;
  beforeAll(async () => {
    coach = await createUser({ role: "coach" });
    templateId = (await makeTemplate(coach, `Validation ${uniqueTag()}`, ["Only step"])).id;
  });

  it("a template without a title is refused with the summary kept", async () => {
    const response = await call(newTemplate.action, coach, "/plans/templates/new", { form: { title: "   ", summary: "Keep me, please." } });
    expect(response.status).toBe(400);
    const body = await responseJson<FormAnswer>(response);
    expect(body.errors.title).toBe("Give the template a title.");
    expect(body.values.summary).toBe("Keep me, please.");
  });

  it("the details form says what is wrong and keeps what was typed", async () => {
    const response = await postTo(coach, templateId, { intent: "details", title: "x".repeat(121), summary: "Still here" });
    expect(response.status).toBe(400);
    const body = await responseJson<FormAnswer>(response);
    expect(body).toMatchObject({ intent: "details", errors: { title: "Use at most 120 characters." }, values: { summary: "Still here" } });
  });

  it.each([
    ["javascript:alert(1)", "resourceUrl"],
    ["ftp://files.example.org/guide.pdf", "resourceUrl"],
    ["example.org/no-scheme", "resourceUrl"],
  ])("refuses the resource link %s, keeping the rest of the step", async (resourceUrl, field) => {
    const response = await postTo(coach, templateId, {
      intent: "add-step",
      title: "A careful step",
      guidance: "Written with care.",
      resourceUrl,
      suggestedDays: "5",
    });
    expect(response.status).toBe(400);
    const body = await responseJson<FormAnswer>(response);
    expect(Object.keys(body.errors)).toEqual([field]);
    expect(body.errors.resourceUrl).toMatch(/http:\/\/ or https:\/\//);
    expect(body.values).toMatchObject({ title: "A careful step", guidance: "Written with care.", resourceUrl, suggestedDays: "5" });
    expect(await titlesOf(templateId)).toEqual(["Only step"]);
  });

  it.each(["366", "-1", "2.5", "a week", "1e2"])("refuses %s as suggested days", async (suggestedDays) => {
    const response = await postTo(coach, templateId, { intent: "add-step", title: "Timed", guidance: "", suggestedDays });
    expect(response.status).toBe(400);
    const body = await responseJson<FormAnswer>(response);
    expect(body.errors.suggestedDays).toBe("Enter a whole number of days from 0 to 365, or leave it empty.");
    expect(body.values.suggestedDays).toBe(suggestedDays);
    expect(await titlesOf(templateId)).toEqual(["Only step"]);
  });

  it("a failed step edit comes back for that step, with what was typed", async () => {
    const [only] = await stepsOf(templateId);
    const response = await postTo(coach, templateId, {
      intent: "edit-step",
      stepId: only!.id,
      title: "",
      guidance: "A new paragraph I don't want to lose.",
      resourceUrl: "",
      suggestedDays: "3",
    });
    expect(response.status).toBe(400);
    const body = await responseJson<FormAnswer>(response);
    expect(body).toMatchObject({
      intent: "edit-step",
      stepId: only!.id,
      errors: { title: "Give the step a title." },
      values: { guidance: "A new paragraph I don't want to lose.", suggestedDays: "3" },
    });
    const [after] = await db.select().from(planTemplateSteps).where(eq(planTemplateSteps.id, only!.id));
    expect(after).toMatchObject({ title: "Only step", guidance: "Guidance for Only step." });
  });

  it("the model refuses unsafe input even when called directly", async () => {
    await expect(addTemplateStep(coach, templateId, step("Sneaky", { resourceUrl: "javascript:alert(1)" }))).rejects.toBeInstanceOf(RuleViolation);
    await expect(addTemplateStep(coach, templateId, step("Too long", { suggestedDays: 400 }))).rejects.toBeInstanceOf(RuleViolation);
    await expect(createTemplate(coach, { title: "", summary: "" })).rejects.toBeInstanceOf(RuleViolation);
    expect(await titlesOf(templateId)).toEqual(["Only step"]);
  });

  it("an unknown intent is a 400 that changes nothing", async () => {
    const response = await postTo(coach, templateId, { intent: "explode" });
    expect(response.status).toBe(400);
    expect((await responseJson<FormAnswer>(response)).errors.form).toBe("Unknown action.");
  });
});

describe("the template list", () => {
  let coach: Person;
  let other: Person;
  let tag: string;
  // All capitalised: collations differ on how "a" and "B" compare, and that isn't what we test.
  const titles = ["Apple", "Banana", "Cherry", "Date", "Elder", "Fig", "Grape", "Hazel", "Iris", "Juniper", "Kiwi", "Lime"];

  beforeAll(async () => {
    coach = await createUser({ role: "coach" });
    other = await createUser({ role: "therapist", name: "Tess Other" });
    tag = uniqueTag();
    // Created one after another, so "last changed" follows the list order; then Fig is touched last.
    for (const [i, title] of titles.entries()) {
      await makeTemplate(i % 2 === 0 ? coach : other, `${tag} ${title}`, i === 0 ? ["one", "two", "three"] : []);
    }
    const fig = (await listPage(coach, `q=${tag}%20fig`)).rows[0]!;
    await new Promise((resolve) => setTimeout(resolve, 5));
    await addTemplateStep(other, fig.id, step("touch"));
  });

  it("searches titles, ignoring case, and counts the matches", async () => {
    const page = await listPage(coach, `q=${tag}%20CHERRY`);
    expect(page.rows.map((r) => r.title)).toEqual([`${tag} Cherry`]);
    expect(page.total).toBe(1);
    expect((await listPage(coach, `q=${tag}`)).total).toBe(12);
    expect((await listPage(coach, `q=${tag}%25`)).total).toBe(0);
  });

  it("sorts by title either way, and by last change", async () => {
    const asc = (await listPage(coach, `q=${tag}&sort=title&dir=asc&perPage=25`)).rows.map((r) => r.title.slice(tag.length + 1));
    expect(asc).toEqual([...titles].sort());
    const desc = (await listPage(coach, `q=${tag}&sort=title&dir=desc`)).rows.map((r) => r.title.slice(tag.length + 1));
    expect(desc).toEqual([...asc].reverse());
    const recent = (await listPage(coach, `q=${tag}&sort=updated&dir=desc`)).rows.map((r) => r.title.slice(tag.length + 1));
    expect(recent[0]).toBe("Fig");
    expect(recent[1]).toBe("Lime");
  });

  it("pages through the results from the URL", async () => {
    const first = await listPage(coach, `q=${tag}&sort=title&perPage=10`);
    const second = await listPage(coach, `q=${tag}&sort=title&perPage=10&page=2`);
    expect(first.rows).toHaveLength(10);
    expect(second.rows).toHaveLength(2);
    expect(first.total).toBe(12);
    expect(second.total).toBe(12);
    expect(new Set([...first.rows, ...second.rows].map((r) => r.id)).size).toBe(12);
  });

  it("shows step counts, owners and what the viewer may edit", async () => {
    const rows = (await listPage(coach, `q=${tag}&sort=title&perPage=25`)).rows;
    expect(rows[0]).toMatchObject({ title: `${tag} Apple`, stepCount: 3, canEdit: true });
    expect(rows[1]).toMatchObject({ title: `${tag} Banana`, stepCount: 0, canEdit: false, ownerName: "Tess Other" });
  });

  it("falls back to sensible defaults for made-up parameters", async () => {
    const page = await listPage(coach, `q=${tag}&sort=nonsense&dir=sideways&page=-3&perPage=7&status=deleted`);
    expect(page.query).toMatchObject({ sort: "title", dir: "asc", page: 1, perPage: 25, status: "active" });
    expect(page.rows).toHaveLength(12);
  });

  it("archiving moves a template from the active list to the archived one, and restoring brings it back", async () => {
    const [apple] = (await listPage(coach, `q=${tag}%20apple`)).rows;
    expect((await postTo(coach, apple!.id, { intent: "archive" })).status).toBe(302);
    expect((await listPage(coach, `q=${tag}`)).rows.map((r) => r.id)).not.toContain(apple!.id);
    expect((await listPage(coach, `q=${tag}`)).total).toBe(11);
    expect((await listPage(coach, `q=${tag}&status=archived`)).rows.map((r) => r.id)).toEqual([apple!.id]);
    expect((await postTo(coach, apple!.id, { intent: "restore" })).status).toBe(302);
    expect((await listPage(coach, `q=${tag}&status=archived`)).total).toBe(0);
    expect((await listPage(coach, `q=${tag}`)).total).toBe(12);
    const actions = (await auditEventsAbout(apple!.id)).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["template.archived", "template.restored"]));
  });
});

describe("archived templates and assignment", () => {
  it("getTemplateForAssignment gives the steps in order while active, and 404 once archived", async () => {
    const coach = await createUser({ role: "coach" });
    const colleague = await createUser({ role: "therapist" });
    const template = await makeTemplate(coach, `Assignable ${uniqueTag()}`, ["One", "Two", "Three"]);
    await moveTemplateStep(coach, template.id, (await stepsOf(template.id))[2]!.id, "up");

    // Any staff member may assign any active template.
    const copy = await getTemplateForAssignment(colleague, template.id);
    expect(copy).toMatchObject({ id: template.id, title: template.title, summary: template.summary });
    expect(copy.steps.map((s) => [s.position, s.title])).toEqual([
      [1, "One"],
      [2, "Three"],
      [3, "Two"],
    ]);

    await archiveTemplate(coach, template.id);
    await expectStatus(getTemplateForAssignment(colleague, template.id), 404);
    await expectStatus(getTemplateForAssignment(coach, template.id), 404);
    await expectStatus(getTemplateForAssignment(coach, crypto.randomUUID()), 404);
    // Still readable on its own page, but not editable until restored.
    expect((await openTemplate(colleague, template.id)).status).toBe(200);
    const refused = await postTo(coach, template.id, { intent: "add-step", title: "Late addition", guidance: "" });
    expect(refused.status).toBe(400);
    expect((await responseJson<FormAnswer>(refused)).errors.form).toMatch(/Restore it/);

    await restoreTemplate(coach, template.id);
    expect((await getTemplateForAssignment(colleague, template.id)).steps).toHaveLength(3);
  });
});

describe("the demo templates", () => {
  const demoTitles = demoTemplates.map((t) => t.title);

  async function seeded() {
    return db.select().from(planTemplates).where(inArray(planTemplates.title, demoTitles)).orderBy(asc(planTemplates.title));
  }

  it("seedDemo adds the three templates of DESIGN.md, owned by the demo admin, each with 5–9 real steps", async () => {
    await seedDemo();
    const [admin] = await db.select().from(users).where(eq(users.email, "admin@cairn.test"));
    const templates = await seeded();
    expect(templates.map((t) => t.title).sort()).toEqual(
      ["Giving space", "Healing — for the partner who was hurt", "Rebuilding trust — for the partner who broke it"].sort(),
    );
    for (const template of templates) {
      expect(template.ownerId).toBe(admin!.id);
      expect(template.summary.length).toBeGreaterThan(40);
      const steps = await db.select().from(planTemplateSteps).where(eq(planTemplateSteps.templateId, template.id)).orderBy(asc(planTemplateSteps.position));
      expect(steps.length).toBeGreaterThanOrEqual(5);
      expect(steps.length).toBeLessThanOrEqual(9);
      expect(steps.map((s) => s.position)).toEqual(steps.map((_, i) => i + 1));
      for (const s of steps) {
        expect(s.guidance.length).toBeGreaterThan(120);
        if (s.suggestedDays !== null) expect(s.suggestedDays).toBeGreaterThanOrEqual(0);
        if (s.suggestedDays !== null) expect(s.suggestedDays).toBeLessThanOrEqual(365);
      }
      expect(steps.some((s) => s.suggestedDays !== null)).toBe(true);
    }
    // Some guidance uses Markdown lists.
    const all = await db.select({ guidance: planTemplateSteps.guidance }).from(planTemplateSteps);
    expect(all.some((s) => /^(- |1\. )/m.test(s.guidance))).toBe(true);
  });

  it("running the seed again changes nothing", async () => {
    const before = await seeded();
    const stepsBefore = await db.select().from(planTemplateSteps).where(inArray(planTemplateSteps.templateId, before.map((t) => t.id)));
    const auditBefore = (await db.select({ id: auditEvents.id }).from(auditEvents)).length;
    await seedDemo();
    const someoneElse = await createUser({ role: "coach" });
    expect(await seedTemplates(db, someoneElse.id)).toBe(0);
    const after = await seeded();
    expect(after).toEqual(before);
    const stepsAfter = await db.select().from(planTemplateSteps).where(inArray(planTemplateSteps.templateId, after.map((t) => t.id)));
    expect(stepsAfter.sort((a, b) => a.id.localeCompare(b.id))).toEqual(stepsBefore.sort((a, b) => a.id.localeCompare(b.id)));
    expect((await db.select({ id: auditEvents.id }).from(auditEvents)).length).toBe(auditBefore);
  });

  it("the seeded templates are on the list for staff, and a coach can read but not change them", async () => {
    const coach = await createUser({ role: "coach" });
    const page = await listPage(coach, "q=Rebuilding%20trust");
    const row = page.rows.find((r) => r.title === "Rebuilding trust — for the partner who broke it");
    expect(row).toMatchObject({ canEdit: false, ownerName: "Avery Admin", stepCount: demoTemplates[0]!.steps.length });
    expect((await postTo(coach, row!.id, { intent: "archive" })).status).toBe(403);
  });
});
