import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { formatDateTime } from "~/dates";
import { ErrorPage } from "~/components/error-page";
import { FormMessage, SubmitButton, TextAreaField } from "~/components/form";
import { requirePermission } from "~/auth/guard.server";
import { recordCaseView } from "~/models/audit.server";
import { redirectWithFlash } from "~/flash.server";
import { formError, parseForm, ruleViolationError } from "~/forms.server";
import { changeText, MOOD_MAX, MOOD_WORDS, SCALE_MAX } from "~/models/check-ins";
import { feedbackSchema, getCheckInForReview, reviewCheckIn } from "~/models/check-ins.server";

// One check-in, for staff of its case: the scores (with their change since the previous one),
// the steps worked on, the client's words, and beside it their previous check-ins on the case.
// Staff write feedback for the client and mark it reviewed. Anyone outside the case: 404.

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Check-in from ${data.clientName} · Cairn` : "Check-in · Cairn" },
];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const actor = await requirePermission(request, "staff.workspace");
  const review = await getCheckInForReview(actor, params.checkInId ?? "");
  await recordCaseView(actor, review.case.id, "check-in", context.clientIp, { type: "check_in", id: review.checkIn.id });
  return json(review);
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const actor = await requirePermission(request, "staff.workspace");
  const checkInId = params.checkInId ?? "";
  // The check-in is looked up first, so anyone outside its case gets 404 whatever they posted.
  const review = await getCheckInForReview(actor, checkInId);
  const formData = await request.formData();
  const parsed = parseForm(formData, feedbackSchema);
  if (!parsed.ok) return formError(parsed);
  try {
    await reviewCheckIn(actor, checkInId, parsed.data, context.clientIp);
  } catch (error) {
    return ruleViolationError(error, formData);
  }
  return redirectWithFlash(request, "/check-ins", {
    kind: "success",
    message: `Check-in from ${review.clientName} marked reviewed. They can read your feedback now.`,
  });
}

const when = (iso: string) => `${formatDateTime(iso)} UTC`;

function ScoreList({
  scores,
  previous,
}: {
  scores: { mood: number; progress: number; closeness: number };
  previous?: { mood: number; progress: number; closeness: number } | null;
}) {
  const items = [
    { key: "mood", label: "Mood", value: scores.mood, max: MOOD_MAX, words: MOOD_WORDS[scores.mood], prev: previous?.mood },
    { key: "progress", label: "Progress", value: scores.progress, max: SCALE_MAX, words: null, prev: previous?.progress },
    { key: "closeness", label: "Closeness", value: scores.closeness, max: SCALE_MAX, words: null, prev: previous?.closeness },
  ];
  return (
    <dl className="grid grid-cols-3 gap-3">
      {items.map((item) => {
        const change = previous === undefined ? null : changeText(item.value, item.prev);
        return (
          <div key={item.key} className="rounded-md border border-stone-200 bg-stone-50 p-2">
            <dt className="text-xs text-stone-600">{item.label}</dt>
            <dd>
              <span className="text-lg font-semibold">{item.value}</span>
              <span className="text-sm text-stone-600"> of {item.max}</span>
              {item.words ? <span className="block text-xs text-stone-700">{item.words}</span> : null}
              {change ? (
                <span className="block text-xs text-stone-700">
                  {change}
                  <span className="sr-only"> since the previous check-in</span>
                </span>
              ) : null}
            </dd>
          </div>
        );
      })}
    </dl>
  );
}

function Words({ label, text }: { label: string; text: string }) {
  return (
    <div className="space-y-1">
      <h3 className="text-sm font-medium text-stone-800">{label}</h3>
      {text ? <p className="whitespace-pre-line text-stone-800">{text}</p> : <p className="text-sm text-stone-600">Left blank.</p>}
    </div>
  );
}

export default function CheckInReview() {
  const { checkIn, case: theCase, clientName, reviewerName, steps, previous } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const failed = actionData && !actionData.ok ? actionData : null;
  const last = previous[0] ?? null;

  return (
    <div className="space-y-6">
      <div className="space-y-1">
        <p className="text-sm">
          <Link to="/check-ins">← Check-ins</Link>
        </p>
        <h1>Check-in from {clientName}</h1>
        <p className="text-sm text-stone-700">
          <Link to={`/cases/${theCase.id}`}>{theCase.title}</Link> · sent <time dateTime={checkIn.submittedAt}>{when(checkIn.submittedAt)}</time>
        </p>
      </div>

      {checkIn.riskReasons.length ? (
        <p role="note" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900">
          <strong>Flagged as urgent:</strong> {checkIn.riskReasons.map((r) => r.label).join(", ")}. The client was shown the practice's
          crisis message.
        </p>
      ) : null}

      <div className="grid gap-6 lg:grid-cols-[3fr_2fr]">
        <section className="card space-y-4" aria-labelledby="this-title">
          <h2 id="this-title">This check-in</h2>
          <ScoreList scores={checkIn} previous={last} />
          <div className="space-y-1">
            <h3 className="text-sm font-medium text-stone-800">Steps worked on</h3>
            {steps.length ? (
              <ul className="list-disc pl-5 text-stone-800">
                {steps.map((s) => (
                  <li key={s.id}>
                    {s.title} <span className="text-sm text-stone-600">({s.planTitle})</span>
                  </li>
                ))}
              </ul>
            ) : (
              <p className="text-sm text-stone-600">None ticked.</p>
            )}
          </div>
          <Words label="What happened" text={checkIn.whatHappened} />
          <Words label="What was hard" text={checkIn.whatWasHard} />

          {checkIn.reviewedAt ? (
            <div className="space-y-1 rounded-md border border-brand-100 bg-brand-50 p-3">
              <h3 className="text-sm font-medium text-brand-900">
                Reviewed by {reviewerName ?? "a colleague"} on <time dateTime={checkIn.reviewedAt}>{when(checkIn.reviewedAt)}</time>
              </h3>
              <p className="whitespace-pre-line text-stone-800">{checkIn.feedback}</p>
            </div>
          ) : (
            <Form method="post" className="space-y-3" noValidate>
              <FormMessage error={failed?.errors.form} />
              <TextAreaField
                label={`Feedback for ${clientName}`}
                name="feedback"
                rows={6}
                required
                defaultValue={failed?.values.feedback}
                error={failed?.errors.feedback}
                hint="The client reads this in their progress page. Acknowledge what they shared and suggest a next step."
              />
              <SubmitButton pendingLabel="Saving…">Mark reviewed</SubmitButton>
            </Form>
          )}
        </section>

        <section className="space-y-3" aria-labelledby="previous-title">
          <h2 id="previous-title">Previous check-ins</h2>
          {previous.length === 0 ? (
            <p className="card text-sm text-stone-700">This is {clientName}'s first check-in on this case.</p>
          ) : (
            <ol className="space-y-3" aria-label={`The last ${previous.length} before this one, newest first`}>
              {previous.map((p) => (
                <li key={p.id} className="card space-y-2">
                  <p className="flex flex-wrap items-center gap-2 text-sm">
                    <Link to={`/check-ins/${p.id}`}>
                      <time dateTime={p.submittedAt}>{when(p.submittedAt)}</time>
                    </Link>
                    {p.flagged ? <span className="badge bg-red-700 text-white">Urgent</span> : null}
                    {p.reviewedAt ? (
                      <span className="badge bg-brand-50 text-brand-800">Reviewed</span>
                    ) : (
                      <span className="badge bg-amber-50 text-amber-900">Not reviewed</span>
                    )}
                  </p>
                  <ScoreList scores={p} />
                  {p.whatHappened || p.whatWasHard ? (
                    <details className="text-sm">
                      <summary>What they wrote</summary>
                      <div className="mt-2 space-y-2">
                        <Words label="What happened" text={p.whatHappened} />
                        <Words label="What was hard" text={p.whatWasHard} />
                      </div>
                    </details>
                  ) : null}
                  {p.feedback ? (
                    <p className="text-sm text-stone-700">
                      <span className="font-medium">Feedback:</span> {p.feedback}
                    </p>
                  ) : null}
                </li>
              ))}
            </ol>
          )}
        </section>
      </div>
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage notFoundMessage="This check-in doesn't exist, or it isn't on one of your cases." />;
}
