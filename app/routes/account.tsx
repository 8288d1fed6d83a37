import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ErrorPage } from "~/components/error-page";
import { Field, FormMessage, SubmitButton } from "~/components/form";
import { PostTime } from "~/components/thread-view";
import { getSignedInSession, requirePermission } from "~/auth/guard.server";
import { newPasswordSchema } from "~/auth/password.server";
import { can, ROLE_LABELS } from "~/auth/permissions";
import { listOwnSessions, revokeOtherOwnSessions, revokeOwnSession, sessionCookie } from "~/auth/session.server";
import { disableTwoFactor, totpCodeField, twoFactorStatus } from "~/auth/two-factor.server";
import { describeUserAgent } from "~/auth/user-agent";
import { redirectWithFlash } from "~/flash.server";
import { formError, parseForm, ruleViolationError } from "~/forms.server";
import { notFound } from "~/models/errors.server";
import { changePassword, profileSchema, updateProfile } from "~/models/users.server";

export const meta: MetaFunction = () => [{ title: "Your account · Cairn" }];

/** The signed-in user and their session (requirePermission has made sure there is one). */
async function requireAccount(request: Request) {
  const user = await requirePermission(request, "account.manage");
  const session = (await getSignedInSession(request))!;
  return { user, session };
}

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, session } = await requireAccount(request);
  const now = new Date();
  const [sessions, twoFactor] = await Promise.all([listOwnSessions(user, session.sessionId, now), twoFactorStatus(user.id)]);
  return json({
    user,
    now: now.toISOString(),
    sessions: sessions.map((s) => ({
      id: s.publicId,
      device: describeUserAgent(s.userAgent),
      ip: s.ip,
      createdAt: s.createdAt.toISOString(),
      lastSeenAt: s.lastSeenAt.toISOString(),
      current: s.current,
      // Someone got past the password there but not (yet) the code.
      awaitingCode: twoFactor.enabled && !s.twoFactorVerified,
    })),
    twoFactor: {
      // Staff may set it up; anyone who somehow has one may turn it off.
      shown: can(user, "account.twoFactor") || twoFactor.enabled,
      enabled: twoFactor.enabled,
      since: twoFactor.since?.toISOString() ?? null,
      required: session.staffTwoFactorRequired && can(user, "account.twoFactor"),
    },
  });
}

const passwordSchema = z
  .object({
    currentPassword: z.string().min(1, { error: "Enter your current password." }).max(256, { error: "Use at most 256 characters." }),
    newPassword: newPasswordSchema,
    confirmPassword: z.string(),
  })
  .refine((v) => v.newPassword === v.confirmPassword, { error: "The two passwords don't match.", path: ["confirmPassword"] });

const revokeSessionSchema = z.object({ sessionId: z.string().trim().min(1).max(64) });

// Either a current code or the password proves it is the account's owner turning it off.
const disableTwoFactorSchema = z
  .object({ code: z.string().max(20).optional(), password: z.string().max(256).optional() })
  .transform((v, ctx): { code: string } | { password: string } => {
    if (v.code?.trim()) {
      const code = totpCodeField.safeParse(v.code);
      if (code.success) return { code: code.data };
      ctx.addIssue({ code: "custom", message: code.error.issues[0]!.message, path: ["code"] });
      return z.NEVER;
    }
    if (v.password) return { password: v.password };
    ctx.addIssue({ code: "custom", message: "Enter the code from your app, or your password.", path: ["code"] });
    return z.NEVER;
  });

export async function action({ request, context }: ActionFunctionArgs) {
  const { user, session } = await requireAccount(request);
  const formData = await request.formData();
  const intent = formData.get("intent");
  if (intent === "revoke-session") {
    const parsed = parseForm(formData, revokeSessionSchema);
    if (!parsed.ok) throw notFound();
    try {
      await revokeOwnSession(user, session.sessionId, parsed.data.sessionId, context.clientIp);
    } catch (error) {
      return ruleViolationError(error, formData, { intent });
    }
    return redirectWithFlash(request, "/account", { kind: "success", message: "That session was signed out." });
  }
  if (intent === "revoke-other-sessions") {
    const count = await revokeOtherOwnSessions(user, session.sessionId, context.clientIp);
    const message =
      count === 0 ? "You were not signed in anywhere else." : count === 1 ? "You were signed out of 1 other session." : `You were signed out of ${count} other sessions.`;
    return redirectWithFlash(request, "/account", { kind: "success", message });
  }
  if (intent === "disable-two-factor") {
    const parsed = parseForm(formData, disableTwoFactorSchema);
    if (!parsed.ok) return formError(parsed, { intent });
    try {
      await disableTwoFactor(user, parsed.data, context.clientIp);
    } catch (error) {
      return ruleViolationError(error, formData, { intent });
    }
    return redirectWithFlash(request, "/account", { kind: "success", message: "Two-step sign-in is off. Signing in now takes only your password." });
  }
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
      const fresh = await changePassword(user, parsed.data, context.clientIp, {
        userAgent: request.headers.get("User-Agent"),
        twoFactorVerified: session.twoFactorVerified,
      });
      return redirectWithFlash(
        request,
        "/account",
        { kind: "success", message: "Your password was changed. You were signed out on every other device." },
        [sessionCookie(request, fresh.token, fresh.expiresAt)],
      );
    } catch (error) {
      return ruleViolationError(error, formData, { intent });
    }
  }
  return formError({ errors: { form: "Unknown action." }, values: {} });
}

export default function AccountPage() {
  const { user, now, sessions, twoFactor } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const profileErrors = actionData && "intent" in actionData && actionData.intent === "profile" ? actionData.errors : {};
  const passwordErrors = actionData && "intent" in actionData && actionData.intent === "password" ? actionData.errors : {};
  const twoFactorErrors = actionData && "intent" in actionData && actionData.intent === "disable-two-factor" ? actionData.errors : {};
  const sessionErrors = actionData && "intent" in actionData && actionData.intent === "revoke-session" ? actionData.errors : {};
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
      {twoFactor.shown ? (
        <section className="card max-w-xl space-y-4" aria-labelledby="two-factor-title">
          <h2 id="two-factor-title">Two-step sign-in</h2>
          {twoFactor.enabled ? (
            <>
              <p className="text-sm text-stone-700">
                On{twoFactor.since ? <> since <PostTime at={twoFactor.since} now={now} /></> : null}. After your password, Cairn asks for the
                code from your authenticator app.
              </p>
              {twoFactor.required ? (
                <p className="text-sm text-stone-700">Your practice requires it: if you turn it off, you are asked to set it up again straight away.</p>
              ) : null}
              <Form method="post" className="space-y-4" noValidate>
                <input type="hidden" name="intent" value="disable-two-factor" />
                <FormMessage error={twoFactorErrors.form} />
                <Field label="Code from your app" name="code" autoComplete="one-time-code" error={twoFactorErrors.code} />
                <Field
                  label="Or your password"
                  name="password"
                  type="password"
                  autoComplete="current-password"
                  hint="Use your password if your phone is not at hand."
                  error={twoFactorErrors.password}
                />
                <SubmitButton name="intent" value="disable-two-factor" variant="danger" pendingLabel="Turning off…">
                  Turn off two-step sign-in
                </SubmitButton>
              </Form>
            </>
          ) : (
            <>
              <p className="text-sm text-stone-700">
                Off. With it on, signing in also takes a code from an authenticator app on your phone, so your password alone can&apos;t open
                your account.
              </p>
              <Link to="/account/two-factor" className="btn inline-block no-underline">
                Set up two-step sign-in
              </Link>
            </>
          )}
        </section>
      ) : null}
      <section className="card space-y-4" aria-labelledby="sessions-title">
        <h2 id="sessions-title">Where you&apos;re signed in</h2>
        <p className="text-sm text-stone-700">
          Each browser you signed in with. If you don&apos;t recognise one, sign it out and change your password.
        </p>
        <FormMessage error={sessionErrors.form} />
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Your sessions</caption>
            <thead>
              <tr className="text-stone-600">
                <th scope="col" className="py-1 pr-3 font-medium">Browser</th>
                <th scope="col" className="py-1 pr-3 font-medium">Signed in</th>
                <th scope="col" className="py-1 pr-3 font-medium">Last active</th>
                <th scope="col" className="py-1 pr-3 font-medium">IP address</th>
                <th scope="col" className="py-1 font-medium">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sessions.map((s) => (
                <tr key={s.id} className="border-t border-stone-100 align-top">
                  <td className="py-2 pr-3">
                    <span className="font-medium">{s.device}</span>
                    {s.current ? <span className="badge ml-2 bg-brand-50 text-brand-800">This session</span> : null}
                    {s.awaitingCode ? <span className="block text-xs text-amber-800">Password entered, code not yet</span> : null}
                  </td>
                  <td className="py-2 pr-3">
                    <PostTime at={s.createdAt} now={now} />
                  </td>
                  <td className="py-2 pr-3">{s.current ? "Now" : <PostTime at={s.lastSeenAt} now={now} />}</td>
                  <td className="py-2 pr-3 font-mono text-xs">{s.ip ?? "Unknown"}</td>
                  <td className="py-2">
                    {s.current ? null : (
                      <Form method="post">
                        <input type="hidden" name="sessionId" value={s.id} />
                        <SubmitButton name="intent" value="revoke-session" pendingWhen={{ sessionId: s.id }} variant="secondary" compact pendingLabel="Signing out…">
                          Sign out<span className="sr-only"> {s.device} session</span>
                        </SubmitButton>
                      </Form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {sessions.length > 1 ? (
          <Form method="post">
            <SubmitButton name="intent" value="revoke-other-sessions" variant="secondary" pendingLabel="Signing out…">
              Sign out other sessions
            </SubmitButton>
          </Form>
        ) : null}
      </section>
      <section className="card max-w-xl space-y-3" aria-labelledby="your-data-title">
        <h2 id="your-data-title">Your data</h2>
        <p className="text-sm text-stone-700">
          Everything Cairn holds about you, as a page you can read or print, or as a JSON file to keep or take elsewhere.
        </p>
        <p className="flex flex-wrap gap-3">
          <Link to="/account/export" className="btn inline-block no-underline">
            See all my data
          </Link>
          <a href="/account/export.json" download className="btn-secondary inline-block no-underline">
            Download my data (JSON)
          </a>
        </p>
      </section>
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
