import type { ActionFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData } from "@remix-run/react";
import { z } from "zod";
import { ErrorPage } from "~/components/error-page";
import { Field, SubmitButton } from "~/components/form";
import { formError, parseForm } from "~/forms.server";
import { requestPasswordReset } from "~/models/users.server";

export const meta: MetaFunction = () => [{ title: "Reset your password · Cairn" }];

const schema = z.object({
  email: z.string().trim().max(254, { error: "Use at most 254 characters." }).pipe(z.email({ error: "Enter the email address you sign in with." })),
});

export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = parseForm(await request.formData(), schema);
  if (!parsed.ok) return formError(parsed);
  await requestPasswordReset(parsed.data.email, context.clientIp);
  return json({ ok: true as const, email: parsed.data.email });
}

export default function ForgotPasswordPage() {
  const actionData = useActionData<typeof action>();
  return (
    <section className="card mx-auto max-w-md space-y-4" aria-labelledby="forgot-title">
      <h1 id="forgot-title">Reset your password</h1>
      {actionData?.ok ? (
        <p role="status">
          If <strong>{actionData.email}</strong> belongs to an account, we have sent it a link to choose a new password. The link
          works once, for one hour.
        </p>
      ) : (
        <Form method="post" className="space-y-4" noValidate>
          <p className="text-sm text-stone-700">Enter the email you sign in with and we'll send you a link to choose a new password.</p>
          <Field
            label="Email"
            name="email"
            type="email"
            autoComplete="username"
            defaultValue={actionData && !actionData.ok ? actionData.values.email : undefined}
            error={actionData && !actionData.ok ? actionData.errors.email : undefined}
            required
          />
          <SubmitButton pendingLabel="Sending…">Send reset link</SubmitButton>
        </Form>
      )}
      <p className="text-sm">
        <Link to="/login">Back to sign in</Link>
      </p>
    </section>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
