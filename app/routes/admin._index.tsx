import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { ErrorPage } from "~/components/error-page";
import { requirePermission } from "~/auth/guard.server";
import { ROLE_PLURALS } from "~/auth/permissions";
import { countUsersByRole } from "~/models/users.server";

export const meta: MetaFunction = () => [{ title: "Dashboard · Cairn" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const actor = await requirePermission(request, "admin.dashboard");
  return json({ byRole: await countUsersByRole(actor) });
}

export default function AdminDashboard() {
  const { byRole } = useLoaderData<typeof loader>();
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
