import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ErrorPage } from "~/components/error-page";
import { Field, FormMessage, SubmitButton } from "~/components/form";
import { requirePermission } from "~/auth/guard.server";
import { newPasswordSchema } from "~/auth/password.server";
import { ROLE_LABELS } from "~/auth/permissions";
import { sessionCookie } from "~/auth/session.server";
import { redirectWithFlash } from "~/flash.server";
import { formError, parseForm, ruleViolationError } from "~/forms.server";
import { changePassword, profileSchema, updateProfile } from "~/models/users.server";

export const meta: MetaFunction = () => [{ title: "Your account · Cairn" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "account.manage");
  return json({ user });
}

const passwordSchema = z
  .object({
    currentPassword: z.string().min(1, { error: "Enter your current password." }),
    newPassword: newPasswordSchema,
    confirmPassword: z.string(),
  })
  .refine((v) => v.newPassword === v.confirmPassword, { error: "The two passwords don't match.", path: ["confirmPassword"] });

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requirePermission(request, "account.manage");
  const formData = await request.formData();
  const intent = formData.get("intent");
  if (intent === "profile") {
    const parsed = parseForm(formData, profileSchema);
    if (!parsed.ok) return formError(parsed, { intent });
    await updateProfile(user, parsed.data, context.clientIp);
    return redirectWithFlash(request, "/account", { kind: "success", message: "Your name was saved." });
  }
  if (intent === "password") {
    const parsed = parseForm(formData, passwordSchema);
    if (!parsed.ok) return formError(parsed, { intent });
    try {
      const session = await changePassword(user, parsed.data, context.clientIp);
      return redirectWithFlash(
        request,
        "/account",
        { kind: "success", message: "Your password was changed. You were signed out on every other device." },
        [sessionCookie(request, session.token, session.expiresAt)],
      );
    } catch (error) {
      return ruleViolationError(error, formData, { intent });
    }
  }
  return formError({ errors: { form: "Unknown action." }, values: {} });
}

export default function AccountPage() {
  const { user } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const profileErrors = actionData && "intent" in actionData && actionData.intent === "profile" ? actionData.errors : {};
  const passwordErrors = actionData && "intent" in actionData && actionData.intent === "password" ? actionData.errors : {};
  return (
    <div className="space-y-6">
      <h1>Your account</h1>
      <section className="card max-w-xl space-y-4" aria-labelledby="profile-title">
        <h2 id="profile-title">Profile</h2>
        <p className="text-sm text-stone-700">
          Signed in as {user.email} · {ROLE_LABELS[user.role]}
        </p>
        <Form method="post" className="space-y-4" noValidate>
          <input type="hidden" name="intent" value="profile" />
          <Field
            label="Name"
            name="name"
            autoComplete="name"
            defaultValue={profileErrors.name ? actionData?.values.name : user.name}
            error={profileErrors.name}
            required
          />
          <SubmitButton name="intent" value="profile" pendingLabel="Saving…">
            Save name
          </SubmitButton>
        </Form>
      </section>
      <section className="card max-w-xl space-y-4" aria-labelledby="password-title">
        <h2 id="password-title">Change password</h2>
        <p className="text-sm text-stone-700">Changing your password signs you out everywhere else.</p>
        <Form method="post" className="space-y-4" noValidate>
          <input type="hidden" name="intent" value="password" />
          <FormMessage error={passwordErrors.form} />
          <Field label="Current password" name="currentPassword" type="password" autoComplete="current-password" error={passwordErrors.currentPassword} required />
          <Field
            label="New password"
            name="newPassword"
            type="password"
            autoComplete="new-password"
            hint="At least 10 characters; a passphrase of a few words works well."
            error={passwordErrors.newPassword}
            required
          />
          <Field label="Repeat the new password" name="confirmPassword" type="password" autoComplete="new-password" error={passwordErrors.confirmPassword} required />
          <SubmitButton name="intent" value="password" pendingLabel="Changing…">
            Change password
          </SubmitButton>
        </Form>
      </section>
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
