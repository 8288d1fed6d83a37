import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { ErrorPage } from "~/components/error-page";
import { Field, FormMessage, SubmitButton, TextAreaField } from "~/components/form";
import { requirePermission } from "~/auth/guard.server";
import { redirectWithFlash } from "~/flash.server";
import { formError, parseForm, ruleViolationError } from "~/forms.server";
import { getPracticeSettings, savePracticeSettings, settingsSchema } from "~/models/settings.server";

export const meta: MetaFunction = () => [{ title: "Practice settings · Cairn" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "settings.manage");
  return json({ settings: await getPracticeSettings() });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const actor = await requirePermission(request, "settings.manage");
  const formData = await request.formData();
  const parsed = parseForm(formData, settingsSchema);
  if (!parsed.ok) return formError(parsed);
  try {
    await savePracticeSettings(actor, parsed.data, context.clientIp);
  } catch (error) {
    return ruleViolationError(error, formData);
  }
  return redirectWithFlash(request, "/admin/settings", { kind: "success", message: "The practice settings are saved." });
}

export default function SettingsPage() {
  const { settings } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errors = actionData?.errors ?? {};
  const values = actionData?.values;
  return (
    <div className="max-w-2xl space-y-6">
      <p className="text-sm">
        <Link to="/admin">← Dashboard</Link>
      </p>
      <div>
        <h1>Practice settings</h1>
        <p className="text-stone-700">These apply to everyone in the practice as soon as you save them.</p>
      </div>
      <FormMessage error={errors.form} />
      <Form method="post" className="card space-y-5" noValidate>
        <section aria-labelledby="response-title" className="space-y-3">
          <h2 id="response-title">Answering questions</h2>
          <Field
            label="First-response target (hours)"
            name="first_response_target_hours"
            type="number"
            required
            defaultValue={values?.first_response_target_hours ?? String(settings.first_response_target_hours)}
            error={errors.first_response_target_hours}
            hint="How soon a client's new question should get its first reply. The triage queue shows a question as due soon, then overdue, against this target."
          />
        </section>
        <section aria-labelledby="crisis-title" className="space-y-3">
          <h2 id="crisis-title">Crisis message</h2>
          <TextAreaField
            label="Crisis message"
            name="crisis_message"
            rows={6}
            required
            maxLength={2000}
            defaultValue={values?.crisis_message ?? settings.crisis_message}
            error={errors.crisis_message}
            hint="Shown to a client straight after they write something that suggests they may be in danger. Keep it calm, and say where to get help at any hour: emergency numbers and crisis lines where your clients live."
          />
        </section>
        <section aria-labelledby="sign-in-title" className="space-y-3">
          <h2 id="sign-in-title">Signing in</h2>
          <div className="flex items-start gap-3">
            <input
              id="require_staff_two_factor"
              name="require_staff_two_factor"
              type="checkbox"
              className="mt-1 h-4 w-4"
              defaultChecked={values ? values.require_staff_two_factor === "on" : settings.require_staff_two_factor}
              aria-describedby="require_staff_two_factor-hint"
            />
            <div className="space-y-1">
              <label htmlFor="require_staff_two_factor" className="block text-sm font-medium text-stone-800">
                Require two-step sign-in for all staff
              </label>
              <p id="require_staff_two_factor-hint" className="text-xs text-stone-600">
                Admins, coaches and therapists then enter a code from an authenticator app after their password. Anyone who hasn't
                set one up is asked to do so at their next sign-in and can do nothing else until they have. Clients are not affected.
              </p>
            </div>
          </div>
        </section>
        <SubmitButton pendingLabel="Saving…">Save settings</SubmitButton>
      </Form>
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
