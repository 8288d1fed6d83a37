import nodemailer from "nodemailer";
import { deliverDueEmails } from "../app/models/outbox.server";

/** Sends the outbox through SMTP every few seconds until stopped. */
export function startMailWorker({ smtpUrl, from, intervalMs = 5000 }: { smtpUrl: string; from: string; intervalMs?: number }) {
  const transport = nodemailer.createTransport(smtpUrl);
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const { sent, failed } = await deliverDueEmails((email) =>
        transport.sendMail({ from, to: email.toAddress, subject: email.subject, text: email.textBody }).then(() => {}),
      );
      if (sent || failed) console.log(`mail: ${sent} sent, ${failed} failed (will retry)`);
    } catch (error) {
      console.error("mail: delivery run failed", error);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(tick, intervalMs);
  void tick();
  return () => {
    clearInterval(timer);
    transport.close();
  };
}
