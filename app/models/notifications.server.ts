import { and, count, desc, eq, inArray, isNull, lte, sql, type SQLWrapper } from "drizzle-orm";
import { z } from "zod";
import { db, type Database } from "../../db/client";
import { notificationEmails, notifications, users, type Role } from "../../db/schema";
import { safeRedirectPath } from "~/auth/guard.server";
import { appUrl } from "~/env.server";
import { notFound } from "./errors.server";
import { enqueueEmail } from "./outbox.server";

// In-app notifications and their emails. The in-app text says what happened and where ("New
// reply on your question"), never what anyone wrote; the email says even less (no names, no
// titles), only a link. Emails about a thread go to each person at most once an hour.
// Everyone reads and marks only their own notifications: another person's id is "not found".

export const NOTIFICATION_KINDS = [
  "new_reply",
  "new_client_post",
  "assigned",
  "urgent_flag",
  "plan_assigned",
  "check_in_submitted",
  "check_in_reviewed",
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const EMAIL_THROTTLE_MS = 60 * 60 * 1000;

type Executor = Pick<Database, "insert" | "select" | "update">;
type Actor = { id: string; role: Role };

export type NewNotification = {
  recipients: string[];
  kind: NotificationKind;
  /** Plain, content-free sentence, e.g. "Jordan Client posted a new question". */
  text: string;
  /** A path inside the app, e.g. /cases/…/threads/…; emails make it absolute. */
  link: string;
  threadId?: string | null;
  caseId?: string | null;
};

/** The one email every notification sends: who it is to and a link, nothing else. */
function notificationEmail(to: string, link: string) {
  return {
    to,
    subject: "Something new in Cairn",
    text:
      `Hello,\n\nThere is something new for you in Cairn. Sign in to see it:\n\n${link}\n\n` +
      `For everyone's privacy, Cairn's emails never say who wrote or what was written.`,
    link,
  };
}

/**
 * Records a notification for each recipient and emails those who haven't been emailed about
 * the same thread within the last hour. Deactivated people get neither. Without a threadId
 * (an urgent flag, a plan) every notification is emailed.
 */
export async function notify(executor: Executor, notification: NewNotification, now = new Date()) {
  const recipients = [...new Set(notification.recipients)];
  if (recipients.length === 0) return;
  const people = await executor
    .select({ id: users.id, email: users.email })
    .from(users)
    .where(and(inArray(users.id, recipients), isNull(users.deactivatedAt)));
  if (people.length === 0) return;

  await executor.insert(notifications).values(
    people.map((person) => ({
      userId: person.id,
      kind: notification.kind,
      text: notification.text,
      link: notification.link,
      threadId: notification.threadId ?? null,
      caseId: notification.caseId ?? null,
      createdAt: now,
    })),
  );

  let emailed = people;
  const threadId = notification.threadId;
  if (threadId) {
    // Claims the hourly email slot for everyone in one statement: a row comes back only for a
    // person never emailed about this thread, or last emailed an hour or more ago. Two
    // notifications at the same moment can't both claim it.
    const cutoff = new Date(now.getTime() - EMAIL_THROTTLE_MS);
    const claimed = await executor
      .insert(notificationEmails)
      .values(people.map((person) => ({ userId: person.id, threadId, lastSentAt: now })))
      .onConflictDoUpdate({
        target: [notificationEmails.userId, notificationEmails.threadId],
        set: { lastSentAt: now },
        setWhere: lte(notificationEmails.lastSentAt, cutoff),
      })
      .returning({ userId: notificationEmails.userId });
    const ids = new Set(claimed.map((row) => row.userId));
    emailed = people.filter((person) => ids.has(person.id));
  }

  const link = `${appUrl()}${notification.link}`;
  for (const person of emailed) await enqueueEmail(notificationEmail(person.email, link), executor);
}

// ---------------------------------------------------------------------------------------------
// The bell and the list

export const notificationListQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1).catch(1),
  perPage: z.coerce.number().int().pipe(z.union([z.literal(10), z.literal(25), z.literal(50)])).default(25).catch(25),
});
export type NotificationListQuery = z.infer<typeof notificationListQuery>;

const mine = (actor: Actor) => eq(notifications.userId, actor.id);

/** The actor's notifications, newest first, a page at a time. */
export async function listNotifications(actor: Actor, query: NotificationListQuery) {
  const [rows, [totals]] = await Promise.all([
    db
      .select({
        id: notifications.id,
        kind: notifications.kind,
        text: notifications.text,
        link: notifications.link,
        createdAt: notifications.createdAt,
        readAt: notifications.readAt,
      })
      .from(notifications)
      .where(mine(actor))
      .orderBy(desc(notifications.createdAt), desc(notifications.id))
      .limit(query.perPage)
      .offset((query.page - 1) * query.perPage),
    db
      .select({ total: count(), unread: sql<number>`count(*) filter (where ${notifications.readAt} is null)`.mapWith(Number) })
      .from(notifications)
      .where(mine(actor)),
  ]);
  return { rows, total: totals?.total ?? 0, unread: totals?.unread ?? 0 };
}

/** How many of the actor's notifications are unread: one indexed count, run on every page. */
export async function unreadCount(actor: Actor): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(notifications)
    .where(and(mine(actor), isNull(notifications.readAt)));
  return row?.n ?? 0;
}

/**
 * Marks one of the actor's notifications read (reading it twice keeps the first time) and
 * returns where it points, always a path on this site. Anyone else's id, or no such id: 404.
 */
export async function markNotificationRead(actor: Actor, notificationId: string, now = new Date()) {
  if (!z.uuid().safeParse(notificationId).success) throw notFound();
  const [row] = await db
    .update(notifications)
    .set({ readAt: sql`coalesce(${notifications.readAt}, ${now.toISOString()}::timestamptz)` })
    .where(and(eq(notifications.id, notificationId), mine(actor)))
    .returning({ id: notifications.id, link: notifications.link });
  if (!row) throw notFound();
  return { id: row.id, link: safeRedirectPath(row.link, "/notifications") };
}

/** Marks all of the actor's unread notifications read; returns how many there were. */
export async function markAllRead(actor: Actor, now = new Date()): Promise<number> {
  const rows = await db
    .update(notifications)
    .set({ readAt: now })
    .where(and(mine(actor), isNull(notifications.readAt)))
    .returning({ id: notifications.id });
  return rows.length;
}

/**
 * Opening a thread reads its notifications too, so the bell doesn't point at what was seen. The
 * statement, not yet run, so the thread pages send it with their other changes in one statement
 * (a data-modifying WITH). `threadIds` is a subquery of the thread ids read.
 */
export function threadNotificationsReadUpdate(userId: string | SQLWrapper, threadIds: SQLWrapper, now: Date | SQLWrapper) {
  return db
    .update(notifications)
    .set({ readAt: now instanceof Date ? now : sql`${now}::timestamptz` })
    .where(
      and(
        eq(notifications.userId, userId),
        inArray(notifications.threadId, threadIds),
        isNull(notifications.readAt),
      ),
    );
}
