import { and, count, desc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { db } from "../../db/client";
import { caseNotes, caseNoteVersions, users } from "../../db/schema";
import { recordAudit } from "./audit.server";
import { canOnCase, requireCaseAction, touchCase, type Actor } from "./case-access.server";
import { authorizeStaffCase, loadStaffCase } from "./case-workflow.server";
import { forbidden, notFound, RuleViolation } from "./errors.server";
import { withoutNul } from "./typed-text";

// Staff notes on a case. They never reach the client: every function goes through the staff-only
// gate (404 for clients and for staff who aren't on the case). Only a note's author edits it, and
// the text before each edit is kept in case_note_versions. The audit trail records that a note
// was added or edited, never what it says.

export const NOTE_MAX = 10_000;
export const NOTES_PER_PAGE = 10;

const noteBody = z
  .string({ error: "Write the note before saving it." })
  .overwrite(withoutNul)
  .trim()
  .min(1, { error: "Write the note before saving it." })
  .max(NOTE_MAX, { error: `Keep a note under ${NOTE_MAX.toLocaleString("en")} characters.` });

export const addNoteSchema = z.object({ body: noteBody });

export const notesQuery = z.object({ page: z.coerce.number().int().min(1).max(100_000).default(1).catch(1) });

function checkBody(body: string) {
  const parsed = noteBody.safeParse(body);
  if (!parsed.success) throw new RuleViolation(parsed.error.issues[0]?.message ?? "Write the note before saving it.", "body");
  return parsed.data;
}

export async function listCaseNotes(actor: Actor, caseId: string, query: { page: number; perPage?: number }) {
  const access = await loadStaffCase(actor, caseId);
  const id = access.case.id;
  const page = Math.max(1, Math.floor(query.page));
  const perPage = Math.min(100, Math.max(1, Math.floor(query.perPage ?? NOTES_PER_PAGE)));
  const [rows, [total]] = await Promise.all([
    db
      .select({
        id: caseNotes.id,
        body: caseNotes.body,
        authorId: caseNotes.authorId,
        authorName: users.name,
        createdAt: caseNotes.createdAt,
        updatedAt: caseNotes.updatedAt,
      })
      .from(caseNotes)
      .innerJoin(users, eq(users.id, caseNotes.authorId))
      .where(eq(caseNotes.caseId, id))
      .orderBy(desc(caseNotes.createdAt), desc(caseNotes.id))
      .limit(perPage)
      .offset((page - 1) * perPage),
    db.select({ n: count() }).from(caseNotes).where(eq(caseNotes.caseId, id)),
  ]);
  // Earlier versions of the notes on this page, in one query.
  const versions = rows.length
    ? await db
        .select({ id: caseNoteVersions.id, noteId: caseNoteVersions.noteId, body: caseNoteVersions.body, replacedAt: caseNoteVersions.replacedAt })
        .from(caseNoteVersions)
        .where(
          inArray(
            caseNoteVersions.noteId,
            rows.map((r) => r.id),
          ),
        )
        .orderBy(desc(caseNoteVersions.replacedAt), desc(caseNoteVersions.id))
    : [];
  return {
    total: total?.n ?? 0,
    page,
    perPage,
    canWrite: canOnCase(access, "case.writeNotes"),
    notes: rows.map((row) => ({
      ...row,
      mine: row.authorId === actor.id,
      versions: versions.filter((v) => v.noteId === row.id).map(({ id: versionId, body, replacedAt }) => ({ id: versionId, body, replacedAt })),
    })),
  };
}

export async function addCaseNote(actor: Actor, caseId: string, body: string, ip: string | null = null) {
  const access = await authorizeStaffCase(actor, caseId, "case.writeNotes");
  const text = checkBody(body);
  return db.transaction(async (tx) => {
    const [note] = await tx.insert(caseNotes).values({ caseId: access.case.id, authorId: actor.id, body: text }).returning();
    if (!note) throw new Error("insert returned nothing");
    await recordAudit(
      { actorId: actor.id, action: "note.added", target: { type: "case_note", id: note.id }, caseId: access.case.id, ip },
      tx,
    );
    await touchCase(access.case.id, tx);
    return note;
  });
}

/** Loads a note of this case for the actor: 404 if the case or the note isn't theirs to see. */
async function loadNote(actor: Actor, caseId: string, noteId: string) {
  const access = await loadStaffCase(actor, caseId);
  if (!z.uuid().safeParse(noteId).success) throw notFound();
  const [note] = await db
    .select()
    .from(caseNotes)
    .where(and(eq(caseNotes.id, noteId), eq(caseNotes.caseId, access.case.id)));
  if (!note) throw notFound();
  return { access, note };
}

/** Only the author edits a note; the text it replaces is kept as an earlier version. */
export async function editCaseNote(actor: Actor, caseId: string, noteId: string, body: string, ip: string | null = null) {
  const { access, note } = await loadNote(actor, caseId, noteId);
  requireCaseAction(access, "case.writeNotes");
  if (note.authorId !== actor.id) throw forbidden("Only the author can edit a note.");
  const text = checkBody(body);
  return db.transaction(async (tx) => {
    const [current] = await tx.select({ body: caseNotes.body }).from(caseNotes).where(eq(caseNotes.id, note.id)).for("update");
    if (!current) throw notFound();
    if (current.body === text) return false;
    const now = new Date();
    await tx.insert(caseNoteVersions).values({ noteId: note.id, body: current.body, replacedAt: now });
    await tx.update(caseNotes).set({ body: text, updatedAt: now }).where(eq(caseNotes.id, note.id));
    await recordAudit(
      { actorId: actor.id, action: "note.edited", target: { type: "case_note", id: note.id }, caseId: access.case.id, ip },
      tx,
    );
    await touchCase(access.case.id, tx, now);
    return true;
  });
}

/** A note's earlier texts, newest first. */
export async function listNoteVersions(actor: Actor, noteId: string) {
  if (!z.uuid().safeParse(noteId).success) throw notFound();
  const [note] = await db.select({ caseId: caseNotes.caseId }).from(caseNotes).where(eq(caseNotes.id, noteId));
  if (!note) throw notFound();
  await loadStaffCase(actor, note.caseId);
  return db
    .select({ id: caseNoteVersions.id, body: caseNoteVersions.body, replacedAt: caseNoteVersions.replacedAt })
    .from(caseNoteVersions)
    .where(eq(caseNoteVersions.noteId, noteId))
    .orderBy(desc(caseNoteVersions.replacedAt), desc(caseNoteVersions.id));
}
