import { describe, expect, it } from "vitest";
import {
  formatDate,
  formatDateTime,
  formatDateTimeSeconds,
  formatDayMonth,
  formatLongDate,
  formatLongDateTime,
  formatLongDayMonth,
  formatWeekdayDate,
  relativeTime,
} from "~/dates";

// app/dates.ts builds its text by hand so Node and browsers agree; here each form is held to what
// Node's Intl (en-GB, UTC) prints, so a slip in the hand-built version — or a change in the text
// the pages have always shown — fails.

const intl = (options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat("en-GB", { ...options, timeZone: "UTC" });

const FORMS: [string, (value: Date) => string, Intl.DateTimeFormat][] = [
  ["formatDate", formatDate, intl({ dateStyle: "medium" })],
  ["formatDate (day month year)", formatDate, intl({ day: "numeric", month: "short", year: "numeric" })],
  ["formatDateTime", formatDateTime, intl({ dateStyle: "medium", timeStyle: "short" })],
  ["formatDateTimeSeconds", formatDateTimeSeconds, intl({ dateStyle: "medium", timeStyle: "medium" })],
  ["formatLongDate", formatLongDate, intl({ day: "numeric", month: "long", year: "numeric" })],
  ["formatLongDateTime", formatLongDateTime, intl({ dateStyle: "long", timeStyle: "short" })],
  ["formatWeekdayDate", formatWeekdayDate, intl({ weekday: "long", day: "numeric", month: "long", year: "numeric" })],
  ["formatDayMonth", formatDayMonth, intl({ day: "numeric", month: "short" })],
  ["formatLongDayMonth", formatLongDayMonth, intl({ day: "numeric", month: "long" })],
];

const utc = (...parts: [number, number, number, number?, number?, number?]) =>
  new Date(Date.UTC(parts[0], parts[1], parts[2], parts[3] ?? 0, parts[4] ?? 0, parts[5] ?? 0));

const SAMPLES: Date[] = [
  // Every month, on a single-digit and a double-digit day, at single- and double-digit hours.
  ...Array.from({ length: 12 }, (_, month) => [utc(2026, month, 1, 0, 0, 0), utc(2026, month, 9, 9, 5, 7), utc(2026, month, 28, 23, 59, 59)]).flat(),
  utc(2025, 11, 31, 23, 59, 59), // year end
  utc(2026, 0, 1, 0, 0, 0), // midnight on new year's day
  utc(2024, 1, 29, 12, 30, 0), // leap day
  utc(2000, 1, 29, 10, 10, 10),
  utc(1999, 11, 31, 23, 0, 0),
  utc(2099, 6, 4, 13, 45, 1),
  new Date(Date.UTC(2026, 2, 12, 8, 3, 4, 999)), // milliseconds don't round up
  // Every weekday, and a deterministic sweep across several years.
  ...Array.from({ length: 7 }, (_, i) => utc(2026, 0, 5 + i, 17, 0, 0)),
  ...Array.from({ length: 400 }, (_, i) => new Date(Date.UTC(2020, 0, 1) + i * 7_919_999_337)),
];

describe.each(FORMS)("%s matches Intl en-GB", (_name, format, reference) => {
  it("for every sample date", () => {
    for (const date of SAMPLES) expect(format(date), date.toISOString()).toBe(reference.format(date));
  });
});

describe("the forms the pages show", () => {
  const at = "2026-09-05T03:04:05Z";
  it.each([
    [formatDate, "5 Sept 2026"],
    [formatDateTime, "5 Sept 2026, 03:04"],
    [formatDateTimeSeconds, "5 Sept 2026, 03:04:05"],
    [formatLongDate, "5 September 2026"],
    [formatLongDateTime, "5 September 2026 at 03:04"],
    [formatWeekdayDate, "Saturday, 5 September 2026"],
    [formatDayMonth, "5 Sept"],
    [formatLongDayMonth, "5 September"],
  ])("%o gives %s", (format, expected) => {
    expect(format(at)).toBe(expected);
  });

  it("reads a Date, epoch milliseconds and ISO text alike, and a bare day as UTC midnight", () => {
    const date = new Date("2026-01-05T00:00:00Z");
    expect(formatDateTime(date)).toBe("5 Jan 2026, 00:00");
    expect(formatDateTime(date.getTime())).toBe("5 Jan 2026, 00:00");
    expect(formatDateTime("2026-01-05")).toBe("5 Jan 2026, 00:00");
    expect(formatDate("2026-12-31")).toBe("31 Dec 2026");
  });

  it("refuses an invalid date, as Intl does", () => {
    expect(() => formatDate("not a date")).toThrow(RangeError);
    expect(() => relativeTime("2026-01-01T00:00:00Z", "nonsense")).toThrow(RangeError);
  });
});

describe("relativeTime", () => {
  const now = new Date("2026-03-12T12:00:00.000Z");
  const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString();

  // The same thresholds spelled with Intl, as the app had them before app/dates.ts.
  const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
  const day = intl({ day: "numeric", month: "short", year: "numeric" });
  function reference(seconds: number, at: string) {
    if (seconds < 45) return "just now";
    const minutes = Math.round(seconds / 60);
    if (minutes < 60) return rtf.format(-minutes, "minute");
    const hours = Math.round(minutes / 60);
    if (hours < 24) return rtf.format(-hours, "hour");
    const days = Math.round(hours / 24);
    if (days < 28) return rtf.format(-days, "day");
    return day.format(new Date(at));
  }

  it.each([
    [-30, "just now"], // a clock a little ahead
    [0, "just now"],
    [44, "just now"],
    [45, "1 minute ago"],
    [89, "1 minute ago"],
    [90, "2 minutes ago"],
    [3569, "59 minutes ago"],
    [3570, "1 hour ago"],
    [5369, "1 hour ago"], // 89 minutes
    [5370, "2 hours ago"], // 90 minutes
    [84_569, "23 hours ago"],
    [84_570, "yesterday"],
    [127_769, "yesterday"], // 35 hours
    [127_770, "2 days ago"], // 36 hours
    [2_374_169, "27 days ago"], // 659 hours
    [2_374_170, "13 Feb 2026"], // 660 hours: 28 days, so the date
    [40 * 86_400, "31 Jan 2026"],
    [400 * 86_400, "5 Feb 2025"],
  ])("%i seconds ago reads %s", (seconds, expected) => {
    expect(relativeTime(ago(seconds), now)).toBe(expected);
    expect(reference(seconds, ago(seconds))).toBe(expected);
  });

  it("matches Intl.RelativeTimeFormat around every threshold and across two months", () => {
    const edges = [45, 90, 3570, 5370, 84_570, 127_770, 2_374_170];
    const seconds = [
      ...edges.flatMap((edge) => Array.from({ length: 121 }, (_, i) => edge - 60 + i)),
      ...Array.from({ length: 2000 }, (_, i) => i * 2999),
    ];
    for (const s of seconds) expect(relativeTime(ago(s), now.toISOString()), `${s} s`).toBe(reference(s, ago(s)));
  });
});
