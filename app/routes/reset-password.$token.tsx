import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ErrorPage } from "~/components/error-page";
import { Field, SubmitButton } from "~/components/form";
import { peekToken } from "~/auth/one-time-tokens.server";
import { newPasswordSchema } from "~/auth/password.server";
import { homePath } from "~/auth/permissions";
import { sessionCookie } from "~/auth/session.server";
import { redirectWithFlash } from "~/flash.server";
import { formError, parseForm } from "~/forms.server";
import { resetPassword } from "~/models/users.server";

export const meta: MetaFunction = () => [{ title: "Choose a new password · Cairn" }];

export async function loader({ params }: LoaderFunctionArgs) {
  const holder = await peekToken(params.token ?? "", "password_reset");
  return json({ valid: Boolean(holder), email: holder?.email ?? null });
}

const schema = z
  .object({ password: newPasswordSchema, confirmPassword: z.string() })
  .refine((v) => v.password === v.confirmPassword, { error: "The two passwords don't match.", path: ["confirmPassword"] });

export async function action({ request, params, context }: ActionFunctionArgs) {
  const parsed = parseForm(await request.formData(), schema);
  if (!parsed.ok) return formError(parsed);
  const result = await resetPassword(params.token ?? "", parsed.data.password, context.clientIp, {
    userAgent: request.headers.get("User-Agent"),
  });
  if (!result) {
    return formError({ errors: { form: "This link has expired or was already used. Ask for a new one." }, values: {} });
  }
  return redirectWithFlash(request, homePath(result.user.role), { kind: "success", message: "Your password was changed. Other devices were signed out." }, [
    sessionCookie(request, result.token, result.expiresAt),
  ]);
}

export default function ResetPasswordPage() {
  const { valid, email } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errors = actionData?.errors ?? {};
  if (!valid || errors.form) {
    return (
      <section className="card mx-auto max-w-md space-y-4" aria-labelledby="reset-title">
        <h1 id="reset-title">This link can't be used</h1>
        <p>{errors.form ?? "The link has expired or was already used. Reset links work once, for one hour."}</p>
        <p>
          <Link to="/forgot-password">Ask for a new link</Link>
        </p>
      </section>
    );
  }
  return (
    <section className="card mx-auto max-w-md space-y-4" aria-labelledby="reset-title">
      <h1 id="reset-title">Choose a new password</h1>
      <p className="text-sm text-stone-700">For {email}. At least 10 characters; a passphrase of a few words works well.</p>
      <Form method="post" className="space-y-4" noValidate>
        <Field label="New password" name="password" type="password" autoComplete="new-password" error={errors.password} required />
        <Field label="Repeat the new password" name="confirmPassword" type="password" autoComplete="new-password" error={errors.confirmPassword} required />
        <SubmitButton pendingLabel="Saving…">Save password</SubmitButton>
      </Form>
    </section>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
