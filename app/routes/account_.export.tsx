import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { ErrorPage } from "~/components/error-page";
import { Day, STEP_STATUS, When } from "~/components/export-page";
import { Markdown } from "~/components/markdown";
import { CLIENT_THREAD_STATUS_LABELS } from "~/components/thread-view";
import { requirePermission } from "~/auth/guard.server";
import { CASE_STATUS_LABELS } from "~/auth/permissions";
import { exportOwnData } from "~/models/data-export.server";

// /account/export: everything Cairn holds about the signed-in person, as a page to read or
// print, with the same data as a JSON download beside it. Each visit is recorded in the audit log.

export const meta: MetaFunction = () => [{ title: "Your data · Cairn" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "account.manage");
  return json(await exportOwnData(user, "html", context.clientIp));
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>;

function PlanSection({ plan }: { plan: Data["cases"][number]["plans"][number] }) {
  return (
    <article className="space-y-2 break-inside-avoid-page" aria-labelledby={`plan-${plan.id}`}>
      <h4 id={`plan-${plan.id}`} className="font-semibold">
        {plan.title}
        {plan.archivedAt ? <span className="font-normal text-stone-600"> (archived)</span> : null}
      </h4>
      <p className="text-sm text-stone-700">
        Assigned <When at={plan.assignedAt} />
        {plan.startDate ? (
          <>
            {" "}
            · starts <Day day={plan.startDate} />
          </>
        ) : null}
        {plan.sequential ? " · steps in order" : ""}
      </p>
      {plan.summary ? <Markdown>{plan.summary}</Markdown> : null}
      <ol className="list-decimal space-y-3 pl-6">
        {plan.steps.map((step) => (
          <li key={step.id} className="space-y-1">
            <p className="font-medium">
              {step.title} <span className="font-normal text-stone-700">— {STEP_STATUS[step.status]}</span>
            </p>
            <p className="text-sm text-stone-700">
              Due <Day day={step.dueDate} />
              {step.completedAt ? (
                <>
                  {" "}
                  · done <When at={step.completedAt} />
                </>
              ) : null}
            </p>
            {step.guidance ? <Markdown className="text-sm">{step.guidance}</Markdown> : null}
            {step.resourceUrl ? <p className="text-sm">Resource: {step.resourceUrl}</p> : null}
            {step.reflection ? (
              <div className="rounded-md bg-stone-50 p-2 text-sm">
                <p className="font-medium">Your reflection</p>
                <p className="whitespace-pre-line">{step.reflection}</p>
              </div>
            ) : null}
          </li>
        ))}
      </ol>
    </article>
  );
}

function CaseSection({ item }: { item: Data["cases"][number] }) {
  return (
    <section className="card space-y-4" aria-labelledby={`case-${item.id}`}>
      <h2 id={`case-${item.id}`}>{item.title}</h2>
      <p className="text-sm text-stone-700">
        {CASE_STATUS_LABELS[item.status]} · opened <When at={item.openedAt} />
        {item.closedAt ? (
          <>
            {" "}
            · closed <When at={item.closedAt} />
          </>
        ) : null}
      </p>

      <h3>Plans</h3>
      {item.plans.length === 0 ? <p className="text-sm text-stone-600">No plans.</p> : item.plans.map((plan) => <PlanSection key={plan.id} plan={plan} />)}

      <h3>Check-ins</h3>
      {item.checkIns.length === 0 ? (
        <p className="text-sm text-stone-600">No check-ins.</p>
      ) : (
        <ul className="space-y-3">
          {item.checkIns.map((checkIn) => (
            <li key={checkIn.id} className="space-y-1 border-t border-stone-100 pt-2 break-inside-avoid-page">
              <p className="font-medium">
                <When at={checkIn.submittedAt} />
              </p>
              <p className="text-sm">
                Mood {checkIn.mood} of 5 · progress {checkIn.progress} of 10 · closeness {checkIn.closeness} of 10
              </p>
              {checkIn.stepsWorkedOn.length ? <p className="text-sm">Steps worked on: {checkIn.stepsWorkedOn.join(", ")}</p> : null}
              {checkIn.whatHappened ? (
                <p className="whitespace-pre-line text-sm">
                  <span className="font-medium">What happened: </span>
                  {checkIn.whatHappened}
                </p>
              ) : null}
              {checkIn.whatWasHard ? (
                <p className="whitespace-pre-line text-sm">
                  <span className="font-medium">What was hard: </span>
                  {checkIn.whatWasHard}
                </p>
              ) : null}
              {checkIn.feedback ? (
                <div className="rounded-md bg-stone-50 p-2 text-sm">
                  <p className="font-medium">
                    Feedback{checkIn.reviewerName ? ` from ${checkIn.reviewerName}` : ""}, <When at={checkIn.reviewedAt} />
                  </p>
                  <p className="whitespace-pre-line">{checkIn.feedback}</p>
                </div>
              ) : (
                <p className="text-sm text-stone-600">Not reviewed yet.</p>
              )}
            </li>
          ))}
        </ul>
      )}

      <h3>Questions</h3>
      {item.questions.length === 0 ? (
        <p className="text-sm text-stone-600">No questions.</p>
      ) : (
        item.questions.map((question) => (
          <article key={question.id} className="space-y-2" aria-labelledby={`question-${question.id}`}>
            <h4 id={`question-${question.id}`} className="font-semibold">
              {question.title} <span className="font-normal text-stone-600">— {CLIENT_THREAD_STATUS_LABELS[question.status]}</span>
            </h4>
            <ul className="space-y-2">
              {question.posts.map((post) => (
                <li key={post.id} className="space-y-1 border-l-2 border-stone-200 pl-3 break-inside-avoid-page">
                  <p className="text-sm text-stone-700">
                    <span className="font-medium text-stone-900">{post.authorName}</span>
                    {post.authorRole ? ` (${post.authorRole})` : ""} · <When at={post.createdAt} />
                    {post.editedAt ? " · edited" : ""}
                  </p>
                  <Markdown>{post.body}</Markdown>
                  {post.earlierVersions.length ? (
                    <details className="text-sm">
                      <summary>Earlier versions ({post.earlierVersions.length})</summary>
                      {post.earlierVersions.map((v) => (
                        <div key={v.replacedAt} className="mt-1 rounded-md bg-stone-50 p-2">
                          <p className="text-stone-600">
                            Replaced <When at={v.replacedAt} />
                          </p>
                          <Markdown>{v.body}</Markdown>
                        </div>
                      ))}
                    </details>
                  ) : null}
                </li>
              ))}
            </ul>
          </article>
        ))
      )}
    </section>
  );
}

export default function MyDataPage() {
  const data = useLoaderData<typeof loader>();
  const { profile } = data;
  return (
    <div className="space-y-6">
      <p className="text-sm print:hidden">
        <Link to="/account">← Account</Link>
      </p>
      <header className="space-y-2">
        <h1>Your data in Cairn</h1>
        <p>
          Everything Cairn holds about you, as of <When at={data.exportedAt} />. Keep a copy somewhere safe: it holds what you
          wrote.
        </p>
        <p className="flex flex-wrap gap-3 print:hidden">
          <a href="/account/export.json" className="btn" download>
            Download JSON
          </a>
          <button type="button" className="btn-secondary" onClick={() => window.print()}>
            Print
          </button>
        </p>
      </header>

      <section className="card space-y-2" aria-labelledby="profile-title">
        <h2 id="profile-title">Profile</h2>
        <dl className="grid gap-x-6 gap-y-1 text-sm sm:grid-cols-[auto_1fr]">
          <dt className="font-medium">Name</dt>
          <dd>{profile.name}</dd>
          <dt className="font-medium">Email</dt>
          <dd>{profile.email}</dd>
          <dt className="font-medium">Role</dt>
          <dd>{profile.role}</dd>
          <dt className="font-medium">Account created</dt>
          <dd>
            <When at={profile.createdAt} />
          </dd>
          <dt className="font-medium">Two-step sign-in</dt>
          <dd>{profile.twoFactorSince ? <>On since <When at={profile.twoFactorSince} /></> : "Off"}</dd>
        </dl>
      </section>

      <section className="card space-y-2" aria-labelledby="sessions-title">
        <h2 id="sessions-title">Sign-in sessions</h2>
        {data.sessions.length === 0 ? (
          <p className="text-sm text-stone-600">None.</p>
        ) : (
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Your sign-in sessions</caption>
            <thead>
              <tr>
                <th scope="col">Signed in</th>
                <th scope="col">Last used</th>
                <th scope="col">Browser</th>
                <th scope="col">IP address</th>
              </tr>
            </thead>
            <tbody>
              {data.sessions.map((s, i) => (
                <tr key={i} className="border-t border-stone-100">
                  <td>
                    <When at={s.createdAt} />
                  </td>
                  <td>
                    <When at={s.lastSeenAt} />
                  </td>
                  <td className="break-all">{s.userAgent ?? "–"}</td>
                  <td>{s.ip ?? "–"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      {data.cases.map((item) => (
        <CaseSection key={item.id} item={item} />
      ))}

      <section className="card space-y-2" aria-labelledby="notifications-title">
        <h2 id="notifications-title">Notifications</h2>
        {data.notifications.length === 0 ? (
          <p className="text-sm text-stone-600">None.</p>
        ) : (
          <ul className="space-y-1 text-sm">
            {data.notifications.map((n, i) => (
              <li key={i}>
                <When at={n.createdAt} /> — {n.text}
                {n.readAt ? "" : " (unread)"}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
