// Pieces the two printable export pages (/account/export and /cases/:caseId/export) share: how
// they write a moment and a day, and how they name a step's status.

const timeFormat = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
const dayFormat = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: "UTC" });

export function When({ at }: { at: string | null }) {
  if (!at) return <>–</>;
  return <time dateTime={at}>{timeFormat.format(new Date(at))} UTC</time>;
}

export function Day({ day }: { day: string | null }) {
  if (!day) return <>–</>;
  return <time dateTime={day}>{dayFormat.format(new Date(`${day.slice(0, 10)}T00:00:00Z`))}</time>;
}

export const STEP_STATUS = { todo: "To do", doing: "In progress", done: "Done", skipped: "Skipped" } as const;
