import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation } from "@remix-run/react";
import { formatDateTimeSeconds } from "~/dates";
import { FastLink } from "~/components/fast-link";
import { DataTable, Pagination, type SortableColumn } from "~/components/data-table";
import { ErrorPage } from "~/components/error-page";
import { Field, SelectField } from "~/components/form";
import { requirePermission } from "~/auth/guard.server";
import { auditLogFilterOptions, listAuditEvents, parseAuditLogQuery } from "~/models/audit-log.server";

export const meta: MetaFunction = () => [{ title: "Audit log · Cairn" }];

const FILTERS = ["actor", "action", "case", "from", "to"] as const;

export async function loader({ request }: LoaderFunctionArgs) {
  const actor = await requirePermission(request, "audit.read");
  const url = new URL(request.url);
  const { query, errors, values } = parseAuditLogQuery(url.searchParams);
  const invalid = Object.keys(errors).length > 0;
  // With a filter that makes no sense nothing is listed: a log quietly showing more than was
  // asked for would mislead.
  const [list, options] = await Promise.all([
    invalid ? Promise.resolve({ rows: [], total: 0 }) : listAuditEvents(actor, query),
    auditLogFilterOptions(actor),
  ]);
  const lastPage = Math.max(1, Math.ceil(list.total / query.perPage));
  if (query.page > lastPage) {
    url.searchParams.set("page", String(lastPage));
    throw redirect(`${url.pathname}?${url.searchParams.toString()}`);
  }
  // A case or person given by id in the address stays selected even when it isn't listed.
  if (query.case && !options.cases.some((c) => c.value === query.case)) options.cases.unshift({ value: query.case, label: `Case ${query.case}` });
  if (query.actor && !options.actors.some((a) => a.value === query.actor)) {
    options.actors.push({ value: query.actor, label: `Person ${query.actor}` });
  }
  const csv = new URLSearchParams();
  for (const field of FILTERS) if (query[field]) csv.set(field, query[field]);
  return json({
    query,
    errors,
    values,
    invalid,
    filtered: FILTERS.some((f) => values[f]),
    rows: list.rows,
    total: list.total,
    options,
    csvHref: `/admin/audit.csv${csv.size ? `?${csv.toString()}` : ""}`,
  });
}

type Row = ReturnType<typeof useLoaderData<typeof loader>>["rows"][number];


const columns: SortableColumn<Row>[] = [
  {
    id: "when",
    header: "When (UTC)",
    meta: { className: "whitespace-nowrap align-top" },
    cell: ({ row }) => <time dateTime={row.original.at}>{formatDateTimeSeconds(row.original.at)}</time>,
  },
  {
    id: "actor",
    header: "Who",
    meta: { className: "align-top" },
    cell: ({ row }) =>
      row.original.actor ? (
        <span>
          <span className="block">{row.original.actor.name}</span>
          <span className="block text-xs text-stone-600">{row.original.actor.roleLabel}</span>
        </span>
      ) : (
        <span className="text-stone-600">Cairn or a visitor</span>
      ),
  },
  { id: "action", header: "Action", meta: { className: "align-top" }, cell: ({ row }) => row.original.actionLabel },
  {
    id: "case",
    header: "Case",
    meta: { className: "align-top" },
    cell: ({ row }) => (row.original.case ? <FastLink to={`/cases/${row.original.case.id}`}>{row.original.case.title}</FastLink> : null),
  },
  {
    id: "target",
    header: "Target",
    meta: { className: "align-top" },
    cell: ({ row }) => {
      const target = row.original.target;
      if (!target) return null;
      if (target.type === "user" && target.name) return <FastLink to={`/admin/users/${target.id}`}>{target.name}</FastLink>;
      return (
        <span className="text-xs" title={target.id ?? undefined}>
          {target.type.replaceAll("_", " ")}
          {target.id ? <span className="font-mono text-stone-600"> {target.id.slice(0, 8)}</span> : null}
        </span>
      );
    },
  },
  { id: "ip", header: "IP address", meta: { className: "align-top font-mono text-xs" }, cell: ({ row }) => row.original.ip ?? "" },
  {
    id: "details",
    header: "Details",
    meta: { className: "align-top max-w-xs break-words text-xs text-stone-700" },
    cell: ({ row }) => row.original.details,
  },
];

export default function AuditLogPage() {
  const { query, errors, values, invalid, filtered, rows, total, options, csvHref } = useLoaderData<typeof loader>();
  const navigation = useNavigation();
  const loading = navigation.state === "loading" && navigation.location.pathname === "/admin/audit";
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1>Audit log</h1>
        {invalid ? null : (
          <a href={csvHref} className="btn-secondary" download>
            Download CSV
          </a>
        )}
      </div>
      <p className="text-sm text-stone-700">
        Everything that happened in the practice, newest first: sign-ins, changes, views of case records and exports. Entries
        can't be changed or removed. The CSV holds every entry matching the filters, on all pages; downloading it is itself recorded.
      </p>
      <Form method="get" className="card grid gap-3 sm:grid-cols-2 lg:grid-cols-[1fr_1fr_1fr_auto_auto_auto] lg:items-start" role="search" aria-label="Filter the audit log">
        <SelectField
          label="Who"
          name="actor"
          defaultValue={values.actor ?? ""}
          error={errors.actor}
          options={[{ value: "", label: "Anyone" }, ...options.actors]}
        />
        <SelectField
          label="Action"
          name="action"
          defaultValue={values.action ?? ""}
          error={errors.action}
          options={[{ value: "", label: "Any action" }, ...options.actions]}
        />
        <SelectField
          label="Case"
          name="case"
          defaultValue={values.case ?? ""}
          error={errors.case}
          options={[{ value: "", label: "Any case" }, ...options.cases]}
        />
        <Field label="From" name="from" type="date" defaultValue={values.from ?? ""} error={errors.from} />
        <Field label="To" name="to" type="date" defaultValue={values.to ?? ""} error={errors.to} hint="Whole days, UTC." />
        <div className="flex items-end gap-2 lg:pt-6">
          <input type="hidden" name="perPage" value={query.perPage} />
          <button type="submit" className="btn">
            {loading ? "Filtering…" : "Filter"}
          </button>
          {filtered ? (
            <Link to="/admin/audit" className="btn-secondary">
              Clear
            </Link>
          ) : null}
        </div>
      </Form>
      <div aria-busy={loading || undefined} className={loading ? "opacity-60" : undefined}>
        <DataTable
          caption="Audit log entries, newest first"
          columns={columns}
          rows={rows}
          sort="when"
          dir="desc"
          getRowId={(r) => r.id}
          emptyMessage={invalid ? "Fix the highlighted filters to see entries." : "No entries match these filters."}
        />
      </div>
      <Pagination page={query.page} perPage={query.perPage} total={total} label="entries" />
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
