import { and, asc, count, desc, eq, inArray, lte, sql } from "drizzle-orm";
import { db, type Database } from "../../db/client";
import { emailOutbox, type OutboxEmail } from "../../db/schema";

// Every email goes through this table first. A worker delivers pending rows when SMTP_URL is
// set; without it the rows stay here, and demo mode shows them at /dev/outbox.

export type NewEmail = { to: string; subject: string; text: string; link?: string };
type Executor = Pick<Database, "insert">;

export async function enqueueEmail(email: NewEmail, executor: Executor = db) {
  await executor.insert(emailOutbox).values({
    toAddress: email.to,
    subject: email.subject,
    textBody: email.text,
    link: email.link ?? null,
  });
}

export const MAX_SEND_ATTEMPTS = 8;

/** Wait before the next try after `attempts` failures: 30 s, 1 min, 2 min … capped at 1 hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 60 * 60 * 1000);
}

export type SendEmail = (email: OutboxEmail) => Promise<void>;

/** How long a worker may hold claimed rows before another worker may try them again. */
export const CLAIM_LEASE_MS = 5 * 60 * 1000;

/**
 * Delivers the emails that are due. Rows are claimed in a short transaction (SKIP LOCKED, then
 * pushed out of the due window by a lease) so several app instances can run the worker without
 * sending anything twice, and no transaction stays open while a slow mail server answers.
 * A failure is recorded on the row and retried later; after MAX_SEND_ATTEMPTS the row is
 * marked failed and kept.
 */
export async function deliverDueEmails(send: SendEmail, now = new Date(), batchSize = 20) {
  const claimed = await db.transaction(async (tx) => {
    const due = await tx
      .select()
      .from(emailOutbox)
      .where(and(eq(emailOutbox.status, "pending"), lte(emailOutbox.nextAttemptAt, now)))
      .orderBy(asc(emailOutbox.nextAttemptAt))
      .limit(batchSize)
      .for("update", { skipLocked: true });
    if (due.length) {
      await tx
        .update(emailOutbox)
        .set({ nextAttemptAt: new Date(now.getTime() + CLAIM_LEASE_MS) })
        .where(inArray(emailOutbox.id, due.map((e) => e.id)));
    }
    return due;
  });

  let sent = 0;
  let failed = 0;
  for (const email of claimed) {
    const attempts = email.attempts + 1;
    try {
      await send(email);
      sent++;
      await db
        .update(emailOutbox)
        .set({ status: "sent", attempts, sentAt: now, lastError: null })
        .where(eq(emailOutbox.id, email.id));
    } catch (error) {
      failed++;
      const giveUp = attempts >= MAX_SEND_ATTEMPTS;
      await db
        .update(emailOutbox)
        .set({
          status: giveUp ? "failed" : "pending",
          attempts,
          lastError: error instanceof Error ? error.message : String(error),
          nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempts)),
        })
        .where(eq(emailOutbox.id, email.id));
    }
  }
  return { sent, failed };
}

export async function listOutbox({ page, perPage }: { page: number; perPage: number }) {
  const [rows, [total]] = await Promise.all([
    db
      .select()
      .from(emailOutbox)
      .orderBy(desc(emailOutbox.createdAt), desc(emailOutbox.id))
      .limit(perPage)
      .offset((page - 1) * perPage),
    db.select({ n: count() }).from(emailOutbox),
  ]);
  return { rows, total: total?.n ?? 0 };
}

/** The newest email to an address (tests and the demo outbox use it to follow links). */
export async function latestEmailTo(address: string) {
  const [row] = await db
    .select()
    .from(emailOutbox)
    .where(sql`lower(${emailOutbox.toAddress}) = lower(${address})`)
    .orderBy(desc(emailOutbox.createdAt))
    .limit(1);
  return row;
}
