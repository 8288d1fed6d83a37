import { and, asc, count, desc, eq, inArray, isNull, sql, type SQLWrapper } from "drizzle-orm";
import { alias, type AnyPgColumn } from "drizzle-orm/pg-core";
import { z } from "zod";
import { db, lookupDb } from "../../db/client";
import {
  caseMembers,
  cases,
  posts,
  postVersions,
  threadReads,
  threads,
  users,
  type PostVisibility,
  type RiskLevel,
  type RiskReason,
  type Role,
  type Thread,
} from "../../db/schema";
import { isStaff } from "~/auth/permissions";
import { caseViewInsert, recordAudit } from "./audit.server";
import {
  canOnCase,
  caseIdSchema,
  loadCaseAccess,
  placeholderViewer,
  requireStaffActor,
  touchCase,
  viewerKind,
  visibleCases,
  type Actor,
  type ActorRef,
  type CaseAccess,
} from "./case-access.server";
import { forbidden, notFound, RuleViolation } from "./errors.server";
import { notify, threadNotificationsReadUpdate, type NotificationKind } from "./notifications.server";
import { screenText, type RiskMatch } from "./risk-screening";
import { KEY_REUSED_MESSAGE, RepeatedSubmission, submissionKeyField } from "./submission-keys.server";
import { withoutNul } from "./typed-text";

// Questions on a case: threads of nested posts (DESIGN.md, "threads" and "posts").
//
// Who may do what: the client of the case starts threads and replies with shared posts only;
// staff on the case (and admins) do everything, including internal notes that the client never
// sees, never hears about and that never count as a response. Anyone who can't see the case gets
// 404 for its threads and posts, whatever id they send; a client asking for a staff-only action on
// a thread they can see gets 403.
//
// Status follows the last SHARED post: the client wrote last → awaiting_staff (the queue's clock,
// waiting_since, is that post's time); staff wrote last → awaiting_client. Staff close and reopen;
// a client's reply to a closed thread reopens it. A staff reply on a closed thread leaves it
// closed (staff reopen on purpose, or the client's answer does).
//
// Everything a client writes is screened (risk-screening.ts). A match marks the thread urgent,
// keeps which rule matched, raises the case's risk to at least "watch", alerts the case lead at
// once, and tells the caller (crisis: true) so the page can show the practice's crisis message.
//
// Every change runs in one transaction with its audit row (carrying the case id: the case
// timeline) and its notifications. Audit rows and notifications say what happened and where,
// never what anyone wrote.
//
// A new post (and a new thread's opening post) can carry the form's submission key
// (submission-keys.server.ts): sent again with the same key, the same author gets the post
// already stored, as if it had just been written, and nothing else happens — no second post,
// notification, audit row, risk alert or status change.

type Tx = Parameters<Parameters<typeof db.transaction>[0]>[0];
type Executor = typeof db | Tx;

export const THREAD_TITLE_MAX = 200;
export const POST_MAX = 10_000;
export const THREADS_PER_PAGE = 20;

const THREAD_TARGET = "thread";
const POST_TARGET = "post";

// ---------------------------------------------------------------------------------------------
// Forms (routes parse with these; the model checks again, since it can't trust its caller)

const titleField = z
  .string({ error: "Give your question a short title." })
  .overwrite(withoutNul)
  .trim()
  .min(1, { error: "Give your question a short title." })
  .max(THREAD_TITLE_MAX, { error: `Keep the title under ${THREAD_TITLE_MAX} characters.` });

const bodyField = z
  .string({ error: "Write your message before sending it." })
  .overwrite(withoutNul)
  .trim()
  .min(1, { error: "Write your message before sending it." })
  .max(POST_MAX, { error: `Keep a message under ${POST_MAX.toLocaleString("en")} characters.` });

/** An optional post id from a form: empty means "the question itself". */
const optionalId = z
  .string()
  .nullish()
  .transform((v) => (v ?? "").trim() || null);

export const newThreadSchema = z.object({ title: titleField, body: bodyField, submissionKey: submissionKeyField });

export const postSchema = z.object({
  body: bodyField,
  submissionKey: submissionKeyField,
  parentId: optionalId,
  visibility: z.enum(["shared", "internal"], { error: "Choose who can see this message." }).default("shared"),
});

export const editPostSchema = z.object({ postId: z.string().trim().min(1), body: bodyField });

export const assignSchema = z.object({
  assigneeId: z
    .string()
    .nullish()
    .transform((v) => (v ?? "").trim() || null)
    .pipe(z.uuid({ error: "Choose a colleague from the list." }).nullable()),
});

/**
 * A thread page's address. ?replyTo=<post> opens the page's one reply form under that post, and
 * on the staff page ?edit=<post> the form that edits one of the viewer's own posts (postToOpen
 * checks either); ?savedReply=<id> is a saved reply to start the reply from. A long thread shows
 * THREAD_PAGE_SIZE messages a page: ?post=<post> (else ?replyTo=, else ?edit=) opens the page
 * holding that post, else ?page=<n> (threadPageWanted).
 */
export const threadPageQuery = z.object({
  replyTo: z.string().trim().optional().catch(undefined),
  edit: z.string().trim().optional().catch(undefined),
  savedReply: z.string().trim().optional().catch(undefined),
  post: z.string().trim().optional().catch(undefined),
  page: z.coerce.number().int().min(1).default(1).catch(1),
});

/** The page of the thread a page's address asks for (see threadPageQuery). */
export function threadPageWanted(query: z.infer<typeof threadPageQuery>): ThreadPageWanted {
  return { post: query.post || query.replyTo || query.edit || null, page: query.page };
}

/** The post a page may open a form under: `wanted` if it is one of the posts offered (those the reader was shown), else none. */
export function postToOpen(offered: readonly { id: string }[], wanted: string | undefined) {
  return wanted && offered.some((post) => post.id === wanted) ? wanted : null;
}

export const threadListQuery = z.object({ page: z.coerce.number().int().min(1).max(100_000).default(1).catch(1) });

function checked<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new RuleViolation(parsed.error.issues[0]?.message ?? "Check this field.", field);
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------
// Access

type ThreadAccess = { thread: Thread; access: CaseAccess; staff: boolean };

/** The thread and the actor's relation to its case: 404 unless the actor can see the case. */
async function loadThreadAccess(actor: Actor, threadId: string): Promise<ThreadAccess> {
  if (!z.uuid().safeParse(threadId).success) throw notFound();
  const [thread] = await db.select().from(threads).where(eq(threads.id, threadId));
  if (!thread) throw notFound();
  const access = await loadCaseAccess(actor, thread.caseId);
  return { thread, access, staff: canOnCase(access, "case.readInternal") };
}

/** Staff-only actions: 404 if the thread is out of sight, 403 for the client who can see it. */
async function loadThreadForStaffAction(actor: Actor, threadId: string) {
  const loaded = await loadThreadAccess(actor, threadId);
  if (!loaded.staff) throw forbidden();
  return loaded;
}

async function lockThread(tx: Tx, threadId: string) {
  const [row] = await tx.select().from(threads).where(eq(threads.id, threadId)).for("update");
  if (!row) throw notFound();
  return row;
}

/**
 * The time of a new post: now, but always after the thread's last activity, so posts written in
 * the same millisecond still keep their order (the thread row is locked while we write).
 */
function postTime(thread: Thread, now = new Date()) {
  return now.getTime() > thread.lastActivityAt.getTime() ? now : new Date(thread.lastActivityAt.getTime() + 1);
}

async function nameOf(actor: Actor, executor: Executor = db) {
  if (actor.name) return actor.name;
  const [row] = await executor.select({ name: users.name }).from(users).where(eq(users.id, actor.id));
  return row?.name ?? "Someone";
}

async function clientNameOf(caseId: string, executor: Executor) {
  const [row] = await executor
    .select({ name: users.name })
    .from(cases)
    .innerJoin(users, eq(users.id, cases.clientId))
    .where(eq(cases.id, caseId));
  return row?.name ?? "the client";
}

async function caseTeam(tx: Tx, caseId: string) {
  return tx.select({ userId: caseMembers.userId, role: caseMembers.role }).from(caseMembers).where(eq(caseMembers.caseId, caseId));
}

/** A thread page's address; with a post, the page of the thread that holds it, scrolled to it. */
const atPost = (postId?: string) => (postId ? `?post=${postId}#post-${postId}` : "");
const staffLink = (threadId: string, postId?: string) => `/threads/${threadId}${atPost(postId)}`;
const clientLink = (threadId: string, postId?: string) => `/portal/questions/${threadId}${atPost(postId)}`;

// ---------------------------------------------------------------------------------------------
// Risk flags

const RISK_ORDER: Record<RiskLevel, number> = { none: 0, watch: 1, urgent: 2 };

/**
 * Marks the thread urgent for what a client wrote (`matches` from screenText), raises the case's
 * risk to at least "watch" and alerts the case lead (and the assignee) at once. The system flags,
 * so the audit rows have no actor: the timeline tells it as "Cairn flagged …". `thread` is the
 * row as locked (or just inserted) in this transaction.
 */
async function flagThread(
  tx: Tx,
  input: { thread: Thread; matches: RiskMatch[]; postId: string; at: Date; clientName: string; ip: string | null },
) {
  const { thread, matches, postId, at } = input;
  const reasons: RiskReason[] = matches.map((m) => ({ ruleId: m.ruleId, label: m.label, postId, at: at.toISOString() }));
  await tx
    .update(threads)
    .set({
      priority: "urgent",
      riskReasons: [...thread.riskReasons, ...reasons],
      flaggedAt: at,
      flagClearedAt: null,
      flagClearedBy: null,
    })
    .where(eq(threads.id, thread.id));
  await recordAudit(
    {
      actorId: null,
      action: "thread.flagged",
      target: { type: THREAD_TARGET, id: thread.id },
      caseId: thread.caseId,
      ip: input.ip,
      details: { threadId: thread.id, postId, rules: matches.map((m) => m.ruleId), labels: matches.map((m) => m.label) },
    },
    tx,
  );

  const [caseRow] = await tx.select({ risk: cases.risk }).from(cases).where(eq(cases.id, thread.caseId)).for("update");
  if (caseRow && RISK_ORDER[caseRow.risk] < RISK_ORDER.watch) {
    await tx.update(cases).set({ risk: "watch" }).where(eq(cases.id, thread.caseId));
    await recordAudit(
      {
        actorId: null,
        action: "case.risk_changed",
        target: { type: "case", id: thread.caseId },
        caseId: thread.caseId,
        ip: input.ip,
        details: { from: caseRow.risk, to: "watch", reason: "risk_flag", threadId: thread.id },
      },
      tx,
    );
  }

  const team = await caseTeam(tx, thread.caseId);
  const lead = team.find((m) => m.role === "lead");
  // With no lead on the case, the whole team hears of it.
  const alerted = lead ? [lead.userId] : team.map((m) => m.userId);
  if (thread.assigneeId) alerted.push(thread.assigneeId);
  // threadId is left off on purpose: an urgent flag must not wait behind the hourly email limit.
  await notify(
    tx,
    {
      recipients: alerted,
      kind: "urgent_flag",
      text: `A message from ${input.clientName} was flagged as urgent. Please look at it now.`,
      link: staffLink(thread.id, postId),
      caseId: thread.caseId,
    },
    at,
  );
  return alerted;
}

// ---------------------------------------------------------------------------------------------
// Starting a thread and posting

/** The post this author already stored with this submission key, if any. */
async function findSubmittedPost(authorId: string, submissionKey: string) {
  const [row] = await db
    .select()
    .from(posts)
    .where(and(eq(posts.authorId, authorId), eq(posts.submissionKey, submissionKey)));
  return row ?? null;
}

/**
 * Runs `write` (a transaction that inserts the post with its key, ON CONFLICT DO NOTHING, and
 * throws RepeatedSubmission when that inserted nothing); when the key was used already — before
 * we started, or by a submission racing this one — answers `repeat(earlier post)` instead.
 */
async function writeOnce<T>(
  actorId: string,
  submissionKey: string | undefined,
  write: () => Promise<T>,
  repeat: (earlier: typeof posts.$inferSelect) => Promise<T>,
): Promise<T> {
  if (!submissionKey) return write();
  const earlier = await findSubmittedPost(actorId, submissionKey);
  if (earlier) return repeat(earlier);
  try {
    return await write();
  } catch (error) {
    if (!(error instanceof RepeatedSubmission)) throw error;
    const winner = await findSubmittedPost(actorId, submissionKey);
    if (!winner) throw error;
    return repeat(winner);
  }
}

/** Inserts a post; with a key already stored for this author it inserts nothing and throws RepeatedSubmission. */
async function insertPost(tx: Tx, values: typeof posts.$inferInsert) {
  const [post] = await tx
    .insert(posts)
    .values(values)
    .onConflictDoNothing({ target: [posts.authorId, posts.submissionKey], where: sql`submission_key is not null` })
    .returning();
  if (!post) {
    if (values.submissionKey) throw new RepeatedSubmission();
    throw new Error("insert returned nothing");
  }
  return post;
}

export type NewThreadInput = {
  title: string;
  body: string;
  /** The form's submission key (see submission-keys.server.ts); optional. */
  submissionKey?: string | null;
};

/**
 * A new question on a case. The client asks it (awaiting staff; title and body screened);
 * staff can start one with the client (a shared opening post, awaiting the client).
 */
export async function startThread(actor: Actor, caseId: string, input: NewThreadInput, ip: string | null = null) {
  const access = await loadCaseAccess(actor, caseId);
  const staff = canOnCase(access, "case.readInternal");
  const fromClient = access.relation === "client";
  if (!staff && !fromClient) throw notFound();
  const title = checked(titleField, input.title, "title");
  const body = checked(bodyField, input.body, "body");
  const submissionKey = checked(submissionKeyField, input.submissionKey, "form");
  const matches = fromClient ? screenText(`${title}\n${body}`) : [];
  const authorName = await nameOf(actor);
  const c = access.case;

  // The same form sent again: the question it already asked, if it is the same question.
  const repeat = async (earlier: typeof posts.$inferSelect) => {
    const [thread] = await db.select().from(threads).where(eq(threads.id, earlier.threadId));
    if (!thread || thread.caseId !== c.id || thread.title !== title || earlier.parentId !== null || earlier.body !== body) {
      throw new RuleViolation(KEY_REUSED_MESSAGE, "form");
    }
    return { thread, post: earlier, crisis: matches.length > 0 };
  };

  return writeOnce(actor.id, submissionKey, () => db.transaction(async (tx) => {
    const now = new Date();
    const [thread] = await tx
      .insert(threads)
      .values({
        caseId: c.id,
        title,
        status: fromClient ? "awaiting_staff" : "awaiting_client",
        createdBy: actor.id,
        createdAt: now,
        waitingSince: fromClient ? now : null,
        firstResponseAt: fromClient ? null : now,
        lastActivityAt: now,
      })
      .returning();
    if (!thread) throw new Error("insert returned nothing");
    const post = await insertPost(tx, {
      threadId: thread.id,
      parentId: null,
      authorId: actor.id,
      body,
      visibility: "shared",
      createdAt: now,
      submissionKey: submissionKey ?? null,
    });
    await recordAudit(
      {
        actorId: actor.id,
        action: "thread.started",
        target: { type: THREAD_TARGET, id: thread.id },
        caseId: c.id,
        ip,
        details: { threadId: thread.id, by: fromClient ? "client" : "staff" },
      },
      tx,
    );

    if (fromClient) {
      let alerted: string[] = [];
      if (matches.length) alerted = await flagThread(tx, { thread, matches, postId: post.id, at: now, clientName: authorName, ip });
      const team = await caseTeam(tx, c.id);
      await notify(
        tx,
        {
          recipients: team.map((m) => m.userId).filter((id) => !alerted.includes(id)),
          kind: "new_client_post",
          text: `${authorName} asked a new question.`,
          link: staffLink(thread.id),
          threadId: thread.id,
          caseId: c.id,
        },
        now,
      );
    } else {
      await notify(
        tx,
        {
          recipients: [c.clientId],
          kind: "new_reply",
          text: `${authorName} started a conversation with you.`,
          link: clientLink(thread.id),
          threadId: thread.id,
          caseId: c.id,
        },
        now,
      );
    }
    await touchCase(c.id, tx, now);
    const [saved] = await tx.select().from(threads).where(eq(threads.id, thread.id));
    return { thread: saved ?? thread, post, crisis: matches.length > 0 };
  }), repeat);
}

export type NewPostInput = {
  /** The post this answers; null (or omitted) answers the question itself. */
  parentId?: string | null;
  body: string;
  visibility?: PostVisibility;
  /** Staff only: close the thread in the same step ("Send reply and close"). */
  close?: boolean;
  /** The form's submission key (see submission-keys.server.ts); optional. */
  submissionKey?: string | null;
};

/**
 * A reply anywhere in a thread. Clients write shared posts only (an internal note is 403) and
 * can only answer posts they can see; staff may also write internal notes.
 */
export async function addPost(actor: Actor, threadId: string, input: NewPostInput, ip: string | null = null) {
  const { thread, access, staff } = await loadThreadAccess(actor, threadId);
  const fromClient = access.relation === "client";
  if (!staff && !fromClient) throw notFound();
  const visibility = input.visibility ?? "shared";
  if (visibility !== "shared" && visibility !== "internal") throw new RuleViolation("Choose who can see this message.", "visibility");
  if (fromClient && visibility !== "shared") throw forbidden("Only staff can write internal notes.");
  if (fromClient && input.close) throw forbidden("Only staff can close a thread.");

  // The post answered: of this thread, and one the actor can see; none means the question itself.
  let parentId: string | null = null;
  if (input.parentId) {
    if (!z.uuid().safeParse(input.parentId).success) throw notFound();
    const [parent] = await db
      .select({ id: posts.id, visibility: posts.visibility })
      .from(posts)
      .where(and(eq(posts.id, input.parentId), eq(posts.threadId, thread.id)));
    if (!parent || (!staff && parent.visibility !== "shared")) throw notFound();
    if (parent.visibility === "internal" && visibility === "shared") {
      throw new RuleViolation("A reply to an internal note stays internal: the client can't see the note it answers.", "visibility");
    }
    parentId = parent.id;
  }
  const body = checked(bodyField, input.body, "body");
  const submissionKey = checked(submissionKeyField, input.submissionKey, "form");
  const matches = fromClient ? screenText(body) : [];
  const authorName = await nameOf(actor);

  // The same form sent again: the reply it already stored, if it is the same reply (and then
  // nothing else happens: no close, no notification, no flag).
  const repeat = async (earlier: typeof posts.$inferSelect) => {
    const same =
      earlier.threadId === thread.id &&
      earlier.body === body &&
      earlier.visibility === visibility &&
      (parentId === null || earlier.parentId === parentId);
    if (!same) throw new RuleViolation(KEY_REUSED_MESSAGE, "form");
    return { post: earlier, crisis: matches.length > 0 };
  };

  return writeOnce(actor.id, submissionKey, () => db.transaction(async (tx) => {
    const locked = await lockThread(tx, thread.id);
    if (locked.caseId !== access.case.id) throw notFound();
    const at = postTime(locked);
    let answering = parentId;
    if (!answering) {
      const [opening] = await tx
        .select({ id: posts.id })
        .from(posts)
        .where(and(eq(posts.threadId, locked.id), isNull(posts.parentId)))
        .orderBy(asc(posts.createdAt), asc(posts.id))
        .limit(1);
      answering = opening?.id ?? null;
    }
    const post = await insertPost(tx, {
      threadId: locked.id,
      parentId: answering,
      authorId: actor.id,
      body,
      visibility,
      createdAt: at,
      submissionKey: submissionKey ?? null,
    });

    // Status from the last shared post; internal notes change nothing but the activity time.
    const changes: Partial<typeof threads.$inferInsert> = { lastActivityAt: at };
    let reopened = false;
    if (visibility === "shared" && fromClient) {
      changes.status = "awaiting_staff";
      changes.waitingSince = at;
      if (locked.status === "closed") {
        changes.closedAt = null;
        reopened = true;
      }
    } else if (visibility === "shared") {
      if (locked.status !== "closed") changes.status = "awaiting_client";
      changes.waitingSince = null;
      if (!locked.firstResponseAt) changes.firstResponseAt = at;
    }
    const closing = staff && input.close === true && locked.status !== "closed";
    if (closing) {
      changes.status = "closed";
      changes.closedAt = at;
      changes.waitingSince = null;
    }
    await tx.update(threads).set(changes).where(eq(threads.id, locked.id));

    const target = { type: THREAD_TARGET, id: locked.id };
    await recordAudit(
      {
        actorId: actor.id,
        action: visibility === "internal" ? "thread.internal_note" : "thread.replied",
        target,
        caseId: locked.caseId,
        ip,
        details: { threadId: locked.id, postId: post.id, by: fromClient ? "client" : "staff" },
      },
      tx,
    );
    if (reopened) {
      await recordAudit(
        { actorId: actor.id, action: "thread.reopened", target, caseId: locked.caseId, ip, details: { threadId: locked.id, byReply: true } },
        tx,
      );
    }
    if (closing) {
      await recordAudit({ actorId: actor.id, action: "thread.closed", target, caseId: locked.caseId, ip, details: { threadId: locked.id } }, tx);
    }

    if (fromClient) {
      let alerted: string[] = [];
      if (matches.length) alerted = await flagThread(tx, { thread: locked, matches, postId: post.id, at, clientName: authorName, ip });
      const team = await caseTeam(tx, locked.caseId);
      const recipients = [...team.map((m) => m.userId), ...(locked.assigneeId ? [locked.assigneeId] : [])];
      await notify(
        tx,
        {
          recipients: recipients.filter((id) => !alerted.includes(id)),
          kind: "new_client_post",
          text: `${authorName} replied to a question.`,
          link: staffLink(locked.id, post.id),
          threadId: locked.id,
          caseId: locked.caseId,
        },
        at,
      );
    } else if (visibility === "shared") {
      await notify(
        tx,
        {
          recipients: [access.case.clientId],
          kind: "new_reply",
          text: `${authorName} replied to your question.`,
          link: clientLink(locked.id, post.id),
          threadId: locked.id,
          caseId: locked.caseId,
        },
        at,
      );
    } else {
      // Internal notes: the team hears of them, the client never does.
      const team = await caseTeam(tx, locked.caseId);
      const recipients = [...team.map((m) => m.userId), ...(locked.assigneeId ? [locked.assigneeId] : [])].filter(
        (id) => id !== actor.id && id !== access.case.clientId,
      );
      await notify(
        tx,
        {
          recipients,
          kind: "new_reply",
          text: `${authorName} added an internal note to a question on ${await clientNameOf(locked.caseId, tx)}'s case.`,
          link: staffLink(locked.id, post.id),
          threadId: locked.id,
          caseId: locked.caseId,
        },
        at,
      );
    }
    await touchCase(locked.caseId, tx, at);
    return { post, crisis: matches.length > 0 };
  }), repeat);
}

// ---------------------------------------------------------------------------------------------
// Editing posts: only the author; the earlier text is kept as a version.

async function loadPostAccess(actor: Actor, postId: string) {
  if (!z.uuid().safeParse(postId).success) throw notFound();
  const [post] = await db.select().from(posts).where(eq(posts.id, postId));
  if (!post) throw notFound();
  const loaded = await loadThreadAccess(actor, post.threadId);
  if (!loaded.staff && loaded.access.relation !== "client") throw notFound();
  // A client can't see internal notes at all.
  if (!loaded.staff && post.visibility !== "shared") throw notFound();
  return { post, ...loaded };
}

/**
 * The author rewrites their post. Returns whether anything changed and, for a client's post,
 * whether the new text matched a risk rule (the thread is flagged as for a new post). With
 * `threadId` (the thread in the page's address), a post from any other thread is not found.
 */
export async function editPost(actor: Actor, postId: string, input: { body: string; threadId?: string }, ip: string | null = null) {
  const { post, thread, access } = await loadPostAccess(actor, postId);
  if (input.threadId !== undefined && post.threadId !== input.threadId) throw notFound();
  if (post.authorId !== actor.id) throw forbidden("Only the author can edit a message.");
  const body = checked(bodyField, input.body, "body");
  const fromClient = access.relation === "client";
  const matches = fromClient ? screenText(body) : [];

  return db.transaction(async (tx) => {
    const locked = await lockThread(tx, thread.id);
    const [current] = await tx.select().from(posts).where(eq(posts.id, post.id)).for("update");
    if (!current) throw notFound();
    if (current.body === body) return { post: current, changed: false, crisis: false };
    const now = new Date();
    await tx.insert(postVersions).values({ postId: current.id, body: current.body, replacedAt: now });
    const [updated] = await tx.update(posts).set({ body, editedAt: now }).where(eq(posts.id, current.id)).returning();
    await recordAudit(
      {
        actorId: actor.id,
        action: "thread.post_edited",
        target: { type: POST_TARGET, id: current.id },
        caseId: locked.caseId,
        ip,
        details: { threadId: locked.id, postId: current.id, visibility: current.visibility },
      },
      tx,
    );
    if (matches.length) {
      await flagThread(tx, { thread: locked, matches, postId: current.id, at: now, clientName: await nameOf(actor, tx), ip });
    }
    await touchCase(locked.caseId, tx, now);
    return { post: updated ?? current, changed: true, crisis: matches.length > 0 };
  });
}

/** A post's earlier texts, newest first. Staff: any post they can see; clients: their own shared posts. */
export async function listPostVersions(actor: Actor, postId: string) {
  const { post, staff } = await loadPostAccess(actor, postId);
  if (!staff && post.authorId !== actor.id) throw forbidden();
  return db
    .select({ id: postVersions.id, body: postVersions.body, replacedAt: postVersions.replacedAt })
    .from(postVersions)
    .where(eq(postVersions.postId, post.id))
    .orderBy(desc(postVersions.replacedAt), desc(postVersions.id));
}

// ---------------------------------------------------------------------------------------------
// Closing, reopening, clearing a flag

export async function closeThread(actor: Actor, threadId: string, ip: string | null = null) {
  const { thread } = await loadThreadForStaffAction(actor, threadId);
  await db.transaction(async (tx) => {
    const locked = await lockThread(tx, thread.id);
    if (locked.status === "closed") throw new RuleViolation("This thread is already closed.");
    const now = new Date();
    await tx.update(threads).set({ status: "closed", closedAt: now, waitingSince: null }).where(eq(threads.id, locked.id));
    await recordAudit(
      { actorId: actor.id, action: "thread.closed", target: { type: THREAD_TARGET, id: locked.id }, caseId: locked.caseId, ip, details: { threadId: locked.id } },
      tx,
    );
    await touchCase(locked.caseId, tx, now);
  });
}

/** Reopens a closed thread; its status comes back from the last shared post. */
export async function reopenThread(actor: Actor, threadId: string, ip: string | null = null) {
  const { thread } = await loadThreadForStaffAction(actor, threadId);
  return db.transaction(async (tx) => {
    const locked = await lockThread(tx, thread.id);
    if (locked.status !== "closed") throw new RuleViolation("This thread is already open.");
    const [last] = await tx
      .select({ createdAt: posts.createdAt, authorRole: users.role })
      .from(posts)
      .innerJoin(users, eq(users.id, posts.authorId))
      .where(and(eq(posts.threadId, locked.id), eq(posts.visibility, "shared")))
      .orderBy(desc(posts.createdAt), desc(posts.id))
      .limit(1);
    const clientWroteLast = last?.authorRole === "client";
    const status = clientWroteLast ? "awaiting_staff" : "awaiting_client";
    const now = new Date();
    await tx
      .update(threads)
      .set({ status, closedAt: null, waitingSince: clientWroteLast ? last.createdAt : null })
      .where(eq(threads.id, locked.id));
    await recordAudit(
      { actorId: actor.id, action: "thread.reopened", target: { type: THREAD_TARGET, id: locked.id }, caseId: locked.caseId, ip, details: { threadId: locked.id } },
      tx,
    );
    await touchCase(locked.caseId, tx, now);
    return status;
  });
}

/** Staff clear a false (or dealt-with) risk flag: the thread goes back to normal priority. */
export async function clearRiskFlag(actor: Actor, threadId: string, ip: string | null = null) {
  const { thread } = await loadThreadForStaffAction(actor, threadId);
  await db.transaction(async (tx) => {
    const locked = await lockThread(tx, thread.id);
    if (locked.priority !== "urgent") throw new RuleViolation("This thread isn't flagged.");
    const now = new Date();
    await tx
      .update(threads)
      .set({ priority: "normal", flagClearedAt: now, flagClearedBy: actor.id })
      .where(eq(threads.id, locked.id));
    await recordAudit(
      {
        actorId: actor.id,
        action: "thread.flag_cleared",
        target: { type: THREAD_TARGET, id: locked.id },
        caseId: locked.caseId,
        ip,
        details: { threadId: locked.id, rules: [...new Set(locked.riskReasons.map((r) => r.ruleId))] },
      },
      tx,
    );
    await touchCase(locked.caseId, tx, now);
  });
}

// ---------------------------------------------------------------------------------------------
// Assignment

/**
 * Assigns threads to a colleague (or unassigns with null). The assignee must be an active staff
 * member of every thread's case, or an admin. A thread the actor can't see makes the whole
 * request 404 and nothing changes. Returns how many threads changed hands.
 */
export async function assignThreads(actor: Actor, threadIds: string[], assigneeId: string | null, ip: string | null = null) {
  if (!isStaff(actor.role)) throw notFound();
  const ids = [...new Set(threadIds)];
  if (ids.length === 0) throw new RuleViolation("Choose at least one question.", "threadIds");
  if (ids.length > 200) throw new RuleViolation("Assign at most 200 questions at once.", "threadIds");
  if (ids.some((id) => !z.uuid().safeParse(id).success)) throw notFound();

  const visible = await db
    .select({ id: threads.id, caseId: threads.caseId, member: caseMembers.userId })
    .from(threads)
    .leftJoin(caseMembers, and(eq(caseMembers.caseId, threads.caseId), eq(caseMembers.userId, actor.id)))
    .where(inArray(threads.id, ids));
  const seen = visible.filter((row) => actor.role === "admin" || row.member !== null);
  if (seen.length !== ids.length) throw notFound();

  let assignee: { id: string; name: string; role: Role } | null = null;
  if (assigneeId !== null) {
    const invalid = new RuleViolation("Choose a colleague who is on the team of each of these cases.", "assigneeId");
    if (!z.uuid().safeParse(assigneeId).success) throw invalid;
    const [person] = await db
      .select({ id: users.id, name: users.name, role: users.role, deactivatedAt: users.deactivatedAt })
      .from(users)
      .where(eq(users.id, assigneeId));
    if (!person || person.deactivatedAt || !isStaff(person.role)) throw invalid;
    if (person.role !== "admin") {
      const caseIds = [...new Set(seen.map((row) => row.caseId))];
      const memberships = await db
        .select({ caseId: caseMembers.caseId })
        .from(caseMembers)
        .where(and(eq(caseMembers.userId, person.id), inArray(caseMembers.caseId, caseIds)));
      if (memberships.length !== caseIds.length) throw invalid;
    }
    assignee = { id: person.id, name: person.name, role: person.role };
  }
  const actorName = await nameOf(actor);

  return db.transaction(async (tx) => {
    const now = new Date();
    const locked = await tx
      .select({ id: threads.id, caseId: threads.caseId, assigneeId: threads.assigneeId })
      .from(threads)
      .where(inArray(threads.id, ids))
      .orderBy(asc(threads.id))
      .for("update");
    const changing = locked.filter((row) => row.assigneeId !== (assignee?.id ?? null));
    if (changing.length === 0) return 0;
    await tx
      .update(threads)
      .set({ assigneeId: assignee?.id ?? null })
      .where(
        inArray(
          threads.id,
          changing.map((row) => row.id),
        ),
      );
    for (const row of changing) {
      await recordAudit(
        {
          actorId: actor.id,
          action: "thread.assigned",
          target: { type: THREAD_TARGET, id: row.id },
          caseId: row.caseId,
          ip,
          details: { threadId: row.id, from: row.assigneeId, to: assignee?.id ?? null, assigneeName: assignee?.name ?? null },
        },
        tx,
      );
    }
    for (const caseId of new Set(changing.map((row) => row.caseId))) await touchCase(caseId, tx, now);

    if (assignee && assignee.id !== actor.id) {
      const only = changing.length === 1 ? changing[0] : null;
      const kind: NotificationKind = "assigned";
      await notify(
        tx,
        only
          ? {
              recipients: [assignee.id],
              kind,
              text: `${actorName} assigned you a question on ${await clientNameOf(only.caseId, tx)}'s case.`,
              link: staffLink(only.id),
              threadId: only.id,
              caseId: only.caseId,
            }
          : {
              recipients: [assignee.id],
              kind,
              text: `${actorName} assigned you ${changing.length} questions.`,
              link: "/triage?filter=mine",
            },
        now,
      );
    }
    return changing.length;
  });
}

// ---------------------------------------------------------------------------------------------
// Reading a thread, a page at a time. A fixed number of queries however long the thread is, and
// only the page's posts are read in full (text, author, earlier versions) and sent on.

/** Messages on one page of a thread. */
export const THREAD_PAGE_SIZE = 50;

/**
 * Which page of a thread to show: the one holding `post` (a post id from the address: ?post=,
 * ?replyTo=, ?edit=), else page `page` (1-based; past the end, the last page). A post the reader
 * can't see, or that isn't in this thread, opens page 1 and says nothing more.
 */
export type ThreadPageWanted = { post?: string | null; page?: number };

export type ThreadPostView = {
  id: string;
  /** The post this answers, among those the reader sees (null for the question and for a reply to a post hidden from them). */
  parentId: string | null;
  authorId: string;
  authorName: string;
  authorRole: Role;
  body: string;
  visibility: PostVisibility;
  createdAt: Date;
  editedAt: Date | null;
  edited: boolean;
  /** Earlier texts the viewer may read (staff: all; clients: of their own posts), newest first. */
  versions: { id: string; body: string; replacedAt: Date }[];
  versionCount: number;
  mine: boolean;
  /** Who wrote the post this answers, when that post is on an earlier page (this reply then starts from the top of its page); else null. */
  earlierParentName: string | null;
};

export type ThreadPagination = {
  /** The page shown, 1-based. */
  page: number;
  pages: number;
  pageSize: number;
  /** Posts the reader sees in the whole thread. */
  total: number;
  /** The reader's newest post in the thread (by time written) and when it was written. */
  newestPostId: string | null;
  newestPostAt: Date | null;
};

/** Earlier texts as the posts query returns them: a JSON array, newest first, or null for none. */
type VersionJson = { id: string; body: string; replacedAt: string }[] | null;

/** A json/jsonb value as the driver hands it over (postgres.js and PGlite parse it; be sure). */
function fromJson<T>(value: T | string): T {
  return typeof value === "string" ? (JSON.parse(value) as T) : value;
}

/**
 * The statement behind readPostPage: one page of the thread's posts in display order, with the
 * page's place in the thread. Display order is the thread view's (buildThreadTree): the
 * question, then each reply under the post it answers in the order written, depth first. A post
 * whose parent the reader can't see (or, in damaged data, one written before its parent) starts
 * a tree of its own, in the order written.
 *
 * How: every post carries its place in that order as a key that sorts (order_key for staff,
 * shared_order_key among the shared posts a client sees), kept by triggers (migration 0019,
 * decision 012), so numbering the thread's posts by key gives each its place. The numbering
 * reads only ids, times and keys; text, authors, parents and earlier versions are read for the
 * page's posts alone.
 *
 * Built once for staff and once for clients (postPageStatements): drizzle builds a query's SQL
 * from its parts on every run, 0.43 ms for this one. The values (thread, wanted post, page,
 * reader) are placeholders filled in per call.
 */
function buildPostPageStatement(sharedOnly: boolean) {
  const size = THREAD_PAGE_SIZE;
  const shared = (alias: string) => (sharedOnly ? sql.raw(` and ${alias}.visibility = 'shared'`) : sql``);
  const key = sql.raw(sharedOnly ? "shared_order_key" : "order_key");

  const ordered = db
    .$with("ordered", {
      id: sql<string>`id`.as("id"),
      createdAt: sql<string>`created_at`.as("created_at"),
      pos: sql<number>`pos`.as("pos"),
    })
    .as(
      sql`select p.id, p.created_at, (row_number() over (order by p.${key}, p.created_at, p.id))::int as pos
        from ${posts} p where p.thread_id = ${sql.placeholder("threadId")}${shared("p")}`,
    );
  // The page: the wanted post's, else the one asked for (past the end: the last one).
  const meta = db
    .$with("meta", {
      total: sql<number>`total`.as("total"),
      page: sql<number>`page`.as("page"),
      newestId: sql<string | null>`newest_id`.as("newest_id"),
      newestAt: sql<string | Date | null>`newest_at`.as("newest_at"),
    })
    .as(
      sql`select count(*)::int as total,
          coalesce((select (pos - 1) / ${size}::int + 1 from ordered where id = ${sql.placeholder("wantedId")}::uuid),
            least(${sql.placeholder("requested")}::int, greatest((count(*)::int + ${size - 1}::int) / ${size}::int, 1))) as page,
          (select id from ordered order by created_at desc, id desc limit 1) as newest_id,
          max(created_at) as newest_at
        from ordered`,
    );
  // The page's posts. Their columns have names of their own: the main query names them without the table.
  const onPage = db
    .$with("on_page", {
      id: sql<string>`on_page_id`.as("on_page_id"),
      pos: sql<number>`on_page_pos`.as("on_page_pos"),
    })
    .as(
      sql`select o.id as on_page_id, o.pos as on_page_pos
        from ordered o, meta m
        where o.pos > (m.page - 1) * ${size}::int and o.pos <= m.page * ${size}::int
        order by o.pos limit ${size}::int`,
    );

  // Each post's earlier texts come with it, one small index lookup per post (post_versions_post_idx).
  // Clients read the earlier versions of their own posts only.
  const earlier = sql<VersionJson>`(select json_agg(json_build_object('id', ${postVersions.id}, 'body', ${postVersions.body}, 'replacedAt', ${postVersions.replacedAt})
      order by ${postVersions.replacedAt} desc, ${postVersions.id} desc)
    from ${postVersions} where ${postVersions.postId} = ${posts.id})`;
  const versionsOf = sharedOnly ? sql<VersionJson>`case when ${posts.authorId} = ${sql.placeholder("actorId")} then ${earlier} end` : earlier;
  // Each author looked up by id (a thread has a handful, remembered between rows) rather than the
  // whole users table hashed for every view, which is what the planner picks for a plain join.
  const author = db
    .select({ name: users.name, role: users.role })
    .from(users)
    .where(eq(users.id, posts.authorId))
    .limit(1)
    .as("author");
  // The post this one answers in the reader's view: an earlier post of the thread they can see
  // (else the post starts a tree of its own and shows no parent).
  const parent = db
    .select({ id: sql<string>`parent_post.id`.as("answered_id"), authorId: sql<string>`parent_post.author_id`.as("answered_author_id") })
    .from(sql`${posts} parent_post`)
    .where(
      sql`parent_post.id = ${posts.parentId} and parent_post.thread_id = ${posts.threadId}${shared("parent_post")}
        and (parent_post.created_at, parent_post.id) < (${posts.createdAt}, ${posts.id})`,
    )
    .as("parent");
  // The parent's author, only for a reply whose parent is on an earlier page (a parent always comes first).
  const earlierParentName = sql<string | null>`case when ${parent.id} is not null
      and not exists (select 1 from on_page here where here.on_page_id = ${parent.id})
    then (select parent_user.name from ${users} parent_user where parent_user.id = ${parent.authorId}) end`;
  // On lookupDb: the numbering is by the thread's id, and one plan serves every thread.
  return lookupDb
    .with(ordered, meta, onPage)
    .select({
      total: meta.total,
      page: meta.page,
      newestId: meta.newestId,
      newestAt: meta.newestAt,
      id: posts.id,
      parentId: parent.id,
      authorId: posts.authorId,
      authorName: author.name,
      authorRole: author.role,
      body: posts.body,
      visibility: posts.visibility,
      createdAt: posts.createdAt,
      editedAt: posts.editedAt,
      versions: versionsOf,
      earlierParentName,
    })
    .from(meta)
    .leftJoin(onPage, sql`true`)
    .leftJoin(posts, eq(posts.id, onPage.id))
    .leftJoinLateral(author, sql`true`)
    .leftJoinLateral(parent, sql`true`)
    .orderBy(asc(onPage.pos))
    .prepare(`thread_post_page_${sharedOnly ? "client" : "staff"}`);
}

const postPageStatements = { staff: buildPostPageStatement(false), client: buildPostPageStatement(true) };

async function readPostPage(
  actor: Actor,
  threadId: string,
  opts: { sharedOnly: boolean; wanted: ThreadPageWanted },
): Promise<{ posts: ThreadPostView[]; pagination: ThreadPagination }> {
  const size = THREAD_PAGE_SIZE;
  const asked = opts.wanted.post || null;
  const wantedId = asked && z.uuid().safeParse(asked).success ? asked : null;
  // A post asked for that isn't found falls back to page 1, like no address at all.
  const requested = asked ? 1 : Math.min(1_000_000, Math.max(1, Math.floor(opts.wanted.page ?? 1) || 1));
  const statement = postPageStatements[opts.sharedOnly ? "client" : "staff"];
  const rows = await statement.execute({ threadId, wantedId, requested, actorId: actor.id });

  const head = rows[0];
  const total = head?.total ?? 0;
  const pagination: ThreadPagination = {
    page: head?.page ?? 1,
    pages: Math.max(1, Math.ceil(total / size)),
    pageSize: size,
    total,
    newestPostId: head?.newestId ?? null,
    newestPostAt: head?.newestAt ? new Date(head.newestAt) : null,
  };
  const postList: ThreadPostView[] = [];
  for (const row of rows) {
    if (row.id === null || row.authorId === null || row.body === null || row.visibility === null || row.createdAt === null) continue;
    const own = (fromJson(row.versions) ?? []).map((v) => ({ id: v.id, body: v.body, replacedAt: new Date(v.replacedAt) }));
    postList.push({
      id: row.id,
      parentId: row.parentId,
      authorId: row.authorId,
      authorName: row.authorName ?? "Someone",
      authorRole: row.authorRole ?? "client",
      body: row.body,
      visibility: row.visibility,
      createdAt: row.createdAt,
      editedAt: row.editedAt,
      edited: row.editedAt !== null,
      versions: own,
      versionCount: own.length,
      mine: row.authorId === actor.id,
      earlierParentName: row.earlierParentName ?? null,
    });
  }
  return { posts: postList, pagination };
}

const assigneeUser = alias(users, "assignee_user");
const clearedByUser = alias(users, "cleared_by_user");
const clientUser = alias(users, "client_user");

type TeamMemberJson = { userId: string; role: "lead" | "support"; name: string; userRole: Role; deactivated: boolean };

/** The case's team as a JSON array, lead first, then by name: a column of the thread query. */
function caseTeamJson(caseId: AnyPgColumn) {
  return sql<TeamMemberJson[] | null>`(select json_agg(json_build_object('userId', ${caseMembers.userId}, 'role', ${caseMembers.role},
      'name', ${users.name}, 'userRole', ${users.role}, 'deactivated', ${users.deactivatedAt} is not null)
      order by case when ${caseMembers.role} = 'lead' then 0 else 1 end, ${users.name}, ${users.id})
    from ${caseMembers} inner join ${users} on ${users.id} = ${caseMembers.userId}
    where ${caseMembers.caseId} = ${caseId})`;
}

/**
 * getThreadForStaff's first statement: the thread with its case, names and team, read only when
 * the actor may see the case. Built once for admins (every case) and once for coaches and
 * therapists (the cases they are on); drizzle built it from its parts on every view otherwise.
 */
function threadForStaffStatement(role: "admin" | "coach") {
  return lookupDb
    .select({
      thread: threads,
      case: {
        id: cases.id,
        clientId: cases.clientId,
        title: cases.title,
        status: cases.status,
        risk: cases.risk,
        stepsTotal: cases.stepsTotal,
        stepsDone: cases.stepsDone,
        stepsSkipped: cases.stepsSkipped,
        progress: cases.progress,
        lastCheckInAt: cases.lastCheckInAt,
      },
      assigneeName: assigneeUser.name,
      clearedByName: clearedByUser.name,
      clientName: clientUser.name,
      team: caseTeamJson(threads.caseId),
    })
    .from(threads)
    .innerJoin(cases, eq(cases.id, threads.caseId))
    .innerJoin(clientUser, eq(clientUser.id, cases.clientId))
    .leftJoin(assigneeUser, eq(assigneeUser.id, threads.assigneeId))
    .leftJoin(clearedByUser, eq(clearedByUser.id, threads.flagClearedBy))
    .where(and(eq(threads.id, sql.placeholder("threadId")), visibleCases({ id: sql.placeholder("actorId"), role }, threads.caseId)))
    .prepare(`thread_for_${role}`);
}

const threadForStaffStatements = { admin: threadForStaffStatement("admin"), staff: threadForStaffStatement("coach") };

/**
 * Work to do once the reader may see the thread, alongside reading its page of posts rather than
 * after it (a page opening the thread marks it read): one round trip to the database fewer.
 * It must not change what the posts statement reads.
 */
type AlongsidePosts = (thread: { id: string; caseId: string }) => Promise<unknown>;

/**
 * The thread for staff, a page of posts at a time (`at`: which page), with the case beside it
 * (who, risk, plan progress, team). Two queries: the thread with its case, names and team, read
 * only when the actor may see the case (the same rule as every case list: visibleCases); then
 * the page's posts with their earlier texts (readPostPage).
 */
export async function getThreadForStaff(actor: Actor, threadId: string, at: ThreadPageWanted = {}, alongsidePosts?: AlongsidePosts) {
  requireStaffActor(actor);
  if (!z.uuid().safeParse(threadId).success) throw notFound();
  // Every relation staff can have to a case they see (admin, lead, support) reads its internals.
  const statement = actor.role === "admin" ? threadForStaffStatements.admin : threadForStaffStatements.staff;
  const [row] = await statement.execute({ threadId, actorId: actor.id });
  if (!row) throw notFound();
  const t = row.thread;
  // Plan progress and the last check-in are kept on the case row (migration 0012).
  const c = row.case;
  const team = fromJson(row.team) ?? [];
  const [{ posts: postList, pagination }] = await Promise.all([
    readPostPage(actor, t.id, { sharedOnly: false, wanted: at }),
    alongsidePosts?.({ id: t.id, caseId: t.caseId }),
  ]);
  const lead = team.find((m) => m.role === "lead");

  return {
    thread: {
      id: t.id,
      caseId: t.caseId,
      title: t.title,
      status: t.status,
      priority: t.priority,
      assignee: t.assigneeId ? { id: t.assigneeId, name: row.assigneeName ?? "Unknown" } : null,
      riskReasons: t.riskReasons,
      flaggedAt: t.flaggedAt,
      flagClearedAt: t.flagClearedAt,
      flagClearedBy: t.flagClearedBy ? { id: t.flagClearedBy, name: row.clearedByName ?? "Unknown" } : null,
      createdAt: t.createdAt,
      createdBy: t.createdBy,
      firstResponseAt: t.firstResponseAt,
      waitingSince: t.waitingSince,
      lastActivityAt: t.lastActivityAt,
      closedAt: t.closedAt,
    },
    posts: postList,
    pagination,
    case: {
      id: c.id,
      title: c.title,
      status: c.status,
      risk: c.risk,
      client: { id: c.clientId, name: row.clientName },
      lead: lead ? { id: lead.userId, name: lead.name } : null,
      progress: { total: c.stepsTotal, done: c.stepsDone, skipped: c.stepsSkipped, percent: c.progress },
      lastCheckIn: c.lastCheckInAt ? { submittedAt: c.lastCheckInAt } : null,
    },
    /** Colleagues the thread can be assigned to: active staff on the case. */
    assignees: team.filter((m) => !m.deactivated).map((m) => ({ id: m.userId, name: m.name, role: m.userRole, caseRole: m.role })),
    viewerId: actor.id,
  };
}

export type StaffThread = Awaited<ReturnType<typeof getThreadForStaff>>;

/**
 * The thread as its client sees it, a page of posts at a time (`at`: which page): shared posts
 * only, nothing of triage (priority, flags, notes).
 */
export async function getThreadForClient(actor: Actor, threadId: string, at: ThreadPageWanted = {}, alongsidePosts?: AlongsidePosts) {
  const { thread, access } = await loadThreadAccess(actor, threadId);
  if (access.relation !== "client") throw notFound();
  const [{ posts: postList, pagination }] = await Promise.all([
    readPostPage(actor, thread.id, { sharedOnly: true, wanted: at }),
    alongsidePosts?.({ id: thread.id, caseId: thread.caseId }),
  ]);
  const lastShared = pagination.newestPostAt ?? thread.createdAt;
  return {
    thread: {
      id: thread.id,
      caseId: thread.caseId,
      title: thread.title,
      status: thread.status,
      createdAt: thread.createdAt,
      closedAt: thread.closedAt,
      lastPostAt: lastShared,
    },
    caseTitle: access.case.title,
    posts: postList,
    pagination,
    viewerId: actor.id,
  };
}

export type ClientThread = Awaited<ReturnType<typeof getThreadForClient>>;

/**
 * The read mark's INSERT … SELECT, not yet run, for the thread in `visible` (a CTE holding the
 * thread's id when the actor may see it, else nothing): it records the read, unless the mark
 * already covers every post of the thread, in which case it writes nothing. Reloading a thread
 * with nothing new took the mark's row lock and wrote it for no change; a thread opened by
 * several tabs at once waited on that lock.
 */
function readMarkInsert(actor: ActorRef, visible: SQLWrapper, now: SQLWrapper) {
  const newest = sql`(select max(${posts.createdAt}) from ${posts} where ${posts.threadId} = v.id)`;
  return db
    .insert(threadReads)
    .select(
      sql`select v.id, ${actor.id}::uuid, ${now}::timestamptz from ${visible} v
        where not exists (select 1 from ${threadReads} r where r.thread_id = v.id and r.user_id = ${actor.id}::uuid
          and r.last_read_at >= coalesce(${newest}, '-infinity'::timestamptz))`,
    )
    .onConflictDoUpdate({ target: [threadReads.threadId, threadReads.userId], set: { lastReadAt: sql`${now}::timestamptz` } })
    .returning({ threadId: threadReads.threadId });
}

/**
 * Records the read and reads the thread's notifications (only once the read mark was allowed),
 * and with `view` the staff member's case view record, all in one statement: data-modifying WITH
 * clauses, each keeping its own access check. 404, with nothing written, for a thread (or case)
 * the actor can't see.
 */
async function markRead(actor: Actor, threadId: string, now: Date, view: { caseId: string; ip: string | null } | null) {
  if (!z.uuid().safeParse(threadId).success) throw notFound();
  if (view && !caseIdSchema.safeParse(view.caseId).success) throw notFound();
  const kind = viewerKind(actor.role);
  // Staff opening a thread also record their view of its case; a client never does.
  if (view && kind === "client") throw notFound();
  const statement = markReadStatements.get(`${kind}:${view ? "view" : "read"}`)!;
  const [row] = await statement.execute({
    actorId: actor.id,
    threadId,
    now: now.toISOString(),
    caseId: view?.caseId ?? null,
    ip: view?.ip ?? null,
    details: JSON.stringify({ page: "thread" }),
  });
  if (!row || row.views === 0) throw notFound();
}

/**
 * markRead's one statement (data-modifying WITH clauses, each keeping its own access check),
 * built once for each kind of reader, with or without the case view: drizzle built it from its
 * parts on every view of a thread otherwise (0.3 ms). On lookupDb: one thread, one plan for any.
 * `visible` holds the thread when the reader may see it; the read mark (when there is something
 * new), the thread's notifications and the view record are written only for it.
 */
const markReadStatements = new Map(
  (["admin", "staff", "client"] as const).flatMap((kind) =>
    (kind === "client" ? (["read"] as const) : (["read", "view"] as const)).map((what) => {
      const p = (name: string) => sql.placeholder(name);
      const reader = placeholderViewer(kind);
      const visible = lookupDb
        .$with("visible")
        .as(lookupDb.select({ id: threads.id }).from(threads).where(and(eq(threads.id, p("threadId")), visibleCases(reader, threads.caseId))));
      const marked = lookupDb.$with("marked").as(readMarkInsert(reader, visible, p("now")));
      const notificationsRead = lookupDb
        .$with("notifications_read")
        .as(threadNotificationsReadUpdate(reader.id, lookupDb.select({ threadId: visible.id }).from(visible), p("now")));
      // The view is of this thread on its own case, written only when the reader may see it.
      const viewOfThisThread = sql`exists (select 1 from ${visible}) and exists (select 1 from ${threads} where ${threads.id} = ${p("threadId")} and ${threads.caseId} = ${cases.id})`;
      const viewed =
        what === "view"
          ? lookupDb.$with("viewed").as(caseViewInsert(reader, p("caseId"), p("details"), p("ip"), { type: THREAD_TARGET, id: p("threadId") }, viewOfThisThread))
          : null;
      const statement = lookupDb
        .with(visible, marked, notificationsRead, ...(viewed ? [viewed] : []))
        .select({
          threadId: visible.id,
          marked: sql<number>`(select count(*) from ${marked})::int`,
          views: viewed ? sql<number>`(select count(*) from ${viewed})::int` : sql<number>`1`,
        })
        .from(visible)
        .prepare(`mark_read_${kind}_${what}`);
      return [`${kind}:${what}`, statement] as const;
    }),
  ),
);

/**
 * Remembers that the actor has read the thread up to now (unread marks compare with this) and
 * marks the thread's notifications read, in one statement.
 */
export async function markThreadRead(actor: Actor, threadId: string, now = new Date()) {
  await markRead(actor, threadId, now, null);
}

/**
 * Staff opening a thread: markThreadRead and the case's access log (recordCaseView, page
 * "thread") in one statement. `thread` is the thread as getThreadForStaff returned it.
 */
export async function markThreadReadAndRecordView(actor: Actor, thread: { id: string; caseId: string }, ip: string | null, now = new Date()) {
  await markRead(actor, thread.id, now, { caseId: thread.caseId, ip });
}

// ---------------------------------------------------------------------------------------------
// Lists

/** New posts by someone else since the viewer last read the thread (shared only for clients). */
function unreadSql(viewerId: string, sharedOnly: boolean) {
  const lastRead = sql`(select ${threadReads.lastReadAt} from ${threadReads} where ${threadReads.threadId} = ${threads.id} and ${threadReads.userId} = ${viewerId})`;
  return sql<boolean>`exists (select 1 from ${posts} where ${posts.threadId} = ${threads.id}
    and ${posts.authorId} <> ${viewerId}
    ${sharedOnly ? sql`and ${posts.visibility} = 'shared'` : sql``}
    and ${posts.createdAt} > coalesce(${lastRead}, '-infinity'::timestamptz))`;
}

/**
 * The client's own questions across their cases, most recently answered or asked first, with an
 * unread mark. Ordered by the last shared post, so staff's internal activity never shows.
 */
export async function listClientThreads(client: Actor, query: { page: number; perPage?: number }) {
  if (client.role !== "client") throw notFound();
  const page = Math.max(1, Math.floor(query.page));
  const perPage = Math.min(100, Math.max(1, Math.floor(query.perPage ?? THREADS_PER_PAGE)));
  const lastShared = sql<Date>`(select max(${posts.createdAt}) from ${posts} where ${posts.threadId} = ${threads.id} and ${posts.visibility} = 'shared')`;
  const mine = eq(cases.clientId, client.id);
  const [rows, [total]] = await Promise.all([
    db
      .select({
        id: threads.id,
        caseId: threads.caseId,
        caseTitle: cases.title,
        title: threads.title,
        status: threads.status,
        createdAt: threads.createdAt,
        lastPostAt: sql<string>`${lastShared}`,
        unread: unreadSql(client.id, true),
      })
      .from(threads)
      .innerJoin(cases, eq(cases.id, threads.caseId))
      .where(mine)
      .orderBy(desc(lastShared), desc(threads.id))
      .limit(perPage)
      .offset((page - 1) * perPage),
    db.select({ n: count() }).from(threads).innerJoin(cases, eq(cases.id, threads.caseId)).where(mine),
  ]);
  return {
    total: total?.n ?? 0,
    page,
    perPage,
    threads: rows.map((row) => ({ ...row, lastPostAt: row.lastPostAt ? new Date(row.lastPostAt) : row.createdAt })),
  };
}

export type ClientThreadList = Awaited<ReturnType<typeof listClientThreads>>;

/** A case's threads for staff on it, most recently active first, with unread marks. */
export async function listCaseThreads(actor: Actor, caseId: string, query: { page: number; perPage?: number }) {
  const access = await loadCaseAccess(actor, caseId);
  if (!canOnCase(access, "case.readInternal")) throw notFound();
  const id = access.case.id;
  const page = Math.max(1, Math.floor(query.page));
  const perPage = Math.min(100, Math.max(1, Math.floor(query.perPage ?? THREADS_PER_PAGE)));
  const [rows, [total]] = await Promise.all([
    db
      .select({
        id: threads.id,
        title: threads.title,
        status: threads.status,
        priority: threads.priority,
        assigneeId: threads.assigneeId,
        assigneeName: assigneeUser.name,
        createdAt: threads.createdAt,
        waitingSince: threads.waitingSince,
        lastActivityAt: threads.lastActivityAt,
        posts: sql<number>`(select count(*)::int from ${posts} where ${posts.threadId} = ${threads.id})`,
        unread: unreadSql(actor.id, false),
      })
      .from(threads)
      .leftJoin(assigneeUser, eq(assigneeUser.id, threads.assigneeId))
      .where(eq(threads.caseId, id))
      .orderBy(desc(threads.lastActivityAt), desc(threads.id))
      .limit(perPage)
      .offset((page - 1) * perPage),
    db.select({ n: count() }).from(threads).where(eq(threads.caseId, id)),
  ]);
  return { total: total?.n ?? 0, page, perPage, threads: rows, caseId: id };
}

export type CaseThreadList = Awaited<ReturnType<typeof listCaseThreads>>;
