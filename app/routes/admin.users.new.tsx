import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData } from "@remix-run/react";
import { ErrorPage } from "~/components/error-page";
import { Field, FormMessage, SelectField, SubmitButton } from "~/components/form";
import { requirePermission } from "~/auth/guard.server";
import { ROLE_LABELS } from "~/auth/permissions";
import { redirectWithFlash } from "~/flash.server";
import { formError, parseForm, ruleViolationError } from "~/forms.server";
import { inviteSchema, inviteUser } from "~/models/users.server";
import { ROLES } from "../../db/schema";

export const meta: MetaFunction = () => [{ title: "Invite someone · Cairn" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "users.manage");
  return json({});
}

export async function action({ request, context }: ActionFunctionArgs) {
  const actor = await requirePermission(request, "users.manage");
  const formData = await request.formData();
  const parsed = parseForm(formData, inviteSchema);
  if (!parsed.ok) return formError(parsed);
  try {
    const user = await inviteUser(actor, parsed.data, context.clientIp);
    return redirectWithFlash(request, `/admin/users/${user.id}`, {
      kind: "success",
      message: `Invitation sent to ${user.email}. The link works once, for 7 days.`,
    });
  } catch (error) {
    return ruleViolationError(error, formData);
  }
}

export default function InviteUserPage() {
  const actionData = useActionData<typeof action>();
  const errors = actionData?.errors ?? {};
  const values = actionData?.values ?? {};
  return (
    <section className="card max-w-xl space-y-4" aria-labelledby="invite-title">
      <p className="text-sm">
        <Link to="/admin/users">← Users</Link>
      </p>
      <h1 id="invite-title">Invite someone</h1>
      <p className="text-sm text-stone-700">
        They get an email with a link to choose their password. Staff and clients are invited the same way.
      </p>
      <Form method="post" className="space-y-4" noValidate>
        <FormMessage error={errors.form} />
        <Field label="Name" name="name" autoComplete="off" defaultValue={values.name} error={errors.name} required />
        <Field label="Email" name="email" type="email" autoComplete="off" defaultValue={values.email} error={errors.email} required />
        <SelectField
          label="Role"
          name="role"
          defaultValue={values.role ?? "client"}
          error={errors.role}
          options={ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }))}
        />
        <SubmitButton pendingLabel="Sending invitation…">Send invitation</SubmitButton>
      </Form>
    </section>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
