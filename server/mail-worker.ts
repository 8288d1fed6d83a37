import nodemailer from "nodemailer";
import { deliverDueEmails } from "../app/models/outbox.server";
import { isDatabaseUnavailable } from "../db/unavailable";

/** Sends the outbox through SMTP every few seconds until stopped; stopping waits for a run in progress. */
export function startMailWorker({ smtpUrl, from, intervalMs = 5000 }: { smtpUrl: string; from: string; intervalMs?: number }) {
  const transport = nodemailer.createTransport(smtpUrl);
  let running: Promise<void> | null = null;
  const deliver = async () => {
    try {
      const { sent, failed } = await deliverDueEmails((email) =>
        transport.sendMail({ from, to: email.toAddress, subject: email.subject, text: email.textBody }).then(() => {}),
      );
      if (sent || failed) console.log(`mail: ${sent} sent, ${failed} failed (will retry)`);
    } catch (error) {
      // While the database is away, one line per run rather than a stack trace every few seconds.
      console.error("mail: delivery run failed:", isDatabaseUnavailable(error) ? "the database is unavailable" : error);
    }
  };
  const tick = () => {
    running ??= deliver().finally(() => {
      running = null;
    });
  };
  const timer = setInterval(tick, intervalMs);
  tick();
  return async () => {
    clearInterval(timer);
    await running;
    transport.close();
  };
}
