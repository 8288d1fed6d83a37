import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { ErrorPage } from "~/components/error-page";
import { Field, FormMessage, SelectField, SubmitButton } from "~/components/form";
import { requirePermission } from "~/auth/guard.server";
import { redirectWithFlash } from "~/flash.server";
import { formError, parseForm, ruleViolationError } from "~/forms.server";
import { assignPlan, assignPlanSchema, listAssignableTemplates } from "~/models/plans.server";

export const meta: MetaFunction = () => [{ title: "Assign a plan · Cairn" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const actor = await requirePermission(request, "staff.workspace");
  const caseId = params.caseId ?? "";
  const { templates, caseClosed } = await listAssignableTemplates(actor, caseId);
  return json({ caseId, templates, caseClosed });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const actor = await requirePermission(request, "staff.workspace");
  const caseId = params.caseId ?? "";
  // Checks the case first: one the actor may not see is a 404 whatever was posted.
  await listAssignableTemplates(actor, caseId);
  const formData = await request.formData();
  const parsed = parseForm(formData, assignPlanSchema);
  if (!parsed.ok) return formError(parsed);
  try {
    const plan = await assignPlan(actor, caseId, parsed.data, context.clientIp);
    return redirectWithFlash(request, `/cases/${caseId}/plans/${plan.id}`, {
      kind: "success",
      message: `“${plan.title}” is now this case's own plan. Adjust it for the client below.`,
    });
  } catch (error) {
    return ruleViolationError(error, formData);
  }
}

export default function AssignPlan() {
  const { caseId, templates, caseClosed } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errors = actionData?.errors ?? {};
  const values = actionData?.values ?? {};
  return (
    <section className="card max-w-2xl space-y-4" aria-labelledby="assign-title">
      <p className="text-sm">
        <Link to={`/cases/${caseId}/plans`}>← Plans</Link>
      </p>
      <h2 id="assign-title">Assign a plan</h2>
      {caseClosed ? (
        <p>This case is closed. Reopen it before assigning a new plan.</p>
      ) : templates.length === 0 ? (
        <p>
          The practice has no plan templates yet. <Link to="/plans/templates/new">Create a template</Link> first, then come back to
          assign it.
        </p>
      ) : (
        <>
          <p className="text-sm text-stone-700">
            The case gets its own copy of the template: you can change it for this client afterwards, and later edits to the
            template won't touch it.
          </p>
          <Form method="post" className="space-y-4" noValidate>
            <FormMessage error={errors.form} />
            <SelectField
              label="Template"
              name="templateId"
              defaultValue={values.templateId ?? ""}
              error={errors.templateId}
              options={[
                { value: "", label: "Choose a template…" },
                ...templates.map((t) => ({ value: t.id, label: `${t.title} (${t.stepCount} ${t.stepCount === 1 ? "step" : "steps"})` })),
              ]}
            />
            <Field
              label="Start date (optional)"
              name="startDate"
              type="date"
              defaultValue={values.startDate}
              error={errors.startDate}
              hint="With a start date, each step gets a due date from the template's suggested days. Leave it empty to set dates by hand."
            />
            <div className="space-y-1">
              <div className="flex items-start gap-2">
                <input
                  id="sequential"
                  name="sequential"
                  type="checkbox"
                  className="mt-1"
                  defaultChecked={values.sequential === "on"}
                  aria-describedby="sequential-hint"
                />
                <label htmlFor="sequential" className="text-sm font-medium text-stone-800">
                  Take the steps in order
                </label>
              </div>
              <p id="sequential-hint" className="text-xs text-stone-600">
                The client can start a step only once the one before it is done or skipped.
              </p>
            </div>
            <SubmitButton pendingLabel="Assigning…">Assign plan</SubmitButton>
          </Form>
        </>
      )}
    </section>
  );
}

export function ErrorBoundary() {
  return <ErrorPage notFoundMessage="This case doesn't exist or isn't shared with you." />;
}
