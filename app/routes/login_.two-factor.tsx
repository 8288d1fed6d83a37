import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ErrorPage } from "~/components/error-page";
import { Field, FormMessage, SubmitButton } from "~/components/form";
import { requireSessionAt, safeRedirectPath, TWO_FACTOR_SETUP_PATH } from "~/auth/guard.server";
import { can, homePath } from "~/auth/permissions";
import { clearSessionCookie } from "~/auth/session.server";
import { recoveryCodeField, totpCodeField, redeemRecoveryCode, verifySignInCode } from "~/auth/two-factor.server";
import { redirectWithFlash } from "~/flash.server";
import { formError, parseForm } from "~/forms.server";

export const meta: MetaFunction = () => [{ title: "Two-step sign-in · Cairn" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireSessionAt(request, ["two_factor"]);
  return json({ redirectTo: new URL(request.url).searchParams.get("redirectTo") ?? "" });
}

const codeSchema = z.object({ code: totpCodeField, redirectTo: z.string().max(2000).optional() });
const recoverySchema = z.object({ recoveryCode: recoveryCodeField, redirectTo: z.string().max(2000).optional() });

const WRONG_CODE = "That code isn't right. Enter the code your app shows now; each code works only once.";
const WRONG_RECOVERY_CODE = "That recovery code isn't right. Check it and try again.";

export async function action({ request, context }: ActionFunctionArgs) {
  const session = await requireSessionAt(request, ["two_factor"]);
  const formData = await request.formData();
  const intent = formData.get("intent") === "recovery" ? "recovery" : "code";
  const parsed = intent === "recovery" ? parseForm(formData, recoverySchema) : parseForm(formData, codeSchema);
  if (!parsed.ok) return formError(parsed, { intent });
  const result =
    "recoveryCode" in parsed.data
      ? await redeemRecoveryCode(session, parsed.data.recoveryCode, context.clientIp)
      : await verifySignInCode(session, parsed.data.code, context.clientIp);
  if (!result.ok && result.signedOut) {
    const minutes = Math.max(1, Math.ceil((result.retryAt.getTime() - Date.now()) / 60_000));
    return redirectWithFlash(
      request,
      "/login",
      {
        kind: "error",
        message: `Too many wrong codes. For your safety you were signed out, and signing in is paused for about ${minutes} minutes.`,
      },
      [clearSessionCookie(request)],
    );
  }
  if (!result.ok) {
    const field = intent === "recovery" ? "recoveryCode" : "code";
    return formError({ errors: { [field]: intent === "recovery" ? WRONG_RECOVERY_CODE : WRONG_CODE }, values: {} }, { intent });
  }
  if (result.recoveryUsed) {
    const staff = can(session.user, "account.twoFactor");
    return redirectWithFlash(request, staff ? TWO_FACTOR_SETUP_PATH : homePath(session.user.role), {
      kind: "info",
      message: staff
        ? "You signed in with your recovery code. It is used up, and two-step sign-in is now off: set it up again below."
        : "You signed in with your recovery code. It is used up, and two-step sign-in is now off.",
    });
  }
  return redirect(safeRedirectPath(parsed.data.redirectTo, homePath(session.user.role)));
}

export default function TwoFactorSignInPage() {
  const { redirectTo } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const codeErrors = actionData && actionData.intent === "code" ? actionData.errors : {};
  const recoveryErrors = actionData && actionData.intent === "recovery" ? actionData.errors : {};
  return (
    <div className="mx-auto max-w-md space-y-6">
      <section className="card space-y-4" aria-labelledby="two-factor-title">
        <h1 id="two-factor-title">Two-step sign-in</h1>
        <p className="text-sm text-stone-700">Your password was right. Now enter the 6-digit code your authenticator app shows for Cairn.</p>
        <Form method="post" className="space-y-4" noValidate>
          <input type="hidden" name="redirectTo" value={redirectTo} />
          <FormMessage error={codeErrors.form} />
          <Field label="Code from your app" name="code" autoComplete="one-time-code" error={codeErrors.code} required />
          <SubmitButton name="intent" value="code" pendingLabel="Checking…">
            Continue
          </SubmitButton>
        </Form>
      </section>
      <section className="card space-y-4" aria-labelledby="recovery-title">
        <h2 id="recovery-title">Lost your phone?</h2>
        <p className="text-sm text-stone-700">
          Enter the recovery code you saved when you set up two-step sign-in. It works once, and turns two-step sign-in off so you can
          set it up again. Without it, ask your practice&apos;s admin to reset it.
        </p>
        <Form method="post" className="space-y-4" noValidate>
          <input type="hidden" name="redirectTo" value={redirectTo} />
          <FormMessage error={recoveryErrors.form} />
          <Field label="Recovery code" name="recoveryCode" autoComplete="off" error={recoveryErrors.recoveryCode} required />
          <SubmitButton name="intent" value="recovery" variant="secondary" pendingLabel="Checking…">
            Use recovery code
          </SubmitButton>
        </Form>
      </section>
      <Form method="post" action="/logout">
        <button type="submit" className="btn-secondary">
          Cancel and sign out
        </button>
      </Form>
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
