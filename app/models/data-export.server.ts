import { and, asc, eq } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { db } from "../../db/client";
import {
  auditEvents,
  caseMembers,
  caseNotes,
  caseNoteVersions,
  cases,
  checkIns,
  notifications,
  planSteps,
  plans,
  posts,
  postVersions,
  sessions,
  threads,
  users,
  userTotp,
} from "../../db/schema";
import { can, ROLE_LABELS } from "~/auth/permissions";
import { auditActionLabel } from "./audit-log.server";
import { recordAudit, type AuditEntry } from "./audit.server";
import { loadCaseAccess, type Actor } from "./case-access.server";
import { describeCaseEvent } from "./case-workflow.server";
import { notFound } from "./errors.server";

// Data leaving Cairn in one piece, as JSON or as a printable page, each export audited
// (`data.exported`, details.scope):
// - a person's own data ("self"): their profile, sign-in sessions and notifications and, for a
//   client, their cases as the portal shows them — plans and steps with their reflections,
//   check-ins with feedback, questions with the shared posts only. Nothing staff-only: no staff
//   notes, internal posts, risk flags or screening results, team assignments.
// - a whole case ("case", admins only): everything on it, staff notes with their earlier
//   versions and internal posts included, the timeline and who viewed the case.

export type ExportFormat = "html" | "json";

const reviewer = alias(users, "reviewer");
const author = alias(users, "author");
const assignee = alias(users, "assignee");
const addedBy = alias(users, "added_by");
const assigner = alias(users, "assigner");
const actorUser = alias(users, "actor_user");

function roleLabel(role: keyof typeof ROLE_LABELS | null) {
  return role ? ROLE_LABELS[role] : null;
}

/** Groups rows by a key, keeping their order. */
function groupBy<T, K>(rows: T[], key: (row: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const row of rows) {
    const list = groups.get(key(row));
    if (list) list.push(row);
    else groups.set(key(row), [row]);
  }
  return groups;
}

// ---------------------------------------------------------------------------------------------
// A person's own data

/** Everything Cairn holds about the actor, as they may see it. */
export async function exportOwnData(actor: Actor, format: ExportFormat, ip: string | null) {
  const mine = eq(cases.clientId, actor.id);
  const [[profile], totp, sessionRows, caseRows, planRows, stepRows, checkInRows, threadRows, postRows, versionRows, notificationRows] =
    await Promise.all([
      db
        .select({ id: users.id, name: users.name, email: users.email, role: users.role, createdAt: users.createdAt, deactivatedAt: users.deactivatedAt })
        .from(users)
        .where(eq(users.id, actor.id)),
      db.select({ createdAt: userTotp.createdAt }).from(userTotp).where(eq(userTotp.userId, actor.id)),
      db
        .select({
          createdAt: sessions.createdAt,
          lastSeenAt: sessions.lastSeenAt,
          expiresAt: sessions.expiresAt,
          userAgent: sessions.userAgent,
          ip: sessions.ip,
        })
        .from(sessions)
        .where(eq(sessions.userId, actor.id))
        .orderBy(asc(sessions.createdAt)),
      db
        .select({ id: cases.id, title: cases.title, status: cases.status, openedAt: cases.openedAt, closedAt: cases.closedAt })
        .from(cases)
        .where(mine)
        .orderBy(asc(cases.openedAt), asc(cases.id)),
      db
        .select({
          id: plans.id,
          caseId: plans.caseId,
          title: plans.title,
          summary: plans.summary,
          sequential: plans.sequential,
          startDate: plans.startDate,
          assignedAt: plans.assignedAt,
          archivedAt: plans.archivedAt,
        })
        .from(plans)
        .innerJoin(cases, eq(cases.id, plans.caseId))
        .where(mine)
        .orderBy(asc(plans.assignedAt), asc(plans.id)),
      db
        .select({
          id: planSteps.id,
          planId: planSteps.planId,
          position: planSteps.position,
          title: planSteps.title,
          guidance: planSteps.guidance,
          resourceUrl: planSteps.resourceUrl,
          dueDate: planSteps.dueDate,
          status: planSteps.status,
          startedAt: planSteps.startedAt,
          completedAt: planSteps.completedAt,
          reflection: planSteps.reflection,
        })
        .from(planSteps)
        .innerJoin(plans, eq(plans.id, planSteps.planId))
        .innerJoin(cases, eq(cases.id, plans.caseId))
        .where(mine)
        .orderBy(asc(planSteps.planId), asc(planSteps.position), asc(planSteps.id)),
      db
        .select({
          id: checkIns.id,
          caseId: checkIns.caseId,
          submittedAt: checkIns.submittedAt,
          mood: checkIns.mood,
          progress: checkIns.progress,
          closeness: checkIns.closeness,
          whatHappened: checkIns.whatHappened,
          whatWasHard: checkIns.whatWasHard,
          stepIds: checkIns.stepIds,
          reviewedAt: checkIns.reviewedAt,
          reviewerName: reviewer.name,
          feedback: checkIns.feedback,
        })
        .from(checkIns)
        .innerJoin(cases, eq(cases.id, checkIns.caseId))
        .leftJoin(reviewer, eq(reviewer.id, checkIns.reviewedBy))
        .where(mine)
        .orderBy(asc(checkIns.submittedAt), asc(checkIns.id)),
      db
        .select({
          id: threads.id,
          caseId: threads.caseId,
          title: threads.title,
          status: threads.status,
          createdAt: threads.createdAt,
          closedAt: threads.closedAt,
        })
        .from(threads)
        .innerJoin(cases, eq(cases.id, threads.caseId))
        .where(mine)
        .orderBy(asc(threads.createdAt), asc(threads.id)),
      // Shared posts only: internal notes are staff's and never the client's to see.
      db
        .select({
          id: posts.id,
          threadId: posts.threadId,
          parentId: posts.parentId,
          authorName: author.name,
          authorRole: author.role,
          mine: eq(posts.authorId, actor.id),
          body: posts.body,
          createdAt: posts.createdAt,
          editedAt: posts.editedAt,
        })
        .from(posts)
        .innerJoin(threads, eq(threads.id, posts.threadId))
        .innerJoin(cases, eq(cases.id, threads.caseId))
        .innerJoin(author, eq(author.id, posts.authorId))
        .where(and(mine, eq(posts.visibility, "shared")))
        .orderBy(asc(posts.createdAt), asc(posts.id)),
      // Earlier versions of the person's own posts, as the thread page shows them.
      db
        .select({ postId: postVersions.postId, body: postVersions.body, replacedAt: postVersions.replacedAt })
        .from(postVersions)
        .innerJoin(posts, eq(posts.id, postVersions.postId))
        .where(and(eq(posts.authorId, actor.id), eq(posts.visibility, "shared")))
        .orderBy(asc(postVersions.replacedAt), asc(postVersions.id)),
      db
        .select({ kind: notifications.kind, text: notifications.text, link: notifications.link, createdAt: notifications.createdAt, readAt: notifications.readAt })
        .from(notifications)
        .where(eq(notifications.userId, actor.id))
        .orderBy(asc(notifications.createdAt), asc(notifications.id)),
    ]);
  if (!profile) throw notFound();

  const stepsByPlan = groupBy(stepRows, (s) => s.planId);
  const stepTitles = new Map(stepRows.map((s) => [s.id, s.title]));
  const plansByCase = groupBy(planRows, (p) => p.caseId);
  const checkInsByCase = groupBy(checkInRows, (c) => c.caseId);
  const threadsByCase = groupBy(threadRows, (t) => t.caseId);
  const postsByThread = groupBy(postRows, (p) => p.threadId);
  const versionsByPost = groupBy(versionRows, (v) => v.postId);
  const sharedIds = new Set(postRows.map((p) => p.id));

  const data = {
    format: "cairn.personal-data" as const,
    version: 1,
    exportedAt: new Date(),
    profile: {
      id: profile.id,
      name: profile.name,
      email: profile.email,
      role: ROLE_LABELS[profile.role],
      createdAt: profile.createdAt,
      deactivatedAt: profile.deactivatedAt,
      twoFactorSince: totp[0]?.createdAt ?? null,
    },
    sessions: sessionRows,
    cases: caseRows.map((c) => ({
      ...c,
      plans: (plansByCase.get(c.id) ?? []).map(({ caseId: _case, ...plan }) => ({
        ...plan,
        steps: (stepsByPlan.get(plan.id) ?? []).map(({ planId: _plan, ...step }) => step),
      })),
      checkIns: (checkInsByCase.get(c.id) ?? []).map(({ caseId: _case, stepIds, feedback, reviewerName, ...checkIn }) => ({
        ...checkIn,
        stepsWorkedOn: stepIds.map((id) => stepTitles.get(id)).filter((t): t is string => Boolean(t)),
        reviewerName: checkIn.reviewedAt ? reviewerName : null,
        feedback: checkIn.reviewedAt ? feedback : null,
      })),
      questions: (threadsByCase.get(c.id) ?? []).map(({ caseId: _case, ...thread }) => ({
        ...thread,
        posts: (postsByThread.get(thread.id) ?? []).map(({ threadId: _thread, authorRole, mine: own, ...post }) => ({
          ...post,
          parentId: post.parentId && sharedIds.has(post.parentId) ? post.parentId : null,
          authorRole: roleLabel(authorRole),
          earlierVersions: own ? (versionsByPost.get(post.id) ?? []).map(({ postId: _post, ...v }) => v) : [],
        })),
      })),
    })),
    notifications: notificationRows,
  };

  await recordAudit({
    actorId: actor.id,
    action: "data.exported",
    target: { type: "user", id: actor.id },
    ip,
    details: { scope: "self", format },
  });
  return data;
}

export type OwnDataExport = Awaited<ReturnType<typeof exportOwnData>>;

// ---------------------------------------------------------------------------------------------
// A whole case, for the admin

/** Everything on the case. Admins only: anyone else gets 404, as for a page outside their role. */
export async function exportCaseData(actor: Actor, caseId: string, format: ExportFormat, ip: string | null) {
  if (!can(actor, "cases.export")) throw notFound();
  const access = await loadCaseAccess(actor, caseId);
  const c = access.case;

  const [
    [client],
    [openedBy],
    memberRows,
    planRows,
    stepRows,
    checkInRows,
    threadRows,
    postRows,
    postVersionRows,
    noteRows,
    noteVersionRows,
    eventRows,
  ] = await Promise.all([
    db.select({ id: users.id, name: users.name, email: users.email, deactivatedAt: users.deactivatedAt }).from(users).where(eq(users.id, c.clientId)),
    c.createdBy ? db.select({ name: users.name }).from(users).where(eq(users.id, c.createdBy)) : Promise.resolve([]),
    db
      .select({
        userId: caseMembers.userId,
        name: users.name,
        role: users.role,
        caseRole: caseMembers.role,
        addedAt: caseMembers.addedAt,
        addedByName: addedBy.name,
      })
      .from(caseMembers)
      .innerJoin(users, eq(users.id, caseMembers.userId))
      .leftJoin(addedBy, eq(addedBy.id, caseMembers.addedBy))
      .where(eq(caseMembers.caseId, c.id))
      .orderBy(asc(caseMembers.addedAt), asc(users.name)),
    db
      .select({ plan: plans, assignedByName: assigner.name })
      .from(plans)
      .leftJoin(assigner, eq(assigner.id, plans.assignedBy))
      .where(eq(plans.caseId, c.id))
      .orderBy(asc(plans.assignedAt), asc(plans.id)),
    db
      .select({ step: planSteps })
      .from(planSteps)
      .innerJoin(plans, eq(plans.id, planSteps.planId))
      .where(eq(plans.caseId, c.id))
      .orderBy(asc(planSteps.planId), asc(planSteps.position), asc(planSteps.id)),
    db
      .select({ checkIn: checkIns, authorName: author.name, reviewerName: reviewer.name })
      .from(checkIns)
      .innerJoin(author, eq(author.id, checkIns.authorId))
      .leftJoin(reviewer, eq(reviewer.id, checkIns.reviewedBy))
      .where(eq(checkIns.caseId, c.id))
      .orderBy(asc(checkIns.submittedAt), asc(checkIns.id)),
    db
      .select({ thread: threads, assigneeName: assignee.name, authorName: author.name })
      .from(threads)
      .innerJoin(author, eq(author.id, threads.createdBy))
      .leftJoin(assignee, eq(assignee.id, threads.assigneeId))
      .where(eq(threads.caseId, c.id))
      .orderBy(asc(threads.createdAt), asc(threads.id)),
    db
      .select({
        id: posts.id,
        threadId: posts.threadId,
        parentId: posts.parentId,
        authorName: author.name,
        authorRole: author.role,
        visibility: posts.visibility,
        body: posts.body,
        createdAt: posts.createdAt,
        editedAt: posts.editedAt,
      })
      .from(posts)
      .innerJoin(threads, eq(threads.id, posts.threadId))
      .innerJoin(author, eq(author.id, posts.authorId))
      .where(eq(threads.caseId, c.id))
      .orderBy(asc(posts.createdAt), asc(posts.id)),
    db
      .select({ postId: postVersions.postId, body: postVersions.body, replacedAt: postVersions.replacedAt })
      .from(postVersions)
      .innerJoin(posts, eq(posts.id, postVersions.postId))
      .innerJoin(threads, eq(threads.id, posts.threadId))
      .where(eq(threads.caseId, c.id))
      .orderBy(asc(postVersions.replacedAt), asc(postVersions.id)),
    db
      .select({ id: caseNotes.id, authorName: author.name, body: caseNotes.body, createdAt: caseNotes.createdAt, updatedAt: caseNotes.updatedAt })
      .from(caseNotes)
      .innerJoin(author, eq(author.id, caseNotes.authorId))
      .where(eq(caseNotes.caseId, c.id))
      .orderBy(asc(caseNotes.createdAt), asc(caseNotes.id)),
    db
      .select({ noteId: caseNoteVersions.noteId, body: caseNoteVersions.body, replacedAt: caseNoteVersions.replacedAt })
      .from(caseNoteVersions)
      .innerJoin(caseNotes, eq(caseNotes.id, caseNoteVersions.noteId))
      .where(eq(caseNotes.caseId, c.id))
      .orderBy(asc(caseNoteVersions.replacedAt), asc(caseNoteVersions.id)),
    db
      .select({
        id: auditEvents.id,
        at: auditEvents.createdAt,
        action: auditEvents.action,
        actorId: auditEvents.actorId,
        actorName: actorUser.name,
        actorRole: actorUser.role,
        targetType: auditEvents.targetType,
        targetId: auditEvents.targetId,
        ip: auditEvents.ip,
        details: auditEvents.details,
      })
      .from(auditEvents)
      .leftJoin(actorUser, eq(actorUser.id, auditEvents.actorId))
      .where(eq(auditEvents.caseId, c.id))
      .orderBy(asc(auditEvents.createdAt), asc(auditEvents.id)),
  ]);

  const stepsByPlan = groupBy(
    stepRows.map((r) => r.step),
    (s) => s.planId,
  );
  const stepTitles = new Map(stepRows.map((r) => [r.step.id, r.step.title]));
  const postsByThread = groupBy(postRows, (p) => p.threadId);
  const postVersionsByPost = groupBy(postVersionRows, (v) => v.postId);
  const noteVersionsByNote = groupBy(noteVersionRows, (v) => v.noteId);
  const views = eventRows.filter((e) => e.action === "case.viewed");
  const changes = eventRows.filter((e) => e.action !== "case.viewed");

  const data = {
    format: "cairn.case" as const,
    version: 1,
    exportedAt: new Date(),
    case: {
      id: c.id,
      title: c.title,
      concernCategory: c.concernCategory,
      concern: c.concern,
      status: c.status,
      risk: c.risk,
      checkInEveryDays: c.checkInEveryDays,
      openedAt: c.openedAt,
      openedBy: openedBy?.name ?? null,
      closedAt: c.closedAt,
      closingNote: c.closingNote,
      lastActivityAt: c.lastActivityAt,
    },
    client: client ?? null,
    members: memberRows.map((m) => ({ ...m, role: ROLE_LABELS[m.role] })),
    plans: planRows.map(({ plan, assignedByName }) => ({
      id: plan.id,
      title: plan.title,
      summary: plan.summary,
      templateId: plan.templateId,
      sequential: plan.sequential,
      startDate: plan.startDate,
      assignedAt: plan.assignedAt,
      assignedBy: assignedByName ?? null,
      archivedAt: plan.archivedAt,
      version: plan.version,
      steps: (stepsByPlan.get(plan.id) ?? []).map((s) => ({
        id: s.id,
        position: s.position,
        title: s.title,
        guidance: s.guidance,
        resourceUrl: s.resourceUrl,
        suggestedDays: s.suggestedDays,
        dueDate: s.dueDate,
        status: s.status,
        startedAt: s.startedAt,
        completedAt: s.completedAt,
        reflection: s.reflection,
        updatedAt: s.updatedAt,
      })),
    })),
    checkIns: checkInRows.map(({ checkIn, authorName, reviewerName }) => ({
      id: checkIn.id,
      authorName,
      submittedAt: checkIn.submittedAt,
      mood: checkIn.mood,
      progress: checkIn.progress,
      closeness: checkIn.closeness,
      whatHappened: checkIn.whatHappened,
      whatWasHard: checkIn.whatWasHard,
      stepsWorkedOn: checkIn.stepIds.map((id) => stepTitles.get(id) ?? id),
      riskReasons: checkIn.riskReasons,
      reviewedAt: checkIn.reviewedAt,
      reviewerName: reviewerName ?? null,
      feedback: checkIn.feedback,
    })),
    questions: threadRows.map(({ thread: t, assigneeName, authorName }) => ({
      id: t.id,
      title: t.title,
      status: t.status,
      priority: t.priority,
      startedBy: authorName,
      assignee: assigneeName ?? null,
      riskReasons: t.riskReasons,
      flaggedAt: t.flaggedAt,
      flagClearedAt: t.flagClearedAt,
      createdAt: t.createdAt,
      firstResponseAt: t.firstResponseAt,
      lastActivityAt: t.lastActivityAt,
      closedAt: t.closedAt,
      posts: (postsByThread.get(t.id) ?? []).map(({ threadId: _thread, authorRole, ...post }) => ({
        ...post,
        authorRole: roleLabel(authorRole),
        earlierVersions: (postVersionsByPost.get(post.id) ?? []).map(({ postId: _post, ...v }) => v),
      })),
    })),
    notes: noteRows.map((note) => ({
      ...note,
      earlierVersions: (noteVersionsByNote.get(note.id) ?? []).map(({ noteId: _note, ...v }) => v),
    })),
    timeline: changes.map((e) => ({
      at: e.at,
      action: e.action,
      actionLabel: auditActionLabel(e.action),
      actorName: e.actorId ? (e.actorName ?? "Unknown") : "Cairn",
      sentence: describeCaseEvent(e.action, e.details, e.actorId ? (e.actorName ?? "Unknown") : "Cairn"),
      target: e.targetType ? { type: e.targetType, id: e.targetId } : null,
      details: e.details,
    })),
    views: views.map((e) => ({
      at: e.at,
      actorName: e.actorName ?? "Unknown",
      actorRole: roleLabel(e.actorRole),
      page: typeof e.details?.page === "string" ? e.details.page : null,
      ip: e.ip,
    })),
  };

  const target = { type: "case", id: c.id };
  const entries: AuditEntry[] = [
    { actorId: actor.id, action: "data.exported", target, caseId: c.id, ip, details: { scope: "case", format } },
    { actorId: actor.id, action: "case.viewed", target, caseId: c.id, ip, details: { page: "export" } },
  ];
  await recordAudit(entries);
  return data;
}

export type CaseDataExport = Awaited<ReturnType<typeof exportCaseData>>;

/** The file name of a JSON download, e.g. cairn-my-data-2025-03-31.json. */
export function exportFileName(kind: "my-data" | "case", now = new Date(), id?: string) {
  const day = now.toISOString().slice(0, 10);
  return kind === "case" ? `cairn-case-${id?.slice(0, 8) ?? "export"}-${day}.json` : `cairn-my-data-${day}.json`;
}

/** An export as a JSON file to save (never cached: it is someone's private record). */
export function jsonDownload(data: unknown, fileName: string) {
  return new Response(JSON.stringify(data, null, 2), {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="${fileName}"`,
      "Cache-Control": "no-store",
    },
  });
}
