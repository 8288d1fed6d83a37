import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ErrorPage } from "~/components/error-page";
import { Field, FormMessage, SubmitButton } from "~/components/form";
import { requireSessionAt } from "~/auth/guard.server";
import { can, homePath } from "~/auth/permissions";
import { decodeTotpSecret, formatTotpSecret, generateTotpSecret, totpKeyUri } from "~/auth/totp.server";
import { enableTwoFactor, totpCodeField, twoFactorStatus } from "~/auth/two-factor.server";
import { formError, parseForm, ruleViolationError } from "~/forms.server";
import { notFound } from "~/models/errors.server";

export const meta: MetaFunction = () => [{ title: "Set up two-step sign-in · Cairn" }];

// The secret is shown here, so no copy of the page may be kept by a browser or proxy.
const NO_STORE = { "Cache-Control": "no-store" };

/** Signed-in staff, and staff the practice sends here before anything else. */
async function requireStaffSession(request: Request) {
  const session = await requireSessionAt(request, ["signed_in", "two_factor_setup"]);
  if (!can(session.user, "account.twoFactor")) throw notFound();
  return session;
}

export async function loader({ request }: LoaderFunctionArgs) {
  const session = await requireStaffSession(request);
  const { user } = session;
  const status = await twoFactorStatus(user.id);
  const required = session.stage === "two_factor_setup";
  const home = homePath(user.role);
  if (status.enabled) return json({ enabled: true as const, required, home, setup: null }, { headers: NO_STORE });
  // A new secret each time the page loads; it is kept only once a code from it is confirmed.
  const secret = generateTotpSecret();
  return json({ enabled: false as const, required, home, setup: setupFor(secret, user.email) }, { headers: NO_STORE });
}

function setupFor(secret: string, email: string) {
  const key = decodeTotpSecret(secret);
  return key ? { secret, grouped: formatTotpSecret(secret), uri: totpKeyUri(key, email) } : null;
}

// The secret travels in the form: it is the one the person's app was given. A made-up one would
// only weaken the person's own account, and it must still be 20 bytes of base32.
const enableSchema = z.object({
  secret: z.string().max(64),
  code: totpCodeField,
});

export async function action({ request, context }: ActionFunctionArgs) {
  const session = await requireStaffSession(request);
  const formData = await request.formData();
  // After a wrong code the same secret stays on screen: it is the one the app already has.
  const sentSecret = formData.get("secret");
  const extra = { setup: typeof sentSecret === "string" ? setupFor(sentSecret, session.user.email) : null };
  const parsed = parseForm(formData, enableSchema);
  if (!parsed.ok) return formError(parsed, extra);
  try {
    const recoveryCode = await enableTwoFactor(session.user, session.sessionId, parsed.data, context.clientIp);
    return json({ ok: true as const, recoveryCode }, { headers: NO_STORE });
  } catch (error) {
    return ruleViolationError(error, formData, extra);
  }
}

export default function TwoFactorSetupPage() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();

  if (actionData?.ok) {
    return (
      <section className="card mx-auto max-w-xl space-y-4" aria-labelledby="done-title">
        <h1 id="done-title">Two-step sign-in is on</h1>
        <p>
          From now on you enter a code from your app after your password. If you lose your phone, this recovery code lets you in once.
          Write it down or keep it in your password manager now: it is shown only this once.
        </p>
        <p className="space-y-1">
          <span className="block text-sm font-medium text-stone-800" id="recovery-code-label">
            Recovery code
          </span>
          <code aria-labelledby="recovery-code-label" className="block rounded-md bg-stone-100 px-3 py-2 font-mono text-lg">
            {actionData.recoveryCode}
          </code>
        </p>
        <Link to={data.home} className="btn inline-block no-underline">
          I have saved it — continue
        </Link>
      </section>
    );
  }

  if (data.enabled) {
    return (
      <section className="card mx-auto max-w-xl space-y-4" aria-labelledby="enabled-title">
        <h1 id="enabled-title">Two-step sign-in is on</h1>
        <p>
          Your account already asks for a code from your app. You can turn it off on <Link to="/account">your account page</Link>.
        </p>
      </section>
    );
  }

  // After a wrong code the action sends back the setup it was given (see `extra` there).
  const failed = actionData && !actionData.ok ? (actionData as typeof actionData & { setup?: typeof data.setup }) : null;
  const setup = failed?.setup ?? data.setup;
  const errors = failed?.errors ?? {};
  return (
    <section className="card mx-auto max-w-xl space-y-4" aria-labelledby="setup-title">
      <h1 id="setup-title">Set up two-step sign-in</h1>
      {data.required ? (
        <p role="note" className="rounded-md border border-brand-100 bg-brand-50 px-3 py-2 text-sm text-brand-800">
          Your practice requires two-step sign-in for staff. Set it up to continue.
        </p>
      ) : null}
      <ol className="list-decimal space-y-3 pl-5">
        <li>
          Open an authenticator app on your phone (any app for &ldquo;time-based codes&rdquo; works) and add an account by typing in
          this secret key:
          {setup ? (
            <span className="mt-2 block space-y-1">
              <label htmlFor="secret-key" className="block text-sm font-medium text-stone-800">
                Secret key
              </label>
              <input id="secret-key" readOnly value={setup.grouped} className="input font-mono" />
              <span className="block text-xs text-stone-600">
                On this phone already? <a href={setup.uri}>Open it in your authenticator app</a>. Setup address:{" "}
                <code className="break-all">{setup.uri}</code>
              </span>
            </span>
          ) : null}
        </li>
        <li>Enter the 6-digit code the app now shows for Cairn.</li>
      </ol>
      <Form method="post" className="space-y-4" noValidate>
        <input type="hidden" name="secret" value={setup?.secret ?? ""} />
        <FormMessage error={errors.form ?? errors.secret} />
        <Field label="Code from your app" name="code" autoComplete="one-time-code" error={errors.code} required />
        <SubmitButton pendingLabel="Checking…">Turn on two-step sign-in</SubmitButton>
      </Form>
      {data.required ? (
        <Form method="post" action="/logout">
          <button type="submit" className="btn-secondary">
            Sign out
          </button>
        </Form>
      ) : (
        <p className="text-sm">
          <Link to="/account">← Back to your account</Link>
        </p>
      )}
    </section>
  );
}

export function ErrorBoundary() {
  return <ErrorPage notFoundMessage="Two-step sign-in is for staff accounts." />;
}
