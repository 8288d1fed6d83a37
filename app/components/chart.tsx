import { useEffect, useId, useState } from "react";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatDayMonth } from "~/dates";

// The one chart wrapper. Recharts draws in the browser only, so the chart appears after
// hydration (the server and the first browser render both show the empty box, so nothing
// mismatches); the figures themselves are always rendered on the server as a table in a
// <details>, so they are there before JavaScript and for screen readers. The drawing is hidden
// from assistive technology: the table is its text.

export type ChartValue = string | number | null;
export type ChartRow = Record<string, ChartValue>;
export type ChartSeries = { key: string; label: string; color: string };

type Props = {
  /** Names the chart and captions its table. */
  title: string;
  rows: ChartRow[];
  series: ChartSeries[];
  /** The row field on the x axis, e.g. "date". */
  xKey: string;
  /** Heading of the x column in the table, e.g. "Date". */
  xLabel: string;
  /** How an x value reads (axis, tooltip and table); as it is by default. */
  formatX?: (value: ChartValue) => string;
  /** How a figure reads (tooltip and table); as it is by default. */
  formatValue?: (value: number, key: string) => string;
  yDomain?: [number, number];
  /** Text under the chart, e.g. what the scales are. */
  description?: string;
  /** Shown instead of the chart when there are no rows. */
  emptyMessage?: string;
  /** Pixels; the box keeps this height before and after the chart draws. */
  height?: number;
};

function useHydrated() {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return hydrated;
}

const asIs = (value: ChartValue) => (value === null ? "" : String(value));

export function TrendChart({
  title,
  rows,
  series,
  xKey,
  xLabel,
  formatX = asIs,
  formatValue = (value) => String(value),
  yDomain,
  description,
  emptyMessage = "Nothing to show yet.",
  height = 260,
}: Props) {
  const hydrated = useHydrated();
  const descriptionId = useId();
  if (rows.length === 0) return <p className="text-sm text-stone-600">{emptyMessage}</p>;
  const figure = (row: ChartRow, key: string) => {
    const value = row[key];
    return typeof value === "number" ? formatValue(value, key) : "—";
  };
  return (
    <figure className="space-y-3" aria-label={title} aria-describedby={description ? descriptionId : undefined}>
      <div className="w-full" style={{ height }} aria-hidden="true">
        {hydrated ? (
          <ResponsiveContainer width="100%" height="100%">
            <LineChart data={rows} accessibilityLayer={false} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e7e5e4" />
              <XAxis dataKey={xKey} tickFormatter={(value: ChartValue) => formatX(value)} tick={{ fontSize: 12 }} minTickGap={16} />
              <YAxis domain={yDomain ?? ["auto", "auto"]} allowDecimals={false} tick={{ fontSize: 12 }} width={40} />
              <Tooltip
                labelFormatter={(value) => formatX(value as ChartValue)}
                formatter={(value, _name, item) => (typeof value === "number" ? formatValue(value, String(item.dataKey)) : String(value))}
              />
              <Legend />
              {series.map((s) => (
                <Line key={s.key} type="monotone" dataKey={s.key} name={s.label} stroke={s.color} strokeWidth={2} dot={{ r: 3 }} isAnimationActive={false} />
              ))}
            </LineChart>
          </ResponsiveContainer>
        ) : null}
      </div>
      {description ? (
        <p id={descriptionId} className="text-sm text-stone-600">
          {description}
        </p>
      ) : null}
      <details className="text-sm">
        <summary className="cursor-pointer font-medium">Show the figures</summary>
        <div className="mt-2 overflow-x-auto">
          <table className="min-w-full text-left">
            <caption className="sr-only">{title}</caption>
            <thead>
              <tr className="border-b border-stone-200">
                <th scope="col" className="py-1 pr-4 font-medium">
                  {xLabel}
                </th>
                {series.map((s) => (
                  <th key={s.key} scope="col" className="py-1 pr-4 font-medium">
                    {s.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row, index) => (
                <tr key={`${asIs(row[xKey] ?? null)}-${index}`} className="border-b border-stone-100">
                  <th scope="row" className="py-1 pr-4 font-normal">
                    {formatX(row[xKey] ?? null)}
                  </th>
                  {series.map((s) => (
                    <td key={s.key} className="py-1 pr-4 tabular-nums">
                      {figure(row, s.key)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

/** "12 Mar" for a YYYY-MM-DD day, the way chart axes and tables show days. */
export function formatChartDay(value: ChartValue) {
  return typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value) ? formatDayMonth(value) : asIs(value);
}
