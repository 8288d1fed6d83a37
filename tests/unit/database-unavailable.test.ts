import { DrizzleQueryError } from "drizzle-orm/errors";
import { describe, expect, it, vi } from "vitest";
import { handleDataRequest, handleError } from "~/entry.server";
import { isDatabaseUnavailable } from "../../db/unavailable";

// Which failures mean "the database can't be reached right now" (answered 503, try again), and
// which are ordinary errors (500). The server-level behaviour is in tests/system/database-outage.

function systemError(code: string, syscall = "connect") {
  return Object.assign(new Error(`${syscall} ${code} 127.0.0.1:5432`), { code, errno: -1, syscall });
}

describe("isDatabaseUnavailable", () => {
  it("recognises a refused connection, as drizzle wraps it", () => {
    expect(isDatabaseUnavailable(new DrizzleQueryError("select 1", [], systemError("ECONNREFUSED")))).toBe(true);
  });

  it("recognises a connection that closed or was ended under a query (postgres.js)", () => {
    for (const code of ["CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED", "CONNECT_TIMEOUT"]) {
      expect(isDatabaseUnavailable(Object.assign(new Error(code), { code }))).toBe(true);
    }
  });

  it("recognises Postgres shutting down, starting up or out of connection slots", () => {
    for (const code of ["57P01", "57P02", "57P03", "53300", "08006"]) {
      expect(isDatabaseUnavailable(new DrizzleQueryError("select 1", [], Object.assign(new Error("terminating"), { code })))).toBe(true);
    }
  });

  it("recognises every address of a host refusing (AggregateError) and a missing socket file", () => {
    expect(isDatabaseUnavailable(new AggregateError([systemError("ECONNREFUSED"), systemError("ECONNREFUSED")]))).toBe(true);
    expect(isDatabaseUnavailable(systemError("ENOENT", "connect"))).toBe(true);
  });

  it("leaves ordinary failures alone: bad SQL, a broken rule, a missing file, a thrown response", () => {
    expect(isDatabaseUnavailable(new DrizzleQueryError("select nope", [], Object.assign(new Error("syntax"), { code: "42601" })))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error("duplicate key"), { code: "23505" }))).toBe(false);
    expect(isDatabaseUnavailable(systemError("ENOENT", "open"))).toBe(false);
    expect(isDatabaseUnavailable(new Response("Not found", { status: 404 }))).toBe(false);
    expect(isDatabaseUnavailable(new Error("boom"))).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
  });
});

describe("answering a request that could not reach the database", () => {
  const request = () => new Request("http://localhost:3000/portal?_data=root");

  it("marks the request, logs one line, and turns the data request's 500 into a 503 the error page understands", async () => {
    const context = { requestId: "a1b2c3d4e5f6", clientIp: "203.0.113.7", cspNonce: "n" } as Parameters<typeof handleError>[1]["context"];
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    handleError(new DrizzleQueryError("select 1", [], systemError("ECONNREFUSED")), { request: request(), context });
    expect(context.databaseUnavailable).toBe(true);
    expect(log).toHaveBeenCalledWith("request a1b2c3d4e5f6 GET /portal: database unavailable (connect ECONNREFUSED 127.0.0.1:5432)");
    log.mockRestore();

    const crashed = new Response(JSON.stringify({ message: "Unexpected Server Error" }), { status: 500, headers: { "X-Remix-Error": "yes" } });
    const answered = await handleDataRequest(crashed, { context });
    expect(answered.status).toBe(503);
    expect(answered.headers.get("X-Remix-Catch")).toBe("yes");
    expect(answered.headers.get("Retry-After")).toBe("60");
    expect(await answered.json()).toEqual({ requestId: "a1b2c3d4e5f6" });
  });

  it("leaves other errors as the 500 they are", async () => {
    const context = { requestId: "f6e5d4c3b2a1", clientIp: "203.0.113.7", cspNonce: "n" } as Parameters<typeof handleError>[1]["context"];
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    handleError(new Error("a bug"), { request: request(), context });
    log.mockRestore();
    expect(context.databaseUnavailable).toBeUndefined();
    const crashed = new Response(JSON.stringify({ message: "Unexpected Server Error" }), { status: 500, headers: { "X-Remix-Error": "yes" } });
    expect((await handleDataRequest(crashed, { context })).status).toBe(500);
  });
});
