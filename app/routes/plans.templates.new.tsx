import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData } from "@remix-run/react";
import { ErrorPage } from "~/components/error-page";
import { Field, FormMessage, SubmitButton, TextAreaField } from "~/components/form";
import { requirePermission } from "~/auth/guard.server";
import { redirectWithFlash } from "~/flash.server";
import { formError, parseForm, ruleViolationError } from "~/forms.server";
import { createTemplate, templateSchema } from "~/models/plan-templates.server";

export const meta: MetaFunction = () => [{ title: "New plan template · Cairn" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "staff.workspace");
  return json({});
}

export async function action({ request, context }: ActionFunctionArgs) {
  const actor = await requirePermission(request, "staff.workspace");
  const formData = await request.formData();
  const parsed = parseForm(formData, templateSchema);
  if (!parsed.ok) return formError(parsed);
  try {
    const template = await createTemplate(actor, parsed.data, context.clientIp);
    return redirectWithFlash(request, `/plans/templates/${template.id}`, {
      kind: "success",
      message: "Template created. Now add its steps.",
    });
  } catch (error) {
    return ruleViolationError(error, formData);
  }
}

export default function NewTemplatePage() {
  const actionData = useActionData<typeof action>();
  const errors = actionData?.errors ?? {};
  const values = actionData?.values ?? {};
  return (
    <section className="card max-w-2xl space-y-4" aria-labelledby="new-template-title">
      <p className="text-sm">
        <Link to="/plans/templates">← Plan templates</Link>
      </p>
      <h1 id="new-template-title">New plan template</h1>
      <p className="text-sm text-stone-700">
        Start with a title and a short summary; you add the steps on the next page. You own the templates you create: colleagues can read and
        assign them, and only you and the practice's admins can change them.
      </p>
      <Form method="post" className="space-y-4" noValidate>
        <FormMessage error={errors.form} />
        <Field label="Title" name="title" autoComplete="off" defaultValue={values.title} error={errors.title} required />
        <TextAreaField
          label="Summary"
          name="summary"
          rows={3}
          defaultValue={values.summary}
          error={errors.summary}
          hint="Who the plan is for and what it helps with, in a sentence or two. Optional."
        />
        <SubmitButton pendingLabel="Creating template…">Create template</SubmitButton>
      </Form>
    </section>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
