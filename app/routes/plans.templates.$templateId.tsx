import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { ErrorPage } from "~/components/error-page";
import { Field, FormMessage, SubmitButton, TextAreaField } from "~/components/form";
import { Markdown } from "~/components/markdown";
import { requirePermission } from "~/auth/guard.server";
import { redirectWithFlash } from "~/flash.server";
import { formError, parseForm, ruleViolationError } from "~/forms.server";
import { forbidden } from "~/models/errors.server";
import {
  addTemplateStep,
  archiveTemplate,
  getTemplate,
  moveTemplateStep,
  removeTemplateStep,
  restoreTemplate,
  stepSchema,
  templateSchema,
  updateTemplate,
  updateTemplateStep,
} from "~/models/plan-templates.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.template.title ?? "Plan template"} · Cairn` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const actor = await requirePermission(request, "staff.workspace");
  const template = await getTemplate(actor, params.templateId ?? "");
  return json({ template });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const actor = await requirePermission(request, "staff.workspace");
  // Loading first: an unknown id is 404 for every intent; someone else's template is 403
  // before anything they posted is even read.
  const template = await getTemplate(actor, params.templateId ?? "");
  if (!template.canEdit) throw forbidden();
  const formData = await request.formData();
  const intent = String(formData.get("intent") ?? "");
  const stepId = String(formData.get("stepId") ?? "");
  const back = `/plans/templates/${template.id}`;
  const ip = context.clientIp;
  try {
    switch (intent) {
      case "details": {
        const parsed = parseForm(formData, templateSchema);
        if (!parsed.ok) return formError(parsed, { intent, stepId });
        await updateTemplate(actor, template.id, parsed.data, ip);
        return redirectWithFlash(request, back, { kind: "success", message: "Template details saved." });
      }
      case "add-step": {
        const parsed = parseForm(formData, stepSchema);
        if (!parsed.ok) return formError(parsed, { intent, stepId });
        const step = await addTemplateStep(actor, template.id, parsed.data, ip);
        return redirectWithFlash(request, `${back}#step-${step.id}`, { kind: "success", message: `Step ${step.position} added.` });
      }
      case "edit-step": {
        const parsed = parseForm(formData, stepSchema);
        if (!parsed.ok) return formError(parsed, { intent, stepId });
        await updateTemplateStep(actor, template.id, stepId, parsed.data, ip);
        return redirectWithFlash(request, `${back}#step-${stepId}`, { kind: "success", message: "Step saved." });
      }
      case "move-up":
      case "move-down": {
        const direction = intent === "move-up" ? "up" : "down";
        const moved = await moveTemplateStep(actor, template.id, stepId, direction, ip);
        return redirectWithFlash(
          request,
          `${back}#step-${stepId}`,
          moved
            ? { kind: "success", message: `Step moved ${direction}.` }
            : { kind: "info", message: direction === "up" ? "That step is already the first." : "That step is already the last." },
        );
      }
      case "remove-step":
        await removeTemplateStep(actor, template.id, stepId, ip);
        return redirectWithFlash(request, `${back}#steps-title`, { kind: "success", message: "Step removed." });
      case "archive":
        await archiveTemplate(actor, template.id, ip);
        return redirectWithFlash(request, back, {
          kind: "success",
          message: "Template archived. It is no longer offered when assigning plans; plans already assigned are unchanged.",
        });
      case "restore":
        await restoreTemplate(actor, template.id, ip);
        return redirectWithFlash(request, back, { kind: "success", message: "Template restored. It can be assigned again." });
      default:
        return formError({ errors: { form: "Unknown action." }, values: {} }, { intent, stepId });
    }
  } catch (error) {
    return ruleViolationError(error, formData, { intent, stepId });
  }
}

type Template = ReturnType<typeof useLoaderData<typeof loader>>["template"];
type Step = Template["steps"][number];
type FormState = { errors: Record<string, string>; values: Record<string, string> } | null;

export default function TemplatePage() {
  const { template } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const failedFor = (intent: string, stepId = ""): FormState =>
    actionData && actionData.intent === intent && actionData.stepId === stepId ? actionData : null;
  const archived = template.archivedAt !== null;
  const editable = template.canEdit && !archived;
  const steps = template.steps;
  const details = failedFor("details");
  // Messages that belong to no single form (e.g. "restore it first") show at the top.
  const pageError =
    actionData && !["details", "add-step", "edit-step"].includes(actionData.intent) ? actionData.errors.form : undefined;

  return (
    <div className="space-y-6">
      <p className="text-sm">
        <Link to="/plans/templates">← Plan templates</Link>
      </p>
      <header className="space-y-2">
        <h1>{template.title}</h1>
        <p className="text-sm text-stone-700">
          {steps.length === 1 ? "1 step" : `${steps.length} steps`} · owned by {template.ownerName ?? "the practice"} · last changed{" "}
          {new Date(template.updatedAt).toISOString().slice(0, 10)}
          {archived ? (
            <>
              {" "}
              · <span className="badge bg-stone-200 text-stone-700">Archived</span>
            </>
          ) : null}
        </p>
        {template.summary ? <p className="max-w-prose whitespace-pre-line">{template.summary}</p> : null}
        {!template.canEdit ? (
          <p className="text-sm text-stone-700">
            You can read this template and assign it to your cases. Only its owner and the practice's admins can change it.
          </p>
        ) : archived ? (
          <p className="text-sm text-stone-700">This template is archived: it isn't offered when assigning plans. Restore it to change or assign it.</p>
        ) : null}
      </header>
      <FormMessage error={pageError} />

      {editable ? (
        <section className="card max-w-2xl space-y-3" aria-labelledby="details-title">
          <h2 id="details-title">Details</h2>
          <Form method="post" className="space-y-4" noValidate>
            <FormMessage error={details?.errors.form} />
            <Field label="Title" name="title" autoComplete="off" defaultValue={details?.values.title ?? template.title} error={details?.errors.title} required />
            <TextAreaField
              label="Summary"
              name="summary"
              rows={3}
              defaultValue={details?.values.summary ?? template.summary}
              error={details?.errors.summary}
              hint="Who the plan is for and what it helps with, in a sentence or two."
            />
            <SubmitButton name="intent" value="details" pendingLabel="Saving…">
              Save details
            </SubmitButton>
          </Form>
        </section>
      ) : null}

      <section className="space-y-3" aria-labelledby="steps-title">
        <h2 id="steps-title" tabIndex={-1}>
          Steps
        </h2>
        {steps.length === 0 ? (
          <p className="card text-stone-700">{editable ? "No steps yet. Add the first one below." : "This template has no steps yet."}</p>
        ) : (
          <ol className="space-y-3">
            {steps.map((step, index) => (
              <StepItem
                key={step.id}
                step={step}
                number={index + 1}
                isFirst={index === 0}
                isLast={index === steps.length - 1}
                editable={editable}
                failed={failedFor("edit-step", step.id)}
              />
            ))}
          </ol>
        )}
      </section>

      {editable ? <AddStep failed={failedFor("add-step")} nextNumber={steps.length + 1} /> : null}

      {template.canEdit ? (
        <section className="card max-w-2xl space-y-3" aria-labelledby="archive-title">
          <h2 id="archive-title">{archived ? "Restore" : "Archive"}</h2>
          {archived ? (
            <>
              <p className="text-sm">Restoring puts the template back in the active list, ready to change and assign.</p>
              <Form method="post">
                <SubmitButton name="intent" value="restore" pendingLabel="Restoring…">
                  Restore template
                </SubmitButton>
              </Form>
            </>
          ) : (
            <>
              <p className="text-sm">
                Archiving takes the template out of the active list and out of the choices when assigning a plan. Plans already assigned from it
                stay exactly as they are, and you can restore it at any time.
              </p>
              <Form method="post">
                <SubmitButton name="intent" value="archive" variant="danger" pendingLabel="Archiving…">
                  Archive template
                </SubmitButton>
              </Form>
            </>
          )}
        </section>
      ) : null}
    </div>
  );
}

function StepItem({
  step,
  number,
  isFirst,
  isLast,
  editable,
  failed,
}: {
  step: Step;
  number: number;
  isFirst: boolean;
  isLast: boolean;
  editable: boolean;
  failed: FormState;
}) {
  const headingId = `step-${step.id}-title`;
  // Every control names its step, so a screen reader's list of buttons stays unambiguous.
  const which = `step ${number}, ${step.title}`;
  return (
    <li id={`step-${step.id}`} className="card space-y-3" aria-labelledby={headingId}>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <h3 id={headingId} className="font-semibold">
          <span className="text-stone-600">Step {number}:</span> {step.title}
        </h3>
        {editable ? (
          <div className="flex flex-wrap gap-2">
            {!isFirst ? (
              <StepAction stepId={step.id} intent="move-up" pendingLabel="Moving…" which={which}>
                Move up
              </StepAction>
            ) : null}
            {!isLast ? (
              <StepAction stepId={step.id} intent="move-down" pendingLabel="Moving…" which={which}>
                Move down
              </StepAction>
            ) : null}
            <StepAction stepId={step.id} intent="remove-step" pendingLabel="Removing…" which={which} danger>
              Remove step
            </StepAction>
          </div>
        ) : null}
      </div>
      {step.suggestedDays !== null || step.resourceUrl ? (
        <dl className="flex flex-wrap gap-x-6 gap-y-1 text-sm text-stone-700">
          {step.suggestedDays !== null ? (
            <div className="flex gap-1">
              <dt>Suggested time:</dt>
              <dd>{step.suggestedDays === 1 ? "1 day" : `${step.suggestedDays} days`}</dd>
            </div>
          ) : null}
          {step.resourceUrl ? (
            <div className="flex min-w-0 gap-1">
              <dt>Resource:</dt>
              <dd className="min-w-0 break-all">
                <a href={step.resourceUrl} rel="nofollow noopener noreferrer">
                  {step.resourceUrl}
                </a>
              </dd>
            </div>
          ) : null}
        </dl>
      ) : null}
      {step.guidance ? <Markdown>{step.guidance}</Markdown> : <p className="text-sm text-stone-600">No guidance written yet.</p>}
      {editable ? (
        <details open={failed ? true : undefined} className="rounded-md border border-stone-200 p-3">
          <summary className="cursor-pointer text-sm font-medium text-brand-700">
            Edit step {number}
            <span className="sr-only">: {step.title}</span>
          </summary>
          <Form method="post" className="mt-3 space-y-4" noValidate aria-label={`Edit ${which}`}>
            <input type="hidden" name="stepId" value={step.id} />
            <FormMessage error={failed?.errors.form} />
            <StepFields
              values={
                failed?.values ?? {
                  title: step.title,
                  guidance: step.guidance,
                  resourceUrl: step.resourceUrl ?? "",
                  suggestedDays: step.suggestedDays === null ? "" : String(step.suggestedDays),
                }
              }
              errors={failed?.errors ?? {}}
            />
            <SubmitButton name="intent" value="edit-step" pendingWhen={{ stepId: step.id }} pendingLabel="Saving…">
              Save step
            </SubmitButton>
          </Form>
        </details>
      ) : null}
    </li>
  );
}

/** A one-button form (move, remove) that works without JavaScript and names its step. */
function StepAction({
  stepId,
  intent,
  which,
  pendingLabel,
  danger,
  children,
}: {
  stepId: string;
  intent: string;
  which: string;
  pendingLabel: string;
  danger?: boolean;
  children: string;
}) {
  return (
    <Form method="post" preventScrollReset>
      <input type="hidden" name="stepId" value={stepId} />
      <SubmitButton
        name="intent"
        value={intent}
        pendingWhen={{ stepId }}
        pendingLabel={pendingLabel}
        variant={danger ? "danger" : "secondary"}
        compact
      >
        {children}
        <span className="sr-only">: {which}</span>
      </SubmitButton>
    </Form>
  );
}

function AddStep({ failed, nextNumber }: { failed: FormState; nextNumber: number }) {
  return (
    <section className="card max-w-2xl space-y-3" aria-labelledby="add-step-title">
      <h2 id="add-step-title">Add a step</h2>
      <p className="text-sm text-stone-700">The new step becomes step {nextNumber}; move it afterwards if it belongs earlier.</p>
      <Form method="post" className="space-y-4" noValidate aria-labelledby="add-step-title">
        <FormMessage error={failed?.errors.form} />
        <StepFields values={failed?.values ?? {}} errors={failed?.errors ?? {}} />
        <SubmitButton name="intent" value="add-step" pendingLabel="Adding step…">
          Add step
        </SubmitButton>
      </Form>
    </section>
  );
}

function StepFields({ values, errors }: { values: Record<string, string>; errors: Record<string, string> }) {
  return (
    <>
      <Field label="Title" name="title" autoComplete="off" defaultValue={values.title} error={errors.title} required />
      <TextAreaField
        label="Guidance"
        name="guidance"
        rows={6}
        defaultValue={values.guidance}
        error={errors.guidance}
        hint="What the client reads for this step. Markdown works: *italic*, **bold**, lists starting with “-” or “1.”, and links."
      />
      <div className="grid gap-4 sm:grid-cols-[2fr_1fr]">
        <Field
          label="Resource link"
          name="resourceUrl"
          type="url"
          autoComplete="off"
          defaultValue={values.resourceUrl}
          error={errors.resourceUrl}
          hint="Optional. A web address starting with http:// or https://."
        />
        <Field
          label="Suggested days"
          name="suggestedDays"
          type="number"
          defaultValue={values.suggestedDays}
          error={errors.suggestedDays}
          hint="Optional. A whole number from 0 to 365."
        />
      </div>
    </>
  );
}

export function ErrorBoundary() {
  return <ErrorPage notFoundMessage="This template doesn't exist, or it isn't shared with you." />;
}
