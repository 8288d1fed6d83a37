import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { formatWeekdayDate } from "~/dates";
import { formatChartDay, TrendChart } from "~/components/chart";
import { Pagination } from "~/components/data-table";
import { ErrorPage } from "~/components/error-page";
import { Markdown } from "~/components/markdown";
import { exactTime } from "~/components/thread-view";
import { requirePermission } from "~/auth/guard.server";
import { listOwnCheckIns } from "~/models/check-ins.server";
import { historyQuery, listOwnCheckInSeries } from "~/models/progress-series.server";

// The client's progress: how their mood and sense of progress moved across their check-ins, and
// every check-in they sent with what their practitioner wrote back. Their own cases only.

export const meta: MetaFunction = () => [{ title: "Your progress · Cairn" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "portal.use");
  const query = historyQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  const [series, history] = await Promise.all([listOwnCheckInSeries(user), listOwnCheckIns(user, query)]);
  return json({ series, history });
}

const SCORE_SERIES = [
  { key: "mood", label: "Mood (1–5)", color: "#0f766e" },
  { key: "progress", label: "Progress (1–10)", color: "#7c3aed" },
];


export default function PortalProgress() {
  const { series, history } = useLoaderData<typeof loader>();
  const showCase = series.length > 1;

  return (
    <div className="space-y-8">
      <div className="space-y-1">
        <p className="text-sm">
          <Link to="/portal">← My plan</Link>
        </p>
        <h1>Your progress</h1>
        <p className="text-stone-700">
          Each check-in adds a point here. Ups and downs are part of rebuilding trust; what matters is the direction over time, and
          your practitioner looks at it with you.
        </p>
      </div>

      <section className="space-y-4" aria-labelledby="chart-title">
        <h2 id="chart-title">Mood and progress</h2>
        {series.length === 0 ? <p className="card text-stone-700">Your practitioner hasn't opened a case for you yet.</p> : null}
        {series.map((c) => {
          const last = c.points.at(-1);
          return (
            <div key={c.caseId} className="card space-y-3">
              {showCase ? <h3>{c.caseTitle}</h3> : null}
              <TrendChart
                title={showCase ? `Your mood and progress: ${c.caseTitle}` : "Your mood and progress"}
                rows={c.points}
                series={SCORE_SERIES}
                xKey="date"
                xLabel="Day"
                formatX={formatChartDay}
                yDomain={[0, 10]}
                description={last ? `Your latest check-in (${formatChartDay(last.date)}): mood ${last.mood} of 5, progress ${last.progress} of 10.` : undefined}
                emptyMessage="Once you've checked in, your mood and progress will show here."
              />
            </div>
          );
        })}
      </section>

      <section className="space-y-3" aria-labelledby="history-title">
        <h2 id="history-title">Your check-ins</h2>
        {history.rows.length === 0 ? (
          <p className="card text-stone-700">
            {history.total === 0 ? "You haven't checked in yet. Your check-ins and your practitioner's feedback will be here." : "No more check-ins on this page."}
          </p>
        ) : (
          <ol className="space-y-3" aria-label="Your check-ins, newest first">
            {history.rows.map((entry) => (
              <li key={entry.id} className="card space-y-2">
                <h3 className="text-base">
                  <time dateTime={entry.submittedAt} title={exactTime(entry.submittedAt)}>
                    {formatWeekdayDate(entry.submittedAt)}
                  </time>
                  {showCase ? <span className="font-normal text-stone-600"> · {entry.caseTitle}</span> : null}
                </h3>
                <p className="text-sm text-stone-700">
                  Mood {entry.mood} of 5 · Progress {entry.progress} of 10 · Closeness {entry.closeness} of 10
                </p>
                {entry.whatHappened ? (
                  <div className="text-sm">
                    <p className="font-medium">What happened</p>
                    <p className="whitespace-pre-line">{entry.whatHappened}</p>
                  </div>
                ) : null}
                {entry.whatWasHard ? (
                  <div className="text-sm">
                    <p className="font-medium">What was hard</p>
                    <p className="whitespace-pre-line">{entry.whatWasHard}</p>
                  </div>
                ) : null}
                {entry.reviewedAt ? (
                  <div className="rounded-md border border-brand-100 bg-brand-50 p-3 text-sm">
                    <p className="font-medium">{entry.reviewerName ? `Feedback from ${entry.reviewerName}` : "Feedback"}</p>
                    {entry.feedback ? <Markdown>{entry.feedback}</Markdown> : <p>Your practitioner has read this check-in.</p>}
                  </div>
                ) : (
                  <p className="text-sm text-stone-600">Waiting for your practitioner's feedback.</p>
                )}
              </li>
            ))}
          </ol>
        )}
        {history.total > history.perPage || history.page > 1 ? (
          <Pagination page={history.page} perPage={history.perPage} total={history.total} label="check-ins" />
        ) : null}
      </section>
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
