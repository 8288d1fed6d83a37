import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { ErrorPage } from "~/components/error-page";
import { Day, STEP_STATUS, When } from "~/components/export-page";
import { Markdown } from "~/components/markdown";
import { THREAD_STATUS_LABELS } from "~/components/thread-view";
import { requirePermission } from "~/auth/guard.server";
import { CASE_STATUS_LABELS, CONCERN_LABELS, RISK_LABELS } from "~/auth/permissions";
import { exportCaseData } from "~/models/data-export.server";

// /cases/:caseId/export: everything on a case on one printable page, with the same data as a
// JSON download. Admins only: anyone else gets 404. Each visit is recorded in the audit log.

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Export · ${data.client?.name ?? "Client"} · ${data.case.title} · Cairn` : "Case export · Cairn" },
];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const actor = await requirePermission(request, "cases.export");
  return json(await exportCaseData(actor, params.caseId ?? "", "html", context.clientIp));
}

function Versions({ versions }: { versions: { body: string; replacedAt: string }[] }) {
  if (versions.length === 0) return null;
  return (
    <div className="space-y-1 text-sm">
      <p className="font-medium">Earlier versions ({versions.length})</p>
      {versions.map((v) => (
        <div key={v.replacedAt} className="rounded-md bg-stone-50 p-2">
          <p className="text-stone-600">
            Replaced <When at={v.replacedAt} />
          </p>
          <Markdown>{v.body}</Markdown>
        </div>
      ))}
    </div>
  );
}

function Empty({ children }: { children: string }) {
  return <p className="text-sm text-stone-600">{children}</p>;
}

export default function CaseExportPage() {
  const data = useLoaderData<typeof loader>();
  const c = data.case;
  return (
    <div className="space-y-6">
      <p className="text-sm print:hidden">
        <Link to={`/cases/${c.id}`}>← Back to the case</Link>
      </p>
      <header className="space-y-2">
        <h1>
          Case export: {data.client?.name ?? "Unknown client"} · {c.title}
        </h1>
        <p>
          Everything on this case as of <When at={data.exportedAt} />, including staff notes and internal posts. Handle it as
          the practice's most private record.
        </p>
        <p className="flex flex-wrap gap-3 print:hidden">
          <a href={`/cases/${c.id}/export.json`} className="btn" download>
            Download JSON
          </a>
          <button type="button" className="btn-secondary" onClick={() => window.print()}>
            Print
          </button>
        </p>
      </header>

      <section className="card space-y-2" aria-labelledby="summary-title">
        <h2 id="summary-title">Case</h2>
        <dl className="grid gap-x-6 gap-y-1 text-sm sm:grid-cols-[auto_1fr]">
          <dt className="font-medium">Client</dt>
          <dd>
            {data.client ? `${data.client.name} · ${data.client.email}` : "Unknown"}
            {data.client?.deactivatedAt ? " (deactivated)" : ""}
          </dd>
          <dt className="font-medium">Status</dt>
          <dd>{CASE_STATUS_LABELS[c.status]}</dd>
          <dt className="font-medium">Risk</dt>
          <dd>{RISK_LABELS[c.risk]}</dd>
          <dt className="font-medium">Concern</dt>
          <dd>
            {CONCERN_LABELS[c.concernCategory]}
            {c.concern ? ` — ${c.concern}` : ""}
          </dd>
          <dt className="font-medium">Check-ins</dt>
          <dd>Every {c.checkInEveryDays === 1 ? "day" : `${c.checkInEveryDays} days`}</dd>
          <dt className="font-medium">Opened</dt>
          <dd>
            <When at={c.openedAt} />
            {c.openedBy ? ` by ${c.openedBy}` : ""}
          </dd>
          <dt className="font-medium">Closed</dt>
          <dd>
            <When at={c.closedAt} />
          </dd>
        </dl>
        {c.closingNote ? (
          <div className="text-sm">
            <p className="font-medium">Closing note</p>
            <p className="whitespace-pre-line">{c.closingNote}</p>
          </div>
        ) : null}
      </section>

      <section className="card space-y-2" aria-labelledby="team-title">
        <h2 id="team-title">Team</h2>
        {data.members.length === 0 ? (
          <Empty>No one is on this case.</Empty>
        ) : (
          <ul className="text-sm">
            {data.members.map((m) => (
              <li key={m.userId}>
                {m.name} · {m.role} · {m.caseRole === "lead" ? "Lead" : "Support"} · added <When at={m.addedAt} />
                {m.addedByName ? ` by ${m.addedByName}` : ""}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="card space-y-3" aria-labelledby="plans-title">
        <h2 id="plans-title">Plans</h2>
        {data.plans.length === 0 ? <Empty>No plans.</Empty> : null}
        {data.plans.map((plan) => (
          <article key={plan.id} className="space-y-2" aria-labelledby={`plan-${plan.id}`}>
            <h3 id={`plan-${plan.id}`}>
              {plan.title}
              {plan.archivedAt ? <span className="font-normal text-stone-600"> (archived)</span> : null}
            </h3>
            <p className="text-sm text-stone-700">
              Assigned <When at={plan.assignedAt} />
              {plan.assignedBy ? ` by ${plan.assignedBy}` : ""} · starts <Day day={plan.startDate} />
              {plan.sequential ? " · steps in order" : ""} · version {plan.version}
            </p>
            {plan.summary ? <Markdown>{plan.summary}</Markdown> : null}
            <ol className="list-decimal space-y-2 pl-6">
              {plan.steps.map((step) => (
                <li key={step.id} className="space-y-1">
                  <p className="font-medium">
                    {step.title} <span className="font-normal text-stone-700">— {STEP_STATUS[step.status]}</span>
                  </p>
                  <p className="text-sm text-stone-700">
                    Due <Day day={step.dueDate} /> · started <When at={step.startedAt} /> · finished <When at={step.completedAt} />
                  </p>
                  {step.guidance ? <Markdown className="text-sm">{step.guidance}</Markdown> : null}
                  {step.resourceUrl ? <p className="text-sm">Resource: {step.resourceUrl}</p> : null}
                  {step.reflection ? (
                    <p className="whitespace-pre-line text-sm">
                      <span className="font-medium">Client's reflection: </span>
                      {step.reflection}
                    </p>
                  ) : null}
                </li>
              ))}
            </ol>
          </article>
        ))}
      </section>

      <section className="card space-y-3" aria-labelledby="check-ins-title">
        <h2 id="check-ins-title">Check-ins</h2>
        {data.checkIns.length === 0 ? <Empty>No check-ins.</Empty> : null}
        <ul className="space-y-3">
          {data.checkIns.map((checkIn) => (
            <li key={checkIn.id} className="space-y-1 border-t border-stone-100 pt-2">
              <p className="font-medium">
                <When at={checkIn.submittedAt} /> · {checkIn.authorName}
              </p>
              <p className="text-sm">
                Mood {checkIn.mood} of 5 · progress {checkIn.progress} of 10 · closeness {checkIn.closeness} of 10
              </p>
              {checkIn.riskReasons.length ? (
                <p className="text-sm text-red-800">Flagged: {checkIn.riskReasons.map((r) => r.label).join(", ")}</p>
              ) : null}
              {checkIn.stepsWorkedOn.length ? <p className="text-sm">Steps worked on: {checkIn.stepsWorkedOn.join(", ")}</p> : null}
              {checkIn.whatHappened ? <p className="whitespace-pre-line text-sm">What happened: {checkIn.whatHappened}</p> : null}
              {checkIn.whatWasHard ? <p className="whitespace-pre-line text-sm">What was hard: {checkIn.whatWasHard}</p> : null}
              {checkIn.reviewedAt ? (
                <p className="whitespace-pre-line text-sm">
                  Reviewed <When at={checkIn.reviewedAt} />
                  {checkIn.reviewerName ? ` by ${checkIn.reviewerName}` : ""}: {checkIn.feedback}
                </p>
              ) : (
                <p className="text-sm text-stone-600">Not reviewed.</p>
              )}
            </li>
          ))}
        </ul>
      </section>

      <section className="card space-y-3" aria-labelledby="questions-title">
        <h2 id="questions-title">Questions</h2>
        {data.questions.length === 0 ? <Empty>No questions.</Empty> : null}
        {data.questions.map((q) => (
          <article key={q.id} className="space-y-2" aria-labelledby={`question-${q.id}`}>
            <h3 id={`question-${q.id}`}>{q.title}</h3>
            <p className="text-sm text-stone-700">
              {THREAD_STATUS_LABELS[q.status]}
              {q.priority === "urgent" ? " · urgent" : ""} · started by {q.startedBy} <When at={q.createdAt} />
              {q.assignee ? ` · assigned to ${q.assignee}` : ""}
              {q.riskReasons.length ? ` · flagged: ${q.riskReasons.map((r) => r.label).join(", ")}` : ""}
            </p>
            <ul className="space-y-2">
              {q.posts.map((post) => (
                <li key={post.id} className={`space-y-1 border-l-2 pl-3 ${post.visibility === "internal" ? "border-amber-400" : "border-stone-200"}`}>
                  <p className="text-sm text-stone-700">
                    <span className="font-medium text-stone-900">{post.authorName}</span>
                    {post.authorRole ? ` (${post.authorRole})` : ""} · <When at={post.createdAt} />
                    {post.editedAt ? " · edited" : ""}
                    {post.visibility === "internal" ? " · Internal note — staff only" : ""}
                  </p>
                  <Markdown>{post.body}</Markdown>
                  <Versions versions={post.earlierVersions} />
                </li>
              ))}
            </ul>
          </article>
        ))}
      </section>

      <section className="card space-y-3" aria-labelledby="notes-title">
        <h2 id="notes-title">Staff notes</h2>
        {data.notes.length === 0 ? <Empty>No staff notes.</Empty> : null}
        {data.notes.map((note) => (
          <article key={note.id} className="space-y-1 border-t border-stone-100 pt-2">
            <p className="text-sm text-stone-700">
              <span className="font-medium text-stone-900">{note.authorName}</span> · <When at={note.createdAt} />
              {note.updatedAt ? (
                <>
                  {" "}
                  · edited <When at={note.updatedAt} />
                </>
              ) : null}
            </p>
            <Markdown>{note.body}</Markdown>
            <Versions versions={note.earlierVersions} />
          </article>
        ))}
      </section>

      <section className="card space-y-2" aria-labelledby="timeline-title">
        <h2 id="timeline-title">Timeline</h2>
        {data.timeline.length === 0 ? <Empty>Nothing recorded yet.</Empty> : null}
        <ol className="space-y-1 text-sm">
          {data.timeline.map((event, i) => (
            <li key={i}>
              <When at={event.at} /> — {event.sentence}
            </li>
          ))}
        </ol>
      </section>

      <section className="card space-y-2" aria-labelledby="views-title">
        <h2 id="views-title">Who viewed the case</h2>
        {data.views.length === 0 ? (
          <Empty>No views recorded.</Empty>
        ) : (
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Views of this case, oldest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Page</th>
                <th scope="col">IP address</th>
              </tr>
            </thead>
            <tbody>
              {data.views.map((view, i) => (
                <tr key={i} className="border-t border-stone-100">
                  <td>
                    <When at={view.at} />
                  </td>
                  <td>
                    {view.actorName}
                    {view.actorRole ? ` (${view.actorRole})` : ""}
                  </td>
                  <td>{view.page ?? "–"}</td>
                  <td>{view.ip ?? "–"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage notFoundMessage="This case doesn't exist or isn't shared with you." />;
}
