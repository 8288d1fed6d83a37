import { and, asc, count, desc, eq, gte, inArray, isNull, lt, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { z } from "zod";
import { db } from "../../db/client";
import { auditEvents, cases, users, type Role } from "../../db/schema";
import { can, ROLE_LABELS } from "~/auth/permissions";
import { recordAudit, type AuditAction } from "./audit.server";
import type { Actor } from "./case-access.server";
import { notFound } from "./errors.server";

// The admin's audit log: every event of the append-only trail, newest first, filtered by who,
// what, which case and when, on the server from the URL; and the same rows as a CSV download.
// Every filter is backed by an index of audit_events (actor, case, action: each with created_at;
// created_at alone for the unfiltered log and date ranges).

/** A readable name for each action: the filter's choices and the log's "Action" column. */
export const AUDIT_ACTION_LABELS = {
  "auth.sign_in": "Signed in",
  "auth.sign_in_failed": "Sign-in failed",
  "auth.sign_in_throttled": "Sign-in paused (too many attempts)",
  "auth.sign_out": "Signed out",
  "auth.password_changed": "Password changed",
  "auth.password_reset_requested": "Password reset requested",
  "auth.password_reset": "Password reset",
  "session.revoked": "Session signed out",
  "session.others_revoked": "Other sessions signed out",
  "two_factor.enabled": "Two-factor sign-in turned on",
  "two_factor.disabled": "Two-factor sign-in turned off",
  "two_factor.verified": "Two-factor code accepted",
  "two_factor.failed": "Two-factor code refused",
  "two_factor.recovery_used": "Recovery code used",
  "two_factor.reset": "Two-factor sign-in reset",
  "user.invited": "Person invited",
  "user.invitation_resent": "Invitation resent",
  "user.invitation_revoked": "Invitation revoked",
  "user.invitation_accepted": "Invitation accepted",
  "user.role_changed": "Role changed",
  "user.deactivated": "Account deactivated",
  "user.reactivated": "Account reactivated",
  "user.profile_updated": "Profile updated",
  "case.opened": "Case opened",
  "case.viewed": "Case viewed",
  "case.updated": "Case details updated",
  "case.status_changed": "Case status changed",
  "case.risk_changed": "Case risk changed",
  "case.member_added": "Team member added",
  "case.member_removed": "Team member removed",
  "plan.assigned": "Plan assigned",
  "plan.edited": "Plan edited",
  "plan.archived": "Plan archived",
  "plan.restored": "Plan restored",
  "plan.step_added": "Plan step added",
  "plan.step_removed": "Plan step removed",
  "plan.step_edited": "Plan step edited",
  "plan.steps_reordered": "Plan steps reordered",
  "step.started": "Step started",
  "step.done": "Step done",
  "step.skipped": "Step skipped",
  "step.reopened": "Step reopened",
  "step.reflection_saved": "Reflection saved",
  "note.added": "Staff note added",
  "note.edited": "Staff note edited",
  "template.created": "Template created",
  "template.edited": "Template edited",
  "template.archived": "Template archived",
  "template.restored": "Template restored",
  "settings.changed": "Practice settings changed",
  "thread.started": "Question started",
  "thread.replied": "Reply posted",
  "thread.internal_note": "Internal note posted",
  "thread.post_edited": "Message edited",
  "thread.assigned": "Question assigned",
  "thread.closed": "Question closed",
  "thread.reopened": "Question reopened",
  "thread.flagged": "Question flagged urgent",
  "thread.flag_cleared": "Urgent flag cleared",
  "saved_reply.created": "Saved reply created",
  "saved_reply.edited": "Saved reply edited",
  "saved_reply.deleted": "Saved reply deleted",
  "check_in.submitted": "Check-in sent",
  "check_in.flagged": "Check-in flagged urgent",
  "check_in.reviewed": "Check-in reviewed",
  "check_in.reminder_sent": "Check-in reminder sent",
  "data.exported": "Data exported",
  "audit.exported": "Audit log exported",
} as const satisfies Record<AuditAction, string>;

export const AUDIT_ACTIONS = Object.keys(AUDIT_ACTION_LABELS) as AuditAction[];

/** The label of an action; rows written under an older name show the name itself. */
export function auditActionLabel(action: string): string {
  return (AUDIT_ACTION_LABELS as Record<string, string>)[action] ?? action;
}

/** Events with no actor were done by Cairn itself (reminders) or by someone not signed in. */
export const SYSTEM_ACTOR = "system";

// ---------------------------------------------------------------------------------------------
// Filters from the URL

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const BAD_DATE = "Enter a date as YYYY-MM-DD, for example 2025-03-31.";

function isRealDay(value: string) {
  if (!DAY.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

const day = z.string().trim().refine(isRealDay, { error: BAD_DATE });

export const AUDIT_PER_PAGE = [25, 50, 100] as const;

const filterFields = {
  actor: z.union([z.literal(SYSTEM_ACTOR), z.uuid()], { error: "Choose a person from the list." }).optional(),
  action: z.enum(AUDIT_ACTIONS as [AuditAction, ...AuditAction[]], { error: "Choose an action from the list." }).optional(),
  case: z.uuid({ error: "Enter a case id (from the case page's address) or pick a case from the list." }).optional(),
  from: day.optional(),
  to: day.optional(),
};

const auditLogSchema = z
  .object({
    ...filterFields,
    page: z.coerce.number().int().min(1).max(100_000).default(1).catch(1),
    perPage: z.coerce
      .number()
      .int()
      .pipe(z.union([z.literal(25), z.literal(50), z.literal(100)]))
      .default(50)
      .catch(50),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { path: ["to"], error: "The end date can't be before the start date." });

export type AuditLogQuery = z.output<typeof auditLogSchema>;
export type AuditLogFilters = Pick<AuditLogQuery, "actor" | "action" | "case" | "from" | "to">;
type FilterField = keyof typeof filterFields;
const FILTER_FIELDS = Object.keys(filterFields) as FilterField[];

/**
 * Reads the log's filters from search params. Empty fields mean "any". A filter that doesn't
 * make sense (a date that isn't one, an end before the start) comes back as a message for its
 * field and is left out of `query`; `values` keeps what was typed so the form shows it again.
 */
export function parseAuditLogQuery(params: URLSearchParams): {
  query: AuditLogQuery;
  errors: Partial<Record<FilterField, string>>;
  values: Partial<Record<FilterField, string>>;
} {
  const raw: Record<string, string> = {};
  for (const [key, value] of params) if (value.trim() !== "" && !(key in raw)) raw[key] = value.trim();
  const values: Partial<Record<FilterField, string>> = {};
  for (const field of FILTER_FIELDS) if (raw[field] !== undefined) values[field] = raw[field];

  const errors: Partial<Record<FilterField, string>> = {};
  let result = auditLogSchema.safeParse(raw);
  while (!result.success) {
    const field = result.error.issues.map((i) => i.path[0]).find((f): f is FilterField => FILTER_FIELDS.includes(f as FilterField));
    if (!field) throw result.error;
    errors[field] ??= result.error.issues.find((i) => i.path[0] === field)!.message;
    delete raw[field];
    result = auditLogSchema.safeParse(raw);
  }
  return { query: result.data, errors, values };
}

function nextDay(isoDay: string) {
  const date = new Date(`${isoDay}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date;
}

/** The WHERE of the filtered log. Dates are whole days in UTC, both ends included. */
function filterConditions(filters: AuditLogFilters): SQL | undefined {
  return and(
    filters.actor === SYSTEM_ACTOR ? isNull(auditEvents.actorId) : filters.actor ? eq(auditEvents.actorId, filters.actor) : undefined,
    filters.action ? eq(auditEvents.action, filters.action) : undefined,
    filters.case ? eq(auditEvents.caseId, filters.case) : undefined,
    filters.from ? gte(auditEvents.createdAt, new Date(`${filters.from}T00:00:00Z`)) : undefined,
    filters.to ? lt(auditEvents.createdAt, nextDay(filters.to)) : undefined,
  );
}

function requireAuditReader(actor: Actor) {
  if (!can(actor, "audit.read")) throw notFound();
}

// ---------------------------------------------------------------------------------------------
// Reading

const actorUser = alias(users, "actor_user");

const rowFields = {
  id: auditEvents.id,
  createdAt: auditEvents.createdAt,
  /** The time to the microsecond, for walking the log in batches. */
  exactAt: sql<string>`${auditEvents.createdAt}::text`,
  actorId: auditEvents.actorId,
  actorName: actorUser.name,
  actorRole: actorUser.role,
  action: auditEvents.action,
  caseId: auditEvents.caseId,
  caseTitle: cases.title,
  targetType: auditEvents.targetType,
  targetId: auditEvents.targetId,
  ip: auditEvents.ip,
  details: auditEvents.details,
};

function eventsQuery() {
  return db
    .select(rowFields)
    .from(auditEvents)
    .leftJoin(actorUser, eq(actorUser.id, auditEvents.actorId))
    .leftJoin(cases, eq(cases.id, auditEvents.caseId));
}

function detailValue(value: unknown): string {
  if (value === null || value === undefined) return "–";
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(detailValue).join(", ");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

const DETAILS_MAX = 160;

/** An event's details on one short line, keys in alphabetical order: "from: client · to: coach". */
export function summarizeDetails(details: Record<string, unknown> | null): string {
  if (!details) return "";
  const line = Object.entries(details)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}: ${detailValue(value)}`)
    .join(" · ");
  return line.length > DETAILS_MAX ? `${line.slice(0, DETAILS_MAX - 1)}…` : line;
}

const uuidLike = z.uuid();

/** One page of the filtered log, newest first: three queries whatever the page size. */
export async function listAuditEvents(actor: Actor, query: AuditLogQuery) {
  requireAuditReader(actor);
  const where = filterConditions(query);
  const [rows, [total]] = await Promise.all([
    eventsQuery()
      .where(where)
      .orderBy(desc(auditEvents.createdAt), desc(auditEvents.id))
      .limit(query.perPage)
      .offset((query.page - 1) * query.perPage),
    db.select({ n: count() }).from(auditEvents).where(where),
  ]);
  // Events about a person name them in the Target column.
  const userIds = [...new Set(rows.filter((r) => r.targetType === "user" && uuidLike.safeParse(r.targetId).success).map((r) => r.targetId!))];
  const targets = userIds.length ? await db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, userIds)) : [];
  const targetNames = new Map(targets.map((t) => [t.id, t.name]));
  return {
    total: total?.n ?? 0,
    rows: rows.map((row) => ({
      id: row.id,
      at: row.createdAt,
      actor: row.actorId ? { id: row.actorId, name: row.actorName ?? "Unknown", roleLabel: row.actorRole ? ROLE_LABELS[row.actorRole] : "" } : null,
      action: row.action,
      actionLabel: auditActionLabel(row.action),
      case: row.caseId ? { id: row.caseId, title: row.caseTitle ?? "Deleted case" } : null,
      target: row.targetType
        ? { type: row.targetType, id: row.targetId, name: row.targetType === "user" ? (targetNames.get(row.targetId ?? "") ?? null) : null }
        : null,
      ip: row.ip,
      details: summarizeDetails(row.details),
    })),
  };
}

const OPTIONS_MAX = 1000;

/** The choices of the filter form: people (by name), cases (by client) and actions. */
export async function auditLogFilterOptions(actor: Actor) {
  requireAuditReader(actor);
  const client = alias(users, "client_user");
  const [people, caseRows] = await Promise.all([
    db
      .select({ id: users.id, name: users.name, role: users.role })
      .from(users)
      .orderBy(asc(users.name), asc(users.id))
      .limit(OPTIONS_MAX),
    db
      .select({ id: cases.id, title: cases.title, clientName: client.name })
      .from(cases)
      .innerJoin(client, eq(client.id, cases.clientId))
      .orderBy(asc(client.name), asc(cases.title), asc(cases.id))
      .limit(OPTIONS_MAX),
  ]);
  return {
    actors: [
      { value: SYSTEM_ACTOR, label: "Cairn or a visitor (no one signed in)" },
      ...people.map((p) => ({ value: p.id, label: `${p.name} (${ROLE_LABELS[p.role as Role]})` })),
    ],
    cases: caseRows.map((c) => ({ value: c.id, label: `${c.clientName} · ${c.title}` })),
    actions: AUDIT_ACTIONS.map((a) => ({ value: a, label: AUDIT_ACTION_LABELS[a] })),
  };
}

// ---------------------------------------------------------------------------------------------
// CSV export

/**
 * One CSV cell. Quoted when it holds a comma, quote, line break or edge space (quotes doubled);
 * a cell a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage
 * return) gets a leading apostrophe so it shows as text.
 */
export function csvCell(value: string | null | undefined): string {
  let text = value ?? "";
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(cells: (string | null | undefined)[]) {
  return `${cells.map(csvCell).join(",")}\r\n`;
}

export const AUDIT_CSV_HEADER = [
  "Time (UTC)",
  "Actor",
  "Actor role",
  "Actor id",
  "Action",
  "Action code",
  "Case",
  "Case id",
  "Target type",
  "Target id",
  "IP address",
  "Details",
];

const CSV_BATCH = 500;

/**
 * Every row of the filtered log as CSV, newest first, read in batches of 500 and streamed. The
 * export is recorded first (`audit.exported`, with the filters); the file holds the rows that
 * existed at that moment, so rows written while it downloads don't shift it.
 */
export async function exportAuditCsv(actor: Actor, filters: AuditLogFilters, ip: string | null): Promise<ReadableStream<Uint8Array>> {
  requireAuditReader(actor);
  const applied = Object.fromEntries(FILTER_FIELDS.filter((f) => filters[f] !== undefined).map((f) => [f, filters[f]]));
  const [start] = await recordAudit({ actorId: actor.id, action: "audit.exported", ip, details: { format: "csv", filters: applied } });
  // The export's own event is where the walk starts: it and anything newer stay out of the file.
  let cursor = start!;
  const where = filterConditions(filters);
  const encoder = new TextEncoder();
  let started = false;

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        // A byte-order mark, so spreadsheet programs read names with accents correctly.
        controller.enqueue(encoder.encode(`\uFEFF${csvLine(AUDIT_CSV_HEADER)}`));
        return;
      }
      const batch = await eventsQuery()
        .where(and(where, sql`(${auditEvents.createdAt}, ${auditEvents.id}) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)`))
        .orderBy(desc(auditEvents.createdAt), desc(auditEvents.id))
        .limit(CSV_BATCH);
      const text = batch
        .map((row) =>
          csvLine([
            row.createdAt.toISOString(),
            row.actorId ? (row.actorName ?? "Unknown") : "Cairn",
            row.actorRole ? ROLE_LABELS[row.actorRole] : "",
            row.actorId,
            auditActionLabel(row.action),
            row.action,
            row.caseId ? (row.caseTitle ?? "") : "",
            row.caseId,
            row.targetType,
            row.targetId,
            row.ip,
            row.details ? JSON.stringify(row.details) : "",
          ]),
        )
        .join("");
      if (text) controller.enqueue(encoder.encode(text));
      if (batch.length < CSV_BATCH) controller.close();
      else cursor = { at: batch.at(-1)!.exactAt, id: batch.at(-1)!.id };
    },
  });
}
