// The dates and times pages show, in UTC and English: "5 Jan 2026", "5 Jan 2026, 03:04",
// "5 January 2026 at 03:04", "3 days ago". One function per form, used by server and browser
// code alike.
//
// Built from the date's UTC fields rather than with Intl: the text is then the same in Node and
// in every browser (their ICU data differ, and a difference breaks hydration), and a page with a
// few hundred dates doesn't spend a millisecond formatting them. The forms are those en-GB gives
// in Node (its ICU abbreviates September as "Sept"); tests/unit/dates.test.ts checks every
// function against Intl so a drift shows.

/** A Date, epoch milliseconds, or an ISO string; a date-only "YYYY-MM-DD" reads as UTC midnight. */
export type DateInput = Date | string | number;

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const MONTHS_SHORT = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept", "Oct", "Nov", "Dec"];
const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

function toDate(value: DateInput): Date {
  const date = value instanceof Date ? value : new Date(value);
  // As Intl does: an invalid date is a bug to surface, not "NaN" to print.
  if (Number.isNaN(date.getTime())) throw new RangeError(`Invalid date: ${String(value)}`);
  return date;
}

const pad = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const hoursMinutes = (d: Date) => `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;

/** "5 Sept 2026" */
export function formatDate(value: DateInput) {
  const d = toDate(value);
  return `${d.getUTCDate()} ${MONTHS_SHORT[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/** "5 Sept 2026, 03:04" */
export function formatDateTime(value: DateInput) {
  const d = toDate(value);
  return `${formatDate(d)}, ${hoursMinutes(d)}`;
}

/** "5 Sept 2026, 03:04:05" */
export function formatDateTimeSeconds(value: DateInput) {
  const d = toDate(value);
  return `${formatDate(d)}, ${hoursMinutes(d)}:${pad(d.getUTCSeconds())}`;
}

/** "5 September 2026" */
export function formatLongDate(value: DateInput) {
  const d = toDate(value);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/** "5 September 2026 at 03:04" */
export function formatLongDateTime(value: DateInput) {
  const d = toDate(value);
  return `${formatLongDate(d)} at ${hoursMinutes(d)}`;
}

/** "Saturday, 5 September 2026" */
export function formatWeekdayDate(value: DateInput) {
  const d = toDate(value);
  return `${WEEKDAYS[d.getUTCDay()]}, ${formatLongDate(d)}`;
}

/** "5 Sept", for chart axes and week labels. */
export function formatDayMonth(value: DateInput) {
  const d = toDate(value);
  return `${d.getUTCDate()} ${MONTHS_SHORT[d.getUTCMonth()]}`;
}

/** "5 September" */
export function formatLongDayMonth(value: DateInput) {
  const d = toDate(value);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
}

/**
 * "just now", "5 minutes ago", "1 hour ago", "yesterday", "3 days ago"; four weeks or older: the
 * date ("5 Sept 2026"). `now` comes from the server so the text reads the same after hydration.
 */
export function relativeTime(at: DateInput, now: DateInput) {
  const seconds = Math.round((toDate(now).getTime() - toDate(at).getTime()) / 1000);
  if (seconds < 45) return "just now";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return minutes === 1 ? "1 minute ago" : `${minutes} minutes ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return hours === 1 ? "1 hour ago" : `${hours} hours ago`;
  const days = Math.round(hours / 24);
  if (days < 28) return days === 1 ? "yesterday" : `${days} days ago`;
  return formatDate(at);
}
