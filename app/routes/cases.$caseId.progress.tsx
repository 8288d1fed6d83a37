import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { formatChartDay, TrendChart, type ChartValue } from "~/components/chart";
import { ErrorPage } from "~/components/error-page";
import { requirePermission } from "~/auth/guard.server";
import { recordCaseView } from "~/models/audit.server";
import { getCaseProgress } from "~/models/progress-series.server";

// The case's "Progress" tab: the client's check-in scores over time, how much of the plan was
// done week by week, and whether check-ins came in each period. Staff on the case only.

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const actor = await requirePermission(request, "staff.workspace");
  const progress = await getCaseProgress(actor, params.caseId ?? "");
  await recordCaseView(actor, params.caseId ?? "", "progress", context.clientIp);
  return json(progress);
}

const SCORE_SERIES = [
  { key: "mood", label: "Mood (1–5)", color: "#0f766e" },
  { key: "progress", label: "Progress (1–10)", color: "#7c3aed" },
  { key: "closeness", label: "Closeness (1–10)", color: "#c2410c" },
];

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export default function CaseProgress() {
  const { scores, completion, adherence, checkInEveryDays } = useLoaderData<typeof loader>();
  const lastScore = scores.at(-1);
  const lastCompletion = completion.at(-1);
  const finished = adherence.filter((p) => !p.current);
  const missed = finished.filter((p) => p.submitted === 0).length;
  const periods = new Map(adherence.map((p) => [p.periodStart, p]));
  const formatPeriod = (value: ChartValue) => {
    const period = typeof value === "string" ? periods.get(value) : undefined;
    if (!period) return formatChartDay(value);
    const range = period.periodStart === period.periodEnd ? formatChartDay(period.periodStart) : `${formatChartDay(period.periodStart)}–${formatChartDay(period.periodEnd)}`;
    return period.current ? `${range} (in progress)` : range;
  };
  const cadence = checkInEveryDays === 1 ? "day" : `${checkInEveryDays} days`;

  return (
    <div className="space-y-6">
      <section className="card space-y-3" aria-labelledby="scores-title">
        <h2 id="scores-title">Check-in scores</h2>
        <TrendChart
          title="Check-in scores by day"
          rows={scores}
          series={SCORE_SERIES}
          xKey="date"
          xLabel="Day"
          formatX={formatChartDay}
          yDomain={[0, 10]}
          description={
            lastScore
              ? `Latest check-in (${formatChartDay(lastScore.date)}): mood ${lastScore.mood} of 5, progress ${lastScore.progress} of 10, closeness ${lastScore.closeness} of 10. Days with more than one check-in show their average.`
              : undefined
          }
          emptyMessage="No check-ins in the last six months yet."
        />
      </section>

      <section className="card space-y-3" aria-labelledby="completion-title">
        <h2 id="completion-title">Plan completion</h2>
        <TrendChart
          title="Plan completion at the end of each week"
          rows={completion}
          series={[{ key: "percent", label: "Steps done", color: "#0f766e" }]}
          xKey="weekStart"
          xLabel="Week starting"
          formatX={formatChartDay}
          formatValue={(value) => `${value} %`}
          yDomain={[0, 100]}
          description={`Share of the steps on the current plans done by the end of each week; skipped steps don't count. ${lastCompletion ? `This week: ${lastCompletion.percent} %.` : ""}`}
        />
      </section>

      <section className="card space-y-3" aria-labelledby="adherence-title">
        <h2 id="adherence-title">Check-in adherence</h2>
        <TrendChart
          title="Check-ins submitted against expected, per period"
          rows={adherence.map(({ periodStart, submitted, expected }) => ({ periodStart, submitted, expected }))}
          series={[
            { key: "submitted", label: "Submitted", color: "#7c3aed" },
            { key: "expected", label: "Expected", color: "#a8a29e" },
          ]}
          xKey="periodStart"
          xLabel="Period"
          formatX={formatPeriod}
          yDomain={[0, Math.max(2, ...adherence.map((p) => p.submitted))]}
          description={`One check-in is expected every ${cadence}, counted from the day the case opened. ${
            finished.length ? `${missed} of ${plural(finished.length, "finished period", "finished periods")} shown had no check-in.` : "The first period isn't over yet."
          }`}
        />
      </section>
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage notFoundMessage="This case doesn't exist or isn't shared with you." />;
}
