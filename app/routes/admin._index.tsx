import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { formatDayMonth } from "~/dates";
import { DataTable, type SortableColumn } from "~/components/data-table";
import { FastLink } from "~/components/fast-link";
import { ErrorPage } from "~/components/error-page";
import { requirePermission } from "~/auth/guard.server";
import { CASE_STATUS_LABELS, ROLE_LABELS, ROLE_PLURALS } from "~/auth/permissions";
import { adminDashboard } from "~/models/attention.server";
import { countUsersByRole } from "~/models/users.server";

export const meta: MetaFunction = () => [{ title: "Dashboard · Cairn" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const actor = await requirePermission(request, "admin.dashboard");
  const [byRole, figures] = await Promise.all([countUsersByRole(actor), adminDashboard(actor)]);
  return json({ byRole, figures });
}

type Figures = ReturnType<typeof useLoaderData<typeof loader>>["figures"];
type AdherenceRow = Figures["adherence"][number];
type CaseloadRow = Figures["caseload"][number];
type QuestionsRow = Figures["questions"][number];

function week(iso: string) {
  return <time dateTime={iso}>Week of {formatDayMonth(iso)}</time>;
}
const num = (n: number) => <span className="tabular-nums">{n}</span>;

const adherenceColumns: SortableColumn<AdherenceRow>[] = [
  { id: "week", header: "Week", cell: ({ row }) => week(row.original.weekStart) },
  { id: "submitted", header: "Check-ins submitted", cell: ({ row }) => num(row.original.submitted) },
  { id: "expected", header: "Expected", cell: ({ row }) => num(row.original.expected) },
  {
    id: "percent",
    header: "Adherence",
    cell: ({ row }) => (row.original.percent === null ? <span className="text-stone-600">None expected</span> : `${row.original.percent}%`),
  },
];

const caseloadColumns: SortableColumn<CaseloadRow>[] = [
  {
    id: "name",
    header: "Practitioner",
    cell: ({ row }) => (
      <FastLink to={`/admin/users/${row.original.id}`}>
        {row.original.name}
        {row.original.deactivated ? " (deactivated)" : ""}
      </FastLink>
    ),
  },
  { id: "role", header: "Role", cell: ({ row }) => ROLE_LABELS[row.original.role] },
  { id: "lead", header: "Leading", cell: ({ row }) => num(row.original.lead) },
  { id: "support", header: "Supporting", cell: ({ row }) => num(row.original.support) },
];

const questionsColumns: SortableColumn<QuestionsRow>[] = [
  { id: "week", header: "Week", cell: ({ row }) => week(row.original.weekStart) },
  { id: "answered", header: "Questions answered", cell: ({ row }) => num(row.original.answered) },
  {
    id: "median",
    header: "Median first response",
    cell: ({ row }) =>
      row.original.medianHours === null ? <span className="text-stone-600">No answers</span> : `${row.original.medianHours} h`,
  },
];

export default function AdminDashboard() {
  const { byRole, figures } = useLoaderData<typeof loader>();
  const totals = byRole.reduce((sum, r) => ({ active: sum.active + r.active, invited: sum.invited + r.invited }), { active: 0, invited: 0 });
  return (
    <div className="space-y-6">
      <h1>Practice dashboard</h1>
      <section aria-labelledby="people-title" className="space-y-3">
        <h2 id="people-title">People in the practice</h2>
        <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
          {byRole.map((r) => (
            <li key={r.role} className="card">
              <Link to={`/admin/users?role=${r.role}`} className="block text-stone-900 no-underline hover:no-underline">
                <span className="block text-sm text-stone-600">{ROLE_PLURALS[r.role]}</span>
                <span className="block text-3xl font-semibold">{r.active}</span>
                <span className="block text-xs text-stone-600">
                  active{r.invited ? ` · ${r.invited} invited` : ""}
                  {r.deactivated ? ` · ${r.deactivated} deactivated` : ""}
                </span>
              </Link>
            </li>
          ))}
        </ul>
        <p className="text-sm text-stone-700">
          {totals.active} active accounts, {totals.invited} invitations waiting. <Link to="/admin/users">Manage users</Link> ·{" "}
          <Link to="/admin/users/new">Invite someone</Link>
        </p>
      </section>
      <section aria-labelledby="cases-title" className="space-y-3">
        <h2 id="cases-title">Cases by status</h2>
        <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
          {figures.byStatus.map((s) => (
            <li key={s.status} className="card">
              <Link to={`/cases?status=${s.status}`} className="block text-stone-900 no-underline hover:no-underline">
                <span className="block text-sm text-stone-600">{CASE_STATUS_LABELS[s.status]}</span>
                <span className="block text-3xl font-semibold">{s.cases}</span>
              </Link>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="adherence-title" className="space-y-3">
        <h2 id="adherence-title">Check-in adherence, last 12 weeks</h2>
        <p className="text-sm text-stone-700">
          Check-ins submitted on the cases active now, against one per check-in cadence since each case opened. The current week
          counts up to today.
        </p>
        <DataTable
          caption="Check-ins submitted and expected per week"
          columns={adherenceColumns}
          rows={figures.adherence}
          sort=""
          dir="asc"
          getRowId={(r) => r.weekStart}
          emptyMessage="No weeks to show."
        />
      </section>
      <section aria-labelledby="caseload-title" className="space-y-3">
        <h2 id="caseload-title">Caseload per practitioner</h2>
        <p className="text-sm text-stone-700">Open cases (intake, active or paused) each practitioner leads or supports.</p>
        <DataTable
          caption="Open cases led and supported per practitioner"
          columns={caseloadColumns}
          rows={figures.caseload}
          sort=""
          dir="asc"
          getRowId={(r) => r.id}
          emptyMessage="No practitioners yet. Invite coaches and therapists from Users."
        />
      </section>
      <section aria-labelledby="questions-title" className="space-y-3">
        <h2 id="questions-title">Questions answered, last 12 weeks</h2>
        <p className="text-sm text-stone-700">
          Questions that got their first reply in each week, and the median time from the question to that reply.
        </p>
        <DataTable
          caption="Questions answered per week with the median first-response time"
          columns={questionsColumns}
          rows={figures.questions}
          sort=""
          dir="asc"
          getRowId={(r) => r.weekStart}
          emptyMessage="No weeks to show."
        />
      </section>
      <section aria-labelledby="practice-title" className="space-y-2">
        <h2 id="practice-title">How the practice runs</h2>
        <p className="text-sm text-stone-700">
          The first-response target for client questions and the crisis message clients see when they may be in danger.
        </p>
        <p>
          <Link to="/admin/settings">Settings</Link>
        </p>
      </section>
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
