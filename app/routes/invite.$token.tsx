import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ErrorPage } from "~/components/error-page";
import { Field, SubmitButton } from "~/components/form";
import { peekToken } from "~/auth/one-time-tokens.server";
import { newPasswordSchema } from "~/auth/password.server";
import { homePath, ROLE_LABELS } from "~/auth/permissions";
import { sessionCookie } from "~/auth/session.server";
import { redirectWithFlash } from "~/flash.server";
import { formError, parseForm } from "~/forms.server";
import { acceptInvitation, profileSchema } from "~/models/users.server";

export const meta: MetaFunction = () => [{ title: "Accept your invitation · Cairn" }];

export async function loader({ params }: LoaderFunctionArgs) {
  const invitee = await peekToken(params.token ?? "", "invitation");
  return json({ invitee: invitee ? { email: invitee.email, name: invitee.name, roleLabel: ROLE_LABELS[invitee.role] } : null });
}

const schema = profileSchema
  .extend({ password: newPasswordSchema, confirmPassword: z.string() })
  .refine((v) => v.password === v.confirmPassword, { error: "The two passwords don't match.", path: ["confirmPassword"] });

export async function action({ request, params, context }: ActionFunctionArgs) {
  const parsed = parseForm(await request.formData(), schema);
  if (!parsed.ok) return formError(parsed);
  const result = await acceptInvitation(params.token ?? "", parsed.data, context.clientIp, { userAgent: request.headers.get("User-Agent") });
  if (!result) {
    return formError({ errors: { form: "This invitation has expired, was revoked or was already used." }, values: { name: parsed.data.name } });
  }
  return redirectWithFlash(request, homePath(result.user.role), { kind: "success", message: `Welcome to Cairn, ${result.user.name}.` }, [
    sessionCookie(request, result.token, result.expiresAt),
  ]);
}

export default function AcceptInvitationPage() {
  const { invitee } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errors = actionData?.errors ?? {};
  if (!invitee || errors.form) {
    return (
      <section className="card mx-auto max-w-md space-y-4" aria-labelledby="invite-title">
        <h1 id="invite-title">This invitation can't be used</h1>
        <p>{errors.form ?? "It has expired, was revoked or was already used. Invitations work once, for 7 days."} Ask your practice to send a new one.</p>
      </section>
    );
  }
  return (
    <section className="card mx-auto max-w-md space-y-4" aria-labelledby="invite-title">
      <h1 id="invite-title">Welcome to Cairn</h1>
      <p className="text-sm text-stone-700">
        You were invited as <strong>{invitee.roleLabel}</strong> with the email {invitee.email}. Choose how your name appears and set a
        password.
      </p>
      <Form method="post" className="space-y-4" noValidate>
        <Field label="Your name" name="name" autoComplete="name" defaultValue={actionData?.values.name ?? invitee.name} error={errors.name} required />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          hint="At least 10 characters; a passphrase of a few words works well."
          error={errors.password}
          required
        />
        <Field label="Repeat the password" name="confirmPassword" type="password" autoComplete="new-password" error={errors.confirmPassword} required />
        <SubmitButton pendingLabel="Setting up your account…">Set password and sign in</SubmitButton>
      </Form>
    </section>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
