import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData, useNavigation } from "@remix-run/react";
import { formatDateTime } from "~/dates";
import { ErrorPage } from "~/components/error-page";
import { Pagination } from "~/components/data-table";
import { requirePermission } from "~/auth/guard.server";
import { recordCaseView } from "~/models/audit.server";
import { listCaseTimeline, timelineQuery } from "~/models/case-workflow.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const actor = await requirePermission(request, "staff.workspace");
  const query = timelineQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  const timeline = await listCaseTimeline(actor, params.caseId ?? "", query);
  await recordCaseView(actor, params.caseId ?? "", "timeline", context.clientIp);
  return json(timeline);
}

const formatWhen = (iso: string) => `${formatDateTime(iso)} UTC`;

export default function CaseTimeline() {
  const { events, page, perPage, total } = useLoaderData<typeof loader>();
  const navigation = useNavigation();
  const loading = navigation.state === "loading" && navigation.location.pathname.endsWith("/timeline");
  return (
    <section className="space-y-4" aria-labelledby="timeline-title">
      <h2 id="timeline-title">Timeline</h2>
      <p className="text-sm text-stone-600">Everything that happened on this case, newest first. Staff only.</p>
      {events.length === 0 ? (
        <p className="card">Nothing has happened on this case yet.</p>
      ) : (
        <ol className="card divide-y divide-stone-100 p-0 sm:p-0" aria-busy={loading || undefined}>
          {events.map((event) => (
            <li key={event.id} className="flex flex-col gap-1 px-4 py-3 sm:flex-row sm:gap-4">
              <time dateTime={event.at} className="shrink-0 text-sm text-stone-600 sm:w-48">
                {formatWhen(event.at)}
              </time>
              <span>{event.sentence}</span>
            </li>
          ))}
        </ol>
      )}
      <Pagination page={page} perPage={perPage} total={total} label="events" />
    </section>
  );
}

export function ErrorBoundary() {
  return <ErrorPage notFoundMessage="This case doesn't exist or isn't shared with you." />;
}
