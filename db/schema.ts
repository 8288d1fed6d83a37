import { sql } from "drizzle-orm";
import {
  boolean,
  customType,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
} from "drizzle-orm/pg-core";

export const roleEnum = pgEnum("user_role", ["admin", "coach", "therapist", "client"]);
export const ROLES = roleEnum.enumValues;
export type Role = (typeof ROLES)[number];

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();

/** Raw bytes (Postgres bytea): only the posts' order keys, which SQL writes and sorts and the app never reads. */
const bytea = customType<{ data: Uint8Array }>({ dataType: () => "bytea" });

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    email: text("email").notNull(),
    name: text("name").notNull(),
    role: roleEnum("role").notNull(),
    // Null until an invited person sets their password.
    passwordHash: text("password_hash"),
    createdAt: createdAt(),
    deactivatedAt: timestamp("deactivated_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("users_email_lower_key").on(sql`lower(${t.email})`),
    index("users_role_name_idx").on(t.role, t.name),
    index("users_name_idx").on(t.name),
    index("users_created_at_idx").on(t.createdAt),
  ],
);

export const sessions = pgTable(
  "sessions",
  {
    // Hex SHA-256 of the session token; the token itself only lives in the cookie.
    id: text("id").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    createdAt: createdAt(),
    // What the account page lists so a person can recognise their own sessions.
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
    userAgent: text("user_agent"),
    ip: text("ip"),
    // False until the second factor is entered, for people who have one.
    twoFactorVerified: boolean("two_factor_verified").notNull().default(false),
  },
  (t) => [index("sessions_user_id_idx").on(t.userId), index("sessions_expires_at_idx").on(t.expiresAt)],
);

// A person's TOTP (authenticator app) second factor. One per user; removing it deletes the row.
export const userTotp = pgTable("user_totp", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  // The shared secret (20 random bytes), needed in the clear to compute codes.
  key: text("key").notNull(),
  // SHA-256 of the single-use recovery code shown once when the factor was set up.
  recoveryCodeHash: text("recovery_code_hash").notNull(),
  // The last time step accepted, so a code can't be used twice.
  lastUsedStep: integer("last_used_step"),
  createdAt: createdAt(),
});

export const tokenPurposeEnum = pgEnum("token_purpose", ["invitation", "password_reset"]);
export type TokenPurpose = (typeof tokenPurposeEnum.enumValues)[number];

// Single-use tokens sent by email. Like sessions, only the SHA-256 of the token is kept.
export const oneTimeTokens = pgTable(
  "one_time_tokens",
  {
    id: text("id").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    purpose: tokenPurposeEnum("purpose").notNull(),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index("one_time_tokens_user_purpose_idx").on(t.userId, t.purpose)],
);

export const emailStatusEnum = pgEnum("email_status", ["pending", "sent", "failed"]);

export const emailOutbox = pgTable(
  "email_outbox",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    toAddress: text("to_address").notNull(),
    subject: text("subject").notNull(),
    textBody: text("text_body").notNull(),
    // Plain-text copy of the main link, so the demo outbox page can show it.
    link: text("link"),
    status: emailStatusEnum("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    lastError: text("last_error"),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index("email_outbox_due_idx").on(t.status, t.nextAttemptAt),
    index("email_outbox_created_at_idx").on(t.createdAt),
  ],
);

export const loginAttempts = pgTable(
  "login_attempts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    email: text("email").notNull(),
    ip: text("ip").notNull(),
    succeeded: boolean("succeeded").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index("login_attempts_email_idx").on(t.email, t.createdAt),
    index("login_attempts_ip_idx").on(t.ip, t.createdAt),
  ],
);

// Append-only record of who did what. Nothing updates or deletes rows here.
export const auditEvents = pgTable(
  "audit_events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    actorId: uuid("actor_id").references(() => users.id),
    // Set for everything that happened on a case: the case timeline reads these rows.
    caseId: uuid("case_id"),
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    ip: text("ip"),
    details: jsonb("details").$type<Record<string, unknown>>(),
    createdAt: createdAt(),
  },
  (t) => [
    index("audit_events_created_at_idx").on(t.createdAt),
    index("audit_events_actor_idx").on(t.actorId, t.createdAt),
    index("audit_events_target_idx").on(t.targetType, t.targetId, t.createdAt),
    index("audit_events_case_idx").on(t.caseId, t.createdAt),
    index("audit_events_action_idx").on(t.action, t.createdAt),
  ],
);

// ---------------------------------------------------------------------------------------------
// Cases and step plans

export const caseStatusEnum = pgEnum("case_status", ["intake", "active", "paused", "closed"]);
export const CASE_STATUSES = caseStatusEnum.enumValues;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const riskLevelEnum = pgEnum("risk_level", ["none", "watch", "urgent"]);
export const RISK_LEVELS = riskLevelEnum.enumValues;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export const concernCategoryEnum = pgEnum("concern_category", ["trust_repair", "communication", "separation", "other"]);
export const CONCERN_CATEGORIES = concernCategoryEnum.enumValues;
export type ConcernCategory = (typeof CONCERN_CATEGORIES)[number];

export const caseMemberRoleEnum = pgEnum("case_member_role", ["lead", "support"]);
export type CaseMemberRole = (typeof caseMemberRoleEnum.enumValues)[number];

/**
 * When a case's next check-in is due: the last check-in (or the opening) plus the cadence in
 * 24-hour days, as a UTC timestamp without time zone. In this form the expression is IMMUTABLE
 * (timestamptz + interval is only STABLE), so it can be indexed (cases_check_in_due_idx). The
 * overdue rule in attention.server.ts is built from this same function: the planner uses the
 * index only for the identical expression.
 */
export function checkInDueUtc(c: { lastCheckInAt: AnyPgColumn; openedAt: AnyPgColumn; checkInEveryDays: AnyPgColumn }) {
  return sql`((coalesce(${c.lastCheckInAt}, ${c.openedAt}) at time zone 'UTC') + ${c.checkInEveryDays} * interval '24 hours')`;
}

export const cases = pgTable(
  "cases",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    clientId: uuid("client_id")
      .notNull()
      .references(() => users.id),
    title: text("title").notNull(),
    concernCategory: concernCategoryEnum("concern_category").notNull(),
    concern: text("concern").notNull().default(""),
    status: caseStatusEnum("status").notNull().default("intake"),
    risk: riskLevelEnum("risk").notNull().default("none"),
    checkInEveryDays: integer("check_in_every_days").notNull().default(7),
    createdBy: uuid("created_by").references(() => users.id),
    openedAt: timestamp("opened_at", { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp("closed_at", { withTimezone: true }),
    closingNote: text("closing_note"),
    // Bumped by every change on the case (status, plan, step, note): the list sorts by it.
    lastActivityAt: timestamp("last_activity_at", { withTimezone: true }).notNull().defaultNow(),
    // Kept up to date by the database (triggers in migration 0012), never written by the app: the
    // step counts over the case's plans that are not archived, the plan progress they make (the
    // rule of progress.ts), the newest check-in and whether the last three show falling scores
    // (attention.server.ts). The case list sorts and filters on these without reading every step
    // and check-in of every case.
    stepsTotal: integer("steps_total").notNull().default(0),
    stepsDone: integer("steps_done").notNull().default(0),
    stepsSkipped: integer("steps_skipped").notNull().default(0),
    progress: integer("progress")
      .notNull()
      .generatedAlwaysAs(
        sql`case when steps_total = 0 then 0 when steps_total - steps_skipped <= 0 then 100 else floor(100.0 * steps_done / (steps_total - steps_skipped))::int end`,
      ),
    lastCheckInAt: timestamp("last_check_in_at", { withTimezone: true }),
    scoresFalling: boolean("scores_falling").notNull().default(false),
  },
  (t) => [
    index("cases_client_idx").on(t.clientId),
    // The case list by plan progress, highest first (ties by id).
    index("cases_progress_idx").on(t.progress.desc().nullsFirst(), t.id),
    index("cases_status_activity_idx").on(t.status, t.lastActivityAt),
    index("cases_last_activity_idx").on(t.lastActivityAt),
    index("cases_opened_at_idx").on(t.openedAt),
    index("cases_risk_idx").on(t.risk),
    // Needs attention (attention.server.ts): each list reads its first rows in order and counts
    // the rest from the index alone. Overdue: active cases by due moment; the columns the due
    // moment is computed from are in the key so the count needs no heap visits (and the admin
    // dashboard reads its active cases from it too).
    index("cases_check_in_due_idx")
      .on(checkInDueUtc(t), t.id, t.lastCheckInAt, t.openedAt, t.checkInEveryDays)
      .where(sql`${t.status} = 'active'`),
    // Falling scores on open cases, newest check-in first.
    index("cases_falling_idx")
      .on(t.lastCheckInAt.desc().nullsFirst(), t.id)
      .where(sql`${t.scoresFalling} and ${t.status} <> 'closed'`),
    // Urgent risk on open cases, latest activity first.
    index("cases_urgent_idx")
      .on(t.lastActivityAt.desc().nullsFirst(), t.id)
      .where(sql`${t.risk} = 'urgent' and ${t.status} <> 'closed'`),
  ],
);

export const caseMembers = pgTable(
  "case_members",
  {
    caseId: uuid("case_id")
      .notNull()
      .references(() => cases.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    role: caseMemberRoleEnum("role").notNull(),
    addedBy: uuid("added_by").references(() => users.id),
    addedAt: timestamp("added_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.caseId, t.userId] }),
    index("case_members_user_idx").on(t.userId, t.caseId),
    // One lead per case.
    uniqueIndex("case_members_one_lead_key").on(t.caseId).where(sql`${t.role} = 'lead'`),
  ],
);

export const planTemplates = pgTable(
  "plan_templates",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    title: text("title").notNull(),
    summary: text("summary").notNull().default(""),
    ownerId: uuid("owner_id").references(() => users.id),
    archivedAt: timestamp("archived_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("plan_templates_title_idx").on(t.archivedAt, t.title),
    // The template list sorted by "last changed" (status filter first, like the title index).
    index("plan_templates_updated_idx").on(t.archivedAt, t.updatedAt),
  ],
);

export const planTemplateSteps = pgTable(
  "plan_template_steps",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    templateId: uuid("template_id")
      .notNull()
      .references(() => planTemplates.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    title: text("title").notNull(),
    guidance: text("guidance").notNull().default(""),
    resourceUrl: text("resource_url"),
    suggestedDays: integer("suggested_days"),
  },
  (t) => [index("plan_template_steps_template_idx").on(t.templateId, t.position)],
);

export const stepStatusEnum = pgEnum("step_status", ["todo", "doing", "done", "skipped"]);
export const STEP_STATUSES = stepStatusEnum.enumValues;
export type StepStatus = (typeof STEP_STATUSES)[number];

// A plan is the case's own copy of a template: editing the template never reaches it.
export const plans = pgTable(
  "plans",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    caseId: uuid("case_id")
      .notNull()
      .references(() => cases.id, { onDelete: "cascade" }),
    templateId: uuid("template_id").references(() => planTemplates.id, { onDelete: "set null" }),
    title: text("title").notNull(),
    summary: text("summary").notNull().default(""),
    // When set, a step can start only once the one before it is done or skipped.
    sequential: boolean("sequential").notNull().default(false),
    startDate: date("start_date", { mode: "string" }),
    assignedBy: uuid("assigned_by").references(() => users.id),
    assignedAt: timestamp("assigned_at", { withTimezone: true }).notNull().defaultNow(),
    archivedAt: timestamp("archived_at", { withTimezone: true }),
    // Bumped by every staff edit of the plan or its steps; a save made from an older version is refused.
    version: integer("version").notNull().default(1),
  },
  (t) => [index("plans_case_idx").on(t.caseId, t.assignedAt)],
);

export const planSteps = pgTable(
  "plan_steps",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    planId: uuid("plan_id")
      .notNull()
      .references(() => plans.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    title: text("title").notNull(),
    guidance: text("guidance").notNull().default(""),
    resourceUrl: text("resource_url"),
    suggestedDays: integer("suggested_days"),
    dueDate: date("due_date", { mode: "string" }),
    status: stepStatusEnum("status").notNull().default("todo"),
    startedAt: timestamp("started_at", { withTimezone: true }),
    completedAt: timestamp("completed_at", { withTimezone: true }),
    reflection: text("reflection"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("plan_steps_plan_idx").on(t.planId, t.position)],
);

// Staff notes on a case; never shown to the client. Earlier versions are kept on every edit.
export const caseNotes = pgTable(
  "case_notes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    caseId: uuid("case_id")
      .notNull()
      .references(() => cases.id, { onDelete: "cascade" }),
    authorId: uuid("author_id")
      .notNull()
      .references(() => users.id),
    body: text("body").notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }),
  },
  (t) => [index("case_notes_case_idx").on(t.caseId, t.createdAt)],
);

export const caseNoteVersions = pgTable(
  "case_note_versions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    noteId: uuid("note_id")
      .notNull()
      .references(() => caseNotes.id, { onDelete: "cascade" }),
    // The text as it was before the edit made at `replacedAt`.
    body: text("body").notNull(),
    replacedAt: timestamp("replaced_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("case_note_versions_note_idx").on(t.noteId, t.replacedAt)],
);

// ---------------------------------------------------------------------------------------------
// Questions: threads of nested posts, the triage queue, saved replies, notifications

export const threadStatusEnum = pgEnum("thread_status", ["awaiting_staff", "awaiting_client", "closed"]);
export const THREAD_STATUSES = threadStatusEnum.enumValues;
export type ThreadStatus = (typeof THREAD_STATUSES)[number];

export const threadPriorityEnum = pgEnum("thread_priority", ["normal", "urgent"]);
export type ThreadPriority = (typeof threadPriorityEnum.enumValues)[number];

export const postVisibilityEnum = pgEnum("post_visibility", ["shared", "internal"]);
export type PostVisibility = (typeof postVisibilityEnum.enumValues)[number];

/** Why a thread was flagged: which screening rule matched which post, and when. */
export type RiskReason = { ruleId: string; label: string; postId: string; at: string };

export const threads = pgTable(
  "threads",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    caseId: uuid("case_id")
      .notNull()
      .references(() => cases.id, { onDelete: "cascade" }),
    title: text("title").notNull(),
    status: threadStatusEnum("status").notNull().default("awaiting_staff"),
    priority: threadPriorityEnum("priority").notNull().default("normal"),
    assigneeId: uuid("assignee_id").references(() => users.id),
    riskReasons: jsonb("risk_reasons").$type<RiskReason[]>().notNull().default([]),
    flaggedAt: timestamp("flagged_at", { withTimezone: true }),
    flagClearedAt: timestamp("flag_cleared_at", { withTimezone: true }),
    flagClearedBy: uuid("flag_cleared_by").references(() => users.id),
    createdBy: uuid("created_by")
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
    // The first shared staff post; internal notes never count as a response.
    firstResponseAt: timestamp("first_response_at", { withTimezone: true }),
    // When the client's unanswered post came in (set while awaiting staff): the queue's clock.
    waitingSince: timestamp("waiting_since", { withTimezone: true }),
    lastActivityAt: timestamp("last_activity_at", { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp("closed_at", { withTimezone: true }),
  },
  (t) => [
    // Urgent first, then longest waiting: the triage queue reads this index in order.
    index("threads_queue_idx").on(t.status, t.priority.desc(), t.waitingSince, t.id),
    index("threads_case_idx").on(t.caseId, t.lastActivityAt),
    index("threads_assignee_idx").on(t.assigneeId, t.status),
    // The admin dashboard's "questions answered per week" reads threads by first response; with
    // created_at beside it the response times come from the index alone.
    index("threads_first_response_idx").on(t.firstResponseAt, t.createdAt).where(sql`${t.firstResponseAt} is not null`),
    // A staff member's triage queue and its counts: their cases' waiting questions come from
    // the index alone, merged with their case list in case order, so the practice's other
    // waiting questions are never read from the table (assignee_id is last for the "mine" and
    // "unassigned" counts).
    index("threads_triage_case_idx")
      .on(t.caseId, t.priority.desc(), t.waitingSince, t.id, t.assigneeId)
      .where(sql`${t.status} = 'awaiting_staff'`),
    // "Unanswered questions" (needs attention): the ones waiting longest, across priorities.
    index("threads_waiting_idx")
      .on(sql`coalesce(${t.waitingSince}, ${t.createdAt})`, t.id)
      .where(sql`${t.status} = 'awaiting_staff'`),
  ],
);

export const posts = pgTable(
  "posts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    threadId: uuid("thread_id")
      .notNull()
      .references(() => threads.id, { onDelete: "cascade" }),
    // The post this one answers; null for the opening post.
    parentId: uuid("parent_id"),
    authorId: uuid("author_id")
      .notNull()
      .references(() => users.id),
    body: text("body").notNull(),
    visibility: postVisibilityEnum("visibility").notNull().default("shared"),
    createdAt: createdAt(),
    editedAt: timestamp("edited_at", { withTimezone: true }),
    // A random key the form carries: a second submission of the same form finds this post instead.
    submissionKey: text("submission_key"),
    // The post's place in the thread view's order (decision 012), kept by triggers (migration
    // 0019): the sibling ranks of its ancestors and itself as bytes, so sorting by it gives the
    // order. sharedOrderKey is the same among shared posts only, the order a client sees; null for
    // internal notes. Both null only between a bulk load that bypasses triggers and posts_order_recount().
    orderKey: bytea("order_key"),
    sharedOrderKey: bytea("shared_order_key"),
  },
  (t) => [
    index("posts_thread_idx").on(t.threadId, t.createdAt),
    index("posts_parent_idx").on(t.parentId),
    uniqueIndex("posts_submission_key").on(t.authorId, t.submissionKey).where(sql`${t.submissionKey} is not null`),
  ],
);

export const postVersions = pgTable(
  "post_versions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    postId: uuid("post_id")
      .notNull()
      .references(() => posts.id, { onDelete: "cascade" }),
    // The text as it was before the edit made at `replacedAt`.
    body: text("body").notNull(),
    replacedAt: timestamp("replaced_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("post_versions_post_idx").on(t.postId, t.replacedAt)],
);

// Per person, when they last read a thread: unread marks come from comparing with its posts.
export const threadReads = pgTable(
  "thread_reads",
  {
    threadId: uuid("thread_id")
      .notNull()
      .references(() => threads.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    lastReadAt: timestamp("last_read_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.threadId, t.userId] })],
);

// A practitioner's own reply snippets (owner set) and practice-wide ones (owner null; admins).
export const savedReplies = pgTable(
  "saved_replies",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    ownerId: uuid("owner_id").references(() => users.id),
    title: text("title").notNull(),
    body: text("body").notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("saved_replies_owner_idx").on(t.ownerId, t.title)],
);

// Practice-wide settings, one row per key; defaults are inserted by a migration.
export const practiceSettings = pgTable("practice_settings", {
  key: text("key").primaryKey(),
  value: jsonb("value").$type<unknown>().notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  updatedBy: uuid("updated_by").references(() => users.id),
});

export const notifications = pgTable(
  "notifications",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    kind: text("kind").notNull(),
    // What the bell shows: never the content of a post, only what happened and where.
    text: text("text").notNull(),
    link: text("link").notNull(),
    threadId: uuid("thread_id").references(() => threads.id, { onDelete: "cascade" }),
    caseId: uuid("case_id").references(() => cases.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    readAt: timestamp("read_at", { withTimezone: true }),
  },
  (t) => [
    // The unread count, and the list newest first.
    index("notifications_user_idx").on(t.userId, t.readAt, t.createdAt),
    index("notifications_user_created_idx").on(t.userId, t.createdAt),
  ],
);

// When each person was last emailed about each thread: at most one email per thread per hour.
export const notificationEmails = pgTable(
  "notification_emails",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    threadId: uuid("thread_id")
      .notNull()
      .references(() => threads.id, { onDelete: "cascade" }),
    lastSentAt: timestamp("last_sent_at", { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.threadId] })],
);

// ---------------------------------------------------------------------------------------------
// Check-ins

export const checkIns = pgTable(
  "check_ins",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    caseId: uuid("case_id")
      .notNull()
      .references(() => cases.id, { onDelete: "cascade" }),
    authorId: uuid("author_id")
      .notNull()
      .references(() => users.id),
    submittedAt: timestamp("submitted_at", { withTimezone: true }).notNull().defaultNow(),
    /** 1–5 */
    mood: integer("mood").notNull(),
    /** Progress toward the client's goal, 1–10 */
    progress: integer("progress").notNull(),
    /** Closeness / trust in the relationship, 1–10 */
    closeness: integer("closeness").notNull(),
    whatHappened: text("what_happened").notNull().default(""),
    whatWasHard: text("what_was_hard").notNull().default(""),
    /** Plan steps the client says they worked on (ids of plan_steps on this case). */
    stepIds: jsonb("step_ids").$type<string[]>().notNull().default([]),
    riskReasons: jsonb("risk_reasons").$type<{ ruleId: string; label: string }[]>().notNull().default([]),
    reviewedAt: timestamp("reviewed_at", { withTimezone: true }),
    reviewedBy: uuid("reviewed_by").references(() => users.id),
    /** Shown to the client once reviewed. */
    feedback: text("feedback"),
    // A random key the form carries: a second submission of the same form finds this check-in.
    submissionKey: text("submission_key"),
  },
  (t) => [
    uniqueIndex("check_ins_submission_key").on(t.authorId, t.submissionKey).where(sql`${t.submissionKey} is not null`),
    index("check_ins_case_idx").on(t.caseId, t.submittedAt),
    index("check_ins_unreviewed_idx").on(t.submittedAt).where(sql`${t.reviewedAt} is null`),
    // The admin dashboard's weekly adherence reads check-ins by time across all cases (and their
    // case, from the index alone).
    index("check_ins_submitted_idx").on(t.submittedAt, t.caseId),
  ],
);

// One reminder email per case per check-in period at most.
export const checkInReminders = pgTable(
  "check_in_reminders",
  {
    caseId: uuid("case_id")
      .notNull()
      .references(() => cases.id, { onDelete: "cascade" }),
    /** The day the overdue period started (last check-in, or the case opening, + cadence). */
    periodStart: date("period_start", { mode: "string" }).notNull(),
    sentAt: timestamp("sent_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.periodStart] })],
);

// ---------------------------------------------------------------------------------------------
// The admin dashboard's weekly figures, kept for weeks that have ended (decision 006)

// One row per closed week (Monday 00:00 UTC): the figures the dashboard shows for it, filled by
// the dashboard itself the first time it needs them. The app never updates a row otherwise:
// triggers in migration 0014 bump `version` and clear the figures when a check-in or a first
// response lands in (or leaves) the week, and bump the version of the row at '-infinity', which
// stands for every week, when a change touches all weeks (which cases are active, their opening
// or cadence). A row counts only while its figures are there and its `everyWeekVersion` is that
// row's version; anything else is computed again (attention.server.ts, adminDashboard).
export const dashboardWeeks = pgTable("dashboard_weeks", {
  weekStart: timestamp("week_start", { withTimezone: true }).primaryKey(),
  /** Check-ins submitted that week on the cases active when it was computed. */
  submitted: integer("submitted"),
  /** Check-ins expected of those cases that week. */
  expected: integer("expected"),
  /** Questions whose first response came that week. */
  answered: integer("answered"),
  /** Their median time to first response, in hours (one decimal). */
  medianHours: numeric("median_hours"),
  version: integer("version").notNull().default(0),
  everyWeekVersion: integer("every_week_version").notNull().default(0),
  computedAt: timestamp("computed_at", { withTimezone: true }),
});

// ---------------------------------------------------------------------------------------------
// The admin dashboard's counts, kept current by triggers (migration 0017)

// How many accounts each role has in each state: "deactivated" (deactivated_at set), "invited"
// (no password yet) or "active". Triggers on users add and subtract as accounts come, go and
// change; a row may hold 0.
export const userCounts = pgTable(
  "user_counts",
  {
    role: roleEnum("role").notNull(),
    // USER_STATUSES (app/models/users.ts); the SQL function user_count_state decides it.
    state: text("state", { enum: ["active", "invited", "deactivated"] }).notNull(),
    n: integer("n").notNull(),
  },
  (t) => [primaryKey({ columns: [t.role, t.state] })],
);

// How many cases have each status; triggers on cases keep it.
export const caseCounts = pgTable("case_counts", {
  status: caseStatusEnum("status").primaryKey(),
  n: integer("n").notNull(),
});

// The open (not closed) cases each person leads and supports; triggers on case_members and on
// cases' status keep it. No row means none.
export const staffCaseloads = pgTable("staff_caseloads", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  leadCases: integer("lead_cases").notNull().default(0),
  supportCases: integer("support_cases").notNull().default(0),
});

// ---------------------------------------------------------------------------------------------
// Each staff member's triage queue, kept by triggers (migration 0018, decision 010)

// One row per question waiting for staff (status awaiting_staff) and per member of its case's
// team: the queue of a coach or therapist is their rows, in the order the queue shows them,
// whatever the size of their caseload. Triggers on threads and case_members keep it.
export const triageEntries = pgTable(
  "triage_entries",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    threadId: uuid("thread_id")
      .notNull()
      .references(() => threads.id, { onDelete: "cascade" }),
    caseId: uuid("case_id").notNull(),
    priority: threadPriorityEnum("priority").notNull(),
    waitingSince: timestamp("waiting_since", { withTimezone: true }),
    assigneeId: uuid("assignee_id"),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.threadId] }),
    // The queue in its order, with what the counts and the filters read.
    index("triage_entries_queue_idx").on(t.userId, t.priority.desc(), t.waitingSince, t.threadId, t.assigneeId, t.caseId),
    index("triage_entries_thread_idx").on(t.threadId),
  ],
);

export type CheckIn = typeof checkIns.$inferSelect;

export type Thread = typeof threads.$inferSelect;
export type Post = typeof posts.$inferSelect;
export type SavedReply = typeof savedReplies.$inferSelect;
export type Notification = typeof notifications.$inferSelect;

export type Case = typeof cases.$inferSelect;
export type CaseMember = typeof caseMembers.$inferSelect;
export type PlanTemplate = typeof planTemplates.$inferSelect;
export type PlanTemplateStep = typeof planTemplateSteps.$inferSelect;
export type Plan = typeof plans.$inferSelect;
export type PlanStep = typeof planSteps.$inferSelect;
export type CaseNote = typeof caseNotes.$inferSelect;

export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;
export type Session = typeof sessions.$inferSelect;
export type UserTotp = typeof userTotp.$inferSelect;
export type OneTimeToken = typeof oneTimeTokens.$inferSelect;
export type OutboxEmail = typeof emailOutbox.$inferSelect;
export type AuditEvent = typeof auditEvents.$inferSelect;
