// Pieces the two printable export pages (/account/export and /cases/:caseId/export) share: how
// they write a moment and a day, and how they name a step's status.

import { formatDate, formatDateTime } from "~/dates";

export function When({ at }: { at: string | null }) {
  if (!at) return <>–</>;
  return <time dateTime={at}>{formatDateTime(at)} UTC</time>;
}

export function Day({ day }: { day: string | null }) {
  if (!day) return <>–</>;
  return <time dateTime={day}>{formatDate(day.slice(0, 10))}</time>;
}

export const STEP_STATUS = { todo: "To do", doing: "In progress", done: "Done", skipped: "Skipped" } as const;
