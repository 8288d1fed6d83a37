import { and, asc, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { db, lookupDb } from "../../db/client";
import { auditEvents, cases, plans, planSteps, users, type Plan, type PlanStep, type StepStatus } from "../../db/schema";
import { recordAudit, type AuditAction } from "./audit.server";
import { authorizeCase, loadCaseAccess, requireCaseAction, touchCase, type Actor } from "./case-access.server";
import { notFound, RuleViolation } from "./errors.server";
import { getTemplateForAssignment, listTemplateChoices } from "./plan-templates.server";
import { progressPercent } from "./progress";
import { formatDateTime } from "~/dates";

// Plans on a case (DESIGN.md, "plans"): a template is copied onto the case when assigned, and
// from then on the copy is the case's own. Staff members of the case (and admins) edit it; the
// client who owns the case works through its steps. Every change is one transaction that writes
// one audit row carrying the case id (the case timeline) and bumps the case's last activity.
//
// Audit details, for the timeline: `plan` is the plan's title, `step` the step's title;
// plan.assigned adds `template`, edits add `fields` (what changed), reorders add `direction`.
// Staff edits also carry `planId`, so a refused stale save can say who changed the plan.
//
// Two staff members editing the same plan: every staff change carries the version of the plan
// its editor loaded (plans.version). The change is refused (StalePlanEdit, 409) when the plan
// has moved on since, instead of silently overwriting the other person's work; a change that
// does change something bumps the version in the same transaction, conditionally
// (`where version = <the version the change started from>`).

type Tx = Parameters<Parameters<typeof db.transaction>[0]>[0];

const PLAN_TARGET = "plan";
const STEP_TARGET = "plan_step";

// ---------------------------------------------------------------------------------------------
// Forms (the routes parse with these; the model checks again, since it can't trust its caller)

/** An optional text field: missing or null reads as empty. */
const text = () => z.string().nullish().transform((v) => (v ?? "").trim());

const isIsoDate = (value: string) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
};

const optionalDate = () =>
  text()
    .refine((v) => v === "" || isIsoDate(v), { error: "Enter a date like 2026-03-12, or leave it empty." })
    .transform((v) => (v === "" ? null : v));

/** A checkbox: checked browsers send "on"; the model passes booleans. */
const checkbox = () =>
  z
    .union([z.boolean(), z.string()])
    .optional()
    .transform((v) => v === true || v === "on" || v === "true");

const isHttpUrl = (value: string) => {
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    return false;
  }
};

export const assignPlanSchema = z.object({
  templateId: text().pipe(z.uuid({ error: "Choose a template." })),
  startDate: optionalDate(),
  sequential: checkbox(),
});
export type AssignPlanInput = z.infer<typeof assignPlanSchema>;

export const planDetailsSchema = z.object({
  title: text().pipe(z.string().min(1, { error: "Give the plan a title." }).max(160, { error: "Use at most 160 characters." })),
  summary: text().pipe(z.string().max(2000, { error: "Keep the summary under 2,000 characters." })),
  sequential: checkbox(),
});
export type PlanDetailsInput = z.infer<typeof planDetailsSchema>;

export const planStepSchema = z.object({
  title: text().pipe(z.string().min(1, { error: "Give the step a title." }).max(200, { error: "Use at most 200 characters." })),
  guidance: text().pipe(z.string().max(10_000, { error: "Keep the guidance under 10,000 characters." })),
  resourceUrl: text()
    .pipe(
      z
        .string()
        .max(2000, { error: "Use a shorter link (at most 2,000 characters)." })
        .refine((v) => v === "" || isHttpUrl(v), { error: "Enter a web address starting with http:// or https://, or leave it empty." }),
    )
    .transform((v) => (v === "" ? null : v)),
  dueDate: optionalDate(),
});
export type PlanStepInput = z.infer<typeof planStepSchema>;

export const WORK_STATUSES = ["doing", "done", "skipped"] as const;
export type WorkStatus = (typeof WORK_STATUSES)[number];

export const reflectionSchema = z.object({
  reflection: text().pipe(z.string().max(4000, { error: "Keep your note under 4,000 characters." })),
});

export const MOVE_DIRECTIONS = ["up", "down"] as const;
export type MoveDirection = (typeof MOVE_DIRECTIONS)[number];

/** The version of the plan the editor's page showed, from the hidden field every edit form carries. */
export const planVersionSchema = z.object({
  version: z.coerce
    .number({ error: "This page is out of date. Reload it and make your change again." })
    .int({ error: "This page is out of date. Reload it and make your change again." })
    .min(1, { error: "This page is out of date. Reload it and make your change again." }),
});

/**
 * A staff edit made from a version of the plan that is no longer current: someone else saved a
 * change in between. The route answers 409 with what the editor typed, so nothing is lost.
 */
export class StalePlanEdit extends RuleViolation {
  readonly status = 409;
  constructor(message: string) {
    super(message, "form");
    this.name = "StalePlanEdit";
  }
}

function check<S extends z.ZodType>(schema: S, input: z.input<S>): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new RuleViolation(issue.message, String(issue.path[0] ?? "form"));
  }
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------
// Dates

/** Today as YYYY-MM-DD (UTC), the form due dates are kept in. */
export function todayIso(now = new Date()) {
  return now.toISOString().slice(0, 10);
}

export function addDays(isoDate: string, days: number) {
  const date = new Date(`${isoDate}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/**
 * Due dates from a start date: each step is due at the start date plus the suggested days of
 * that step and every step before it. A step without suggested days gets no due date (and adds
 * nothing for the steps after it); without a start date nothing is dated.
 */
export function dueDatesFrom(startDate: string | null, suggestedDays: readonly (number | null)[]) {
  let elapsed = 0;
  return suggestedDays.map((days) => {
    if (days === null) return null;
    elapsed += days;
    return startDate ? addDays(startDate, elapsed) : null;
  });
}

// ---------------------------------------------------------------------------------------------
// Shapes handed to pages

const FINISHED: readonly StepStatus[] = ["done", "skipped"];
const isFinished = (status: StepStatus) => FINISHED.includes(status);

export type PlanStepView = Pick<
  PlanStep,
  "id" | "position" | "title" | "guidance" | "resourceUrl" | "suggestedDays" | "dueDate" | "status" | "startedAt" | "completedAt" | "reflection" | "updatedAt"
> & {
  /** Due before today and neither done nor skipped. */
  overdue: boolean;
  /** Sequential plan, and a step before this one is still open: it waits its turn. */
  locked: boolean;
};

function shapeSteps(plan: Pick<Plan, "sequential">, steps: PlanStep[], today: string): PlanStepView[] {
  let openBefore = false;
  return steps.map((step) => {
    const locked = plan.sequential && openBefore && !isFinished(step.status);
    if (!isFinished(step.status)) openBefore = true;
    return {
      id: step.id,
      position: step.position,
      title: step.title,
      guidance: step.guidance,
      resourceUrl: step.resourceUrl,
      suggestedDays: step.suggestedDays,
      dueDate: step.dueDate,
      status: step.status,
      startedAt: step.startedAt,
      completedAt: step.completedAt,
      reflection: step.reflection,
      updatedAt: step.updatedAt,
      overdue: step.dueDate !== null && step.dueDate < today && !isFinished(step.status),
      locked,
    };
  });
}

function progressOf(steps: Pick<PlanStep, "status">[]) {
  const counts = {
    total: steps.length,
    done: steps.filter((s) => s.status === "done").length,
    skipped: steps.filter((s) => s.status === "skipped").length,
  };
  return { ...counts, percent: progressPercent(counts) };
}

function shapePlan(plan: Plan, steps: PlanStep[], today: string) {
  return {
    id: plan.id,
    caseId: plan.caseId,
    title: plan.title,
    summary: plan.summary,
    sequential: plan.sequential,
    startDate: plan.startDate,
    assignedAt: plan.assignedAt,
    archivedAt: plan.archivedAt,
    version: plan.version,
    progress: progressOf(steps),
    steps: shapeSteps(plan, steps, today),
  };
}
export type PlanView = ReturnType<typeof shapePlan>;

/** The steps of several plans in one query, each plan's in order. */
async function stepsByPlan(planIds: string[], executor: Pick<typeof db, "select"> = db) {
  const byPlan = new Map<string, PlanStep[]>(planIds.map((id) => [id, []]));
  if (planIds.length === 0) return byPlan;
  const rows = await executor
    .select()
    .from(planSteps)
    .where(inArray(planSteps.planId, planIds))
    .orderBy(asc(planSteps.planId), asc(planSteps.position), asc(planSteps.id));
  for (const row of rows) byPlan.get(row.planId)?.push(row);
  return byPlan;
}

// ---------------------------------------------------------------------------------------------
// Staff: reading

/** A case's plans, active ones first (newest first), then archived ones, with steps and progress. */
export async function listPlansForCase(actor: Actor, caseId: string) {
  const access = await loadCaseAccess(actor, caseId);
  const rows = await db
    .select()
    .from(plans)
    .where(eq(plans.caseId, access.case.id))
    .orderBy(sql`${plans.archivedAt} is not null`, desc(sql`coalesce(${plans.archivedAt}, ${plans.assignedAt})`), asc(plans.id));
  const steps = await stepsByPlan(rows.map((p) => p.id));
  const today = todayIso();
  return rows.map((plan) => shapePlan(plan, steps.get(plan.id) ?? [], today));
}

/** Templates a plan can be assigned from: staff and admins may assign any that isn't archived. */
export async function listAssignableTemplates(actor: Actor, caseId: string) {
  const access = await authorizeCase(actor, caseId, "case.editPlans");
  const templates = await listTemplateChoices(actor);
  return { templates, caseClosed: access.case.status === "closed" };
}

async function findPlanOnCase(caseId: string, planId: string, executor: Pick<typeof db, "select"> = db) {
  if (!z.uuid().safeParse(planId).success) throw notFound();
  const [plan] = await executor
    .select()
    .from(plans)
    .where(and(eq(plans.id, planId), eq(plans.caseId, caseId)));
  if (!plan) throw notFound();
  return plan;
}

/** One plan of the case with its steps, for the staff edit page; 404 when it isn't on that case. */
export async function getPlanForEditing(actor: Actor, caseId: string, planId: string) {
  const access = await authorizeCase(actor, caseId, "case.editPlans");
  const plan = await findPlanOnCase(access.case.id, planId);
  const steps = await stepsByPlan([plan.id]);
  return shapePlan(plan, steps.get(plan.id) ?? [], todayIso());
}

// ---------------------------------------------------------------------------------------------
// Staff: assigning and editing

export async function assignPlan(actor: Actor, caseId: string, input: AssignPlanInput, ip: string | null = null) {
  const access = await authorizeCase(actor, caseId, "case.editPlans");
  const data = check(assignPlanSchema, input);
  if (access.case.status === "closed") {
    throw new RuleViolation("This case is closed. Reopen it before assigning a plan.", "templateId");
  }
  return db.transaction(async (tx) => {
    // Read (and share-lock) the template in this transaction, so it can't change while it is copied.
    const template = await getTemplateForAssignment(actor, data.templateId, tx).catch((error: unknown) => {
      // Archived or removed since the form was drawn: say so beside the choice, keeping the form.
      if (error instanceof Response && error.status === 404) {
        throw new RuleViolation("That template isn't available any more. Choose another one.", "templateId");
      }
      throw error;
    });

    const [plan] = await tx
      .insert(plans)
      .values({
        caseId: access.case.id,
        templateId: template.id,
        title: template.title,
        summary: template.summary,
        sequential: data.sequential,
        startDate: data.startDate,
        assignedBy: actor.id,
      })
      .returning();
    if (!plan) throw new Error("insert returned nothing");

    const due = dueDatesFrom(
      data.startDate,
      template.steps.map((s) => s.suggestedDays),
    );
    if (template.steps.length > 0) {
      await tx.insert(planSteps).values(
        template.steps.map((step, i) => ({
          planId: plan.id,
          position: i + 1,
          title: step.title,
          guidance: step.guidance,
          resourceUrl: step.resourceUrl,
          suggestedDays: step.suggestedDays,
          dueDate: due[i] ?? null,
        })),
      );
    }
    await recordAudit(
      {
        actorId: actor.id,
        action: "plan.assigned",
        target: { type: PLAN_TARGET, id: plan.id },
        caseId: access.case.id,
        ip,
        details: { template: template.title, plan: plan.title, steps: template.steps.length },
      },
      tx,
    );
    await touchCase(access.case.id, tx);
    return plan;
  });
}

/** The refusal for a stale edit, naming who changed the plan last and when, when the trail says. */
async function staleEdit(actor: Actor, caseId: string, planId: string, executor: Pick<typeof db, "select">) {
  const [last] = await executor
    .select({ actorId: auditEvents.actorId, name: users.name, at: auditEvents.createdAt })
    .from(auditEvents)
    .leftJoin(users, eq(users.id, auditEvents.actorId))
    .where(
      and(
        eq(auditEvents.caseId, caseId),
        sql`${auditEvents.action} like 'plan.%'`,
        sql`(${auditEvents.targetId} = ${planId} or ${auditEvents.details}->>'planId' = ${planId})`,
      ),
    )
    .orderBy(desc(auditEvents.createdAt))
    .limit(1);
  const when = last ? `${formatDateTime(last.at)} UTC` : null;
  const notSaved = "Your changes were not saved — here is what you wrote;";
  if (last && last.actorId === actor.id) {
    return new StalePlanEdit(`This plan was changed in another of your tabs or windows while you were editing (${when}). ${notSaved} reload to see the saved version.`);
  }
  const who = last ? ` (${last.name ?? "a colleague"}, ${when})` : "";
  return new StalePlanEdit(`Someone else changed this plan while you were editing${who}. ${notSaved} reload to see their version.`);
}

/**
 * Runs a staff change to one plan of the case: checks the actor, locks the plan row (so two
 * edits of the same plan never interleave), refuses a change made from an older version than
 * the plan's (`version`, when given: the version the editor's page showed), refuses archived
 * plans unless `allowArchived`, and after `change` — when it changed something — bumps the
 * version, writes the audit row it returns and bumps the case.
 *
 * A client's work on the steps (workOnStep: status and reflection) doesn't bump the version:
 * it never touches what staff edit (title, guidance, link, due date, order), so a staff editor
 * whose page predates it loses nothing and isn't refused.
 */
async function changePlan<T>(
  actor: Actor,
  caseId: string,
  planId: string,
  ip: string | null,
  change: (tx: Tx, plan: Plan) => Promise<{ result: T; audit: { action: AuditAction; target?: { type: string; id: string }; details: Record<string, unknown> } | null }>,
  options: { allowArchived?: boolean; version?: number } = {},
): Promise<T> {
  const access = await authorizeCase(actor, caseId, "case.editPlans");
  if (!z.uuid().safeParse(planId).success) throw notFound();
  return db.transaction(async (tx) => {
    const [plan] = await tx
      .select()
      .from(plans)
      .where(and(eq(plans.id, planId), eq(plans.caseId, access.case.id)))
      .for("update");
    if (!plan) throw notFound();
    if (options.version !== undefined && plan.version !== options.version) {
      throw await staleEdit(actor, access.case.id, plan.id, tx);
    }
    if (plan.archivedAt && !options.allowArchived) {
      throw new RuleViolation("This plan is archived. Restore it before making changes.");
    }
    const { result, audit } = await change(tx, plan);
    if (audit) {
      // Conditional on the version the change started from: with the row locked it always
      // matches, and if it ever didn't, the change is refused rather than written over.
      const [bumped] = await tx
        .update(plans)
        .set({ version: sql`${plans.version} + 1` })
        .where(and(eq(plans.id, plan.id), eq(plans.version, plan.version)))
        .returning({ version: plans.version });
      if (!bumped) throw await staleEdit(actor, access.case.id, plan.id, tx);
      await recordAudit(
        {
          actorId: actor.id,
          action: audit.action,
          target: audit.target ?? { type: PLAN_TARGET, id: plan.id },
          caseId: access.case.id,
          ip,
          details: { ...audit.details, planId: plan.id },
        },
        tx,
      );
      await touchCase(access.case.id, tx);
    }
    return result;
  });
}

async function orderedSteps(tx: Tx, planId: string) {
  return tx.select().from(planSteps).where(eq(planSteps.planId, planId)).orderBy(asc(planSteps.position), asc(planSteps.id));
}

/** Writes positions 1…n in the given order (only the rows whose position changes). */
async function renumber(tx: Tx, steps: Pick<PlanStep, "id" | "position">[]) {
  const now = new Date();
  for (const [i, step] of steps.entries()) {
    if (step.position !== i + 1) {
      await tx.update(planSteps).set({ position: i + 1, updatedAt: now }).where(eq(planSteps.id, step.id));
    }
  }
}

function findStep(steps: PlanStep[], stepId: string) {
  const step = steps.find((s) => s.id === stepId);
  if (!step) throw notFound();
  return step;
}

// The staff edits below take `version`, the plan version the editor's page showed: given, the
// edit is refused (StalePlanEdit) when the plan has changed since. Left out (the seed, scripts),
// the edit applies to the plan as it is.

export async function editPlan(actor: Actor, caseId: string, planId: string, input: PlanDetailsInput, ip: string | null = null, version?: number) {
  const data = check(planDetailsSchema, input);
  return changePlan(actor, caseId, planId, ip, async (tx, plan) => {
    const fields = (["title", "summary", "sequential"] as const).filter((field) => plan[field] !== data[field]);
    if (fields.length === 0) return { result: plan, audit: null };
    const [updated] = await tx.update(plans).set(data).where(eq(plans.id, plan.id)).returning();
    return {
      result: updated!,
      audit: { action: "plan.edited", details: { plan: data.title, fields, ...(plan.title !== data.title ? { from: plan.title } : {}) } },
    };
  }, { version });
}

export async function addStep(actor: Actor, caseId: string, planId: string, input: PlanStepInput, ip: string | null = null, version?: number) {
  const data = check(planStepSchema, input);
  return changePlan(actor, caseId, planId, ip, async (tx, plan) => {
    const steps = await orderedSteps(tx, plan.id);
    // Close any gap first, so the new step lands right after the last one.
    await renumber(tx, steps);
    const [step] = await tx
      .insert(planSteps)
      .values({ planId: plan.id, position: steps.length + 1, ...data })
      .returning();
    return {
      result: step!,
      audit: { action: "plan.step_added", target: { type: STEP_TARGET, id: step!.id }, details: { plan: plan.title, step: step!.title } },
    };
  }, { version });
}

export async function editStep(
  actor: Actor,
  caseId: string,
  planId: string,
  stepId: string,
  input: PlanStepInput,
  ip: string | null = null,
  version?: number,
) {
  const data = check(planStepSchema, input);
  return changePlan(actor, caseId, planId, ip, async (tx, plan) => {
    const step = findStep(await orderedSteps(tx, plan.id), stepId);
    const fields = (["title", "guidance", "resourceUrl", "dueDate"] as const).filter((field) => step[field] !== data[field]);
    if (fields.length === 0) return { result: step, audit: null };
    const [updated] = await tx
      .update(planSteps)
      .set({ ...data, updatedAt: new Date() })
      .where(eq(planSteps.id, step.id))
      .returning();
    return {
      result: updated!,
      audit: {
        action: "plan.step_edited",
        target: { type: STEP_TARGET, id: step.id },
        details: { plan: plan.title, step: data.title, fields, ...(step.title !== data.title ? { from: step.title } : {}) },
      },
    };
  }, { version });
}

export async function removeStep(actor: Actor, caseId: string, planId: string, stepId: string, ip: string | null = null, version?: number) {
  return changePlan(actor, caseId, planId, ip, async (tx, plan) => {
    const steps = await orderedSteps(tx, plan.id);
    const step = findStep(steps, stepId);
    await tx.delete(planSteps).where(eq(planSteps.id, step.id));
    await renumber(
      tx,
      steps.filter((s) => s.id !== step.id),
    );
    return {
      result: step,
      audit: { action: "plan.step_removed", target: { type: STEP_TARGET, id: step.id }, details: { plan: plan.title, step: step.title } },
    };
  }, { version });
}

export async function moveStep(
  actor: Actor,
  caseId: string,
  planId: string,
  stepId: string,
  direction: MoveDirection,
  ip: string | null = null,
  version?: number,
) {
  if (!MOVE_DIRECTIONS.includes(direction)) throw new RuleViolation("Choose up or down.");
  return changePlan(actor, caseId, planId, ip, async (tx, plan) => {
    const steps = await orderedSteps(tx, plan.id);
    const step = findStep(steps, stepId);
    const from = steps.indexOf(step);
    const to = direction === "up" ? from - 1 : from + 1;
    if (to < 0) throw new RuleViolation("This step is already the first one.");
    if (to >= steps.length) throw new RuleViolation("This step is already the last one.");
    const reordered = [...steps];
    reordered[from] = steps[to]!;
    reordered[to] = step;
    await renumber(tx, reordered);
    return {
      result: { ...step, position: to + 1 },
      audit: {
        action: "plan.steps_reordered",
        target: { type: STEP_TARGET, id: step.id },
        details: { plan: plan.title, step: step.title, direction, position: to + 1 },
      },
    };
  }, { version });
}

export async function archivePlan(actor: Actor, caseId: string, planId: string, ip: string | null = null, version?: number) {
  return changePlan(
    actor,
    caseId,
    planId,
    ip,
    async (tx, plan) => {
      if (plan.archivedAt) return { result: plan, audit: null };
      const [updated] = await tx.update(plans).set({ archivedAt: new Date() }).where(eq(plans.id, plan.id)).returning();
      return { result: updated!, audit: { action: "plan.archived", details: { plan: plan.title } } };
    },
    { allowArchived: true, version },
  );
}

/** Brings an archived plan back to the client's portal. */
export async function unarchivePlan(actor: Actor, caseId: string, planId: string, ip: string | null = null, version?: number) {
  return changePlan(
    actor,
    caseId,
    planId,
    ip,
    async (tx, plan) => {
      if (!plan.archivedAt) return { result: plan, audit: null };
      const [updated] = await tx.update(plans).set({ archivedAt: null }).where(eq(plans.id, plan.id)).returning();
      return { result: updated!, audit: { action: "plan.restored", details: { plan: plan.title } } };
    },
    { allowArchived: true, version },
  );
}

// ---------------------------------------------------------------------------------------------
// Client: the portal and working through steps

/** The client's active plans on their open cases, oldest assignment first, with steps and progress. */
/** The portal's two statements, built once: the client's current plans, then their steps. */
const portalPlans = lookupDb
  .select({ plan: plans })
  .from(plans)
  .innerJoin(cases, eq(cases.id, plans.caseId))
  .where(and(eq(cases.clientId, sql.placeholder("clientId")), sql`${cases.status} <> 'closed'`, isNull(plans.archivedAt)))
  .orderBy(asc(plans.assignedAt), asc(plans.id))
  .prepare("portal_plans");
const portalSteps = lookupDb
  .select()
  .from(planSteps)
  .where(sql`${planSteps.planId} = any(${sql.placeholder("planIds")}::uuid[])`)
  .orderBy(asc(planSteps.planId), asc(planSteps.position), asc(planSteps.id))
  .prepare("portal_steps");

export async function listPortalPlans(actor: Actor) {
  if (actor.role !== "client") throw notFound();
  const rows = await portalPlans.execute({ clientId: actor.id });
  const steps = new Map<string, PlanStep[]>(rows.map((r) => [r.plan.id, []]));
  if (rows.length > 0) for (const step of await portalSteps.execute({ planIds: rows.map((r) => r.plan.id) })) steps.get(step.planId)?.push(step);
  const today = todayIso();
  return rows.map(({ plan }) => shapePlan(plan, steps.get(plan.id) ?? [], today));
}

const STATUS_AUDIT: Record<WorkStatus, AuditAction> = { doing: "step.started", done: "step.done", skipped: "step.skipped" };

/**
 * The one path for a client's work on a step: a status change, a reflection note, or both.
 * 404 when the actor can't see the step's case, 403 when they can but aren't its client.
 */
async function workOnStep(actor: Actor, stepId: string, change: { status?: WorkStatus; reflection?: string }, ip: string | null) {
  if (!z.uuid().safeParse(stepId).success) throw notFound();
  const [found] = await db
    .select({ caseId: plans.caseId, planId: plans.id })
    .from(planSteps)
    .innerJoin(plans, eq(plans.id, planSteps.planId))
    .where(eq(planSteps.id, stepId));
  if (!found) throw notFound();
  const access = await loadCaseAccess(actor, found.caseId);
  requireCaseAction(access, "case.workSteps");
  if (access.case.status === "closed") throw new RuleViolation("This case is closed, so its plan can't be changed any more.");

  const reflection = change.reflection === undefined ? undefined : check(reflectionSchema, { reflection: change.reflection }).reflection || null;

  // The client's work leaves plans.version alone: it is not a staff edit (see changePlan). The same
  // status sent twice (a double click) is a no-op the second time: no audit row, nothing else.
  return db.transaction(async (tx) => {
    // Lock the plan: a reorder or a second status change can't slip in between the check and the write.
    const [plan] = await tx.select().from(plans).where(eq(plans.id, found.planId)).for("update");
    if (!plan) throw notFound();
    if (plan.archivedAt) throw new RuleViolation("This plan has been archived by your practitioner, so its steps can't be changed.");
    const steps = await orderedSteps(tx, plan.id);
    const step = findStep(steps, stepId);

    const status = change.status ?? step.status;
    const statusChanges = status !== step.status;
    const reflectionChanges = reflection !== undefined && reflection !== step.reflection;
    if (!statusChanges && !reflectionChanges) return step;

    const waiting = plan.sequential && steps.some((s) => s.position < step.position && !isFinished(s.status));
    // Moving a finished step back to "doing" never jumps ahead, so it is allowed while waiting.
    const reopening = status === "doing" && isFinished(step.status);
    if (statusChanges && waiting && !reopening) {
      throw new RuleViolation("This plan goes in order: finish or skip the steps before this one first.");
    }

    const now = new Date();
    const update: Partial<PlanStep> = { updatedAt: now };
    if (reflectionChanges) update.reflection = reflection;
    if (statusChanges) {
      update.status = status;
      if (status === "doing") {
        update.startedAt = step.startedAt ?? now;
        update.completedAt = null;
      } else if (status === "done") {
        update.startedAt = step.startedAt ?? now;
        update.completedAt = now;
      } else {
        update.completedAt = null;
      }
    }
    const [updated] = await tx.update(planSteps).set(update).where(eq(planSteps.id, step.id)).returning();

    const action: AuditAction = !statusChanges ? "step.reflection_saved" : reopening ? "step.reopened" : STATUS_AUDIT[status as WorkStatus];
    // The note itself stays out of the audit trail: it is the client's own words.
    const details: Record<string, unknown> = { plan: plan.title, step: step.title };
    if (statusChanges) details.from = step.status;
    if (reflectionChanges) details.note = reflection ? "saved" : "cleared";
    await recordAudit({ actorId: actor.id, action, target: { type: STEP_TARGET, id: step.id }, caseId: access.case.id, ip, details }, tx);
    await touchCase(access.case.id, tx);
    return updated!;
  });
}

/**
 * The client starts, finishes or skips a step (`doing` on a done or skipped step reopens it),
 * optionally saving their reflection note with it. In a sequential plan a step can't start,
 * finish or be skipped while a step before it is still open.
 */
export async function setStepStatus(actor: Actor, stepId: string, input: { status: WorkStatus; reflection?: string }, ip: string | null = null) {
  if (!WORK_STATUSES.includes(input.status)) throw new RuleViolation("Choose start, done or skip.");
  return workOnStep(actor, stepId, input, ip);
}

/** Saves (or, when empty, clears) the client's reflection note on a step, leaving its status. */
export async function saveReflection(actor: Actor, stepId: string, reflection: string, ip: string | null = null) {
  return workOnStep(actor, stepId, { reflection }, ip);
}
