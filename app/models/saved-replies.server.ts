import { and, asc, eq, isNull, or, sql } from "drizzle-orm";
import { z } from "zod";
import { db, lookupDb } from "../../db/client";
import { savedReplies, type SavedReply } from "../../db/schema";
import { can } from "~/auth/permissions";
import { recordAudit } from "./audit.server";
import { requireStaffActor, type Actor } from "./case-access.server";
import { forbidden, notFound, RuleViolation } from "./errors.server";

// Saved replies: reusable snippets for answering questions. Each practitioner keeps their own
// ("mine"); practice-wide ones ("practice", owner_id null) are read by all staff and managed by
// admins. Clients have no saved replies: every function answers them 404. Someone else's
// personal reply is 404 too, admins included: it is that person's own working material.
// The audit trail records that a reply changed, never its text, and carries no case.

export const SAVED_REPLY_SCOPES = ["mine", "practice"] as const;
export type SavedReplyScope = (typeof SAVED_REPLY_SCOPES)[number];

export const SAVED_REPLY_TITLE_MAX = 120;
export const SAVED_REPLY_BODY_MAX = 5_000;
/** A snippet library, not a feed: the picker and the page show at most this many. */
const SAVED_REPLIES_LIMIT = 500;

const title = z
  .string({ error: "Give the reply a short title." })
  .trim()
  .min(1, { error: "Give the reply a short title." })
  .max(SAVED_REPLY_TITLE_MAX, { error: `Keep the title under ${SAVED_REPLY_TITLE_MAX} characters.` });

const body = z
  .string({ error: "Write the text of the reply." })
  .trim()
  .min(1, { error: "Write the text of the reply." })
  .max(SAVED_REPLY_BODY_MAX, { error: `Keep a saved reply under ${SAVED_REPLY_BODY_MAX.toLocaleString("en")} characters.` });

export const savedReplySchema = z.object({
  title,
  body,
  scope: z.enum(SAVED_REPLY_SCOPES, { error: "Choose who can use this reply." }).default("mine"),
});
export type SavedReplyInput = z.input<typeof savedReplySchema>;

export const savedReplyEditSchema = z.object({ title, body });
export type SavedReplyEdit = z.input<typeof savedReplyEditSchema>;

export type SavedReplyView = {
  id: string;
  title: string;
  body: string;
  scope: SavedReplyScope;
  /** Whether `actor` may edit and delete it (their own; practice-wide ones for admins). */
  canManage: boolean;
  updatedAt: Date;
};

function mayManagePractice(actor: Actor) {
  return can(actor, "settings.manage");
}

function toView(actor: Actor, row: SavedReply): SavedReplyView {
  const scope: SavedReplyScope = row.ownerId === null ? "practice" : "mine";
  return {
    id: row.id,
    title: row.title,
    body: row.body,
    scope,
    canManage: scope === "mine" ? row.ownerId === actor.id : mayManagePractice(actor),
    updatedAt: row.updatedAt,
  };
}

/** The rows `actor` may see: their own and the practice-wide ones. */
function visibleReplies(actor: Actor) {
  return or(eq(savedReplies.ownerId, actor.id), isNull(savedReplies.ownerId));
}

/** Checks the input here too (a caller other than the page's form), reporting the first problem by field. */
function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new RuleViolation(issue?.message ?? "Check the reply and try again.", issue ? String(issue.path[0] ?? "form") : "form");
}

/** The statement behind listSavedRepliesForActor, built once (it runs on every thread page). */
const savedRepliesOfActor = lookupDb
  .select()
  .from(savedReplies)
  .where(or(eq(savedReplies.ownerId, sql.placeholder("actorId")), isNull(savedReplies.ownerId)))
  .orderBy(sql`${savedReplies.ownerId} is null`, asc(sql`lower(${savedReplies.title})`), asc(savedReplies.id))
  .limit(SAVED_REPLIES_LIMIT)
  .prepare("saved_replies_of_actor");

/** The actor's own replies first, then the practice-wide ones, each by title. Clients: 404. */
export async function listSavedRepliesForActor(actor: Actor): Promise<SavedReplyView[]> {
  requireStaffActor(actor);
  const rows = await savedRepliesOfActor.execute({ actorId: actor.id });
  return rows.map((row) => toView(actor, row));
}

/** One reply `actor` may use: their own or practice-wide. Anything else (or a bad id) is 404. */
export async function getSavedReply(actor: Actor, id: string): Promise<SavedReplyView> {
  requireStaffActor(actor);
  if (!z.uuid().safeParse(id).success) throw notFound();
  const [row] = await db
    .select()
    .from(savedReplies)
    .where(and(eq(savedReplies.id, id), visibleReplies(actor)));
  if (!row) throw notFound();
  return toView(actor, row);
}

/** 404 unless `actor` can see it; 403 when they can see it but not change it (practice-wide, not admin). */
async function loadManageable(actor: Actor, id: string) {
  const reply = await getSavedReply(actor, id);
  if (!reply.canManage) throw forbidden("Only an admin can change the practice's shared replies.");
  return reply;
}

/** Saves a new reply. Practice-wide ones are for admins only (403 for other staff). */
export async function createSavedReply(actor: Actor, input: SavedReplyInput, ip: string | null = null) {
  requireStaffActor(actor);
  const data = parse(savedReplySchema, input);
  if (data.scope === "practice" && !mayManagePractice(actor)) {
    throw forbidden("Only an admin can add replies for the whole practice.");
  }
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(savedReplies)
      .values({ ownerId: data.scope === "practice" ? null : actor.id, title: data.title, body: data.body })
      .returning();
    if (!row) throw new Error("insert returned nothing");
    await recordAudit(
      { actorId: actor.id, action: "saved_reply.created", target: { type: "saved_reply", id: row.id }, ip, details: { scope: data.scope } },
      tx,
    );
    return toView(actor, row);
  });
}

/** Changes the title and text. Returns false when nothing changed (and records nothing). */
export async function updateSavedReply(actor: Actor, id: string, input: SavedReplyEdit, ip: string | null = null) {
  const reply = await loadManageable(actor, id);
  const data = parse(savedReplyEditSchema, input);
  if (data.title === reply.title && data.body === reply.body) return false;
  await db.transaction(async (tx) => {
    await tx
      .update(savedReplies)
      .set({ title: data.title, body: data.body, updatedAt: new Date() })
      .where(eq(savedReplies.id, reply.id));
    await recordAudit(
      { actorId: actor.id, action: "saved_reply.edited", target: { type: "saved_reply", id: reply.id }, ip, details: { scope: reply.scope } },
      tx,
    );
  });
  return true;
}

export async function deleteSavedReply(actor: Actor, id: string, ip: string | null = null) {
  const reply = await loadManageable(actor, id);
  await db.transaction(async (tx) => {
    await tx.delete(savedReplies).where(eq(savedReplies.id, reply.id));
    await recordAudit(
      {
        actorId: actor.id,
        action: "saved_reply.deleted",
        target: { type: "saved_reply", id: reply.id },
        ip,
        details: { scope: reply.scope },
      },
      tx,
    );
  });
  return reply;
}
