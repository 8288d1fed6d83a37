import crypto from "node:crypto";
import { and, asc, count, desc, eq, exists, ilike, inArray, isNull, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { z } from "zod";
import { db, lookupDb } from "../../db/client";
import {
  CASE_STATUSES,
  CONCERN_CATEGORIES,
  RISK_LEVELS,
  caseCounts,
  caseMembers,
  cases,
  users,
  type CaseStatus,
  type RiskLevel,
} from "../../db/schema";
import { isStaff, STAFF_ROLES } from "~/auth/permissions";
import { findUserByEmail, normalizeEmail } from "~/auth/sign-in.server";
import { overdueSql } from "./attention.server";
import { recordAudit } from "./audit.server";
import { memberOfCase, placeholderViewer, visibleCases, type Actor } from "./case-access.server";
import { notFound, RuleViolation } from "./errors.server";
import { searchQuery } from "./typed-text";
import { inviteClientForCase } from "./users.server";

// Opening cases and the staff's case list. Only staff get here: a client asking for either
// answers 404, like a page that isn't there.

function requireStaff(actor: Actor) {
  if (!isStaff(actor.role)) throw notFound();
}

// ---------------------------------------------------------------------------------------------
// Clients a staff member may open a case for

/** A select is no place for thousands of names: past this, staff use the email field instead. */
const PICKABLE_CLIENTS_LIMIT = 500;

/**
 * The existing clients `actor` may choose when opening a case: for admins every active client;
 * for coaches and therapists the active clients of cases they are a member of.
 */
function pickableClientsWhere(actor: Actor): SQL {
  const base = and(eq(users.role, "client"), isNull(users.deactivatedAt))!;
  if (actor.role === "admin") return base;
  return and(
    base,
    exists(
      db
        .select({ one: sql`1` })
        .from(cases)
        .innerJoin(caseMembers, eq(caseMembers.caseId, cases.id))
        .where(and(eq(cases.clientId, users.id), eq(caseMembers.userId, actor.id))),
    ),
  )!;
}

export async function listPickableClients(actor: Actor) {
  requireStaff(actor);
  return db
    .select({ id: users.id, name: users.name, email: users.email })
    .from(users)
    .where(pickableClientsWhere(actor))
    .orderBy(asc(users.name), asc(users.email))
    .limit(PICKABLE_CLIENTS_LIMIT);
}

// ---------------------------------------------------------------------------------------------
// Opening a case

/** An empty field counts as not given (forms send "" for an untouched input). */
const optionalText = (max: number, tooLong: string) =>
  z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), z.string().trim().max(max, { error: tooLong }).optional());

export const newCaseSchema = z
  .object({
    clientId: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z.uuid({ error: "Choose a client from the list." }).optional(),
    ),
    clientName: optionalText(120, "Use at most 120 characters."),
    clientEmail: z.preprocess(
      (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
      z
        .string()
        .trim()
        .max(254, { error: "Use at most 254 characters." })
        .pipe(z.email({ error: "Enter a valid email address." }))
        .optional(),
    ),
    title: z.string({ error: "Give the case a title." }).trim().min(1, { error: "Give the case a title." }).max(160, {
      error: "Use at most 160 characters.",
    }),
    concernCategory: z.enum(CONCERN_CATEGORIES, { error: "Choose what the case is mainly about." }),
    concern: z.preprocess((v) => v ?? "", z.string().trim().max(4000, { error: "Use at most 4,000 characters." })),
    checkInEveryDays: z.preprocess(
      (v) => (v === undefined || (typeof v === "string" && v.trim() === "") ? 7 : v),
      z.coerce
        .number({ error: "Enter a number of days." })
        .int({ error: "Enter a whole number of days." })
        .min(1, { error: "Use at least 1 day between check-ins." })
        .max(90, { error: "Use at most 90 days between check-ins." }),
    ),
  })
  .superRefine((input, ctx) => {
    if (input.clientId) return;
    if (!input.clientEmail) {
      ctx.addIssue({
        code: "custom",
        path: ["clientEmail"],
        message: "Choose a client from the list, or enter the email of a new or other client.",
      });
    }
  });
export type NewCaseInput = z.infer<typeof newCaseSchema>;

/** Postgres' unique_violation, whichever driver (and drizzle wrapper) reports it. */
function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e && typeof e === "object"; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === "23505") return true;
  }
  return false;
}

/**
 * Opens a case for a client and makes `actor` its lead. The client is one `actor` may pick
 * (`listPickableClients`), an existing client account found by email, or someone new who gets
 * a client account and an invitation in the same transaction.
 */
export async function createCase(actor: Actor, input: NewCaseInput, ip: string | null) {
  requireStaff(actor);
  const caseId = crypto.randomUUID();

  let existingClient: { id: string; name: string; email: string } | null = null;
  let newClient: { name: string; email: string } | null = null;
  if (input.clientId) {
    const [client] = await db
      .select({ id: users.id, name: users.name, email: users.email })
      .from(users)
      .where(and(eq(users.id, input.clientId), pickableClientsWhere(actor)));
    // Same answer whether the id doesn't exist or belongs to a client of someone else's case.
    if (!client) throw new RuleViolation("Choose a client from the list.", "clientId");
    existingClient = client;
  } else {
    const email = normalizeEmail(input.clientEmail ?? "");
    const found = await findUserByEmail(email);
    if (found && found.role !== "client") {
      throw new RuleViolation("This email belongs to a staff account, not a client. Use the client's own email.", "clientEmail");
    }
    if (found?.deactivatedAt) {
      throw new RuleViolation("This client's account is deactivated. An admin can reactivate it first.", "clientEmail");
    }
    if (found) existingClient = { id: found.id, name: found.name, email: found.email };
    else {
      if (!input.clientName) {
        throw new RuleViolation("Enter the client's name: they are new, so we'll invite them by email.", "clientName");
      }
      newClient = { name: input.clientName, email };
    }
  }

  try {
    return await db.transaction(async (tx) => {
      const client = newClient ? await inviteClientForCase(actor, newClient, tx, ip, caseId) : existingClient!;
      const clientId = client.id;
      const [created] = await tx
        .insert(cases)
        .values({
          id: caseId,
          clientId,
          title: input.title,
          concernCategory: input.concernCategory,
          concern: input.concern,
          checkInEveryDays: input.checkInEveryDays,
          createdBy: actor.id,
        })
        .returning();
      if (!created) throw new Error("insert returned nothing");
      await tx.insert(caseMembers).values({ caseId, userId: actor.id, role: "lead", addedBy: actor.id });
      await recordAudit(
        {
          actorId: actor.id,
          action: "case.opened",
          target: { type: "case", id: caseId },
          caseId,
          ip,
          details: { clientId, clientInvited: newClient !== null, concernCategory: input.concernCategory },
        },
        tx,
      );
      return {
        case: created,
        client: { id: client.id, name: client.name, email: client.email },
        clientInvited: newClient !== null,
      };
    });
  } catch (error) {
    // Someone created an account with this email a moment ago.
    if (newClient && isUniqueViolation(error)) {
      throw new RuleViolation("An account with this email was just created. Submit again to use it.", "clientEmail");
    }
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// The case list

export const CASE_SORTS = ["opened", "activity", "progress"] as const;
export const CASE_SCOPES = ["mine", "all"] as const;
export type CaseScope = (typeof CASE_SCOPES)[number];

export const caseListQuery = z.object({
  q: searchQuery(),
  status: z.enum(CASE_STATUSES).optional().catch(undefined),
  risk: z.enum(RISK_LEVELS).optional().catch(undefined),
  lead: z.uuid().optional().catch(undefined),
  /** "overdue": only the cases overdue for a check-in (the rule in check-in-schedule.ts). */
  checkIn: z.enum(["overdue"]).optional().catch(undefined),
  // Resolved per actor by `listCases`: admins default to all, everyone else sees only "mine".
  scope: z.enum(CASE_SCOPES).optional().catch(undefined),
  sort: z.enum(CASE_SORTS).default("activity").catch("activity"),
  dir: z.enum(["asc", "desc"]).default("desc").catch("desc"),
  page: z.coerce.number().int().min(1).max(10_000).default(1).catch(1),
  perPage: z.coerce
    .number()
    .int()
    .pipe(z.union([z.literal(10), z.literal(25), z.literal(50), z.literal(100)]))
    .default(25)
    .catch(25),
});
export type CaseListQuery = z.infer<typeof caseListQuery>;

/** The scope actually used for `actor`: only admins can ask for "all". */
export function resolveScope(actor: Actor, scope: CaseScope | undefined): CaseScope {
  if (actor.role !== "admin") return "mine";
  return scope ?? "all";
}

function likePattern(q: string) {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

const clientUser = alias(users, "client_user");
const leadMember = alias(caseMembers, "lead_member");
const leadUser = alias(users, "lead_user");

export type CaseListRow = {
  id: string;
  clientName: string;
  title: string;
  status: CaseStatus;
  risk: RiskLevel;
  leadId: string | null;
  leadName: string | null;
  /** Percent of the steps done across the case's plans that are not archived (0–100). */
  progress: number;
  /** How many steps those plans hold; 0 means there is no plan (or an empty one) yet. */
  steps: number;
  openedAt: Date;
  lastActivityAt: Date;
  /** Overdue for a check-in (active, nothing within the cadence plus a grace day). */
  overdue: boolean;
};

/**
 * One page of the cases `actor` may see, filtered, searched and sorted as asked. Always two
 * queries (the page, the total), however many rows the page holds. Plan progress and the newest
 * check-in are columns of the case the database keeps up to date (migration 0012), so sorting
 * by progress reads cases_progress_idx in order instead of counting every step of every case.
 */
export async function listCases(actor: Actor, query: CaseListQuery, now = new Date()) {
  requireStaff(actor);
  const scope = resolveScope(actor, query.scope);
  const shape: CaseListShape = {
    viewer: actor.role === "admin" ? "admin" : "staff",
    // visibleCases is the gate; for coaches and therapists it already means "cases I'm on".
    mineOnly: scope === "mine" && actor.role === "admin",
    q: Boolean(query.q),
    status: Boolean(query.status),
    risk: Boolean(query.risk),
    lead: Boolean(query.lead),
    overdue: query.checkIn === "overdue",
    sort: query.sort,
    dir: query.dir,
  };
  const statements = caseListStatementsFor(shape);
  const values = {
    actorId: actor.id,
    pattern: query.q ? likePattern(query.q) : null,
    status: query.status ?? null,
    risk: query.risk ?? null,
    lead: query.lead ?? null,
    now: now.toISOString(),
    perPage: query.perPage,
    offset: (query.page - 1) * query.perPage,
  };
  const [rows, [total]] = await Promise.all([statements.rows.execute(values), statements.total.execute(values)]);
  return { rows: rows satisfies CaseListRow[], total: total?.n ?? 0, scope };
}

/** Which filters a list asks for, and how it is sorted: one pair of statements per shape. */
type CaseListShape = {
  viewer: "admin" | "staff";
  mineOnly: boolean;
  q: boolean;
  status: boolean;
  risk: boolean;
  lead: boolean;
  overdue: boolean;
  sort: CaseListQuery["sort"];
  dir: CaseListQuery["dir"];
};

/**
 * The case list's statements (its page and its total) for each shape of list, built the first
 * time a shape is asked for and kept, with every value a placeholder: drizzle built them from
 * their parts on every view otherwise. There are at most a few hundred shapes.
 */
const caseListStatements = new Map<string, ReturnType<typeof buildCaseListStatements>>();

function caseListStatementsFor(shape: CaseListShape) {
  const key = JSON.stringify(shape);
  let statements = caseListStatements.get(key);
  if (!statements) {
    statements = buildCaseListStatements(shape);
    caseListStatements.set(key, statements);
  }
  return statements;
}

function buildCaseListStatements(shape: CaseListShape) {
  const p = sql.placeholder;
  const viewer = placeholderViewer(shape.viewer);
  const filters: (SQL | undefined)[] = [visibleCases(viewer)];
  if (shape.mineOnly) filters.push(memberOfCase(p("actorId")));
  if (shape.q) filters.push(or(ilike(clientUser.name, p("pattern")), ilike(cases.title, p("pattern"))));
  if (shape.status) filters.push(eq(cases.status, p("status")));
  if (shape.risk) filters.push(eq(cases.risk, p("risk")));
  if (shape.lead) filters.push(eq(leadMember.userId, p("lead")));
  const overdue = overdueSql(p("now"));
  if (shape.overdue) filters.push(overdue);
  const where = and(...filters);

  const sortColumn = { opened: cases.openedAt, activity: cases.lastActivityAt, progress: cases.progress }[shape.sort];
  const order = shape.dir === "asc" ? asc(sortColumn) : desc(sortColumn);
  const leadJoin = and(eq(leadMember.caseId, cases.id), eq(leadMember.role, "lead"));
  const name = `case_list_${Object.values(shape).map(String).join("_")}`;

  const rows = db
    .select({
      id: cases.id,
      clientName: clientUser.name,
      title: cases.title,
      status: cases.status,
      risk: cases.risk,
      leadId: leadUser.id,
      leadName: leadUser.name,
      progress: cases.progress,
      steps: cases.stepsTotal,
      openedAt: cases.openedAt,
      lastActivityAt: cases.lastActivityAt,
      overdue,
    })
    .from(cases)
    .innerJoin(clientUser, eq(clientUser.id, cases.clientId))
    .leftJoin(leadMember, leadJoin)
    .leftJoin(leadUser, eq(leadUser.id, leadMember.userId))
    .where(where)
    .orderBy(order, asc(cases.id))
    .limit(p("perPage"))
    .offset(p("offset"))
    .prepare(name);
  // Every case has exactly one client and at most one lead, so the joins only matter to the
  // count when a filter reads them. With no filter at all (an admin's whole practice), the
  // total is the sum of the counts per status the database keeps (migration 0017).
  const total =
    where === undefined
      ? lookupDb.select({ n: sql<number>`coalesce(sum(${caseCounts.n}), 0)`.mapWith(Number) }).from(caseCounts).prepare(`${name}_total`)
      : shape.q || shape.lead
        ? db
            .select({ n: count() })
            .from(cases)
            .innerJoin(clientUser, eq(clientUser.id, cases.clientId))
            .leftJoin(leadMember, leadJoin)
            .where(where)
            .prepare(`${name}_total`)
        : db.select({ n: count() }).from(cases).where(where).prepare(`${name}_total`);
  return { rows, total };
}

/**
 * Staff who can lead a case: the options of the list's "lead" filter. Deactivated staff stay
 * listed (marked) so the cases they still lead can be found and handed over.
 */
export async function listLeadOptions(actor: Actor) {
  requireStaff(actor);
  return db
    .select({ id: users.id, name: users.name, deactivated: sql<boolean>`${users.deactivatedAt} is not null` })
    .from(users)
    .where(inArray(users.role, [...STAFF_ROLES]))
    .orderBy(sql`${users.deactivatedAt} is not null`, asc(users.name), asc(users.id));
}
