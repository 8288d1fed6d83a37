import { and, eq, gt, inArray, isNull } from "drizzle-orm";
import type { Database } from "../../db/client";
import { notificationEmails, notifications, users } from "../../db/schema";
import { appUrl } from "~/env.server";
import { enqueueEmail } from "./outbox.server";

// In-app notifications and their emails. The in-app text says what happened and where ("New
// reply on your question"), never what anyone wrote; the email says even less (no names, no
// titles), only a link. Emails about a thread go to each person at most once an hour.

export const NOTIFICATION_KINDS = ["new_reply", "new_client_post", "assigned", "urgent_flag", "plan_assigned"] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const EMAIL_THROTTLE_MS = 60 * 60 * 1000;

type Executor = Pick<Database, "insert" | "select" | "update">;

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

/**
 * Records a notification for each recipient and emails those who haven't been emailed about
 * the same thread within the last hour. Deactivated people get neither.
 */
export async function notify(executor: Executor, notification: NewNotification, now = new Date()) {
  const recipients = [...new Set(notification.recipients)];
  if (recipients.length === 0) return;
  const people = await executor
    .select({ id: users.id, email: users.email, name: users.name })
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

  const threadId = notification.threadId;
  for (const person of people) {
    if (threadId) {
      const [recent] = await executor
        .select({ at: notificationEmails.lastSentAt })
        .from(notificationEmails)
        .where(
          and(
            eq(notificationEmails.userId, person.id),
            eq(notificationEmails.threadId, threadId),
            gt(notificationEmails.lastSentAt, new Date(now.getTime() - EMAIL_THROTTLE_MS)),
          ),
        );
      if (recent) continue;
      await executor
        .insert(notificationEmails)
        .values({ userId: person.id, threadId, lastSentAt: now })
        .onConflictDoUpdate({ target: [notificationEmails.userId, notificationEmails.threadId], set: { lastSentAt: now } });
    }
    const link = `${appUrl()}${notification.link}`;
    await enqueueEmail(
      {
        to: person.email,
        subject: "Something new in Cairn",
        text:
          `Hello ${person.name},\n\nThere is something new for you in Cairn. Sign in to see it:\n\n${link}\n\n` +
          `For everyone's privacy, Cairn's emails never say who wrote or what was written.`,
        link,
      },
      executor,
    );
  }
}
