import type { AppLoadContext, EntryContext } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { isDatabaseUnavailable } from "../db/unavailable";
import type { DatabaseUnavailableData } from "./components/error-page";
import { renderToHtmlBytes } from "./html-bytes.server";
import { RequestInfoProvider } from "./nonce";

// When the database can't be reached, every request answers 503 "try again in a minute" rather
// than a 500 that reads like a bug, and a form post never looks as if it was saved:
//  1. handleError (below) sees the loader's or action's error, recognises it
//     (db/unavailable.ts) and marks the request's context.
//  2. Page requests: handleRequest throws a 503 response instead of rendering the 500. Remix
//     renders the page again with that response at the root error boundary, so the error page
//     (app/components/error-page.tsx) shows "can't reach its database", with a 503 status and
//     the same error in the data the browser hydrates with.
//  3. Data requests (navigation in the browser): handleDataRequest turns the 500 into a 503 that
//     Remix's client hands to the same error page.
//  4. Routes without a page (e.g. the home redirect) are answered by server/index.ts.
// Nothing is cached: the next request uses the database again and succeeds once it is back.
const RETRY_AFTER_SECONDS = "60";

function databaseUnavailableResponse(context: AppLoadContext, headers: HeadersInit = {}) {
  const body: DatabaseUnavailableData = { requestId: context.requestId ?? "" };
  return new Response(JSON.stringify(body), {
    status: 503,
    statusText: "Service Unavailable",
    headers: { ...headers, "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store", "Retry-After": RETRY_AFTER_SECONDS },
  });
}

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  // Step 2 above. The second render arrives with the 503 in place; it renders normally.
  if (loadContext.databaseUnavailable && responseStatusCode !== 503) throw databaseUnavailableResponse(loadContext);
  if (loadContext.databaseUnavailable) responseHeaders.set("Retry-After", RETRY_AFTER_SECONDS);
  const nonce = loadContext.cspNonce ?? "";
  // The page is rendered whole, not streamed. No route streams part of its data later (defer/Await) or
  // suspends, so a streaming render would send the same document in one piece anyway, and it costs
  // more: it encodes the page into byte chunks of a few characters at a time, about half as much
  // again as the render itself on a long page. An error while rendering throws here, and Remix renders the page again
  // with the error at the nearest error boundary, as it does for a streaming render's shell.
  const body = renderToHtmlBytes(
    <RequestInfoProvider value={{ nonce, requestId: loadContext.requestId ?? "" }}>
      <RemixServer context={remixContext} url={request.url} nonce={nonce} />
    </RequestInfoProvider>,
  );
  responseHeaders.set("Content-Type", "text/html; charset=utf-8");
  responseHeaders.set("Cache-Control", "no-store");
  // The body as UTF-8 bytes, encoded once (app/html-bytes.server.ts): given a string, the Response
  // would first copy it to check it is well formed, then encode it.
  return new Response(body, { headers: responseHeaders, status: responseStatusCode });
}

export async function handleDataRequest(response: Response, { context }: { context: AppLoadContext }) {
  // Step 3 above: a 503 error response ("catch"), which the browser's error boundary receives
  // like one a loader threw.
  if (context.databaseUnavailable && response.status === 500) {
    return databaseUnavailableResponse(context, { "X-Remix-Catch": "yes" });
  }
  // Private data must never sit in a shared cache.
  if (!response.headers.has("Cache-Control")) response.headers.set("Cache-Control", "no-store");
  // An unexpected error during a client-side navigation: put the request id into the message
  // the browser's error page shows, so the person can quote it.
  if (response.status === 500 && response.headers.has("X-Remix-Error") && context.requestId) {
    const headers = new Headers(response.headers);
    headers.delete("Content-Length");
    return new Response(JSON.stringify({ message: `Unexpected server error (request ${context.requestId})` }), {
      status: 500,
      headers,
    });
  }
  return response;
}

export function handleError(error: unknown, { request, context }: { request: Request; context: AppLoadContext }) {
  if (request.signal.aborted) return;
  // The 503 thrown by handleRequest comes back here; it was not a failure of its own.
  if (error instanceof Response) return;
  const where = `request ${context.requestId ?? "?"} ${request.method} ${new URL(request.url).pathname}`;
  if (isDatabaseUnavailable(error)) {
    // Step 1 above. One line, not a stack trace per request while the database is away.
    context.databaseUnavailable = true;
    console.error(`${where}: database unavailable (${databaseErrorSummary(error)})`);
    return;
  }
  console.error(`${where}:`, error);
}

/** The innermost message of a wrapped error, e.g. "connect ECONNREFUSED 127.0.0.1:5432". */
function databaseErrorSummary(error: unknown): string {
  let current = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}
