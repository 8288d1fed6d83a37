import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { ErrorPage } from "~/components/error-page";
import { Field, FormMessage, SelectField, SubmitButton, TextAreaField } from "~/components/form";
import { requirePermission } from "~/auth/guard.server";
import { CONCERN_LABELS } from "~/auth/permissions";
import { redirectWithFlash } from "~/flash.server";
import { formError, parseForm, ruleViolationError } from "~/forms.server";
import { createCase, listPickableClients, newCaseSchema } from "~/models/cases.server";
import { CONCERN_CATEGORIES } from "../../db/schema";

export const meta: MetaFunction = () => [{ title: "New case · Cairn" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const actor = await requirePermission(request, "staff.workspace");
  const clients = await listPickableClients(actor);
  return json({ clients });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const actor = await requirePermission(request, "staff.workspace");
  const formData = await request.formData();
  const parsed = parseForm(formData, newCaseSchema);
  if (!parsed.ok) return formError(parsed);
  try {
    const created = await createCase(actor, parsed.data, context.clientIp);
    const message = created.clientInvited
      ? `Case opened, and you are its lead. We emailed ${created.client.email} an invitation to join Cairn.`
      : `Case opened for ${created.client.name}, and you are its lead.`;
    return redirectWithFlash(request, `/cases/${created.case.id}`, { kind: "success", message });
  } catch (error) {
    return ruleViolationError(error, formData);
  }
}

export default function NewCasePage() {
  const { clients } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errors: Record<string, string> = actionData?.errors ?? {};
  const values: Record<string, string> = actionData?.values ?? {};
  return (
    <section className="card max-w-2xl space-y-4" aria-labelledby="new-case-title">
      <p className="text-sm">
        <Link to="/cases">← Cases</Link>
      </p>
      <h1 id="new-case-title">Open a case</h1>
      <p className="text-sm text-stone-700">
        A case holds everything you do with one client: their plans, check-ins and questions. You become its lead and can
        add colleagues later.
      </p>
      <Form method="post" className="space-y-6" noValidate>
        <FormMessage error={errors.form} />
        <fieldset className="space-y-4">
          <legend className="mb-2 font-semibold">Client</legend>
          {clients.length > 0 ? (
            <SelectField
              label="Existing client"
              name="clientId"
              defaultValue={values.clientId ?? ""}
              error={errors.clientId}
              options={[
                { value: "", label: "Someone new, or not in this list" },
                ...clients.map((c) => ({ value: c.id, label: `${c.name} (${c.email})` })),
              ]}
            />
          ) : null}
          <p className="text-sm text-stone-700">
            {clients.length > 0
              ? "For someone not in the list, leave it on “Someone new” and enter their name and email:"
              : "Enter the client's name and email:"}
          </p>
          <Field label="Client's name" name="clientName" autoComplete="off" defaultValue={values.clientName} error={errors.clientName} />
          <Field
            label="Client's email"
            name="clientEmail"
            type="email"
            autoComplete="off"
            defaultValue={values.clientEmail}
            error={errors.clientEmail}
            hint="If this email already has a client account, the case is opened for that client. Otherwise we send them an invitation to choose a password."
          />
        </fieldset>
        <fieldset className="space-y-4">
          <legend className="mb-2 font-semibold">The case</legend>
          <Field
            label="Title"
            name="title"
            autoComplete="off"
            defaultValue={values.title}
            error={errors.title}
            hint="A short name you'll recognise in the case list, e.g. “Rebuilding trust after the move”."
            required
          />
          <SelectField
            label="Main concern"
            name="concernCategory"
            defaultValue={values.concernCategory ?? ""}
            error={errors.concernCategory}
            options={[
              { value: "", label: "Choose one" },
              ...CONCERN_CATEGORIES.map((c) => ({ value: c, label: CONCERN_LABELS[c] })),
            ]}
          />
          <TextAreaField
            label="What's going on"
            name="concern"
            defaultValue={values.concern}
            error={errors.concern}
            hint="Optional. A few lines in your own words about what brought them here."
          />
          <Field
            label="Check-in every (days)"
            name="checkInEveryDays"
            type="number"
            defaultValue={values.checkInEveryDays ?? "7"}
            error={errors.checkInEveryDays}
            hint="How often the client is asked to check in, from 1 to 90 days. Weekly suits most people."
          />
        </fieldset>
        <SubmitButton pendingLabel="Opening the case…">Open case</SubmitButton>
      </Form>
    </section>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
