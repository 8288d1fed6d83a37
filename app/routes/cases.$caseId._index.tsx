import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { formatDate } from "~/dates";
import { ErrorPage } from "~/components/error-page";
import { requirePermission } from "~/auth/guard.server";
import { can } from "~/auth/permissions";
import { recordCaseView } from "~/models/audit.server";
import { getCaseOverview } from "~/models/case-workflow.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const actor = await requirePermission(request, "staff.workspace");
  const caseId = params.caseId ?? "";
  const overview = await getCaseOverview(actor, caseId);
  await recordCaseView(actor, caseId, "overview", context.clientIp);
  return json({ caseId, overview, canExport: can(actor, "cases.export") });
}


function ProgressBar({ percent, label }: { percent: number; label: string }) {
  return (
    <div className="h-2 w-full overflow-hidden rounded-full bg-stone-200" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
      <div className="h-full rounded-full bg-brand-600" style={{ width: `${percent}%` }} />
    </div>
  );
}

export default function CaseOverview() {
  const { caseId, overview, canExport } = useLoaderData<typeof loader>();
  const { overall, nextDue } = overview;
  return (
    <div className="space-y-4">
      <section className="card space-y-3" aria-labelledby="progress-title">
        <h2 id="progress-title">Progress</h2>
        {overview.plans.length === 0 ? (
          <p>
            No plan is assigned yet. When the client has a plan, their progress shows here.{" "}
            <Link to={`/cases/${caseId}/plans`}>Go to plans</Link>
          </p>
        ) : (
          <>
            <div className="space-y-1">
              <p className="flex justify-between text-sm">
                <span className="font-medium">All current plans</span>
                <span>{overall.percent}%</span>
              </p>
              <ProgressBar percent={overall.percent} label="Progress across all current plans" />
              <p className="text-sm text-stone-600">
                {overall.done} of {overall.total} steps done
                {overall.skipped ? `, ${overall.skipped} skipped` : ""}.
              </p>
            </div>
            <ul className="space-y-3">
              {overview.plans.map((plan) => (
                <li key={plan.id} className="space-y-1">
                  <p className="flex justify-between text-sm">
                    <span className="font-medium">{plan.title}</span>
                    <span>{plan.percent}%</span>
                  </p>
                  <ProgressBar percent={plan.percent} label={`Progress on ${plan.title}`} />
                  <p className="text-sm text-stone-600">
                    {plan.total === 0
                      ? "No steps yet."
                      : `${plan.done} of ${plan.total} steps done${plan.skipped ? `, ${plan.skipped} skipped` : ""}.`}
                  </p>
                </li>
              ))}
            </ul>
          </>
        )}
      </section>

      <div className="grid gap-4 sm:grid-cols-2">
        <section className="card space-y-2" aria-labelledby="recent-title">
          <h2 id="recent-title">Last {overview.recentDays} days</h2>
          <p className="text-3xl font-semibold">{overall.doneRecently}</p>
          <p className="text-sm text-stone-600">
            {overall.doneRecently === 1 ? "step" : "steps"} completed in the last {overview.recentDays} days.
          </p>
        </section>
        <section className="card space-y-2" aria-labelledby="next-title">
          <h2 id="next-title">Next due step</h2>
          {nextDue ? (
            <>
              <p className="font-medium">{nextDue.title}</p>
              <p className="text-sm text-stone-700">
                {nextDue.planTitle} · due {formatDate(nextDue.dueDate!)}
                {nextDue.overdue ? <span className="ml-2 badge bg-amber-100 text-amber-900">Past its due date</span> : null}
              </p>
              <p className="text-sm text-stone-600">{nextDue.status === "doing" ? "The client has started this step." : "Not started yet."}</p>
            </>
          ) : (
            <p className="text-sm text-stone-600">No open step has a due date.</p>
          )}
        </section>
      </div>

      {canExport ? (
        <p className="text-sm">
          <Link to={`/cases/${caseId}/export`}>Export case</Link>
          <span className="text-stone-600"> — everything on this case, incl. staff notes and internal posts, as a printable page or JSON.</span>
        </p>
      ) : null}
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage notFoundMessage="This case doesn't exist or isn't shared with you." />;
}
