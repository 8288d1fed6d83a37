import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { Field, FormMessage, SubmitButton } from "~/components/form";
import { ErrorPage } from "~/components/error-page";
import { getSession, safeRedirectPath, TWO_FACTOR_PATH, TWO_FACTOR_SETUP_PATH } from "~/auth/guard.server";
import { homePath } from "~/auth/permissions";
import { sessionCookie, sessionStage } from "~/auth/session.server";
import { signIn } from "~/auth/sign-in.server";
import { env } from "~/env.server";
import { formError, parseForm } from "~/forms.server";
import { demoAccounts } from "../../db/demo-accounts";

export const meta: MetaFunction = () => [{ title: "Sign in · Cairn" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const session = await getSession(request);
  if (session) {
    // Past the password already: finish signing in rather than start again.
    const stage = sessionStage(session);
    const redirectTo = new URL(request.url).searchParams.get("redirectTo");
    if (stage === "two_factor") throw redirect(redirectTo ? `${TWO_FACTOR_PATH}?redirectTo=${encodeURIComponent(redirectTo)}` : TWO_FACTOR_PATH);
    throw redirect(stage === "two_factor_setup" ? TWO_FACTOR_SETUP_PATH : homePath(session.user.role));
  }
  return json({ demoAccounts: env().CAIRN_DEMO ? demoAccounts : null });
}

const signInSchema = z.object({
  email: z.string().trim().min(1, { error: "Enter your email address." }).max(254, { error: "Use at most 254 characters." }),
  password: z.string().min(1, { error: "Enter your password." }).max(256, { error: "Use at most 256 characters." }),
  // Where to go after signing in; an address too long to be a page of ours is ignored.
  redirectTo: z.string().max(2000).optional().catch(undefined),
});

export const INVALID_CREDENTIALS = "That email and password don't match an account. Check both and try again.";

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await request.formData();
  const parsed = parseForm(formData, signInSchema);
  if (!parsed.ok) return formError(parsed);
  const result = await signIn({
    email: parsed.data.email,
    password: parsed.data.password,
    ip: context.clientIp,
    userAgent: request.headers.get("User-Agent"),
  });
  if (!result.ok) {
    const message =
      result.reason === "throttled"
        ? `Too many sign-in attempts. For your safety, signing in is paused for ${minutesUntil(result.retryAt)}. Try again then, or reset your password.`
        : INVALID_CREDENTIALS;
    return formError({ errors: { form: message }, values: { email: parsed.data.email } }, { status: result.reason });
  }
  const to = safeRedirectPath(parsed.data.redirectTo, homePath(result.user.role));
  const next =
    result.stage === "two_factor"
      ? `${TWO_FACTOR_PATH}?redirectTo=${encodeURIComponent(to)}`
      : result.stage === "two_factor_setup"
        ? TWO_FACTOR_SETUP_PATH
        : to;
  return redirect(next, { headers: { "Set-Cookie": sessionCookie(request, result.token, result.expiresAt) } });
}

function minutesUntil(at: Date) {
  const minutes = Math.max(1, Math.ceil((at.getTime() - Date.now()) / 60_000));
  return minutes === 1 ? "about a minute" : `about ${minutes} minutes`;
}

export default function LoginPage() {
  const { demoAccounts } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const errors = actionData && !actionData.ok ? actionData.errors : {};
  const values = actionData && !actionData.ok ? actionData.values : {};
  return (
    <div className="mx-auto grid max-w-4xl items-start gap-6 md:grid-cols-2">
      <section className="card space-y-4" aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Sign in to Cairn</h1>
        <Form method="post" className="space-y-4" noValidate>
          <input type="hidden" name="redirectTo" value={searchParams.get("redirectTo") ?? ""} />
          <FormMessage error={errors.form} />
          <Field label="Email" name="email" type="email" autoComplete="username" defaultValue={values.email} error={errors.email} required />
          <Field label="Password" name="password" type="password" autoComplete="current-password" error={errors.password} required />
          <div className="flex items-center justify-between gap-4">
            <SubmitButton pendingLabel="Signing in…">Sign in</SubmitButton>
            <Link to="/forgot-password" className="text-sm">
              Forgot your password?
            </Link>
          </div>
        </Form>
      </section>
      {demoAccounts ? (
        <section className="card space-y-3" aria-labelledby="demo-title">
          <h2 id="demo-title">Demo accounts</h2>
          <p className="text-sm text-stone-700">
            This is a demo practice. Every account below uses the password <code className="font-mono">cairn-demo</code>.
          </p>
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Demo sign-ins</caption>
            <thead>
              <tr className="text-stone-600">
                <th scope="col" className="py-1 font-medium">Email</th>
                <th scope="col" className="py-1 font-medium">Name</th>
                <th scope="col" className="py-1 font-medium">Role</th>
              </tr>
            </thead>
            <tbody>
              {demoAccounts.map((a) => (
                <tr key={a.email} className="border-t border-stone-100">
                  <td className="py-1 font-mono text-xs">{a.email}</td>
                  <td className="py-1">{a.name}</td>
                  <td className="py-1">{a.roleLabel}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
