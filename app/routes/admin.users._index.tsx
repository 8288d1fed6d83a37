import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation } from "@remix-run/react";
import { ErrorPage } from "~/components/error-page";
import { FastLink } from "~/components/fast-link";
import { DataTable, Pagination, type SortableColumn } from "~/components/data-table";
import { Field, SelectField } from "~/components/form";
import { requirePermission } from "~/auth/guard.server";
import { ROLE_LABELS } from "~/auth/permissions";
import { listUsers, userListQuery } from "~/models/users.server";
import { USER_STATUSES } from "~/models/users";
import { ROLES } from "../../db/schema";

export const meta: MetaFunction = () => [{ title: "Users · Cairn" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const actor = await requirePermission(request, "users.manage");
  const query = userListQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  const { rows, total } = await listUsers(actor, query);
  return json({ query, rows, total });
}

type Row = ReturnType<typeof useLoaderData<typeof loader>>["rows"][number];

const STATUS_STYLES: Record<string, string> = {
  active: "bg-brand-50 text-brand-800",
  invited: "bg-amber-50 text-amber-800",
  deactivated: "bg-stone-200 text-stone-700",
};

const columns: SortableColumn<Row>[] = [
  {
    id: "name",
    header: "Name",
    meta: { sortKey: "name" },
    cell: ({ row }) => <FastLink to={`/admin/users/${row.original.id}`}>{row.original.name}</FastLink>,
  },
  { id: "email", header: "Email", meta: { sortKey: "email" }, cell: ({ row }) => row.original.email },
  { id: "role", header: "Role", meta: { sortKey: "role" }, cell: ({ row }) => ROLE_LABELS[row.original.role] },
  {
    id: "status",
    header: "Status",
    cell: ({ row }) => <span className={`badge ${STATUS_STYLES[row.original.status]}`}>{row.original.status}</span>,
  },
  {
    id: "joined",
    header: "Added",
    meta: { sortKey: "joined", className: "whitespace-nowrap" },
    cell: ({ row }) => new Date(row.original.createdAt).toISOString().slice(0, 10),
  },
];

export default function UsersPage() {
  const { query, rows, total } = useLoaderData<typeof loader>();
  const navigation = useNavigation();
  const loading = navigation.state === "loading" && navigation.location.pathname === "/admin/users";
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1>Users</h1>
        <Link to="/admin/users/new" className="btn">
          Invite someone
        </Link>
      </div>
      <Form method="get" className="card grid gap-3 sm:grid-cols-[2fr_1fr_1fr_auto] sm:items-end" role="search" aria-label="Filter users">
        <Field label="Search name or email" name="q" type="search" defaultValue={query.q ?? ""} />
        <SelectField
          label="Role"
          name="role"
          defaultValue={query.role ?? ""}
          options={[{ value: "", label: "All roles" }, ...ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }))]}
        />
        <SelectField
          label="Status"
          name="status"
          defaultValue={query.status ?? ""}
          options={[{ value: "", label: "Any status" }, ...USER_STATUSES.map((s) => ({ value: s, label: s[0]!.toUpperCase() + s.slice(1) }))]}
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
          caption="Users of the practice"
          columns={columns}
          rows={rows}
          sort={query.sort}
          dir={query.dir}
          getRowId={(r) => r.id}
          emptyMessage="No users match these filters."
        />
      </div>
      <Pagination page={query.page} perPage={query.perPage} total={total} label="users" />
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
