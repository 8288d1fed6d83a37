import { describe, expect, it } from "vitest";
import { handleDataRequest } from "~/entry.server";

const context = { requestId: "a1b2c3d4e5f6", clientIp: "203.0.113.7", cspNonce: "n" };

describe("data responses", () => {
  it("puts the request id into an unexpected server error, so the error page can show it", async () => {
    const crashed = new Response(JSON.stringify({ message: "Unexpected Server Error" }), {
      status: 500,
      headers: { "X-Remix-Error": "yes", "Content-Type": "application/json" },
    });
    const answered = await handleDataRequest(crashed, { context });
    expect(answered.status).toBe(500);
    expect(answered.headers.get("X-Remix-Error")).toBe("yes");
    expect(await answered.json()).toEqual({ message: "Unexpected server error (request a1b2c3d4e5f6)" });
  });

  it("keeps private data out of shared caches", async () => {
    const answered = await handleDataRequest(new Response("{}", { status: 200 }), { context });
    expect(answered.headers.get("Cache-Control")).toBe("no-store");
  });

  it("leaves a 404 as it is", async () => {
    const missing = new Response("Not found", { status: 404, headers: { "X-Remix-Catch": "yes" } });
    const answered = await handleDataRequest(missing, { context });
    expect(answered.status).toBe(404);
    expect(await answered.text()).toBe("Not found");
  });
});
