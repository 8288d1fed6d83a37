import { describe, expect, it } from "vitest";
import { slaDueAt, slaState } from "~/models/sla";

// The first-response rule at its exact edges: 75 % of the target starts "due soon", the target
// itself starts "overdue", and a question answered once stays "responded".

const created = new Date("2025-03-10T09:00:00.000Z");
const at = (ms: number) => new Date(created.getTime() + ms);
const HOUR = 60 * 60 * 1000;

describe("slaState with the default 24-hour target", () => {
  it.each([
    [0, "on_time"],
    [18 * HOUR - 1, "on_time"],
    [18 * HOUR, "due_soon"],
    [18 * HOUR + 1, "due_soon"],
    [24 * HOUR - 1, "due_soon"],
    [24 * HOUR, "overdue"],
    [24 * HOUR + 1, "overdue"],
    [30 * 24 * HOUR, "overdue"],
  ] as const)("after %i ms it is %s", (elapsed, expected) => {
    expect(slaState(created, null, at(elapsed), 24)).toBe(expected);
  });
});

describe("slaState with other targets", () => {
  it("1 hour: due soon from 45 minutes, overdue from 60", () => {
    expect(slaState(created, null, at(45 * 60 * 1000 - 1), 1)).toBe("on_time");
    expect(slaState(created, null, at(45 * 60 * 1000), 1)).toBe("due_soon");
    expect(slaState(created, null, at(HOUR - 1), 1)).toBe("due_soon");
    expect(slaState(created, null, at(HOUR), 1)).toBe("overdue");
  });

  it("a week (168 hours): due soon from 126 hours", () => {
    expect(slaState(created, null, at(126 * HOUR - 1), 168)).toBe("on_time");
    expect(slaState(created, null, at(126 * HOUR), 168)).toBe("due_soon");
    expect(slaState(created, null, at(168 * HOUR), 168)).toBe("overdue");
  });

  it("3 hours (a target whose 75 % isn't whole hours)", () => {
    expect(slaState(created, null, at(2.25 * HOUR - 1), 3)).toBe("on_time");
    expect(slaState(created, null, at(2.25 * HOUR), 3)).toBe("due_soon");
  });
});

describe("answered questions", () => {
  it("are 'responded' however long ago the question came in", () => {
    expect(slaState(created, at(HOUR), at(0), 24)).toBe("responded");
    expect(slaState(created, at(30 * HOUR), at(100 * HOUR), 24)).toBe("responded");
  });

  it("a clock that reads earlier than the post (skew) still counts as on time", () => {
    expect(slaState(created, null, at(-5000), 24)).toBe("on_time");
  });
});

describe("slaDueAt", () => {
  it("is the creation time plus the target", () => {
    expect(slaDueAt(created, 24).toISOString()).toBe("2025-03-11T09:00:00.000Z");
    expect(slaDueAt(created, 1).toISOString()).toBe("2025-03-10T10:00:00.000Z");
  });
});
