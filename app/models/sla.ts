// The first-response rule of the triage queue, in one pure function (the queue, the thread page
// and the tests all use it). A question's clock starts with the client's first post (the thread's
// created_at) and stops at the first shared staff reply; internal notes never stop it.

export const SLA_STATES = ["on_time", "due_soon", "overdue", "responded"] as const;
export type SlaState = (typeof SLA_STATES)[number];

export const SLA_LABELS: Record<SlaState, string> = {
  on_time: "On time",
  due_soon: "Due soon",
  overdue: "Overdue",
  responded: "Responded",
};

/** From this share of the target on, an unanswered question is "due soon". */
export const DUE_SOON_SHARE = 0.75;

const HOUR_MS = 60 * 60 * 1000;

/**
 * - answered once already (`firstResponseAt` set): "responded", whatever came after;
 * - otherwise, with elapsed = now − createdAt: "overdue" when elapsed ≥ target,
 *   "due_soon" when elapsed ≥ 75 % of the target, else "on_time".
 */
export function slaState(createdAt: Date, firstResponseAt: Date | null, now: Date, targetHours: number): SlaState {
  if (firstResponseAt) return "responded";
  const elapsed = now.getTime() - createdAt.getTime();
  const target = targetHours * HOUR_MS;
  if (elapsed >= target) return "overdue";
  if (elapsed >= target * DUE_SOON_SHARE) return "due_soon";
  return "on_time";
}

/** When the first response is due. */
export function slaDueAt(createdAt: Date, targetHours: number): Date {
  return new Date(createdAt.getTime() + targetHours * HOUR_MS);
}
