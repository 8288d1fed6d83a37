import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { formatDate } from "~/dates";
import { ErrorPage } from "~/components/error-page";
import { requirePermission } from "~/auth/guard.server";
import { recordCaseView } from "~/models/audit.server";
import { listPlansForCase } from "~/models/plans.server";
import type { StepStatus } from "../../db/schema";

export const meta: MetaFunction = () => [{ title: "Plans · Cairn" }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const actor = await requirePermission(request, "staff.workspace");
  const caseId = params.caseId ?? "";
  const plans = await listPlansForCase(actor, caseId);
  await recordCaseView(actor, caseId, "plans", context.clientIp);
  return json({ caseId, plans });
}


const STATUS_BADGES: Record<StepStatus, { label: string; className: string }> = {
  todo: { label: "Not started", className: "bg-stone-100 text-stone-700" },
  doing: { label: "In progress", className: "bg-sky-50 text-sky-800" },
  done: { label: "Done", className: "bg-brand-50 text-brand-800" },
  skipped: { label: "Skipped", className: "bg-stone-200 text-stone-700" },
};

type PlanData = ReturnType<typeof useLoaderData<typeof loader>>["plans"][number];

function PlanCard({ plan, caseId }: { plan: PlanData; caseId: string }) {
  const titleId = `plan-${plan.id}`;
  const { percent, done, skipped, total } = plan.progress;
  return (
    <article className="card space-y-4" aria-labelledby={titleId}>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="space-y-1">
          <h3 id={titleId} className="text-base font-semibold">
            {plan.title}
          </h3>
          <p className="text-sm text-stone-600">
            Assigned {formatDate(plan.assignedAt)}
            {plan.startDate ? ` · starts ${formatDate(plan.startDate)}` : ""}
            {plan.sequential ? " · steps in order" : ""}
            {plan.archivedAt ? ` · archived ${formatDate(plan.archivedAt)}` : ""}
          </p>
        </div>
        <Link to={`/cases/${caseId}/plans/${plan.id}`} className="btn-secondary">
          {plan.archivedAt ? "Open" : "Edit"}
          <span className="sr-only"> {plan.title}</span>
        </Link>
      </div>
      {plan.summary ? <p className="whitespace-pre-line text-sm text-stone-700">{plan.summary}</p> : null}

      <div className="space-y-1">
        <div
          className="h-2 w-full overflow-hidden rounded-full bg-stone-200"
          role="progressbar"
          aria-label={`Progress on ${plan.title}`}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent}
        >
          <div className="h-full rounded-full bg-brand-600" style={{ width: `${percent}%` }} />
        </div>
        <p className="text-sm text-stone-700">
          {total === 0 ? "No steps yet." : `${percent}% · ${done} of ${total} steps done${skipped ? `, ${skipped} skipped` : ""}`}
        </p>
      </div>

      {plan.steps.length > 0 ? (
        <ol className="divide-y divide-stone-100 rounded-md border border-stone-200">
          {plan.steps.map((step) => {
            const badge = STATUS_BADGES[step.status];
            return (
              <li key={step.id} className="space-y-1 px-3 py-2">
                <div className="flex flex-wrap items-center justify-between gap-2">
                  <span className="text-sm">
                    <span className="text-stone-500">{step.position}. </span>
                    <span className="font-medium">{step.title}</span>
                  </span>
                  <span className="flex flex-wrap items-center gap-2 text-sm">
                    {step.dueDate ? (
                      <span className={step.overdue ? "text-amber-900" : "text-stone-600"}>
                        Due {formatDate(step.dueDate)}
                        {step.overdue ? " · past due" : ""}
                      </span>
                    ) : null}
                    <span className={`badge ${badge.className}`}>{badge.label}</span>
                  </span>
                </div>
                {step.reflection ? (
                  <div className="rounded-md bg-stone-50 px-3 py-2 text-sm">
                    <p className="text-xs font-medium text-stone-600">The client's note</p>
                    <p className="whitespace-pre-line">{step.reflection}</p>
                  </div>
                ) : null}
              </li>
            );
          })}
        </ol>
      ) : null}
    </article>
  );
}

export default function CasePlans() {
  const { caseId, plans } = useLoaderData<typeof loader>();
  const active = plans.filter((p) => !p.archivedAt);
  const archived = plans.filter((p) => p.archivedAt);
  return (
    <div className="space-y-6">
      <section className="space-y-4" aria-labelledby="plans-title">
        <div className="flex flex-wrap items-center justify-between gap-3">
          <h2 id="plans-title">Plans</h2>
          <Link to={`/cases/${caseId}/plans/new`} className="btn">
            Assign a plan
          </Link>
        </div>
        {active.length === 0 ? (
          <p className="card text-sm">
            There's no current plan on this case. Assign one from the practice's templates, then shape it to this client.
          </p>
        ) : (
          active.map((plan) => <PlanCard key={plan.id} plan={plan} caseId={caseId} />)
        )}
      </section>

      {archived.length > 0 ? (
        <section className="space-y-4" aria-labelledby="archived-title">
          <h2 id="archived-title">Archived plans</h2>
          <p className="text-sm text-stone-600">The client no longer sees these. They stay here as a record of the work.</p>
          {archived.map((plan) => (
            <PlanCard key={plan.id} plan={plan} caseId={caseId} />
          ))}
        </section>
      ) : null}
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage notFoundMessage="This case doesn't exist or isn't shared with you." />;
}
