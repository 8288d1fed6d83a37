import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation } from "@remix-run/react";
import { formatDateTime } from "~/dates";
import { FastLink } from "~/components/fast-link";
import { DataTable, Pagination, type SortableColumn } from "~/components/data-table";
import { ErrorPage } from "~/components/error-page";
import { SelectField } from "~/components/form";
import { requirePermission } from "~/auth/guard.server";
import { changeText, MOOD_MAX, QUEUE_PER_PAGE, SCALE_MAX } from "~/models/check-ins";
import { listReviewQueue, reviewQueueHref, reviewQueueQuery } from "~/models/check-ins.server";

// The review queue: check-ins nobody has reviewed yet on the viewer's cases (admins: every
// case), oldest first, with the scores and how each moved since the case's previous check-in.
// Filters and pages live in the URL (a plain GET form), so the page works without JavaScript.

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data && data.total > 0 ? `Check-ins (${data.total}) · Cairn` : "Check-ins · Cairn" },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const actor = await requirePermission(request, "staff.workspace");
  const query = reviewQueueQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  const queue = await listReviewQueue(actor, query);
  // A page past the end (check-ins were reviewed meanwhile): go to the last page that has rows.
  const lastPage = Math.max(1, Math.ceil(queue.total / query.perPage));
  if (query.page > lastPage) throw redirect(reviewQueueHref({ ...query, page: lastPage }));
  return json({ query, isAdmin: actor.role === "admin", ...queue });
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>;
type Row = Data["rows"][number];


/** A score with its change since the previous check-in: an arrow for the eye, "+2" for everyone. */
function Score({ value, previous, max, label }: { value: number; previous: number | null; max: number; label: string }) {
  const change = changeText(value, previous);
  const delta = previous === null ? 0 : value - previous;
  const arrow = delta > 0 ? "↑" : delta < 0 ? "↓" : "→";
  const tone = delta > 0 ? "text-brand-800" : delta < 0 ? "text-red-700" : "text-stone-600";
  return (
    <span className="whitespace-nowrap">
      <span className="font-medium">{value}</span>
      <span className="sr-only">
        {" "}
        of {max} ({label})
      </span>
      {change ? (
        <span className={`ml-2 text-xs ${tone}`}>
          <span aria-hidden="true">{arrow} </span>
          {change}
          <span className="sr-only"> since the previous check-in</span>
        </span>
      ) : (
        <span className="ml-2 text-xs text-stone-600">first</span>
      )}
    </span>
  );
}

const columns: SortableColumn<Row>[] = [
  {
    id: "submitted",
    header: "Sent",
    meta: { className: "whitespace-nowrap" },
    cell: ({ row }) => (
      <FastLink to={`/check-ins/${row.original.id}`} className="font-medium">
        <time dateTime={row.original.submittedAt}>{formatDateTime(row.original.submittedAt)} UTC</time>
        <span className="sr-only"> — open the check-in from {row.original.clientName}</span>
      </FastLink>
    ),
  },
  {
    id: "client",
    header: "Client",
    cell: ({ row }) => (
      <span className="flex flex-wrap items-center gap-2">
        {row.original.clientName}
        {row.original.flagged ? <span className="badge bg-red-700 text-white">Urgent</span> : null}
      </span>
    ),
  },
  {
    id: "case",
    header: "Case",
    cell: ({ row }) => (
      <span>
        <FastLink to={`/cases/${row.original.caseId}`}>{row.original.caseTitle}</FastLink>
        <span className="block text-xs text-stone-600">{row.original.leadName ? `Lead: ${row.original.leadName}` : "No lead"}</span>
      </span>
    ),
  },
  {
    id: "mood",
    header: `Mood (1–${MOOD_MAX})`,
    cell: ({ row }) => <Score value={row.original.mood} previous={row.original.prevMood} max={MOOD_MAX} label="mood" />,
  },
  {
    id: "progress",
    header: `Progress (1–${SCALE_MAX})`,
    cell: ({ row }) => <Score value={row.original.progress} previous={row.original.prevProgress} max={SCALE_MAX} label="progress" />,
  },
  {
    id: "closeness",
    header: `Closeness (1–${SCALE_MAX})`,
    cell: ({ row }) => <Score value={row.original.closeness} previous={row.original.prevCloseness} max={SCALE_MAX} label="closeness" />,
  },
];

export default function CheckInQueue() {
  const { query, isAdmin, rows, total, filters } = useLoaderData<typeof loader>();
  const navigation = useNavigation();
  const loading = navigation.state === "loading" && navigation.location.pathname === "/check-ins";
  const filtered = Boolean(query.caseId || query.lead);
  const waiting = total === 1 ? "1 waiting" : `${total} waiting`;

  return (
    <section className="space-y-4" aria-labelledby="queue-title">
      <div className="space-y-1">
        <h1 id="queue-title">
          Check-ins <span className="text-base font-normal text-stone-600">· {waiting}</span>
        </h1>
        <p className="text-sm text-stone-700">
          Check-ins from clients{isAdmin ? " across the practice" : " on your cases"} that nobody has reviewed yet, oldest first.
          The arrows show how each score moved since that case's previous check-in.
        </p>
      </div>

      <Form method="get" className="card grid gap-3 sm:grid-cols-[2fr_1fr_1fr_auto] sm:items-end" role="search" aria-label="Filter check-ins">
        <SelectField
          label="Case"
          name="caseId"
          defaultValue={query.caseId ?? ""}
          options={[{ value: "", label: "Any case" }, ...filters.cases.map((c) => ({ value: c.id, label: `${c.clientName} · ${c.title}` }))]}
        />
        <SelectField
          label="Lead"
          name="lead"
          defaultValue={query.lead ?? ""}
          options={[{ value: "", label: "Anyone" }, ...filters.leads.map((l) => ({ value: l.id, label: l.name }))]}
        />
        <SelectField
          label="Per page"
          name="perPage"
          defaultValue={String(query.perPage)}
          options={QUEUE_PER_PAGE.map((n) => ({ value: String(n), label: String(n) }))}
        />
        <div className="flex gap-2">
          <button type="submit" className="btn">
            Show
          </button>
          {filtered ? (
            <Link to="/check-ins" className="btn-secondary">
              Clear
            </Link>
          ) : null}
        </div>
      </Form>

      <div aria-busy={loading || undefined} className={loading ? "opacity-60" : undefined}>
        <DataTable
          caption="Check-ins waiting for review, oldest first, with each score's change since the previous check-in"
          columns={columns}
          rows={rows}
          sort=""
          dir="asc"
          getRowId={(r) => r.id}
          emptyMessage={
            filtered
              ? "No check-ins wait for review with these filters."
              : "Every check-in has been reviewed. New ones appear here as clients send them."
          }
        />
      </div>
      <Pagination page={query.page} perPage={query.perPage} total={total} label="check-ins" />
    </section>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
