import { and, asc, count, desc, eq, inArray, isNull, lt, ne, or, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { z } from "zod";
import { db } from "../../db/client";
import { caseMembers, cases, checkIns, planSteps, plans, users, type CheckIn, type RiskLevel } from "../../db/schema";
import { recordAudit } from "./audit.server";
import { canOnCase, loadCaseAccess, memberOfCase, requireStaffActor, touchCase, visibleCases, type Actor } from "./case-access.server";
import { MOOD_MAX, SCALE_MAX } from "./check-ins";
import { forbidden, notFound, RuleViolation } from "./errors.server";
import { notify } from "./notifications.server";
import { screenText } from "./risk-screening";
import { KEY_REUSED_MESSAGE, RepeatedSubmission, submissionKeyField } from "./submission-keys.server";

// Check-ins (issue 5): the client's regular answer to "how is it going?" — mood (1–5), progress
// toward their goal and closeness/trust (1–10), the plan steps they worked on and, in their own
// words, what happened and what was hard. Staff on the case review each one and answer with
// feedback, which the client then sees.
//
// Who may do what: only the client of the case checks in (anyone who can't see the case: 404;
// staff who can see it: 403 — they don't answer for the client). Only staff on the case (and
// admins) see the review queue's rows, open a check-in for review and review it; everyone else
// gets 404, whatever id they send.
//
// What a client writes is screened like their questions (risk-screening.ts): a match keeps
// which rules matched, raises the case's risk to at least "watch", alerts the case lead at once
// and tells the caller (crisis: true) so the page can show the practice's crisis message.
// Every change runs in one transaction with its audit rows (carrying the case id: the case
// timeline) and notifications, which say what happened, never what anyone wrote.
//
// A check-in can carry its form's submission key (submission-keys.server.ts): the same form
// sent again answers with the check-in already stored, and nothing else happens — no second
// check-in, notification, audit row or risk alert.

type Tx = Parameters<Parameters<typeof db.transaction>[0]>[0];

export const CHECK_IN_TEXT_MAX = 4000;
export const FEEDBACK_MAX = 4000;
export const OWN_CHECK_INS_PER_PAGE = 10;
export const PREVIOUS_SHOWN = 6;

const CHECK_IN_TARGET = "check_in";

// ---------------------------------------------------------------------------------------------
// Forms

/** A whole-number score from 1 to `max`; an empty or missing answer reads as "not chosen". */
function scoreField(max: number, message: string) {
  return z.preprocess(
    (value) => (value === undefined || value === null || value === "" ? undefined : Number(value)),
    z
      .number({ error: message })
      .int({ error: message })
      .min(1, { error: message })
      .max(max, { error: message }),
  );
}

function textField(what: string) {
  return z
    .string()
    .nullish()
    .transform((v) => (v ?? "").trim())
    .pipe(z.string().max(CHECK_IN_TEXT_MAX, { error: `Keep ${what} under ${CHECK_IN_TEXT_MAX.toLocaleString("en")} characters.` }));
}

export const checkInSchema = z.object({
  mood: scoreField(MOOD_MAX, `Choose how your mood has been, from 1 to ${MOOD_MAX}.`),
  progress: scoreField(SCALE_MAX, `Choose how far along you feel, from 1 to ${SCALE_MAX}.`),
  closeness: scoreField(SCALE_MAX, `Choose how close you feel, from 1 to ${SCALE_MAX}.`),
  // A single ticked box arrives as a string; none at all as nothing.
  stepIds: z.preprocess(
    (value) => (value === undefined || value === null || value === "" ? [] : Array.isArray(value) ? value : [value]),
    z.array(z.string().trim(), { error: "Choose steps from your plan." }).max(200, { error: "Choose fewer steps." }),
  ),
  whatHappened: textField("“What happened”"),
  whatWasHard: textField("“What was hard”"),
  submissionKey: submissionKeyField,
});
export type CheckInInput = z.input<typeof checkInSchema>;

export const feedbackSchema = z.object({
  feedback: z
    .string({ error: "Write a few words of feedback before marking it reviewed." })
    .trim()
    .min(1, { error: "Write a few words of feedback before marking it reviewed." })
    .max(FEEDBACK_MAX, { error: `Keep your feedback under ${FEEDBACK_MAX.toLocaleString("en")} characters.` }),
});

export const ownCheckInsQuery = z.object({ page: z.coerce.number().int().min(1).max(100_000).default(1).catch(1) });

const optionalUuid = z
  .string()
  .optional()
  .transform((v) => (v ?? "").trim() || undefined)
  .pipe(z.uuid().optional())
  .catch(undefined);

export const reviewQueueQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1).catch(1),
  perPage: z.coerce
    .number()
    .int()
    .pipe(z.union([z.literal(10), z.literal(25), z.literal(50)]))
    .default(25)
    .catch(25),
  caseId: optionalUuid,
  lead: optionalUuid,
});
export type ReviewQueueQuery = z.infer<typeof reviewQueueQuery>;

/** The queue's address for a query, leaving out the defaults. */
export function reviewQueueHref(query: Partial<ReviewQueueQuery>) {
  const params = new URLSearchParams();
  if (query.caseId) params.set("caseId", query.caseId);
  if (query.lead) params.set("lead", query.lead);
  if (query.page && query.page > 1) params.set("page", String(query.page));
  if (query.perPage && query.perPage !== 25) params.set("perPage", String(query.perPage));
  const qs = params.toString();
  return qs ? `/check-ins?${qs}` : "/check-ins";
}

function checked<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RuleViolation(issue?.message ?? "Check this field.", issue ? String(issue.path[0] ?? "form") : "form");
  }
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------
// Helpers

const RISK_ORDER: Record<RiskLevel, number> = { none: 0, watch: 1, urgent: 2 };

async function caseTeam(executor: Tx | typeof db, caseId: string) {
  return executor
    .select({ userId: caseMembers.userId, role: caseMembers.role })
    .from(caseMembers)
    .where(eq(caseMembers.caseId, caseId));
}

async function nameOf(actor: Actor) {
  if (actor.name) return actor.name;
  const [row] = await db.select({ name: users.name }).from(users).where(eq(users.id, actor.id));
  return row?.name ?? "Someone";
}

const staffLink = (checkInId: string) => `/check-ins/${checkInId}`;

/** The steps of the case's active (not archived) plans among `stepIds`. */
async function activeStepsOnCase(caseId: string, stepIds: string[]) {
  if (stepIds.length === 0) return [];
  return db
    .select({ id: planSteps.id })
    .from(planSteps)
    .innerJoin(plans, eq(plans.id, planSteps.planId))
    .where(and(eq(plans.caseId, caseId), isNull(plans.archivedAt), inArray(planSteps.id, stepIds)));
}

/** The check-in this client already sent with this submission key, if any. */
async function findSubmittedCheckIn(authorId: string, submissionKey: string) {
  const [row] = await db
    .select()
    .from(checkIns)
    .where(and(eq(checkIns.authorId, authorId), eq(checkIns.submissionKey, submissionKey)));
  return row ?? null;
}

// ---------------------------------------------------------------------------------------------
// The client: the form's choices, checking in and their own history

/**
 * What the check-in form offers the client: their open cases (oldest first), each with the steps
 * of its active plans in plan order. Anyone but a client: 404.
 */
export async function getCheckInChoices(client: Actor) {
  if (client.role !== "client") throw notFound();
  const [open, steps] = await Promise.all([
    db
      .select({ id: cases.id, title: cases.title })
      .from(cases)
      .where(and(eq(cases.clientId, client.id), ne(cases.status, "closed")))
      .orderBy(asc(cases.openedAt), asc(cases.id)),
    db
      .select({ id: planSteps.id, title: planSteps.title, planTitle: plans.title, caseId: plans.caseId })
      .from(planSteps)
      .innerJoin(plans, eq(plans.id, planSteps.planId))
      .innerJoin(cases, eq(cases.id, plans.caseId))
      .where(and(eq(cases.clientId, client.id), ne(cases.status, "closed"), isNull(plans.archivedAt)))
      .orderBy(asc(plans.assignedAt), asc(plans.id), asc(planSteps.position)),
  ]);
  return open.map((c) => ({ ...c, steps: steps.filter((s) => s.caseId === c.id).map(({ caseId: _, ...s }) => s) }));
}

/**
 * The client checks in on their case. 404 unless the actor can see the case; 403 for staff who
 * can (a check-in is the client's own voice); refused on a closed case. The steps must be on the
 * case's active plans. Returns the check-in and whether what they wrote matched a risk rule.
 */
export async function submitCheckIn(client: Actor, caseId: string, input: CheckInInput, ip: string | null = null) {
  const access = await loadCaseAccess(client, caseId);
  if (access.relation !== "client") throw forbidden();
  const data = checked(checkInSchema, input);
  if (access.case.status === "closed") {
    throw new RuleViolation("This case is closed, so it doesn't take check-ins any more. Your earlier check-ins stay in your progress.", "caseId");
  }
  const stepIds = [...new Set(data.stepIds)];
  const validIds = stepIds.filter((id) => z.uuid().safeParse(id).success);
  const found = await activeStepsOnCase(access.case.id, validIds);
  if (found.length !== stepIds.length) {
    throw new RuleViolation("Choose only steps from your current plan on this case.", "stepIds");
  }

  const matches = screenText(`${data.whatHappened}\n${data.whatWasHard}`);
  const clientName = await nameOf(client);
  const c = access.case;
  const key = data.submissionKey;

  // The same form sent again: the check-in it already stored, if it says the same thing.
  const repeat = (earlier: CheckIn) => {
    const same =
      earlier.caseId === c.id &&
      earlier.mood === data.mood &&
      earlier.progress === data.progress &&
      earlier.closeness === data.closeness &&
      earlier.whatHappened === data.whatHappened &&
      earlier.whatWasHard === data.whatWasHard &&
      earlier.stepIds.length === stepIds.length &&
      stepIds.every((id) => earlier.stepIds.includes(id));
    if (!same) throw new RuleViolation(KEY_REUSED_MESSAGE, "form");
    return { checkIn: earlier, crisis: matches.length > 0 };
  };
  if (key) {
    const earlier = await findSubmittedCheckIn(client.id, key);
    if (earlier) return repeat(earlier);
  }

  try {
    return await db.transaction(async (tx) => {
      const now = new Date();
      const [checkIn] = await tx
        .insert(checkIns)
        .values({
          caseId: c.id,
          authorId: client.id,
          submittedAt: now,
          mood: data.mood,
          progress: data.progress,
          closeness: data.closeness,
          whatHappened: data.whatHappened,
          whatWasHard: data.whatWasHard,
          stepIds,
          riskReasons: matches.map((m) => ({ ruleId: m.ruleId, label: m.label })),
          submissionKey: key ?? null,
        })
        // A submission racing this one with the same key waits for it here, then inserts nothing.
        .onConflictDoNothing({ target: [checkIns.authorId, checkIns.submissionKey], where: sql`submission_key is not null` })
        .returning();
      if (!checkIn) {
        if (key) throw new RepeatedSubmission();
        throw new Error("insert returned nothing");
      }
      const target = { type: CHECK_IN_TARGET, id: checkIn.id };
      await recordAudit(
        { actorId: client.id, action: "check_in.submitted", target, caseId: c.id, ip, details: { checkInId: checkIn.id, steps: stepIds.length } },
        tx,
      );

      const team = await caseTeam(tx, c.id);
      let alerted: string[] = [];
      if (matches.length) {
        // The system flags, so these rows have no actor: the timeline says "Cairn flagged …".
        await recordAudit(
          {
            actorId: null,
            action: "check_in.flagged",
            target,
            caseId: c.id,
            ip,
            details: { checkInId: checkIn.id, rules: matches.map((m) => m.ruleId), labels: matches.map((m) => m.label) },
          },
          tx,
        );
        const [caseRow] = await tx.select({ risk: cases.risk }).from(cases).where(eq(cases.id, c.id)).for("update");
        if (caseRow && RISK_ORDER[caseRow.risk] < RISK_ORDER.watch) {
          await tx.update(cases).set({ risk: "watch" }).where(eq(cases.id, c.id));
          await recordAudit(
            {
              actorId: null,
              action: "case.risk_changed",
              target: { type: "case", id: c.id },
              caseId: c.id,
              ip,
              details: { from: caseRow.risk, to: "watch", reason: "risk_flag", checkInId: checkIn.id },
            },
            tx,
          );
        }
        const lead = team.find((m) => m.role === "lead");
        // With no lead on the case, the whole team hears of it.
        alerted = lead ? [lead.userId] : team.map((m) => m.userId);
        await notify(
          tx,
          {
            recipients: alerted,
            kind: "urgent_flag",
            text: `A check-in from ${clientName} was flagged as urgent. Please look at it now.`,
            link: staffLink(checkIn.id),
            caseId: c.id,
          },
          now,
        );
      }
      await notify(
        tx,
        {
          recipients: team.map((m) => m.userId).filter((id) => !alerted.includes(id)),
          kind: "check_in_submitted",
          text: `${clientName} sent a check-in.`,
          link: staffLink(checkIn.id),
          caseId: c.id,
        },
        now,
      );
      await touchCase(c.id, tx, now);
      return { checkIn, crisis: matches.length > 0 };
    });
  } catch (error) {
    if (!(error instanceof RepeatedSubmission) || !key) throw error;
    const winner = await findSubmittedCheckIn(client.id, key);
    if (!winner) throw error;
    return repeat(winner);
  }
}

const reviewer = alias(users, "reviewer");

/** The client's own check-ins on all their cases, newest first, with feedback once reviewed. */
export async function listOwnCheckIns(client: Actor, query: { page: number }) {
  if (client.role !== "client") throw notFound();
  const perPage = OWN_CHECK_INS_PER_PAGE;
  const page = Math.max(1, Math.floor(query.page));
  const mine = eq(cases.clientId, client.id);
  const [rows, [total]] = await Promise.all([
    db
      .select({
        id: checkIns.id,
        caseId: checkIns.caseId,
        caseTitle: cases.title,
        submittedAt: checkIns.submittedAt,
        mood: checkIns.mood,
        progress: checkIns.progress,
        closeness: checkIns.closeness,
        whatHappened: checkIns.whatHappened,
        whatWasHard: checkIns.whatWasHard,
        reviewedAt: checkIns.reviewedAt,
        reviewerName: reviewer.name,
        feedback: sql<string | null>`case when ${checkIns.reviewedAt} is not null then ${checkIns.feedback} end`,
      })
      .from(checkIns)
      .innerJoin(cases, eq(cases.id, checkIns.caseId))
      .leftJoin(reviewer, eq(reviewer.id, checkIns.reviewedBy))
      .where(mine)
      .orderBy(desc(checkIns.submittedAt), desc(checkIns.id))
      .limit(perPage)
      .offset((page - 1) * perPage),
    db.select({ n: count() }).from(checkIns).innerJoin(cases, eq(cases.id, checkIns.caseId)).where(mine),
  ]);
  return { rows, total: total?.n ?? 0, page, perPage };
}

// ---------------------------------------------------------------------------------------------
// Staff: the review queue

function queueConditions(actor: Actor, query: Pick<ReviewQueueQuery, "caseId" | "lead">) {
  return and(
    isNull(checkIns.reviewedAt),
    visibleCases(actor, checkIns.caseId),
    query.caseId ? eq(checkIns.caseId, query.caseId) : undefined,
    query.lead ? memberOfCase(query.lead, checkIns.caseId, "lead") : undefined,
  );
}

const clientUser = alias(users, "client_user");
const leadMember = alias(caseMembers, "lead_member");
const leadUser = alias(users, "lead_user");

/**
 * Unreviewed check-ins on the viewer's cases (admins: all), oldest first, with the client, the
 * case, the scores and the change since the previous check-in of the same case. Four queries
 * whatever the page size: the page's rows (the page is picked from the partial index of
 * unreviewed check-ins; lag() runs only over the check-ins of the cases on that page), the
 * total, and the filters' choices (cases and leads that have something waiting).
 */
export async function listReviewQueue(actor: Actor, query: ReviewQueueQuery) {
  requireStaffActor(actor);
  const where = queueConditions(actor, query);
  const pageRows = db.$with("page").as(
    db
      .select({ id: checkIns.id, caseId: checkIns.caseId, submittedAt: checkIns.submittedAt })
      .from(checkIns)
      .where(where)
      .orderBy(asc(checkIns.submittedAt), asc(checkIns.id))
      .limit(query.perPage)
      .offset((query.page - 1) * query.perPage),
  );
  const window = sql`over (partition by ${checkIns.caseId} order by ${checkIns.submittedAt}, ${checkIns.id})`;
  const history = db
    .select({
      id: checkIns.id,
      mood: checkIns.mood,
      progress: checkIns.progress,
      closeness: checkIns.closeness,
      riskReasons: checkIns.riskReasons,
      prevMood: sql<number | null>`lag(${checkIns.mood}) ${window}`.as("prev_mood"),
      prevProgress: sql<number | null>`lag(${checkIns.progress}) ${window}`.as("prev_progress"),
      prevCloseness: sql<number | null>`lag(${checkIns.closeness}) ${window}`.as("prev_closeness"),
    })
    .from(checkIns)
    .where(inArray(checkIns.caseId, db.select({ caseId: pageRows.caseId }).from(pageRows)))
    .as("history");

  const scope = visibleCases(actor, checkIns.caseId);
  const [rows, [total], caseOptions, leadOptions] = await Promise.all([
    db
      .with(pageRows)
      .select({
        id: pageRows.id,
        caseId: pageRows.caseId,
        submittedAt: pageRows.submittedAt,
        caseTitle: cases.title,
        clientName: clientUser.name,
        leadName: leadUser.name,
        mood: history.mood,
        progress: history.progress,
        closeness: history.closeness,
        prevMood: history.prevMood,
        prevProgress: history.prevProgress,
        prevCloseness: history.prevCloseness,
        riskReasons: history.riskReasons,
      })
      .from(pageRows)
      .innerJoin(history, eq(history.id, pageRows.id))
      .innerJoin(cases, eq(cases.id, pageRows.caseId))
      .innerJoin(clientUser, eq(clientUser.id, cases.clientId))
      .leftJoin(leadMember, and(eq(leadMember.caseId, pageRows.caseId), eq(leadMember.role, "lead")))
      .leftJoin(leadUser, eq(leadUser.id, leadMember.userId))
      .orderBy(asc(pageRows.submittedAt), asc(pageRows.id)),
    db.select({ n: count() }).from(checkIns).where(where),
    db
      .selectDistinct({ id: cases.id, title: cases.title, clientName: clientUser.name })
      .from(checkIns)
      .innerJoin(cases, eq(cases.id, checkIns.caseId))
      .innerJoin(clientUser, eq(clientUser.id, cases.clientId))
      .where(and(isNull(checkIns.reviewedAt), scope))
      .orderBy(asc(clientUser.name), asc(cases.title), asc(cases.id)),
    db
      .selectDistinct({ id: leadUser.id, name: leadUser.name })
      .from(checkIns)
      .innerJoin(leadMember, and(eq(leadMember.caseId, checkIns.caseId), eq(leadMember.role, "lead")))
      .innerJoin(leadUser, eq(leadUser.id, leadMember.userId))
      .where(and(isNull(checkIns.reviewedAt), scope))
      .orderBy(asc(leadUser.name), asc(leadUser.id)),
  ]);
  return {
    rows: rows.map((r) => ({ ...r, flagged: r.riskReasons.length > 0 })),
    total: total?.n ?? 0,
    filters: { cases: caseOptions, leads: leadOptions },
  };
}

// ---------------------------------------------------------------------------------------------
// Staff: one check-in and its review

/** The check-in and its case, for staff of the case only: everyone else gets 404. */
async function loadForStaff(actor: Actor, checkInId: string) {
  requireStaffActor(actor);
  if (!z.uuid().safeParse(checkInId).success) throw notFound();
  const [row] = await db.select().from(checkIns).where(eq(checkIns.id, checkInId));
  if (!row) throw notFound();
  const access = await loadCaseAccess(actor, row.caseId);
  if (!canOnCase(access, "case.readInternal")) throw notFound();
  return { checkIn: row, access };
}

/**
 * One check-in for review: its scores and words, the names of the steps worked on, who wrote it
 * and the client's previous check-ins on the same case (the last six, newest first).
 */
export async function getCheckInForReview(actor: Actor, checkInId: string) {
  const { checkIn, access } = await loadForStaff(actor, checkInId);
  const earlier = or(
    lt(checkIns.submittedAt, checkIn.submittedAt),
    and(eq(checkIns.submittedAt, checkIn.submittedAt), lt(checkIns.id, checkIn.id)),
  );
  const [[people], steps, previous] = await Promise.all([
    db
      .select({ clientName: clientUser.name, reviewerName: reviewer.name })
      .from(checkIns)
      .innerJoin(cases, eq(cases.id, checkIns.caseId))
      .innerJoin(clientUser, eq(clientUser.id, cases.clientId))
      .leftJoin(reviewer, eq(reviewer.id, checkIns.reviewedBy))
      .where(eq(checkIns.id, checkIn.id)),
    checkIn.stepIds.length
      ? db
          .select({ id: planSteps.id, title: planSteps.title, planTitle: plans.title })
          .from(planSteps)
          .innerJoin(plans, eq(plans.id, planSteps.planId))
          .where(and(eq(plans.caseId, checkIn.caseId), inArray(planSteps.id, checkIn.stepIds)))
          .orderBy(asc(plans.assignedAt), asc(planSteps.position))
      : Promise.resolve([] as { id: string; title: string; planTitle: string }[]),
    db
      .select({
        id: checkIns.id,
        submittedAt: checkIns.submittedAt,
        mood: checkIns.mood,
        progress: checkIns.progress,
        closeness: checkIns.closeness,
        whatHappened: checkIns.whatHappened,
        whatWasHard: checkIns.whatWasHard,
        reviewedAt: checkIns.reviewedAt,
        feedback: checkIns.feedback,
        flagged: sql<boolean>`jsonb_array_length(${checkIns.riskReasons}) > 0`,
      })
      .from(checkIns)
      .where(and(eq(checkIns.caseId, checkIn.caseId), earlier))
      .orderBy(desc(checkIns.submittedAt), desc(checkIns.id))
      .limit(PREVIOUS_SHOWN),
  ]);
  return {
    checkIn,
    case: { id: access.case.id, title: access.case.title, status: access.case.status, risk: access.case.risk },
    clientName: people?.clientName ?? "the client",
    reviewerName: people?.reviewerName ?? null,
    steps,
    previous,
  };
}

/**
 * Staff of the case mark a check-in reviewed with feedback for the client (required). A check-in
 * already reviewed is refused, so a second reviewer can't overwrite the first one's words.
 */
export async function reviewCheckIn(actor: Actor, checkInId: string, input: { feedback: string }, ip: string | null = null) {
  const { checkIn, access } = await loadForStaff(actor, checkInId);
  const { feedback } = checked(feedbackSchema, input);
  const reviewerName = await nameOf(actor);
  return db.transaction(async (tx) => {
    const now = new Date();
    const [updated] = await tx
      .update(checkIns)
      .set({ reviewedAt: now, reviewedBy: actor.id, feedback })
      .where(and(eq(checkIns.id, checkIn.id), isNull(checkIns.reviewedAt)))
      .returning();
    if (!updated) throw new RuleViolation("Someone has already reviewed this check-in.", "form");
    await recordAudit(
      {
        actorId: actor.id,
        action: "check_in.reviewed",
        target: { type: CHECK_IN_TARGET, id: checkIn.id },
        caseId: access.case.id,
        ip,
        details: { checkInId: checkIn.id },
      },
      tx,
    );
    await notify(
      tx,
      {
        recipients: [access.case.clientId],
        kind: "check_in_reviewed",
        text: `${reviewerName} read your check-in and left you some feedback.`,
        link: "/portal/progress",
        caseId: access.case.id,
      },
      now,
    );
    await touchCase(access.case.id, tx, now);
    return updated satisfies CheckIn;
  });
}
