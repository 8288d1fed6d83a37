import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { formatLongDate, formatLongDayMonth } from "~/dates";
import { ErrorPage } from "~/components/error-page";
import { FormMessage, SubmitButton, TextAreaField } from "~/components/form";
import { Markdown } from "~/components/markdown";
import { requirePermission } from "~/auth/guard.server";
import { redirectWithFlash } from "~/flash.server";
import { formError, parseForm, ruleViolationError } from "~/forms.server";
import { overdueCasesForClient } from "~/models/attention.server";
import { listPortalPlans, reflectionSchema, saveReflection, setStepStatus, todayIso } from "~/models/plans.server";
import type { StepStatus } from "../../db/schema";

export const meta: MetaFunction = () => [{ title: "My plan · Cairn" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "portal.use");
  const [plans, overdue] = await Promise.all([listPortalPlans(user), overdueCasesForClient(user)]);
  return json({ name: user.name, plans, today: todayIso(), checkInDue: overdue.length > 0 });
}

const VERBS = {
  start: { status: "doing", message: (title: string) => `You've started “${title}”. Take it at your own pace.` },
  reopen: { status: "doing", message: (title: string) => `“${title}” is open again.` },
  done: { status: "done", message: (title: string) => `“${title}” is done. Well done for following through.` },
  skip: { status: "skipped", message: (title: string) => `You skipped “${title}”. You can come back to it whenever you like.` },
} as const;

// Each step's buttons carry the step in their value ("done:<step id>"), so only the clicked
// button shows its pending label and the answer knows which step a message belongs to.
export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requirePermission(request, "portal.use");
  const formData = await request.formData();
  const intent = String(formData.get("intent") ?? "");
  const [verb = "", stepId = ""] = intent.split(":");
  const parsed = parseForm(formData, reflectionSchema);
  if (!parsed.ok) return formError(parsed, { intent });
  const reflection = formData.has("reflection") ? parsed.data.reflection : undefined;
  try {
    if (verb === "note") {
      const step = await saveReflection(user, stepId, parsed.data.reflection, context.clientIp);
      const message = step.reflection ? `Your note on “${step.title}” is saved.` : `Your note on “${step.title}” was removed.`;
      return redirectWithFlash(request, `/portal#step-${step.id}`, { kind: "success", message });
    }
    if (verb in VERBS) {
      const { status, message } = VERBS[verb as keyof typeof VERBS];
      const step = await setStepStatus(user, stepId, { status, reflection }, context.clientIp);
      return redirectWithFlash(request, `/portal#step-${step.id}`, { kind: "success", message: message(step.title) });
    }
    return formError({ errors: { form: "That action isn't available here." }, values: { reflection: parsed.data.reflection } }, { intent });
  } catch (error) {
    return ruleViolationError(error, formData, { intent });
  }
}

/** "12 March", with the year only when it isn't this year. */
function formatDay(date: string, today: string) {
  return date.slice(0, 4) === today.slice(0, 4) ? formatLongDayMonth(date) : formatLongDate(date);
}

const STATUS_BADGES: Record<StepStatus, { label: string; className: string }> = {
  todo: { label: "Not started", className: "bg-stone-100 text-stone-700" },
  doing: { label: "In progress", className: "bg-sky-50 text-sky-800" },
  done: { label: "Done", className: "bg-brand-50 text-brand-800" },
  skipped: { label: "Skipped", className: "bg-stone-200 text-stone-700" },
};

type PortalData = ReturnType<typeof useLoaderData<typeof loader>>;
type Step = PortalData["plans"][number]["steps"][number];
type Failure = { intent: string; errors: Record<string, string>; values: Record<string, string> };

function StepItem({ step, today, isNext, failure }: { step: Step; today: string; isNext: boolean; failure: Failure | null }) {
  const badge = STATUS_BADGES[step.status];
  const titleId = `step-title-${step.id}`;
  const named = <span className="sr-only">: {step.title}</span>;
  const open = step.status === "todo" || step.status === "doing";
  const error = failure?.errors.reflection;
  return (
    <li id={`step-${step.id}`} className="card space-y-3" aria-labelledby={titleId}>
      <div className="flex flex-wrap items-start justify-between gap-2">
        <h3 id={titleId} className="text-base font-semibold">
          <span className="text-stone-500">{step.position}. </span>
          {step.title}
        </h3>
        <p className="flex flex-wrap items-center gap-2 text-sm">
          {isNext ? <span className="badge bg-amber-50 text-amber-900">Up next</span> : null}
          <span className={`badge ${badge.className}`}>{badge.label}</span>
        </p>
      </div>

      {step.dueDate ? (
        step.overdue && !step.locked ? (
          <p className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">
            This was planned for {formatDay(step.dueDate, today)}. There's no rush: pick it up again when you feel ready.
          </p>
        ) : (
          <p className="text-sm text-stone-700">
            {open ? "Planned for" : "Was planned for"} {formatDay(step.dueDate, today)}
          </p>
        )
      ) : null}

      {step.guidance ? <Markdown>{step.guidance}</Markdown> : null}
      {step.resourceUrl ? (
        <p className="text-sm">
          <a href={step.resourceUrl} rel="nofollow noopener noreferrer">
            Open the resource for this step
          </a>
        </p>
      ) : null}

      {step.locked ? (
        <p className="rounded-md border border-dashed border-stone-300 px-3 py-2 text-sm text-stone-700">
          Waiting for the step before. This one opens once you've finished or skipped it.
        </p>
      ) : (
        <Form method="post" className="space-y-3 border-t border-stone-100 pt-3" key={`${step.id}-${step.updatedAt}`} noValidate>
          <FormMessage error={failure?.errors.form} />
          <TextAreaField
            label={
              <>
                Your note (optional)<span className="sr-only"> on {step.title}</span>
              </>
            }
            name="reflection"
            rows={3}
            defaultValue={failure ? (failure.values.reflection ?? "") : (step.reflection ?? "")}
            error={error}
            hint="How it went, what was hard, what you noticed. Only you and your practitioner can read it."
          />
          <div className="flex flex-wrap gap-2">
            {step.status === "todo" ? (
              <SubmitButton name="intent" value={`start:${step.id}`} variant="secondary" pendingLabel="Starting…">
                Start{named}
              </SubmitButton>
            ) : null}
            {open ? (
              <>
                <SubmitButton name="intent" value={`done:${step.id}`} pendingLabel="Saving…">
                  Mark done{named}
                </SubmitButton>
                <SubmitButton name="intent" value={`skip:${step.id}`} variant="secondary" pendingLabel="Skipping…">
                  Skip{named}
                </SubmitButton>
              </>
            ) : (
              <SubmitButton name="intent" value={`reopen:${step.id}`} variant="secondary" pendingLabel="Reopening…">
                Reopen{named}
              </SubmitButton>
            )}
            {step.status !== "todo" ? (
              <SubmitButton name="intent" value={`note:${step.id}`} variant="secondary" pendingLabel="Saving note…">
                Save note{named}
              </SubmitButton>
            ) : null}
          </div>
        </Form>
      )}
    </li>
  );
}

export default function PortalPage() {
  const { name, plans, today, checkInDue } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const failure: Failure | null = actionData && !actionData.ok ? { ...actionData, intent: String(actionData.intent ?? "") } : null;
  const failedStepId = failure?.intent.split(":")[1];
  const placed = plans.some((plan) => plan.steps.some((s) => s.id === failedStepId && !s.locked));

  return (
    <div className="space-y-8">
      <div className="space-y-1">
        <h1>Welcome, {name}</h1>
        {plans.length > 0 ? <p className="text-stone-700">Here is what you're working on. One step at a time is plenty.</p> : null}
        <p>
          <Link to="/portal/questions" className="font-medium">
            Questions
          </Link>
          <span className="text-stone-700"> · ask your practitioner something, or read their answers</span>
        </p>
      </div>
      {checkInDue ? (
        <section aria-labelledby="check-in-due-title" className="rounded-md bg-amber-50 px-4 py-3 text-amber-950">
          <h2 id="check-in-due-title" className="text-base font-semibold">
            Time for a check-in
          </h2>
          <p className="text-sm">
            It's been a little while since we last heard how things are going. Whenever you have a few quiet minutes,{" "}
            <Link to="/portal/check-in">share a short check-in</Link>. There are no wrong answers.
          </p>
        </section>
      ) : null}
      {failure && !placed ? <FormMessage error={failure.errors.form ?? failure.errors.reflection} /> : null}

      {plans.length === 0 ? (
        <div className="card space-y-2">
          <p>There's no plan for you here yet.</p>
          <p className="text-sm text-stone-700">
            When your practitioner shares a plan with you, its steps will appear on this page, ready whenever you are.
          </p>
        </div>
      ) : null}

      {plans.map((plan) => {
        const { percent, done, skipped, total } = plan.progress;
        const next = plan.steps.find((s) => (s.status === "todo" || s.status === "doing") && !s.locked);
        return (
          <section key={plan.id} className="space-y-4" aria-labelledby={`plan-title-${plan.id}`}>
            <div className="space-y-2">
              <h2 id={`plan-title-${plan.id}`}>{plan.title}</h2>
              {plan.summary ? <p className="whitespace-pre-line text-stone-700">{plan.summary}</p> : null}
              <div
                className="h-2 w-full max-w-xl overflow-hidden rounded-full bg-stone-200"
                role="progressbar"
                aria-label={`Your progress on ${plan.title}`}
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={percent}
              >
                <div className="h-full rounded-full bg-brand-600" style={{ width: `${percent}%` }} />
              </div>
              <p className="text-sm text-stone-700">
                {total === 0
                  ? "Your practitioner is still adding the steps."
                  : `${percent}% · ${done} of ${total} ${total === 1 ? "step" : "steps"} done${skipped ? `, ${skipped} skipped` : ""}`}
              </p>
              {total > 0 && percent === 100 ? (
                <p className="text-sm text-brand-800">You've worked through every step of this plan. That took real care.</p>
              ) : null}
              {plan.sequential ? <p className="text-sm text-stone-600">These steps are meant to be taken in order.</p> : null}
            </div>
            <ol className="space-y-3">
              {plan.steps.map((step) => (
                <StepItem
                  key={step.id}
                  step={step}
                  today={today}
                  isNext={step.id === next?.id}
                  failure={failedStepId === step.id ? failure : null}
                />
              ))}
            </ol>
          </section>
        );
      })}
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
