import { describe, expect, it } from "vitest";
import { checkInDueAt, DAY_MS, isCheckInOverdue, reminderPeriodStart, type ScheduleInput } from "~/models/check-in-schedule";

// The overdue rule at its exact edges: due = last check-in (or the opening) + cadence; overdue
// strictly after due + one grace day; only active cases.

const opened = new Date("2025-03-03T09:30:00.000Z");
const weekly = (input: Partial<ScheduleInput> = {}): ScheduleInput => ({
  status: "active",
  checkInEveryDays: 7,
  openedAt: opened,
  lastCheckInAt: null,
  ...input,
});
const plus = (date: Date, ms: number) => new Date(date.getTime() + ms);

describe("checkInDueAt", () => {
  it("counts the cadence from the opening while there is no check-in", () => {
    expect(checkInDueAt(weekly()).toISOString()).toBe("2025-03-10T09:30:00.000Z");
  });

  it("counts from the newest check-in once there is one", () => {
    const last = new Date("2025-03-12T18:00:00.000Z");
    expect(checkInDueAt(weekly({ lastCheckInAt: last, checkInEveryDays: 3 })).toISOString()).toBe("2025-03-15T18:00:00.000Z");
  });
});

describe("isCheckInOverdue", () => {
  const boundary = plus(opened, 8 * DAY_MS); // cadence 7 + grace 1

  it("is not overdue on the due day, nor exactly at the end of the grace day", () => {
    expect(isCheckInOverdue(weekly(), plus(opened, 7 * DAY_MS))).toBe(false);
    expect(isCheckInOverdue(weekly(), plus(boundary, -1))).toBe(false);
    expect(isCheckInOverdue(weekly(), boundary)).toBe(false);
  });

  it("is overdue one millisecond after the grace day", () => {
    expect(isCheckInOverdue(weekly(), plus(boundary, 1))).toBe(true);
  });

  it("moves with the last check-in", () => {
    const last = plus(opened, 5 * DAY_MS);
    expect(isCheckInOverdue(weekly({ lastCheckInAt: last }), plus(boundary, 1))).toBe(false);
    expect(isCheckInOverdue(weekly({ lastCheckInAt: last }), plus(last, 8 * DAY_MS))).toBe(false);
    expect(isCheckInOverdue(weekly({ lastCheckInAt: last }), plus(last, 8 * DAY_MS + 1))).toBe(true);
  });

  it("works for a daily cadence: two days after the last check-in", () => {
    const daily = weekly({ checkInEveryDays: 1 });
    expect(isCheckInOverdue(daily, plus(opened, 2 * DAY_MS))).toBe(false);
    expect(isCheckInOverdue(daily, plus(opened, 2 * DAY_MS + 1))).toBe(true);
  });

  it("never marks intake, paused or closed cases overdue", () => {
    const late = plus(opened, 100 * DAY_MS);
    expect(isCheckInOverdue(weekly(), late)).toBe(true);
    for (const status of ["intake", "paused", "closed"] as const) {
      expect(isCheckInOverdue(weekly({ status }), late)).toBe(false);
    }
  });
});

describe("reminderPeriodStart", () => {
  it("is null while not overdue", () => {
    expect(reminderPeriodStart(weekly(), plus(opened, 8 * DAY_MS))).toBeNull();
    expect(reminderPeriodStart(weekly({ status: "paused" }), plus(opened, 30 * DAY_MS))).toBeNull();
  });

  it("starts on the due date, and a new period begins every cadence while the client stays quiet", () => {
    const due = plus(opened, 7 * DAY_MS); // 2025-03-10T09:30Z
    expect(reminderPeriodStart(weekly(), plus(due, DAY_MS + 1))).toBe("2025-03-10");
    expect(reminderPeriodStart(weekly(), plus(due, 7 * DAY_MS - 1))).toBe("2025-03-10");
    expect(reminderPeriodStart(weekly(), plus(due, 7 * DAY_MS))).toBe("2025-03-17");
    expect(reminderPeriodStart(weekly(), plus(due, 15 * DAY_MS))).toBe("2025-03-24");
  });

  it("uses the UTC date of the period's start", () => {
    const late = new Date("2025-03-03T23:30:00.000Z");
    expect(reminderPeriodStart(weekly({ openedAt: late }), plus(late, 8 * DAY_MS + 1))).toBe("2025-03-10");
  });
});
