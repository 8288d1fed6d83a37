import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ErrorPage } from "~/components/error-page";
import { FormMessage, SelectField, SubmitButton } from "~/components/form";
import { requirePermission } from "~/auth/guard.server";
import { isStaff, ROLE_LABELS } from "~/auth/permissions";
import { resetTwoFactor, twoFactorStatusForAdmin } from "~/auth/two-factor.server";
import { redirectWithFlash } from "~/flash.server";
import { formError, parseForm, ruleViolationError } from "~/forms.server";
import {
  changeRole,
  deactivateUser,
  getUserForAdmin,
  reactivateUser,
  resendInvitation,
  revokeInvitation,
} from "~/models/users.server";
import { ROLES } from "../../db/schema";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.user.name ?? "User"} · Cairn` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const actor = await requirePermission(request, "users.manage");
  const user = await getUserForAdmin(actor, params.userId ?? "");
  const twoFactor = await twoFactorStatusForAdmin(actor, user.id);
  return json({ user, isSelf: actor.id === user.id, twoFactorEnabled: twoFactor.enabled });
}

const roleSchema = z.object({ role: z.enum(ROLES, { error: "Choose a role." }) });

export async function action({ request, params, context }: ActionFunctionArgs) {
  const actor = await requirePermission(request, "users.manage");
  const userId = params.userId ?? "";
  // Loading first makes a missing or malformed id a 404 for every intent.
  const user = await getUserForAdmin(actor, userId);
  const formData = await request.formData();
  const intent = String(formData.get("intent") ?? "");
  const back = `/admin/users/${user.id}`;
  try {
    switch (intent) {
      case "role": {
        const parsed = parseForm(formData, roleSchema);
        if (!parsed.ok) return formError(parsed, { intent });
        await changeRole(actor, user.id, parsed.data.role, context.clientIp);
        return redirectWithFlash(request, back, { kind: "success", message: `${user.name} is now ${ROLE_LABELS[parsed.data.role]}.` });
      }
      case "deactivate":
        await deactivateUser(actor, user.id, context.clientIp);
        return redirectWithFlash(request, back, { kind: "success", message: `${user.name} was deactivated and signed out everywhere.` });
      case "reactivate":
        await reactivateUser(actor, user.id, context.clientIp);
        return redirectWithFlash(request, back, { kind: "success", message: `${user.name} can sign in again.` });
      case "resend":
        await resendInvitation(actor, user.id, context.clientIp);
        return redirectWithFlash(request, back, { kind: "success", message: `A new invitation was sent to ${user.email}.` });
      case "reset-two-factor":
        await resetTwoFactor(actor, user.id, context.clientIp);
        return redirectWithFlash(request, back, {
          kind: "success",
          message: `Two-step sign-in was reset for ${user.name}, who was signed out everywhere. They can set it up again after signing in.`,
        });
      case "revoke":
        await revokeInvitation(actor, user.id, context.clientIp);
        return redirectWithFlash(request, back, { kind: "success", message: "The invitation was revoked; its link no longer works." });
      default:
        return formError({ errors: { form: "Unknown action." }, values: {} }, { intent });
    }
  } catch (error) {
    return ruleViolationError(error, formData, { intent });
  }
}

export default function UserPage() {
  const { user, isSelf, twoFactorEnabled } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errors = actionData?.errors ?? {};
  return (
    <div className="space-y-6">
      <p className="text-sm">
        <Link to="/admin/users">← Users</Link>
      </p>
      <div>
        <h1>{user.name}</h1>
        <p className="text-stone-700">
          {user.email} · {ROLE_LABELS[user.role]} · <span className="font-medium">{user.status}</span>
          {isSelf ? " · this is you" : ""}
        </p>
      </div>
      <FormMessage error={errors.form} />

      <section className="card max-w-xl space-y-3" aria-labelledby="role-title">
        <h2 id="role-title">Role</h2>
        <Form method="post" className="flex flex-wrap items-end gap-3" noValidate>
          <SelectField
            label="Role"
            name="role"
            defaultValue={actionData && "intent" in actionData && actionData.intent === "role" ? actionData.values.role : user.role}
            error={errors.role}
            options={ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }))}
          />
          <SubmitButton name="intent" value="role" pendingLabel="Changing role…">
            Change role
          </SubmitButton>
        </Form>
        <p className="text-xs text-stone-600">A role change signs the person out, so their next sign-in uses the new role.</p>
      </section>

      {user.status === "invited" ? (
        <section className="card max-w-xl space-y-3" aria-labelledby="invitation-title">
          <h2 id="invitation-title">Invitation</h2>
          <p className="text-sm">
            {user.pendingInvitation
              ? `The invitation link is valid until ${new Date(user.pendingInvitation.expiresAt).toUTCString()}.`
              : "There is no usable invitation link."}
          </p>
          <div className="flex flex-wrap gap-3">
            <Form method="post">
              <SubmitButton name="intent" value="resend" pendingLabel="Sending…">
                Resend invitation
              </SubmitButton>
            </Form>
            <Form method="post">
              <SubmitButton name="intent" value="revoke" variant="danger" pendingLabel="Revoking…">
                Revoke invitation
              </SubmitButton>
            </Form>
          </div>
        </section>
      ) : null}

      {isStaff(user.role) || twoFactorEnabled ? (
        <section className="card max-w-xl space-y-3" aria-labelledby="two-factor-title">
          <h2 id="two-factor-title">Two-step sign-in</h2>
          {twoFactorEnabled ? (
            <>
              <p className="text-sm">
                On: {isSelf ? "you enter" : "they enter"} a code from an authenticator app after the password.
                {isSelf ? " Manage yours on your account page." : " If they lost their phone and their recovery code, reset it: they are signed out everywhere and set it up again after signing in with their password."}
              </p>
              {isSelf ? null : (
                <Form method="post">
                  <SubmitButton name="intent" value="reset-two-factor" variant="danger" pendingLabel="Resetting…">
                    Reset two-step sign-in
                  </SubmitButton>
                </Form>
              )}
            </>
          ) : (
            <p className="text-sm">Off: signing in takes only the password.</p>
          )}
        </section>
      ) : null}

      <section className="card max-w-xl space-y-3" aria-labelledby="access-title">
        <h2 id="access-title">Access</h2>
        {user.status === "deactivated" ? (
          <>
            <p className="text-sm">This account is deactivated: it can't sign in.</p>
            <Form method="post" className="flex flex-wrap gap-3">
              <SubmitButton name="intent" value="reactivate" pendingLabel="Reactivating…">
                Reactivate
              </SubmitButton>
              {user.hasPassword ? null : (
                <SubmitButton name="intent" value="resend" variant="secondary" pendingLabel="Sending…">
                  Send a new invitation
                </SubmitButton>
              )}
            </Form>
          </>
        ) : (
          <>
            <p className="text-sm">Deactivating signs {isSelf ? "you" : "them"} out on every device at once. Their records stay.</p>
            <Form method="post">
              <SubmitButton name="intent" value="deactivate" variant="danger" pendingLabel="Deactivating…">
                Deactivate
              </SubmitButton>
            </Form>
          </>
        )}
      </section>
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage notFoundMessage="This user doesn't exist." />;
}
