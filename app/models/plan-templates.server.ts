import { and, asc, count, desc, eq, gt, ilike, isNotNull, isNull, max, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { db } from "../../db/client";
import { planTemplates, planTemplateSteps, users, type PlanTemplate } from "../../db/schema";
import { recordAudit } from "./audit.server";
import { requireStaffActor, type Actor } from "./case-access.server";
import { forbidden, notFound, RuleViolation } from "./errors.server";
import { searchQuery } from "./typed-text";

// The practice's reusable step plans (DESIGN.md, "plan templates"): every staff member reads
// them all and creates their own; only the owner (or an admin) changes one, anyone else gets
// 403 for a change. Clients never learn they exist: 404 for everything.
// A template is copied onto a case when assigned (plans model), so nothing here reaches a case.

type Tx = Parameters<Parameters<typeof db.transaction>[0]>[0];

const TEMPLATE_TARGET = "plan_template";

function mayEdit(actor: Actor, template: Pick<PlanTemplate, "ownerId">) {
  return actor.role === "admin" || (template.ownerId !== null && template.ownerId === actor.id);
}

// ---------------------------------------------------------------------------------------------
// Forms

export const MAX_SUGGESTED_DAYS = 365;

const isHttpUrl = (value: string) => {
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    return false;
  }
};

const isSuggestedDays = (value: number) => Number.isInteger(value) && value >= 0 && value <= MAX_SUGGESTED_DAYS;

/** An optional text field: a missing field reads as empty. */
const text = () => z.string().optional().transform((v) => (v ?? "").trim());

export const templateSchema = z.object({
  title: text().pipe(
    z.string().min(1, { error: "Give the template a title." }).max(120, { error: "Use at most 120 characters." }),
  ),
  summary: text().pipe(z.string().max(1000, { error: "Keep the summary under 1,000 characters." })),
});
export type TemplateInput = z.infer<typeof templateSchema>;

export const stepSchema = z.object({
  title: text().pipe(
    z.string().min(1, { error: "Give the step a title." }).max(160, { error: "Use at most 160 characters." }),
  ),
  guidance: text().pipe(z.string().max(5000, { error: "Keep the guidance under 5,000 characters." })),
  resourceUrl: text()
    .pipe(
      z
        .string()
        .max(2000, { error: "Use a shorter link (at most 2,000 characters)." })
        .refine((v) => v === "" || isHttpUrl(v), { error: "Enter a web address starting with http:// or https://, or leave it empty." }),
    )
    .transform((v) => (v === "" ? null : v)),
  suggestedDays: text()
    .refine((v) => v === "" || (/^\d{1,3}$/.test(v) && isSuggestedDays(Number(v))), {
      error: `Enter a whole number of days from 0 to ${MAX_SUGGESTED_DAYS}, or leave it empty.`,
    })
    .transform((v) => (v === "" ? null : Number(v))),
});
export type StepInput = z.infer<typeof stepSchema>;

export const stepIdSchema = z.object({ stepId: z.uuid({ error: "Choose a step." }) });

export const MOVE_DIRECTIONS = ["up", "down"] as const;
export type MoveDirection = (typeof MOVE_DIRECTIONS)[number];

/** The same rules the forms apply, for callers that skip the form (a model can't trust its input). */
function checkTemplateInput(input: TemplateInput): TemplateInput {
  const parsed = templateSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new RuleViolation(issue.message, String(issue.path[0] ?? "form"));
  }
  return parsed.data;
}

function checkStepInput(input: StepInput): StepInput {
  const parsed = stepSchema.safeParse({
    ...input,
    resourceUrl: input.resourceUrl ?? "",
    suggestedDays: input.suggestedDays === null || input.suggestedDays === undefined ? "" : String(input.suggestedDays),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new RuleViolation(issue.message, String(issue.path[0] ?? "form"));
  }
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------
// Reading

const SORTS = { title: planTemplates.title, updated: planTemplates.updatedAt } as const;

export const TEMPLATE_STATUSES = ["active", "archived"] as const;

export const templateListQuery = z.object({
  q: searchQuery(),
  status: z.enum(TEMPLATE_STATUSES).default("active").catch("active"),
  sort: z.enum(["title", "updated"]).default("title").catch("title"),
  dir: z.enum(["asc", "desc"]).default("asc").catch("asc"),
  page: z.coerce.number().int().min(1).max(100_000).default(1).catch(1),
  perPage: z.coerce
    .number()
    .int()
    .pipe(z.union([z.literal(10), z.literal(25), z.literal(50), z.literal(100)]))
    .default(25)
    .catch(25),
});
export type TemplateListQuery = z.infer<typeof templateListQuery>;

const stepCountSql = sql<number>`(select count(*) from ${planTemplateSteps} where ${planTemplateSteps.templateId} = ${planTemplates.id})::int`;

/** One page of templates, filtered and sorted in SQL (two queries whatever the page size). */
export async function listTemplates(actor: Actor, query: TemplateListQuery) {
  requireStaffActor(actor);
  const filters: SQL[] = [query.status === "archived" ? isNotNull(planTemplates.archivedAt) : isNull(planTemplates.archivedAt)];
  if (query.q) filters.push(ilike(planTemplates.title, `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`));
  const where = and(...filters);
  const order = query.dir === "asc" ? asc(SORTS[query.sort]) : desc(SORTS[query.sort]);

  const [rows, [total]] = await Promise.all([
    db
      .select({
        id: planTemplates.id,
        title: planTemplates.title,
        summary: planTemplates.summary,
        ownerId: planTemplates.ownerId,
        ownerName: users.name,
        stepCount: stepCountSql,
        updatedAt: planTemplates.updatedAt,
        archivedAt: planTemplates.archivedAt,
      })
      .from(planTemplates)
      .leftJoin(users, eq(users.id, planTemplates.ownerId))
      .where(where)
      .orderBy(order, asc(planTemplates.id))
      .limit(query.perPage)
      .offset((query.page - 1) * query.perPage),
    db.select({ n: count() }).from(planTemplates).where(where),
  ]);
  return {
    rows: rows.map((row) => ({ ...row, canEdit: mayEdit(actor, row) })),
    total: total?.n ?? 0,
  };
}

/** Active templates to choose from when assigning a plan, by title, with their step counts. */
export async function listTemplateChoices(actor: Actor) {
  requireStaffActor(actor);
  // Options of a select rather than a paged list, so capped instead of paged (as it was in the plans model).
  // (A join, not stepCountSql: in a one-table select Drizzle leaves columns unqualified, so that
  // subquery's plan_templates.id would read as the step's own id.)
  return db
    .select({
      id: planTemplates.id,
      title: planTemplates.title,
      summary: planTemplates.summary,
      stepCount: sql<number>`count(${planTemplateSteps.id})::int`,
    })
    .from(planTemplates)
    .leftJoin(planTemplateSteps, eq(planTemplateSteps.templateId, planTemplates.id))
    .where(isNull(planTemplates.archivedAt))
    .groupBy(planTemplates.id)
    .orderBy(asc(planTemplates.title), asc(planTemplates.id))
    .limit(500);
}

async function findTemplate(templateId: string, executor: Pick<typeof db, "select"> = db, options: { lockShared?: boolean } = {}) {
  if (!z.uuid().safeParse(templateId).success) return undefined;
  const query = executor
    .select({ template: planTemplates, ownerName: users.name })
    .from(planTemplates)
    .leftJoin(users, eq(users.id, planTemplates.ownerId))
    .where(eq(planTemplates.id, templateId));
  const [row] = options.lockShared ? await query.for("share", { of: planTemplates }) : await query;
  return row;
}

function stepsOf(templateId: string, executor: Pick<typeof db, "select"> = db) {
  return executor
    .select()
    .from(planTemplateSteps)
    .where(eq(planTemplateSteps.templateId, templateId))
    .orderBy(asc(planTemplateSteps.position), asc(planTemplateSteps.id));
}

/** A template with its steps in order, and whether the actor may change it. */
export async function getTemplate(actor: Actor, templateId: string) {
  requireStaffActor(actor);
  const row = await findTemplate(templateId);
  if (!row) throw notFound();
  const steps = await stepsOf(row.template.id);
  return { ...row.template, ownerName: row.ownerName, steps, canEdit: mayEdit(actor, row.template) };
}

/**
 * What the plans model copies onto a case: an active template with its ordered steps. Archived
 * or unknown templates, and any client asking, get 404. Pass the transaction the copy runs in:
 * the template row is share-locked, so no edit can change it until the copy is written.
 */
export async function getTemplateForAssignment(actor: Actor, templateId: string, executor: Pick<typeof db, "select"> = db) {
  requireStaffActor(actor);
  const row = await findTemplate(templateId, executor, { lockShared: true });
  if (!row || row.template.archivedAt) throw notFound();
  const steps = await stepsOf(row.template.id, executor);
  const { id, title, summary } = row.template;
  return {
    id,
    title,
    summary,
    steps: steps.map((s) => ({
      position: s.position,
      title: s.title,
      guidance: s.guidance,
      resourceUrl: s.resourceUrl,
      suggestedDays: s.suggestedDays,
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Changing

export async function createTemplate(actor: Actor, input: TemplateInput, ip: string | null = null) {
  requireStaffActor(actor);
  const data = checkTemplateInput(input);
  return db.transaction(async (tx) => {
    const [template] = await tx
      .insert(planTemplates)
      .values({ title: data.title, summary: data.summary, ownerId: actor.id })
      .returning();
    if (!template) throw new Error("insert returned nothing");
    await recordAudit(
      { actorId: actor.id, action: "template.created", target: { type: TEMPLATE_TARGET, id: template.id }, ip, details: { title: template.title } },
      tx,
    );
    return template;
  });
}

/**
 * Opens a change on a template: 404 if the actor can't see it, 403 if they can but may not
 * change it. The row stays locked until the transaction ends, so two edits of the same
 * template (a reorder and a removal, say) run one after the other and positions stay 1…n.
 */
async function lockForChange(tx: Tx, actor: Actor, templateId: string, opts: { allowArchived?: boolean } = {}) {
  requireStaffActor(actor);
  if (!z.uuid().safeParse(templateId).success) throw notFound();
  const [template] = await tx.select().from(planTemplates).where(eq(planTemplates.id, templateId)).for("update");
  if (!template) throw notFound();
  if (!mayEdit(actor, template)) throw forbidden();
  if (template.archivedAt && !opts.allowArchived) {
    throw new RuleViolation("This template is archived. Restore it before changing it.");
  }
  return template;
}

async function findStep(tx: Tx, templateId: string, stepId: string) {
  if (!z.uuid().safeParse(stepId).success) throw notFound();
  const [step] = await tx
    .select()
    .from(planTemplateSteps)
    .where(and(eq(planTemplateSteps.id, stepId), eq(planTemplateSteps.templateId, templateId)));
  // A step of another template posted by hand is as unknown as a made-up id.
  if (!step) throw notFound();
  return step;
}

async function touched(tx: Tx, templateId: string) {
  await tx.update(planTemplates).set({ updatedAt: new Date() }).where(eq(planTemplates.id, templateId));
}

async function audited(tx: Tx, actor: Actor, templateId: string, ip: string | null, details: Record<string, unknown>) {
  await recordAudit({ actorId: actor.id, action: "template.edited", target: { type: TEMPLATE_TARGET, id: templateId }, ip, details }, tx);
}

export async function updateTemplate(actor: Actor, templateId: string, input: TemplateInput, ip: string | null = null) {
  const data = checkTemplateInput(input);
  await db.transaction(async (tx) => {
    const template = await lockForChange(tx, actor, templateId);
    const changed = (["title", "summary"] as const).filter((field) => template[field] !== data[field]);
    if (changed.length === 0) return;
    await tx
      .update(planTemplates)
      .set({ title: data.title, summary: data.summary, updatedAt: new Date() })
      .where(eq(planTemplates.id, template.id));
    await audited(tx, actor, template.id, ip, { change: "details", fields: changed });
  });
}

export async function addTemplateStep(actor: Actor, templateId: string, input: StepInput, ip: string | null = null) {
  const data = checkStepInput(input);
  return db.transaction(async (tx) => {
    const template = await lockForChange(tx, actor, templateId);
    const [last] = await tx
      .select({ position: max(planTemplateSteps.position) })
      .from(planTemplateSteps)
      .where(eq(planTemplateSteps.templateId, template.id));
    const [step] = await tx
      .insert(planTemplateSteps)
      .values({ templateId: template.id, position: (last?.position ?? 0) + 1, ...data })
      .returning();
    if (!step) throw new Error("insert returned nothing");
    await touched(tx, template.id);
    await audited(tx, actor, template.id, ip, { change: "step_added", stepId: step.id, title: step.title, position: step.position });
    return step;
  });
}

export async function updateTemplateStep(actor: Actor, templateId: string, stepId: string, input: StepInput, ip: string | null = null) {
  const data = checkStepInput(input);
  await db.transaction(async (tx) => {
    const template = await lockForChange(tx, actor, templateId);
    const step = await findStep(tx, template.id, stepId);
    const changed = (["title", "guidance", "resourceUrl", "suggestedDays"] as const).filter((field) => step[field] !== data[field]);
    if (changed.length === 0) return;
    await tx.update(planTemplateSteps).set(data).where(eq(planTemplateSteps.id, step.id));
    await touched(tx, template.id);
    await audited(tx, actor, template.id, ip, { change: "step_edited", stepId: step.id, title: data.title, fields: changed });
  });
}

export async function removeTemplateStep(actor: Actor, templateId: string, stepId: string, ip: string | null = null) {
  await db.transaction(async (tx) => {
    const template = await lockForChange(tx, actor, templateId);
    const step = await findStep(tx, template.id, stepId);
    await tx.delete(planTemplateSteps).where(eq(planTemplateSteps.id, step.id));
    // Close the gap so positions stay 1…n.
    await tx
      .update(planTemplateSteps)
      .set({ position: sql`${planTemplateSteps.position} - 1` })
      .where(and(eq(planTemplateSteps.templateId, template.id), gt(planTemplateSteps.position, step.position)));
    await touched(tx, template.id);
    await audited(tx, actor, template.id, ip, { change: "step_removed", stepId: step.id, title: step.title });
  });
}

/**
 * Swaps a step with its neighbour. Moving the first step up or the last one down changes
 * nothing (and returns false), so a double-click or a stale page can't break the order.
 */
export async function moveTemplateStep(
  actor: Actor,
  templateId: string,
  stepId: string,
  direction: MoveDirection,
  ip: string | null = null,
) {
  return db.transaction(async (tx) => {
    const template = await lockForChange(tx, actor, templateId);
    const step = await findStep(tx, template.id, stepId);
    const targetPosition = direction === "up" ? step.position - 1 : step.position + 1;
    const [neighbour] = await tx
      .select()
      .from(planTemplateSteps)
      .where(and(eq(planTemplateSteps.templateId, template.id), eq(planTemplateSteps.position, targetPosition)));
    if (!neighbour) return false;
    await tx.update(planTemplateSteps).set({ position: targetPosition }).where(eq(planTemplateSteps.id, step.id));
    await tx.update(planTemplateSteps).set({ position: step.position }).where(eq(planTemplateSteps.id, neighbour.id));
    await touched(tx, template.id);
    await audited(tx, actor, template.id, ip, {
      change: "step_moved",
      stepId: step.id,
      title: step.title,
      from: step.position,
      to: targetPosition,
    });
    return true;
  });
}

/** Archived templates leave the active list and can't be assigned; plans already copied stay. */
export async function archiveTemplate(actor: Actor, templateId: string, ip: string | null = null) {
  await db.transaction(async (tx) => {
    const template = await lockForChange(tx, actor, templateId, { allowArchived: true });
    if (template.archivedAt) return;
    await tx.update(planTemplates).set({ archivedAt: new Date(), updatedAt: new Date() }).where(eq(planTemplates.id, template.id));
    await recordAudit({ actorId: actor.id, action: "template.archived", target: { type: TEMPLATE_TARGET, id: template.id }, ip }, tx);
  });
}

export async function restoreTemplate(actor: Actor, templateId: string, ip: string | null = null) {
  await db.transaction(async (tx) => {
    const template = await lockForChange(tx, actor, templateId, { allowArchived: true });
    if (!template.archivedAt) return;
    await tx.update(planTemplates).set({ archivedAt: null, updatedAt: new Date() }).where(eq(planTemplates.id, template.id));
    await recordAudit({ actorId: actor.id, action: "template.restored", target: { type: TEMPLATE_TARGET, id: template.id }, ip }, tx);
  });
}
