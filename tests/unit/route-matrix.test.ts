import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  callRoute,
  compareMatrix,
  describeComparison,
  discoverRoutes,
  fillPattern,
  outcomeOfResponse,
  type MatrixRow,
} from "../support/route-matrix";

// The authorization matrix's machinery: the URL each route file answers at, and how an answer
// reads in the table.

describe("discoverRoutes", () => {
  let appDirectory: string;
  const files = [
    "_index.tsx",
    "$.tsx",
    "cases.$caseId.tsx",
    "cases.$caseId._index.tsx",
    "cases.$caseId.plans.$planId.tsx",
    "cases.$caseId.export[.]json.tsx",
    "login.tsx",
    "login_.two-factor.tsx",
    "_auth.tsx",
    "_auth.welcome.tsx",
    "notes.test.tsx",
  ];

  beforeAll(() => {
    appDirectory = fs.mkdtempSync(path.join(os.tmpdir(), "cairn-routes-"));
    fs.mkdirSync(path.join(appDirectory, "routes"));
    fs.writeFileSync(path.join(appDirectory, "root.tsx"), "export default function Root() { return null; }\n");
    for (const file of files) fs.writeFileSync(path.join(appDirectory, "routes", file), "export default function Page() { return null; }\n");
  });
  afterAll(() => fs.rmSync(appDirectory, { recursive: true, force: true }));

  it("joins nested routes to their layouts and reads params, escapes, splats and pathless segments", () => {
    const routes = discoverRoutes(appDirectory, ["**/*.test.*"]);
    expect(Object.fromEntries(routes.map((r) => [r.file, r.pattern]))).toEqual({
      "$.tsx": "/*",
      "_auth.tsx": "/",
      "_auth.welcome.tsx": "/welcome",
      "_index.tsx": "/",
      "cases.$caseId._index.tsx": "/cases/:caseId",
      "cases.$caseId.export[.]json.tsx": "/cases/:caseId/export.json",
      "cases.$caseId.plans.$planId.tsx": "/cases/:caseId/plans/:planId",
      "cases.$caseId.tsx": "/cases/:caseId",
      "login.tsx": "/login",
      "login_.two-factor.tsx": "/login/two-factor",
    });
    expect(routes.find((r) => r.file === "cases.$caseId.plans.$planId.tsx")?.params).toEqual(["caseId", "planId"]);
  });

  it("finds this app's own route files", () => {
    const routes = discoverRoutes();
    expect(routes.find((r) => r.file === "threads.$threadId.tsx")?.pattern).toBe("/threads/:threadId");
    expect(routes.every((r) => fs.existsSync(r.modulePath))).toBe(true);
  });
});

describe("fillPattern", () => {
  it("puts values in the params and a page name in the splat", () => {
    expect(fillPattern("/cases/:caseId/plans/:planId", { caseId: "c 1", planId: "p" })).toBe("/cases/c%201/plans/p");
    expect(fillPattern("/*", {})).toBe("/no-such-page");
    expect(() => fillPattern("/threads/:threadId", {})).toThrow(/threadId/);
  });
});

describe("outcomes", () => {
  const names = new Map([["11111111-1111-4111-8111-111111111111", "threadId"]]);
  const redirect = (to: string) => new Response(null, { status: 302, headers: { Location: to } });

  it("reads statuses, sign-in redirects and other redirects with ids named", () => {
    expect(outcomeOfResponse(new Response("{}", { status: 200 }))).toBe("ok");
    expect(outcomeOfResponse(new Response("{}", { status: 400 }))).toBe("400");
    expect(outcomeOfResponse(new Response("", { status: 404 }))).toBe("404");
    expect(outcomeOfResponse(redirect("/login?redirectTo=%2Fcases"))).toBe("login");
    expect(outcomeOfResponse(redirect("/login/two-factor?redirectTo=%2Fcases"))).toBe("two-factor");
    expect(outcomeOfResponse(redirect("/portal/questions/11111111-1111-4111-8111-111111111111#post-1"), names)).toBe(
      "redirect:/portal/questions/:threadId#post-1",
    );
  });

  it("treats returned data as ok, a thrown Response as its status and anything else thrown as an error", async () => {
    expect((await callRoute(async () => ({ rows: [] }))).outcome).toBe("ok");
    expect(
      (
        await callRoute(async () => {
          throw new Response("", { status: 403 });
        })
      ).outcome,
    ).toBe("403");
    expect(
      (
        await callRoute(async () => {
          throw new Error("database went away\nstack");
        })
      ).outcome,
    ).toBe("error: database went away");
  });
});

describe("compareMatrix", () => {
  const row = (file: string, request: string, admin = "ok"): MatrixRow =>
    [file, request, "login", "404", "404", "ok", "404", "ok", admin, "two-factor"] as MatrixRow;

  it("names missing files, files that are gone, and every cell that differs", () => {
    const expected = [row("a.tsx", "GET"), row("gone.tsx", "GET"), row("b.tsx", "GET"), row("b.tsx", "POST")];
    const actual = [row("a.tsx", "GET", "404"), row("b.tsx", "GET"), row("new.tsx", "GET")];
    const comparison = compareMatrix(expected, actual, ["a.tsx", "b.tsx", "new.tsx"]);
    expect(comparison.missingFiles).toEqual(["new.tsx"]);
    expect(comparison.staleFiles).toEqual(["gone.tsx"]);
    expect(comparison.staleRows).toEqual(["b.tsx | POST"]);
    expect(comparison.mismatches).toEqual(["a.tsx | GET | admin: expected ok, got 404"]);
    const message = describeComparison(comparison);
    expect(message).toContain("add a row for new.tsx");
    expect(message).toContain("remove the rows for gone.tsx");
    expect(message).toMatch(/\["a\.tsx", +"GET", .*"404", +"two-factor"\],/);
  });

  it("reports nothing when the table matches", () => {
    const rows = [row("a.tsx", "GET")];
    expect(describeComparison(compareMatrix(rows, rows, ["a.tsx"]))).toBe("");
  });
});
