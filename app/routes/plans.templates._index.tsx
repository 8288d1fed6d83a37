import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation } from "@remix-run/react";
import { ErrorPage } from "~/components/error-page";
import { FastLink } from "~/components/fast-link";
import { DataTable, Pagination, type SortableColumn } from "~/components/data-table";
import { Field, SelectField } from "~/components/form";
import { requirePermission } from "~/auth/guard.server";
import { listTemplates, templateListQuery } from "~/models/plan-templates.server";

export const meta: MetaFunction = () => [{ title: "Plan templates · Cairn" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const actor = await requirePermission(request, "staff.workspace");
  const query = templateListQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  const { rows, total } = await listTemplates(actor, query);
  return json({ query, rows, total });
}

type Row = ReturnType<typeof useLoaderData<typeof loader>>["rows"][number];

const columns: SortableColumn<Row>[] = [
  {
    id: "title",
    header: "Title",
    meta: { sortKey: "title" },
    cell: ({ row }) => (
      <div className="space-y-0.5">
        <FastLink to={`/plans/templates/${row.original.id}`} className="font-medium">
          {row.original.title}
        </FastLink>
        {row.original.summary ? <p className="line-clamp-2 max-w-prose text-xs text-stone-600">{row.original.summary}</p> : null}
      </div>
    ),
  },
  {
    id: "steps",
    header: "Steps",
    meta: { className: "whitespace-nowrap" },
    cell: ({ row }) => row.original.stepCount,
  },
  {
    id: "owner",
    header: "Owner",
    cell: ({ row }) => (
      <>
        {row.original.ownerName ?? "The practice"}
        {row.original.canEdit ? <span className="badge ml-2 bg-brand-50 text-brand-800">You can edit</span> : null}
      </>
    ),
  },
  {
    id: "updated",
    header: "Last changed",
    meta: { sortKey: "updated", className: "whitespace-nowrap" },
    cell: ({ row }) => new Date(row.original.updatedAt).toISOString().slice(0, 10),
  },
];

export default function TemplatesPage() {
  const { query, rows, total } = useLoaderData<typeof loader>();
  const navigation = useNavigation();
  const loading = navigation.state === "loading" && navigation.location.pathname === "/plans/templates";
  const archived = query.status === "archived";
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h1>Plan templates</h1>
          <p className="text-sm text-stone-700">
            Reusable step plans. Assigning one gives a case its own copy, so changes here never alter plans already assigned.
          </p>
        </div>
        <Link to="/plans/templates/new" className="btn">
          New template
        </Link>
      </div>
      <Form method="get" className="card grid gap-3 sm:grid-cols-[2fr_1fr_auto] sm:items-end" role="search" aria-label="Filter templates">
        <Field label="Search by title" name="q" type="search" defaultValue={query.q ?? ""} />
        <SelectField
          label="Show"
          name="status"
          defaultValue={query.status}
          options={[
            { value: "active", label: "Active templates" },
            { value: "archived", label: "Archived templates" },
          ]}
        />
        <input type="hidden" name="sort" value={query.sort} />
        <input type="hidden" name="dir" value={query.dir} />
        <input type="hidden" name="perPage" value={query.perPage} />
        <button type="submit" className="btn">
          {loading ? "Filtering…" : "Filter"}
        </button>
      </Form>
      <div aria-busy={loading || undefined} className={loading ? "opacity-60" : undefined}>
        <DataTable
          caption={archived ? "Archived plan templates" : "Active plan templates"}
          columns={columns}
          rows={rows}
          sort={query.sort}
          dir={query.dir}
          getRowId={(r) => r.id}
          emptyMessage={
            query.q
              ? "No templates match this search."
              : archived
                ? "No archived templates."
                : "No templates yet. Create the first one with “New template”."
          }
        />
      </div>
      <Pagination page={query.page} perPage={query.perPage} total={total} label={archived ? "archived templates" : "templates"} />
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
