import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation } from "@remix-run/react";
import { ErrorPage } from "~/components/error-page";
import { RiskBadge } from "~/components/risk-badge";
import { FastLink } from "~/components/fast-link";
import { DataTable, Pagination, type SortableColumn } from "~/components/data-table";
import { Field, SelectField } from "~/components/form";
import { requirePermission } from "~/auth/guard.server";
import { CASE_STATUS_LABELS, RISK_LABELS } from "~/auth/permissions";
import { needsAttention } from "~/models/attention.server";
import { caseListQuery, listCases, listLeadOptions } from "~/models/cases.server";
import { CASE_STATUSES, RISK_LEVELS } from "../../db/schema";

export const meta: MetaFunction = () => [{ title: "Cases · Cairn" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const actor = await requirePermission(request, "staff.workspace");
  const url = new URL(request.url);
  const query = caseListQuery.parse(Object.fromEntries(url.searchParams));
  const [{ rows, total, scope }, leads, attention] = await Promise.all([
    listCases(actor, query),
    listLeadOptions(actor),
    needsAttention(actor),
  ]);
  // A page past the end (an old link, fewer cases now): go to the last page that has rows.
  const lastPage = Math.max(1, Math.ceil(total / query.perPage));
  if (query.page > lastPage) {
    url.searchParams.set("page", String(lastPage));
    throw redirect(`${url.pathname}?${url.searchParams.toString()}`);
  }
  const filtered = Boolean(query.q || query.status || query.risk || query.lead || query.checkIn);
  return json({ query: { ...query, scope }, rows, total, leads, attention, filtered, isAdmin: actor.role === "admin" });
}

type Row = ReturnType<typeof useLoaderData<typeof loader>>["rows"][number];
type Attention = ReturnType<typeof useLoaderData<typeof loader>>["attention"];

const STATUS_STYLES: Record<Row["status"], string> = {
  intake: "bg-sky-50 text-sky-800",
  active: "bg-brand-50 text-brand-800",
  paused: "bg-amber-50 text-amber-800",
  closed: "bg-stone-200 text-stone-700",
};

function day(iso: string) {
  return <time dateTime={iso}>{iso.slice(0, 10)}</time>;
}

const columns: SortableColumn<Row>[] = [
  { id: "client", header: "Client", cell: ({ row }) => row.original.clientName },
  {
    id: "title",
    header: "Case",
    cell: ({ row }) => <FastLink to={`/cases/${row.original.id}`}>{row.original.title}</FastLink>,
  },
  {
    id: "status",
    header: "Status",
    cell: ({ row }) => (
      <span className="flex flex-wrap gap-1">
        <span className={`badge ${STATUS_STYLES[row.original.status]}`}>{CASE_STATUS_LABELS[row.original.status]}</span>
        {row.original.overdue ? <span className="badge bg-amber-50 text-amber-900">Overdue check-in</span> : null}
      </span>
    ),
  },
  {
    id: "lead",
    header: "Lead",
    cell: ({ row }) => row.original.leadName ?? <span className="text-stone-600">No lead</span>,
  },
  {
    id: "progress",
    header: "Plan progress",
    meta: { sortKey: "progress", className: "whitespace-nowrap" },
    cell: ({ row }) =>
      row.original.steps === 0 ? (
        <span className="text-stone-600">No plan yet</span>
      ) : (
        <span className="flex items-center gap-2">
          <progress
            className="h-2 w-20 accent-brand-600"
            max={100}
            value={row.original.progress}
            aria-label={`Plan progress for ${row.original.title}`}
          />
          <span className="tabular-nums">{row.original.progress}%</span>
        </span>
      ),
  },
  {
    id: "activity",
    header: "Last activity",
    meta: { sortKey: "activity", className: "whitespace-nowrap" },
    cell: ({ row }) => day(row.original.lastActivityAt),
  },
  {
    id: "opened",
    header: "Opened",
    meta: { sortKey: "opened", className: "whitespace-nowrap" },
    cell: ({ row }) => day(row.original.openedAt),
  },
  {
    id: "risk",
    header: "Risk",
    cell: ({ row }) => <RiskBadge risk={row.original.risk} />,
  },
];

const ATTENTION_GROUPS = [
  {
    kind: "overdue",
    title: "Overdue check-ins",
    more: "/cases?checkIn=overdue",
    describe: (since: string) => <>Check-in was due {day(since)}</>,
  },
  {
    kind: "falling",
    title: "Falling scores",
    more: null,
    describe: (since: string) => <>Last three check-ins declining, newest {day(since)}</>,
  },
  {
    kind: "urgent",
    title: "Urgent risk",
    more: "/cases?risk=urgent",
    describe: (since: string) => <>Last activity {day(since)}</>,
  },
  {
    kind: "unanswered",
    title: "Unanswered questions",
    more: "/triage",
    describe: (since: string) => <>Waiting since {day(since)}</>,
  },
] as const;

function NeedsAttention({ attention }: { attention: Attention }) {
  const groups = ATTENTION_GROUPS.filter((g) => attention[g.kind].total > 0);
  return (
    <section aria-labelledby="attention-title" className="card space-y-3">
      <h2 id="attention-title">Needs attention</h2>
      {groups.length === 0 ? (
        <p className="text-stone-700">
          Nothing needs your attention right now: no overdue check-ins, falling scores, urgent risk or unanswered questions on
          your cases.
        </p>
      ) : (
        <div className="grid gap-4 md:grid-cols-2">
          {groups.map((group) => {
            const { items, total } = attention[group.kind];
            return (
              <div key={group.kind} className="space-y-1">
                <h3 className="text-base font-semibold">
                  {group.title} <span className="text-stone-600">({total})</span>
                </h3>
                <ul className="space-y-1 text-sm">
                  {items.map((item) => (
                    <li key={item.threadId ?? item.caseId}>
                      {item.threadId ? (
                        <FastLink to={`/threads/${item.threadId}`}>{item.threadTitle}</FastLink>
                      ) : (
                        <FastLink to={`/cases/${item.caseId}`}>{item.caseTitle}</FastLink>
                      )}
                      <span className="text-stone-700">
                        {" "}
                        · {item.clientName} · {group.describe(item.since)}
                      </span>
                    </li>
                  ))}
                </ul>
                {total > items.length ? (
                  <p className="text-sm">
                    {group.more ? <Link to={group.more}>See all {total}</Link> : <span className="text-stone-700">and {total - items.length} more</span>}
                  </p>
                ) : null}
              </div>
            );
          })}
        </div>
      )}
    </section>
  );
}

export default function CasesPage() {
  const { query, rows, total, leads, attention, filtered, isAdmin } = useLoaderData<typeof loader>();
  const navigation = useNavigation();
  const loading = navigation.state === "loading" && navigation.location.pathname === "/cases";
  const nothingYet = total === 0 && !filtered;
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1>Cases</h1>
        <Link to="/cases/new" className="btn">
          New case
        </Link>
      </div>
      <NeedsAttention attention={attention} />
      <Form
        method="get"
        className="card grid gap-3 sm:grid-cols-2 lg:grid-cols-[2fr_repeat(5,1fr)_auto] lg:items-end"
        role="search"
        aria-label="Filter cases"
      >
        <Field label="Search client or case title" name="q" type="search" defaultValue={query.q ?? ""} />
        <SelectField
          label="Status"
          name="status"
          defaultValue={query.status ?? ""}
          options={[{ value: "", label: "Any status" }, ...CASE_STATUSES.map((s) => ({ value: s, label: CASE_STATUS_LABELS[s] }))]}
        />
        <SelectField
          label="Risk"
          name="risk"
          defaultValue={query.risk ?? ""}
          options={[{ value: "", label: "Any risk" }, ...RISK_LEVELS.map((r) => ({ value: r, label: RISK_LABELS[r] }))]}
        />
        <SelectField
          label="Lead"
          name="lead"
          defaultValue={query.lead ?? ""}
          options={[
            { value: "", label: "Anyone" },
            ...leads.map((l) => ({ value: l.id, label: l.deactivated ? `${l.name} (deactivated)` : l.name })),
          ]}
        />
        <SelectField
          label="Check-ins"
          name="checkIn"
          defaultValue={query.checkIn ?? ""}
          options={[
            { value: "", label: "Any" },
            { value: "overdue", label: "Overdue" },
          ]}
        />
        {isAdmin ? (
          <SelectField
            label="Show"
            name="scope"
            defaultValue={query.scope}
            options={[
              { value: "all", label: "All cases" },
              { value: "mine", label: "Cases I'm on" },
            ]}
          />
        ) : null}
        <input type="hidden" name="sort" value={query.sort} />
        <input type="hidden" name="dir" value={query.dir} />
        <input type="hidden" name="perPage" value={query.perPage} />
        <div className="flex gap-2">
          <button type="submit" className="btn">
            {loading ? "Filtering…" : "Filter"}
          </button>
          {filtered ? (
            <Link to="/cases" className="btn-secondary">
              Clear
            </Link>
          ) : null}
        </div>
      </Form>
      {nothingYet ? (
        <div className="card space-y-2">
          <h2>No cases here yet</h2>
          {query.scope === "mine" && isAdmin ? (
            <p>
              You aren&apos;t the lead or a support member of any case. Choose &ldquo;All cases&rdquo; above to see every
              case of the practice, or open one with <Link to="/cases/new">New case</Link>.
            </p>
          ) : query.scope === "mine" ? (
            <p>
              You aren&apos;t the lead or a support member of any case yet. Open one with{" "}
              <Link to="/cases/new">New case</Link>, or ask your practice&apos;s admin to add you to an existing case.
            </p>
          ) : (
            <p>
              The practice has no cases yet. Open the first one with <Link to="/cases/new">New case</Link>.
            </p>
          )}
        </div>
      ) : (
        <>
          <div aria-busy={loading || undefined} className={loading ? "opacity-60" : undefined}>
            <DataTable
              caption={query.scope === "mine" ? "Cases you are on" : "All cases of the practice"}
              columns={columns}
              rows={rows}
              sort={query.sort}
              dir={query.dir}
              getRowId={(r) => r.id}
              emptyMessage="No cases match these filters. Try a shorter search or clear a filter."
            />
          </div>
          <Pagination page={query.page} perPage={query.perPage} total={total} label="cases" />
        </>
      )}
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
