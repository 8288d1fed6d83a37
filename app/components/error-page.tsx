import { isRouteErrorResponse, Link, useRouteError } from "@remix-run/react";
import { useRequestId } from "~/nonce";

/** The words for a 503 when the database can't be reached (also on server/index.ts's plain page). */
export const DATABASE_UNAVAILABLE = {
  title: "Cairn is briefly unavailable",
  body: "Cairn can't reach its database right now; try again in a minute. If you were saving something, it may not have been saved: check once Cairn is back, and send it again if it's missing.",
};

/** The data of that 503 (app/entry.server.tsx): the id of the request that failed. */
export type DatabaseUnavailableData = { requestId: string };

/** Says in plain words what went wrong; used by every route's ErrorBoundary. */
export function ErrorPage({ notFoundMessage }: { notFoundMessage?: string }) {
  const error = useRouteError();
  const serverRequestId = useRequestId();
  let title = "Something went wrong";
  let body = "Cairn hit an unexpected problem. Your work was not lost if the page said it was saved. Try again in a moment.";
  let requestId: string | null = null;

  if (isRouteErrorResponse(error) && error.status === 404) {
    title = "Not found";
    body = notFoundMessage ?? "This page doesn't exist, or it isn't shared with you.";
  } else if (isRouteErrorResponse(error) && error.status === 403) {
    title = "Not allowed";
    body = "You can see this, but you aren't allowed to make that change. Ask your practice's admin if you think you should.";
  } else if (isRouteErrorResponse(error) && error.status === 503) {
    title = DATABASE_UNAVAILABLE.title;
    body = DATABASE_UNAVAILABLE.body;
    const data = error.data as Partial<DatabaseUnavailableData> | null;
    requestId = (typeof data?.requestId === "string" && data.requestId) || serverRequestId || null;
  } else if (isRouteErrorResponse(error) && error.status === 400) {
    title = "That request didn't make sense";
    body = typeof error.data === "string" && error.data ? error.data : "Check the address and try again.";
  } else {
    const message = error instanceof Error ? error.message : "";
    requestId = /request ([\w-]+)/.exec(message)?.[1] ?? (serverRequestId || null);
  }

  return (
    <section className="card mx-auto my-8 max-w-xl space-y-3" aria-labelledby="error-title">
      <h1 id="error-title">{title}</h1>
      <p>{body}</p>
      {requestId ? (
        <p className="text-sm text-stone-600">
          If you contact support, mention request id <code className="font-mono">{requestId}</code>.
        </p>
      ) : null}
      <p>
        <Link to="/">Go to your home page</Link>
      </p>
    </section>
  );
}
