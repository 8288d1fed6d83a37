// Telling "the database can't be reached right now" apart from every other failure, in one place.
//
// Such an error says nothing about the request: the same request succeeds once Postgres is back
// (postgres.js opens new connections lazily, so the app recovers by itself). The server answers
// it with 503 and a page that says so, instead of a 500 that reads like a bug (see
// app/entry.server.tsx and server/index.ts).
//
// Errors arrive wrapped: drizzle puts the driver's error in `cause` (DrizzleQueryError), and a
// host with several addresses fails with an AggregateError of one error per address.

// Node's socket errors on connect, read and write.
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);

// postgres.js: the connection closed under a query, was ended, or never opened in time.
const DRIVER_CODES = new Set(["CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED", "CONNECT_TIMEOUT"]);

// Postgres itself (SQLSTATE): class 08 connection exceptions, the server shutting down or
// starting up (admin_shutdown, crash_shutdown, cannot_connect_now), and no connection slot free.
const SQLSTATES = new Set(["57P01", "57P02", "57P03", "53300"]);

function hasUnavailableCode(error: object): boolean {
  const code = "code" in error ? error.code : undefined;
  if (typeof code !== "string") return false;
  if (SOCKET_CODES.has(code) || DRIVER_CODES.has(code) || SQLSTATES.has(code) || code.startsWith("08")) return true;
  // A missing Unix socket (the server isn't running) fails to connect with ENOENT.
  return code === "ENOENT" && "syscall" in error && error.syscall === "connect";
}

/** True when `error`, or an error it wraps, means the database can't be reached at the moment. */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== "object" || error === null || depth > 5) return false;
  if (hasUnavailableCode(error)) return true;
  if (error instanceof AggregateError && error.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))) return true;
  return "cause" in error && isDatabaseUnavailable(error.cause, depth + 1);
}
