import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useId } from "react";
import { ErrorPage } from "~/components/error-page";
import { FormMessage, SelectField, SubmitButton, TextAreaField } from "~/components/form";
import { requirePermission } from "~/auth/guard.server";
import { redirectWithFlash } from "~/flash.server";
import { formError, parseForm, ruleViolationError } from "~/forms.server";
import { MOOD_MAX, MOOD_WORDS, SCALE_ENDS, SCALE_MAX } from "~/models/check-ins";
import { checkInSchema, getCheckInChoices, submitCheckIn } from "~/models/check-ins.server";
import { getSetting } from "~/models/settings.server";
import { newSubmissionKey } from "~/models/submission-keys.server";

// The client's check-in: how their mood has been, how far along they feel, how close they feel,
// which plan steps they worked on, and in their own words what happened and what was hard.
// On a refused form everything comes back as typed, ticked boxes and chosen scores included.
// After a check-in whose words matched a risk rule, this page shows the practice's crisis
// message (?support=1 says "show it"; nothing the client wrote goes into the address).

export const meta: MetaFunction = () => [{ title: "Check in · Cairn" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "portal.use");
  const support = new URL(request.url).searchParams.get("support") === "1";
  const [choices, crisisMessage] = await Promise.all([getCheckInChoices(user), support ? getSetting("crisis_message") : null]);
  // The form's key: the same check-in sent twice is stored once (submission-keys.server.ts).
  return json({ cases: choices, crisisMessage, submissionKey: newSubmissionKey() });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requirePermission(request, "portal.use");
  const formData = await request.formData();
  // Ticked boxes arrive as several fields of one name; they travel back separately.
  const stepIds = formData.getAll("stepIds").filter((v): v is string => typeof v === "string");
  const extra = { stepIds };
  const parsed = parseForm(formData, checkInSchema.omit({ stepIds: true }));
  if (!parsed.ok) return formError(parsed, extra);
  try {
    // The case is checked first (404 unless it is the client's own), then the steps.
    const caseId = String(formData.get("caseId") ?? "");
    const { crisis } = await submitCheckIn(user, caseId, { ...parsed.data, stepIds }, context.clientIp);
    if (crisis) {
      return redirectWithFlash(request, "/portal/check-in?support=1", {
        kind: "success",
        message: "Thank you, your check-in is sent. Your practitioner will read it soon.",
      });
    }
    return redirectWithFlash(request, "/portal/progress", {
      kind: "success",
      message: "Thank you, your check-in is sent. Your practitioner will read it and may leave you some feedback.",
    });
  } catch (error) {
    return ruleViolationError(error, formData, extra);
  }
}

type Failure = { errors: Record<string, string>; values: Record<string, string>; stepIds: string[] } | null;

/** A row of radio buttons for a score, labelled by its legend, with the meaning of its ends. */
function ScoreGroup({
  name,
  legend,
  max,
  words,
  ends,
  failed,
}: {
  name: "mood" | "progress" | "closeness";
  legend: string;
  max: number;
  words?: Record<number, string>;
  ends?: { low: string; high: string };
  failed: Failure;
}) {
  const id = useId();
  const error = failed?.errors[name];
  const chosen = failed?.values[name];
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [ends ? hintId : null, error ? errorId : null].filter(Boolean).join(" ") || undefined;
  return (
    <fieldset className="space-y-2" aria-describedby={describedBy} aria-invalid={error ? true : undefined}>
      <legend className="text-sm font-medium text-stone-800">{legend}</legend>
      {ends ? (
        <p id={hintId} className="text-xs text-stone-600">
          1 means “{ends.low}”, {max} means “{ends.high}”.
        </p>
      ) : null}
      <div className="flex flex-wrap gap-2">
        {Array.from({ length: max }, (_, i) => String(i + 1)).map((value) => (
          <label
            key={value}
            className="flex cursor-pointer items-center gap-2 rounded-md border border-stone-300 bg-white px-3 py-1.5 text-sm has-[:checked]:border-brand-600 has-[:checked]:bg-brand-50"
          >
            <input type="radio" name={name} value={value} defaultChecked={chosen === value} className="accent-brand-600" />
            {words ? `${value} · ${words[Number(value)]}` : value}
          </label>
        ))}
      </div>
      {error ? (
        <p id={errorId} className="text-sm text-red-700">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

export default function PortalCheckIn() {
  const { cases, crisisMessage, submissionKey } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const failed: Failure = actionData && !actionData.ok ? (actionData as Failure) : null;
  const ticked = new Set(failed?.stepIds ?? []);
  const several = cases.length > 1;
  const withSteps = cases.filter((c) => c.steps.length > 0);

  return (
    <div className="space-y-8">
      <div className="space-y-1">
        <p className="text-sm">
          <Link to="/portal">← My plan</Link>
        </p>
        <h1>Check in</h1>
        <p className="text-stone-700">
          A few minutes to notice how things have been. There are no right answers: honest ones help your practitioner support
          you best. Only you and the practitioners on your case can read this.
        </p>
      </div>

      {crisisMessage ? (
        <section className="space-y-2 rounded-lg border border-sky-200 bg-sky-50 p-4 text-sky-950" aria-labelledby="support-title">
          <h2 id="support-title" className="text-base">
            If you need support right now
          </h2>
          <p className="whitespace-pre-line">{crisisMessage}</p>
          <p className="text-sm">
            <Link to="/portal/progress">See your progress and earlier check-ins</Link>
          </p>
        </section>
      ) : null}

      {cases.length === 0 ? (
        <section className="card space-y-2" aria-labelledby="no-case-title">
          <h2 id="no-case-title">Nothing to check in on right now</h2>
          <p className="text-stone-700">
            Check-ins belong to an open case, and you don't have one at the moment. When your practitioner opens a case with you,
            you can check in here. Your earlier check-ins and feedback stay in <Link to="/portal/progress">your progress</Link>.
          </p>
        </section>
      ) : (
        <Form method="post" className="card space-y-6" noValidate aria-labelledby="form-title">
          <h2 id="form-title">How have things been?</h2>
          <input type="hidden" name="submissionKey" value={submissionKey} />
          <FormMessage error={failed?.errors.form ?? failed?.errors.submissionKey} />
          {several ? (
            <SelectField
              label="Which case is this check-in for?"
              name="caseId"
              defaultValue={failed?.values.caseId ?? cases[0]!.id}
              error={failed?.errors.caseId}
              options={cases.map((c) => ({ value: c.id, label: c.title }))}
            />
          ) : (
            <>
              <input type="hidden" name="caseId" value={cases[0]!.id} />
              <FormMessage error={failed?.errors.caseId} />
            </>
          )}

          <ScoreGroup name="mood" legend={`Your mood lately (1 to ${MOOD_MAX})`} max={MOOD_MAX} words={MOOD_WORDS} failed={failed} />
          <ScoreGroup
            name="progress"
            legend={`Progress toward your goal (1 to ${SCALE_MAX})`}
            max={SCALE_MAX}
            ends={SCALE_ENDS.progress}
            failed={failed}
          />
          <ScoreGroup
            name="closeness"
            legend={`Closeness and trust in your relationship (1 to ${SCALE_MAX})`}
            max={SCALE_MAX}
            ends={SCALE_ENDS.closeness}
            failed={failed}
          />

          <fieldset className="space-y-2" aria-describedby={failed?.errors.stepIds ? "steps-error" : undefined}>
            <legend className="text-sm font-medium text-stone-800">Steps you worked on (optional)</legend>
            {withSteps.length === 0 ? (
              <p className="text-sm text-stone-600">Your plan has no steps yet, so there's nothing to tick here.</p>
            ) : (
              withSteps.map((c) => (
                <div key={c.id} className="space-y-1">
                  {several ? <p className="text-xs font-medium uppercase tracking-wide text-stone-600">{c.title}</p> : null}
                  <ul className="space-y-1">
                    {c.steps.map((step) => (
                      <li key={step.id}>
                        <label className="flex items-start gap-2 text-sm">
                          <input
                            type="checkbox"
                            name="stepIds"
                            value={step.id}
                            defaultChecked={ticked.has(step.id)}
                            className="mt-0.5 h-4 w-4 accent-brand-600"
                          />
                          <span>
                            {step.title} <span className="text-stone-600">({step.planTitle})</span>
                          </span>
                        </label>
                      </li>
                    ))}
                  </ul>
                </div>
              ))
            )}
            {failed?.errors.stepIds ? (
              <p id="steps-error" className="text-sm text-red-700">
                {failed.errors.stepIds}
              </p>
            ) : null}
          </fieldset>

          <TextAreaField
            label="What happened since your last check-in?"
            name="whatHappened"
            rows={5}
            defaultValue={failed?.values.whatHappened}
            error={failed?.errors.whatHappened}
            hint="Moments that went well, conversations you had, anything you noticed. Optional."
          />
          <TextAreaField
            label="What was hard?"
            name="whatWasHard"
            rows={5}
            defaultValue={failed?.values.whatWasHard}
            error={failed?.errors.whatWasHard}
            hint="Setbacks, worries or anything you'd like your practitioner to know. Optional."
          />
          <SubmitButton pendingLabel="Sending…">Send check-in</SubmitButton>
        </Form>
      )}
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
