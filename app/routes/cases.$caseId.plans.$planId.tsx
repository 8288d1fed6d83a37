import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { formatDate } from "~/dates";
import { ErrorPage } from "~/components/error-page";
import { Field, FormMessage, SubmitButton, TextAreaField } from "~/components/form";
import { Markdown } from "~/components/markdown";
import { requirePermission } from "~/auth/guard.server";
import { recordCaseView } from "~/models/audit.server";
import { redirectWithFlash } from "~/flash.server";
import { formError, formValues, parseForm, ruleViolationError } from "~/forms.server";
import { RuleViolation } from "~/models/errors.server";
import {
  addStep,
  archivePlan,
  editPlan,
  editStep,
  getPlanForEditing,
  moveStep,
  planDetailsSchema,
  planStepSchema,
  planVersionSchema,
  removeStep,
  StalePlanEdit,
  unarchivePlan,
} from "~/models/plans.server";
import type { StepStatus } from "../../db/schema";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.plan.title ?? "Plan"} · Cairn` }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const actor = await requirePermission(request, "staff.workspace");
  const caseId = params.caseId ?? "";
  const plan = await getPlanForEditing(actor, caseId, params.planId ?? "");
  await recordCaseView(actor, caseId, "plan", context.clientIp, { type: "plan", id: plan.id });
  return json({ caseId, plan });
}

// Per-step buttons carry the step in their value ("move-up:<step id>"), so each form posts
// exactly one step and only the clicked button shows its pending label.
// Every form also carries the plan version the page showed (`version`): when a colleague saved a
// change since, the model refuses the edit and this answers 409 with what was typed, kept in the form.
export async function action({ request, params, context }: ActionFunctionArgs) {
  const actor = await requirePermission(request, "staff.workspace");
  const caseId = params.caseId ?? "";
  // Loading first: a case or plan the actor may not see is a 404 for every intent.
  const plan = await getPlanForEditing(actor, caseId, params.planId ?? "");
  const formData = await request.formData();
  const intent = String(formData.get("intent") ?? "");
  const [verb = "", stepId = ""] = intent.split(":");
  const here = `/cases/${caseId}/plans/${plan.id}`;
  const ip = context.clientIp;
  const loadedVersion = () => {
    const parsed = planVersionSchema.safeParse({ version: formData.get("version") ?? undefined });
    if (!parsed.success) throw new RuleViolation(parsed.error.issues[0]?.message ?? "Reload the page and try again.", "form");
    return parsed.data.version;
  };
  try {
    switch (verb) {
      case "plan": {
        const parsed = parseForm(formData, planDetailsSchema);
        if (!parsed.ok) return formError(parsed, { intent });
        await editPlan(actor, caseId, plan.id, parsed.data, ip, loadedVersion());
        return redirectWithFlash(request, here, { kind: "success", message: "Plan details saved." });
      }
      case "add-step": {
        const parsed = parseForm(formData, planStepSchema);
        if (!parsed.ok) return formError(parsed, { intent });
        const step = await addStep(actor, caseId, plan.id, parsed.data, ip, loadedVersion());
        return redirectWithFlash(request, `${here}#step-${step.id}`, { kind: "success", message: `Step “${step.title}” added.` });
      }
      case "save-step": {
        const parsed = parseForm(formData, planStepSchema);
        if (!parsed.ok) return formError(parsed, { intent });
        const step = await editStep(actor, caseId, plan.id, stepId, parsed.data, ip, loadedVersion());
        return redirectWithFlash(request, `${here}#step-${step.id}`, { kind: "success", message: `Step “${step.title}” saved.` });
      }
      case "move-up":
      case "move-down": {
        const direction = verb === "move-up" ? "up" : "down";
        const step = await moveStep(actor, caseId, plan.id, stepId, direction, ip, loadedVersion());
        return redirectWithFlash(request, `${here}#step-${step.id}`, {
          kind: "success",
          message: `“${step.title}” is now step ${step.position}.`,
        });
      }
      case "remove-step": {
        const step = await removeStep(actor, caseId, plan.id, stepId, ip, loadedVersion());
        return redirectWithFlash(request, here, { kind: "success", message: `Step “${step.title}” removed.` });
      }
      case "archive":
        await archivePlan(actor, caseId, plan.id, ip, loadedVersion());
        return redirectWithFlash(request, `/cases/${caseId}/plans`, {
          kind: "success",
          message: `“${plan.title}” is archived. The client no longer sees it; it stays readable here.`,
        });
      case "restore":
        await unarchivePlan(actor, caseId, plan.id, ip, loadedVersion());
        return redirectWithFlash(request, here, { kind: "success", message: `“${plan.title}” is back in the client's portal.` });
      default:
        return formError({ errors: { form: "That action isn't available here." }, values: {} }, { intent });
    }
  } catch (error) {
    if (error instanceof StalePlanEdit) {
      return json({ ok: false as const, intent, stale: true, errors: { form: error.message }, values: formValues(formData) }, { status: error.status });
    }
    return ruleViolationError(error, formData, { intent });
  }
}


const STATUS_LABELS: Record<StepStatus, string> = {
  todo: "Not started",
  doing: "In progress",
  done: "Done",
  skipped: "Skipped",
};

type Failure = { intent: string; errors: Record<string, string>; values: Record<string, string>; stale?: boolean };

/** A form's message; after a refused stale save, with the way to the plan as it is now. */
function FailureMessage({ failure, planPath }: { failure: Failure | null; planPath: string }) {
  if (!failure?.errors.form) return null;
  return (
    <div className="space-y-1">
      <FormMessage error={failure.errors.form} />
      {failure.stale ? (
        <p className="text-sm text-stone-700">
          <Link to={planPath}>Show the plan as it is now</Link> (what you typed is not kept), or save again to replace their change with
          yours.
        </p>
      ) : null}
    </div>
  );
}

/** The plan version this page shows: every edit form sends it, so a stale save is refused. */
function VersionField({ version }: { version: number }) {
  return <input type="hidden" name="version" value={version} />;
}

type StepValues = { title: string; guidance: string; resourceUrl: string | null; dueDate: string | null };

/** The editable fields of a step; the same for a new step and an existing one. */
function StepFields({ step, failure }: { step: StepValues; failure: Failure | null }) {
  const errors = failure?.errors ?? {};
  const value = (name: keyof StepValues) => (failure ? (failure.values[name] ?? "") : (step[name] ?? ""));
  return (
    <div className="space-y-3">
      <Field label="Step title" name="title" defaultValue={value("title")} error={errors.title} required />
      <TextAreaField
        label="Guidance"
        name="guidance"
        defaultValue={value("guidance")}
        error={errors.guidance}
        hint="What the client reads for this step. Markdown works: **bold**, lists, links."
      />
      <div className="grid gap-3 sm:grid-cols-2">
        <Field label="Resource link (optional)" name="resourceUrl" type="url" defaultValue={value("resourceUrl")} error={errors.resourceUrl} />
        <Field label="Due date (optional)" name="dueDate" type="date" defaultValue={value("dueDate")} error={errors.dueDate} />
      </div>
    </div>
  );
}

export default function EditPlan() {
  const { caseId, plan } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const failure: Failure | null = actionData && !actionData.ok ? { ...actionData, intent: String(actionData.intent ?? "") } : null;
  const failureFor = (intent: string) => (failure?.intent === intent ? failure : null);
  const archived = Boolean(plan.archivedAt);
  const details = failureFor("plan");
  const { percent, done, skipped, total } = plan.progress;
  const failedStep = failure ? plan.steps.find((s) => failure.intent.endsWith(`:${s.id}`)) : undefined;
  // A failed form shows its message in place; anything else (archive, restore, …) up here.
  const shownInPlace = Boolean(failedStep) || (!archived && (failure?.intent === "plan" || failure?.intent === "add-step"));
  const planPath = `/cases/${caseId}/plans/${plan.id}`;

  return (
    <div className="space-y-6">
      <p className="text-sm">
        <Link to={`/cases/${caseId}/plans`}>← All plans on this case</Link>
      </p>
      <div className="space-y-1">
        <h2>{plan.title}</h2>
        <p className="text-sm text-stone-700">
          {percent}% · {done} of {total} steps done{skipped ? `, ${skipped} skipped` : ""}
          {plan.startDate ? ` · started ${formatDate(plan.startDate)}` : ""}
        </p>
      </div>

      {failure && !shownInPlace ? <FailureMessage failure={failure} planPath={planPath} /> : null}

      {archived ? (
        <section className="card space-y-3" aria-labelledby="archived-title">
          <h3 id="archived-title" className="font-semibold">
            This plan is archived
          </h3>
          <p className="text-sm">
            It was archived on {formatDate(plan.archivedAt!)}. The client doesn't see it, and it can't be changed until it's restored.
          </p>
          <Form method="post">
            <VersionField version={plan.version} />
            <SubmitButton name="intent" value="restore" pendingLabel="Restoring…">
              Restore plan
            </SubmitButton>
          </Form>
        </section>
      ) : (
        <section className="card space-y-3" aria-labelledby="details-title">
          <h3 id="details-title" className="font-semibold">
            Plan details
          </h3>
          <Form method="post" className="space-y-3" noValidate>
            <VersionField version={plan.version} />
            <FailureMessage failure={details} planPath={planPath} />
            <Field label="Plan title" name="title" defaultValue={details ? details.values.title : plan.title} error={details?.errors.title} required />
            <TextAreaField
              label="Summary"
              name="summary"
              rows={3}
              defaultValue={details ? (details.values.summary ?? "") : plan.summary}
              error={details?.errors.summary}
              hint="Shown to the client above the steps."
            />
            <div className="space-y-1">
              <div className="flex items-start gap-2">
                <input
                  id="plan-sequential"
                  name="sequential"
                  type="checkbox"
                  className="mt-1"
                  defaultChecked={details ? details.values.sequential === "on" : plan.sequential}
                  aria-describedby="plan-sequential-hint"
                />
                <label htmlFor="plan-sequential" className="text-sm font-medium text-stone-800">
                  Take the steps in order
                </label>
              </div>
              <p id="plan-sequential-hint" className="text-xs text-stone-600">
                The client can start a step only once the one before it is done or skipped.
              </p>
            </div>
            <SubmitButton name="intent" value="plan" pendingLabel="Saving…">
              Save plan details
            </SubmitButton>
          </Form>
        </section>
      )}

      <section className="space-y-3" aria-labelledby="steps-title">
        <h3 id="steps-title" className="font-semibold">
          Steps
        </h3>
        {plan.steps.length === 0 ? <p className="card text-sm">This plan has no steps yet.</p> : null}
        <ol className="space-y-4">
          {plan.steps.map((step, index) => {
            const label = `: ${step.title} (step ${step.position})`;
            const saveIntent = `save-step:${step.id}`;
            const stepFailure = failedStep?.id === step.id ? failure : null;
            return (
              <li key={step.id} id={`step-${step.id}`} className="card space-y-3" aria-labelledby={`step-title-${step.id}`}>
                <div className="flex flex-wrap items-center justify-between gap-2">
                  <h4 id={`step-title-${step.id}`} className="font-medium">
                    Step {step.position}: {step.title}
                  </h4>
                  <p className="text-sm text-stone-700">
                    {STATUS_LABELS[step.status]}
                    {step.completedAt && step.status === "done" ? ` on ${formatDate(step.completedAt)}` : ""}
                    {step.overdue ? " · past its due date" : ""}
                  </p>
                </div>
                <FailureMessage failure={stepFailure} planPath={planPath} />
                {step.reflection ? (
                  <div className="rounded-md bg-stone-50 px-3 py-2 text-sm">
                    <p className="text-xs font-medium text-stone-600">The client's note</p>
                    <p className="whitespace-pre-line">{step.reflection}</p>
                  </div>
                ) : null}
                {archived ? (
                  <div className="space-y-2 text-sm">
                    {step.guidance ? <Markdown>{step.guidance}</Markdown> : null}
                    {step.resourceUrl ? (
                      <p>
                        <a href={step.resourceUrl} rel="nofollow noopener noreferrer">
                          Resource for this step
                        </a>
                      </p>
                    ) : null}
                    {step.dueDate ? <p>Due {formatDate(step.dueDate)}</p> : null}
                  </div>
                ) : (
                  <>
                    <Form method="post" className="space-y-3" noValidate key={`${step.id}-${step.updatedAt}`}>
                      <VersionField version={plan.version} />
                      <StepFields step={step} failure={stepFailure?.intent === saveIntent ? stepFailure : null} />
                      <SubmitButton name="intent" value={saveIntent} pendingLabel="Saving…">
                        Save step<span className="sr-only">{label}</span>
                      </SubmitButton>
                    </Form>
                    <div className="flex flex-wrap gap-2 border-t border-stone-100 pt-3">
                      {index > 0 ? (
                        <Form method="post">
                          <VersionField version={plan.version} />
                          <SubmitButton name="intent" value={`move-up:${step.id}`} variant="secondary" pendingLabel="Moving…">
                            Move up<span className="sr-only">{label}</span>
                          </SubmitButton>
                        </Form>
                      ) : null}
                      {index < plan.steps.length - 1 ? (
                        <Form method="post">
                          <VersionField version={plan.version} />
                          <SubmitButton name="intent" value={`move-down:${step.id}`} variant="secondary" pendingLabel="Moving…">
                            Move down<span className="sr-only">{label}</span>
                          </SubmitButton>
                        </Form>
                      ) : null}
                      <Form method="post" className="ml-auto">
                        <VersionField version={plan.version} />
                        <SubmitButton name="intent" value={`remove-step:${step.id}`} variant="danger" pendingLabel="Removing…">
                          Remove step<span className="sr-only">{label}</span>
                        </SubmitButton>
                      </Form>
                    </div>
                  </>
                )}
              </li>
            );
          })}
        </ol>
      </section>

      {archived ? null : (
        <>
          <section className="card space-y-3" aria-labelledby="add-step-title">
            <h3 id="add-step-title" className="font-semibold">
              Add a step
            </h3>
            <Form method="post" className="space-y-3" noValidate>
              <VersionField version={plan.version} />
              <FailureMessage failure={failureFor("add-step")} planPath={planPath} />
              <StepFields step={{ title: "", guidance: "", resourceUrl: null, dueDate: null }} failure={failureFor("add-step")} />
              <SubmitButton name="intent" value="add-step" pendingLabel="Adding…">
                Add step
              </SubmitButton>
            </Form>
          </section>

          <section className="card space-y-3" aria-labelledby="archive-title">
            <h3 id="archive-title" className="font-semibold">
              Archive this plan
            </h3>
            <p className="text-sm">
              When the work on this plan is over, archive it: it leaves the client's portal but stays readable here, with
              the client's notes. You can restore it later.
            </p>
            <Form method="post">
              <VersionField version={plan.version} />
              <SubmitButton name="intent" value="archive" variant="secondary" pendingLabel="Archiving…">
                Archive plan
              </SubmitButton>
            </Form>
          </section>
        </>
      )}
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage notFoundMessage="This plan doesn't exist on this case, or the case isn't shared with you." />;
}
