import { z } from "zod";

// A form that creates something (a reply, a question, a check-in) carries a random key made when
// its page was drawn. The row is stored with the key, unique per author (posts.submission_key,
// check_ins.submission_key), so the same form sent twice — a double click, a browser retrying,
// the back button and "send" again — finds the row the first one stored instead of adding another.
// The page's next load brings a fresh key, so the next message is a new one.

/** A fresh key for a page's forms. Loaders make it, so it is in the HTML before any script runs. */
export function newSubmissionKey(): string {
  return crypto.randomUUID();
}

/**
 * The key as a form sends it. Missing or empty means "no key": the row is stored without
 * protection against a second submission (pages drawn before keys existed, scripts, the seed).
 * Anything else must be a UUID.
 */
export const submissionKeyField = z
  .string()
  .nullish()
  .transform((v) => (v ?? "").trim() || undefined)
  .pipe(z.uuid({ error: "This form is out of date. Reload the page and send it again." }).optional());

/** The message when a key comes back with different content: that is not a repeat, so nothing is stored. */
export const KEY_REUSED_MESSAGE =
  "This form was already sent once, with different content, so this wasn't saved. What you wrote is below: send it again to save it.";

/**
 * Thrown inside a transaction when the insert found a row with the same author and key (another
 * submission of the same form got there first): it rolls the transaction back, and the caller
 * answers with the row already stored.
 */
export class RepeatedSubmission extends Error {
  constructor() {
    super("This form was already sent.");
    this.name = "RepeatedSubmission";
  }
}
